"""The newest stored machine suggestions (raw JSON payloads) of the year's current cases, read in one query.

Decoding a payload is the schema dataclasses' job (``CategorySuggestion.from_payload`` and the like).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from pipelines import store
from pipelines.store import (
    SubmissionRow,
    SuggestionRow,
)


def latest_payloads(engine: Engine, year: int, kinds: Sequence[str]) -> dict[str, dict[int, Any]]:
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


def current_rows(engine: Engine, year: int) -> list[tuple[int, str, str, str, str, int | None]]:
    """(id, title, file name, unit, implementer, declared category) of the year's current cases, by id."""
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
