"""Human responses: reviews with versions, flag confirmations, the audit trail, progress and agreement.

Every save inserts a new version (the version number is computed inside the transaction and retried on the
unique constraint, so two sessions saving at once both land). Visibility rules live here, not in the UI:
a reviewer sees other reviewers' opinions on a case only after submitting their own, AI scores stay hidden
until then when ``settings.hide_ai_scores_until_reviewed``, and a reviewer from the applicant's unit cannot
score the case.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from statistics import fmean

import numpy as np
import pandas as pd
from sqlalchemy import and_, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from pipelines import auth, store
from pipelines.auth import User
from pipelines.config import Settings, get_settings
from pipelines.store import AuditRow, FlagActionRow, ReviewRow, SubmissionRow, UserRow
from pipelines.units import match_units
from pipelines.vocabulary import CATEGORY_IDS, CRITERIA

DECISIONS: tuple[str, ...] = ("推荐", "待定", "不推荐")
FLAG_ACTION_LABELS: dict[str, str] = {"confirmed": "已确认", "dismissed": "已排除"}
ACTION_LABELS: dict[str, str] = {
    "save_review": "保存评审意见",
    "flag_confirmed": "确认问题标记",
    "flag_dismissed": "排除问题标记",
    "create_user": "创建账号",
    "set_active": "停用/启用账号",
    "reset_password": "重置密码",
    "save_settings": "修改设置",
}
SAVE_ATTEMPTS = 12


class ReviewError(ValueError):
    """A review or flag action that cannot be saved as given; Chinese message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class ReviewInput:
    """What a reviewer enters for one case."""

    final_category: int | None = None
    scores: dict[str, float | None] = field(default_factory=dict)  # keys of taxonomy.CRITERIA, 0–100
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


@dataclass(frozen=True)
class FlagState:
    """The newest organizer action on one flag."""

    action: str  # confirmed | dismissed
    username: str
    note: str
    created_at: datetime

    @property
    def label(self) -> str:
        return FLAG_ACTION_LABELS.get(self.action, self.action)


FlagKey = tuple[int, str, str]  # (submission id, flag code, related id)


def _to_review(row: ReviewRow, username: str) -> Review:
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
            raise ReviewError(f"请给出“{label}”的分数（0–100）后再保存。")
        if not 0 <= float(value) <= 100:
            raise ReviewError(f"“{label}”的分数 {value} 超出范围，请填写 0–100 之间的数。")


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
            time.sleep(random.uniform(0.005, 0.03) * (attempt + 1))
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
        return _to_review(row, user.username)


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
        reviews = [_to_review(row, name) for row, name in session.execute(query)]
        show_others = user.can(auth.VIEW_ALL_REVIEWS) or _has_submitted(session, user.id, submission_id)
    own = [r for r in reviews if r.reviewer_id == user.id]
    others = [r for r in reviews if r.reviewer_id != user.id]
    return own, (others if show_others else None)


def _latest_query(year: int | None, submission_ids: Iterable[int] | None):
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
        return [_to_review(row, name) for row, name in session.execute(_latest_query(year, submission_ids))]


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
        return [_to_review(row, name) for row, name in session.execute(query)]


# --- organizer flags -------------------------------------------------------------------------------------


def record_flag_action(
    engine: Engine,
    user: User,
    submission_id: int,
    flag_code: str,
    action: str,
    related_id: str = "",
    note: str = "",
) -> FlagState:
    """An organizer confirms or dismisses a machine flag; kept with the audit trail (newest action counts)."""
    auth.require(user, auth.FLAGS)
    if action not in FLAG_ACTION_LABELS:
        raise ReviewError(f"未知的处理方式「{action}」：只能“确认”或“排除”问题标记。")
    if action == "dismissed" and not note.strip():
        raise ReviewError("排除问题标记时请写明理由（例如：已核实为不同项目），以便留痕。")
    with store.session_scope(engine) as session:
        if session.get(SubmissionRow, submission_id) is None:
            raise ReviewError(f"找不到编号为 {submission_id} 的案例。")
        row = FlagActionRow(
            submission_id=submission_id,
            flag_code=flag_code,
            related_id=related_id,
            action=action,
            note=note.strip(),
            user_id=user.id or None,
        )
        session.add(row)
        detail = {"flag": flag_code, "related_id": related_id, "note": note.strip()}
        session.add(
            AuditRow(
                username=user.username, action=f"flag_{action}", submission_id=submission_id, detail=detail
            )
        )
        session.flush()
        return FlagState(action, user.username, row.note, row.created_at)


