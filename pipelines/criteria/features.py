"""What the learned scorer reads of each claim: φ(claim), a sparse feature row per claim.

Three groups of features, all named (the names are the learned model's vocabulary and the words its reasons
use):

- the claims stage's reading of the claim (``类型:成果`` … kind probabilities, ``否定``, ``正面否定``,
  ``含糊``, ``来源``, ``数字`` and the figures' quality, ``导向问题`` / ``正确导向`` from the orientation
  model, evaluative words and slogans, and kind × figure / negation / hedge crosses);
- the rubric's evidence (``细则:<criterion>:<effect>``: what ``evidence.measure`` credited the claim with for
  each criterion, for / discounted / against, so the hand rules are one input among others; a criterion's
  score reads only its own rubric evidence);
- pairs of adjacent Chinese characters of the claim (``字:<bigram>``), each counted once per case, at the
  first claim that uses it: saying a word again is not more evidence.

Whether a claim states a checkable fact (a figure, a date, a source, a 《名称》) splits the features: the
kind features (``类型:*``) exist only for factual claims, and a fact-free claim's rubric evidence and bigrams
are features of their own (``…:空``, ``字:空<bigram>``), so the model weighs "what a slogan says" apart from
"what a fact says".

A claim with no evidence of any kind (no rubric effect, no quantity, no negation, no hedge, no orientation
signal) gets an empty row: padding a text with neutral sentences cannot move its score.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pipelines.claims.claim import Claim
from pipelines.claims.kinds import KINDS
from pipelines.criteria.evidence import CriterionEvidence
from pipelines.criteria.rubric import Rubric
from pipelines.vocabulary import CLAIM_KINDS

_HAN_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")  # runs of Chinese characters (their overlapping pairs: bigrams)
ORIENTATION_SIGNAL = 0.4  # orientation probability from which a claim carries an orientation signal
BIGRAM = "字:"
RUBRIC = "细则:"
FACT_FREE = "空"  # marks the bigram and rubric features of a claim that states no checkable fact

# Chinese labels of the dense features, for the reasons (bigrams and rubric features are labelled by name).
LABELS: dict[str, str] = {
    **{f"类型:{kind}": CLAIM_KINDS[kind] for kind in KINDS},
    **{f"数字×{kind}": f"{CLAIM_KINDS[kind]}带数字" for kind in KINDS},
    **{f"否定×{kind}": f"否定的{CLAIM_KINDS[kind]}" for kind in KINDS},
    **{f"含糊×{kind}": f"含糊的{CLAIM_KINDS[kind]}" for kind in KINDS},
    "否定": "否定",
    "正面否定": "正面的否定",
    "含糊": "含糊",
    "来源": "有来源",
    "事实": "有可核对的事实",
    "数字": "数字",
    "估计数": "估计数",
    "有日期": "数字有日期",
    "有对比": "数字有对比",
    "导向问题": "导向问题（模型）",
    "正确导向": "正确导向（模型）",
    "评价词": "评价词",
    "口号": "口号式表述",
}


def has_evidence(
    claim: Claim, effects: set[int], quantities: list | None = None, hedged: bool | None = None
) -> bool:
    """Whether a claim carries any evidence: a rubric effect, a quantity, a negation, a hedge or an
    orientation signal. Claims without any add nothing to any criterion. (``quantities`` and ``hedged``:
    the claim's, when the caller has them already.)"""
    return bool(
        claim.index in effects
        or (claim.quantities if quantities is None else quantities)
        or claim.negation
        or (claim.hedged if hedged is None else hedged)
        or max(claim.orientation.get("problem", 0.0), claim.orientation.get("proper", 0.0))
        >= ORIENTATION_SIGNAL
    )


def _dense(claim: Claim, rubric: Rubric, quantities: list, hedged: bool) -> dict[str, float]:
    probabilities = claim.kind_probs or {claim.kind: 1.0}
    factual = bool(claim.figures or claim.sourced or "《" in claim.text)
    evaluative = len(set(rubric.evaluative.findall(claim.text)))
    flags = {
        "否定": claim.negated,
        "正面否定": claim.praise,
        "含糊": hedged,
        "来源": claim.sourced,
        "事实": factual,
        "估计数": any(f.approx for f in quantities),
        "有日期": any(f.date for f in quantities),
        "有对比": any(f.baseline for f in quantities),
        "口号": evaluative >= rubric.slogan_words and not factual,
    }
    row = {name: 1.0 for name, on in flags.items() if on}
    if quantities:
        row["数字"] = min(3, len(quantities)) / 3
    if evaluative:
        row["评价词"] = min(4, evaluative) / 4
    for label, key in (("导向问题", "problem"), ("正确导向", "proper")):
        if claim.orientation.get(key, 0.0) > 0:
            row[label] = claim.orientation[key]
    negated = claim.negated
    for kind in KINDS:
        p = probabilities.get(kind, 0.0)
        if p <= 0:
            continue
        if factual:
            row[f"类型:{kind}"] = p
        if quantities:
            row[f"数字×{kind}"] = p
        if negated:
            row[f"否定×{kind}"] = p
        if hedged:
            row[f"含糊×{kind}"] = p
    return row


def claim_features(
    claims: Sequence[Claim], found: dict[str, CriterionEvidence], rubric: Rubric
) -> list[dict[str, float]]:
    """φ(claim) for every claim of one case.

    Args:
        claims: the case's claims (``pipelines.claims.extract_claims``).
        found: the rubric's evidence in them (``evidence.measure``).
        rubric: the rubric (evaluative words, slogan threshold).

    Returns:
        One ``{feature name: value}`` per claim, in claim order (empty for a claim without evidence).
    """
    rubric_rows: dict[int, dict[str, float]] = {}
    for key, item in found.items():
        for effect in item.effects:
            row = rubric_rows.setdefault(effect.claim, {})
            name = f"{RUBRIC}{key}:{effect.effect}"
            row[name] = row.get(name, 0.0) + effect.value
    seen: set[str] = set()
    rows = []
    effects = rubric_rows.keys()
    for claim in claims:
        quantities, hedged = claim.quantities, claim.hedged
        if not has_evidence(claim, effects, quantities, hedged):
            rows.append({})
            continue
        row = _dense(claim, rubric, quantities, hedged)
        if "事实" in row:
            row.update(rubric_rows.get(claim.index, {}))
        else:  # the rubric's credit of a fact-free claim is its own feature (slogans get some)
            row.update(
                {f"{name}:{FACT_FREE}": value for name, value in rubric_rows.get(claim.index, {}).items()}
            )
        prefix = BIGRAM if "事实" in row else BIGRAM + FACT_FREE
        new = _han_bigrams(claim.text) - seen
        seen |= new
        row.update(dict.fromkeys([prefix + bigram for bigram in sorted(new)], 1.0))
        rows.append(row)
    return rows


def _han_bigrams(text: str) -> set[str]:
    """The distinct pairs of adjacent Chinese characters of ``text`` (every overlapping pair of each run)."""
    return {pair for run in _HAN_RUN.findall(text) for pair in map(str.__add__, run, run[1:])}


def label(name: str) -> str:
    """The Chinese label of a feature for the reasons: ``“首创”`` for a bigram, the rubric's own words for a
    rubric feature."""
    if name.startswith(BIGRAM):
        return f"“{name[len(BIGRAM) :].removeprefix(FACT_FREE)}”"
    if name.startswith(RUBRIC):
        effect = name[len(RUBRIC) :].split(":")[1]
        return "评分细则" + {"for": "依据", "discounted": "打折", "against": "扣分"}[effect]
    return LABELS.get(name, name)
