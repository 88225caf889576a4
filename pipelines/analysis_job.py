"""Analysis in the background: the intake page starts it and stays usable while it runs.

One worker thread per database runs ``analyze_submissions`` on the submissions handed to it; submissions
handed over while it runs are analysed right after, in one more pass. The job's state (stage, cases done,
share done, the result or the error) is read by the page, which redraws itself every second (no Streamlit
here).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from pipelines.config import Settings, get_settings


@dataclass
class AnalysisJob:
    """The background analysis of one database, as the page shows it."""

    label: str = ""  # the stage, with the cases done (查重 350/1000)
    share: float = 0.0  # of the current pass, 0–1
    running: bool = False
    summary: str = ""  # Chinese, when a pass has finished
    error: str = ""  # Chinese, when a pass failed (the forms stay stored)
    started: float = 0.0
    finished: float = 0.0
    pending: set[int] = field(default_factory=set)
    thread: threading.Thread | None = field(default=None, repr=False)

    @property
    def seconds(self) -> float:
        """Wall seconds of the current (or last) pass."""
        return (time.monotonic() if self.running else self.finished) - self.started


_jobs: dict[str, AnalysisJob] = {}
_lock = threading.Lock()


def analysis_job(engine: Engine) -> AnalysisJob | None:
    """The analysis job of this database in this process (running or finished), or None."""
    return _jobs.get(str(engine.url))


def start_analysis(
    engine: Engine, submission_ids: Iterable[int], settings: Settings | None = None
) -> AnalysisJob:
    """Analyse the submissions in a background thread (after the pass under way, if one is); returns the job.

    Args:
        engine: the store.
        submission_ids: the submissions to (re)analyse.
        settings: defaults to the process settings.
    """
    settings = settings or get_settings()
    key = str(engine.url)
    with _lock:
        job = _jobs.setdefault(key, AnalysisJob())
        job.pending.update(submission_ids)
        if not job.running:  # set under the lock, so a worker about to stop never strands these ids
            job.running, job.error, job.summary, job.label, job.share = True, "", "", "排队", 0.0
            job.started = time.monotonic()
            job.thread = threading.Thread(
                target=_work, args=(engine, settings, job), name=f"analysis-{len(_jobs)}", daemon=True
            )
            job.thread.start()
    return job


def wait_for_analysis(engine: Engine, timeout: float | None = None) -> AnalysisJob | None:
    """Block until the background analysis of this database is done (tests, scripts); the job or None."""
    job = analysis_job(engine)
    if job is not None and job.thread is not None:
        job.thread.join(timeout)
    return job


def _work(engine: Engine, settings: Settings, job: AnalysisJob) -> None:
    from pipelines.analyze import analyze_submissions

    def progress(label: str, done: int, total: int) -> None:
        job.label, job.share = label, done / total if total else 0.0

    while True:
        with _lock:
            ids, job.pending = sorted(job.pending), set()
            if not ids:
                job.running, job.finished = False, time.monotonic()
                return
        try:
            report = analyze_submissions(engine, ids, settings, progress)
        except Exception as error:  # the forms are stored; the page says the analysis did not finish
            job.error = f"{type(error).__name__}: {error}"
        else:
            job.summary = report.summary()
