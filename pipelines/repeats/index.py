"""Candidate retrieval over a fixed list of cases, without scanning them all.

Candidates of a query come from four places, each an index lookup:

- a banded MinHash LSH on the project-text shingles (near copies and heavy overlap),
- inverted indexes on rare fact keys (names, partners, places; figures with units), weighted by IDF,
- an inverted index on the semantic vectors: only the query's ``QUERY_TERMS`` heaviest terms are looked up
  (their postings are the columns of the vectors, stored column-major), the ``SHORTLIST`` best partial scores
  are then scored exactly; for dense (neural) vectors an exact product,
- the cases of the same unit (全称/简称 through ``same_unit``), the most similar ``MAX_UNIT_FULL``.

The cases themselves are kept once, compactly (a case with sections keeps no second copy of its text);
prepared cases (``CaseDoc``) are rebuilt on demand and kept in a small LRU.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from pipelines.figures import figure_specificity
from pipelines.repeats import signals as sig
from pipelines.repeats.boilerplate import Boilerplate
from pipelines.repeats.fingerprint import BatchCase, CaseDoc, make_doc
from pipelines.repeats.keys import KeyTable, Weights, key_hash, unit_common_keys
from pipelines.repeats.sameunit import same_unit
from pipelines.repeats.semantic import SemanticModel, Vectors, stack
from pipelines.schema import PastCase
from pipelines.units import normalize_unit, unit_core

LSH_ROWS_PER_BAND = 4
CANDIDATES_PER_SOURCE = 15
MAX_POSTING_SHARE = 0.01  # keys in more than 1% of the cases do not generate candidates
MAX_UNIT_CANDIDATES = 1000
MAX_UNIT_FULL = 15
DOC_CACHE_SIZE = 4096
QUERY_TERMS = 48
BUILD_BLOCK = 1024
SHORTLIST = 200


def compact(source: BatchCase | PastCase) -> BatchCase | PastCase:
    """The case without a second copy of its text when the text is just its sections joined (a copy; the
    caller's case is not changed)."""
    if source.text and source.sections and source.text == "\n".join(str(v) for v in source.sections.values()):
        return replace(source, text="")
    return source


def specific_figure_keys(doc: CaseDoc) -> list[str]:
    """Keys of the figures specific enough to find candidates by (no bare years or small counts)."""
    return [key for key, figure in doc.figures.items() if figure_specificity(figure) >= 0.6]


@dataclass(frozen=True)
class Summary:
    """What the index keeps of a prepared case (the case itself is rebuilt on demand)."""

    unit: str  # normalize_unit
    title: str
    keys: tuple[str, ...]  # CaseDoc.keys
    figures: tuple[str, ...]  # all figure keys
    specific: tuple[str, ...]  # specific_figure_keys
    signature: np.ndarray  # MinHash of the project shingles, uint64 (k,)


def fact_hashes(summary: Summary) -> np.ndarray:
    """The ``key_hash`` of each distinct fact key (names, partners, places, specific figures), uint64."""
    return np.asarray(sorted({key_hash(key) for key in (*summary.keys, *summary.specific)}), dtype=np.uint64)


def summarize(doc: CaseDoc) -> Summary:
    """The index's summary of a prepared case."""
    return Summary(
        normalize_unit(doc.unit),
        doc.title,
        doc.keys,
        tuple(doc.figures),
        tuple(specific_figure_keys(doc)),
        sig.minhash_signature(doc.shingles),
    )


class CaseIndex:
    """Candidate generation over a fixed list of cases.

    Args:
        sources: the cases (``PastCase`` or ``BatchCase``), in position order (kept, compacted).
        summaries: ``summarize`` of each prepared case, in the same order.
        vectors: the semantic vectors of the cases' project texts (``Vectors``), or None.
        boilerplate: the common wording the prepared cases drop.
    """

    def __init__(
        self,
        sources: Sequence[BatchCase | PastCase],
        summaries: Sequence[Summary],
        vectors: Vectors | None,
        boilerplate: Boilerplate | None,
    ) -> None:
        self.sources = [compact(source) for source in sources]
        self.boilerplate = boilerplate
        self._cache: OrderedDict[int, CaseDoc] = OrderedDict()
        units = [summary.unit for summary in summaries]
        facts = [fact_hashes(summary) for summary in summaries]
        self.fact_hashes_ = np.concatenate([np.zeros(0, np.uint64), *facts])  # all cases' facts, hashed
        self.fact_offsets_ = np.concatenate([[0], np.cumsum([f.size for f in facts])]).astype(np.int64)
        self.weights = Weights(
            (KeyTable(summary.keys for summary in summaries),),
            (KeyTable(summary.figures for summary in summaries),),
            unit_common_keys(units, [x.title for x in summaries], [f.tolist() for f in facts]),
        )
        self.figure_postings = KeyTable(summary.specific for summary in summaries)
        signatures = [summary.signature for summary in summaries]
        self.bands = self._band_tables(np.stack(signatures) if signatures else None)
        self.vectors = vectors
        self.postings = vectors.postings() if vectors is not None else None
        self.units: dict[str, list[int]] = {}
        for position, unit in enumerate(units):
            self.units.setdefault(unit, []).append(position)
        self.unit_initials: dict[str, list[str]] = {}
        for name in self.units:
            self.unit_initials.setdefault(unit_core(name)[:1], []).append(name)

    def __len__(self) -> int:
        return len(self.sources)

    def sources_unit(self, position: int) -> str:
        """The unit key (``normalize_unit``) of the case at ``position``."""
        return normalize_unit(self.sources[position].unit)

    def extend(
        self,
        sources: Sequence[BatchCase | PastCase],
        summaries: Sequence[Summary],
        vectors: Vectors | None,
    ) -> None:
        """Append cases (positions ``len(self)`` on), in place: the index is then the one ``CaseIndex`` would
        build over all the cases with this index's boilerplate (the boilerplate is not learned again).

        Only the units of the new cases have their unit-common keys recomputed, from the hashed facts the
        index keeps of every case (nothing is prepared again); key tables, LSH bands and vectors are merged.
        """
        start = len(self)
        units = [summary.unit for summary in summaries]
        facts = [fact_hashes(summary) for summary in summaries]
        touched = set(units) - {""}
        old = [p for name in touched for p in self.units.get(name, [])]
        offsets = self.fact_offsets_
        common = unit_common_keys(
            [self.sources_unit(p) for p in old] + units,
            [self.sources[p].title for p in old] + [x.title for x in summaries],
            [self.fact_hashes_[offsets[p] : offsets[p + 1]].tolist() for p in old]
            + [f.tolist() for f in facts],
        )
        unit_common = {u: keys for u, keys in self.weights.unit_common.items() if u not in touched}
        unit_common.update(common)
        self.weights = Weights(
            (self.weights.names[0].extended(summary.keys for summary in summaries),),
            (self.weights.figures[0].extended(summary.figures for summary in summaries),),
            unit_common,
        )
        self.figure_postings = self.figure_postings.extended(summary.specific for summary in summaries)
        if summaries:
            signatures = np.stack([summary.signature for summary in summaries])
            keys = sig.band_keys(signatures, LSH_ROWS_PER_BAND)
            positions = np.arange(start, start + len(summaries), dtype=np.int32)
            self.bands = [
                _merge_band(old_band, keys[:, band], positions) for band, old_band in enumerate(self.bands)
            ] or self._band_tables(signatures)
        if vectors is not None and self.vectors is not None:
            self.vectors = stack([self.vectors, vectors])
            self.postings = self.vectors.postings()
        self.sources.extend(compact(source) for source in sources)
        self.fact_hashes_ = np.concatenate([self.fact_hashes_, *facts])
        sizes = np.cumsum([f.size for f in facts], dtype=np.int64)
        self.fact_offsets_ = np.concatenate([offsets, offsets[-1] + sizes])
        for position, unit in enumerate(units, start=start):
            if unit not in self.units:
                self.unit_initials.setdefault(unit_core(unit)[:1], []).append(unit)
            self.units.setdefault(unit, []).append(position)

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_cache"] = OrderedDict()
        return state

    def doc(self, position: int) -> CaseDoc:
        """The prepared case at ``position`` (kept in an LRU of ``DOC_CACHE_SIZE``)."""
        doc = self._cache.get(position)
        if doc is None:
            doc = self._cache[position] = make_doc(self.sources[position], self.boilerplate)
            if len(self._cache) > DOC_CACHE_SIZE:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(position)
        return doc

    @staticmethod
    def _band_tables(signatures: np.ndarray | None) -> list[tuple[np.ndarray, np.ndarray]]:
        if signatures is None:
            return []
        keys = sig.band_keys(signatures, LSH_ROWS_PER_BAND)
        tables = []
        for band in range(keys.shape[1]):
            order = np.argsort(keys[:, band], kind="stable")
            tables.append((keys[order, band], order.astype(np.int32)))
        return tables

    def lsh(self, doc: CaseDoc) -> set[int]:
        """Positions sharing at least one LSH band with the query's project shingles."""
        if not self.bands:
            return set()
        keys = sig.band_keys(sig.minhash_signature(doc.shingles)[None, :], LSH_ROWS_PER_BAND)[0]
        found: set[int] = set()
        for key, (sorted_keys, order) in zip(keys, self.bands, strict=True):
            left = np.searchsorted(sorted_keys, key, "left")
            right = np.searchsorted(sorted_keys, key, "right")
            found.update(order[left:right].tolist())
        return found

    def ranked(self, table: KeyTable, gains: dict[str, float]) -> tuple[set[int], set[int]]:
        """Positions sharing rare keys with the query: the ``CANDIDATES_PER_SOURCE`` sharing the most weight,
        and all of them."""
        limit = max(20, int(MAX_POSTING_SHARE * len(self)))
        postings, weights = [], []
        for key, gain in gains.items():
            posting = table.posting(key)
            if 0 < posting.size <= limit:
                postings.append(posting)
                weights.append(np.full(posting.size, gain, np.float32))
        if not postings:
            return set(), set()
        positions, inverse = np.unique(np.concatenate(postings), return_inverse=True)
        totals = np.bincount(inverse, weights=np.concatenate(weights))
        top = np.argsort(-totals, kind="stable")[:CANDIDATES_PER_SOURCE]
        return set(positions[top].tolist()), set(positions.tolist())

    def same_unit(self, unit: str) -> list[int]:
        """Positions of the cases whose unit is the same organisation (全称/简称/abbreviation)."""
        name = normalize_unit(unit)
        if not name:
            return []
        found = list(self.units.get(name, []))
        for other in self.unit_initials.get(unit_core(name)[:1], []):
            if other != name and same_unit(name, other):
                found.extend(self.units[other])
        return found[:MAX_UNIT_CANDIDATES]

    def nearest(self, query: Vectors | None, row: int) -> dict[int, float]:
        """The ``CANDIDATES_PER_SOURCE`` nearest cases of query row ``row`` with their cosines."""
        if query is None or self.vectors is None or not len(self):
            return {}
        if self.postings is not None:
            shortlist = query.shortlist(row, self.postings, QUERY_TERMS, SHORTLIST)
        else:
            shortlist = np.arange(len(self))
        if not shortlist.size:
            return {}
        sims = self.vectors.cosines(query, row, shortlist)
        top = np.argsort(-sims, kind="stable")[:CANDIDATES_PER_SOURCE]
        return dict(zip(shortlist[top].tolist(), sims[top].tolist(), strict=True))

    def candidates(self, doc: CaseDoc, query: Vectors | None, row: int) -> dict[int, float | None]:
        """Candidate positions worth judging, with their semantic cosine (None without vectors).

        A case of another unit is kept only when it shares an LSH band, or rare names *and* specific
        figures with the query: anything less can never make a repeat across units (``verdicts``), so
        semantic neighbours from other units are not judged. Cases of the same unit that no other source
        found are kept only up to ``MAX_UNIT_FULL``, the most similar first: they can only be related cases.
        """
        lsh = self.lsh(doc)
        top_names, by_names = self.ranked(self.weights.names[0], {k: self.weights.name(k) for k in doc.keys})
        figure_gains = {k: self.weights.figure(doc.figures[k]) for k in specific_figure_keys(doc)}
        top_figures, by_figures = self.ranked(self.figure_postings, figure_gains)
        own_unit = set(self.same_unit(doc.unit))
        found: dict[int, float | None] = dict.fromkeys(lsh | top_names | top_figures)
        found.update(self.nearest(query, row))
        found = {
            p: value
            for p, value in found.items()
            if p in own_unit or p in lsh or (p in by_names and p in by_figures)
        }
        unit_only = [p for p in own_unit if p not in found]
        has_vectors = query is not None and self.vectors is not None
        if has_vectors and len(unit_only) > MAX_UNIT_FULL:
            sims = self.vectors.cosines(query, row, np.asarray(unit_only))  # type: ignore[union-attr,arg-type]
            unit_only = [unit_only[i] for i in np.argsort(-sims, kind="stable")]
        found.update(dict.fromkeys(unit_only[:MAX_UNIT_FULL]))
        missing = [p for p, value in found.items() if value is None]
        if has_vectors and missing:
            sims = self.vectors.cosines(query, row, np.asarray(missing))  # type: ignore[union-attr,arg-type]
            found.update(zip(missing, sims.tolist(), strict=True))
        return found


def _merge_band(
    band: tuple[np.ndarray, np.ndarray], keys: np.ndarray, positions: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """One LSH band table with more cases: the same as sorting all the keys at once (stable)."""
    sorted_keys, order = band
    merged_keys = np.concatenate([sorted_keys, keys])
    merged_order = np.concatenate([order, positions])
    resort = np.argsort(merged_keys, kind="stable")
    return merged_keys[resort], merged_order[resort].astype(np.int32)


def prepare_block(
    sources: Sequence[BatchCase | PastCase], boilerplate: Boilerplate | None, semantic: SemanticModel | None
) -> tuple[list[Summary], list[Vectors]]:
    """Summaries (and semantic vectors, in blocks) of cases prepared ``BUILD_BLOCK`` at a time."""
    summaries: list[Summary] = []
    blocks = []
    for start in range(0, len(sources), BUILD_BLOCK):
        docs = [make_doc(source, boilerplate) for source in sources[start : start + BUILD_BLOCK]]
        summaries.extend(summarize(doc) for doc in docs)
        if semantic is not None:
            blocks.append(semantic.vectors([doc.project for doc in docs]))
    return summaries, blocks


def build_index(
    sources: Sequence[BatchCase | PastCase],
    boilerplate: Boilerplate | None,
    semantic: SemanticModel | None = None,
) -> CaseIndex:
    """Prepare the cases in blocks of ``BUILD_BLOCK`` and index them (prepared cases are not all held at once).

    Args:
        sources: the cases.
        boilerplate: the common wording (None: only the unit's self-description is dropped).
        semantic: turns project texts into ``Vectors`` (None: no semantic signal).

    Returns:
        The index.
    """
    summaries, blocks = prepare_block(sources, boilerplate, semantic)
    vectors = stack(blocks) if semantic is not None else None
    return CaseIndex(sources, summaries, vectors, boilerplate)


def extend_index(
    index: CaseIndex, sources: Sequence[BatchCase | PastCase], semantic: SemanticModel | None = None
) -> CaseIndex:
    """``index`` with ``sources`` appended (``CaseIndex.extend``), prepared with its boilerplate; returns it."""
    summaries, blocks = prepare_block(sources, index.boilerplate, semantic)
    vectors = stack(blocks) if semantic is not None and blocks else None
    index.extend(sources, summaries, vectors)
    return index
