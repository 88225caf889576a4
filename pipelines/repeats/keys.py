"""Fact keys over a set of cases: document frequencies, postings, rarity weights, and the facts a unit
repeats across its different projects.

A fact's weight is its IDF over the history (a product name used by one case weighs much more than
“融媒体中心”); a fact that one unit uses in several of its *different* projects (titles unlike each other) is
that unit's own furniture — its newspaper, its app, its staff count — and weighs ``UNIT_COMMON_FACTOR`` of
its IDF when the two cases of a pair are from that unit.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from pipelines.figures import Figure, figure_specificity
from pipelines.repeats.signals import bigram_cosine

UNIT_COMMON_FACTOR = 0.2
DIFFERENT_TITLES = 0.4  # title bigram cosine below this: two different projects of one unit
PLACE_FACTOR = 0.5  # places say less than names
IDF_CACHE_SIZE = 200_000


def key_hash(key: str) -> int:
    """A stable 64-bit hash of a key (the same in every process, unlike ``hash``)."""
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "little")


class KeyTable:
    """Document frequencies and postings of keys (names or figure keys) over a set of documents.

    Keys are kept as stable 64-bit hashes (``key_hash``) in one sorted array, postings as one CSR-like pair
    of arrays (``offsets_``, ``docs_``), so 100,000 documents with millions of distinct keys take tens of
    megabytes instead of a dictionary of strings.

    Args:
        keys_per_doc: for each document (in position order), its keys.
    """

    def __init__(self, keys_per_doc: Iterable[Iterable[str]]) -> None:
        hashes, doc_ids, count = _pairs(keys_per_doc, 0)
        self._fill(hashes, doc_ids, count)

    def _fill(self, key_array: np.ndarray, doc_ids: np.ndarray, count: int) -> None:
        order = np.argsort(key_array, kind="stable")
        self.keys_, df = np.unique(key_array[order], return_counts=True)
        self.n_docs_ = count
        self.df_ = df.astype(np.int32)
        self.offsets_ = np.concatenate([[0], np.cumsum(self.df_)]).astype(np.int64)
        self.docs_ = doc_ids[order]

    def extended(self, keys_per_doc: Iterable[Iterable[str]]) -> KeyTable:
        """A new table over these documents followed by more (positions ``n_docs_`` on); the same as a table
        built over all of them at once."""
        hashes, doc_ids, count = _pairs(keys_per_doc, self.n_docs_)
        table = KeyTable(())
        table._fill(
            np.concatenate([np.repeat(self.keys_, self.df_), hashes]),
            np.concatenate([self.docs_, doc_ids]),
            self.n_docs_ + count,
        )
        return table

    def _index(self, key: str) -> int | None:
        value = np.uint64(key_hash(key))
        index = int(np.searchsorted(self.keys_, value))
        return index if index < self.keys_.size and self.keys_[index] == value else None

    def df(self, key: str) -> int:
        """Number of documents holding ``key``."""
        index = self._index(key)
        return 0 if index is None else int(self.df_[index])

    def posting(self, key: str) -> np.ndarray:
        """Positions of the documents holding ``key``, int32 ``(df,)``."""
        index = self._index(key)
        if index is None:
            return np.zeros(0, dtype=np.int32)
        return self.docs_[self.offsets_[index] : self.offsets_[index + 1]]


def _pairs(keys_per_doc: Iterable[Iterable[str]], offset: int) -> tuple[np.ndarray, np.ndarray, int]:
    """(key hashes uint64, document positions int32, number of documents) of each document's unique keys."""
    hashes: list[int] = []
    doc_ids: list[int] = []
    count = 0
    for position, keys in enumerate(keys_per_doc, start=offset):
        count += 1
        unique = {key_hash(key) for key in keys}
        hashes.extend(unique)
        doc_ids.extend([position] * len(unique))
    return np.asarray(hashes, dtype=np.uint64), np.asarray(doc_ids, dtype=np.int32), count


def idf(tables: Sequence[KeyTable], key: str) -> float:
    """Smoothed IDF of a key over the documents of several tables: ``log((N + 1) / (df + 1)) + 1``."""
    total = sum(table.n_docs_ for table in tables)
    df = sum(table.df(key) for table in tables)
    return math.log((total + 1) / (df + 1)) + 1


def unit_common_keys(
    units: Sequence[str], titles: Sequence[str], keys_per_doc: Sequence[Iterable[Hashable]]
) -> dict[str, frozenset]:
    """Per unit key, the fact keys found in at least two of its cases whose titles differ.

    Args:
        units: the unit key of each case (``normalize_unit``).
        titles: the title of each case.
        keys_per_doc: the fact keys of each case (or their ``key_hash``, as the index keeps them).

    Returns:
        Unit key → keys shared by two of its different projects (units with one case are absent).
    """
    by_unit: dict[str, list[int]] = {}
    for position, unit in enumerate(units):
        if unit:
            by_unit.setdefault(unit, []).append(position)
    found: dict[str, frozenset[str]] = {}
    for unit, positions in by_unit.items():
        if len(positions) < 2:
            continue
        holders: dict[str, list[int]] = {}
        for position in positions:
            for key in set(keys_per_doc[position]):
                holders.setdefault(key, []).append(position)
        common = set()
        for key, docs in holders.items():
            if len(docs) >= 2 and any(
                bigram_cosine(titles[i], titles[j]) < DIFFERENT_TITLES
                for n, i in enumerate(docs)
                for j in docs[n + 1 :]
            ):
                common.add(key)
        if common:
            found[unit] = frozenset(common)
    return found


@dataclass(frozen=True)
class Weights:
    """Rarity weights of fact keys over one or more key tables (history, batch)."""

    names: tuple[KeyTable, ...]
    figures: tuple[KeyTable, ...]
    # unit key -> the facts it repeats across its different projects (keys or their ``key_hash``)
    unit_common: dict[str, frozenset[str | int]] = field(default_factory=dict, compare=False, repr=False)
    _cache: dict[tuple[str, str], float] = field(default_factory=dict, compare=False, repr=False)

    def name(self, key: str, unit: str = "") -> float:
        """IDF of a name-like key (``@`` places weigh ``PLACE_FACTOR``), discounted if ``unit`` repeats it."""
        value = self._idf("n", key) * (PLACE_FACTOR if key.startswith("@") else 1.0)
        return value * self._unit_factor(unit, key)

    def figure(self, figure: Figure, unit: str = "") -> float:
        """IDF of a figure times its specificity, discounted if ``unit`` repeats it."""
        return self._idf("f", figure.key) * figure_specificity(figure) * self._unit_factor(unit, figure.key)

    def _unit_factor(self, unit: str, key: str) -> float:
        common = self.unit_common.get(unit) if unit else None
        if not common:
            return 1.0
        return UNIT_COMMON_FACTOR if key in common or key_hash(key) in common else 1.0

    def _idf(self, kind: str, key: str) -> float:
        cache = self._cache
        value = cache.get((kind, key))
        if value is None:
            value = idf(self.names if kind == "n" else self.figures, key)
            if len(cache) > IDF_CACHE_SIZE:
                cache.clear()
            cache[(kind, key)] = value
        return value

    def extended(self, other: Weights) -> Weights:
        """Weights over the tables of both (history and batch); unit-common keys of both."""
        common = dict(self.unit_common)
        for unit, keys in other.unit_common.items():
            common[unit] = common.get(unit, frozenset()) | keys
        return Weights(self.names + other.names, self.figures + other.figures, common)