def flag_states(engine: Engine, submission_ids: Iterable[int] | None = None) -> dict[FlagKey, FlagState]:
    """The newest action per (submission, flag code, related id)."""
    query = (
        select(FlagActionRow, UserRow.username)
        .outerjoin(UserRow, UserRow.id == FlagActionRow.user_id)
        .order_by(FlagActionRow.id)
    )
    if submission_ids is not None:
        query = query.where(FlagActionRow.submission_id.in_(list(submission_ids)))
    states: dict[FlagKey, FlagState] = {}
    with store.session_scope(engine) as session:
        for row, name in session.execute(query):
            key = (row.submission_id, row.flag_code, row.related_id)
            states[key] = FlagState(row.action, name or "", row.note, row.created_at)
    return states


def audit_trail(
    engine: Engine, user: User, submission_id: int | None = None, limit: int = 500
) -> pd.DataFrame:
    """Newest audit entries (organizers and analysts) as a table with Chinese column names."""
    auth.require(user, auth.DASHBOARD)
    query = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
    if submission_id is not None:
        query = query.where(AuditRow.submission_id == submission_id)
    with store.session_scope(engine) as session:
        rows = [
            {
                "时间": row.created_at,
                "用户": row.username,
                "操作": ACTION_LABELS.get(row.action, row.action),
                "案例编号": row.submission_id,
                "详情": "；".join(f"{k}={v}" for k, v in (row.detail or {}).items()),
            }
            for row in session.scalars(query)
        ]
    return pd.DataFrame(rows, columns=["时间", "用户", "操作", "案例编号", "详情"])


# --- progress and agreement ------------------------------------------------------------------------------


def review_frame(engine: Engine, user: User, year: int) -> pd.DataFrame:
    """Newest real reviews of the year's current cases, one row per (case, reviewer), with z-scores.

    Columns: submission_id, title, reviewer_id, reviewer, final_category, decision, the criterion keys, total,
    ``z_<criterion>`` and ``z_total`` (scores standardised within each reviewer: a strict and a lenient
    reviewer become comparable; NaN when the reviewer has fewer than two reviews), created_at.
    """
    auth.require(user, auth.DASHBOARD)
    with store.session_scope(engine) as session:
        query = select(SubmissionRow.id, SubmissionRow.title).where(SubmissionRow.year == year)
        titles = {sid: title for sid, title in session.execute(query)}
        reviews = [_to_review(row, name) for row, name in session.execute(_latest_query(year, None))]
    records = [
        {
            "submission_id": r.submission_id,
            "title": titles.get(r.submission_id, ""),
            "reviewer_id": r.reviewer_id,
            "reviewer": r.reviewer,
            "final_category": r.final_category,
            "decision": r.decision,
            **r.scores,
            "total": r.total,
            "created_at": r.created_at,
        }
        for r in reviews
        if not r.conflict_of_interest
    ]
    columns = ["submission_id", "title", "reviewer_id", "reviewer", "final_category", "decision"]
    frame = pd.DataFrame(records, columns=[*columns, *CRITERIA, "total", "created_at"])
    for key in [*CRITERIA, "total"]:
        frame[f"z_{key}"] = _zscore_within(frame, key)
    return frame


def _zscore_within(frame: pd.DataFrame, column: str) -> pd.Series:
    values = frame[column].astype(float)
    grouped = values.groupby(frame["reviewer_id"])
    mean = grouped.transform("mean")
    std = grouped.transform(lambda s: s.std(ddof=0))
    count = grouped.transform("count")
    z = (values - mean) / std.where(std > 0, 1.0)
    return z.where(count >= 2)


