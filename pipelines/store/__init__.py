"""Persistence: tables, engines and sessions, and the records the stages read and write.

SQLite file by default, PostgreSQL by URL; the schema comes from Alembic (``migrations/``).
"""

from pipelines.store.engine import dispose_engines, get_engine, migrate, session_scope
from pipelines.store.records import (
    SaveResult,
    add_response,
    audit,
    get_submission,
    intake_log,
    latest_suggestions,
    list_past_cases,
    list_submissions,
    log_intake_error,
    save_past_cases,
    save_submission,
    save_suggestion,
    submission_versions,
)
from pipelines.store.tables import (
    AuditRow,
    Base,
    CacheRow,
    FlagActionRow,
    IntakeLogRow,
    PastCaseRow,
    ReviewRow,
    SubmissionRow,
    SuggestionRow,
    UserRow,
    utcnow,
)
