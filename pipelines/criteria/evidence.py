"""The evidence of each criterion in a case's claims: an explainable function of the claims.

For every sub-point of a criterion (``data/rubric.yaml``) each claim can add evidence (a matched term, or
a figure weighed by its size and quality), weighted by how much a claim of its kind counts for the
criterion (a result fully, a plan hardly, someone else's outcome not at all) and discounted when hedged.
A negated claim (未能达到预期、尚未上线) counts against the criterion; a negative sub-point (bought or copied
innovation, sensational angles, conditions others lack) counts against it unless the claim disavows it
(杜绝标题党、不转载未经核实的信息). Per sub-point ``weight × (log2(1 + for) − negated × log2(1 + against))``,
summed, is the criterion's raw strength: every claim counts, repetition and length add little.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

from pipelines.claims.claim import Claim
from pipelines.claims.scan import finditer
from pipelines.criteria.rubric import Criterion, Rubric, Subpoint
from pipelines.figures import Figure
from pipelines.vocabulary import CLAIM_KINDS

COUNTED = 0.3  # a claim whose kind credit is below this is reported as discounted, not as evidence


@dataclass
class Effect:
    """What the rubric credited one claim with for one criterion (a feature of the learned scorer; its
    sub-point names word the reasons).

    ``effect`` is ``for`` (evidence), ``discounted`` (matched, but its kind or hedges make it count little)
    or ``against`` (a negated claim or a negative sub-point).
    """

    claim: int  # claim index
    subpoint: str
    name: str  # the sub-point's name
    effect: str  # for | discounted | against
    value: float


@dataclass
class CriterionEvidence:
    """The evidence for one criterion in one text."""

    raw: float
    effects: list[Effect] = field(default_factory=list)
    quotes: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # sub-point key -> claims counted for it


def _credit(kinds: dict[str, float], claim: Claim) -> float:
    probabilities = claim.kind_probs or {claim.kind: 1.0}
    return sum(p * kinds.get(kind, 0.0) for kind, p in probabilities.items())


def _figure_value(rubric: Rubric, figure: Figure) -> float:
    quality = rubric.figures
    value = figure.weight * (quality.approx if figure.approx else 1.0)
    value *= quality.sourced if figure.sourced else 1.0
    value *= quality.dated if figure.date else 1.0
    return value * (quality.baseline if figure.baseline else 1.0)


class _Index:
    """The claims of one case joined into one string, so each sub-point scans the case once and only the
    claims it touches are read closely."""

    def __init__(self, claims: Sequence[Claim], rubric: Rubric) -> None:
        self.claims = claims
        self.rubric = rubric
        self.starts, position = [], 0
        for claim in claims:
            self.starts.append(position)
            position += len(claim.text) + 1
        self.joined = "\n".join(claim.text for claim in claims)
        self.quantities = {id(claim): claim.quantities for claim in claims}
        self._credits: dict[tuple[int, int], float] = {}

    def credit(self, kinds: dict[str, float], claim: Claim) -> float:
        """``_credit``, once per claim and kind table (criteria share their tables among sub-points)."""
        key = (id(kinds), id(claim))
        value = self._credits.get(key)
        if value is None:
            value = self._credits[key] = _credit(kinds, claim)
        return value

    @cached_property
    def with_figures(self) -> list[Claim]:
        return [claim for claim in self.claims if self.quantities[id(claim)]]

    @cached_property
    def concreteness(self) -> dict[int, float]:
        # the share of facts among the claims that assert something (a fact, or evaluative words):
        # neutral padding neither helps nor hurts
        factual = sum(1 for claim in self.claims if _factual(claim))
        asserting = factual + sum(
            1 for claim in self.claims if not _factual(claim) and self.rubric.evaluative.search(claim.text)
        )
        share = factual / asserting if asserting else 1.0
        thin = min(1.0, 0.4 + 0.6 * share / self.rubric.substance) if self.rubric.substance > 0 else 1.0
        return {
            claim.index: _concreteness(claim, self.rubric) * (1.0 if _factual(claim) else thin)
            for claim in self.claims
        }

    def candidates(self, sub: Subpoint) -> list[tuple[Claim, dict[str, int]]]:
        """The claims holding evidence for ``sub``, in order, each with its distinct matched terms and where
        they start in the claim (empty for quantity sub-points)."""
        if sub.kind == "quantity":
            return [(claim, {}) for claim in self.with_figures]
        if sub.kind == "orientation":
            return [
                (claim, {}) for claim in self.claims if claim.orientation.get(sub.label, 0.0) >= sub.threshold
            ]
        found: dict[int, dict[str, int]] = {}
        for pattern in sub.patterns:
            for match in finditer(pattern, self.joined):
                if match.end() > match.start():
                    i = bisect.bisect_right(self.starts, match.start()) - 1
                    found.setdefault(i, {}).setdefault(match.group(0), match.start() - self.starts[i])
        return [(self.claims[i], found[i]) for i in sorted(found)]


def _hits(
    sub: Subpoint,
    claim: Claim,
    terms: dict[str, int],
    rubric: Rubric,
    concreteness: float,
    seen: set[str],
    quantities: list[Figure] | None = None,
) -> tuple[float, list[int]]:
    """Evidence strength of ``claim`` for ``sub`` and the positions of what matched (none for the learned
    orientation, whose strength is its probability).

    A term already counted for this sub-point in an earlier claim counts ``rubric.repeat``: saying 创新 ten
    times is not ten pieces of evidence."""
    if sub.kind == "orientation":
        return claim.orientation.get(sub.label, 0.0), []
    if sub.kind == "quantity":
        quantities = claim.quantities if quantities is None else quantities
        figures = [f for f in quantities if sub.units is None or f.unit in sub.units]
        if not figures:
            return 0.0, []
        in_context = any(pattern.search(claim.text) for pattern in sub.context)
        factor = 1.0 if in_context else sub.figure_factor
        if factor <= 0:
            return 0.0, []
        return factor * sum(_figure_value(rubric, f) for f in figures), [max(f.start, 0) for f in figures]
    chosen = sorted(terms.items(), key=lambda item: item[1])[: rubric.term_cap]
    strength = sum(rubric.repeat if term in seen else 1.0 for term, _ in chosen) * concreteness
    seen.update(term for term, _ in chosen)
    return strength, [position for _, position in chosen]


def _factual(claim: Claim) -> bool:
    """Whether the claim states a checkable fact: a figure, a date, a 《名称》 or a source."""
    return bool(claim.figures or claim.sourced or "《" in claim.text)


def _concreteness(claim: Claim, rubric: Rubric) -> float:
    """1 for a claim that states a fact (figure, date, 《名称》, source); less for one that does not, least for
    a slogan (many evaluative words, no fact). The case-level substance share lowers fact-free claims
    further (``_Index.concreteness``)."""
    if _factual(claim):
        return 1.0
    evaluative = len(set(rubric.evaluative.findall(claim.text)))
    return rubric.slogan if evaluative >= rubric.slogan_words else rubric.abstract


def describe(claim: Claim, effect: str) -> str:
    """What a claim is, in a few Chinese words for a reason: kind (with its certainty), negation, hedges,
    figures and their quality."""
    kind = CLAIM_KINDS.get(claim.kind, claim.kind)
    sure = (claim.kind_probs or {claim.kind: 1.0}).get(claim.kind, 1.0)
    notes = [kind if sure >= 0.6 else f"{kind}？（把握 {sure:.0%}）"]
    if claim.negated and effect == "against":
        notes.append(f"否定：{claim.negation}")
    if claim.praise:
        notes.append(f"正面的否定：{claim.negation}")
    if claim.hedged:
        notes.append("含糊：" + "、".join(claim.hedges or [f.text for f in claim.figures if f.approx]))
    figures = claim.quantities
    if figures:
        marks = [
            name
            for name, present in (
                ("有来源", claim.sourced),
                ("有日期", any(f.date for f in figures)),
                ("有对比", any(f.baseline for f in figures)),
            )
            if present
        ]
        notes.append(
            "数字 " + "、".join(f.text for f in figures[:3]) + (f"（{'、'.join(marks)}）" if marks else "")
        )
    return "，".join(notes)


def _inside(position: int, claim: Claim) -> bool:
    """Whether a match at ``position`` lies in the claim's negation scope, after the cue (a match that
    starts with the cue, like 不标注广告, names the bad thing itself)."""
    if not claim.negation:
        return False
    start = claim.text.find(claim.negation)
    return start >= 0 and start < position < start + len(claim.negation)


def measure_criterion(
    criterion: Criterion, rubric: Rubric, claims: Sequence[Claim], index: _Index | None = None
) -> CriterionEvidence:
    """The evidence of one criterion in the claims (see the module docstring)."""
    index = index or _Index(claims, rubric)
    raw, effects, counts = 0.0, [], {}
    share: dict[int, float] = {}
    concreteness = index.concreteness
    for sub in criterion.subpoints:
        kinds = sub.kinds or criterion.kinds
        support = against = 0.0
        found: list[tuple[Claim, str, float]] = []
        seen: set[str] = set()
        for claim, terms in index.candidates(sub):
            strength, positions = _hits(
                sub, claim, terms, rubric, concreteness[claim.index], seen, index.quantities[id(claim)]
            )
            if strength <= 0:
                continue
            credit = index.credit(kinds, claim)
            if sub.negative:
                # disavowed (杜绝标题党): the evidence lies inside a negation's scope, after its cue
                inside = sum(1 for p in positions if _inside(p, claim))
                each = credit * strength / max(1, len(positions))
                if inside:
                    support += 0.5 * each * inside
                    found.append((claim, "for", 0.5 * each * inside))
                if len(positions) > inside:
                    against += each * (len(positions) - inside)
                    found.append((claim, "against", each * (len(positions) - inside)))
            elif claim.negated:
                # denying a result or a deliverable is a failure (尚未上线、未能达到); denying a practice is a
                # choice (不设考核排名), which neither adds nor takes away
                probabilities = claim.kind_probs or {claim.kind: 1.0}
                failed = probabilities.get("result", 0.0) + probabilities.get("input", 0.0)
                failed += 0.5 * probabilities.get("plan", 0.0)
                if failed * credit * strength > 0:
                    against += failed * credit * strength
                    found.append((claim, "against", failed * credit * strength))
            else:
                value = credit * strength * (rubric.hedged if claim.hedges else 1.0)
                support += value
                found.append((claim, "for" if credit >= COUNTED else "discounted", value))
        gained = sub.weight * math.log2(1.0 + support)
        lost = sub.weight * rubric.negated * math.log2(1.0 + against)
        raw += gained - lost
        counts[sub.key] = sum(1 for _, effect, _ in found if effect == "for")
        for claim, effect, value in found:
            total = support if effect != "against" else against
            scaled = (gained if effect != "against" else -lost) * value / total if total else 0.0
            effects.append(Effect(claim.index, sub.key, sub.name, effect, round(scaled, 4)))
            if effect == "for" and sub.quote:
                share[claim.index] = share.get(claim.index, 0.0) + scaled
    best = sorted(share, key=lambda index: (-share[index], index))[: rubric.max_quotes]
    by_index = {claim.index: claim for claim in claims}
    quotes = [by_index[index].text for index in sorted(best) if share[index] > 0]
    return CriterionEvidence(raw, effects, quotes, counts)


def measure(rubric: Rubric, claims: Sequence[Claim]) -> dict[str, CriterionEvidence]:
    """The evidence of every criterion in the claims.

    Args:
        rubric: the rubric.
        claims: the case's claims (``pipelines.claims.extract_claims``; title included as a claim).

    Returns:
        Criterion key -> its evidence, raw strength, effects per claim and best quotes.
    """
    index = _Index(claims, rubric)
    return {
        key: measure_criterion(criterion, rubric, claims, index) for key, criterion in rubric.criteria.items()
    }
