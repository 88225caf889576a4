from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import pytest
from sqlalchemy import func, select

from pipelines import auth, store
from pipelines.config import Settings
from pipelines.review import agreement, audit, flag_actions
from pipelines.review import decisions as review
from pipelines.review.decisions import ReviewInput
from pipelines.schema import Submission

NAN = np.nan
# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", the worked example with missing values.
KRIPPENDORFF_EXAMPLE = np.array(
    [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
        [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
    ]
)


@dataclass
class World:
    engine: object
    org: auth.User
    analyst: auth.User
    wang: auth.User
    li: auth.User
    zhao: auth.User
    cases: list[int]


def _case(engine, n: int, unit: str, title: str = "") -> int:
    submission = Submission(
        file_name=f"case{n}.docx",
        content_hash=f"hash{n}",
        title=title or f"案例{n}",
        unit=unit,
        implementer=unit,
        declared_category=1 + n % 6,
        text="正文",
    )
    return store.save_submission(engine, submission, 2026).submission_id


@pytest.fixture
def world(engine) -> World:
    org = auth.create_user(engine, auth.SYSTEM, "org", "organizer", "password-org").user
    analyst = auth.create_user(engine, org, "ana", "analyst", "password-ana").user
    wang = auth.create_user(engine, org, "wang", "reviewer", "password-wang", unit="中国建材时报社").user
    li = auth.create_user(engine, org, "li", "reviewer", "password-li", unit="中国能源观察报社").user
    zhao = auth.create_user(engine, org, "zhao", "reviewer", "password-zhao").user
    units = ["中国邮政通信报社", "建材时报", "中国海洋资源报社", "中国金融时讯报社"]
    cases = [_case(engine, n, unit) for n, unit in enumerate(units)]
    return World(engine, org, analyst, wang, li, zhao, cases)


def _input(score: float, decision: str = "推荐", category: int = 2, comments: str = "") -> ReviewInput:
    scores = {"political": score, "innovation": score, "effectiveness": score, "typicality": score}
    return ReviewInput(final_category=category, scores=scores, decision=decision, comments=comments)


def test_each_save_is_a_new_version_and_all_versions_stay(world):
    first = review.save_review(world.engine, world.wang, world.cases[0], _input(70, "待定"))
    second = review.save_review(
        world.engine, world.wang, world.cases[0], _input(85, "推荐", comments="复核后上调")
    )
    assert (first.version, second.version) == (1, 2)
    assert second.total == 85.0 and second.comments == "复核后上调"
    own, others = review.review_history(world.engine, world.wang, world.cases[0])
    assert [r.version for r in own] == [2, 1]
    assert others == []
    trail = audit.audit_trail(world.engine, world.org, world.cases[0])
    assert list(trail["操作"]) == ["保存评审意见", "保存评审意见"]


def test_incomplete_or_out_of_range_reviews_are_refused(world):
    bad = _input(70)
    bad.scores["innovation"] = 120
    with pytest.raises(review.ReviewError, match="创新性.*超出范围"):
        review.save_review(world.engine, world.wang, world.cases[0], bad)
    missing = _input(70)
    del missing.scores["typicality"]
    with pytest.raises(review.ReviewError, match="典型性"):
        review.save_review(world.engine, world.wang, world.cases[0], missing)
    with pytest.raises(review.ReviewError, match="评审结论"):
        review.save_review(world.engine, world.wang, world.cases[0], _input(70, decision="同意"))
    with pytest.raises(review.ReviewError, match="最终类别"):
        review.save_review(world.engine, world.wang, world.cases[0], _input(70, category=9))
    with pytest.raises(review.ReviewError, match="找不到编号为 999"):
        review.save_review(world.engine, world.wang, 999, _input(70))
    with store.session_scope(world.engine) as session:
        assert session.scalar(select(func.count()).select_from(store.ReviewRow)) == 0


def test_analysts_and_organizers_cannot_change_a_decision(world):
    for user in (world.analyst, world.org):
        with pytest.raises(auth.PermissionDenied, match="无权提交或修改评审意见"):
            review.save_review(world.engine, user, world.cases[0], _input(60))


def test_a_superseded_version_cannot_be_reviewed(world):
    changed = Submission(
        file_name="case0.docx", content_hash="hash0-v2", title="案例0（修订）", unit="中国邮政通信报社"
    )
    new_id = store.save_submission(world.engine, changed, 2026).submission_id
    with pytest.raises(review.ReviewError, match="已有更新版本"):
        review.save_review(world.engine, world.wang, world.cases[0], _input(60))
    assert review.save_review(world.engine, world.wang, new_id, _input(60)).submission_id == new_id


def test_reviewer_sees_others_only_after_submitting_own(world):
    case = world.cases[0]
    review.save_review(world.engine, world.li, case, _input(90, "推荐"))
    own, others = review.review_history(world.engine, world.wang, case)
    assert own == [] and others is None
    assert review.visible_latest_reviews(world.engine, world.wang, 2026) == []
    review.save_review(world.engine, world.wang, case, _input(40, "不推荐"))
    own, others = review.review_history(world.engine, world.wang, case)
    assert [r.reviewer for r in others] == ["li"]
    assert {r.reviewer for r in review.visible_latest_reviews(world.engine, world.wang, 2026)} == {
        "li",
        "wang",
    }
    _, all_for_analyst = review.review_history(world.engine, world.analyst, case)
    assert {r.reviewer for r in all_for_analyst} == {"li", "wang"}


def test_same_unit_reviewer_must_recuse_and_can_declare_conflict(world):
    case = world.cases[1]  # unit 建材时报 = wang's 中国建材时报社 under another name
    with pytest.raises(auth.PermissionDenied, match="回避"):
        review.save_review(world.engine, world.wang, case, _input(80))
    declared = review.save_review(
        world.engine, world.wang, case, ReviewInput(conflict_of_interest=True, comments="本单位案例")
    )
    assert declared.conflict_of_interest and declared.decision == "" and declared.total is None
    review.save_review(world.engine, world.li, case, _input(75))
    assert review.review_history(world.engine, world.wang, case)[1] is None  # recused: still blind to others
    visible, counts = review.queue_reviews(world.engine, world.wang, 2026)
    assert counts == {case: 1} and [r.reviewer for r in visible] == ["wang"]  # li's review stays hidden
    # a reviewer without a matching unit may also declare a conflict (e.g. a former employer)
    assert (
        review.save_review(world.engine, world.zhao, case, ReviewInput(conflict_of_interest=True)).version
        == 1
    )


def test_ai_scores_hidden_until_own_review_and_recorded(world):
    case = world.cases[2]
    store.save_suggestion(world.engine, case, "scores", {"scores": {"political": 80}}, agent="offline")
    hide = Settings(hide_ai_scores_until_reviewed=True)
    assert not review.ai_scores_visible(world.engine, world.wang, case, hide)
    assert review.ai_scores_visible(world.engine, world.org, case, hide)
    first = review.save_review(world.engine, world.wang, case, _input(60), settings=hide)
    assert not first.saw_ai_scores
    assert review.ai_scores_visible(world.engine, world.wang, case, hide)
    assert review.save_review(world.engine, world.wang, case, _input(65), settings=hide).saw_ai_scores
    show = Settings(hide_ai_scores_until_reviewed=False)
    assert review.save_review(world.engine, world.li, case, _input(50), settings=show).saw_ai_scores
    assert not review.save_review(
        world.engine, world.li, world.cases[3], _input(50), settings=show
    ).saw_ai_scores


def test_concurrent_saves_on_one_sqlite_file_lose_nothing(world):
    """Six sessions (two per reviewer, e.g. two browser tabs) hammer the same case at the same moment."""
    case = world.cases[0]
    sessions = [world.wang, world.wang, world.li, world.li, world.zhao, world.zhao]
    saves_per_session = 8
    barrier = threading.Barrier(len(sessions))
    errors: list[BaseException] = []

    def worker(user: auth.User, seed: int) -> None:
        barrier.wait()
        try:
            for i in range(saves_per_session):
                review.save_review(world.engine, user, case, _input(float((seed * 7 + i) % 101)))
        except BaseException as error:  # collected and re-raised in the main thread
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(u, n)) for n, u in enumerate(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    for user in (world.wang, world.li, world.zhao):
        own, _ = review.review_history(world.engine, user, case)
        assert sorted(r.version for r in own) == list(range(1, 2 * saves_per_session + 1))
    with store.session_scope(world.engine) as session:
        audits = session.scalar(select(func.count()).where(store.AuditRow.action == "save_review"))
    assert audits == len(sessions) * saves_per_session


def test_flags_are_confirmed_or_dismissed_by_organizers_with_audit(world):
    case = world.cases[0]
    with pytest.raises(auth.PermissionDenied, match="确认或排除问题标记"):
        flag_actions.record_flag_action(world.engine, world.wang, case, "over_limit", "confirmed")
    with pytest.raises(review.ReviewError, match="写明理由"):
        flag_actions.record_flag_action(
            world.engine, world.org, case, "past_awardee_repeat", "dismissed", "H-2024-01"
        )
    with pytest.raises(review.ReviewError, match="未知的处理方式"):
        flag_actions.record_flag_action(world.engine, world.org, case, "over_limit", "ignored")
    flag_actions.record_flag_action(
        world.engine, world.org, case, "past_awardee_repeat", "confirmed", "H-2024-01"
    )
    flag_actions.record_flag_action(
        world.engine, world.org, case, "past_awardee_repeat", "dismissed", "H-2024-01", note="核实为不同项目"
    )
    flag_actions.record_flag_action(world.engine, world.org, case, "over_limit", "confirmed")
    states = flag_actions.flag_states(world.engine, [case])
    assert states[(case, "past_awardee_repeat", "H-2024-01")].action == "dismissed"
    assert states[(case, "past_awardee_repeat", "H-2024-01")].note == "核实为不同项目"
    assert states[(case, "over_limit", "")].label == "已确认"
    trail = audit.audit_trail(world.engine, world.org)
    assert list(trail["操作"][:3]) == ["确认问题标记", "排除问题标记", "确认问题标记"]
    with pytest.raises(auth.PermissionDenied):
        audit.audit_trail(world.engine, world.wang)


def test_krippendorff_alpha_matches_published_example():
    assert agreement.krippendorff_alpha(KRIPPENDORFF_EXAMPLE, "nominal") == pytest.approx(0.743, abs=5e-4)
    assert agreement.krippendorff_alpha(KRIPPENDORFF_EXAMPLE, "interval") == pytest.approx(0.849, abs=5e-4)


def test_krippendorff_alpha_edge_cases():
    perfect = np.array([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]])
    assert agreement.krippendorff_alpha(perfect, "interval") == pytest.approx(1.0)
    assert agreement.krippendorff_alpha(perfect, "nominal") == pytest.approx(1.0)
    reversed_ = np.array([[1.0, 5.0], [5.0, 1.0]])
    assert agreement.krippendorff_alpha(reversed_, "interval") < 0
    assert np.isnan(agreement.krippendorff_alpha(np.array([[1.0, NAN], [NAN, 2.0]])))  # nothing pairable
    assert np.isnan(agreement.krippendorff_alpha(np.array([[3.0, 3.0], [3.0, 3.0]])))  # no variation at all
    assert np.isnan(agreement.krippendorff_alpha(np.empty((0, 0))))
    with pytest.raises(ValueError):
        agreement.krippendorff_alpha(np.array([1.0, 2.0]))
    with pytest.raises(ValueError):
        agreement.krippendorff_alpha(perfect, "ordinal-ish")


