"""View models for the review queue and the case page, assembled from the store.

Submissions + newest machine suggestions + organizer flag actions + reviews → a queue table (pandas) and a
``CaseView`` dataclass, with the visibility rules applied here: blind review hides who applied, AI scores
stay hidden until the reviewer has scored (when so set), other reviewers' opinions stay hidden until the
reviewer has submitted their own. Pages only render what comes out.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from statistics import fmean
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from pipelines import auth, store
from pipelines.auth import User
from pipelines.config import Settings, get_settings
from pipelines.review import decisions as review
from pipelines.review.decisions import FlagState, Review
from pipelines.schema import AlignedPair, CategorySuggestion, DuplicateMatch, Finding, ScoreResult, Submission
from pipelines.store import FlagActionRow, PastCaseRow, ReviewRow, SubmissionRow, SuggestionRow
from pipelines.units import unit_core
from pipelines.vocabulary import (
    CATEGORY_IDS,
    CRITERIA,
    FLAGS,
    ITERATION_LABELS,
    MATCH_KIND_LABELS,
    OUTCOME_LABELS,
    SEVERITY_ICONS,
    SEVERITY_LABELS,
    SEVERITY_ORDER,
    SIGNAL_LABELS,
    VERDICTS,
    category_label,
    flag_label,
)

HIDDEN = "（盲评隐藏）"
REDACTED = "〔已隐去〕"
STATUS_LABELS: dict[str, str] = {"all": "全部", "todo": "未评", "done": "已评", "conflict": "回避"}
QUEUE_COLUMNS: dict[str, str] = {
    "id": "编号",
    "title": "案例名称",
    "unit": "申报单位",
    "declared": "申报类别",
    "suggested": "建议类别",
    "confidence": "置信度",
    "uncertainty": "不确定度",
    "flags": "问题标记",
    "ai_total": "AI总分",
    "llm_total": "大模型总分",
    "status": "评审状态",
    "n_reviews": "评审数",
    "decisions": "评审结论",
    "mean_total": "专家平均分",
}
SORTABLE = (
    "id",
    "title",
    "declared",
    "suggested",
    "confidence",
    "uncertainty",
    "n_flags",
    "ai_total",
    "n_reviews",
    "mean_total",
)


@dataclass
class QueueFilter:
    """What the reviewer asked to see."""

    search: str = ""
    categories: list[int] = field(default_factory=list)  # declared or suggested category
    flag_groups: list[str] = field(default_factory=list)  # keys of FLAG_GROUP_LABELS; any of them
    status: str = "all"  # keys of STATUS_LABELS (a reviewer's own status; for others: reviewed by anyone)
    sort_by: str = "id"  # one of SORTABLE
    descending: bool = False


@dataclass
class Flag:
    """A machine finding on a case together with the organizer's newest action on it."""

    submission_id: int
    code: str
    severity: str
    message: str
    evidence: str = ""
    related_ids: list[str] = field(default_factory=list)
    state: FlagState | None = None
    title: str = ""  # the case's title, for lists of flags across cases

    @property
    def related_id(self) -> str:
        """The part of the flag's identity beyond its code (the other case for repeat/duplicate flags)."""
        return self.related_ids[0] if self.code in VERDICTS and self.related_ids else ""

    @property
    def label(self) -> str:
        return flag_label(self.code)

    @property
    def severity_label(self) -> str:
        return SEVERITY_LABELS.get(self.severity, self.severity)

    @property
    def open(self) -> bool:
        """Still counts: not dismissed by an organizer."""
        return self.state is None or self.state.action != "dismissed"


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


def is_blind_for(user: User, settings: Settings) -> bool:
    """Blind review applies to reviewers only; organizers must know who applied."""
    return settings.blind_review and not user.can(auth.VIEW_ALL_REVIEWS)


