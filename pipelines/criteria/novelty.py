"""Novelty: 1 − the highest cosine similarity to past cases and to the rest of this year's batch."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Protocol

import numpy as np


def novelty_from_embeddings(batch: np.ndarray, history: np.ndarray) -> np.ndarray:
    """How far each case is from everything else: 1 − its highest cosine similarity.

    Args:
        batch: this year's cases, float ``(n, d)``, L2-normalised rows.
        history: past cases, float ``(m, d)``, L2-normalised rows (``m`` may be 0).

    Returns:
        float ``(n,)`` in [0, 1]: 1 − max(similarity to any other row of ``batch``, to any row of
        ``history``); NaN for a case with nothing to compare with.
    """
    similarities = batch @ batch.T
    np.fill_diagonal(similarities, -np.inf)
    if len(history):
        similarities = np.hstack([similarities, batch @ history.T])
    if similarities.shape[1] == 0:
        return np.full(len(batch), np.nan)
    best = similarities.max(axis=1)
    return np.where(np.isfinite(best), np.clip(1.0 - best, 0.0, 1.0), np.nan)


class Embedder(Protocol):
    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


def novelty_scores(texts: Sequence[str], history: Sequence[str], embedder: Embedder) -> list[float | None]:
    """Novelty of each text against the others and the history (``None`` when there is nothing to compare)."""
    if not texts:
        return []
    batch = embedder.embed(list(texts))
    past = embedder.embed(list(history)) if history else np.zeros((0, batch.shape[1]), dtype=batch.dtype)
    values = novelty_from_embeddings(batch, past)
    return [None if math.isnan(value) else round(float(value), 4) for value in values]
