"""Reading and writing submissions, past cases, suggestions, the intake log and the audit trail."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import (
    func,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from pipelines.schema import PastCase, Submission
from pipelines.store.engine import session_scope
from pipelines.store.tables import AuditRow, Base, IntakeLogRow, PastCaseRow, SubmissionRow, SuggestionRow


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


def add_response(
    session: Session, row: Base, username: str, action: str, submission_id: int, detail: dict[str, Any]
) -> None:
    """Add a human response row and its audit entry in the caller's transaction, flushed (defaults are set)."""
    session.add(row)
    session.add(AuditRow(username=username, action=action, submission_id=submission_id, detail=detail))
    session.flush()


def audit(
    engine: Engine, username: str, action: str, submission_id: int | None = None, **detail: Any
) -> None:
    with session_scope(engine) as session:
        session.add(AuditRow(username=username, action=action, submission_id=submission_id, detail=detail))


def intake_log(engine: Engine, limit: int = 500) -> list[IntakeLogRow]:
    query = select(IntakeLogRow).order_by(IntakeLogRow.id.desc()).limit(limit)
    with session_scope(engine) as session:
        return list(session.scalars(query))