def category_from_payload(payload: dict[str, Any]) -> CategorySuggestion:
    """A stored category suggestion, with JSON's string keys turned back into category ids."""

    def int_keys(mapping: dict[Any, Any] | None) -> dict[int, Any]:
        return {int(k): v for k, v in (mapping or {}).items()}

    data = dict(payload)
    data["probabilities"] = {k: float(v) for k, v in int_keys(data.get("probabilities")).items()}
    data["evidence"] = int_keys(data.get("evidence"))
    data["terms"] = int_keys(data.get("terms"))
    known = CategorySuggestion.__dataclass_fields__
    return CategorySuggestion(**{k: v for k, v in data.items() if k in known})


def findings_from_payload(payload: Sequence[dict[str, Any]] | None) -> list[Finding]:
    known = Finding.__dataclass_fields__
    return [Finding(**{k: v for k, v in item.items() if k in known}) for item in payload or []]


def score_from_payload(payload: dict[str, Any]) -> ScoreResult:
    known = ScoreResult.__dataclass_fields__
    return ScoreResult(**{k: v for k, v in payload.items() if k in known})


def match_from_payload(payload: dict[str, Any]) -> DuplicateMatch:
    known = DuplicateMatch.__dataclass_fields__
    data = {k: v for k, v in payload.items() if k in known}
    pair_fields = AlignedPair.__dataclass_fields__
    data["aligned"] = [
        AlignedPair(**{k: v for k, v in pair.items() if k in pair_fields})
        for pair in data.get("aligned") or []
    ]
    return DuplicateMatch(**data)


def _mean_score(payload: Any) -> float:
    scores = (payload or {}).get("scores") or {}
    given = [float(scores[k]) for k in CRITERIA if scores.get(k) is not None]
    return fmean(given) if len(given) == len(CRITERIA) else np.nan


def _flags_for(
    submission_id: int,
    findings: list[Finding],
    category: CategorySuggestion | None,
    declared: int | None,
    states: dict[review.FlagKey, FlagState],
) -> list[Flag]:
    if category is not None and category.misfiled and not any(f.code == "misfiled" for f in findings):
        suggested = category.suggested_category or category.category
        message = (
            f"申报类别为「{category_label(declared)}」，模型认为更可能是「{category_label(suggested)}」。"
        )
        findings = [*findings, Finding("misfiled", "check", message, "；".join(category.reasons[:3]))]
    flags = [
        Flag(submission_id, f.code, f.severity, f.message, f.evidence, [str(r) for r in f.related_ids])
        for f in findings
    ]
    for flag in flags:
        flag.state = states.get((submission_id, flag.code, flag.related_id))
    return flags


def groups_of(flag: Flag) -> set[str]:
    """Keys of FLAG_GROUP_LABELS a flag belongs to (any blocker also counts as ineligible)."""
    kind = FLAGS.get(flag.code)
    groups = {kind.group} if kind and kind.group else set()
    if flag.severity == "blocker":
        groups.add("ineligible")
    return groups


def flag_group_keys(flags: Iterable[Flag]) -> set[str]:
    """Keys of FLAG_GROUP_LABELS that the open (not dismissed) flags fall into."""
    return set().union(*(groups_of(f) for f in flags if f.open))


def _flag_text(flags: list[Flag]) -> str:
    shown = [f for f in flags if f.open and f.severity != "info"]
    marks = {k: v for k, v in SEVERITY_ICONS.items() if k != "info"}
    return " ".join(f"{marks.get(f.severity, '')}{f.label}{'✓' if f.state else ''}" for f in shown)


def _latest_payloads(engine: Engine, year: int, kinds: Sequence[str]) -> dict[str, dict[int, Any]]:
    """kind → {submission id: payload} of the newest suggestions of the year's current cases (one query,
    plain columns: the queue reads thousands of payloads and ORM objects would double the time)."""
    newest = (
        select(func.max(SuggestionRow.id))
        .join(SubmissionRow, SubmissionRow.id == SuggestionRow.submission_id)
        .where(SuggestionRow.kind.in_(kinds), SubmissionRow.year == year, SubmissionRow.is_current.is_(True))
        .group_by(SuggestionRow.submission_id, SuggestionRow.kind)
    )
    query = select(SuggestionRow.submission_id, SuggestionRow.kind, SuggestionRow.payload).where(
        SuggestionRow.id.in_(newest)
    )
    found: dict[str, dict[int, Any]] = {kind: {} for kind in kinds}
    with store.session_scope(engine) as session:
        for sid, kind, payload in session.execute(query):
            found[kind][sid] = payload
    return found


