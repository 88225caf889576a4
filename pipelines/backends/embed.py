"""Text embeddings behind one small protocol.

Every embedder returns float32 arrays of shape ``(n, d)`` with L2-normalised rows (an empty text gives a zero
row), and has an ``id`` that changes whenever its vectors would change, so caches keyed by
``(text_hash, id)`` stay valid.

- ``LexicalEmbedder``: word (jieba + domain dictionary) and character n-gram TF-IDF, optionally reduced with
  TruncatedSVD. Fitted on the corpus, the sample history and the call's category texts; saved under
  ``models/embedder/lexical/``; the offline default.
- ``SentenceTransformerEmbedder``: a sentence-transformers model from a local directory (``st_model_dir``);
  never downloads.
- ``OpenAIEmbedder``: an OpenAI-compatible ``/v1/embeddings`` endpoint.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import joblib
import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize as l2_normalize

from pipelines.config import DATA_DIR, MODELS_DIR, SAMPLE_DIR, Settings, get_settings
from pipelines.text import normalize, text_hash, tokenize_zh

if TYPE_CHECKING:
    from pipelines.cache import Cache

LEXICAL_DIR = MODELS_DIR / "embedder" / "lexical"
CORPUS_FILES = (DATA_DIR / "corpus" / "cases.jsonl", DATA_DIR / "corpus" / "extra_cases.jsonl")
HISTORY_DIR = SAMPLE_DIR / "history"


class EmbeddingError(Exception):
    """An embedder that cannot be built or cannot answer; ``message`` is Chinese and says what to do."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@runtime_checkable
