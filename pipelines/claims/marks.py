"""Reviewers' responses to claims: a claim marked as misread ("wrong"), or that mark withdrawn.

Like other human responses these are never overwritten: every mark is a new row, the newest per claim
counts, and each one is written to the audit log in the same transaction.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, mapped_column

from pipelines import auth, store
from pipelines.auth import PermissionDenied, User
from pipelines.store import Base, SubmissionRow, UserRow, utcnow

MARK_LABELS = {"wrong": "识别有误", "withdrawn": "撤销标记"}


class ClaimMarkRow(Base):
    """A reviewer marking a machine-read claim as wrong (or withdrawing that); the newest per claim counts."""

    __tablename__ = "claim_marks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    claim_key: Mapped[str] = mapped_column(String(64), index=True)  # hash of the claim text
    claim_text: Mapped[str] = mapped_column(Text)
    verdict: Mapped[str] = mapped_column(String(16))  # wrong | withdrawn
    note: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class MarkError(Exception):
    """A mark that cannot be stored; ``message`` is Chinese and says what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ClaimMark:
    """The newest mark of one claim."""

    claim_key: str
    verdict: str
    username: str
    note: str
    created_at: datetime

    @property
    def label(self) -> str:
        return MARK_LABELS.get(self.verdict, self.verdict)


def claim_key(text: str) -> str:
    """Stable key of a claim: its text's hash (claims have no id outside one extraction)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def mark_claim(
    engine: Engine, user: User, submission_id: int, claim_text: str, verdict: str = "wrong", note: str = ""
) -> ClaimMark:
    """Store a reviewer's mark on a claim, with an audit entry.

    Raises:
        PermissionDenied: the user may neither review nor handle flags.
        MarkError: unknown verdict, empty claim, or unknown case.
    """
    if user is None or not (user.can(auth.REVIEW) or user.can(auth.FLAGS)):
        raise PermissionDenied("只有评审专家和组织者可以标记主张识别有误。")
    if verdict not in MARK_LABELS:
        raise MarkError(f"未知的标记「{verdict}」：只能“识别有误”或“撤销标记”。")
    if not claim_text.strip():
        raise MarkError("请先选择要标记的主张。")
    key = claim_key(claim_text)
    with store.session_scope(engine) as session:
        if session.get(SubmissionRow, submission_id) is None:
            raise MarkError(f"找不到编号为 {submission_id} 的案例。")
        row = ClaimMarkRow(
            submission_id=submission_id,
            claim_key=key,
            claim_text=claim_text,
            verdict=verdict,
            note=note.strip(),
            user_id=user.id or None,
        )
        detail = {"claim": claim_text, "claim_key": key, "note": note.strip()}
        store.add_response(session, row, user.username, f"claim_{verdict}", submission_id, detail)
        return ClaimMark(key, verdict, user.username, row.note, row.created_at)


def claim_marks(engine: Engine, submission_id: int) -> dict[str, ClaimMark]:
    """The newest mark per claim of a case (claim key → mark); withdrawn marks included as such."""
    query = (
        select(ClaimMarkRow, UserRow.username)
        .outerjoin(UserRow, UserRow.id == ClaimMarkRow.user_id)
        .where(ClaimMarkRow.submission_id == submission_id)
        .order_by(ClaimMarkRow.id)
    )
    with store.session_scope(engine) as session:
        return {
            row.claim_key: ClaimMark(row.claim_key, row.verdict, username or "", row.note, row.created_at)
            for row, username in session.execute(query)
        }