def load_flags(engine: Engine, year: int) -> dict[int, list[Flag]]:
    """Flags per current case of the year, from the newest eligibility and category suggestions."""
    rows = _queue_rows(engine, year)
    payloads = _latest_payloads(engine, year, ("category", "eligibility"))
    states = review.flag_states(engine, [r[0] for r in rows])
    result = {}
    for sid, title, _file, _unit, _implementer, declared in rows:
        findings = findings_from_payload(payloads["eligibility"].get(sid))
        category = payloads["category"].get(sid)
        result[sid] = _flags_for(
            sid, findings, category_from_payload(category) if category else None, declared, states
        )
        for flag in result[sid]:
            flag.title = title
    return result


def _queue_rows(engine: Engine, year: int) -> list[tuple[int, str, str, str, str, int | None]]:
    query = (
        select(
            SubmissionRow.id,
            SubmissionRow.title,
            SubmissionRow.file_name,
            SubmissionRow.unit,
            SubmissionRow.implementer,
            SubmissionRow.declared_category,
        )
        .where(SubmissionRow.year == year, SubmissionRow.is_current.is_(True))
        .order_by(SubmissionRow.id)
    )
    with store.session_scope(engine) as session:
        return [tuple(row) for row in session.execute(query)]


def build_queue(
    engine: Engine,
    user: User,
    queue_filter: QueueFilter | None = None,
    settings: Settings | None = None,
    year: int | None = None,
) -> pd.DataFrame:
    """The review queue for ``user``: one row per current case of the year, filtered and sorted.

    Returns:
        A frame with the keys of ``QUEUE_COLUMNS`` plus ``n_flags`` and ``flag_groups`` (set of group keys),
        ``unit`` hidden and AI totals NaN where the user may not see them.
    """
    settings = settings or get_settings()
    frame = queue_frame(engine, user, settings, year or settings.call_year)
    return filter_queue(frame, queue_filter or QueueFilter())


def data_version(engine: Engine) -> tuple[int, ...]:
    """Changes whenever anything the queue shows changes (every such change is an insert), so a cached
    queue frame keyed by it is never stale."""
    tables = (SubmissionRow, SuggestionRow, ReviewRow, FlagActionRow)
    with store.session_scope(engine) as session:
        return tuple(session.scalar(select(func.coalesce(func.max(t.id), 0))) for t in tables)


