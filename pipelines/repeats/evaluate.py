"""Evaluation on labelled pairs: the pair decision, precision/recall, awardee false alarms, iteration
accuracy, and the same figures per kind of pair.

The pairs' ``b`` sides are the history: rarity weights and boilerplate are learned from them, as
``detect_duplicates`` learns them from the past cases.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pipelines.repeats.detect import call_year_setting, fit_boilerplate
from pipelines.repeats.fingerprint import BatchCase, make_doc
from pipelines.repeats.index import CaseIndex, summarize
from pipelines.repeats.iteration import iteration_report
from pipelines.repeats.readers import case_from_record, past_from_record
from pipelines.repeats.semantic import Reranker, SemanticModel
from pipelines.repeats.thresholds import DEFAULT_THRESHOLDS, Thresholds
from pipelines.repeats.verdicts import AWARDEE_YEARS, judge, pair_signals
from pipelines.schema import PastCase
from pipelines.vocabulary import REPEAT_VERDICTS

if TYPE_CHECKING:
    from pipelines.backends.embed import Embedder


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
    kind: str = ""  # the pair's ``kind`` (what sort of re-submission or hard negative it is)


def judge_pairs(
    pairs: Sequence[dict[str, Any]],
    embedder: Embedder | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    call_year: int | None = None,
    reranker: Reranker | None = None,
    history: Sequence[PastCase] = (),
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
        reranker: optional; its cosine is the ``semantic`` signal instead of the embedder's.
        history: more past cases that rarity weights and boilerplate are learned from, besides the ``b``
            sides (the history file the pairs were drawn from).

    Returns:
        One outcome per pair, in order.
    """
    call_year = call_year or call_year_setting()
    sides_b = [_pair_side_b(pair["b"], f"第 {i + 1} 对") for i, pair in enumerate(pairs)]
    sides_a = [case_from_record(pair["a"], f"第 {i + 1} 对的 a") for i, pair in enumerate(pairs)]
    unique_b = list({case.id: case for case in [*sides_b, *history]}.values())
    boilerplate = fit_boilerplate(unique_b)
    docs_b_unique = [make_doc(case, boilerplate) for case in unique_b]
    history = CaseIndex(unique_b, [summarize(d) for d in docs_b_unique], None, boilerplate)
    docs_a = [make_doc(case, boilerplate) for case in sides_a]
    docs_b = [make_doc(case, boilerplate) for case in sides_b]
    semantic_model = SemanticModel(embedder) if embedder is not None else None
    vectors_a = semantic_model.vectors([d.project for d in docs_a]) if semantic_model else None
    vectors_b = semantic_model.vectors([d.project for d in docs_b]) if semantic_model else None
    outcomes = []
    for i, pair in enumerate(pairs):
        a, b = docs_a[i], docs_b[i]
        semantic = vectors_a.pair(i, vectors_b, i) if vectors_a and vectors_b else None
        if reranker is not None:
            semantic = reranker.rescore(a.project, {0: b.project})[0]
        match = judge(a, b, history.weights, semantic, b.outcome is None, call_year, thresholds, align=False)
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
                kind=str(pair.get("kind") or ""),
            )
        )
    return outcomes


def _pair_side_b(record: dict[str, Any], where: str) -> BatchCase | PastCase:
    if record.get("outcome"):
        return past_from_record(record, where)
    return case_from_record(record, where)


def _right(outcome: PairOutcome) -> bool:
    """A pair judged right: a repeat found as a repeat (any repeat verdict), a non-repeat not flagged."""
    if outcome.label in REPEAT_VERDICTS:
        return outcome.predicted in REPEAT_VERDICTS
    return outcome.predicted not in REPEAT_VERDICTS


def pair_metrics(outcomes: Sequence[PairOutcome]) -> dict[str, Any]:
    """Precision/recall of repeat detection, verdict confusion, iteration accuracy, awardee false alarms.

    A repeat is any of ``REPEAT_VERDICTS``; a pair counts as found when a repeat verdict is predicted.
    ``per_kind`` gives, for each ``kind`` of pair, its label, count and how many were judged right.
    """
    positives = [o for o in outcomes if o.label in REPEAT_VERDICTS]
    predicted = [o for o in outcomes if o.predicted in REPEAT_VERDICTS]
    hits = [o for o in positives if o.predicted in REPEAT_VERDICTS]
    confusion: dict[str, dict[str, int]] = {}
    per_kind: dict[str, dict[str, Any]] = {}
    for outcome in outcomes:
        row = confusion.setdefault(outcome.label, {})
        row[outcome.predicted] = row.get(outcome.predicted, 0) + 1
        kind = per_kind.setdefault(outcome.kind or "—", {"label": outcome.label, "pairs": 0, "right": 0})
        kind["pairs"] += 1
        kind["right"] += _right(outcome)
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
        "per_kind": per_kind,
    }
