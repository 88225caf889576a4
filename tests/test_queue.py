from __future__ import annotations

import numpy as np
import pytest

from pipelines import auth, store
from pipelines.config import Settings
from pipelines.review import blind, case_view, flag_actions, flags, queue
from pipelines.review import decisions as review
from pipelines.review.decisions import ReviewInput
from tests import workbench_data

HIDE = Settings(hide_ai_scores_until_reviewed=True)
BLIND = Settings(blind_review=True, hide_ai_scores_until_reviewed=False)


@pytest.fixture
def seeded(engine):
    return workbench_data.seed(engine)


def _review(score: float = 80, decision: str = "推荐") -> ReviewInput:
    keys = ("political", "innovation", "effectiveness", "typicality")
    return ReviewInput(final_category=2, scores=dict.fromkeys(keys, score), decision=decision)


def test_queue_shows_declared_vs_suggested_flags_and_status(engine, seeded):
    frame = queue.build_queue(engine, seeded.org, settings=HIDE).set_index("id")
    assert list(frame.index) == [seeded.energy, seeded.building, seeded.ocean, seeded.bare]
    building = frame.loc[seeded.building]
    assert building["declared"] == "2 内容供给创新类" and building["suggested"] == "3 运营服务创新类"
    assert building["confidence"] == pytest.approx(0.74)
    assert "✖往年已入选" in building["flags"] and "疑似错报类别" in building["flags"]
    assert building["flag_groups"] == {"repeat", "ineligible", "misfiled", "over_limit"}
    assert building["ai_total"] == pytest.approx(57.5) and building["llm_total"] == pytest.approx(62.5)
    assert building["unit"] == "中国建材时报社" and building["status"] == "未评"
    assert frame.loc[seeded.bare, "suggested"] == "" and np.isnan(frame.loc[seeded.bare, "confidence"])
    assert frame.loc[seeded.ocean, "flag_groups"] == {"ineligible"}


def test_ai_totals_hidden_from_a_reviewer_until_they_scored(engine, seeded):
    before = queue.build_queue(engine, seeded.li, settings=HIDE).set_index("id")
    assert before["ai_total"].isna().all()
    review.save_review(engine, seeded.wang, seeded.energy, _review(90))
    review.save_review(engine, seeded.li, seeded.ocean, _review(60))
    after = queue.build_queue(engine, seeded.li, settings=HIDE).set_index("id")
    assert np.isnan(after.loc[seeded.energy, "ai_total"])  # another reviewer's work reveals nothing to li
    assert np.isnan(after.loc[seeded.energy, "mean_total"]) and after.loc[seeded.energy, "decisions"] == ""
    assert after.loc[seeded.energy, "n_reviews"] == 1
    assert after.loc[seeded.ocean, "status"] == "已评" and after.loc[seeded.ocean, "mean_total"] == 60
    visible = queue.build_queue(engine, seeded.li, settings=Settings(hide_ai_scores_until_reviewed=False))
    assert visible.set_index("id").loc[seeded.energy, "ai_total"] == pytest.approx(72.5)


def test_filters_search_and_sort(engine, seeded):
    def ids(**kwargs):
        return list(queue.build_queue(engine, seeded.org, queue.QueueFilter(**kwargs), HIDE)["id"])

    assert ids(search="云展厅") == [seeded.building]
    assert ids(search="金融时讯") == [seeded.bare]  # by unit
    assert ids(search=str(seeded.ocean)) == [seeded.ocean]
    assert ids(search="不存在的词") == []
    assert ids(categories=[3]) == [seeded.building]  # suggested category 3
    assert ids(categories=[1]) == [seeded.ocean, seeded.bare]
    assert ids(flag_groups=["repeat"]) == [seeded.building]
    assert ids(flag_groups=["ineligible"]) == [seeded.building, seeded.ocean]
    assert ids(sort_by="confidence", descending=True) == [
        seeded.energy,
        seeded.building,
        seeded.ocean,
        seeded.bare,
    ]
    assert ids(sort_by="ai_total") == [seeded.building, seeded.energy, seeded.ocean, seeded.bare]
    review.save_review(engine, seeded.li, seeded.building, _review())
    assert ids(status="done") == [seeded.building]
    assert ids(status="todo") == [seeded.energy, seeded.ocean, seeded.bare]


