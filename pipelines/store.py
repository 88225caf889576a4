"""Persistence: SQLAlchemy 2.0 models and queries.

SQLite file by default (WAL, busy timeout), PostgreSQL when ``DATABASE_URL`` says so. The schema is created
and upgraded by Alembic (``migrations/``). Every write of one submission happens in one transaction, so a
failure never leaves half a record.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
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
    create_engine,
    event,
    func,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from pipelines.config import PROJ_ROOT, get_settings
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


_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def get_engine(url: str | None = None) -> Engine:
    """A process-wide engine per URL, with its schema migrated to the newest version."""
    url = url or get_settings().database_url
    with _engines_lock:
        if url not in _engines:
            engine = _create_engine(url)
            migrate(engine)
            _engines[url] = engine
        return _engines[url]


def _create_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def migrate(engine: Engine) -> None:
    """Bring the database schema to the newest Alembic revision."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(PROJ_ROOT / "migrations"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def dispose_engines() -> None:
    with _engines_lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: committed on success, rolled back on any error."""
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@dataclass(frozen=True)
class SaveResult:
    outcome: str  # new | unchanged | new_version
    submission_id: int
    version: int


def save_submission(engine: Engine, submission: Submission, year: int, username: str = "") -> SaveResult:
    """Store a submission in one transaction.

    The same content (hash) again is a no-op; the same file name with other content becomes a new version
    and the old version is kept (marked not current).
    """
    with session_scope(engine) as session:
        same = session.scalar(
            select(SubmissionRow).where(
                SubmissionRow.year == year, SubmissionRow.content_hash == submission.content_hash
            )
        )
        if same is not None:
            _log(session, submission.file_name, "unchanged", username, submission_id=same.id)
            return SaveResult("unchanged", same.id, same.version)
        previous = session.scalar(
            select(SubmissionRow).where(
                SubmissionRow.year == year,
                SubmissionRow.file_name == submission.file_name,
                SubmissionRow.is_current.is_(True),
            )
        )
        row = SubmissionRow.from_submission(
            submission,
            year,
            version=previous.version + 1 if previous else 1,
            supersedes_id=previous.id if previous else None,
            created_by=username,
        )
        if previous is not None:
            previous.is_current = False
        session.add(row)
        session.flush()
        outcome = "new_version" if previous else "new"
        _log(session, submission.file_name, outcome, username, submission_id=row.id)
        return SaveResult(outcome, row.id, row.version)


def log_intake_error(engine: Engine, file_name: str, code: str, message: str, username: str = "") -> None:
    """Record a file that could not be read (nothing else is written)."""
    outcome = "skipped" if code == "lock_file" else "error"
    with session_scope(engine) as session:
        _log(session, file_name, outcome, username, code=code, message=message)


def _log(session: Session, file_name: str, outcome: str, username: str, **values: Any) -> None:
    ok = outcome not in {"error", "skipped"}
    session.add(IntakeLogRow(file_name=file_name, ok=ok, outcome=outcome, created_by=username, **values))


def list_submissions(
    engine: Engine, year: int | None = None, current_only: bool = True
) -> list[SubmissionRow]:
    """Submissions ordered by id (the newest version of each file unless ``current_only`` is False)."""
    query = select(SubmissionRow).order_by(SubmissionRow.id)
    if year is not None:
        query = query.where(SubmissionRow.year == year)
    if current_only:
        query = query.where(SubmissionRow.is_current.is_(True))
    with session_scope(engine) as session:
        return list(session.scalars(query))


def get_submission(engine: Engine, submission_id: int) -> SubmissionRow | None:
    with session_scope(engine) as session:
        return session.get(SubmissionRow, submission_id)


def submission_versions(engine: Engine, submission_id: int) -> list[SubmissionRow]:
    """All versions of the file behind ``submission_id``, oldest first."""
    row = get_submission(engine, submission_id)
    if row is None:
        return []
    query = (
        select(SubmissionRow)
        .where(SubmissionRow.year == row.year, SubmissionRow.file_name == row.file_name)
        .order_by(SubmissionRow.version)
    )
    with session_scope(engine) as session:
        return list(session.scalars(query))


def save_past_cases(engine: Engine, cases: Iterable[PastCase]) -> int:
    """Insert or update past cases by id in one transaction; returns how many were written."""
    count = 0
    with session_scope(engine) as session:
        for case in cases:
            values = asdict(case)
            row = session.get(PastCaseRow, case.id)
            if row is None:
                session.add(PastCaseRow(**values))
            else:
                for key, value in values.items():
                    setattr(row, key, value)
            count += 1
    return count


def list_past_cases(engine: Engine, years: Iterable[int] | None = None) -> list[PastCase]:
    query = select(PastCaseRow).order_by(PastCaseRow.year, PastCaseRow.id)
    if years is not None:
        query = query.where(PastCaseRow.year.in_(list(years)))
    with session_scope(engine) as session:
        return [row.past_case() for row in session.scalars(query)]


def save_suggestion(engine: Engine, submission_id: int, kind: str, payload: Any, agent: str = "") -> None:
    with session_scope(engine) as session:
        session.add(SuggestionRow(submission_id=submission_id, kind=kind, payload=payload, agent=agent))


def latest_suggestions(
    engine: Engine, kind: str, submission_ids: Iterable[int] | None = None
) -> dict[int, SuggestionRow]:
    """The newest suggestion of ``kind`` per submission."""
    newest = (
        select(func.max(SuggestionRow.id))
        .where(SuggestionRow.kind == kind)
        .group_by(SuggestionRow.submission_id)
    )
    query = select(SuggestionRow).where(SuggestionRow.id.in_(newest))
    if submission_ids is not None:
        query = query.where(SuggestionRow.submission_id.in_(list(submission_ids)))
    with session_scope(engine) as session:
        return {row.submission_id: row for row in session.scalars(query)}


def audit(
    engine: Engine, username: str, action: str, submission_id: int | None = None, **detail: Any
) -> None:
    with session_scope(engine) as session:
        session.add(AuditRow(username=username, action=action, submission_id=submission_id, detail=detail))


def intake_log(engine: Engine, limit: int = 500) -> list[IntakeLogRow]:
    query = select(IntakeLogRow).order_by(IntakeLogRow.id.desc()).limit(limit)
    with session_scope(engine) as session:
        return list(session.scalars(query))
