"""End to end in a real headless Chromium: `streamlit run app.py` on a free local port with a temporary
database; an organizer uploads a form, a reviewer opens it, records a decision, reloads the page (still signed
in), finds it in the queue and in the Excel export, signs out (a reload then shows the login form). A second
run opens a case whose fields hold links, images and HTML and finds none of them live in the DOM, a page the
role may not open, and an unknown address. Screenshots go to test-output/browser/.

Debian's /usr/bin/chromium is driven by Playwright from PyPI (never a downloaded browser). Without Chromium
the test is skipped, unless WORKBENCH_REQUIRE_BROWSER=1 (CI), where that is a failure.
"""

from __future__ import annotations

import io
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from pipelines import auth, store
from pipelines.config import PROJ_ROOT
from tests import crafted, workbench_data

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = PROJ_ROOT / "test-output" / "browser"
TITLE = "“智慧水利”融媒平台"
TIMEOUT_MS = 30_000


def _require_browser() -> None:
    required = os.environ.get("WORKBENCH_REQUIRE_BROWSER") == "1"
    problem = ""
    if not Path(CHROMIUM).exists():
        problem = f"找不到 {CHROMIUM}（Debian 的 chromium 包）"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "未安装 Playwright（pip install -r requirements-dev.txt）"
    if problem and required:
        pytest.fail(f"CI 要求浏览器测试：{problem}")
    if problem:
        pytest.skip(problem)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_healthy(url: str, server: subprocess.Popen, log: Path, deadline_s: float = 90) -> None:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(
                f"streamlit 退出了（代码 {server.returncode}）：\n{log.read_text(errors='replace')[-3000:]}"
            )
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.read() == b"ok":
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"streamlit 在 {deadline_s} 秒内没有就绪：\n{log.read_text(errors='replace')[-3000:]}")


def _accounts(engine) -> None:
    organizer = auth.create_user(
        engine, auth.SYSTEM, "org", "organizer", workbench_data.PASSWORDS["org"]
    ).user
    auth.create_user(
        engine, organizer, "li", "reviewer", workbench_data.PASSWORDS["li"], unit="中国能源观察报社"
    )


@pytest.fixture
def server(tmp_path) -> Iterator[str]:
    """The workbench on a free localhost port with a fresh database holding an organizer and a reviewer."""
    yield from _serve(tmp_path, _accounts)


@pytest.fixture
def crafted_server(tmp_path) -> Iterator[tuple[str, int]]:
    """The workbench with the usual test data plus a case full of links, images and HTML."""
    found: list[int] = []
    for url in _serve(tmp_path, lambda engine: found.append(crafted.seed_crafted(engine).case_id)):
        yield url, found[0]


