"""Text embeddings behind one small protocol.

Every embedder returns float32 arrays of shape ``(n, d)`` with L2-normalised rows (an empty text gives a zero
row), and has an ``id`` that changes whenever its vectors would change, so caches keyed by
``(text_hash, id)`` stay valid.

- ``LexicalEmbedder``: word (jieba + domain dictionary) and character n-gram TF-IDF, optionally reduced with
  TruncatedSVD. Fitted on the corpus, the sample history and the call's category texts; saved under
  ``models/embedder/lexical/``; the offline default.
- ``SentenceTransformerEmbedder``, ``OpenAIEmbedder`` (``embed_models``): a sentence-transformers model from a
  local directory (``st_model_dir``, never downloads) and an OpenAI-compatible ``/v1/embeddings`` endpoint.
- ``CachedEmbedder`` (``embed_cache``): an LRU in front of any of them, with an optional persistent
  ``pipelines.cache.Cache`` passed in.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import joblib
import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize as l2_normalize

from pipelines.backends.char_ngrams import CharNgramTable
from pipelines.backends.embed_base import Embedder, EmbeddingError, unit_rows
from pipelines.backends.embed_cache import CachedEmbedder
from pipelines.backends.embed_models import OpenAIEmbedder, SentenceTransformerEmbedder, openai_client
from pipelines.config import DATA_DIR, MODELS_DIR, SAMPLE_DIR, Settings, get_settings
from pipelines.text import normalize, tokenize_zh

if TYPE_CHECKING:
    from pipelines.cache import Cache

__all__ = [
    "CachedEmbedder",
    "Embedder",
    "EmbeddingError",
    "LexicalEmbedder",
    "OpenAIEmbedder",
    "SentenceTransformerEmbedder",
    "get_embedder",
]

LEXICAL_DIR = MODELS_DIR / "embedder" / "lexical"
CORPUS_FILES = (DATA_DIR / "corpus" / "cases.jsonl", DATA_DIR / "corpus" / "extra_cases.jsonl")
HISTORY_DIR = SAMPLE_DIR / "history"


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

    def _sparse(self, texts: Sequence[str], fast_chars: bool = False) -> sp.csr_matrix:
        """Both blocks of normalised texts; ``fast_chars`` computes the character block with
        ``CharNgramTable`` (the same matrix, in float32)."""
        if self.word_ is None or self.char_ is None:
            raise EmbeddingError("not_fitted", "词汇向量器尚未训练：请先运行 python -m pipelines train")
        weight = np.sqrt(0.5)
        words = l2_normalize(self.word_.transform(texts)) * weight
        chars = (
            self._chars_table().transform(texts) if fast_chars else l2_normalize(self.char_.transform(texts))
        )
        return sp.hstack([words, chars * weight], format="csr")

    def _chars_table(self) -> CharNgramTable:
        table = self.__dict__.get("_char_table")
        if table is None:
            table = self.__dict__["_char_table"] = CharNgramTable(self.char_)
        return table

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
        matrix = self._sparse([normalize(text) for text in texts], fast_chars=True)
        return l2_normalize(matrix).astype(np.float32)

    def embed_chars(self, texts: Sequence[str]) -> sp.csr_matrix:
        """The character n-gram TF-IDF block alone (no word segmentation, so cheap), rows L2-normalised.

        Args:
            texts: ``n`` strings.

        Returns:
            float32 CSR matrix of shape ``(n, C)`` (``C`` = character vocabulary size).
        """
        if self.char_ is None:
            raise EmbeddingError("not_fitted", "词汇向量器尚未训练：请先运行 python -m pipelines train")
        return self._chars_table().transform([normalize(text) for text in texts])

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_char_table", None)  # rebuilt on first use
        return state

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts; see ``Embedder.embed``. Returns float32 ``(n, d)``."""
        if not len(texts):
            return np.zeros((0, self.dim), dtype=np.float32)
        matrix = self._sparse([normalize(text) for text in texts])
        if self.svd_ is not None:
            return unit_rows(self.svd_.transform(matrix))
        return unit_rows(matrix.toarray())

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


@lru_cache(maxsize=4)
def _build(settings: Settings) -> Embedder:
    if settings.embedder == "lexical":
        return LexicalEmbedder.load()
    if settings.embedder == "sentence-transformers":
        return SentenceTransformerEmbedder(settings.st_model_dir)
    if settings.embedder == "openai":
        return OpenAIEmbedder(openai_client(settings), settings.embedding_model)
    raise EmbeddingError(
        "unknown_embedder",
        f"未知的 embedder 设置“{settings.embedder}”：可选 lexical、sentence-transformers、openai",
    )


def get_embedder(settings: Settings | None = None, cache: Cache | None = None) -> Embedder:
    """The embedder named in the settings, wrapped in a cache.

    The underlying model is built once per settings; the lexical default keeps only an in-memory cache
    (its vectors are cheap and wide), the others also use the persistent ``cache`` when given.

    Args:
        settings: defaults to ``get_settings()``.
        cache: persistent vector cache, e.g. ``pipelines.cache.StoreCache(engine)`` (ignored for the lexical embedder).

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