def reviewer_progress(engine: Engine, user: User, year: int) -> pd.DataFrame:
    """Per reviewer: cases reviewed, conflicts (declared or same unit), cases left, share done, last save."""
    auth.require(user, auth.DASHBOARD)
    cases = store.list_submissions(engine, year)
    with store.session_scope(engine) as session:
        latest = [_to_review(row, name) for row, name in session.execute(_latest_query(year, None))]
    rows = []
    for reviewer in auth.list_reviewers(engine):
        mine = [r for r in latest if r.reviewer_id == reviewer.id]
        declared = {r.submission_id for r in mine if r.conflict_of_interest}
        same_unit = {c.id for c in cases if conflict_reason(reviewer, c.unit, c.implementer)}
        done = {r.submission_id for r in mine if not r.conflict_of_interest}
        conflicts = (declared | same_unit) - done
        left = len(cases) - len(done) - len(conflicts)
        reviewable = len(cases) - len(conflicts)
        rows.append(
            {
                "评审专家": reviewer.label,
                "单位": reviewer.unit,
                "已评": len(done),
                "回避": len(conflicts),
                "待评": left,
                "完成率": len(done) / reviewable if reviewable else 1.0,
                "最近保存": max((r.created_at for r in mine), default=None),
            }
        )
    return pd.DataFrame(rows, columns=["评审专家", "单位", "已评", "回避", "待评", "完成率", "最近保存"])


def krippendorff_alpha(data: np.ndarray, level: str = "interval") -> float:
    """Krippendorff's α for one variable.

    Args:
        data: ratings, shape (n_raters, n_units), NaN where a rater did not rate a unit. Nominal values are
            any numeric codes.
        level: ``interval`` (squared difference) or ``nominal`` (equal or not).

    Returns:
        α in (-∞, 1]; NaN when fewer than two pairable values exist or all values are identical.
    """
    data = np.asarray(data, dtype=float)
    if data.ndim != 2:
        raise ValueError("data must have shape (n_raters, n_units)")
    present = ~np.isnan(data)
    counts = present.sum(axis=0)
    keep = counts >= 2
    values, present, m = data[:, keep], present[:, keep], counts[keep].astype(float)
    n = m.sum()
    if n < 2:
        return float("nan")
    if level == "interval":
        x = np.where(present, values, 0.0)
        within = (2 * (m * (x**2).sum(axis=0) - x.sum(axis=0) ** 2) / (m - 1)).sum()
        pooled = values[present]
        total = 2 * (n * (pooled**2).sum() - pooled.sum() ** 2)
    elif level == "nominal":
        codes = np.unique(values[present])
        per_unit = np.stack([(values == code).sum(axis=0) for code in codes])  # (n_codes, n_units)
        within = ((m**2 - (per_unit**2).sum(axis=0)) / (m - 1)).sum()
        total = n**2 - (per_unit.sum(axis=1) ** 2).sum()
    else:
        raise ValueError(f"unknown level {level!r}")
    if total <= 0:
        return float("nan")
    return float(1.0 - (n - 1) * within / total)


def _matrix(frame: pd.DataFrame, column: str, rater: str = "reviewer_id") -> np.ndarray:
    """Ratings of ``column`` as (n_raters, n_units) with NaN gaps."""
    if frame.empty:
        return np.empty((0, 0))
    pivot = frame.pivot_table(index=rater, columns="submission_id", values=column, aggfunc="first")
    return pivot.to_numpy(dtype=float)


def _ai_pairs(frame: pd.DataFrame, ai: dict[int, float], column: str) -> np.ndarray:
    """(2, n_reviews): each review's value next to the AI's value for the same case."""
    rows = frame[frame["submission_id"].isin(ai) & frame[column].notna()]
    return np.vstack(
        [rows[column].to_numpy(dtype=float), rows["submission_id"].map(ai).to_numpy(dtype=float)]
    )


def agreement(engine: Engine, user: User, year: int) -> pd.DataFrame:
    """Agreement between reviewers and between reviewers and the AI, per measure.

    Interval α for the criterion scores and the total, nominal α for the final category and the decision.
    Reviewer-vs-AI pairs each review with the stored AI suggestion for the same case.

    Returns:
        Columns 指标, 尺度, 专家之间α, 评分数, 专家与离线评分α, 专家与大模型评分α, 专家与分类模型α.
    """
    frame = review_frame(engine, user, year)
    ids = frame["submission_id"].unique().tolist()
    ai_scores = {kind: _ai_score_maps(engine, kind, ids) for kind in ("scores", "llm_scores")}
    ai_category = {
        sid: float(row.payload["category"])
        for sid, row in store.latest_suggestions(engine, "category", ids).items()
        if isinstance(row.payload, dict) and row.payload.get("category") is not None
    }
    decision_codes = frame["decision"].map({d: i for i, d in enumerate(DECISIONS)})
    frame = frame.assign(decision_code=decision_codes)
    measures = [(key, label, "interval") for key, label in CRITERIA.items()]
    measures += [("total", "总分（四项平均）", "interval"), ("final_category", "最终类别", "nominal")]
    measures.append(("decision_code", "评审结论", "nominal"))
    rows = []
    for column, label, level in measures:
        row = {
            "指标": label,
            "尺度": "区间" if level == "interval" else "类别",
            "专家之间α": krippendorff_alpha(_matrix(frame, column), level),
            "评分数": int(frame[column].notna().sum()),
        }
        for kind, name in (("scores", "专家与离线评分α"), ("llm_scores", "专家与大模型评分α")):
            ai = ai_scores[kind].get(column, {})
            row[name] = krippendorff_alpha(_ai_pairs(frame, ai, column), level) if ai else np.nan
        category_ai = ai_category if column == "final_category" else {}
        row["专家与分类模型α"] = (
            krippendorff_alpha(_ai_pairs(frame, category_ai, column), level) if category_ai else np.nan
        )
        rows.append(row)
    return pd.DataFrame(rows)


