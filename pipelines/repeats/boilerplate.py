"""Boilerplate learned from the history itself: wording that many units' cases share.

Policy phrases (“深入贯彻习近平总书记关于…”), the call's own words and stock descriptions of media work occur in
the cases of many different units; a repeat is not told by them. A 5-character shingle is *common* when it
occurs in the cases of at least ``min_units`` distinct units (units, not cases, so the versions of one
project in the history do not make its own wording common); the call text's shingles are common too. A
sentence whose shingles are mostly common is boilerplate and is left out of the project text that the
overlap and semantic signals compare.

A large history is learned from an even sample of ``MAX_CASES`` of its cases (every k-th), so fitting stays
within memory: wording that many units share shows up in any large sample.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from pipelines.repeats.signals import shingle_hashes, unique_sorted

MAX_CASES = 3000  # cases a history is learned from (an even sample of larger histories)
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

    def fit(self, cases: Iterable[tuple[str, np.ndarray]], extra_texts: Sequence[str] = ()) -> Boilerplate:
        """Learn the common shingles.

        Args:
            cases: ``(unit key, shingle hashes)`` per case (hashes sorted, unique, uint64); see ``sample``.
            extra_texts: texts whose shingles are common whatever the history says (the call's text).

        Returns:
            self.
        """
        per_unit: dict[str, list[np.ndarray]] = {}
        for unit, hashes in cases:
            per_unit.setdefault(unit, []).append(hashes)
        units = [unique_sorted(np.concatenate(parts)) for parts in per_unit.values()]
        threshold = max(self.min_units, int(np.ceil(self.min_unit_share * len(units))))
        common = np.zeros(0, dtype=np.uint64)
        if len(units) >= threshold:
            values, counts = np.unique(np.concatenate(units), return_counts=True)
            common = values[counts >= threshold]
        extra = [shingle_hashes(text) for text in extra_texts]
        self.common_ = unique_sorted(np.concatenate([common, *extra])) if extra else common
        return self

    @staticmethod
    def sample(count: int) -> range:
        """The positions of an even sample of at most ``MAX_CASES`` of ``count`` cases."""
        return range(0, count, max(1, -(-count // MAX_CASES)))

    def sentence_shares(self, hashes: np.ndarray, owner: np.ndarray, count: int) -> np.ndarray:
        """Share of common shingles per sentence (``signals.sentence_shingles`` output), float ``(count,)``."""
        totals = np.bincount(owner, minlength=count).astype(np.float64)
        if self.common_.size == 0 or hashes.size == 0:
            return np.zeros(count)
        positions = np.searchsorted(self.common_, hashes)
        positions[positions == self.common_.size] = 0
        common = np.bincount(owner, weights=self.common_[positions] == hashes, minlength=count)
        return np.divide(common, totals, out=np.zeros(count), where=totals > 0)

    def is_boilerplate(self, sentence: str) -> bool:
        """A sentence at least ``BOILERPLATE_SHARE`` of whose shingles are common."""
        hashes = shingle_hashes(sentence)
        return bool(
            self.sentence_shares(hashes, np.zeros(hashes.size, dtype=np.int64), 1)[0] >= BOILERPLATE_SHARE
        )