def queue_frame(engine: Engine, user: User, settings: Settings, year: int) -> pd.DataFrame:
    """The whole queue of ``year`` for ``user`` (unfiltered, by id); see ``build_queue``."""
    auth.require(user, auth.VIEW_QUEUE)
    rows = _queue_rows(engine, year)
    ids = [r[0] for r in rows]
    payloads = _latest_payloads(engine, year, ("category", "eligibility", "scores", "llm_scores"))
    categories, eligibility = payloads["category"], payloads["eligibility"]
    ai = {sid: _mean_score(payload) for sid, payload in payloads["scores"].items()}
    llm = {sid: _mean_score(payload) for sid, payload in payloads["llm_scores"].items()}
    states = review.flag_states(engine, ids)
    visible, counts = review.queue_reviews(engine, user, year)
    blind = is_blind_for(user, settings)
    is_reviewer = user.can(auth.REVIEW)
    hide_ai = settings.hide_ai_scores_until_reviewed and is_reviewer
    mine = {r.submission_id: r for r in visible if r.reviewer_id == user.id}
    scored_by_me = {sid for sid, r in mine.items() if not r.conflict_of_interest}
    scored: dict[int, list[Review]] = {}
    for r in visible:
        if not r.conflict_of_interest:
            scored.setdefault(r.submission_id, []).append(r)
    records = []
    for sid, title, file_name, unit, implementer, declared in rows:
        if blind:
            title = _redactor([unit, implementer])(title)
        category = category_from_payload(categories[sid]) if sid in categories else None
        findings = findings_from_payload(eligibility.get(sid))
        flags = _flags_for(sid, findings, category, declared, states)
        others = scored.get(sid, [])
        show_ai = not hide_ai or sid in scored_by_me
        conflict = sid in mine and mine[sid].conflict_of_interest
        if is_reviewer and not conflict:
            conflict = bool(review.conflict_reason(user, unit, implementer))
        records.append(
            {
                "id": sid,
                "title": title,
                "unit": HIDDEN if blind else unit,
                "_search": title if blind else " ".join([title, file_name, unit, implementer]),
                "declared": category_label(declared) if declared else "未填",
                "declared_id": declared,
                "suggested": category_label(category.category) if category else "",
                "suggested_id": category.category if category else None,
                "confidence": max(category.probabilities.values())
                if category and category.probabilities
                else np.nan,
                "uncertainty": uncertainty(category),
                "flags": _flag_text(flags),
                "n_flags": sum(1 for f in flags if f.open and f.severity != "info"),
                "flag_groups": flag_group_keys(flags),
                "ai_total": ai.get(sid, np.nan) if show_ai else np.nan,
                "llm_total": llm.get(sid, np.nan) if show_ai else np.nan,
                "status": _status(is_reviewer, sid in scored_by_me, conflict, counts.get(sid, 0)),
                "n_reviews": counts.get(sid, 0),
                "decisions": "，".join(
                    f"{d}×{n}" for d in review.DECISIONS if (n := sum(r.decision == d for r in others))
                ),
                "mean_total": fmean(r.total for r in others) if others else np.nan,
            }
        )
    return pd.DataFrame.from_records(records, columns=[*QUEUE_COLUMNS, *_EXTRA_COLUMNS])


def uncertainty(category: CategorySuggestion | None) -> float:
    """Sort key for learning from reviewers: 1 − (top − second category probability), in [0, 1].

    Near 1 the classifier cannot tell its two best categories apart, so a reviewer's confirmed category teaches
    it most (sort descending); NaN without a suggestion (sorted last).
    """
    if category is None or not category.probabilities:
        return np.nan
    top, second = sorted(category.probabilities.values(), reverse=True)[:2]
    return 1.0 - (top - second)


_EXTRA_COLUMNS = ("_search", "declared_id", "suggested_id", "n_flags", "flag_groups")


def _status(is_reviewer: bool, scored: bool, conflict: bool, count: int) -> str:
    if is_reviewer:
        if scored:
            return STATUS_LABELS["done"]
        return STATUS_LABELS["conflict"] if conflict else STATUS_LABELS["todo"]
    return f"已评 {count} 人" if count else STATUS_LABELS["todo"]


def filter_queue(frame: pd.DataFrame, queue_filter: QueueFilter) -> pd.DataFrame:
    """The rows of a queue frame that match the filter, in the asked order."""
    keep = pd.Series(True, index=frame.index)
    term = queue_filter.search.strip().casefold()
    if term:
        by_text = frame["_search"].str.casefold().str.contains(term, regex=False)
        keep &= by_text | (frame["id"].astype(str) == term)
    if queue_filter.categories:
        wanted = set(queue_filter.categories)
        keep &= frame["declared_id"].isin(wanted) | frame["suggested_id"].isin(wanted)
    if queue_filter.flag_groups:
        wanted_groups = set(queue_filter.flag_groups)
        keep &= frame["flag_groups"].map(lambda groups: bool(groups & wanted_groups)).astype(bool)
    if queue_filter.status != "all":
        status = frame["status"]
        if queue_filter.status == "done":
            keep &= (status == STATUS_LABELS["done"]) | status.str.startswith("已评 ")
        else:
            keep &= status == STATUS_LABELS[queue_filter.status]
    sort_by = queue_filter.sort_by if queue_filter.sort_by in SORTABLE else "id"
    sort_column = {"declared": "declared_id", "suggested": "suggested_id"}.get(sort_by, sort_by)
    result = frame[keep].sort_values(
        [sort_column, "id"], ascending=[not queue_filter.descending, True], na_position="last", kind="stable"
    )
    return result.reset_index(drop=True)


