"""Pure signal functions for repeat and duplicate detection (no I/O, no models).

Character shingles are hashed to ``uint64`` with numpy (a polynomial rolling hash mixed by splitmix64);
MinHash signatures use one-permutation hashing (each hash falls into one of ``k`` bins, the bin keeps its
minimum, empty bins are filled from the next non-empty bin), so a signature costs one pass over the hashes.
The facts these signals weigh (names, figures, partners, places) are extracted in ``pipelines.repeats.facts``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache

import numpy as np
import scipy.sparse as sp

from pipelines.text import match_text

SHINGLE_SIZE = 5
SIGNATURE_BINS = 64
_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)
_PRIME = np.uint64(1_000_003)
_EMPTY = np.uint64(0xFFFFFFFFFFFFFFFF)

_NON_WORD = re.compile(r"[\W_]+")
_CODE_BITS = np.uint64(21)  # a Unicode code point fits in 21 bits


# --------------------------------------------------------------------------- shingles and MinHash


def unique_sorted(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (faster than ``np.unique`` on short uint64 arrays)."""
    values = np.sort(values)
    if values.size < 2:
        return values
    return values[np.concatenate(([True], values[1:] != values[:-1]))]


def clean_codepoints(text: str) -> np.ndarray:
    """Code points of the letters and digits of the folded text (punctuation, symbols and spaces dropped).

    Args:
        text: any text.

    Returns:
        uint64 array of shape ``(L,)``.
    """
    clean = _NON_WORD.sub("", match_text(text))
    return np.frombuffer(clean.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)


