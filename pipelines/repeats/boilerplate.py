"""Boilerplate learned from the history itself: wording that many units' cases share.

Policy phrases (“深入贯彻习近平总书记关于…”), the call's own words and stock descriptions of media work occur in
the cases of many different units; a repeat is not told by them. A 5-character shingle is *common* when it
occurs in the cases of at least ``min_units`` distinct units (units, not cases, so the versions of one
project in the history do not make its own wording common); the call text's shingles are common too. A
sentence whose shingles are mostly common is boilerplate and is left out of the project text that the
overlap and semantic signals compare.

For large histories only a fixed share of shingle hashes is counted (those with ``hash % stride == 0``),
so fitting stays within memory; the share of a sentence is then measured on its sampled shingles.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from pipelines.repeats.signals import shingle_hashes, unique_sorted

MAX_COUNTED = 12_000_000  # shingle hashes counted when fitting (about 100 MB of uint64 at most)
BOILERPLATE_SHARE = 0.6  # a sentence with at least this share of common shingles is boilerplate


class Boilerplate:
    """Common shingles of a history.

    Args:
        min_units: a shingle is common when this many distinct units use it.
        min_unit_share: ... or this share of all units, whichever is larger.
    """

    def __init__(self, min_units: int = 3, min_unit_share: float = 0.01) -> None:
        self.min_units = min_units
        self.min_unit_share = min_unit_share
        self.common_ = np.zeros(0, dtype=np.uint64)
        self.stride_ = 1

    def fit(
        self, cases: Iterable[tuple[str, np.ndarray]], size_hint: int, extra_texts: Sequence[str] = ()
    ) -> Boilerplate:
        """Learn the common shingles.

        Args:
            cases: ``(unit key, shingle hashes)`` per case (hashes sorted, unique, uint64).
            size_hint: number of cases (chooses the sampling stride: about 1,500 shingles per case).
            extra_texts: texts whose shingles are common whatever the history says (the call's text).

        Returns:
            self.
        """
        self.stride_ = max(1, (size_hint * 1500) // MAX_COUNTED)
        stride = np.uint64(self.stride_)
        per_unit: dict[str, list[np.ndarray]] = {}
        for unit, hashes in cases:
            sampled = hashes[hashes % stride == 0] if self.stride_ > 1 else hashes
            per_unit.setdefault(unit, []).append(sampled)
        units = [unique_sorted(np.concatenate(parts)) for parts in per_unit.values() if parts]
        threshold = max(self.min_units, int(np.ceil(self.min_unit_share * len(units))))
        common = np.zeros(0, dtype=np.uint64)
        if units and len(units) >= threshold:
            values, counts = np.unique(np.concatenate(units), return_counts=True)
            common = values[counts >= threshold]
        extra = [shingle_hashes(text) for text in extra_texts]
        extra = [h[h % stride == 0] for h in extra] if self.stride_ > 1 else extra
        self.common_ = unique_sorted(np.concatenate([common, *extra])) if extra else common
        return self

    def share(self, hashes: np.ndarray) -> float:
        """Share of a text's (sampled) shingles that are common; 0 for a text without any."""
        if self.stride_ > 1:
            hashes = hashes[hashes % np.uint64(self.stride_) == 0]
        if hashes.size == 0 or self.common_.size == 0:
            return 0.0
        positions = np.searchsorted(self.common_, hashes)
        positions[positions == self.common_.size] = 0
        return float(np.count_nonzero(self.common_[positions] == hashes)) / hashes.size

    def sentence_shares(self, hashes: np.ndarray, owner: np.ndarray, count: int) -> np.ndarray:
        """Share of common shingles per sentence (``signals.sentence_shingles`` output), float ``(count,)``."""
        if self.stride_ > 1:
            sampled = hashes % np.uint64(self.stride_) == 0
            hashes, owner = hashes[sampled], owner[sampled]
        totals = np.bincount(owner, minlength=count).astype(np.float64)
        if self.common_.size == 0 or hashes.size == 0:
            return np.zeros(count)
        positions = np.searchsorted(self.common_, hashes)
        positions[positions == self.common_.size] = 0
        common = np.bincount(owner, weights=self.common_[positions] == hashes, minlength=count)
        return np.divide(common, totals, out=np.zeros(count), where=totals > 0)

    def is_common(self, hashes: np.ndarray) -> bool:
        """A sentence (its shingle hashes) most of whose shingles are common."""
        return self.share(hashes) >= BOILERPLATE_SHARE

    def is_boilerplate(self, sentence: str) -> bool:
        """A sentence most of whose shingles are common."""
        return self.is_common(shingle_hashes(sentence))
