"""Pairwise evaluation: does the stronger version of a case score higher on its criterion?"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pipelines.claims import extract_claims_many
from pipelines.criteria.offline import OfflineScorer
from pipelines.vocabulary import CRITERIA

# Slogans appended to every weak text for the padding check (written for the check; the training pads with
# data/claims/slogans.jsonl, which holds none of these).
PADDING_CHECK = (
    "我们始终坚持以人民为中心的工作导向，深入贯彻落实党中央决策部署，全面推进媒体深度融合，着力打造新型主流媒体，"
    "不断提升传播力、引导力、影响力、公信力。",
    "项目具有很强的创新性、示范性和可推广性，为行业高质量发展提供了宝贵经验，社会效益和经济效益显著。",
    "该案例理念先进、模式新颖、成效突出，得到了社会各界的广泛好评，影响深远。",
)


def _rates(groups: dict[str, list[bool]]) -> dict[str, dict[str, float]]:
    return {key: {"rate": round(sum(v) / len(v), 4), "n": len(v)} for key, v in sorted(groups.items()) if v}


def evaluate_pairs(scorer: OfflineScorer, pairs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """How often the stronger version of a case scores higher on the criterion the pair is about.

    Args:
        scorer: the offline scorer.
        pairs: records ``{"id", "criterion", "strong", "weak"}``, optionally ``"kind"`` (what the pair tests,
            e.g. a trap) and ``"split"``.

    Returns:
        ``{"rate", "n", "by_criterion", "by_kind", "by_split", "failures", "other_raised", "padding"}``:
        rates as ``{"rate", "n"}``; ``failures`` lists the pairs the scorer gets wrong with both scores;
        ``other_raised`` the pairs in which the weaker version scores higher on another criterion;
        ``padding`` how many weak texts score higher on their criterion once ``PADDING_CHECK`` is appended
        (``{"raised", "n", "ids"}``; it should be none).
    """
    texts = [text for pair in pairs for text in (pair["strong"], pair["weak"])]
    texts += [pair["weak"] + "".join(PADDING_CHECK) for pair in pairs]
    claims = extract_claims_many(texts)
    padded = claims[2 * len(pairs) :]
    raised = []
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
        higher = [other for other in CRITERIA if weak[other] > strong[other]]
        if higher:
            other_raised.append({"id": pair["id"], "criteria": higher})
        if scorer.scores(scorer.judge(padded[number]))[key] > weak[key]:
            raised.append(pair["id"])
    everything = [win for values in by_criterion.values() for win in values]
    return {
        "rate": round(sum(everything) / max(1, len(everything)), 4),
        "n": len(everything),
        "by_criterion": _rates(by_criterion),
        "by_kind": _rates(by_kind),
        "by_split": _rates(by_split),
        "failures": failures,
        "other_raised": other_raised,
        "padding": {"raised": len(raised), "n": len(pairs), "ids": raised},
    }
