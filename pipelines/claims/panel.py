"""What the case page shows of a case's claims: each claim with its marks, figures to highlight, and the
criteria's findings citing it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from pipelines.claims.claim import Claim
from pipelines.claims.extract import extract_claims
from pipelines.claims.marks import ClaimMark, claim_key, claim_marks
from pipelines.review.case_view import Segment
from pipelines.schema import ScoreResult
from pipelines.vocabulary import CLAIM_KINDS, CRITERIA

# How the page marks each kind of claim; negated claims get their own mark whatever their kind.
KIND_MARKS = {
    "result": "✅",
    "practice": "🔧",
    "plan": "🗓️",
    "input": "📥",
    "background": "📄",
    "other_party": "↪️",
    "negated": "⛔",
}
EFFECT_LABELS = {"for": "依据", "discounted": "打折计入", "against": "负面发现"}


@dataclass
class ClaimLine:
    """One claim as the page lists it."""

    number: int  # 1-based, as the reasons cite it
    claim: Claim
    mark: str  # KIND_MARKS entry
    label: str  # Chinese kind label, with 否定/含糊/有来源 notes
    segments: list[Segment]  # the claim text with its figures tagged for highlighting
    reviewer_mark: ClaimMark | None = None


@dataclass
class CriterionFindings:
    """A criterion's reason and the claims it cites, per effect."""

    criterion: str
    label: str
    reason: str
    cited: dict[str, list[int]] = field(default_factory=dict)  # effect -> claim numbers


@dataclass
class ClaimsPanel:
    lines: list[ClaimLine]
    findings: list[CriterionFindings]


def _segments(claim: Claim) -> list[Segment]:
    segments, position = [], 0
    for figure in sorted(claim.figures, key=lambda f: f.start):
        if figure.start < position:
            continue
        if figure.start > position:
            segments.append(Segment(claim.text[position : figure.start]))
        segments.append(Segment(claim.text[figure.start : figure.end], "same"))
        position = figure.end
    if position < len(claim.text):
        segments.append(Segment(claim.text[position:]))
    return segments


def _label(claim: Claim) -> str:
    notes = [CLAIM_KINDS.get(claim.kind, claim.kind)]
    if claim.negated:
        notes.append(f"否定：{claim.negation}")
    if claim.hedged:
        notes.append("含糊")
    if claim.sourced:
        notes.append("有来源")
    if claim.owner == "other":
        notes.append("他方")
    return " · ".join(notes)


def claims_panel(
    engine: Engine, submission_id: int, text: str, scores: Sequence[ScoreResult] = ()
) -> ClaimsPanel:
    """The claims of a case for the page, with reviewers' marks and (when scores are visible) findings.

    Args:
        engine: the store (for the marks).
        submission_id: the case.
        text: its narrative text.
        scores: the visible score results; their findings cite claims by number.
    """
    marks = claim_marks(engine, submission_id)
    lines = [
        ClaimLine(
            claim.index + 1,
            claim,
            KIND_MARKS["negated" if claim.negated else claim.kind],
            _label(claim),
            _segments(claim),
            marks.get(claim_key(claim.text)),
        )
        for claim in extract_claims(text)
    ]
    findings = []
    for result in scores:
        for key, label in CRITERIA.items():
            cited: dict[str, list[int]] = {}
            for item in result.findings.get(key, []):
                cited.setdefault(item["effect"], []).append(int(item["claim"]) + 1)
            name = f"{label}（{'大模型' if result.scorer == 'llm' else '离线'}）"
            findings.append(CriterionFindings(key, name, result.reasons.get(key, ""), cited))
    return ClaimsPanel(lines, findings)
