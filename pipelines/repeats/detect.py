"""Repeat and duplicate detection: past awardees (rule 五), re-submissions that need iteration (rule 四),
the same case twice in this year's batch, and related cases of the same unit.

A rewrite rarely keeps the title or the sentences, so no single overlap decides. Each pair of cases gets
signals (``pipelines.repeats.signals``): title similarity, 5-character shingle Jaccard and containment both
ways, embedding cosine (``semantic``), IDF-weighted overlap of product/brand names (``name_overlap``) and of
normalised figures (``figure_overlap``), whether the title names cross over (``title_names``), and whether
the units are the same organisation (``unit_same``, 全称/简称 via ``pipelines.units``). They combine into
``evidence`` = weighted sum (``EVIDENCE_WEIGHTS``); a pair is the *same project* when

- ``evidence >= Thresholds.same_project`` (0.25) and the names or the figures carry it
  (``max(name_overlap, figure_overlap) >= Thresholds.min_name_or_figure``, 0.20), or
- the same unit and the names in both titles cross over (``title_names == 1``) with
  ``evidence >= Thresholds.same_title_name`` (0.20), or
- the text is near-copied (``shingle_jaccard >= copy_jaccard`` or containment of the shorter side
  ``>= copy_containment``).

Verdicts: same project + same unit → ``past_awardee_repeat`` (awarded in the last two calls, blocker) or
``resubmission_needs_iteration`` (not selected); same project from a *different* unit is called only under
the stricter ``Thresholds.other_unit`` (0.45) with names and figures both ≥ 0.35 (parent group and
subsidiary);
same unit but not the same project → ``related_case`` (information). Within the batch, the same project
twice → ``same_batch_duplicate`` (both sides).

For a re-submission the iteration report aligns the sections, measures the share of new text per section,
and lists new figures (later years, bigger numbers), new names (features/products) and new partners;
``obvious_iteration`` needs substantive new content, not rewording: at least 2 new figures with units, 2 new
names or partners, and 15 % new text or figures dated after the past call (``Thresholds.iteration_*``).

Thresholds were chosen on ``data/eval/dedupe_pairs.jsonl`` (77 pairs) with ``tools/eval/tune_dedupe.py``:
chosen on one fold and measured on the other, precision 1.000 / recall 0.933 one way, precision 0.913 with
two false awardee alarms the other way; the defaults sit at the conservative end where neither fold has a
false alarm (all pairs: precision 1.000, recall 0.972, iteration 0.941). ``data/eval/README.md`` has the
table and what it does and does not show. Stock phrases weigh little because names and figures are
weighted by IDF over the history and slogans/policy words (``dup_signals.STOCK_NAMES``) are not names.

Candidates come from a banded MinHash LSH on shingles, an embedding nearest-neighbour search, inverted
indexes on names and figures (rare keys only) and the unit; full signals are computed only on them.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp

from pipelines.figures import Figure, extract_figures, figure_specificity
from pipelines.jsonl import JsonlError, read_jsonl
from pipelines.repeats import signals as sig
from pipelines.schema import AlignedPair, DuplicateMatch, PastCase
from pipelines.text import match_text, split_sentences
from pipelines.units import match_units, normalize_unit, unit_core
from pipelines.vocabulary import REPEAT_VERDICTS, VERDICTS

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from pipelines.backends.embed import Embedder


EVIDENCE_WEIGHTS = {
    "name_overlap": 0.25,
    "figure_overlap": 0.25,
    "semantic": 0.20,
    "title_names": 0.15,
    "containment": 0.10,
    "title_sim": 0.05,
}
NAME_SMOOTHING = 3.0  # about one rare name's IDF weight
FIGURE_SMOOTHING = 3.0
AWARDEE_YEARS = 2  # rule 五: awardees of the previous two calls
MAX_RELATED = 8

NEW_SENTENCE_SIMILARITY = 0.45  # a sentence below this against every past sentence counts as new text
ALIGN_MIN_SIMILARITY = 0.35
MAX_ALIGNED = 12

LSH_ROWS_PER_BAND = 4
CANDIDATES_PER_SOURCE = 15
MAX_POSTING_SHARE = 0.01  # names/figures in more than 1% of the history do not generate candidates
MAX_UNIT_CANDIDATES = 1000
MAX_UNIT_FULL = 15
DENSE_LIMIT = 2048  # wider embeddings (sparse TF-IDF) are kept as a CSR matrix
DOC_CACHE_SIZE = 4096
QUERY_BLOCK = 64
IDF_CACHE_SIZE = 200_000


@dataclass(frozen=True)
class Thresholds:
    """Decision thresholds (chosen on ``data/eval/dedupe_pairs.jsonl``; see ``data/eval/README.md``)."""

    same_project: float = 0.25  # evidence for the same unit
    same_title_name: float = 0.20  # evidence for the same unit when both titles' names cross over
    min_name_or_figure: float = 0.20  # names or figures must carry a same-unit match
    other_unit: float = 0.45  # evidence when the units differ (parent group / subsidiary)
    other_unit_min_each: float = 0.35  # ... with both names and figures shared
    copy_jaccard: float = 0.5
    copy_containment: float = 0.6
    iteration_new_figures: int = 2  # new figures with units (not years)
    iteration_new_items: int = 2  # new names/features + new partners
    iteration_new_text: float = 0.15  # share of new text, unless later-dated figures appear


DEFAULT_THRESHOLDS = Thresholds()


@dataclass
class BatchCase:
    """A case of this year's batch as the detector sees it."""

    id: str
    title: str
    unit: str
    text: str
    category: int | None = None
    sections: dict[str, str] = field(default_factory=dict)


_units = lru_cache(maxsize=100_000)(match_units)


@lru_cache(maxsize=200_000)
def _unit_profile(unit: str) -> tuple[str, frozenset[str], frozenset[str]]:
    name = normalize_unit(unit)
    return name, frozenset(name), frozenset(unit_core(unit))


