"""Stored machine suggestions (JSON payloads) back into dataclasses, and the year's current cases."""

from __future__ import annotations

from collections.abc import Sequence
from statistics import fmean
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from pipelines import store
from pipelines.schema import AlignedPair, CategorySuggestion, DuplicateMatch, Finding, ScoreResult
from pipelines.store import (
    SubmissionRow,
    SuggestionRow,
)
from pipelines.vocabulary import (
    CRITERIA,
)


def category_from_payload(payload: dict[str, Any]) -> CategorySuggestion:
    """A stored category suggestion, with JSON's string keys turned back into category ids."""

    def int_keys(mapping: dict[Any, Any] | None) -> dict[int, Any]:
        return {int(k): v for k, v in (mapping or {}).items()}

    data = dict(payload)
    data["probabilities"] = {k: float(v) for k, v in int_keys(data.get("probabilities")).items()}
    data["evidence"] = int_keys(data.get("evidence"))
    data["terms"] = int_keys(data.get("terms"))
    known = CategorySuggestion.__dataclass_fields__
    return CategorySuggestion(**{k: v for k, v in data.items() if k in known})


def findings_from_payload(payload: Sequence[dict[str, Any]] | None) -> list[Finding]:
    known = Finding.__dataclass_fields__
    return [Finding(**{k: v for k, v in item.items() if k in known}) for item in payload or []]


def score_from_payload(payload: dict[str, Any]) -> ScoreResult:
    known = ScoreResult.__dataclass_fields__
    return ScoreResult(**{k: v for k, v in payload.items() if k in known})


def match_from_payload(payload: dict[str, Any]) -> DuplicateMatch:
    known = DuplicateMatch.__dataclass_fields__
    data = {k: v for k, v in payload.items() if k in known}
    pair_fields = AlignedPair.__dataclass_fields__
    data["aligned"] = [
        AlignedPair(**{k: v for k, v in pair.items() if k in pair_fields})
        for pair in data.get("aligned") or []
    ]
    return DuplicateMatch(**data)


def mean_score(payload: Any) -> float:
    """Mean of a stored score suggestion's four criteria; NaN unless all four are there."""
    scores = (payload or {}).get("scores") or {}
    given = [float(scores[k]) for k in CRITERIA if scores.get(k) is not None]
    return fmean(given) if len(given) == len(CRITERIA) else np.nan


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