class Embedder(Protocol):
    """Anything that turns texts into L2-normalised float32 vectors."""

    id: str

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts.

        Args:
            texts: ``n`` strings.

        Returns:
            float32 array of shape ``(n, d)``, rows L2-normalised (zero rows for empty texts).
        """
        ...


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)


class LexicalEmbedder:
    """Word + character n-gram TF-IDF vectors, optionally reduced by TruncatedSVD (latent semantic analysis).

    The two blocks are each L2-normalised and weighted so that words and characters count equally; the
    character block catches terms jieba splits differently, the word block keeps domain terms whole.

    Args:
        n_components: SVD dimensions; 0 keeps the sparse TF-IDF space (``d`` = vocabulary size).
        word_max_features: vocabulary cap of the word block (unigrams and bigrams).
        char_max_features: vocabulary cap of the character block.
        char_ngram_range: character n-gram lengths.
    """

    def __init__(
        self,
        n_components: int = 0,
        word_max_features: int = 8000,
        char_max_features: int = 12000,
        char_ngram_range: tuple[int, int] = (2, 3),
    ) -> None:
        self.n_components = n_components
        self.word_max_features = word_max_features
        self.char_max_features = char_max_features
        self.char_ngram_range = char_ngram_range
        self.id = "lexical-unfitted"
        self.word_: TfidfVectorizer | None = None
        self.char_: TfidfVectorizer | None = None
        self.svd_: TruncatedSVD | None = None

    def fit(self, texts: Sequence[str]) -> LexicalEmbedder:
        """Learn vocabularies, IDF weights (and the SVD) from ``texts``; returns self."""
        texts = [normalize(text) for text in texts if text and text.strip()]
        if len(texts) < 2:
            raise EmbeddingError("too_few_texts", "训练词汇向量至少需要 2 段非空文本，请检查语料文件")
        self.word_ = TfidfVectorizer(
            tokenizer=tokenize_zh,
            token_pattern=None,
            lowercase=False,
            ngram_range=(1, 2),
            sublinear_tf=True,
            max_features=self.word_max_features,
        )
        self.char_ = TfidfVectorizer(
            analyzer="char",
            ngram_range=self.char_ngram_range,
            sublinear_tf=True,
            max_features=self.char_max_features,
        )
        self.word_.fit(texts)
        self.char_.fit(texts)
        self.svd_ = None
        if self.n_components:
            stacked = self._sparse(texts)
            components = min(self.n_components, stacked.shape[0] - 1, stacked.shape[1] - 1)
            self.svd_ = TruncatedSVD(n_components=components, random_state=0).fit(stacked)
        self.id = f"lexical-{self._fingerprint()}"
        return self

    def _fingerprint(self) -> str:
        digest = hashlib.sha256()
        for vectorizer in (self.word_, self.char_):
            assert vectorizer is not None
            digest.update(json.dumps(sorted(vectorizer.vocabulary_), ensure_ascii=False).encode())
            digest.update(np.asarray(vectorizer.idf_, dtype=np.float32).tobytes())
        digest.update(str(self.n_components).encode())
        return digest.hexdigest()[:12]

    def _sparse(self, texts: Sequence[str]) -> sp.csr_matrix:
        if self.word_ is None or self.char_ is None:
            raise EmbeddingError("not_fitted", "词汇向量器尚未训练：请先运行 python -m pipelines train")
        weight = np.sqrt(0.5)
        words = l2_normalize(self.word_.transform(texts)) * weight
        chars = l2_normalize(self.char_.transform(texts)) * weight
        return sp.hstack([words, chars], format="csr")

    @property
    def dim(self) -> int:
        """Length ``d`` of the vectors."""
        if self.svd_ is not None:
            return int(self.svd_.n_components)
        assert self.word_ is not None and self.char_ is not None
        return len(self.word_.vocabulary_) + len(self.char_.vocabulary_)

    def embed_sparse(self, texts: Sequence[str]) -> sp.csr_matrix:
        """The unreduced TF-IDF vectors as a sparse matrix (cheaper than ``embed`` for large vocabularies).

        Args:
            texts: ``n`` strings.

        Returns:
            float32 CSR matrix of shape ``(n, V)``, rows L2-normalised (empty texts give zero rows).
        """
        matrix = self._sparse([normalize(text) for text in texts])
        return l2_normalize(matrix).astype(np.float32)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts; see ``Embedder.embed``. Returns float32 ``(n, d)``."""
        if not len(texts):
            return np.zeros((0, self.dim), dtype=np.float32)
        matrix = self._sparse([normalize(text) for text in texts])
        if self.svd_ is not None:
            return _unit_rows(self.svd_.transform(matrix))
        return _unit_rows(matrix.toarray())

    def save(self, directory: Path) -> Path:
        """Write ``model.joblib`` and ``card.json`` into ``directory``; returns the directory."""
        directory.mkdir(parents=True, exist_ok=True)
        joblib.dump(self, directory / "model.joblib", compress=3)
        card = {
            "id": self.id,
            "dim": self.dim,
            "n_components": self.n_components,
            "word_vocabulary": len(self.word_.vocabulary_) if self.word_ else 0,
            "char_vocabulary": len(self.char_.vocabulary_) if self.char_ else 0,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        (directory / "card.json").write_text(json.dumps(card, ensure_ascii=False, indent=2), encoding="utf-8")
        return directory

    @classmethod
    def load(cls, directory: Path = LEXICAL_DIR) -> LexicalEmbedder:
        """Load a saved embedder.

        Raises:
            EmbeddingError: ``lexical_missing`` when the directory holds no model.
        """
        path = directory / "model.joblib"
        if not path.exists():
            raise EmbeddingError(
                "lexical_missing",
                f"找不到词汇向量模型 {path}：请运行 python -m pipelines train 重新生成（会同时训练分类模型）",
            )
        model = joblib.load(path)
        if not isinstance(model, cls):
            raise EmbeddingError("lexical_invalid", f"{path} 不是词汇向量模型，请删除后重新训练")
        return model


def _read_jsonl(path: Path) -> Iterable[dict[str, Any]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def default_fit_texts() -> list[str]:
    """Texts the default lexical embedder is fitted on: corpus, extra cases, sample history, category texts."""
    from pipelines.vocabulary import categories

    texts = [
        record.get("title", "") + "\n" + record.get("text", "")
        for path in CORPUS_FILES
        for record in _read_jsonl(path)
    ]
    for path in sorted(HISTORY_DIR.glob("*.jsonl")):
        for record in _read_jsonl(path):
            sections = record.get("sections") or {}
            texts.append("\n".join([record.get("title", ""), *map(str, sections.values())]))
    texts.extend(f"{category.name}\n{category.definition}" for category in categories())
    return texts


def build_lexical_embedder(directory: Path = LEXICAL_DIR, n_components: int = 0) -> LexicalEmbedder:
    """Fit the default lexical embedder on ``default_fit_texts()`` and save it to ``directory``."""
    embedder = LexicalEmbedder(n_components=n_components).fit(default_fit_texts())
    embedder.save(directory)
    return embedder


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from a local directory only (``HF_HUB_OFFLINE=1``).

    Args:
        model_dir: directory holding the model (``modules.json``, ``config.json``, weights).
        batch_size: texts per forward pass.

    Raises:
        EmbeddingError: ``st_model_missing`` when the directory does not hold a model, ``st_model_invalid``
            when it cannot be loaded.
    """

    def __init__(self, model_dir: str | Path, batch_size: int = 32) -> None:
        path = Path(model_dir) if model_dir else None
        if path is None or not (path / "modules.json").exists() and not (path / "config.json").exists():
            raise EmbeddingError(
                "st_model_missing",
                f"句向量模型目录“{model_dir or '（未设置）'}”不存在或不含模型文件：请在 config.toml 中把 "
                'st_model_dir 设为本地已有的 sentence-transformers 模型目录，或设置 embedder = "lexical"',
            )
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        from sentence_transformers import SentenceTransformer

        try:
            self.model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        except Exception as exc:  # noqa: BLE001 (any loading failure becomes one clear message)
            raise EmbeddingError(
                "st_model_invalid", f"无法加载句向量模型目录 {path}：{exc}。请确认目录完整，或改用 lexical"
            ) from exc
        self.batch_size = batch_size
        digest = hashlib.sha256()
        for name in ("modules.json", "config.json", "config_sentence_transformers.json"):
            if (path / name).exists():
                digest.update((path / name).read_bytes())
        self.id = f"st-{path.name}-{digest.hexdigest()[:8]}"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts; see ``Embedder.embed``. Returns float32 ``(n, d)``."""
        dim = self.model.get_embedding_dimension()
        if not len(texts):
            return np.zeros((0, dim), dtype=np.float32)
        clean = [normalize(text) for text in texts]
        vectors = self.model.encode(
            clean, batch_size=self.batch_size, convert_to_numpy=True, show_progress_bar=False
        )
        vectors = _unit_rows(vectors)
        vectors[[not text for text in clean]] = 0.0
        return vectors


class OpenAIEmbedder:
    """Embeddings from an OpenAI-compatible ``/v1/embeddings`` endpoint.

    Args:
        client: an ``openai.OpenAI`` client (base URL, key, timeout and retries set by the caller).
        model: embedding model name on that endpoint.
        batch_size: texts per request.
    """

    def __init__(self, client: Any, model: str, batch_size: int = 64) -> None:
        if not model:
            raise EmbeddingError(
                "openai_model_missing", "未设置向量模型名：请在 config.toml 中设置 embedding_model"
            )
        self.client = client
        self.model = model
        self.batch_size = batch_size
        self.id = f"openai-{model}"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts; see ``Embedder.embed``. Returns float32 ``(n, d)``.

        Raises:
            EmbeddingError: ``openai_failed`` when the endpoint fails or answers with the wrong shape.
        """
        clean = [normalize(text) for text in texts]
        wanted = [i for i, text in enumerate(clean) if text]
        rows: dict[int, np.ndarray] = {}
        for start in range(0, len(wanted), self.batch_size):
            batch = wanted[start : start + self.batch_size]
            for index, vector in zip(batch, self._request([clean[i] for i in batch]), strict=True):
                rows[index] = vector
        dims = {vector.shape[0] for vector in rows.values()}
        if len(dims) > 1:
            raise EmbeddingError("openai_failed", f"向量服务返回的维度不一致：{sorted(dims)}")
        dim = dims.pop() if dims else 0
        matrix = np.zeros((len(clean), dim), dtype=np.float32)
        for index, vector in rows.items():
            matrix[index] = vector
        return _unit_rows(matrix)

    def _request(self, batch: list[str]) -> list[np.ndarray]:
        import openai

        try:
            response = self.client.embeddings.create(model=self.model, input=batch)
            data = sorted(response.data, key=lambda item: item.index)
            vectors = [np.asarray(item.embedding, dtype=np.float32) for item in data]
        except (openai.OpenAIError, ValueError, TypeError, AttributeError) as exc:
            raise EmbeddingError(
                "openai_failed", f"向量服务（模型 {self.model}）请求失败：{exc}。请检查 llm_base_url 与密钥"
            ) from exc
        if len(vectors) != len(batch) or any(vector.ndim != 1 for vector in vectors):
            raise EmbeddingError(
                "openai_failed",
                f"向量服务为 {len(batch)} 段文本只返回了 {len(vectors)} 个有效向量，请检查服务",
            )
        return vectors


class CachedEmbedder:
    """Wraps an embedder with an LRU cache keyed by ``(text_hash, embedder id)``.

    Args:
        inner: the embedder doing the work.
        max_bytes: memory budget of the in-process cache.
        cache: optional persistent cache (``pipelines.cache.Cache``) for the vectors.
    """

    def __init__(self, inner: Embedder, max_bytes: int = 128 * 2**20, cache: Cache | None = None) -> None:
        self.inner = inner
        self.id = inner.id
        self.max_bytes = max_bytes
        self.cache = cache
        self._memory: OrderedDict[str, np.ndarray] = OrderedDict()
        self._bytes = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts, computing only those not cached; see ``Embedder.embed``. Returns float32 ``(n, d)``."""
        keys = [f"emb:{self.id}:{text_hash(text)}" for text in texts]
        found = {key: vector for key in set(keys) if (vector := self._lookup(key)) is not None}
        missing = list(dict.fromkeys(key for key in keys if key not in found))
        if missing:
            first_text = {key: text for key, text in zip(keys, texts, strict=True)}
            vectors = self.inner.embed([first_text[key] for key in missing])
            for key, vector in zip(missing, vectors, strict=True):
                found[key] = vector
                self._remember(key, vector, persist=True)
        if not keys:
            return self.inner.embed([])
        return np.stack([found[key] for key in keys]).astype(np.float32, copy=False)

    def _lookup(self, key: str) -> np.ndarray | None:
        if key in self._memory:
            self._memory.move_to_end(key)
            return self._memory[key]
        if self.cache is None:
            return None
        value = self.cache.get(key)
        if value is None:
            return None
        vector = np.asarray(value, dtype=np.float32)
        self._remember(key, vector, persist=False)
        return vector

    def _remember(self, key: str, vector: np.ndarray, persist: bool) -> None:
        vector = np.asarray(vector, dtype=np.float32)
        self._memory[key] = vector
        self._bytes += vector.nbytes
        while self._bytes > self.max_bytes and len(self._memory) > 1:
            _, dropped = self._memory.popitem(last=False)
            self._bytes -= dropped.nbytes
        if persist and self.cache is not None:
            self.cache.put(key, "embedding", [round(float(x), 6) for x in vector])


def _openai_client(settings: Settings) -> Any:
    import openai

    if not settings.llm_base_url:
        raise EmbeddingError(
            "openai_url_missing", 'embedder = "openai" 需要设置 llm_base_url（OpenAI 兼容服务地址）'
        )
    return openai.OpenAI(
        base_url=settings.llm_base_url,
        api_key=settings.llm_api_key or "not-needed",
        timeout=settings.llm_timeout_s,
        max_retries=settings.llm_max_retries,
    )


@lru_cache(maxsize=4)
def _build(settings: Settings) -> Embedder:
    if settings.embedder == "lexical":
        return LexicalEmbedder.load()
    if settings.embedder == "sentence-transformers":
        return SentenceTransformerEmbedder(settings.st_model_dir)
    if settings.embedder == "openai":
        return OpenAIEmbedder(_openai_client(settings), settings.embedding_model)
    raise EmbeddingError(
        "unknown_embedder",
        f"未知的 embedder 设置“{settings.embedder}”：可选 lexical、sentence-transformers、openai",
    )


def get_embedder(settings: Settings | None = None, cache: Cache | None = None) -> Embedder:
    """The embedder named in the settings, wrapped in a cache.

    The underlying model is built once per settings; the lexical default keeps only an in-memory cache
    (its vectors are cheap and wide), the others also use ``cache`` when given.

    Args:
        settings: defaults to ``get_settings()``.
        cache: persistent cache (ignored for the lexical embedder).

    Returns:
        An ``Embedder``.

    Raises:
        EmbeddingError: with a Chinese message when the configured embedder cannot be built.
    """
    settings = settings or get_settings()
    if cache is None or isinstance(_build(settings), LexicalEmbedder):
        return _memory_cached(settings)
    return CachedEmbedder(_build(settings), cache=cache)


@lru_cache(maxsize=4)
def _memory_cached(settings: Settings) -> CachedEmbedder:
    inner = _build(settings)
    budget = 64 * 2**20 if isinstance(inner, LexicalEmbedder) else 128 * 2**20
    return CachedEmbedder(inner, max_bytes=budget)
