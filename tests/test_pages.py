"""The Streamlit pages through AppTest: a smoke run of every page per role, then the reviewer's and the
organizer's work (log in, open a case, save and revise a review, move on, confirm a flag, export, settings,
accounts), all against a real SQLite file seeded as intake and analysis would leave it."""

from __future__ import annotations

import html
import json
import os
import re

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from pipelines import accounts, auth, config, store
from pipelines.config import PROJ_ROOT
from pipelines.review import decisions as review
from pipelines.review import flag_actions
from tests import workbench_data

APP = str(PROJ_ROOT / "app.py")
PAGES_BY_ROLE = {
    "org": [
        "review_queue.py",
        "case_detail.py",
        "intake.py",
        "dashboard.py",
        "exports.py",
        "settings_page.py",
        "accounts.py",
    ],
    "ana": ["review_queue.py", "case_detail.py", "dashboard.py", "exports.py"],
    "wang": ["review_queue.py", "case_detail.py", "exports.py"],
}


@pytest.fixture
def app_env(engine, sqlite_url, monkeypatch, tmp_path):
    """The app reads this test's database and a config file in tmp_path (never the developer's)."""
    for key in [k for k in os.environ if k.startswith("WORKBENCH_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setattr(config, "CONFIG_FILE", tmp_path / "config.toml")
    config.get_settings.cache_clear()
    yield engine
    config.get_settings.cache_clear()


@pytest.fixture
def seeded(app_env):
    return workbench_data.seed(app_env)


def _signed_in(user: auth.User) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["user_id"] = user.id
    return at.run()


def _on_page(at: AppTest, page: str, case: int | None = None) -> AppTest:
    if case is not None:
        at.query_params["case"] = str(case)
    return at.switch_page(f"app_pages/{page}").run()


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def _table(at: AppTest, *columns: str):
    """The first table showing all these columns (display-only tables carry no key AppTest can read)."""
    for frame in at.dataframe:
        value = frame.value
        if set(columns) <= set(value.columns):
            return value
    raise AssertionError(f"no table with columns {columns}")


def _texts(at: AppTest) -> str:
    """The page's messages as the user reads them (Markdown escapes of untrusted text removed)."""
    parts = [m.value for m in at.markdown] + [e.value for e in at.caption]
    parts += [e.value for e in at.info] + [e.value for e in at.error] + [e.value for e in at.success]
    parts += [e.value for e in at.warning]
    return html.unescape(re.sub(r"\\(.)", r"\1", "\n".join(str(p) for p in parts)))


@pytest.mark.parametrize("who", list(PAGES_BY_ROLE))
def test_every_page_renders_for_every_role_that_may_open_it(seeded, who):
    user = {"org": seeded.org, "ana": seeded.analyst, "wang": seeded.wang}[who]
    at = _ok(_signed_in(user))
    for page in PAGES_BY_ROLE[who]:
        _ok(_on_page(at, page, case=seeded.building))
        assert at.title, page


def test_a_page_the_role_may_not_open_says_so_in_chinese(seeded, app_env):
    at = _ok(_signed_in(seeded.wang))
    before = len(store.intake_log(app_env))
    for page, action in (
        ("dashboard.py", "查看组织者看板"),
        ("intake.py", "导入申报材料"),
        ("settings_page.py", "修改系统设置"),
        ("accounts.py", "管理账号"),
        ("trends.py", "查看趋势分析"),
    ):
        _ok(_on_page(at, page))
        assert [e.value for e in at.error], page
        assert f"评审专家「wang」无权{action}" in _texts(at), page
        assert not at.title and not at.dataframe and not at.get("file_uploader"), page  # nothing of the page
    assert len(store.intake_log(app_env)) == before  # the intake page wrote nothing


def test_login_with_password_and_reload_returns_to_the_case(seeded):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["case"] = str(seeded.ocean)
    _ok(at.run())
    assert [t.value for t in at.title] == ["案例评审工作台"]
    at.text_input(key="login_username").input("wang")
    at.text_input(key="login_password").input("wrong-password")
    _ok(at.button(key="login_submit").click().run())
    assert "用户名或密码错误" in _texts(at)
    at.text_input(key="login_password").input(workbench_data.PASSWORDS["wang"])
    _ok(at.button(key="login_submit").click().run())
    assert [t.value for t in at.title] == ["海洋资源融媒矩阵"]
    assert at.query_params["case"] == str(seeded.ocean)
    _ok(at.button(key="sign_out").click().run())
    assert [t.value for t in at.title] == ["案例评审工作台"]


def test_disabled_account_is_signed_out_on_its_next_click(seeded):
    at = _ok(_signed_in(seeded.wang))
    assert [t.value for t in at.title] == ["评审队列"]
    accounts.set_active(store.get_engine(os.environ["DATABASE_URL"]), seeded.org, "wang", False)
    _ok(at.run())
    assert [t.value for t in at.title] == ["案例评审工作台"]


def test_oidc_identity_maps_to_an_existing_account(seeded, app_env, monkeypatch):
    monkeypatch.setenv("WORKBENCH_OIDC_ENABLED", "true")
    config.get_settings.cache_clear()
    auth.create_user(app_env, seeded.org, "zhang@example.org", "reviewer", "password-zhang")
    at = AppTest.from_file(APP, default_timeout=60)
    at.user = {"is_logged_in": False}
    _ok(at.run())
    assert at.button(key="oidc_login")
    at.user = {"is_logged_in": True, "email": "zhang@example.org", "name": "张"}
    _ok(at.run())
    assert [t.value for t in at.title] == ["评审队列"]
    stranger = AppTest.from_file(APP, default_timeout=60)
    stranger.user = {"is_logged_in": True, "email": "nobody@example.org"}
    _ok(stranger.run())
    assert "尚未开通工作台账号" in _texts(stranger)


def test_queue_filters_and_opens_a_case(seeded):
    at = _ok(_signed_in(seeded.org))
    table = at.dataframe(key="queue_table").value
    assert list(table["编号"]) == [seeded.energy, seeded.building, seeded.ocean, seeded.bare]
    assert table.set_index("编号").loc[seeded.building, "建议类别"] == "3 运营服务创新类"
    at.multiselect(key="queue_flags").set_value(["repeat"])
    _ok(at.run())
    assert list(at.dataframe(key="queue_table").value["编号"]) == [seeded.building]
    at.text_input(key="queue_search").input("没有这个案例")
    _ok(at.run())
    assert at.dataframe(key="queue_table").value.empty
    at.text_input(key="queue_search").input("")
    at.multiselect(key="queue_flags").set_value([])
    _ok(at.run())
    at.selectbox(key="queue_pick").set_value(seeded.energy)
    _ok(at.button(key="queue_open").click().run())
    assert [t.value for t in at.title] == ["“碳路观察”数据新闻品牌"]
    assert at.query_params["case"] == str(seeded.energy)


def _fill_review(at: AppTest, case: int, score: int, decision: str, category: int, comments: str) -> AppTest:
    at.selectbox(key=f"review_category_{case}").set_value(category)
    for key in ("political", "innovation", "effectiveness", "typicality"):
        at.number_input(key=f"review_{key}_{case}").set_value(score)
    at.radio(key=f"review_decision_{case}").set_value(decision)
    at.text_area(key=f"review_comments_{case}").input(comments)
    return _ok(at.button(key=f"review_submit_{case}").click().run())


def test_reviewer_saves_revises_overrides_category_and_moves_on(seeded, app_env):
    at = _ok(_signed_in(seeded.li))
    at = _ok(_on_page(at, "case_detail.py", case=seeded.ocean))
    assert "尚无 AI 评分" in _texts(at)  # ocean was not scored by the machine yet
    at.radio(key=f"review_decision_{seeded.ocean}").set_value("推荐")
    _ok(at.button(key=f"review_submit_{seeded.ocean}").click().run())
    assert "请给出“政治性”的分数" in _texts(at)
    at = _fill_review(at, seeded.ocean, 66, "待定", 1, "上线时间需核实")
    assert "已保存第 1 版评审意见" in _texts(at)
    at = _fill_review(at, seeded.ocean, 72, "不推荐", 6, "实为国际传播项目，且未按期上线")
    assert "已保存第 2 版评审意见" in _texts(at)
    own, _ = review.review_history(app_env, seeded.li, seeded.ocean)
    assert [(r.version, r.decision, r.final_category) for r in own] == [(2, "不推荐", 6), (1, "待定", 1)]
    history = _table(at, "专家", "版本", "结论")
    assert list(history["版本"]) == [2, 1]
    _ok(at.button(key="case_next").click().run())
    assert [t.value for t in at.title] == ["金融时讯客户端"]
    queue_table = _table(_ok(_on_page(at, "review_queue.py")), "编号", "评审状态").set_index("编号")
    assert queue_table.loc[seeded.ocean, "评审状态"] == "已评"  # the cached queue follows the save
    at = _ok(_on_page(at, "case_detail.py", case=seeded.bare))
    assert at.query_params["case"] == str(seeded.bare)
    assert at.button(key="case_next").disabled  # the end of the queue


def test_ai_scores_appear_after_the_reviewer_has_scored(seeded):
    at = _ok(_on_page(_signed_in(seeded.wang), "case_detail.py", case=seeded.energy))
    assert "AI 评分将在您提交本案例的评审意见后显示" in _texts(at)
    assert "其他专家的意见在您提交本人评审后可见" in _texts(at)
    at = _fill_review(at, seeded.energy, 80, "推荐", 2, "")
    assert not _table(at, "评审标准", "分数").empty
    assert "AI 评分将在您提交本案例的评审意见后显示" not in _texts(at)


def test_same_unit_reviewer_gets_no_form_and_can_declare_conflict(seeded, app_env):
    at = _ok(_on_page(_signed_in(seeded.wang), "case_detail.py", case=seeded.building))
    assert "按回避规则不能评审此案例" in _texts(at)
    assert not [w for w in at.number_input if w.key and w.key.startswith("review_")]
    at.text_input(key=f"conflict_note_{seeded.building}").input("本单位案例")
    _ok(at.button(key=f"declare_conflict_{seeded.building}").click().run())
    own, _ = review.review_history(app_env, seeded.wang, seeded.building)
    assert own[0].conflict_of_interest and own[0].comments == "本单位案例"


def test_analyst_reads_but_cannot_review(seeded):
    at = _ok(_on_page(_signed_in(seeded.analyst), "case_detail.py", case=seeded.building))
    assert "只有评审专家可以提交评审意见" in _texts(at)
    assert f"review_submit_{seeded.building}" not in [b.key for b in at.button]


def test_organizer_confirms_and_dismisses_flags_on_the_board(seeded, app_env):
    at = _ok(_on_page(_signed_in(seeded.org), "dashboard.py"))
    flags = _table(at, "问题", "严重程度", "处理")
    assert set(flags["问题"]) == {"往年已入选", "疑似错报类别", "超出每类限额", "未按期上线"}
    labels = at.selectbox(key="board_flag_pick").options
    repeat = next(i for i, label in enumerate(labels) if "往年已入选" in label)
    at.selectbox(key="board_flag_pick").set_value(repeat)
    at.radio(key="board_flag_action").set_value("dismissed")
    _ok(at.button(key="board_flag_submit").click().run())
    assert "排除问题标记时请写明理由" in _texts(at)
    at.radio(key="board_flag_action").set_value("confirmed")
    _ok(at.button(key="board_flag_submit").click().run())
    assert "已确认" in _texts(at)
    states = flag_actions.flag_states(app_env, [seeded.building])
    assert states[(seeded.building, "past_awardee_repeat", "H2024-07")].action == "confirmed"
    at.radio(key="board_flag_state").set_value("已处理")
    _ok(at.run())
    assert list(_table(at, "问题", "严重程度", "处理")["问题"]) == ["往年已入选"]
    assert "确认问题标记" in set(_table(at, "操作", "详情")["操作"])


def test_board_shows_progress_agreement_and_disagreement(seeded, app_env):
    keys = ("political", "innovation", "effectiveness", "typicality")
    for user, score, decision in ((seeded.li, 90, "推荐"), (seeded.wang, 35, "不推荐")):
        entry = review.ReviewInput(2, dict.fromkeys(keys, score), decision)
        review.save_review(app_env, user, seeded.ocean, entry)
    at = _ok(_on_page(_signed_in(seeded.analyst), "dashboard.py"))
    progress = _table(at, "评审专家", "已评", "回避").set_index("评审专家")
    assert progress.loc["li", "已评"] == 1 and progress.loc["wang", "回避"] == 1
    agreement = _table(at, "专家之间α")
    assert "专家之间α" in agreement.columns and len(agreement) == 7
    assert list(_table(at, "分歧度")["案例编号"]) == [seeded.ocean]
    assert "board_flag_submit" not in [b.key for b in at.button]  # analysts read, organizers act


def test_export_page_offers_both_downloads_and_a_preview(seeded):
    at = _ok(_on_page(_signed_in(seeded.wang), "exports.py"))
    assert {b.key for b in at.get("download_button")} == {"export_excel", "export_word"}
    assert len(_table(at, "编号", "案例名称", "问题标记")) == 4


def test_settings_page_shows_values_without_secrets_and_saves(seeded, app_env, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-never-shown")
    config.get_settings.cache_clear()
    at = _ok(_on_page(_signed_in(seeded.org), "settings_page.py"))
    current = _table(at, "键名", "当前值").set_index("键名")
    assert current.loc["llm_api_key", "当前值"] == "已设置（不显示）"
    assert "sk-never-shown" not in current.to_string()
    at.toggle(key="set_blind").set_value(True)
    at.text_input(key="set_llm_model").input("qwen-plus")
    _ok(at.button(key="settings_submit").click().run())
    assert "已保存" in _texts(at)
    saved = config.load_settings(config.CONFIG_FILE, environ={})
    assert saved.blind_review and saved.llm_model == "qwen-plus"
    at.text_input(key="set_deadline").input("2025/12/31")
    _ok(at.button(key="settings_submit").click().run())
    assert "YYYY-MM-DD" in _texts(at)


def test_blind_review_hides_units_in_the_queue_for_reviewers(seeded, monkeypatch):
    monkeypatch.setenv("WORKBENCH_BLIND_REVIEW", "true")
    config.get_settings.cache_clear()
    reviewer = _ok(_signed_in(seeded.li))
    assert "申报单位" not in reviewer.dataframe(key="queue_table").value.columns
    organizer = _ok(_signed_in(seeded.org))
    assert "中国建材时报社" in set(organizer.dataframe(key="queue_table").value["申报单位"])


def test_organizer_creates_and_disables_accounts(seeded, app_env):
    at = _ok(_on_page(_signed_in(seeded.org), "accounts.py"))
    at.text_input(key="account_username").input("expert01")
    at.selectbox(key="account_role").set_value("reviewer")
    at.text_input(key="account_unit").input("中国民航新闻传媒中心")
    _ok(at.button(key="account_submit").click().run())
    assert "已创建评审专家账号「expert01」" in _texts(at)
    handout = re.sub(r"\\(.)", r"\1", next(i.value for i in at.info if "初始密码" in i.value))
    password = handout.split("：")[1].split("（")[0]
    assert auth.authenticate(app_env, "expert01", password).unit == "中国民航新闻传媒中心"
    at.text_input(key="account_username").input("expert01")
    _ok(at.button(key="account_submit").click().run())
    assert "已存在" in _texts(at)
    at.selectbox(key="account_target").set_value("expert01")
    _ok(at.button(key="account_toggle").click().run())
    with store.session_scope(app_env) as session:
        row = session.scalar(select(store.UserRow).where(store.UserRow.username == "expert01"))
    assert not row.active


def test_upload_forms_and_a_bad_file_then_find_the_case_in_the_queue(seeded, tmp_path):
    from pipelines.intake.template import write_template

    form = tmp_path / "水利.docx"
    write_template(form, workbench_data.submission(10, "“智慧水利”融媒平台", "中国水利水电报社", 4))
    at = _ok(_on_page(_signed_in(seeded.org), "intake.py"))
    at.checkbox(key="intake_analyse").uncheck()
    docx_mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    at.file_uploader(key="intake_files").set_value(
        [
            ("水利.docx", form.read_bytes(), docx_mime),
            ("旧版申报表.doc", b"\xd0\xcf\x11\xe0" + b"\0" * 600, "application/msword"),
        ]
    )
    _ok(at.run())  # the button is enabled once files are chosen
    _ok(at.button(key="intake_start").click().run())
    result = _table(at, "文件", "结果", "错误代码").set_index("文件")
    assert result.loc["水利.docx", "结果"] == "已入库"
    assert result.loc["旧版申报表.doc", "结果"] == "读取失败"
    assert "旧版申报表.doc" in result.loc["旧版申报表.doc", "说明"]
    assert "1 个文件未能读取" in _texts(at)
    new_id = int(result.loc["水利.docx", "案例编号"])
    at = _ok(_on_page(at, "review_queue.py"))
    queue_table = _table(at, "编号", "案例名称").set_index("编号")
    assert queue_table.loc[new_id, "案例名称"] == "“智慧水利”融媒平台"
    assert queue_table.loc[new_id, "申报类别"] == "4 数智技术应用类"


def test_settings_page_shows_the_model_card_and_reliability_diagram(seeded, app_env):
    at = _ok(_on_page(_signed_in(seeded.org), "settings_page.py"))
    assert any(str(h.value).startswith("模型卡：") for h in at.subheader)
    figures = _table(at, "分组验证（未见过的单位）", "其中：真实语料")
    assert "macro-F1" in figures.index and "有把握案例准确率" in figures.index
    assert "有把握" in _texts(at) and "可靠性图" in _texts(at)
    (chart,) = at.get("vega_lite_chart")  # the reliability diagram
    spec = json.dumps(json.loads(chart.proto.spec), ensure_ascii=False)
    assert "实际准确率" in spec and "最高概率（分箱平均）" in spec


def test_forms_are_analysed_in_the_background_and_the_result_appears_on_the_page(seeded, app_env, tmp_path):
    from pipelines.analysis_job import wait_for_analysis
    from pipelines.intake.template import write_template

    form = tmp_path / "水利.docx"
    write_template(form, workbench_data.submission(11, "“智慧水利”融媒平台", "中国水利水电报社", 4))
    at = _ok(_on_page(_signed_in(seeded.org), "intake.py"))
    docx_mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    at.file_uploader(key="intake_files").set_value([("水利.docx", form.read_bytes(), docx_mime)])
    _ok(at.run())
    _ok(at.button(key="intake_start").click().run())  # returns at once: the analysis runs in the background
    assert _table(at, "文件", "结果").set_index("文件").loc["水利.docx", "结果"] == "已入库"
    job = wait_for_analysis(app_env, timeout=300)
    assert job is not None and not job.running and not job.error
    _ok(at.run())  # the status fragment sees the finished job and redraws the page
    assert "已分析" in _texts(at) and "用时" in _texts(at)
    new_id = int(_table(at, "文件", "案例编号").set_index("文件").loc["水利.docx", "案例编号"])
    assert store.latest_suggestions(app_env, "scores", [new_id])