def default_order(engine: Engine, user: User, year: int) -> tuple[list[int], list[int]]:
    """The unfiltered queue order (by id) and the cases ``user`` has already reviewed or recused from:
    what 下一件 needs when the case page is opened from a link, without building the whole queue."""
    auth.require(user, auth.VIEW_QUEUE)
    ids = select(SubmissionRow.id).where(SubmissionRow.year == year, SubmissionRow.is_current.is_(True))
    done = select(ReviewRow.submission_id).where(ReviewRow.reviewer_id == user.id).distinct()
    with store.session_scope(engine) as session:
        order = list(session.scalars(ids.order_by(SubmissionRow.id)))
        return order, list(session.scalars(done))


def next_case_id(order: Sequence[int], current: int | None, skip: Iterable[int] = ()) -> int | None:
    """The case after ``current`` in the queue order, skipping ``skip``; None at the end of the queue.

    When ``current`` is not in the order (filtered out), the first case of the order is next.
    """
    skipped = set(skip)
    start = order.index(current) + 1 if current in order else 0
    return next((sid for sid in order[start:] if sid not in skipped), None)


# --- the case page ---------------------------------------------------------------------------------------


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


def _identity(text: str) -> str:
    return text


def _redactor(names: Iterable[str]) -> Callable[[str], str]:
    """A function that replaces the given names (and their distinctive cores) with ``REDACTED``."""
    variants = set()
    for name in names:
        name = (name or "").strip()
        if len(name) >= 2:
            variants.add(name)
            variants.update(name[len(p) :] for p in ("中华人民共和国", "中国", "中华") if name.startswith(p))
            core = unit_core(name)
            if len(core) >= 2:
                variants.add(core)
    if not variants:
        return _identity
    pattern = re.compile("|".join(re.escape(v) for v in sorted(variants, key=len, reverse=True)))
    return lambda text: pattern.sub(REDACTED, text or "")


def _blind_submission(submission: Submission) -> tuple[Submission, Callable[[str], str]]:
    redact = _redactor(
        [submission.unit, submission.implementer, submission.recommender, submission.contact.name]
    )
    hidden = Submission.from_dict(submission.to_dict())
    hidden.unit = hidden.implementer = hidden.recommender = hidden.file_name = HIDDEN
    hidden.contact.name = hidden.contact.phone = hidden.contact.email = HIDDEN
    hidden.title = redact(hidden.title)
    hidden.sections = {label: redact(text) for label, text in hidden.sections.items()}
    hidden.text = redact(hidden.text)
    hidden.warnings = [redact(w) for w in hidden.warnings]
    for application in hidden.previous_applications:
        application.title = redact(application.title)
    return hidden, redact


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
    category = category_from_payload(suggestions["category"].payload) if suggestions["category"] else None
    findings = findings_from_payload(
        suggestions["eligibility"].payload if suggestions["eligibility"] else None
    )
    flags = _flags_for(
        submission_id, findings, category, row.declared_category, review.flag_states(engine, ids)
    )
    show_ai = review.ai_scores_visible(engine, user, submission_id, settings)
    scores = [score_from_payload(suggestions[k].payload) for k in ("scores", "llm_scores") if suggestions[k]]
    matches = [
        match_from_payload(m)
        for m in (suggestions["duplicates"].payload if suggestions["duplicates"] else [])
    ]
    submission = row.submission()
    blind = is_blind_for(user, settings)
    redact = _identity
    if blind:
        submission, redact = _blind_submission(submission)
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


def flag_table(engine: Engine, user: User, year: int, groups: Sequence[str] = ()) -> list[Flag]:
    """Open and handled flags of the year for the organizer board, blockers first."""
    auth.require(user, auth.DASHBOARD)
    flags = [
        f for case_flags in load_flags(engine, year).values() for f in case_flags if f.severity != "info"
    ]
    if groups:
        wanted = set(groups)
        flags = [f for f in flags if groups_of(f) & wanted]
    order = SEVERITY_ORDER
    return sorted(flags, key=lambda f: (f.state is not None, order.get(f.severity, 3), f.submission_id))
