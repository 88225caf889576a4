"""Human responses: reviews with versions, who may see which review, and the conflict-of-interest rule.

Every save inserts a new version (the version number is computed inside the transaction and retried on the
unique constraint, so two sessions saving at once both land). Visibility rules live here, not in the UI:
a reviewer sees other reviewers' opinions on a case only after submitting their own, AI scores stay hidden
until then when ``settings.hide_ai_scores_until_reviewed``, and a reviewer from the applicant's unit cannot
score the case. Organizer flag actions are in ``flag_actions``, the audit list in ``audit``, progress and
agreement in ``agreement``.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from statistics import fmean

from sqlalchemy import Select, and_, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from pipelines import auth, store
from pipelines.auth import User
from pipelines.config import Settings, get_settings
from pipelines.store import (
    AuditRow,
    ReviewRow,
    SubmissionRow,
    UserRow,
)
from pipelines.units import match_units
from pipelines.vocabulary import (
    CATEGORY_IDS,
    CRITERIA,
    SCORE_MAX,
    SCORE_MIN,
)

DECISIONS: tuple[str, ...] = ("推荐", "待定", "不推荐")
SAVE_ATTEMPTS = 12
# Wait between attempts: a random 5–30 ms, times the attempt number, so concurrent savers spread out
RETRY_WAIT_S = (0.005, 0.03)


class ReviewError(ValueError):
    """A review or flag action that cannot be saved as given; Chinese message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class ReviewInput:
    """What a reviewer enters for one case."""

    final_category: int | None = None
    scores: dict[str, float | None] = field(
        default_factory=dict
    )  # keys of vocabulary.CRITERIA, SCORE_MIN–SCORE_MAX
    decision: str = ""  # one of DECISIONS
    comments: str = ""
    conflict_of_interest: bool = False


@dataclass(frozen=True)
class Review:
    """One saved version of a reviewer's response."""

    id: int
    submission_id: int
    reviewer_id: int
    reviewer: str
    version: int
    final_category: int | None
    scores: dict[str, float | None]
    decision: str
    comments: str
    conflict_of_interest: bool
    saw_ai_scores: bool
    created_at: datetime

    @property
    def total(self) -> float | None:
        """Mean of the criterion scores given (None when none)."""
        given = [v for v in self.scores.values() if v is not None]
        return fmean(given) if given else None


def to_review(row: ReviewRow, username: str) -> Review:
    """A stored review row as the ``Review`` the rest of the workbench sees."""
    return Review(
        id=row.id,
        submission_id=row.submission_id,
        reviewer_id=row.reviewer_id,
        reviewer=username,
        version=row.version,
        final_category=row.final_category,
        scores={key: getattr(row, key) for key in CRITERIA},
        decision=row.decision,
        comments=row.comments,
        conflict_of_interest=row.conflict_of_interest,
        saw_ai_scores=row.saw_ai_scores,
        created_at=row.created_at,
    )


_match_units = lru_cache(maxsize=8192)(
    match_units
)  # pure; a queue asks about the same few units thousands of times


def conflict_reason(user: User, unit: str, implementer: str = "") -> str:
    """Why ``user`` must not review a case of this applicant/implementer ('' when there is no conflict)."""
    if not user.unit.strip():
        return ""
    for role, name in (("申报单位", unit), ("实施单位", implementer)):
        match = _match_units(user.unit, name)
        if match.same:
            return f"您所在单位「{user.unit}」与本案例{role}「{name}」为同一单位（{match.reason}），按回避规则不能评审此案例。"
    return ""


def _has_submitted(session: Session, user_id: int, submission_id: int) -> bool:
    """Whether the user's newest review of the case is a real (not conflict) review."""
    row = session.scalar(
        select(ReviewRow)
        .where(ReviewRow.submission_id == submission_id, ReviewRow.reviewer_id == user_id)
        .order_by(ReviewRow.version.desc())
        .limit(1)
    )
    return row is not None and not row.conflict_of_interest


def has_submitted(engine: Engine, user: User, submission_id: int) -> bool:
    """Whether ``user`` has submitted their own (non-conflict) review of the case."""
    with store.session_scope(engine) as session:
        return _has_submitted(session, user.id, submission_id)


def ai_scores_visible(
    engine: Engine, user: User, submission_id: int, settings: Settings | None = None
) -> bool:
    """AI scores are shown unless the setting hides them from a reviewer who has not scored the case yet."""
    settings = settings or get_settings()
    if not settings.hide_ai_scores_until_reviewed or not user.can(auth.REVIEW):
        return True
    return has_submitted(engine, user, submission_id)