def _ai_score_maps(engine: Engine, kind: str, submission_ids: Sequence[int]) -> dict[str, dict[int, float]]:
    """criterion (and ``total``) → {submission id: AI score} from the newest stored suggestion of ``kind``."""
    maps: dict[str, dict[int, float]] = {key: {} for key in [*CRITERIA, "total"]}
    for sid, row in store.latest_suggestions(engine, kind, submission_ids).items():
        scores = (row.payload or {}).get("scores") or {}
        given = [float(scores[k]) for k in CRITERIA if scores.get(k) is not None]
        for key in CRITERIA:
            if scores.get(key) is not None:
                maps[key][sid] = float(scores[key])
        if len(given) == len(CRITERIA):
            maps["total"][sid] = float(np.mean(given))
    return maps if any(maps.values()) else {}


def case_scores(engine: Engine, user: User, year: int) -> pd.DataFrame:
    """Per case: number of reviews, mean raw total, mean per-reviewer-normalised total, decisions.

    Sorted by the normalised mean (best first), which removes the effect of strict or lenient reviewers.
    """
    frame = review_frame(engine, user, year)
    columns = ["案例编号", "案例名称", "评审数", "平均总分", "标准化平均分", "推荐", "待定", "不推荐"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    grouped = frame.groupby("submission_id")
    table = pd.DataFrame(
        {
            "案例编号": grouped.size().index,
            "案例名称": grouped["title"].first().to_numpy(),
            "评审数": grouped.size().to_numpy(),
            "平均总分": grouped["total"].mean().round(1).to_numpy(),
            "标准化平均分": grouped["z_total"].mean().round(2).to_numpy(),
        }
    )
    for decision in DECISIONS:
        table[decision] = grouped["decision"].apply(lambda s, d=decision: int((s == d).sum())).to_numpy()
    return table.sort_values(["标准化平均分", "平均总分"], ascending=False, na_position="last").reset_index(
        drop=True
    )


def most_disagreed(engine: Engine, user: User, year: int, top: int = 20) -> pd.DataFrame:
    """Cases with at least two reviews where reviewers disagree most.

    Disagreement = range of the reviewers' normalised totals (in standard deviations) + one point per extra
    distinct decision, so a 推荐/不推荐 split weighs like a one-standard-deviation score gap.
    """
    frame = review_frame(engine, user, year)
    columns = ["案例编号", "案例名称", "评审数", "总分差", "标准化分差", "结论", "最终类别", "分歧度"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    for sid, group in frame.groupby("submission_id"):
        if len(group) < 2:
            continue
        z_range = (
            float(group["z_total"].max() - group["z_total"].min()) if group["z_total"].notna().any() else 0.0
        )
        decisions = group["decision"].value_counts()
        categories = sorted({int(c) for c in group["final_category"].dropna()})
        rows.append(
            {
                "案例编号": sid,
                "案例名称": group["title"].iloc[0],
                "评审数": len(group),
                "总分差": round(float(group["total"].max() - group["total"].min()), 1),
                "标准化分差": round(z_range, 2),
                "结论": "，".join(f"{d}×{n}" for d, n in decisions.items()),
                "最终类别": "、".join(str(c) for c in categories),
                "分歧度": round(z_range + len(decisions) - 1, 2),
            }
        )
    table = pd.DataFrame(rows, columns=columns)
    return table.sort_values("分歧度", ascending=False).head(top).reset_index(drop=True)