def test_reviewer_status_includes_conflicts(engine, seeded):
    frame = queue.build_queue(engine, seeded.wang, queue.QueueFilter(status="conflict"), HIDE)
    assert list(frame["id"]) == [seeded.building]  # wang's own unit
    review.save_review(engine, seeded.wang, seeded.ocean, ReviewInput(conflict_of_interest=True))
    frame = queue.build_queue(engine, seeded.wang, queue.QueueFilter(status="conflict"), HIDE)
    assert list(frame["id"]) == [seeded.building, seeded.ocean]


def test_dismissed_flags_leave_the_queue_flags_and_confirmed_ones_are_marked(engine, seeded):
    flag_actions.record_flag_action(
        engine, seeded.org, seeded.building, "past_awardee_repeat", "dismissed", "H2024-07", "核实为全新项目"
    )
    flag_actions.record_flag_action(engine, seeded.org, seeded.building, "over_limit", "confirmed")
    row = queue.build_queue(engine, seeded.org, settings=HIDE).set_index("id").loc[seeded.building]
    assert "往年已入选" not in row["flags"] and "超出每类限额✓" in row["flags"]
    assert "repeat" not in row["flag_groups"]
    board = flags.flag_table(engine, seeded.org, 2026)
    assert [(f.submission_id, f.code) for f in board][:2] == [
        (seeded.ocean, "not_online"),
        (seeded.building, "misfiled"),
    ]
    assert board[-1].state is not None
    assert {f.code for f in flags.flag_table(engine, seeded.org, 2026, ["repeat"])} == {"past_awardee_repeat"}
    with pytest.raises(auth.PermissionDenied):
        flags.flag_table(engine, seeded.wang, 2026)


def test_blind_review_hides_the_applicant_from_reviewers_only(engine, seeded):
    frame = queue.build_queue(engine, seeded.li, settings=BLIND).set_index("id")
    assert set(frame["unit"]) == {blind.HIDDEN}
    assert list(queue.build_queue(engine, seeded.li, queue.QueueFilter(search="金融时讯"), BLIND)["id"]) == []
    view = case_view.case_view(engine, seeded.li, seeded.building, BLIND)
    sub = view.submission
    assert view.blind and sub.unit == sub.implementer == sub.file_name == sub.contact.phone == blind.HIDDEN
    section_text = "".join(s.text for s in view.sections[0].segments)
    assert "建材时报" not in section_text and blind.REDACTED in section_text
    assert view.matches[0].other_unit == blind.HIDDEN
    assert view.matches[0].match.iteration_report["new_partners"] == [f"{blind.REDACTED}联合5家协会"]
    assert all("建材时报" not in reason for reason in view.matches[0].match.reasons)
    assert "建材时报" not in "".join(s.text for s in view.matches[0].pairs[0].this_segments)
    organizer_view = case_view.case_view(engine, seeded.org, seeded.building, BLIND)
    assert not organizer_view.blind and organizer_view.submission.unit == "中国建材时报社"


def test_case_view_evidence_scores_and_review_visibility(engine, seeded):
    view = case_view.case_view(engine, seeded.wang, seeded.energy, HIDE)
    assert [s.label for s in view.sections] == ["案例简介", "主要做法", "取得成效", "推广价值"]
    practice = view.sections[1].segments
    assert [s.tag for s in practice if s.tag] == ["category2"]  # category evidence is highlighted
    assert view.ai_scores_hidden and view.scores == []
    assert all(s.tag is None for s in view.sections[2].segments)  # no score evidence leaks while hidden
    assert view.category.probabilities[2] == pytest.approx(0.82)  # JSON string keys turned back into ints
    assert view.can_review and view.other_reviews is None  # hidden until wang has scored
    review.save_review(engine, seeded.li, seeded.energy, ReviewInput(conflict_of_interest=True))
    review.save_review(engine, seeded.wang, seeded.energy, _review(75))
    view = case_view.case_view(engine, seeded.wang, seeded.energy, HIDE)
    assert not view.ai_scores_hidden and view.scores[0].scores["political"] == 70
    assert [s.tag for s in view.sections[2].segments if s.tag] == ["effectiveness"]
    assert view.latest_own.total == 75 and [r.reviewer for r in view.other_reviews] == ["li"]
    frame = case_view.category_probability_frame(view.category)
    assert list(frame["概率"].round(2)) == [0.04, 0.82, 0.04, 0.04, 0.04, 0.04]


