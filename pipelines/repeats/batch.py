"""Repeat detection for the stored submissions of a call year (the ``analyze`` step and ``dedupe`` without
files), with the history index taken from the repeat-index cache."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from pipelines.repeats.detect import BatchCase, call_year_setting, detect_duplicates
from pipelines.repeats.persist import cached_history_index
from pipelines.repeats.semantic import reranker_from_settings
from pipelines.schema import DuplicateMatch, PastCase, Submission

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy.engine import Engine

    from pipelines.backends.embed import Embedder


def detect_for_store(
    engine: Engine, embedder: Embedder | None = None, year: int | None = None
) -> dict[int, list[DuplicateMatch]]:
    """``detect_duplicates`` on the stored current submissions of the call year and the stored past cases.

    The history index is loaded from the repeat-index cache when the stored past cases have not changed.

    Args:
        engine: the store.
        embedder: optional; adds the ``semantic`` signal.
        year: the call year (defaults to the settings' ``call_year``).

    Returns:
        Submission id → matches (``other_id`` of a same-batch match is the other submission's id as text).
    """
    from pipelines import store

    year = year or call_year_setting()
    rows = store.list_submissions(engine, year=year)
    return detect_submissions(engine, [(row.id, row.submission()) for row in rows], embedder, year)


def detect_submissions(
    engine: Engine,
    batch: Sequence[tuple[int, Submission]],
    embedder: Embedder | None,
    year: int | None = None,
    history: Sequence[PastCase] | None = None,
    directory: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[int, list[DuplicateMatch]]:
    """Matches of stored submissions against the stored past cases (index from the cache) and each other.

    Args:
        engine: the store (past cases).
        batch: ``(submission id, submission)`` of this year's batch.
        embedder: optional; adds the ``semantic`` signal.
        year: the call year (defaults to the settings' ``call_year``).
        history: the stored past cases when the caller has read them already.
        directory: the repeat-index cache directory (default ``persist.cache_dir()``).
        progress: called as ``progress(cases done, cases)``.

    Returns:
        Submission id → matches, for every submission of ``batch``.
    """
    from pipelines import store

    cases = [
        BatchCase(str(sid), sub.title, sub.unit, sub.text, sub.declared_category, dict(sub.sections))
        for sid, sub in batch
    ]
    past = store.list_past_cases(engine) if history is None else history
    index = cached_history_index(past, embedder, year, directory=directory)
    index.reranker = reranker_from_settings()
    found = detect_duplicates(cases, index, progress=progress)
    return {sid: found.get(str(sid), []) for sid, _ in batch}
