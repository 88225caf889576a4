"""Organizer actions on machine flags: confirm or dismiss, kept with the audit trail (newest action counts)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Engine

from pipelines import auth, store
from pipelines.auth import User
from pipelines.review.decisions import ReviewError
from pipelines.store import (
    FlagActionRow,
    SubmissionRow,
    UserRow,
)

FLAG_ACTION_LABELS: dict[str, str] = {"confirmed": "已确认", "dismissed": "已排除"}


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
        detail = {"flag": flag_code, "related_id": related_id, "note": note.strip()}
        store.add_response(session, row, user.username, f"flag_{action}", submission_id, detail)
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