def _validate(data: ReviewInput) -> None:
    if data.conflict_of_interest:
        return
    if data.final_category not in CATEGORY_IDS:
        raise ReviewError("请选择最终类别（六个申报类别之一）后再保存。")
    if data.decision not in DECISIONS:
        raise ReviewError(f"请选择评审结论：{' / '.join(DECISIONS)}。")
    for key, label in CRITERIA.items():
        value = data.scores.get(key)
        if value is None:
            raise ReviewError(f"请给出“{label}”的分数（{SCORE_MIN}–{SCORE_MAX}）后再保存。")
        if not SCORE_MIN <= float(value) <= SCORE_MAX:
            raise ReviewError(f"“{label}”的分数 {value} 超出范围，请填写 {SCORE_MIN}–{SCORE_MAX} 之间的数。")


def save_review(
    engine: Engine,
    user: User,
    submission_id: int,
    data: ReviewInput,
    settings: Settings | None = None,
) -> Review:
    """Save a new version of ``user``'s review of a case.

    Args:
        engine: the store.
        user: the reviewer (must hold ``REVIEW``).
        submission_id: the case (must be the current version of its file).
        data: the reviewer's entries; with ``conflict_of_interest`` only the declaration and comments count.
        settings: for the AI-score hiding rule; defaults to the process settings.

    Returns:
        The stored version.

    Raises:
        PermissionDenied: not a reviewer, or the reviewer's unit is the applicant's (unless declaring conflict).
        ReviewError: unknown or superseded case, or incomplete/out-of-range entries.
    """
    auth.require(user, auth.REVIEW)
    row = store.get_submission(engine, submission_id)
    if row is None:
        raise ReviewError(f"找不到编号为 {submission_id} 的案例，请回到评审队列重新选择。")
    if not row.is_current:
        raise ReviewError(
            f"案例 {submission_id}「{row.title}」已有更新版本，请在评审队列中打开最新版本后评审。"
        )
    conflict = conflict_reason(user, row.unit, row.implementer)
    if conflict and not data.conflict_of_interest:
        raise auth.PermissionDenied(conflict)
    _validate(data)
    has_ai = any(store.latest_suggestions(engine, kind, [submission_id]) for kind in ("scores", "llm_scores"))
    saw_ai = has_ai and ai_scores_visible(engine, user, submission_id, settings)
    for attempt in range(SAVE_ATTEMPTS):
        try:
            return _insert_version(engine, user, submission_id, data, saw_ai)
        except (IntegrityError, OperationalError) as error:
            if isinstance(error, OperationalError) and "locked" not in str(error.orig).lower():
                raise
            if attempt == SAVE_ATTEMPTS - 1:
                raise ReviewError(
                    "保存失败：同时保存的人太多，数据库繁忙。您的输入仍在页面上，请稍后再点保存。"
                ) from error
            time.sleep(random.uniform(*RETRY_WAIT_S) * (attempt + 1))
    raise AssertionError("unreachable")


def _insert_version(
    engine: Engine, user: User, submission_id: int, data: ReviewInput, saw_ai: bool
) -> Review:
    conflict = data.conflict_of_interest
    with store.session_scope(engine) as session:
        newest = session.scalar(
            select(func.max(ReviewRow.version)).where(
                ReviewRow.submission_id == submission_id, ReviewRow.reviewer_id == user.id
            )
        )
        row = ReviewRow(
            submission_id=submission_id,
            reviewer_id=user.id,
            version=(newest or 0) + 1,
            status="submitted",
            final_category=None if conflict else data.final_category,
            decision="" if conflict else data.decision,
            comments=data.comments.strip(),
            conflict_of_interest=conflict,
            saw_ai_scores=saw_ai,
            **{key: None if conflict else float(data.scores[key]) for key in CRITERIA},
        )
        session.add(row)
        session.flush()
        detail = {"version": row.version, "decision": row.decision, "final_category": row.final_category}
        if conflict:
            detail["conflict_of_interest"] = True
        session.add(
            AuditRow(username=user.username, action="save_review", submission_id=submission_id, detail=detail)
        )
        return to_review(row, user.username)


