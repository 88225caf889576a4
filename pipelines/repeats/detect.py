"""Repeat and duplicate detection: past awardees (rule 五), re-submissions that need iteration (rule 四),
the same case twice in this year's batch, and related cases of the same unit.

The parts: ``facts`` and ``fingerprint`` prepare a case (project facts, project text without the unit's
self-description and without the history's boilerplate, ``boilerplate``); ``index`` finds candidates
without scanning the history (LSH, inverted indexes on rare facts and on the semantic vectors' terms, the
unit); ``verdicts`` computes the pair signals and decides; ``iteration`` writes the iteration report and the
side-by-side passages; ``persist`` keeps a built index on disk; ``batch`` runs on the store. This
module ties them together.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from pipelines.repeats.boilerplate import Boilerplate
from pipelines.repeats.fingerprint import BatchCase, CaseDoc, make_doc
from pipelines.repeats.index import CaseIndex, build_index, summarize
from pipelines.repeats.iteration import aligned_passages
from pipelines.repeats.semantic import Reranker, SemanticModel, Vectors
from pipelines.repeats.signals import shingle_hashes
from pipelines.repeats.thresholds import DEFAULT_THRESHOLDS, Thresholds
from pipelines.repeats.verdicts import finish, judge, pair_signals, reversed_signals
from pipelines.schema import DuplicateMatch, PastCase
from pipelines.units import normalize_unit
from pipelines.vocabulary import CALL_TEXT_FILE, REPEAT_VERDICTS

if TYPE_CHECKING:
    from pipelines.backends.embed import Embedder

ALIGNED_MATCHES = 3  # repeats per case whose passages are aligned for the side-by-side view
PROGRESS_EVERY = 50

__all__ = ["BatchCase", "DEFAULT_THRESHOLDS", "HistoryIndex", "Thresholds", "detect_duplicates"]


def call_year_setting() -> int:
    """The settings' ``call_year``."""
    from pipelines.config import get_settings

    return get_settings().call_year


def fit_boilerplate(sources: Sequence[BatchCase | PastCase]) -> Boilerplate:
    """The common wording of ``sources`` (distinct units; an even sample of a large history) plus the call's
    own text."""
    call_text = [CALL_TEXT_FILE.read_text(encoding="utf-8")] if CALL_TEXT_FILE.exists() else []
    sample = (sources[i] for i in Boilerplate.sample(len(sources)))
    pairs = (
        (normalize_unit(s.unit) or s.id, shingle_hashes(s.text or "\n".join(s.sections.values())))
        for s in sample
    )
    return Boilerplate().fit(pairs, call_text)


class HistoryIndex:
    """Past cases indexed for matching.

    Build with ``HistoryIndex.build(history, embedder)`` (or load a stored one, ``pipelines.repeats.persist``);
    ``query(case)`` returns the meaningful matches.

    Args:
        index: the candidate index over the past cases.
        semantic: turns project texts into vectors (None: no semantic signal).
        call_year: this year's call.
    """

    def __init__(self, index: CaseIndex, semantic: SemanticModel | None, call_year: int) -> None:
        self.index_ = index
        self.semantic = semantic
        self.call_year = call_year
        self.loaded_from_cache = False
        self.extended_by = 0  # past cases appended to a stored index (pipelines.repeats.persist)
        self.reranker: Reranker | None = None  # set to re-rank candidates with a neural embedder

    @classmethod
    def build(
        cls, history: Sequence[PastCase], embedder: Embedder | None = None, call_year: int | None = None
    ) -> HistoryIndex:
        """Prepare and index the past cases.

        Args:
            history: the past cases (text or sections, year, outcome).
            embedder: gives the ``semantic`` signal; None leaves it out.
            call_year: this year's call (defaults to the settings' ``call_year``), for rule 五's two years.

        Returns:
            The index.
        """
        semantic = SemanticModel(embedder) if embedder is not None else None
        index = build_index(history, fit_boilerplate(history), semantic)
        return cls(index, semantic, call_year or call_year_setting())

    @property
    def boilerplate(self) -> Boilerplate | None:
        """The common wording learned from the history."""
        return self.index_.boilerplate

    def prepare(self, cases: Sequence[BatchCase]) -> tuple[list[CaseDoc], Vectors | None]:
        """This year's cases prepared with the history's boilerplate, and their vectors."""
        docs = [make_doc(case, self.boilerplate) for case in cases]
        vectors = self.semantic.vectors([d.project for d in docs]) if self.semantic and docs else None
        return docs, vectors

    def query(self, case: BatchCase, top_k: int = 20) -> list[DuplicateMatch]:
        """Matches of one case against the history.

        Args:
            case: this year's case.
            top_k: at most this many matches.

        Returns:
            Matches with a verdict (past_awardee_repeat, resubmission_needs_iteration, related_case), by score.
        """
        return self.query_many([case], top_k)[0]

    def query_many(self, cases: Sequence[BatchCase], top_k: int = 20) -> list[list[DuplicateMatch]]:
        """``query`` for many cases, embedding them together.

        Returns:
            One list of matches per case, in order.
        """
        docs, vectors = self.prepare(cases)
        return [self.query_doc(doc, vectors, i, top_k) for i, doc in enumerate(docs)]

    def rerank(
        self, doc: CaseDoc, candidates: dict[int, float | None], docs: Callable[[int], CaseDoc]
    ) -> dict[int, float | None]:
        """The candidates with the re-ranker's semantic cosine (unchanged without a re-ranker)."""
        if self.reranker is None:
            return candidates
        return dict(self.reranker.rescore(doc.project, {p: docs(p).project for p in candidates}))

    def query_doc(
        self, doc: CaseDoc, vectors: Vectors | None, row: int, top_k: int, weights: Any = None
    ) -> list[DuplicateMatch]:
        """Matches of a prepared case (row ``row`` of ``vectors``) against the history."""
        return with_alignment(doc, self.judge_history(doc, vectors, row, weights), top_k)

    def judge_history(
        self, doc: CaseDoc, vectors: Vectors | None, row: int, weights: Any = None
    ) -> list[tuple[DuplicateMatch, CaseDoc]]:
        """The meaningful matches of a prepared case against the history, each with the past case."""
        weights = weights or self.index_.weights
        found = []
        candidates = self.rerank(doc, self.index_.candidates(doc, vectors, row), self.index_.doc)
        for position, semantic in candidates.items():
            other = self.index_.doc(position)
            match = judge(doc, other, weights, semantic, False, self.call_year, align=False)
            if match is not None:
                found.append((match, other))
        return found