def _serve(tmp_path, seed, **settings: str) -> Iterator[str]:
    """Seed a fresh database, start the workbench on a free port with ``settings`` (environment), yield its URL."""
    _require_browser()
    url_db = f"sqlite:///{tmp_path / 'browser.db'}"
    seed(store.get_engine(url_db))
    store.dispose_engines()
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKBENCH_")}
    env.update(
        DATABASE_URL=url_db,
        WORKBENCH_LLM_BASE_URL="",  # never reach a configured LLM from a test
        WORKBENCH_BLIND_REVIEW="false",
        WORKBENCH_HIDE_AI_SCORES_UNTIL_REVIEWED="true",
        WORKBENCH_OIDC_ENABLED="false",
        WORKBENCH_CALL_YEAR="2026",
        **settings,
    )
    log = tmp_path / "streamlit.log"
    command = [sys.executable, "-m", "streamlit", "run", str(PROJ_ROOT / "app.py")]
    command += ["--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true"]
    command += ["--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=PROJ_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _sign_in(page, url: str | None, username: str) -> None:
    """Sign in from ``url`` (None: on the login form already shown)."""
    if url is not None:
        page.goto(url)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(workbench_data.PASSWORDS[username])
    page.get_by_role("button", name="登录").click()
    page.get_by_role("button", name="退出登录").wait_for(timeout=TIMEOUT_MS)
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while not any(c["name"] == "wb_session" for c in page.context.cookies()):  # set by the page's script
        assert time.monotonic() < deadline, "登录后浏览器没有保存会话 cookie"
        page.wait_for_timeout(100)


def _choose(page, label: str, option: str) -> None:
    """Pick ``option`` (a substring of its text) in the Streamlit selectbox labelled ``label``."""
    page.get_by_role("combobox", name=label).click()
    page.get_by_role("option").filter(has_text=option).first.click()


def _go(page, title: str) -> None:
    page.get_by_role("link", name=title).click()
    page.get_by_role("heading", name=title).first.wait_for(timeout=TIMEOUT_MS)


def test_upload_review_queue_and_export_in_a_real_browser(server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)  # the CI machine may be loaded: wait as long as the page does

    from pipelines.intake.template import write_template

    form = tmp_path / "智慧水利申报表.docx"
    write_template(form, workbench_data.submission(20, TITLE, "中国水利水电报社", 4))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        page.set_default_timeout(TIMEOUT_MS)
        try:
            _sign_in(page, server, "org")
            _go(page, "材料导入")
            page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(form))
            expect(page.get_by_text(form.name)).to_be_visible()
            page.get_by_text("导入后立即分析").click()
            page.get_by_role("button", name="开始导入").click()
            expect(page.get_by_text("已入库 1 个")).to_be_visible()
            page.get_by_role("button", name="退出登录").click()
            expect(page.get_by_role("button", name="登录")).to_be_visible()  # signed out before going on

            _sign_in(page, server, "li")
            _choose(page, "打开案例", TITLE)
            page.get_by_role("button", name="打开", exact=True).click()
            expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
            expect(page.get_by_text("其他专家的意见在您提交本人评审后可见")).to_be_visible()
            _choose(page, "最终类别", "6 国际传播能力建设类")
            for label, score in (("政治性", "85"), ("创新性", "78"), ("实效性", "90"), ("典型性", "80")):
                page.get_by_label(f"{label}（0–100）").fill(score)
            page.locator('[data-testid="stRadio"]').get_by_text("推荐", exact=True).click()
            page.get_by_role("textbox", name="评审意见").fill("浏览器测试：成效数据扎实，建议推荐。")
            page.get_by_role("button", name="保存评审意见").click()
            expect(page.get_by_text("已保存第 1 版评审意见")).to_be_visible()
            page.screenshot(path=str(SCREENSHOTS / "case_saved.png"), full_page=True)
            case_url = page.url
            assert "case=" in case_url
            page.reload()  # a new Streamlit session: the session cookie keeps li signed in, on the same case
            expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
            expect(page.get_by_role("button", name="退出登录")).to_be_visible()
            assert page.url == case_url
            assert any(c["name"] == "wb_session" for c in page.context.cookies())

            _go(page, "评审队列")
            _choose(page, "评审状态", "已评")
            expect(page.get_by_text("共 1 件。")).to_be_visible()
            expect(page.get_by_role("combobox", name="打开案例")).to_have_value(re.compile(TITLE))
            page.screenshot(path=str(SCREENSHOTS / "queue_reviewed.png"), full_page=True)

            _go(page, "导出")
            with page.expect_download() as download_info:
                page.get_by_role("button", name="下载 Excel（评审结果）").click()
            excel = tmp_path / "export.xlsx"
            download_info.value.save_as(excel)
            page.get_by_role("button", name="退出登录").click()
            expect(page.get_by_role("button", name="登录")).to_be_visible()
            page.reload()  # the session ended on the server: the login form again
            expect(page.get_by_role("button", name="登录")).to_be_visible()
            expect(page.get_by_role("button", name="退出登录")).to_have_count(0)
        except BaseException:
            page.screenshot(path=str(SCREENSHOTS / "failure.png"), full_page=True)
            raise
        finally:
            browser.close()
    sheets = pd.read_excel(io.BytesIO(excel.read_bytes()), sheet_name=None)
    reviews = sheets["评审意见"]
    row = reviews[reviews["案例名称"] == TITLE].iloc[0]
    assert (row["评审专家"], row["评审结论"], row["最终类别"], row["总分"]) == (
        "li",
        "推荐",
        "6 国际传播能力建设类",
        83.2,
    )
    assert row["评审意见"] == "浏览器测试：成效数据扎实，建议推荐。"
    assert sheets["结果汇总"].set_index("案例名称").loc[TITLE, "评审结论"] == "推荐×1"
    assert (SCREENSHOTS / "case_saved.png").stat().st_size > 10_000


def test_untrusted_text_forbidden_pages_and_unknown_addresses_in_a_real_browser(crafted_server):
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)  # the CI machine may be loaded: wait as long as the page does

    url, case_id = crafted_server
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(TIMEOUT_MS)
        outside = []
        page.on("request", lambda request: outside.append(request.url) if "evil" in request.url else None)
        try:
            _sign_in(page, url, "org")
            expect(page.get_by_text("Deploy", exact=True)).to_have_count(0)
            page.goto(f"{url}/case_detail?case={case_id}")
            expect(page.get_by_role("heading", name=crafted.LINK)).to_be_visible()
            for tab in ("类别建议", "资格审查", "重复与相似", "AI 评分", "申报内容"):
                page.get_by_role("tab", name=tab).click()
            expect(page.get_by_text(crafted.HTML).first).to_be_attached()
            page.screenshot(path=str(SCREENSHOTS / "crafted_case.png"), full_page=True)
            assert page.locator('a[href*="//evil"]').count() == 0  # (in-page heading anchors aside)
            assert page.locator('img[src*="//evil"], img[src="x"]').count() == 0
            assert outside == []  # no image or link target was ever requested

            page.goto(
                url
            )  # the queue, with the crafted long title and unit: every column fits, no sideways scroll
            page.locator('[data-testid="stDataFrame"] .dvn-scroller').first.wait_for()
            page.wait_for_timeout(500)
            widths = page.evaluate(
                """() => { const s = document.querySelector('[data-testid="stDataFrame"] .dvn-scroller');
                return [s.scrollWidth, s.clientWidth]; }"""
            )
            assert widths[0] <= widths[1] + 1, widths

            page.goto(f"{url}/no_such_page")
            expect(page.get_by_role("heading", name="页面不存在")).to_be_visible()
            expect(page.get_by_text("Page not found")).to_have_count(0)

            page.get_by_role("button", name="退出登录").click()
            _sign_in(page, None, "li")
            page.goto(f"{url}/dashboard")
            expect(page.get_by_text("评审专家「li」无权查看组织者看板")).to_be_visible()
            expect(page.get_by_role("link", name="组织者看板")).to_have_count(0)
            page.screenshot(path=str(SCREENSHOTS / "forbidden.png"), full_page=True)
        except BaseException:
            page.screenshot(path=str(SCREENSHOTS / "failure_crafted.png"), full_page=True)
            raise
        finally:
            browser.close()
