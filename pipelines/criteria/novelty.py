"""Novelty: 1 − the highest cosine similarity to past cases and to the rest of this year's batch.

With the lexical embedder the rows stay sparse (a dense row has 20,000 columns) and the history's rows come
from ``pipelines.backends.embed_rows`` (embedded once, on disk), so a run embeds only this year's cases.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
import scipy.sparse as sp

HISTORY_BLOCK = 1024  # past cases made dense and compared at once (a block of 1,024 rows takes 80 MB)


def novelty_from_embeddings(batch: np.ndarray, history: np.ndarray) -> np.ndarray:
    """How far each case is from everything else: 1 − its highest cosine similarity.

    Args:
        batch: this year's cases, float ``(n, d)``, L2-normalised rows (dense or sparse).
        history: past cases, float ``(m, d)``, L2-normalised rows (``m`` may be 0; dense or sparse).

    Returns:
        float ``(n,)`` in [0, 1]: 1 − max(similarity to any other row of ``batch``, to any row of
        ``history``); NaN for a case with nothing to compare with.
    """
    batch = _dense(batch)
    similarities = batch @ batch.T
    np.fill_diagonal(similarities, -np.inf)
    best = similarities.max(axis=1) if similarities.shape[1] else np.full(similarities.shape[0], -np.inf)
    for start in range(0, history.shape[0], HISTORY_BLOCK):
        block = batch @ _dense(history[start : start + HISTORY_BLOCK]).T
        best = np.maximum(best, block.max(axis=1))
    return np.where(np.isfinite(best), np.clip(1.0 - best, 0.0, 1.0), np.nan)


def _dense(matrix: np.ndarray | sp.spmatrix) -> np.ndarray:
    """Dense float32 rows: the products run in BLAS (a sparse product of 1,000 full-length cases with each
    other costs six times as much, most character pairs being in most cases)."""
    return np.asarray(matrix.toarray() if sp.issparse(matrix) else matrix, dtype=np.float32)


class Embedder(Protocol):
    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


def default_rows_dir() -> Path:
    """Where the history's embedding rows are kept: the settings' cache path."""
    from pipelines.config import get_settings

    return get_settings().cache_path / "embedding-rows"


def character_history_rows(
    lexical: object, history: Sequence[str], rows_dir: Path | None = None
) -> sp.spmatrix:
    """The history's character n-gram rows (``embed_chars`` of the lexical embedder), sparse float32
    ``(m, C)``, kept on disk between runs and computed only for past cases not seen before — what novelty
    needs of the history without embedding it on every run, nor holding it dense (100,000 past cases × 12,000
    columns would be 4.8 GB). ``novelty_from_embeddings`` takes these rows as they are.

    Raises:
        ValueError: ``lexical`` has no ``embed_chars``.
    """
    from pipelines.backends.embed_rows import rows_for

    store = rows_for(lexical, rows_dir or default_rows_dir(), "embed_chars")
    if store is None:
        raise ValueError("字符向量需要词汇向量模型（embed_chars）")
    return store.rows(list(history))


def novelty_scores(
    texts: Sequence[str], history: Sequence[str], embedder: Embedder, rows_dir: Path | None = None
) -> list[float | None]:
    """Novelty of each text against the others and the history (``None`` when there is nothing to compare).

    Args:
        texts: this year's cases.
        history: the past cases.
        embedder: any ``Embedder``; one with sparse rows (``embed_sparse``, the lexical default) keeps the
            history's rows on disk.
        rows_dir: where those rows are kept (default ``default_rows_dir()``).
    """
    from pipelines.backends.embed_rows import rows_for

    if not texts:
        return []
    store = rows_for(embedder, rows_dir or default_rows_dir())
    if store is None:
        batch = embedder.embed(list(texts))
        past = embedder.embed(list(history)) if history else np.zeros((0, batch.shape[1]), dtype=batch.dtype)
    else:
        batch = store.embed(list(texts))
        past = store.rows(list(history)) if history else sp.csr_matrix((0, batch.shape[1]), dtype=np.float32)
    values = novelty_from_embeddings(batch, past)
    return [None if math.isnan(value) else round(float(value), 4) for value in values]
