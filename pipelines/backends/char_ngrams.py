"""The character n-gram TF-IDF of a fitted ``TfidfVectorizer(analyzer="char")``, computed with numpy.

scikit-learn builds every n-gram as a Python string and looks it up in a dict (about 3 ms for a 1,500
character case); here each n-gram is a ``uint64`` (21 bits per code point) looked up by binary search in the
sorted vocabulary, which gives the same matrix about ten times faster. Only what the vectorizer was fitted
with is supported: lowercase, n-grams of 2 and 3 characters (or any range within 1–3), runs of white space
folded to one space, sublinear TF, IDF, L2 rows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

_WHITE_SPACES = re.compile(r"\s\s+")  # the same folding as scikit-learn's char analyzer
_SHIFT = np.uint64(21)


def _codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)


def _grams(codes: np.ndarray, low: int, high: int) -> np.ndarray:
    """Every n-gram (``low <= n <= high``) of the code points, encoded as uint64 (``a<<42 | b<<21 | c``)."""
    parts = []
    for n in range(low, high + 1):
        if codes.size < n:
            continue
        count = codes.size - n + 1
        value = np.zeros(count, dtype=np.uint64)
        for offset in range(3):
            value <<= _SHIFT
            if offset < n:
                value |= codes[offset : offset + count]
        parts.append(value)
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)


class CharNgramTable:
    """The vocabulary and IDF of a fitted character TF-IDF vectorizer, ready for numpy lookups.

    Args:
        vectorizer: fitted, ``analyzer="char"``, ``ngram_range`` within ``(1, 3)``, ``sublinear_tf=True``.
    """

    def __init__(self, vectorizer: TfidfVectorizer) -> None:
        low, high = vectorizer.ngram_range
        if vectorizer.analyzer != "char" or not (1 <= low <= high <= 3) or not vectorizer.sublinear_tf:
            raise ValueError("只支持 1–3 字符 n-gram、sublinear_tf 的字符向量器")
        self.range = (low, high)
        self.lowercase = vectorizer.lowercase
        items = sorted(
            (int(_grams(_codes(gram), len(gram), len(gram))[0]), col)
            for gram, col in vectorizer.vocabulary_.items()
        )
        self.codes = np.asarray([code for code, _ in items], dtype=np.uint64)
        self.columns = np.asarray([col for _, col in items], dtype=np.int32)
        self.idf = np.asarray(vectorizer.idf_, dtype=np.float64)

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """TF-IDF rows of ``texts`` (as the vectorizer's ``transform``), float32 CSR ``(n, V)``, rows L2.

        All n-grams of the batch are looked up at once; each (row, column) is then counted with one sort.
        """
        shape = (len(texts), self.idf.size)
        grams = [
            _grams(_codes(_WHITE_SPACES.sub(" ", t.lower() if self.lowercase else t)), *self.range)
            for t in texts
        ]
        sizes = np.asarray([g.size for g in grams], dtype=np.int64)
        if not sizes.sum() or not self.codes.size:
            return sp.csr_matrix(shape, dtype=np.float32)
        flat = np.concatenate(grams)
        rows = np.repeat(np.arange(len(texts), dtype=np.int64), sizes)
        positions = np.searchsorted(self.codes, flat)
        positions[positions == self.codes.size] = 0
        hit = self.codes[positions] == flat
        keys = rows[hit] * self.idf.size + self.columns[positions[hit]]
        keys, counts = np.unique(keys, return_counts=True)
        row_of, column_of = keys // self.idf.size, (keys % self.idf.size).astype(np.int32)
        values = (np.log(counts) + 1.0) * self.idf[column_of]
        norms = np.sqrt(np.bincount(row_of, weights=values * values, minlength=len(texts)))
        values = values / norms[row_of]
        indptr = np.concatenate([[0], np.cumsum(np.bincount(row_of, minlength=len(texts)))])
        return sp.csr_matrix((values.astype(np.float32), column_of, indptr), shape=shape)
