"""The workbench's tables (SQLAlchemy 2.0 declarative models). The schema is created and upgraded by Alembic
(``migrations/``); a new table is added here or in its stage's module on the same ``Base``, with a migration.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from pipelines.schema import PastCase, Submission


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class UserRow(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128), default="")
    role: Mapped[str] = mapped_column(String(16))  # reviewer | organizer | analyst
    unit: Mapped[str] = mapped_column(String(256), default="")
    password_hash: Mapped[str] = mapped_column(String(256), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)  # temporary password set
    demo: Mapped[bool] = mapped_column(Boolean, default=False)  # still the README's published demo password


class SubmissionRow(Base):
    __tablename__ = "submissions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    file_name: Mapped[str] = mapped_column(String(512))
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"), nullable=True)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    title: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str] = mapped_column(Text, default="")
    implementer: Mapped[str] = mapped_column(Text, default="")
    declared_category: Mapped[int | None] = mapped_column(Integer, nullable=True)
    launch_date: Mapped[str | None] = mapped_column(String(10), nullable=True)
    status: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64), default="")
    __table_args__ = (UniqueConstraint("year", "content_hash", name="uq_submission_year_hash"),)

    def submission(self) -> Submission:
        return Submission.from_dict(self.payload)

    @classmethod
    def from_submission(cls, submission: Submission, year: int, **extra: Any) -> SubmissionRow:
        """A row holding ``submission`` (its searchable fields as columns, the whole as payload)."""
        return cls(
            year=year,
            file_name=submission.file_name,
            content_hash=submission.content_hash,
            title=submission.title,
            unit=submission.unit,
            implementer=submission.implementer,
            declared_category=submission.declared_category,
            launch_date=submission.launch_date,
            status=submission.status,
            payload=submission.to_dict(),
            **extra,
        )


class IntakeLogRow(Base):
    __tablename__ = "intake_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_name: Mapped[str] = mapped_column(String(512))
    ok: Mapped[bool] = mapped_column(Boolean)
    outcome: Mapped[str] = mapped_column(String(32))  # new | unchanged | new_version | error | skipped
    code: Mapped[str] = mapped_column(String(64), default="")
    message: Mapped[str] = mapped_column(Text, default="")
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64), default="")


class PastCaseRow(Base):
    __tablename__ = "past_cases"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    title: Mapped[str] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(Text)
    implementer: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[int | None] = mapped_column(Integer, nullable=True)
    second_category: Mapped[int | None] = mapped_column(Integer, nullable=True)
    outcome: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    sections: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    def past_case(self) -> PastCase:
        return PastCase(
            id=self.id,
            year=self.year,
            title=self.title,
            unit=self.unit,
            text=self.text,
            outcome=self.outcome,  # type: ignore[arg-type]
            category=self.category,
            second_category=self.second_category,
            implementer=self.implementer,
            sections=dict(self.sections or {}),
        )


class SuggestionRow(Base):
    """A machine suggestion for a submission: kind = category | eligibility | duplicates | scores | llm_scores."""

    __tablename__ = "suggestions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    agent: Mapped[str] = mapped_column(String(128), default="")  # model version / scorer / prompt version
    payload: Mapped[Any] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ReviewRow(Base):
    """A reviewer's response. Every save inserts a new version; earlier versions stay (audit trail)."""

    __tablename__ = "reviews"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(16), default="submitted")  # draft | submitted
    final_category: Mapped[int | None] = mapped_column(Integer, nullable=True)
    political: Mapped[float | None] = mapped_column(Float, nullable=True)
    innovation: Mapped[float | None] = mapped_column(Float, nullable=True)
    effectiveness: Mapped[float | None] = mapped_column(Float, nullable=True)
    typicality: Mapped[float | None] = mapped_column(Float, nullable=True)
    decision: Mapped[str] = mapped_column(String(16), default="")  # 推荐 | 待定 | 不推荐
    comments: Mapped[str] = mapped_column(Text, default="")
    conflict_of_interest: Mapped[bool] = mapped_column(Boolean, default=False)
    saw_ai_scores: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (UniqueConstraint("submission_id", "reviewer_id", "version", name="uq_review_version"),)


class FlagActionRow(Base):
    """An organizer confirming or dismissing a machine flag; the newest action per flag counts."""

    __tablename__ = "flag_actions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    flag_code: Mapped[str] = mapped_column(String(64))
    related_id: Mapped[str] = mapped_column(String(64), default="")
    action: Mapped[str] = mapped_column(String(16))  # confirmed | dismissed
    note: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class AuditRow(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), default="")
    action: Mapped[str] = mapped_column(String(64))
    submission_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    detail: Mapped[Any] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class CacheRow(Base):
    """Key/value cache for embeddings and LLM answers, keyed by content hash + model/prompt version."""

    __tablename__ = "cache"
    key: Mapped[str] = mapped_column(String(256), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    value: Mapped[Any] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
