"""The 趋势分析 page through AppTest against a seeded SQLite file: it renders for an analyst, its filters and
unit picker work, its export buttons serve real PNG/SVG/XLSX bytes, and roles without the permission never
reach it."""

from __future__ import annotations

import io
import os
import random
from dataclasses import asdict

import openpyxl
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from pipelines import auth, config, store
from pipelines.config import PROJ_ROOT
from pipelines.schema import CategorySuggestion, PastCase, Submission
from tests.test_trends import AVATAR, FALLING, LEDGER, NEUTRAL, RISING

APP = str(PROJ_ROOT / "app.py")
PAGE = "app_pages/trends.py"
UNITS = ["中国建材时报社", "中国能源观察报社", "中国海洋资源报社", "中国金融时讯报社"]


@pytest.fixture
def app_env(engine, sqlite_url, monkeypatch, tmp_path):
    """The app reads this test's database and a config file in tmp_path (never the developer's)."""
    for key in [k for k in os.environ if k.startswith("WORKBENCH_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("WORKBENCH_CALL_YEAR", "2026")
    monkeypatch.setattr(config, "CONFIG_FILE", tmp_path / "config.toml")
    config.get_settings.cache_clear()
    yield engine
    config.get_settings.cache_clear()


@pytest.fixture
def media(monkeypatch) -> list[MediaFileManager]:
    """Every media file manager AppTest creates, so a download button can be clicked as the server would."""
    created: list[MediaFileManager] = []
    original = MediaFileManager.__init__

    def init(self, storage) -> None:
        original(self, storage)
        created.append(self)

    monkeypatch.setattr(MediaFileManager, "__init__", init)
    return created


def _seed(engine) -> dict[str, auth.User]:
    rng = random.Random(5)
    past = []
    for year, planted in ((2024, FALLING), (2025, RISING)):
        for i in range(12):
            text = "".join(rng.sample(NEUTRAL, 4)) + (planted if i % 2 else "")
            outcome = "awarded" if i % 3 == 0 else "not_selected"
            unit = UNITS[i % len(UNITS)]
            past.append(
                PastCase(f"H{year}-{i}", year, f"往年案例{year}-{i}", unit, text, outcome, category=i % 6 + 1)
            )
    store.save_past_cases(engine, past)
    for i, pool in enumerate([AVATAR] * 4 + [LEDGER] * 4):
        text = "".join(rng.sample(pool, 3) + rng.sample(NEUTRAL, 2))
        submission = Submission(
            file_name=f"申报表{i}.docx",
            content_hash=f"hash-{i}",
            title=f"本届案例{i}",
            unit=UNITS[i % len(UNITS)],
            declared_category=4,
            sections={"案例简介": text},
            text=text,
        )
        saved = store.save_submission(engine, submission, 2026)
        if i == 0:
            suggestion = CategorySuggestion(category=3, probabilities={3: 0.8}, top2=[3, 4], confident=True)
            store.save_suggestion(engine, saved.submission_id, "category", asdict(suggestion), "test")
    org = auth.create_user(engine, auth.SYSTEM, "org", "organizer", "org-password-1").user
    return {
        "org": org,
        "ana": auth.create_user(engine, org, "ana", "analyst", "ana-password-1").user,
        "wang": auth.create_user(engine, org, "wang", "reviewer", "wang-password-1").user,
    }


def _on_trends(user: auth.User) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["user_id"] = user.id
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _download(at: AppTest, media: list[MediaFileManager], key: str) -> bytes:
    """What the browser receives when the button is clicked: the deferred file is generated then."""
    proto = at.download_button(key=key).proto
    assert proto.deferred_file_id, key
    url = media[-1].execute_deferred(proto.deferred_file_id)
    file_id = url.rsplit("/", 1)[-1].split(".")[0]
    return media[-1].read_file(file_id).content


def _table(at: AppTest, *columns: str):
    """The first table showing all these columns (AppTest does not expose a dataframe's key)."""
    for frame in at.dataframe:
        if set(columns) <= set(frame.value.columns):
            return frame.value
    raise AssertionError(f"no table with columns {columns}")


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    return "\n".join(str(p) for p in parts + [e.value for e in at.error])


def test_the_page_renders_every_chart_and_serves_png_svg_and_xlsx(app_env, media):
    users = _seed(app_env)
    at = _on_trends(users["ana"])
    assert at.title[0].value == "趋势分析"
    assert len(at.get("vega_lite_chart")) == 5
    assert "共 32 个案例" in _texts(at)
    for key in ("trends_shares_chart", "trends_terms_chart", "trends_heatmap_chart", "trends_map_chart"):
        png, svg = _download(at, media, f"{key}_png"), _download(at, media, f"{key}_svg")
        assert png.startswith(b"\x89PNG") and len(png) > 1000, key
        assert svg.lstrip().startswith(b"<svg"), key
    book = openpyxl.load_workbook(io.BytesIO(_download(at, media, "trends_xlsx")))
    assert "词语升降" in book.sheetnames and book["案例"].max_row == 33


def test_rising_terms_of_the_chosen_years_are_listed(app_env, media):
    at = _on_trends(_seed(app_env)["ana"])
    at.selectbox(key="trends_pair").select((2024, 2025)).run()
    terms = _table(at, "词语", "方向", "q 值（BH）")
    rising = terms[terms["方向"] == "上升"]["词语"].tolist()
    assert "数字人" in rising and "中央厨房" in terms[terms["方向"] == "下降"]["词语"].tolist()


def test_filters_narrow_the_cases_and_say_when_a_trend_cannot_be_computed(app_env, media):
    at = _on_trends(_seed(app_env)["ana"])
    at.multiselect(key="trends_outcomes").set_value(["awarded"]).run()
    assert "共 8 个案例" in _texts(at)
    at.multiselect(key="trends_outcomes").set_value(["awarded", "not_selected", "pending"])
    at.multiselect(key="trends_years").set_value([2026]).run()
    assert not at.exception
    assert "只有一个年份" in _texts(at)
    at.multiselect(key="trends_categories").set_value([1]).run()
    assert "没有案例" in _texts(at)


def test_picking_a_unit_shows_its_history(app_env, media):
    at = _on_trends(_seed(app_env)["ana"])
    at.selectbox(key="trends_unit").select("中国能源观察报社").run()
    cases = _table(at, "编号", "案例名称", "申报单位", "结果")
    assert set(cases["申报单位"]) == {"中国能源观察报社"}
    assert cases["年份"].tolist() == sorted(cases["年份"].tolist())
    assert len(cases) == 8
    assert [m.value for m in at.metric][:2] == ["8", "2"]


def test_the_organizer_sees_the_page_and_a_reviewer_cannot_reach_it(app_env, media):
    users = _seed(app_env)
    assert _on_trends(users["org"]).title[0].value == "趋势分析"
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["user_id"] = users["wang"].id
    at.run()
    at.switch_page(PAGE)  # routed (hidden from the menu) so the address answers with a reason
    at.run()
    assert not at.exception and not at.title
    assert "评审专家「wang」无权查看趋势分析" in at.error[0].value.replace("\\", "")


def test_an_empty_database_says_what_to_import(app_env, media):
    org = auth.create_user(app_env, auth.SYSTEM, "org", "organizer", "org-password-1").user
    analyst = auth.create_user(app_env, org, "ana", "analyst", "ana-password-1").user
    at = _on_trends(analyst)
    assert "还没有案例" in _texts(at)
    assert not at.get("vega_lite_chart")
