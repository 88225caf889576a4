from __future__ import annotations

import pytest
from sqlalchemy import func, select

from pipelines import store
from pipelines.schema import PastCase, Submission


def _submission(name: str = "a.docx", digest: str = "h1", title: str = "案例一") -> Submission:
    return Submission(
        file_name=name, content_hash=digest, title=title, unit="中国建材时报社", sections={"案例简介": "x"}
    )


def test_same_content_is_a_no_op_and_changed_file_is_a_new_version(any_engine):
    first = store.save_submission(any_engine, _submission(), 2026)
    again = store.save_submission(any_engine, _submission(), 2026)
    changed = store.save_submission(any_engine, _submission(digest="h2", title="案例一（修订）"), 2026)
    assert (first.outcome, again.outcome, changed.outcome) == ("new", "unchanged", "new_version")
    assert again.submission_id == first.submission_id
    current = store.list_submissions(any_engine, 2026)
    assert [row.title for row in current] == ["案例一（修订）"]
    versions = store.submission_versions(any_engine, changed.submission_id)
    assert [(v.version, v.is_current) for v in versions] == [(1, False), (2, True)]
    assert versions[0].submission().title == "案例一"


def test_failed_transaction_leaves_nothing(any_engine):
    with pytest.raises(RuntimeError), store.session_scope(any_engine) as session:
        session.add(store.SubmissionRow(year=2026, file_name="x.docx", content_hash="z", payload={}))
        session.flush()
        raise RuntimeError("boom")
    with store.session_scope(any_engine) as session:
        assert session.scalar(select(func.count()).select_from(store.SubmissionRow)) == 0


def test_past_cases_upsert_and_suggestions(any_engine):
    case = PastCase(id="H1", year=2025, title="t", unit="u", text="正文", outcome="awarded", category=2)
    assert store.save_past_cases(any_engine, [case, case]) == 2
    assert store.list_past_cases(any_engine) == [case]
    saved = store.save_submission(any_engine, _submission(), 2026)
    store.save_suggestion(any_engine, saved.submission_id, "category", {"category": 1}, agent="v1")
    store.save_suggestion(any_engine, saved.submission_id, "category", {"category": 4}, agent="v2")
    latest = store.latest_suggestions(any_engine, "category")
    assert latest[saved.submission_id].payload == {"category": 4}


def test_intake_errors_are_logged(any_engine):
    store.log_intake_error(any_engine, "坏文件.docx", "empty_file", "文件为空")
    store.log_intake_error(any_engine, "~$锁.docx", "lock_file", "跳过")
    outcomes = [(row.file_name, row.outcome) for row in store.intake_log(any_engine)]
    assert outcomes == [("~$锁.docx", "skipped"), ("坏文件.docx", "error")]