def test_normalised_scores_make_strict_and_lenient_reviewers_comparable(world):
    for case, lenient, strict in zip(world.cases[1:], [95, 85, 75], [60, 40, 20], strict=True):
        if case != world.cases[1]:
            review.save_review(world.engine, world.li, case, _input(lenient))
        review.save_review(world.engine, world.zhao, case, _input(strict))
    review.save_review(world.engine, world.li, world.cases[1], _input(95))
    frame = agreement.review_frame(world.engine, world.org, 2026)
    li = frame[frame["reviewer"] == "li"].set_index("submission_id")["z_total"]
    zhao = frame[frame["reviewer"] == "zhao"].set_index("submission_id")["z_total"]
    assert np.allclose(li.sort_index().to_numpy(), zhao.sort_index().to_numpy())
    table = agreement.case_scores(world.engine, world.org, 2026)
    assert list(table["案例编号"]) == world.cases[1:]
    with pytest.raises(auth.PermissionDenied):
        agreement.review_frame(world.engine, world.li, 2026)


def test_agreement_between_reviewers_and_with_ai(world):
    for case, score in zip(world.cases[2:], [30, 90], strict=True):
        for user in (world.li, world.zhao):
            review.save_review(world.engine, user, case, _input(score, category=4))
        ai = {"scores": {k: score for k in ("political", "innovation", "effectiveness", "typicality")}}
        store.save_suggestion(world.engine, case, "scores", ai, agent="offline")
        store.save_suggestion(world.engine, case, "category", {"category": 4 if score > 50 else 2})
    table = agreement.agreement(world.engine, world.analyst, 2026).set_index("指标")
    assert table.loc["总分（四项平均）", "专家之间α"] == pytest.approx(1.0)
    assert table.loc["总分（四项平均）", "专家与离线评分α"] == pytest.approx(1.0)
    assert table.loc["创新性", "评分数"] == 4
    assert np.isnan(table.loc["总分（四项平均）", "专家与大模型评分α"])
    assert table.loc["最终类别", "专家与分类模型α"] < 0.5  # the AI said 2 where both reviewers said 4
    assert np.isnan(table.loc["最终类别", "专家之间α"])  # everybody chose 4: no variation to agree on


