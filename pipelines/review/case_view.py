"""The case page's view model: the form with highlighted evidence, the machine's suggestions, possible
repeats side by side, and the reviews the user may see (visibility rules applied here, not in the page)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine

from pipelines import auth, store
from pipelines.auth import User
from pipelines.config import Settings, get_settings
from pipelines.review import decisions as review
from pipelines.review import flag_actions
from pipelines.review.blind import HIDDEN, blind_submission, identity, is_blind_for
from pipelines.review.decisions import Review
from pipelines.review.flags import Flag, flags_for
from pipelines.schema import CategorySuggestion, DuplicateMatch, Finding, ScoreResult, Submission
from pipelines.store import (
    PastCaseRow,
    SubmissionRow,
)
from pipelines.vocabulary import (
    CATEGORY_IDS,
    FLAGS,
    ITERATION_LABELS,
    MATCH_KIND_LABELS,
    OUTCOME_LABELS,
    SIGNAL_LABELS,
    category_label,
)


@dataclass
class Segment:
    """A piece of text; ``tag`` names why it is highlighted (None = plain)."""

    text: str
    tag: str | None = None


@dataclass
class SectionView:
    label: str
    segments: list[Segment]
    word_count: int | None = None
    limit: int | None = None


@dataclass
class PairView:
    similarity: float
    this_section: str
    other_section: str
    this_segments: list[Segment]
    other_segments: list[Segment]


@dataclass
class MatchView:
    """One possible repeat/duplicate with the other case resolved and passages side by side."""

    match: DuplicateMatch
    other_title: str
    other_unit: str
    other_year: int | None
    other_outcome: str
    pairs: list[PairView]
    flag: Flag | None = None

    @property
    def kind_label(self) -> str:
        return MATCH_KIND_LABELS.get(self.match.kind, self.match.kind)

    @property
    def verdict_label(self) -> str:
        kind = FLAGS.get(self.match.verdict)
        return kind.verdict if kind else self.match.verdict


@dataclass
class CaseView:
    """Everything the case page shows for one user."""

    id: int
    year: int
    version: int
    is_current: bool
    blind: bool
    submission: Submission  # unit/implementer/contact/file name already hidden when blind
    sections: list[SectionView]
    category: CategorySuggestion | None
    flags: list[Flag]
    matches: list[MatchView]
    scores: list[ScoreResult]  # empty while hidden
    ai_scores_hidden: bool
    own_reviews: list[Review]  # every version, newest first
    other_reviews: list[Review] | None  # None while hidden from this user
    can_review: bool
    review_block_reason: str
    versions: list[tuple[int, int, bool]]  # (submission id, version, is current), oldest first

    @property
    def latest_own(self) -> Review | None:
        return self.own_reviews[0] if self.own_reviews else None


def highlight(text: str, phrases: dict[str, str], min_length: int = 4) -> list[Segment]:
    """Split ``text`` into plain and highlighted segments.

    Args:
        text: the text to show.
        phrases: phrase → tag; every occurrence of a phrase is tagged (longer phrases win overlaps).
        min_length: shorter phrases are ignored (they would light up everywhere).
    """
    tags: list[str | None] = [None] * len(text)
    for phrase, tag in sorted(phrases.items(), key=lambda item: -len(item[0])):
        phrase = phrase.strip()
        if len(phrase) < min_length:
            continue
        for found in re.finditer(re.escape(phrase), text):
            for i in range(found.start(), found.end()):
                if tags[i] is None:
                    tags[i] = tag
    segments: list[Segment] = []
    for char, tag in zip(text, tags, strict=True):
        if segments and segments[-1].tag == tag:
            segments[-1].text += char
        else:
            segments.append(Segment(char, tag))
    return segments


def shared_passages(this: str, other: str, min_length: int = 6) -> tuple[list[Segment], list[Segment]]:
    """Both texts split into segments, with character runs they share (≥ ``min_length``) tagged ``same``."""
    matcher = difflib.SequenceMatcher(None, this, other, autojunk=False)
    blocks = [b for b in matcher.get_matching_blocks() if b.size >= min_length]

    def split(text: str, starts: list[tuple[int, int]]) -> list[Segment]:
        segments, position = [], 0
        for start, size in starts:
            if start > position:
                segments.append(Segment(text[position:start]))
            segments.append(Segment(text[start : start + size], "same"))
            position = start + size
        if position < len(text):
            segments.append(Segment(text[position:]))
        return segments

    return split(this, [(b.a, b.size) for b in blocks]), split(other, [(b.b, b.size) for b in blocks])


def _sections(
    submission: Submission, category: CategorySuggestion | None, scores: list[ScoreResult]
) -> list[SectionView]:
    phrases: dict[str, str] = {}
    for result in scores:
        for criterion, quotes in result.evidence.items():
            for quote in quotes:
                phrases.setdefault(quote, criterion)
    if category is not None:
        for category_id in category.top2 or [category.category]:
            for sentence in category.evidence.get(category_id, []):
                phrases.setdefault(sentence, f"category{category_id}")
    counts = {w.label: w for w in submission.word_counts}
    sections = submission.sections or ({"正文": submission.text} if submission.text else {})
    views = []
    for label, text in sections.items():
        count = counts.get(label)
        views.append(
            SectionView(
                label,
                highlight(text, phrases),
                count.count if count else None,
                count.limit if count else None,
            )
        )
    return views


def _other_cases(
    engine: Engine, matches: list[DuplicateMatch]
) -> dict[str, tuple[str, str, int | None, str]]:
    """other_id → (title, unit, year, outcome label) for past cases and same-batch submissions."""
    past_ids = [m.other_id for m in matches if m.kind != "same_batch"]
    batch_ids = [int(m.other_id) for m in matches if m.kind == "same_batch" and str(m.other_id).isdigit()]
    found: dict[str, tuple[str, str, int | None, str]] = {}
    with store.session_scope(engine) as session:
        for row in session.scalars(select(PastCaseRow).where(PastCaseRow.id.in_(past_ids))):
            found[row.id] = (row.title, row.unit, row.year, OUTCOME_LABELS.get(row.outcome, row.outcome))
        for row in session.scalars(select(SubmissionRow).where(SubmissionRow.id.in_(batch_ids))):
            found[str(row.id)] = (row.title, row.unit, row.year, "本批次")
    return found


def _match_views(
    engine: Engine,
    matches: list[DuplicateMatch],
    flags: list[Flag],
    blind: bool,
    redact: Callable[[str], str],
) -> list[MatchView]:
    others = _other_cases(engine, matches)
    by_related = {(f.code, f.related_id): f for f in flags}
    views = []
    for match in sorted(matches, key=lambda m: -m.score):
        title, unit, year, outcome = others.get(str(match.other_id), ("（未找到该案例）", "", None, ""))
        pairs = []
        for pair in match.aligned:
            this_text, other_text = (
                (redact(pair.this_text), redact(pair.other_text))
                if blind
                else (pair.this_text, pair.other_text)
            )
            this_segments, other_segments = shared_passages(this_text, other_text)
            pairs.append(
                PairView(
                    pair.similarity, pair.this_section, pair.other_section, this_segments, other_segments
                )
            )
        if blind:
            match.reasons = [redact(r) for r in match.reasons]
            match.iteration_report = {
                key: [redact(v) if isinstance(v, str) else v for v in value]
                if isinstance(value, list)
                else value
                for key, value in match.iteration_report.items()
            }
        views.append(
            MatchView(
                match,
                redact(title) if blind else title,
                HIDDEN if blind else unit,
                year,
                outcome,
                pairs,
                by_related.get((match.verdict, str(match.other_id))),
            )
        )
    return views


def case_view(
    engine: Engine, user: User, submission_id: int, settings: Settings | None = None
) -> CaseView | None:
    """Everything the case page shows to ``user`` for one case; None when the case does not exist."""
    auth.require(user, auth.VIEW_QUEUE)
    settings = settings or get_settings()
    row = store.get_submission(engine, submission_id)
    if row is None:
        return None
    ids = [submission_id]
    suggestions = {kind: store.latest_suggestions(engine, kind, ids).get(submission_id) for kind in _KINDS}
    payloads = {kind: row.payload if row else None for kind, row in suggestions.items()}
    category = CategorySuggestion.from_payload(payloads["category"]) if payloads["category"] else None
    findings = Finding.list_from_payload(payloads["eligibility"])
    flags = flags_for(
        submission_id, findings, category, row.declared_category, flag_actions.flag_states(engine, ids)
    )
    show_ai = review.ai_scores_visible(engine, user, submission_id, settings)
    scores = [ScoreResult.from_payload(payloads[k]) for k in ("scores", "llm_scores") if suggestions[k]]
    matches = DuplicateMatch.list_from_payload(payloads["duplicates"])
    submission = row.submission()
    blind = is_blind_for(user, settings)
    redact = identity
    if blind:
        submission, redact = blind_submission(submission)
        for flag in flags:
            flag.message, flag.evidence = redact(flag.message), redact(flag.evidence)
    own, others = review.review_history(engine, user, submission_id)
    block = ""
    if not user.can(auth.REVIEW):
        block = "只有评审专家可以提交评审意见。"
    elif not row.is_current:
        block = "此为旧版本，请评审最新版本。"
    else:
        block = review.conflict_reason(user, row.unit, row.implementer)
    return CaseView(
        id=row.id,
        year=row.year,
        version=row.version,
        is_current=row.is_current,
        blind=blind,
        submission=submission,
        sections=_sections(submission, category, scores if show_ai else []),
        category=category,
        flags=flags,
        matches=_match_views(engine, matches, flags, blind, redact),
        scores=scores if show_ai else [],
        ai_scores_hidden=bool(scores) and not show_ai,
        own_reviews=own,
        other_reviews=others,
        can_review=not block,
        review_block_reason=block,
        versions=[(v.id, v.version, v.is_current) for v in store.submission_versions(engine, submission_id)],
    )


_KINDS = ("category", "eligibility", "duplicates", "scores", "llm_scores")


def signal_frame(match: DuplicateMatch) -> pd.DataFrame:
    """The match's signals with Chinese names: columns 信号, 数值."""
    return pd.DataFrame(
        {
            "信号": [SIGNAL_LABELS.get(k, k) for k in match.signals],
            "数值": [round(float(v), 3) for v in match.signals.values()],
        }
    )


def iteration_view(report: dict[str, Any]) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    """An iteration report as (per-section table: 本案部分, 往年部分, 新内容占比; [(what is new, items)])."""
    sections = pd.DataFrame(
        [
            {
                "本案部分": row.get("section", ""),
                "往年部分": row.get("past_section", ""),
                "新内容占比": row.get("new_ratio"),
            }
            for row in report.get("sections") or []
        ],
        columns=["本案部分", "往年部分", "新内容占比"],
    )
    items = [
        (label, "；".join(str(v) for v in report[key]))
        for key, label in ITERATION_LABELS.items()
        if report.get(key)
    ]
    return sections, items


def category_probability_frame(category: CategorySuggestion) -> pd.DataFrame:
    """Probabilities of the six categories for a bar chart: columns 类别, 概率 (in category order)."""
    return pd.DataFrame(
        {
            "类别": [category_label(c) for c in CATEGORY_IDS],
            "概率": [float(category.probabilities.get(c, 0.0)) for c in CATEGORY_IDS],
        }
    )
