"""The embedder protocol and its error: every embedder returns float32 ``(n, d)`` with L2-normalised rows
(an empty text gives a zero row) and has an ``id`` that changes whenever its vectors would change."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np


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


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero), float32 ``(n, d)``."""
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)
