"""The history's embedding rows kept on disk: reused, extended by new texts only, rebuilt when damaged."""

from __future__ import annotations

import numpy as np
import pytest

from pipelines.backends.embed import LexicalEmbedder
from pipelines.backends.embed_rows import CacheFileWarning, SparseRows, rows_for
from pipelines.criteria.novelty import character_history_rows, novelty_from_embeddings, novelty_scores

TEXTS = [
    "县级融媒体中心打造“云上新洲”客户端，整合广播电视报纸资源。",
    "行业报社建设数据新闻工作室，推出能源转型可视化专题。",
    "交通报社上线“路况通”小程序，为货车司机提供实时路况。",
    "气象报社开设海洋气象直播栏目，服务沿海渔民出海作业。",
    "医药报社推出健康科普短视频矩阵，累计播放量超过一亿次。",
]


@pytest.fixture(scope="module")
def lexical() -> LexicalEmbedder:
    return LexicalEmbedder.load()


def test_rows_are_embedded_once_and_only_new_texts_later(lexical, tmp_path):
    store = SparseRows(lexical.embed_chars, "chars", tmp_path)
    first = store.rows(TEXTS[:3])
    assert store.embedded_ == 3
    assert np.allclose(first.toarray(), lexical.embed_chars(TEXTS[:3]).toarray())
    again = SparseRows(lexical.embed_chars, "chars", tmp_path)  # another run: read from the file
    assert np.allclose(again.rows(TEXTS[:3]).toarray(), first.toarray()) and again.embedded_ == 0
    grown = again.rows([TEXTS[4], *TEXTS[:3], TEXTS[3]])  # a year's cases imported, in any order
    assert again.embedded_ == 2
    assert np.allclose(grown.toarray(), lexical.embed_chars([TEXTS[4], *TEXTS[:3], TEXTS[3]]).toarray())


def test_a_damaged_rows_file_is_rebuilt_with_a_warning(lexical, tmp_path):
    SparseRows(lexical.embed_chars, "chars", tmp_path).rows(TEXTS)
    (path,) = tmp_path.glob("*.npz")
    path.write_bytes(path.read_bytes()[:200])
    store = SparseRows(lexical.embed_chars, "chars", tmp_path)
    with pytest.warns(CacheFileWarning, match="已损坏"):
        rows = store.rows(TEXTS)
    assert store.embedded_ == len(TEXTS) and rows.shape[0] == len(TEXTS)


def test_character_history_rows_are_the_embedders_rows_and_give_the_same_novelty(lexical, tmp_path):
    rows = character_history_rows(lexical, TEXTS[1:], tmp_path)
    dense = lexical.embed_chars(TEXTS[1:]).toarray()
    assert np.allclose(rows.toarray(), dense)
    batch = lexical.embed_chars(TEXTS[:2]).toarray()
    assert np.allclose(novelty_from_embeddings(batch, rows), novelty_from_embeddings(batch, dense))
    character_history_rows(lexical, TEXTS[1:], tmp_path)  # the next run reuses every row
    assert rows_for(lexical, tmp_path, "embed_chars").embedded_ == 0
    with pytest.raises(ValueError, match="embed_chars"):
        character_history_rows(object(), TEXTS, tmp_path)


def test_novelty_scores_keep_the_history_rows_on_disk(lexical, tmp_path):
    values = novelty_scores(TEXTS[:2], TEXTS[2:], lexical, tmp_path)
    assert len(values) == 2 and all(0.0 <= v <= 1.0 for v in values)
    assert list(tmp_path.glob("*-sparse.npz"))
    assert novelty_scores(TEXTS[:2], TEXTS[2:], lexical, tmp_path) == values