def review_history(
    engine: Engine, user: User, submission_id: int
) -> tuple[list[Review], list[Review] | None]:
    """All saved versions of a case's reviews that ``user`` may see, newest first.

    Returns:
        (the user's own versions, other reviewers' versions — None while they are hidden from this user).
    """
    auth.require(user, auth.VIEW_QUEUE)
    query = (
        select(ReviewRow, UserRow.username)
        .join(UserRow, UserRow.id == ReviewRow.reviewer_id)
        .where(ReviewRow.submission_id == submission_id)
        .order_by(ReviewRow.created_at.desc(), ReviewRow.id.desc())
    )
    with store.session_scope(engine) as session:
        reviews = [to_review(row, name) for row, name in session.execute(query)]
        show_others = user.can(auth.VIEW_ALL_REVIEWS) or _has_submitted(session, user.id, submission_id)
    own = [r for r in reviews if r.reviewer_id == user.id]
    others = [r for r in reviews if r.reviewer_id != user.id]
    return own, (others if show_others else None)


def latest_query(year: int | None, submission_ids: Iterable[int] | None) -> Select:
    """(review row, reviewer name) of each reviewer's newest version per current case, optionally limited."""
    newest = (
        select(ReviewRow.submission_id, ReviewRow.reviewer_id, func.max(ReviewRow.version).label("version"))
        .group_by(ReviewRow.submission_id, ReviewRow.reviewer_id)
        .subquery()
    )
    query = (
        select(ReviewRow, UserRow.username)
        .join(
            newest,
            and_(
                ReviewRow.submission_id == newest.c.submission_id,
                ReviewRow.reviewer_id == newest.c.reviewer_id,
                ReviewRow.version == newest.c.version,
            ),
        )
        .join(UserRow, UserRow.id == ReviewRow.reviewer_id)
        .join(SubmissionRow, SubmissionRow.id == ReviewRow.submission_id)
        .where(SubmissionRow.is_current.is_(True))
        .order_by(ReviewRow.submission_id, UserRow.username)
    )
    if year is not None:
        query = query.where(SubmissionRow.year == year)
    if submission_ids is not None:
        query = query.where(ReviewRow.submission_id.in_(list(submission_ids)))
    return query


def visible_latest_reviews(
    engine: Engine, user: User, year: int | None = None, submission_ids: Iterable[int] | None = None
) -> list[Review]:
    """The newest version of each reviewer's review per current case, limited to what ``user`` may see."""
    auth.require(user, auth.VIEW_QUEUE)
    return _visible_to(user, _latest_reviews(engine, year, submission_ids))


def _latest_reviews(engine: Engine, year: int | None, submission_ids: Iterable[int] | None) -> list[Review]:
    with store.session_scope(engine) as session:
        return [to_review(row, name) for row, name in session.execute(latest_query(year, submission_ids))]


def _visible_to(user: User, reviews: list[Review]) -> list[Review]:
    if user.can(auth.VIEW_ALL_REVIEWS):
        return reviews
    scored = {r.submission_id for r in reviews if r.reviewer_id == user.id and not r.conflict_of_interest}
    return [r for r in reviews if r.reviewer_id == user.id or r.submission_id in scored]


def queue_reviews(engine: Engine, user: User, year: int) -> tuple[list[Review], dict[int, int]]:
    """For the queue, from one query: the newest reviews ``user`` may see, and per case the number of
    reviewers with a real (not conflict) newest review (a count reveals no opinion, so everyone sees it)."""
    auth.require(user, auth.VIEW_QUEUE)
    reviews = _latest_reviews(engine, year, None)
    counts: dict[int, int] = {}
    for r in reviews:
        if not r.conflict_of_interest:
            counts[r.submission_id] = counts.get(r.submission_id, 0) + 1
    return _visible_to(user, reviews), counts


def all_review_versions(engine: Engine, user: User, year: int) -> list[Review]:
    """Every saved version of every review of the year's current cases (organizers and analysts)."""
    auth.require(user, auth.VIEW_ALL_REVIEWS)
    query = (
        select(ReviewRow, UserRow.username)
        .join(UserRow, UserRow.id == ReviewRow.reviewer_id)
        .join(SubmissionRow, SubmissionRow.id == ReviewRow.submission_id)
        .where(SubmissionRow.year == year, SubmissionRow.is_current.is_(True))
        .order_by(ReviewRow.submission_id, UserRow.username, ReviewRow.version)
    )
    with store.session_scope(engine) as session:
        return [to_review(row, name) for row, name in session.execute(query)]
