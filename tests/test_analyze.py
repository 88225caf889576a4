"""The orchestration: progress per stage, the history's derived data prepared once, analysis in the background."""

from __future__ import annotations

from pipelines import store
from pipelines.analysis_job import analysis_job, start_analysis, wait_for_analysis
from pipelines.analyze import STAGE_UNITS, STAGES, analyze_submissions, prepare_history
from pipelines.config import Settings
from pipelines.schema import PastCase
from tests import workbench_data
from tests.workbench_data import INTRO, PRACTICE

SETTINGS = Settings(call_year=2026)


def _stored(engine, count: int = 3) -> list[int]:
    titles = ["“碳路观察”数据新闻品牌", "建材云展厅2.0", "海洋资源融媒矩阵", "金融时讯客户端", "水利融媒平台"]
    units = ["能源观察报", "中国建材时报社", "中国海洋资源报社", "中国金融时讯报社", "中国水利报社"]
    return [
        store.save_submission(
            engine, workbench_data.submission(n, titles[n], units[n], 2), 2026
        ).submission_id
        for n in range(count)
    ]


def _past(count: int, start: int = 0) -> list[PastCase]:
    return [
        PastCase(
            f"H{n:03d}", 2024, f"往年项目{n}", f"往年单位{n % 7}", f"{INTRO}第{n}期。{PRACTICE}", "awarded"
        )
        for n in range(start, start + count)
    ]


def test_analysis_reports_each_stage_with_cases_done_and_where_time_went(engine):
    store.save_past_cases(engine, _past(4))
    ids = _stored(engine)
    seen: list[tuple[str, int, int]] = []
    report = analyze_submissions(engine, settings=SETTINGS, progress=lambda *event: seen.append(event))
    total = len(STAGES) * STAGE_UNITS
    assert {event[2] for event in seen} == {total}
    assert [done for _, done, _ in seen] == sorted(done for _, done, _ in seen)  # never goes back
    assert seen[-1] == ("完成", total, total)
    assert ("查重 3/3", 2 * STAGE_UNITS, total) in seen and ("类别 3/3", STAGE_UNITS, total) in seen
    assert [label.split()[0] for label, _, _ in seen[:-1]] == sorted(
        (label.split()[0] for label, _, _ in seen[:-1]), key=STAGES.index
    )
    assert set(report.seconds) == set(STAGES) and all(value >= 0 for value in report.seconds.values())
    assert report.stages == ["类别", "查重", "评分", "资格审查"]
    for kind in ("category", "duplicates", "eligibility", "scores"):
        assert set(store.latest_suggestions(engine, kind, ids)) == set(ids)


def test_prepare_history_builds_then_only_appends_imported_cases(engine, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # this test's own repeat index and novelty rows
    store.save_past_cases(engine, _past(6))
    assert prepare_history(engine, SETTINGS) == "往年案例 6 条：查重索引已重建，新颖度向量新增 6 条。"
    assert prepare_history(engine, SETTINGS) == "往年案例 6 条：查重索引已是最新，新颖度向量新增 0 条。"
    store.save_past_cases(engine, _past(2, start=6))  # a year's cases imported
    assert prepare_history(engine, SETTINGS) == "往年案例 8 条：查重索引追加 2 条，新颖度向量新增 2 条。"
    edited = _past(1)[0]
    edited.text += "修订后的说明。"
    store.save_past_cases(engine, [edited])  # a changed past case: everything is learned again
    assert prepare_history(engine, SETTINGS) == "往年案例 8 条：查重索引已重建，新颖度向量新增 1 条。"


def test_background_analysis_runs_the_batch_and_then_what_came_in_meanwhile(engine):
    ids = _stored(engine, 5)
    job = start_analysis(engine, ids[:3], SETTINGS)
    again = start_analysis(engine, ids[3:], SETTINGS)  # while the first pass runs, or right after it
    assert again is job
    wait_for_analysis(engine, timeout=300)
    assert not job.running and not job.error and job.summary.startswith("已分析")
    assert job.share == 1.0 and job.label == "完成" and job.seconds > 0
    assert set(store.latest_suggestions(engine, "scores", ids)) == set(ids)
    assert analysis_job(engine) is job


def test_a_failed_background_analysis_says_why_and_keeps_the_forms(engine):
    ids = _stored(engine, 2)
    job = start_analysis(engine, ids, Settings(call_year=2026, classifier_version="v-none"))
    wait_for_analysis(engine, timeout=300)
    assert not job.running and "v-none" in job.error and not job.summary
    assert len(store.list_submissions(engine, 2026)) == 2
    assert not store.latest_suggestions(engine, "category", ids)
