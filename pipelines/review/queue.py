"""The review queue: one row per current case of the year for one user, filtered and sorted.

Submissions + newest machine suggestions + organizer flag actions + reviews → a pandas table, with the
visibility rules applied here: blind review hides who applied, AI scores stay hidden until the reviewer has
scored (when so set), other reviewers' opinions stay hidden until the reviewer has submitted their own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from statistics import fmean

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from pipelines import auth, store
from pipelines.auth import User
from pipelines.config import Settings, get_settings
from pipelines.review import decisions as review
from pipelines.review import flag_actions
from pipelines.review.blind import HIDDEN, is_blind_for, redactor
from pipelines.review.decisions import Review
from pipelines.review.flags import flag_group_keys, flag_text, flags_for
from pipelines.review.payloads import current_rows, latest_payloads
from pipelines.schema import CategorySuggestion, Finding, ScoreResult
from pipelines.store import (
    FlagActionRow,
    ReviewRow,
    SubmissionRow,
    SuggestionRow,
)
from pipelines.vocabulary import (
    category_label,
)

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
    rows = current_rows(engine, year)
    ids = [r[0] for r in rows]
    payloads = latest_payloads(engine, year, ("category", "eligibility", "scores", "llm_scores"))
    categories, eligibility = payloads["category"], payloads["eligibility"]
    ai = {sid: ScoreResult.from_payload(payload).mean_score for sid, payload in payloads["scores"].items()}
    llm = {
        sid: ScoreResult.from_payload(payload).mean_score for sid, payload in payloads["llm_scores"].items()
    }
    states = flag_actions.flag_states(engine, ids)
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
            title = redactor([unit, implementer])(title)
        category = CategorySuggestion.from_payload(categories[sid]) if sid in categories else None
        findings = Finding.list_from_payload(eligibility.get(sid))
        flags = flags_for(sid, findings, category, declared, states)
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
                "flags": flag_text(flags),
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