def test_case_view_duplicates_side_by_side_and_who_may_review(engine, seeded):
    view = case_view.case_view(engine, seeded.org, seeded.building, HIDE)
    match = view.matches[0]
    assert (match.other_title, match.other_year, match.other_outcome) == ("建材行业云展厅", 2024, "入选")
    assert match.kind_label == "往年入选案例" and match.flag.code == "past_awardee_repeat"
    pair = match.pairs[0]
    same = "".join(s.text for s in pair.this_segments if s.tag == "same")
    assert workbench_data.RESULT in same
    assert "".join(s.text for s in pair.other_segments) == workbench_data.INTRO + workbench_data.RESULT
    assert not view.can_review and "评审专家" in view.review_block_reason
    wang_view = case_view.case_view(engine, seeded.wang, seeded.building, HIDE)
    assert not wang_view.can_review and "回避" in wang_view.review_block_reason
    assert case_view.case_view(engine, seeded.org, 9999, HIDE) is None
    bare = case_view.case_view(engine, seeded.li, seeded.bare, HIDE)
    assert bare.category is None and bare.flags == [] and bare.matches == [] and not bare.ai_scores_hidden


def test_next_case_moves_forward_without_going_back():
    order = [5, 3, 9, 1]
    assert queue.next_case_id(order, 3) == 9
    assert queue.next_case_id(order, 3, skip=[9]) == 1
    assert queue.next_case_id(order, 1) is None
    assert queue.next_case_id(order, 42) == 5
    assert queue.next_case_id([], None) is None


def test_highlight_and_shared_passages():
    segments = case_view.highlight("甲乙丙丁戊己庚辛", {"乙丙丁戊": "a", "丁戊己庚": "b", "庚辛": "c"})
    assert [(s.text, s.tag) for s in segments] == [
        ("甲", None),
        ("乙丙丁戊", "a"),
        ("己庚", "b"),
        ("辛", None),
    ]
    this, other = case_view.shared_passages(
        "新增用户画像功能，全网阅读量超过1.2亿次。", "全网阅读量超过1.2亿次，获得好评。"
    )
    assert [s.text for s in this if s.tag == "same"] == ["全网阅读量超过1.2亿次"]
    assert [s.text for s in other if s.tag == "same"] == ["全网阅读量超过1.2亿次"]
    plain, _ = case_view.shared_passages("完全不同的一句话", "另一段没有共同内容")
    assert [s.tag for s in plain] == [None]


def test_data_version_moves_with_every_change_the_queue_shows(engine, seeded):
    seen = [queue.data_version(engine)]
    review.save_review(engine, seeded.li, seeded.ocean, _review())
    seen.append(queue.data_version(engine))
    flag_actions.record_flag_action(engine, seeded.org, seeded.ocean, "not_online", "confirmed")
    seen.append(queue.data_version(engine))
    store.save_suggestion(engine, seeded.bare, "scores", workbench_data.scores(50))
    seen.append(queue.data_version(engine))
    assert len(set(seen)) == 4


def test_signals_and_iteration_report_in_chinese(engine, seeded):
    match = case_view.case_view(engine, seeded.org, seeded.building, HIDE).matches[0].match
    signals = case_view.signal_frame(match)
    assert list(signals["信号"]) == ["标题相似度", "语义相似度", "同一申报单位"]
    sections, items = case_view.iteration_view(match.iteration_report)
    assert sections.to_dict("records") == [
        {"本案部分": "案例简介", "往年部分": "案例简介", "新内容占比": 0.2}
    ]
    assert items == [("新增数据", "860万次"), ("新合作方", "建材时报社联合5家协会")]
    empty_sections, no_items = case_view.iteration_view({})
    assert empty_sections.empty and no_items == []


def test_default_order_for_a_case_opened_from_a_link(engine, seeded):
    review.save_review(engine, seeded.li, seeded.ocean, _review())
    review.save_review(engine, seeded.li, seeded.energy, ReviewInput(conflict_of_interest=True))
    order, done = queue.default_order(engine, seeded.li, 2026)
    assert order == [seeded.energy, seeded.building, seeded.ocean, seeded.bare]
    assert sorted(done) == sorted([seeded.ocean, seeded.energy])
    assert queue.next_case_id(order, seeded.energy, skip=done) == seeded.building


def test_sort_by_uncertainty_puts_the_cases_that_teach_the_model_most_first(engine, seeded):
    frame = queue.build_queue(
        engine, seeded.org, queue.QueueFilter(sort_by="uncertainty", descending=True), HIDE
    )
    assert list(frame["id"]) == [
        seeded.ocean,
        seeded.building,
        seeded.energy,
        seeded.bare,
    ]  # no suggestion last
    building = frame.set_index("id").loc[seeded.building]
    assert building["uncertainty"] == pytest.approx(1 - (0.74 - 0.26 / 5))
