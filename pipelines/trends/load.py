"""Loaders of cases frames: the database (with the reviewer's view of categories) and the sample data."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from pipelines.config import SAMPLE_DIR, get_settings
from pipelines.jsonl import JsonlError, read_jsonl
from pipelines.schema import CategorySuggestion, DuplicateMatch
from pipelines.vocabulary import PAST_REPEAT_VERDICTS

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from pipelines.auth import User

from pipelines.trends.frame import TrendCase, TrendError, cases_frame

# ----------------------------------------------------------------------------------------------- loaders


def _reviewer_categories(engine: Engine, user: User, year: int) -> dict[int, int]:
    """The category most reviewers chose per submission (ties and no choice: absent)."""
    from pipelines.review.decisions import visible_latest_reviews

    votes: dict[int, Counter] = {}
    for review in visible_latest_reviews(engine, user, year):
        if review.final_category is not None:
            votes.setdefault(review.submission_id, Counter())[review.final_category] += 1
    finals = {}
    for submission_id, counter in votes.items():
        (top, n), *rest = counter.most_common()
        if not rest or rest[0][1] < n:
            finals[submission_id] = top
    return finals


def _flagged_repeat(duplicates) -> str:
    """The earlier case the duplicate detector's stored matches call a repeat of this one (best score)."""
    found = DuplicateMatch.list_from_payload(duplicates.payload) if duplicates else []
    matches = [m for m in found if m.verdict in PAST_REPEAT_VERDICTS]
    return str(max(matches, key=lambda m: m.score or 0.0).other_id) if matches else ""


def _submission_case(row, category_row, duplicates_row, final: int | None) -> TrendCase:
    payload = row.payload or {}
    text = payload.get("text") or "\n".join((payload.get("sections") or {}).values())
    suggested = CategorySuggestion.from_payload(category_row.payload).category if category_row else None
    candidates = ((final, "reviewers"), (suggested, "classifier"), (row.declared_category, "declared"))
    category, source = next(((c, s) for c, s in candidates if c is not None), (None, "none"))
    previous = tuple(p.get("title", "") for p in payload.get("previous_applications") or [] if p.get("title"))
    return TrendCase(
        f"S{row.id}",
        row.year,
        category,
        "pending",
        row.unit,
        row.title,
        text,
        source,
        declared_previous=previous,
        flagged_repeat_of=_flagged_repeat(duplicates_row),
    )


def load_cases(engine: Engine, year: int | None = None, user: User | None = None) -> pd.DataFrame:
    """Past cases and this year's submissions from the store as a cases frame.

    A submission's category is, in order: what most reviewers chose (only when ``user`` is given and may
    see the reviews), the classifier's suggestion, the declared category. Submissions of a year whose
    results are already in the past cases are left out (the past cases replace them).

    Args:
        engine: store engine.
        year: the current call year; default ``Settings.call_year``.
        user: the analyst or organizer asking (for reviewers' final categories).

    Returns:
        Cases frame.
    """
    from pipelines import store

    year = year or get_settings().call_year
    past = [
        TrendCase(c.id, c.year, c.category, c.outcome, c.unit, c.title, c.text, "history")
        for c in store.list_past_cases(engine)
    ]
    rows = [] if any(c.year == year for c in past) else store.list_submissions(engine, year)
    ids = [r.id for r in rows]
    categories = store.latest_suggestions(engine, "category", ids) if rows else {}
    duplicates = store.latest_suggestions(engine, "duplicates", ids) if rows else {}
    finals = _reviewer_categories(engine, user, year) if user is not None and rows else {}
    current = [
        _submission_case(r, categories.get(r.id), duplicates.get(r.id), finals.get(r.id)) for r in rows
    ]
    return cases_frame(past + current)


def _sample_submissions(path: Path, year: int) -> list[TrendCase]:
    cases = []
    try:
        lines = read_jsonl(path)
    except JsonlError as error:
        raise TrendError(error.message) from error
    for number, _, record in lines:
        declared = record.get("declared_categories") or []
        category = declared[0] if len(declared) == 1 else None
        text = "\n".join((record.get("sections") or {}).values())
        case_id = str(record.get("id") or f"{year}-{number}")
        source = "declared" if category else "none"
        previous = tuple(p.get("title", "") for p in record.get("previous") or [] if p.get("title"))
        cases.append(
            TrendCase(
                case_id,
                year,
                category,
                "pending",
                record.get("unit", ""),
                record.get("title", ""),
                text,
                source,
                declared_previous=previous,
            )
        )
    return cases


def load_sample(sample_dir: Path = SAMPLE_DIR) -> pd.DataFrame:
    """The sample data as a cases frame: ``history/*.jsonl`` (past cases) and ``submissions_<year>.jsonl``.

    Sample submissions carry the declared category (none when zero or several boxes are ticked).

    Raises:
        TrendError: when the folder holds no sample data or a file cannot be read.
    """
    from pipelines.intake.history import HistoryError, read_table

    cases: list[TrendCase] = []
    try:
        for path in sorted((sample_dir / "history").glob("*.jsonl")):
            cases += [
                TrendCase(c.id, c.year, c.category, c.outcome, c.unit, c.title, c.text, "history")
                for c in read_table(path)
            ]
    except HistoryError as exc:
        raise TrendError(str(exc)) from exc
    for path in sorted(sample_dir.glob("submissions_*.jsonl")):
        year = re.search(r"(\d{4})", path.stem)
        if year:
            cases += _sample_submissions(path, int(year.group(1)))
    if not cases:
        raise TrendError(f"「{sample_dir}」中没有样例数据（history/*.jsonl 或 submissions_<年份>.jsonl）。")
    return cases_frame(cases)
