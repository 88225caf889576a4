"""The semantic signal: vectors of the project texts, compact, with an inverted index for retrieval.

With the default lexical embedder the vectors are its character n-gram TF-IDF block (``embed_chars``): it
survives rewording and summaries better than shared strings, needs no word segmentation, and each row keeps
only its ``MAX_TERMS`` heaviest terms (renormalised), so 100,000 cases take about 150 MB per copy. Any other
embedder (sentence-transformers by local path, an OpenAI-compatible endpoint) gives dense float32 rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

MAX_TERMS = 160
BLOCK = 512


@dataclass
class Vectors:
    """L2-normalised rows: a float32 CSR matrix ``(n, V)`` or a dense float32 array ``(n, d)``."""

    matrix: sp.csr_matrix | np.ndarray

    def __len__(self) -> int:
        return int(self.matrix.shape[0])

    @property
    def sparse(self) -> bool:
        """Whether the rows are sparse (TF-IDF)."""
        return sp.issparse(self.matrix)

    def postings(self) -> sp.csc_matrix | None:
        """The column-major copy used as an inverted index (term → cases), None for dense rows."""
        return sp.csc_matrix(self.matrix) if self.sparse else None

    def shortlist(self, row: int, postings: sp.csc_matrix, terms: int, size: int) -> np.ndarray:
        """Cases scored on the query row's ``terms`` heaviest terms only; the best ``size`` positions.

        Only the postings of those terms are read (``postings[:, terms] @ weights``), not every case.
        """
        query = self.matrix[row]
        if not query.nnz:
            return np.zeros(0, dtype=np.int64)
        order = np.argsort(-query.data, kind="stable")[:terms]
        columns, weights = query.indices[order], query.data[order]
        partial = postings[:, columns] @ weights
        found = np.flatnonzero(partial)
        if found.size > size:
            found = found[np.argpartition(-partial[found], size - 1)[:size]]
        return found

    def cosines(self, query: Vectors, row: int, positions: np.ndarray) -> np.ndarray:
        """Cosines of query row ``row`` against the rows at ``positions``, float32 ``(len(positions),)``."""
        if not len(positions):
            return np.zeros(0, dtype=np.float32)
        rows = self.matrix[positions]
        vector = query.matrix[row]
        if self.sparse:
            product = rows @ vector.T
            return np.asarray(product.toarray()).ravel().astype(np.float32)
        return np.asarray(rows @ np.asarray(vector).ravel(), dtype=np.float32)

    def pair(self, i: int, other: Vectors, j: int) -> float:
        """Cosine of row ``i`` of these vectors and row ``j`` of ``other``."""
        return float(other.cosines(self, i, np.asarray([j]))[0])


def prune_rows(matrix: sp.csr_matrix, keep: int = MAX_TERMS) -> sp.csr_matrix:
    """Keep each row's ``keep`` largest entries and renormalise the rows (float32 CSR, same shape)."""
    matrix = sp.csr_matrix(matrix, dtype=np.float32)
    rows, cols, vals = [], [], []
    for i in range(matrix.shape[0]):
        start, end = matrix.indptr[i], matrix.indptr[i + 1]
        data, indices = matrix.data[start:end], matrix.indices[start:end]
        if data.size > keep:
            top = np.argpartition(-data, keep - 1)[:keep]
            data, indices = data[top], indices[top]
        norm = float(np.linalg.norm(data))
        if norm > 0:
            rows.append(np.full(data.size, i, dtype=np.int32))
            cols.append(indices)
            vals.append(data / norm)
    if not rows:
        return sp.csr_matrix(matrix.shape, dtype=np.float32)
    return sp.csr_matrix(
        (np.concatenate(vals).astype(np.float32), (np.concatenate(rows), np.concatenate(cols))),
        shape=matrix.shape,
    )


def stack(parts: Sequence[Vectors]) -> Vectors:
    """The rows of several ``Vectors`` in order (sparse or dense like the parts)."""
    if parts and parts[0].sparse:
        return Vectors(sp.vstack([p.matrix for p in parts], format="csr", dtype=np.float32))
    if parts:
        return Vectors(np.vstack([p.matrix for p in parts]))
    return Vectors(np.zeros((0, 1), dtype=np.float32))


class SemanticModel:
    """Turns project texts into ``Vectors`` with an embedder.

    Args:
        embedder: any ``Embedder``; one with ``embed_chars`` (the lexical default, possibly behind a cache's
            ``inner``) gives pruned sparse character n-gram vectors.
    """

    def __init__(self, embedder: object) -> None:
        self.embedder = embedder
        inner = getattr(embedder, "inner", embedder)
        self.chars = getattr(inner, "embed_chars", None)
        self.id = (
            f"{getattr(embedder, 'id', 'embedder')}:{'chars' + str(MAX_TERMS) if self.chars else 'dense'}"
        )

    def vectors(self, texts: Sequence[str]) -> Vectors:
        """Vectors of ``texts`` (in blocks of ``BLOCK``), rows L2-normalised."""
        blocks = []
        for start in range(0, len(texts), BLOCK):
            batch = list(texts[start : start + BLOCK])
            if self.chars is not None:
                blocks.append(prune_rows(self.chars(batch)))
            else:
                blocks.append(np.asarray(self.embedder.embed(batch), dtype=np.float32))  # type: ignore[attr-defined]
        if not blocks:
            return Vectors(
                sp.csr_matrix((0, 1), dtype=np.float32) if self.chars else np.zeros((0, 1), np.float32)
            )
        if self.chars is not None:
            return Vectors(sp.vstack(blocks, format="csr", dtype=np.float32))
        return Vectors(np.vstack(blocks))


class Reranker:
    """The semantic signal of candidate pairs from a neural embedder (sentence-transformers by local path).

    Retrieval stays lexical (cheap, stored in the index); only the candidates of a query are embedded, and
    their cosine replaces the lexical one. Vectors are memoised by the embedder's own cache.

    Args:
        embedder: an ``Embedder`` with dense rows.
    """

    def __init__(self, embedder: object) -> None:
        self.embedder = embedder
        self.id = getattr(embedder, "id", "reranker")

    def rescore(self, text: str, others: dict[int, str]) -> dict[int, float]:
        """Cosine of ``text`` with each of ``others`` (position → project text)."""
        if not others:
            return {}
        vectors = np.asarray(self.embedder.embed([text, *others.values()]), dtype=np.float32)  # type: ignore[attr-defined]
        sims = vectors[1:] @ vectors[0]
        return dict(zip(others, sims.tolist(), strict=True))


def reranker_from_settings(settings: object | None = None) -> Reranker | None:
    """The re-ranker named by ``repeat_rerank`` (the sentence-transformers model at ``st_model_dir``), or None.

    Raises:
        EmbeddingError: when re-ranking is on but the model directory cannot be loaded.
    """
    from pipelines.backends.embed import get_embedder
    from pipelines.config import get_settings, with_overrides

    settings = settings or get_settings()
    if not settings.repeat_rerank:  # type: ignore[attr-defined]
        return None
    return Reranker(get_embedder(with_overrides(settings, embedder="sentence-transformers")))  # type: ignore[arg-type]