def _mix64(values: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser, vectorised (uint64 arithmetic wraps modulo 2**64)."""
    with np.errstate(over="ignore"):
        values = values ^ (values >> np.uint64(30))
        values = values * np.uint64(0xBF58476D1CE4E5B9)
        values = values ^ (values >> np.uint64(27))
        values = values * np.uint64(0x94D049BB133111EB)
        return values ^ (values >> np.uint64(31))


def shingle_hashes(text: str, size: int = SHINGLE_SIZE) -> np.ndarray:
    """The set of hashed character shingles of a text.

    Args:
        text: any text (normalised; punctuation and spaces dropped).
        size: shingle length in characters.

    Returns:
        Sorted unique uint64 array of shape ``(s,)``; a non-empty text shorter than ``size`` gives one
        shingle (the whole text), an empty text none.
    """
    codes = clean_codepoints(text)
    if codes.size == 0:
        return np.zeros(0, dtype=np.uint64)
    width = min(size, codes.size)
    count = codes.size - width + 1
    with np.errstate(over="ignore"):
        rolling = np.zeros(count, dtype=np.uint64)
        for offset in range(width):
            rolling = rolling * _PRIME + codes[offset : offset + count]
    return unique_sorted(_mix64(rolling))


def sentence_shingles(sentences: Sequence[str], size: int = SHINGLE_SIZE) -> tuple[np.ndarray, np.ndarray]:
    """Hashed shingles of a sequence of sentences in one pass, each with the sentence it starts in.

    The sentences are cleaned as ``shingle_hashes`` cleans a text and read as one text; a shingle that starts
    near the end of a sentence runs into the next one, as it would in the whole text.

    Args:
        sentences: ``m`` sentences in order.
        size: shingle length in characters.

    Returns:
        ``(hashes, owner)``: uint64 ``(w,)`` and int64 ``(w,)`` (sentence index of each shingle's first
        character); not deduplicated.
    """
    codes = [clean_codepoints(sentence) for sentence in sentences]
    lengths = np.asarray([c.size for c in codes], dtype=np.int64)
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    joined = np.concatenate(codes)
    width = min(size, total)
    count = total - width + 1
    with np.errstate(over="ignore"):
        rolling = np.zeros(count, dtype=np.uint64)
        for offset in range(width):
            rolling = rolling * _PRIME + joined[offset : offset + count]
    owner = np.repeat(np.arange(len(sentences), dtype=np.int64), lengths)[:count]
    return _mix64(rolling), owner


def minhash_signature(hashes: np.ndarray, bins: int = SIGNATURE_BINS) -> np.ndarray:
    """One-permutation MinHash signature with densification.

    Args:
        hashes: uint64 shingle hashes, shape ``(s,)``.
        bins: signature length ``k`` (a power of two).

    Returns:
        uint64 array of shape ``(k,)``; all bins ``2**64 - 1`` when ``hashes`` is empty.
    """
    signature = np.full(bins, _EMPTY, dtype=np.uint64)
    if hashes.size == 0:
        return signature
    shift = np.uint64(64 - int(math.log2(bins)))
    values = _mix64(hashes ^ np.uint64(0x9E3779B97F4A7C15))
    np.minimum.at(
        signature, (values >> shift).astype(np.intp), values & (_MASK64 >> np.uint64(int(math.log2(bins))))
    )
    empty = signature == _EMPTY
    if empty.any():
        filled = np.flatnonzero(~empty)
        # each empty bin borrows the next non-empty bin (circularly), salted by the distance
        positions = np.arange(bins)
        nxt = filled[np.searchsorted(filled, positions[empty]) % filled.size]
        distance = (nxt - positions[empty]) % bins
        signature[empty] = _mix64(signature[nxt] + distance.astype(np.uint64))
    return signature


def signature_similarity(signature: np.ndarray, signatures: np.ndarray) -> np.ndarray:
    """Estimated Jaccard similarity: the share of equal bins.

    Args:
        signature: uint64 ``(k,)``.
        signatures: uint64 ``(n, k)``.

    Returns:
        float32 ``(n,)``.
    """
    return (signatures == signature[None, :]).mean(axis=1).astype(np.float32)


def band_keys(signatures: np.ndarray, rows_per_band: int) -> np.ndarray:
    """LSH band keys: each band of ``r`` signature rows hashed to one uint64.

    Args:
        signatures: uint64 ``(n, k)`` with ``k`` divisible by ``rows_per_band``.
        rows_per_band: ``r``.

    Returns:
        uint64 ``(n, k // r)``.
    """
    n, k = signatures.shape
    grouped = signatures.reshape(n, k // rows_per_band, rows_per_band)
    keys = np.zeros((n, k // rows_per_band), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for row in range(rows_per_band):
            keys = _mix64(keys * _PRIME + grouped[:, :, row])
    return keys


def shared_count(a: np.ndarray, b: np.ndarray) -> int:
    """Number of values two sorted unique hash arrays have in common."""
    if a.size == 0 or b.size == 0:
        return 0
    small, large = (a, b) if a.size <= b.size else (b, a)
    positions = np.searchsorted(large, small)
    positions[positions == large.size] = 0
    return int(np.count_nonzero(large[positions] == small))


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Exact Jaccard similarity of two sorted unique hash arrays (0 when both are empty)."""
    union = a.size + b.size
    if union == 0:
        return 0.0
    shared = shared_count(a, b)
    return shared / (union - shared)


def containment(a: np.ndarray, b: np.ndarray) -> float:
    """Share of the shingles of ``a`` that also occur in ``b`` (0 when ``a`` is empty)."""
    if a.size == 0:
        return 0.0
    return shared_count(a, b) / a.size


def cosine_top_k(
    query: np.ndarray, matrix: np.ndarray | sp.csr_matrix, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Nearest rows by cosine (rows and query are already L2-normalised).

    Args:
        query: float32 ``(d,)``.
        matrix: ``(n, d)`` dense array or CSR matrix.
        k: how many to return.

    Returns:
        ``(indices, similarities)``, each ``(min(k, n),)``, most similar first.
    """
    if sp.issparse(matrix):
        sims = np.asarray(matrix @ query, dtype=np.float32).ravel()
    else:  # einsum streams the matrix once; BLAS gemv is slower here on this machine's OpenBLAS settings
        sims = np.einsum("ij,j->i", matrix, query.astype(matrix.dtype, copy=False))
    if sims.size == 0:
        return np.zeros(0, dtype=np.intp), sims
    k = min(k, sims.size)
    top = np.argpartition(-sims, k - 1)[:k]
    top = top[np.argsort(-sims[top], kind="stable")]
    return top, sims[top]


def cosine_top_k_many(
    queries: np.ndarray, matrix: np.ndarray | sp.csr_matrix, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Nearest rows for several queries at once (one matrix product instead of one pass per query).

    Args:
        queries: float32 ``(m, d)``, rows L2-normalised.
        matrix: ``(n, d)`` dense array or CSR matrix, rows L2-normalised.
        k: how many per query.

    Returns:
        ``(indices, similarities)``, each ``(m, min(k, n))``, most similar first in each row.
    """
    product = matrix @ queries.T.astype(np.float32, copy=False)
    sims = np.ascontiguousarray(np.asarray(product.toarray() if sp.issparse(product) else product).T)
    k = min(k, sims.shape[1])
    if k == 0:
        empty = np.zeros((queries.shape[0], 0))
        return empty.astype(np.intp), empty.astype(np.float32)
    top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
    values = np.take_along_axis(sims, top, axis=1)
    order = np.argsort(-values, axis=1, kind="stable")
    return np.take_along_axis(top, order, axis=1), np.take_along_axis(values, order, axis=1).astype(
        np.float32
    )


# --------------------------------------------------------------------------- weighted overlaps


def overlap_score(shared: float, weight_a: float, weight_b: float, smoothing: float) -> float:
    """Shared weight over the smaller side's weight, smoothed so one shared item is never proof.

    Args:
        shared: weight of the items both sides have.
        weight_a: total weight of side a.
        weight_b: total weight of side b.
        smoothing: added to the denominator (about the weight of two items).

    Returns:
        A value in ``[0, 1)``.
    """
    return shared / (min(weight_a, weight_b) + smoothing) if shared > 0 else 0.0


def directed_overlap(
    found: Sequence[str], names: Sequence[str], weight: Callable[[str], float], smoothing: float
) -> float:
    """Weighted share of ``names`` that were ``found`` in the other text: ``w(found) / (w(names) + smoothing)``."""
    total = weighted_sum(found, weight)
    return total / (weighted_sum(names, weight) + smoothing) if total else 0.0


def names_in_text(names: Sequence[str], other_text: str) -> list[str]:
    """The names that occur anywhere in the other (normalised, lower-cased) text, quoted or not."""
    return [name for name in names if name in other_text]


def weighted_sum(keys: Iterable[str], weight: Callable[[str], float]) -> float:
    """Sum of the weights of ``keys``."""
    return float(sum(weight(key) for key in keys))


# --------------------------------------------------------------------------- sentence alignment


@lru_cache(maxsize=1 << 16)
def bigram_codes(sentence: str) -> np.ndarray:
    """The distinct character bigrams of a sentence's letters and digits, each as ``a << 21 | b``, sorted
    (a one-character sentence gives its character; cached, read-only).

    Returns:
        uint64 ``(k,)``.
    """
    codes = clean_codepoints(sentence)
    grams = (codes[:-1] << _CODE_BITS) | codes[1:] if codes.size > 1 else codes
    grams = unique_sorted(grams)
    grams.flags.writeable = False
    return grams


def sentence_similarity(a: Sequence[str], b: Sequence[str]) -> np.ndarray:
    """Cosine of character-bigram sets between every sentence of ``a`` and every sentence of ``b``:
    ``shared / sqrt(|A| |B|)``, with the bigrams of each sentence computed once per process.

    Returns:
        float32 ``(len(a), len(b))``.
    """
    if not a or not b:
        return np.zeros((len(a), len(b)), dtype=np.float32)
    grams_a = [bigram_codes(s) for s in a]
    grams_b = [bigram_codes(s) for s in b]
    sizes_a = np.fromiter((g.size for g in grams_a), dtype=np.int64, count=len(a))
    sizes_b = np.fromiter((g.size for g in grams_b), dtype=np.int64, count=len(b))
    flat = np.concatenate([*grams_a, *grams_b])
    if not flat.size:
        return np.zeros((len(a), len(b)), dtype=np.float32)
    _, columns = np.unique(flat, return_inverse=True)
    width = int(columns.max()) + 1
    split = int(sizes_a.sum())
    ones = np.ones(flat.size, dtype=np.float32)
    matrix_a = sp.csr_matrix(
        (ones[:split], (np.repeat(np.arange(len(a)), sizes_a), columns[:split])), shape=(len(a), width)
    )
    matrix_b = sp.csr_matrix(
        (ones[split:], (np.repeat(np.arange(len(b)), sizes_b), columns[split:])), shape=(len(b), width)
    )
    shared = (matrix_a @ matrix_b.T).toarray()
    norms = np.sqrt(np.outer(sizes_a, sizes_b).astype(np.float64))
    return np.divide(shared, norms, out=np.zeros(shared.shape), where=norms > 0).astype(np.float32)


def bigram_cosine(a: str, b: str) -> float:
    """Cosine of the character-bigram sets of two short strings (titles)."""
    grams_a, grams_b = _bigrams(a), _bigrams(b)
    if not grams_a or not grams_b:
        return 0.0
    return len(grams_a & grams_b) / math.sqrt(len(grams_a) * len(grams_b))


def _bigrams(text: str) -> set[str]:
    clean = _NON_WORD.sub("", match_text(text))
    return {clean[i : i + 2] for i in range(len(clean) - 1)} or ({clean} if clean else set())


def best_alignment(similarity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each row, the best column and its similarity.

    Args:
        similarity: ``(m, n)``.

    Returns:
        ``(columns, values)``, each ``(m,)`` (columns -1 and values 0 when ``n == 0``).
    """
    if similarity.shape[1] == 0:
        return np.full(similarity.shape[0], -1), np.zeros(similarity.shape[0], dtype=np.float32)
    columns = similarity.argmax(axis=1)
    return columns, similarity[np.arange(similarity.shape[0]), columns]


def weighted_new_ratio(lengths: Sequence[int], best: Sequence[float], threshold: float) -> float:
    """Share of characters in sentences whose best match in the other text is below ``threshold``."""
    total = float(sum(lengths))
    if total == 0:
        return 0.0
    return (
        float(sum(length for length, value in zip(lengths, best, strict=True) if value < threshold)) / total
    )