def with_alignment(
    doc: CaseDoc, found: list[tuple[DuplicateMatch, CaseDoc]], top_k: int
) -> list[DuplicateMatch]:
    """``finish`` the matches, then align passages for the ``ALIGNED_MATCHES`` best repeats only (the ones
    the side-by-side view opens first; aligning every same-batch pair was most of an analysis run)."""
    others = {id(match): other for match, other in found}
    matches = finish([match for match, _ in found], top_k)
    repeats = [m for m in matches if m.verdict in REPEAT_VERDICTS][:ALIGNED_MATCHES]
    for match in repeats:
        match.aligned = aligned_passages(doc, others[id(match)])
    return matches


def detect_duplicates(
    batch: Sequence[BatchCase],
    history: Sequence[PastCase] | HistoryIndex,
    embedder: Embedder | None = None,
    call_year: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, list[DuplicateMatch]]:
    """Matches of every batch case against the history and against the rest of the batch.

    Same-batch pairs are only the blocked candidate pairs (shared LSH band, rare facts, semantic
    neighbours, same unit), never all pairs.

    Args:
        batch: this year's cases.
        history: past cases with year and outcome, or an index built (or loaded) from them.
        embedder: optional; adds the ``semantic`` signal (ignored when ``history`` is an index).
        call_year: defaults to the settings' ``call_year``.
        progress: called as ``progress(cases done, cases)`` every ``PROGRESS_EVERY`` cases and at the end.

    Returns:
        Case id → its matches (kinds past_awardee, past_not_selected, same_batch), by score.
    """
    if isinstance(history, HistoryIndex):
        history_index = history
    else:
        history_index = HistoryIndex.build(history, embedder, call_year)
    docs, vectors = history_index.prepare(batch)
    batch_index = CaseIndex(batch, [summarize(d) for d in docs], vectors, history_index.boilerplate)
    weights = history_index.index_.weights.extended(batch_index.weights)
    results: dict[str, list[DuplicateMatch]] = {}
    judged: dict[tuple[int, int], dict[str, float]] = {}  # signals of (a, b), reused reversed for (b, a)
    for row, doc in enumerate(docs):
        found = history_index.judge_history(doc, vectors, row, weights)
        candidates = history_index.rerank(doc, batch_index.candidates(doc, vectors, row), docs.__getitem__)
        for position, semantic in candidates.items():
            if position == row:
                continue
            earlier = judged.pop((position, row), None)
            if earlier is not None:
                signals = reversed_signals(earlier)
            else:
                signals = judged[(row, position)] = pair_signals(doc, docs[position], weights, semantic)
            match = judge(
                doc,
                docs[position],
                weights,
                semantic,
                True,
                history_index.call_year,
                align=False,
                signals=signals,
            )
            if match is not None:
                found.append((match, docs[position]))
        results[doc.id] = with_alignment(doc, found, top_k=10**6)
        if progress is not None and ((row + 1) % PROGRESS_EVERY == 0 or row + 1 == len(docs)):
            progress(row + 1, len(docs))
    return results