def same_unit(a: str, b: str) -> bool:
    """``match_units(a, b).same``, with a cheap rejection first.

    Every way ``match_units`` can say "same" (identical, same core, core contained, abbreviation) needs the
    characters of one name's core to occur in the other name, so most pairs are rejected on character sets.
    """
    name_a, chars_a, core_a = _unit_profile(a)
    name_b, chars_b, core_b = _unit_profile(b)
    if not name_a or not name_b or not (core_a <= chars_b or core_b <= chars_a):
        return False
    return _units(a, b).same


@dataclass
class _Doc:
    """One case prepared for matching (batch or history)."""

    id: str
    title: str
    unit: str
    text: str
    sections: dict[str, str]
    year: int | None
    outcome: str | None
    names: tuple[str, ...]
    title_names: tuple[str, ...]
    figures: dict[str, Figure]
    full: str  # normalised, lower-cased title + text

    @cached_property
    def shingles(self) -> np.ndarray:
        return sig.shingle_hashes(self.text)

    @cached_property
    def section_sentences(self) -> list[tuple[str, list[str]]]:
        return [(name, split_sentences(body)) for name, body in self.sections.items()]


def _make_doc(source: BatchCase | PastCase) -> _Doc:
    sections = {str(k): str(v) for k, v in (source.sections or {}).items() if str(v).strip()}
    text = source.text if source.text and source.text.strip() else "\n".join(sections.values())
    own_unit = match_text(normalize_unit(source.unit))
    title_names = tuple(n for n in sig.extract_names(source.title) if n not in own_unit)
    names = tuple(n for n in dict.fromkeys([*title_names, *sig.extract_names(text)]) if n not in own_unit)
    figures = {figure.key: figure for figure in extract_figures(f"{source.title}\n{text}")}
    return _Doc(
        id=source.id,
        title=source.title,
        unit=source.unit,
        text=text,
        sections=sections or {"全文": text},
        year=getattr(source, "year", None),
        outcome=getattr(source, "outcome", None),
        names=names,
        title_names=title_names,
        figures=figures,
        full=match_text(f"{source.title}\n{text}"),
    )


# --------------------------------------------------------------------------- pair signals


@dataclass(frozen=True)
class _Weights:
    """IDF of names and figure keys over one or more key tables (history, batch)."""

    names: tuple[sig.KeyTable, ...]
    figures: tuple[sig.KeyTable, ...]
    _cache: dict[tuple[str, str], float] = field(default_factory=dict, compare=False, repr=False)

    def name(self, key: str) -> float:
        return self._idf("n", key)

    def figure(self, figure: Figure) -> float:
        return self._idf("f", figure.key) * figure_specificity(figure)

    def _idf(self, kind: str, key: str) -> float:
        cache = self._cache
        value = cache.get((kind, key))
        if value is None:
            value = sig.idf(self.names if kind == "n" else self.figures, key)
            if len(cache) > IDF_CACHE_SIZE:
                cache.clear()
            cache[(kind, key)] = value
        return value

    def extended(self, other: _Weights) -> _Weights:
        return _Weights(self.names + other.names, self.figures + other.figures)


def pair_signals(a: _Doc, b: _Doc, weights: _Weights, semantic: float | None) -> dict[str, float]:
    """All signals of one pair of prepared cases (``a`` this case, ``b`` the other).

    Returns:
        Signal name → value in ``[0, 1]`` (``unit_same`` 0/1; ``semantic`` 0 when no embedder).
    """
    name_ab = sig.directed_overlap(a.names, b.full, weights.name, NAME_SMOOTHING)
    name_ba = sig.directed_overlap(b.names, a.full, weights.name, NAME_SMOOTHING)
    shared_figures = [a.figures[key] for key in a.figures.keys() & b.figures.keys()]
    figure_shared = sum(weights.figure(f) for f in shared_figures)
    figure_a = sum(weights.figure(f) for f in a.figures.values())
    figure_b = sum(weights.figure(f) for f in b.figures.values())
    shared = sig.shared_count(a.shingles, b.shingles)
    union = a.shingles.size + b.shingles.size - shared
    overlaps = {
        "shingle_jaccard": round(shared / union if union else 0.0, 4),
        "containment_ab": round(shared / a.shingles.size if a.shingles.size else 0.0, 4),
        "containment_ba": round(shared / b.shingles.size if b.shingles.size else 0.0, 4),
    }
    title_hits = (
        bool(a.title_names) and bool(sig.names_in_text(a.title_names, b.full)),
        bool(b.title_names) and bool(sig.names_in_text(b.title_names, a.full)),
    )
    return {
        "title_sim": round(sig.bigram_cosine(a.title, b.title), 4),
        **overlaps,
        "semantic": round(max(0.0, semantic or 0.0), 4),
        "name_overlap": round((name_ab + name_ba) / 2, 4),
        "figure_overlap": round(sig.overlap_score(figure_shared, figure_a, figure_b, FIGURE_SMOOTHING), 4),
        "title_names": (float(title_hits[0]) + float(title_hits[1])) / 2,
        "unit_same": float(same_unit(a.unit, b.unit)),
    }


def evidence_score(signals: dict[str, float]) -> float:
    """The weighted evidence that two cases are the same project (``EVIDENCE_WEIGHTS``), in ``[0, 1]``."""
    containment = _max_containment(signals)
    values = {**signals, "containment": containment}
    return float(sum(weight * values[name] for name, weight in EVIDENCE_WEIGHTS.items()))


def _max_containment(signals: dict[str, float]) -> float:
    return max(signals["containment_ab"], signals["containment_ba"])


def is_near_copy(signals: dict[str, float], thresholds: Thresholds = DEFAULT_THRESHOLDS) -> bool:
    """Near-copied text: high shingle Jaccard, or most of the shorter text found in the other."""
    return (
        signals["shingle_jaccard"] >= thresholds.copy_jaccard
        or _max_containment(signals) >= thresholds.copy_containment
    )


