"""Pairwise evaluation: does the stronger version of a case score higher on its criterion?"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pipelines.claims import extract_claims_many
from pipelines.criteria.offline import OfflineScorer
from pipelines.vocabulary import CRITERIA


def _rates(groups: dict[str, list[bool]]) -> dict[str, dict[str, float]]:
    return {key: {"rate": round(sum(v) / len(v), 4), "n": len(v)} for key, v in sorted(groups.items()) if v}


def evaluate_pairs(scorer: OfflineScorer, pairs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """How often the stronger version of a case scores higher on the criterion the pair is about.

    Args:
        scorer: the offline scorer.
        pairs: records ``{"id", "criterion", "strong", "weak"}``, optionally ``"kind"`` (what the pair tests,
            e.g. a trap) and ``"split"``.

    Returns:
        ``{"rate", "n", "by_criterion", "by_kind", "by_split", "failures", "other_raised"}``: rates as
        ``{"rate", "n"}``; ``failures`` lists the pairs the scorer gets wrong with both scores;
        ``other_raised`` the pairs in which the weaker version scores higher on another criterion.
    """
    claims = extract_claims_many([text for pair in pairs for text in (pair["strong"], pair["weak"])])
    by_criterion: dict[str, list[bool]] = {key: [] for key in CRITERIA}
    by_kind: dict[str, list[bool]] = {}
    by_split: dict[str, list[bool]] = {}
    failures, other_raised = [], []
    for number, pair in enumerate(pairs):
        key = pair["criterion"]
        strong = scorer.scores(scorer.judge(claims[2 * number]))
        weak = scorer.scores(scorer.judge(claims[2 * number + 1]))
        win = strong[key] > weak[key]
        by_criterion.setdefault(key, []).append(win)
        if pair.get("kind"):
            by_kind.setdefault(str(pair["kind"]), []).append(win)
        if pair.get("split"):
            by_split.setdefault(str(pair["split"]), []).append(win)
        if not win:
            failures.append(
                {
                    "id": pair["id"],
                    "criterion": key,
                    "kind": pair.get("kind", ""),
                    "strong": strong[key],
                    "weak": weak[key],
                }
            )
        raised = [other for other in CRITERIA if weak[other] > strong[other]]
        if raised:
            other_raised.append({"id": pair["id"], "criteria": raised})
    everything = [win for values in by_criterion.values() for win in values]
    return {
        "rate": round(sum(everything) / max(1, len(everything)), 4),
        "n": len(everything),
        "by_criterion": _rates(by_criterion),
        "by_kind": _rates(by_kind),
        "by_split": _rates(by_split),
        "failures": failures,
        "other_raised": other_raised,
    }