def test_most_disagreed_and_progress(world):
    calm, split = world.cases[2], world.cases[3]
    review.save_review(world.engine, world.li, calm, _input(80, "推荐"))
    review.save_review(world.engine, world.zhao, calm, _input(78, "推荐"))
    review.save_review(world.engine, world.li, split, _input(90, "推荐"))
    review.save_review(world.engine, world.zhao, split, _input(30, "不推荐"))
    review.save_review(world.engine, world.wang, world.cases[0], ReviewInput(conflict_of_interest=True))
    table = agreement.most_disagreed(world.engine, world.org, 2026)
    assert list(table["案例编号"]) == [split, calm]
    assert table.loc[0, "结论"] in {"推荐×1，不推荐×1", "不推荐×1，推荐×1"}
    progress = agreement.reviewer_progress(world.engine, world.org, 2026).set_index("评审专家")
    assert progress.loc["li", ["已评", "回避", "待评"]].tolist() == [2, 0, 2]
    # wang declared a conflict on case 0 and shares a unit with case 1
    assert progress.loc["wang", ["已评", "回避", "待评"]].tolist() == [0, 2, 2]


def test_conflict_needs_the_same_unit_not_a_shorter_name_of_another():
    reviewer = auth.User(9, "r", "reviewer", unit="中国建材时报社")
    assert review.conflict_reason(reviewer, "能源观察报") == ""
    assert "回避" in review.conflict_reason(reviewer, "中国能源观察报社", implementer="建材时报")
    assert review.conflict_reason(auth.User(9, "r", "reviewer"), "中国建材时报社") == ""