def same_project(
    signals: dict[str, float], same_unit: bool, thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> bool:
    """Decide from the signals whether two cases are one project (see the module docstring)."""
    if is_near_copy(signals, thresholds):
        return True
    evidence = evidence_score(signals)
    names, figures = signals["name_overlap"], signals["figure_overlap"]
    if same_unit:
        if signals["title_names"] == 1.0 and evidence >= thresholds.same_title_name:
            return True
        return evidence >= thresholds.same_project and max(names, figures) >= thresholds.min_name_or_figure
    return evidence >= thresholds.other_unit and min(names, figures) >= thresholds.other_unit_min_each


# --------------------------------------------------------------------------- iteration report and alignment


def _section_pairs(a: _Doc, b: _Doc) -> list[tuple[str, str, list[str], np.ndarray]]:
    """Each section of ``a``: the section of ``b`` it corresponds to (same name, else the most similar one),
    its sentences, and their similarity ``(m, n)`` to all ``n`` sentences of ``b`` (text moves between sections).
    """
    b_names = {name for name, _ in b.section_sentences}
    b_all = [s for _, sentences in b.section_sentences for s in sentences]
    pairs = []
    for name, sentences in a.section_sentences:
        other_name = name if name in b_names else _closest_section(sentences, b.section_sentences)
        pairs.append((name, other_name, sentences, sig.sentence_similarity(sentences, b_all)))
    return pairs


def _closest_section(sentences: list[str], sections: list[tuple[str, list[str]]]) -> str:
    joined = "".join(sentences)
    scored = [(sig.sentence_similarity([joined], ["".join(s)])[0, 0], name) for name, s in sections]
    return max(scored)[1] if scored else ""


def aligned_passages(a: _Doc, b: _Doc) -> list[AlignedPair]:
    """The passages of ``a`` most similar to a passage of ``b`` (for the side-by-side view).

    Returns:
        Up to ``MAX_ALIGNED`` pairs with similarity ``>= ALIGN_MIN_SIMILARITY``, in the order of ``a``.
    """
    b_flat = [(name, s) for name, sentences in b.section_sentences for s in sentences]
    a_flat = [(name, s) for name, sentences in a.section_sentences for s in sentences]
    similarity = sig.sentence_similarity([s for _, s in a_flat], [s for _, s in b_flat])
    columns, values = sig.best_alignment(similarity)
    keep = [i for i in np.argsort(-values, kind="stable")[:MAX_ALIGNED] if values[i] >= ALIGN_MIN_SIMILARITY]
    return [
        AlignedPair(
            this_text=a_flat[i][1],
            other_text=b_flat[columns[i]][1],
            similarity=round(float(values[i]), 4),
            this_section=a_flat[i][0],
            other_section=b_flat[columns[i]][0],
        )
        for i in sorted(keep)
    ]


def iteration_report(
    a: _Doc, b: _Doc, thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> tuple[float, bool, dict[str, Any]]:
    """What is new in the re-submission ``a`` of the not-selected past case ``b``.

    Returns:
        ``(new_text_ratio, obvious_iteration, report)``; the report holds ``sections`` (each with
        ``section``, ``past_section``, ``new_ratio``), ``new_figures``, ``later_figures``, ``grown_figures``,
        ``new_features``, ``new_partners``, ``counts`` (``new_figures``, ``new_items``) and ``reasons`` (Chinese).
    """
    sections, lengths, best = [], [], []
    for name, other_name, sentences, similarity in _section_pairs(a, b):
        _, values = sig.best_alignment(similarity)
        sizes = [len(s) for s in sentences]
        sections.append(
            {
                "section": name,
                "past_section": other_name,
                "new_ratio": round(sig.weighted_new_ratio(sizes, values, NEW_SENTENCE_SIMILARITY), 4),
            }
        )
        lengths.extend(sizes)
        best.extend(values.tolist())
    new_text = round(sig.weighted_new_ratio(lengths, best, NEW_SENTENCE_SIMILARITY), 4)
    new_figures = [f for key, f in a.figures.items() if key not in b.figures and figure_specificity(f) >= 0.6]
    past_year = b.year or 0
    later = [f.text for f in new_figures if f.unit == "date" and f.value > past_year]
    later += [f.text for f in a.figures.values() if f.unit == "year" and f.value > past_year]
    grown = _grown_figures(a, b)
    new_features = [name for name in a.names if name not in b.full and name not in b.names]
    new_partners = [p for p in sig.extract_partners(a.text) if p not in b.full]
    substantive_figures = len([f for f in new_figures if f.unit not in ("date", "year")])
    new_items = len(new_features) + len(new_partners)
    obvious = is_obvious_iteration(substantive_figures, new_items, new_text, bool(later), thresholds)
    reasons = _iteration_reasons(obvious, substantive_figures, new_items, new_text, later, grown)
    report = {
        "counts": {"new_figures": substantive_figures, "new_items": new_items},
        "sections": sections,
        "new_figures": [f.text for f in new_figures],
        "later_figures": sorted(set(later)),
        "grown_figures": grown,
        "new_features": new_features,
        "new_partners": new_partners,
        "reasons": reasons,
    }
    return new_text, obvious, report


def is_obvious_iteration(
    new_figures: int,
    new_items: int,
    new_text: float,
    later: bool,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> bool:
    """Substantive new content: new figures, new features/partners, and new text or later-dated figures."""
    return (
        new_figures >= thresholds.iteration_new_figures
        and new_items >= thresholds.iteration_new_items
        and (new_text >= thresholds.iteration_new_text or later)
    )


def _grown_figures(a: _Doc, b: _Doc) -> list[str]:
    """Figures of ``a`` bigger than a figure of ``b`` with the same measure word (860万 → 1200万 用户)."""
    grown = []
    past_by_unit: dict[str, list[Figure]] = {}
    for figure in b.figures.values():
        past_by_unit.setdefault(figure.unit, []).append(figure)
    for key, figure in a.figures.items():
        if key in b.figures or figure.unit in ("date", "year", "%") or figure_specificity(figure) < 0.6:
            continue
        smaller = [f for f in past_by_unit.get(figure.unit, []) if f.value < figure.value <= f.value * 10]
        if smaller:
            closest = max(smaller, key=lambda f: f.value)
            grown.append(f"{closest.text} → {figure.text}")
    return grown


def _iteration_reasons(
    obvious: bool, figures: int, items: int, new_text: float, later: list[str], grown: list[str]
) -> list[str]:
    facts = [
        f"新增数据 {figures} 项",
        f"新增功能、产品或合作方 {items} 项",
        f"新写内容约占 {new_text:.0%}",
    ]
    if later:
        facts.append(f"出现晚于上次申报的时间：{'、'.join(sorted(set(later))[:4])}")
    if grown:
        facts.append(f"数据增长：{'；'.join(grown[:3])}")
    if obvious:
        return ["有明显迭代更新：" + "，".join(facts) + "。请评审人核实新增内容是否属实。"]
    return [
        "未见明显迭代更新："
        + "，".join(facts)
        + "。多为改写表述，请要求申报单位说明相比上次申报的实质性变化。"
    ]


# --------------------------------------------------------------------------- index and candidates


def _embed_texts(embedder: Embedder | None, texts: Sequence[str]) -> np.ndarray | sp.csr_matrix | None:
    """Embeddings ``(n, d)``: dense float32, or CSR when ``d > DENSE_LIMIT`` (sparse TF-IDF vectors)."""
    if embedder is None or not texts:
        return None
    blocks = []
    for start in range(0, len(texts), 256):
        batch = np.asarray(embedder.embed(list(texts[start : start + 256])), dtype=np.float32)
        blocks.append(sp.csr_matrix(batch) if batch.shape[1] > DENSE_LIMIT else batch)
    return sp.vstack(blocks, format="csr") if sp.issparse(blocks[0]) else np.vstack(blocks)


def _row(vectors: np.ndarray | sp.csr_matrix, index: int) -> np.ndarray:
    row = vectors[index]
    return np.asarray(row.toarray() if sp.issparse(row) else row, dtype=np.float32).ravel()


def _specific_keys(doc: _Doc) -> list[str]:
    return [key for key, figure in doc.figures.items() if figure_specificity(figure) >= 0.6]


class _Index:
    """Candidate generation over a fixed list of cases; prepared cases are rebuilt on demand (LRU).

    Args:
        sources: the cases (``PastCase`` or ``BatchCase``), in position order.
        embedder: optional; vectors of ``title + text``.
        vectors: precomputed vectors for ``sources`` (then ``embedder`` is not called for them).
    """

    def __init__(
        self,
        sources: Sequence[BatchCase | PastCase],
        embedder: Embedder | None = None,
        vectors: np.ndarray | sp.csr_matrix | None = None,
    ) -> None:
        self.sources = list(sources)
        self._cache: OrderedDict[int, _Doc] = OrderedDict()
        signatures, names, figures, texts = [], [], [], []
        for source in self.sources:
            doc = _make_doc(source)
            signatures.append(sig.minhash_signature(doc.shingles))
            names.append(doc.names)
            figures.append(doc.figures.keys())
            texts.append(f"{doc.title}\n{doc.text}")
        self.weights = _Weights((sig.KeyTable(names),), (sig.KeyTable(figures),))
        self.bands = self._band_tables(np.stack(signatures) if signatures else None)
        self.vectors = vectors if vectors is not None else _embed_texts(embedder, texts)
        self.units: dict[str, list[int]] = {}
        for position, source in enumerate(self.sources):
            self.units.setdefault(normalize_unit(source.unit), []).append(position)
        self.unit_initials: dict[str, list[str]] = {}
        for name in self.units:
            self.unit_initials.setdefault(unit_core(name)[:1], []).append(name)

    def __len__(self) -> int:
        return len(self.sources)

    def doc(self, position: int) -> _Doc:
        """The prepared case at ``position`` (kept in an LRU of ``DOC_CACHE_SIZE``)."""
        doc = self._cache.get(position)
        if doc is None:
            doc = self._cache[position] = _make_doc(self.sources[position])
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

    def _lsh(self, doc: _Doc) -> set[int]:
        if not self.bands:
            return set()
        keys = sig.band_keys(sig.minhash_signature(doc.shingles)[None, :], LSH_ROWS_PER_BAND)[0]
        found: set[int] = set()
        for key, (sorted_keys, order) in zip(keys, self.bands, strict=True):
            left, right = (
                np.searchsorted(sorted_keys, key, "left"),
                np.searchsorted(sorted_keys, key, "right"),
            )
            found.update(order[left:right].tolist())
        return found

    def _ranked(self, table: sig.KeyTable, gains: dict[str, float]) -> set[int]:
        """The positions sharing the most weight of rare keys with the query."""
        limit = max(20, int(MAX_POSTING_SHARE * len(self)))
        postings, weights = [], []
        for key, gain in gains.items():
            posting = table.posting(key)
            if 0 < posting.size <= limit:
                postings.append(posting)
                weights.append(np.full(posting.size, gain, np.float32))
        if not postings:
            return set()
        positions, inverse = np.unique(np.concatenate(postings), return_inverse=True, sorted=True)
        totals = np.bincount(inverse, weights=np.concatenate(weights))
        top = np.argsort(-totals, kind="stable")[:CANDIDATES_PER_SOURCE]
        return set(positions[top].tolist())

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

    def nearest(
        self, vectors: np.ndarray | sp.csr_matrix | None, count: int
    ) -> list[tuple[np.ndarray, np.ndarray] | None]:
        """Embedding nearest neighbours of ``count`` query vectors ``(count, d)``, in blocks of ``QUERY_BLOCK``.

        Returns:
            Per query ``(indices, similarities)``, or None for every query when there are no vectors.
        """
        if vectors is None or self.vectors is None or not self.vectors.shape[0]:
            return [None] * count
        found: list[tuple[np.ndarray, np.ndarray] | None] = []
        for start in range(0, vectors.shape[0], QUERY_BLOCK):
            block = vectors[start : start + QUERY_BLOCK]
            block = np.asarray(block.toarray() if sp.issparse(block) else block, dtype=np.float32)
            top, sims = sig.cosine_top_k_many(block, self.vectors, CANDIDATES_PER_SOURCE)
            found.extend(zip(top, sims, strict=True))
        return found

    def candidates(
        self,
        doc: _Doc,
        vector: np.ndarray | None,
        nearest: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> dict[int, float | None]:
        """Candidate positions with their embedding cosine (None without an embedder).

        ``nearest`` is this case's row of ``nearest()`` when the search was done for a whole batch.

        Candidates of the same unit that no other source found are kept only up to ``MAX_UNIT_FULL``,
        the most similar first: they can only be related cases, and few of those are shown.
        """
        found = self._lsh(doc)
        found |= self._ranked(self.weights.names[0], {n: self.weights.name(n) for n in doc.names})
        figure_gains = {k: self.weights.figure(doc.figures[k]) for k in _specific_keys(doc)}
        found |= self._ranked(self.weights.figures[0], figure_gains)
        semantic: dict[int, float | None] = dict.fromkeys(found)
        has_vectors = vector is not None and self.vectors is not None and self.vectors.shape[0] > 0
        if has_vectors:
            top, sims = nearest or sig.cosine_top_k(vector, self.vectors, CANDIDATES_PER_SOURCE)
            semantic.update(zip(top.tolist(), sims.tolist(), strict=True))
        unit_only = [p for p in self.same_unit(doc.unit) if p not in semantic]
        if has_vectors and len(unit_only) > MAX_UNIT_FULL:
            values = np.asarray(self.vectors[unit_only] @ vector, dtype=np.float32).ravel()
            unit_only = [unit_only[i] for i in np.argsort(-values, kind="stable")]
        semantic.update(dict.fromkeys(unit_only[:MAX_UNIT_FULL]))
        missing = [p for p, value in semantic.items() if value is None]
        if has_vectors and missing:
            values = np.asarray(self.vectors[missing] @ vector, dtype=np.float32).ravel()
            semantic.update(zip(missing, values.tolist(), strict=True))
        return semantic


# --------------------------------------------------------------------------- verdicts


def _unit_reason(a: _Doc, b: _Doc) -> str:
    return _units(a.unit, b.unit).reason


def _evidence_reasons(a: _Doc, b: _Doc, signals: dict[str, float]) -> list[str]:
    reasons = []
    shared_names = [n for n in b.names if n in a.full][:5]
    if shared_names:
        reasons.append(f"共同的产品/品牌名称：{'、'.join(f'“{n}”' for n in shared_names)}")
    shared_figures = [a.figures[k].text for k in a.figures.keys() & b.figures.keys()]
    if shared_figures:
        reasons.append(f"相同的数据：{'、'.join(sorted(shared_figures)[:6])}")
    if signals["semantic"] >= 0.5:
        reasons.append(f"内容语义相近（{signals['semantic']:.2f}）")
    if max(signals["containment_ab"], signals["containment_ba"]) >= 0.3:
        reasons.append(
            f"文字重合：本案 {signals['containment_ab']:.0%} 的片段见于对方，对方 {signals['containment_ba']:.0%} 见于本案"
        )
    return reasons


def decide_verdict(
    signals: dict[str, float],
    batch: bool,
    outcome: str | None,
    recent_award: bool,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> str | None:
    """The verdict from the signals and the other case's standing (None = not meaningful).

    Args:
        signals: ``pair_signals`` of the pair.
        batch: the other case is in this year's batch.
        outcome: the other (past) case's outcome.
        recent_award: the other case was awarded in the last ``AWARDEE_YEARS`` calls.
        thresholds: decision thresholds.
    """
    same_unit = bool(signals["unit_same"])
    if not same_project(signals, same_unit, thresholds):
        return None if batch or not same_unit else "related_case"
    if batch:
        return "same_batch_duplicate"
    if outcome == "awarded":
        return "past_awardee_repeat" if recent_award else "related_case"
    return "resubmission_needs_iteration"


def _judge(
    a: _Doc,
    b: _Doc,
    weights: _Weights,
    semantic: float | None,
    batch: bool,
    call_year: int,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> DuplicateMatch | None:
    """The verdict for one pair with its evidence, or None when the pair is not meaningful."""
    signals = pair_signals(a, b, weights, semantic)
    recent = b.year is None or b.year >= call_year - AWARDEE_YEARS
    verdict = decide_verdict(signals, batch, b.outcome, recent, thresholds)
    if verdict is None:
        return None
    score = round(max(evidence_score(signals), 0.9 if is_near_copy(signals, thresholds) else 0.0), 4)
    kind = "same_batch" if batch else _kind(b)
    if not same_project(signals, bool(signals["unit_same"]), thresholds):
        reasons = [f"同一申报单位（{_unit_reason(a, b)}）的不同项目，仅供参考：{b.year}年《{b.title}》"]
        return DuplicateMatch(b.id, kind, verdict, score, signals, reasons)  # type: ignore[arg-type]
    reasons = _evidence_reasons(a, b, signals)
    if signals["unit_same"]:
        reasons.insert(0, f"同一申报单位：{_unit_reason(a, b)}")
    else:
        reasons.insert(0, f"申报单位不同（{_unit_reason(a, b)}），可能为上下级单位或更名，请核实是否同一项目")
    if verdict == "related_case":
        reasons.insert(
            0, f"与{b.year}年入选案例《{b.title}》相同，但早于前两届，不受条件（五）限制，请人工判断"
        )
        return DuplicateMatch(b.id, kind, verdict, score, signals, reasons)  # type: ignore[arg-type]
    match = DuplicateMatch(b.id, kind, verdict, score, signals, reasons, aligned=aligned_passages(a, b))  # type: ignore[arg-type]
    if verdict == "past_awardee_repeat":
        reasons.insert(0, f"与{b.year}年已入选案例《{b.title}》为同一项目")
    elif verdict == "resubmission_needs_iteration":
        new_text, obvious, report = iteration_report(a, b, thresholds)
        reasons.insert(0, f"与{b.year}年未入选案例《{b.title}》为同一项目")
        reasons.extend(report["reasons"])
        match.new_text_ratio, match.obvious_iteration, match.iteration_report = new_text, obvious, report
    else:
        reasons.insert(0, "本批次中另一份申报为同一项目（不同类别或不同单位重复申报）")
    return match


def _kind(b: _Doc) -> str:
    return "past_awardee" if b.outcome == "awarded" else "past_not_selected"


def _finish(matches: list[DuplicateMatch], top_k: int) -> list[DuplicateMatch]:
    repeats = [m for m in matches if m.verdict != "related_case"]
    related = [m for m in matches if m.verdict == "related_case"]
    related = sorted(related, key=lambda m: -m.score)[:MAX_RELATED]
    return sorted(repeats + related, key=lambda m: -m.score)[:top_k]


def _call_year() -> int:
    from pipelines.config import get_settings

    return get_settings().call_year


# --------------------------------------------------------------------------- public API


class HistoryIndex:
    """Past cases indexed for fast matching (MinHash LSH, embeddings, names, figures, units).

    Build with ``HistoryIndex.build(history, embedder)``; ``query(case)`` returns the meaningful matches.
    """

    def __init__(self, index: _Index, embedder: Embedder | None, call_year: int) -> None:
        self.index_ = index
        self.embedder = embedder
        self.call_year = call_year

    @classmethod
    def build(
        cls, history: Sequence[PastCase], embedder: Embedder | None = None, call_year: int | None = None
    ) -> HistoryIndex:
        """Prepare and index the past cases.

        Args:
            history: the past cases (text or sections, year, outcome).
            embedder: gives the ``semantic`` signal and a nearest-neighbour search; None leaves both out.
            call_year: this year's call (defaults to the settings' ``call_year``), for rule 五's two years.

        Returns:
            The index.
        """
        return cls(_Index(history, embedder), embedder, call_year or _call_year())

    def _vector(self, doc: _Doc) -> np.ndarray | None:
        if self.embedder is None:
            return None
        return np.asarray(self.embedder.embed([f"{doc.title}\n{doc.text}"]), np.float32)[0]

    def query(self, case: BatchCase, top_k: int = 20) -> list[DuplicateMatch]:
        """Matches of one case against the history.

        Args:
            case: this year's case.
            top_k: at most this many matches.

        Returns:
            Matches with a verdict (past_awardee_repeat, resubmission_needs_iteration, related_case), by score.
        """
        doc = _make_doc(case)
        return self._query_doc(doc, self._vector(doc), top_k)

    def query_many(self, cases: Sequence[BatchCase], top_k: int = 20) -> list[list[DuplicateMatch]]:
        """``query`` for many cases, embedding them together and searching neighbours in blocks.

        Returns:
            One list of matches per case, in order.
        """
        docs = [_make_doc(case) for case in cases]
        vectors = _embed_texts(self.embedder, [f"{d.title}\n{d.text}" for d in docs])
        nearest = self.index_.nearest(vectors, len(docs))
        return [
            self._query_doc(doc, None if vectors is None else _row(vectors, i), top_k, nearest[i])
            for i, doc in enumerate(docs)
        ]

    def _query_doc(
        self,
        doc: _Doc,
        vector: np.ndarray | None,
        top_k: int,
        nearest: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> list[DuplicateMatch]:
        matches = []
        for position, semantic in self.index_.candidates(doc, vector, nearest).items():
            other = self.index_.doc(position)
            match = _judge(doc, other, self.index_.weights, semantic, False, self.call_year)
            if match is not None:
                matches.append(match)
        return _finish(matches, top_k)


def detect_duplicates(
    batch: Sequence[BatchCase],
    history: Sequence[PastCase],
    embedder: Embedder | None = None,
    call_year: int | None = None,
) -> dict[str, list[DuplicateMatch]]:
    """Matches of every batch case against the history and against the rest of the batch.

    Args:
        batch: this year's cases.
        history: past cases with year and outcome.
        embedder: optional; adds the ``semantic`` signal.
        call_year: defaults to the settings' ``call_year``.

    Returns:
        Case id → its matches (kinds past_awardee, past_not_selected, same_batch), by score.
    """
    history_index = HistoryIndex.build(history, embedder, call_year)
    batch_index = _Index(batch, embedder)
    weights = history_index.index_.weights.extended(batch_index.weights)
    nearest = history_index.index_.nearest(batch_index.vectors, len(batch_index))
    results: dict[str, list[DuplicateMatch]] = {}
    for position in range(len(batch_index)):
        doc = batch_index.doc(position)
        vector = None if batch_index.vectors is None else _row(batch_index.vectors, position)
        matches = history_index._query_doc(doc, vector, 10**6, nearest[position])
        for other_position, semantic in batch_index.candidates(doc, vector).items():
            other = batch_index.doc(other_position)
            if other.id == doc.id:
                continue
            match = _judge(doc, other, weights, semantic, True, history_index.call_year)
            if match is not None:
                matches.append(match)
        results[doc.id] = _finish(matches, top_k=10**6)
    return results


def case_from_submission(submission_id: int | str, payload: dict[str, Any]) -> BatchCase:
    """A ``BatchCase`` from a stored submission payload (``Submission.to_dict()``)."""
    sections = {str(k): str(v) for k, v in (payload.get("sections") or {}).items()}
    return BatchCase(
        id=str(submission_id),
        title=str(payload.get("title") or ""),
        unit=str(payload.get("unit") or ""),
        text=str(payload.get("text") or ""),
        category=payload.get("declared_category"),
        sections=sections,
    )


def detect_for_store(
    engine: Engine, embedder: Embedder | None = None, year: int | None = None
) -> dict[int, list[DuplicateMatch]]:
    """``detect_duplicates`` on the stored current submissions of the call year and the stored past cases.

    Args:
        engine: the store.
        embedder: optional; adds the ``semantic`` signal.
        year: the call year (defaults to the settings' ``call_year``).

    Returns:
        Submission id → matches (``other_id`` of a same-batch match is the other submission's id as text).
    """
    from pipelines import store

    year = year or _call_year()
    rows = store.list_submissions(engine, year=year)
    batch = [case_from_submission(row.id, row.payload or {}) for row in rows]
    results = detect_duplicates(batch, store.list_past_cases(engine), embedder, call_year=year)
    return {int(case_id): matches for case_id, matches in results.items()}


# --------------------------------------------------------------------------- evaluation


class DedupeInputError(ValueError):
    """An input file that cannot be read; the message is Chinese and names the file and the line."""


def _case_from_record(record: Any, where: str) -> BatchCase:
    if not isinstance(record, dict):
        raise DedupeInputError(f'{where}：应为 JSON 对象（{{"id": ..., "title": ..., ...}}）。')
    sections = record.get("sections") or {}
    if not isinstance(sections, dict):
        raise DedupeInputError(f"{where}：sections 应为“栏目名: 文本”的对象。")
    case_id = str(record.get("id") or "").strip()
    text = str(record.get("text") or "")
    if not case_id:
        raise DedupeInputError(f"{where}：缺少 id，请为每个案例填写唯一编号。")
    if not text.strip() and not any(str(v).strip() for v in sections.values()):
        raise DedupeInputError(f"{where}：案例 {case_id} 没有正文（text 或 sections），无法比对。")
    category = record.get("category")
    return BatchCase(
        id=case_id,
        title=str(record.get("title") or ""),
        unit=str(record.get("unit") or ""),
        text=text,
        category=int(category) if isinstance(category, int | str) and str(category).isdigit() else None,
        sections={str(k): str(v) for k, v in sections.items()},
    )


def _past_from_record(record: dict[str, Any], where: str) -> PastCase:
    from pipelines.intake.history import HistoryError, _record_to_case

    try:
        return _record_to_case(record, where)
    except HistoryError as exc:
        raise DedupeInputError(str(exc)) from exc


def _read_jsonl(path: Path) -> list[tuple[str, Any]]:
    """``(where, record)`` per non-empty line; ``where`` names the file and line in Chinese."""
    try:
        return [(where, record) for _, where, record in read_jsonl(path)]
    except JsonlError as error:
        raise DedupeInputError(error.message) from error


def read_cases(path: Path) -> list[BatchCase]:
    """This year's cases from JSONL (``{"id", "title", "unit", "text" or "sections", "category"?}``).

    Raises:
        DedupeInputError: bad JSON, missing id or text, duplicate id (message names the line).
    """
    cases, seen = [], set()
    for where, record in _read_jsonl(path):
        case = _case_from_record(record, where)
        if case.id in seen:
            raise DedupeInputError(f"{where}：案例编号 {case.id} 重复，请保证每个 id 唯一。")
        seen.add(case.id)
        cases.append(case)
    return cases


def read_history(path: Path) -> list[PastCase]:
    """Past cases from JSONL (``{"id", "year", "title", "unit", "text" or "sections", "outcome"}``).

    Raises:
        DedupeInputError: bad JSON or a missing/unknown field (message names the line).
    """
    history = []
    for where, record in _read_jsonl(path):
        if not isinstance(record, dict):
            raise DedupeInputError(f"{where}：应为 JSON 对象。")
        history.append(_past_from_record(record, where))
    return history


@dataclass
class PairOutcome:
    """One labelled pair and what the detector said."""

    label: str
    predicted: str
    expected_iteration: bool | None
    predicted_iteration: bool | None
    score: float
    signals: dict[str, float]
    batch: bool = False
    outcome: str | None = None
    recent_award: bool = True
    iteration: dict[str, float] = field(default_factory=dict)  # new_figures, new_items, new_text, later


def judge_pairs(
    pairs: Sequence[dict[str, Any]],
    embedder: Embedder | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    call_year: int | None = None,
) -> list[PairOutcome]:
    """Run the pair decision on labelled pairs.

    IDF weights come from all ``b`` sides (the pairs' history). A pair whose ``b`` has no ``outcome`` is a
    within-batch pair.

    Args:
        pairs: records ``{"a": case, "b": case with year/outcome (or none for batch), "label": verdict or
            "none", "obvious_iteration"?}``.
        embedder: optional; adds the ``semantic`` signal.
        thresholds: decision thresholds.
        call_year: defaults to the settings' ``call_year``.

    Returns:
        One outcome per pair, in order.
    """
    call_year = call_year or _call_year()
    sides_b = [_pair_side_b(pair["b"], f"第 {i + 1} 对") for i, pair in enumerate(pairs)]
    sides_a = [_case_from_record(pair["a"], f"第 {i + 1} 对的 a") for i, pair in enumerate(pairs)]
    history = _Index(list({case.id: case for case in sides_b}.values()))
    docs_a, docs_b = [_make_doc(case) for case in sides_a], [_make_doc(case) for case in sides_b]
    vectors_a = _embed_texts(embedder, [f"{d.title}\n{d.text}" for d in docs_a])
    vectors_b = _embed_texts(embedder, [f"{d.title}\n{d.text}" for d in docs_b])
    outcomes = []
    for i, pair in enumerate(pairs):
        a, b = docs_a[i], docs_b[i]
        semantic = None
        if vectors_a is not None and vectors_b is not None:
            semantic = float(_row(vectors_a, i) @ _row(vectors_b, i))
        match = _judge(a, b, history.weights, semantic, b.outcome is None, call_year, thresholds)
        iteration: dict[str, float] = {}
        if b.outcome == "not_selected":
            new_text, _, report = iteration_report(a, b, thresholds)
            iteration = {
                **report["counts"],
                "new_text": new_text,
                "later": float(bool(report["later_figures"])),
            }
        outcomes.append(
            PairOutcome(
                label=pair["label"],
                predicted=match.verdict if match else "none",
                expected_iteration=pair.get("obvious_iteration"),
                predicted_iteration=match.obvious_iteration if match else None,
                score=match.score if match else 0.0,
                signals=pair_signals(a, b, history.weights, semantic),
                batch=b.outcome is None,
                outcome=b.outcome,
                recent_award=b.year is None or b.year >= call_year - AWARDEE_YEARS,
                iteration=iteration,
            )
        )
    return outcomes


def _pair_side_b(record: dict[str, Any], where: str) -> BatchCase | PastCase:
    if record.get("outcome"):
        return _past_from_record(record, where)
    return _case_from_record(record, where)


def pair_metrics(outcomes: Sequence[PairOutcome]) -> dict[str, Any]:
    """Precision/recall of repeat detection, verdict confusion, iteration accuracy, awardee false alarms.

    A repeat is any of ``REPEAT_VERDICTS``; a pair counts as found when a repeat verdict is predicted.
    """
    positives = [o for o in outcomes if o.label in REPEAT_VERDICTS]
    predicted = [o for o in outcomes if o.predicted in REPEAT_VERDICTS]
    hits = [o for o in positives if o.predicted in REPEAT_VERDICTS]
    confusion: dict[str, dict[str, int]] = {}
    for outcome in outcomes:
        row = confusion.setdefault(outcome.label, {})
        row[outcome.predicted] = row.get(outcome.predicted, 0) + 1
    iterations = [
        o for o in outcomes if o.label == "resubmission_needs_iteration" and o.expected_iteration is not None
    ]
    iteration_right = [
        o
        for o in iterations
        if o.predicted == "resubmission_needs_iteration" and o.predicted_iteration == o.expected_iteration
    ]
    return {
        "pairs": len(outcomes),
        "precision": len(hits) / len(predicted) if predicted else 1.0,
        "recall": len(hits) / len(positives) if positives else 1.0,
        "verdict_accuracy": sum(o.label == o.predicted for o in outcomes) / len(outcomes)
        if outcomes
        else 1.0,
        "iteration_accuracy": len(iteration_right) / len(iterations) if iterations else 1.0,
        "iteration_pairs": len(iterations),
        "awardee_false_alarms": sum(
            o.predicted == "past_awardee_repeat" and o.label in ("none", "related_case") for o in outcomes
        ),
        "confusion": confusion,
    }


def read_pairs(path: Path) -> list[dict[str, Any]]:
    """Labelled pairs from JSONL; each line needs ``a``, ``b`` and a ``label`` among the verdicts or "none"."""
    pairs = []
    for where, record in _read_jsonl(path):
        if not isinstance(record, dict) or not {"a", "b", "label"} <= record.keys():
            raise DedupeInputError(f"{where}：每行需要 a、b、label 三个字段。")
        if record["label"] not in (*VERDICTS, "none"):
            raise DedupeInputError(
                f"{where}：label「{record['label']}」无效，可选：{'、'.join(VERDICTS)} 或 none。"
            )
        pairs.append(record)
    return pairs


# --------------------------------------------------------------------------- command line


def add_cli(subparsers: argparse._SubParsersAction) -> None:
    """Register ``dedupe`` and ``evaluate-dedupe``."""
    dedupe = subparsers.add_parser("dedupe", help="查找往年入选/未入选案例的重复申报与本批次内的重复申报")
    dedupe.add_argument(
        "--history", type=Path, help="往年案例 JSONL（id、year、title、unit、text/sections、outcome）"
    )
    dedupe.add_argument(
        "--input", type=Path, help="本年度案例 JSONL（id、title、unit、text/sections、category）"
    )
    dedupe.add_argument("--output", type=Path, help="结果写入此 JSONL 文件（默认输出到屏幕）")
    dedupe.add_argument(
        "--no-embedder", action="store_true", help="不使用向量模型（只用名称、数据与文字重合）"
    )
    dedupe.set_defaults(func=_cli_dedupe)
    evaluate = subparsers.add_parser("evaluate-dedupe", help="在标注的案例对上评估重复检测")
    evaluate.add_argument("--pairs", type=Path, required=True, help="标注案例对 JSONL（a、b、label）")
    evaluate.add_argument("--no-embedder", action="store_true", help="不使用向量模型")
    evaluate.set_defaults(func=_cli_evaluate)


def _cli_embedder(args: argparse.Namespace) -> Embedder | None:
    if args.no_embedder:
        return None
    from pipelines.backends.embed import EmbeddingError, get_embedder

    try:
        return get_embedder()
    except EmbeddingError as exc:
        print(f"提示：{exc.message}。本次不使用语义相似度，只用名称、数据与文字重合判断。", file=sys.stderr)
        return None


def _match_record(match: DuplicateMatch) -> dict[str, Any]:
    record: dict[str, Any] = {
        "other_id": match.other_id,
        "kind": match.kind,
        "verdict": match.verdict,
        "score": match.score,
        "signals": match.signals,
        "reasons": match.reasons,
    }
    if match.verdict == "resubmission_needs_iteration":
        record["new_text_ratio"] = match.new_text_ratio
        record["obvious_iteration"] = match.obvious_iteration
        record["iteration_report"] = match.iteration_report
    if match.aligned:
        record["aligned"] = [asdict(pair) for pair in match.aligned]
    return record


def _cli_dedupe(args: argparse.Namespace) -> int:
    if (args.history is None) != (args.input is None):
        print(
            "错误：--history 与 --input 需同时给出；两者都不给时对数据库中的本年度申报进行比对。",
            file=sys.stderr,
        )
        return 2
    embedder = _cli_embedder(args)
    try:
        if args.history is None:
            from pipelines import store

            results: dict[Any, list[DuplicateMatch]] = detect_for_store(store.get_engine(), embedder)
        else:
            results = detect_duplicates(read_cases(args.input), read_history(args.history), embedder)
    except DedupeInputError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    lines = [
        json.dumps({"id": case_id, "matches": [_match_record(m) for m in matches]}, ensure_ascii=False)
        for case_id, matches in results.items()
    ]
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text("\n".join(lines) + ("\n" if lines else ""), encoding="utf-8")
    else:
        print("\n".join(lines))
    flagged = sum(any(m.verdict in REPEAT_VERDICTS for m in ms) for ms in results.values())
    print(f"共比对 {len(results)} 个案例，其中 {flagged} 个疑似重复申报（需人工核实）。", file=sys.stderr)
    return 0


def _cli_evaluate(args: argparse.Namespace) -> int:
    try:
        pairs = read_pairs(args.pairs)
        metrics = pair_metrics(judge_pairs(pairs, _cli_embedder(args)))
    except DedupeInputError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    print(f"案例对 {metrics['pairs']} 组")
    print(f"重复检测 precision {metrics['precision']:.3f}  recall {metrics['recall']:.3f}")
    print(f"结论完全一致 {metrics['verdict_accuracy']:.3f}")
    print(f"迭代判断正确率 {metrics['iteration_accuracy']:.3f}（{metrics['iteration_pairs']} 组）")
    print(f"不同项目被判为往年入选重复（past_awardee_repeat）：{metrics['awardee_false_alarms']} 组")
    labels = [*VERDICTS, "none"]
    print("混淆矩阵（行 = 标注，列 = 判断）")
    print("label\\pred".ljust(30) + "".join(label[:12].rjust(14) for label in labels))
    for label in labels:
        row = metrics["confusion"].get(label, {})
        print(label.ljust(30) + "".join(str(row.get(p, 0)).rjust(14) for p in labels))
    return 0
