"""附件 in a real headless Chromium: an organizer uploads a form with its attachments, opens the case, sees the
files in the 附件 tab and finds a sentence of the PDF by searching. Screenshot in test-output/browser/."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pipelines import auth
from tests import workbench_data
from tests.attachment_files import image_bytes, text_pdf
from tests.test_attachments import form
from tests.test_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    SCREENSHOTS,
    TIMEOUT_MS,
    _choose,
    _go,
    _serve,
    _sign_in,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def server(tmp_path) -> Iterator[str]:
    """The workbench on a free localhost port, its database and attachment store in ``tmp_path``."""

    def seed(engine) -> None:
        auth.create_user(engine, auth.SYSTEM, "org", "organizer", workbench_data.PASSWORDS["org"])

    yield from _serve(tmp_path, seed, WORKBENCH_ATTACHMENTS_DIR=str(tmp_path / "附件库"))


def test_attachments_uploaded_shown_and_searched_in_a_real_browser(server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)  # the CI machine may be loaded: wait as long as the page does

    files = {
        "申报表.docx": form("附件浏览器平台", "荣誉证书.jpg；产品说明.pdf；用户协议.pdf"),
        "荣誉证书.jpg": image_bytes(["荣誉证书", "年度优秀案例"]),
        "产品说明.pdf": text_pdf(["产品说明：注册用户达到一百二十万", "第二页：服务说明"]),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(TIMEOUT_MS)
        try:
            _sign_in(page, server, "org")
            _go(page, "材料导入")
            uploader = page.locator('[data-testid="stFileUploader"] input[type="file"]')
            uploader.set_input_files([str(tmp_path / name) for name in files])
            page.get_by_text("导入后立即分析").click()
            page.get_by_role("button", name="开始导入").click()
            expect(page.get_by_text("已入库 1 个")).to_be_visible()
            expect(page.get_by_text("附件 2 个：已读取 2 个")).to_be_visible()

            _go(page, "评审队列")
            _choose(page, "打开案例", "附件浏览器平台")
            page.get_by_role("button", name="打开", exact=True).click()
            page.get_by_role("tab", name="附件").click()
            expect(page.get_by_text("用户协议.pdf")).to_be_visible()  # listed but missing
            search = page.get_by_label("在附件文字中搜索（多个词用空格分开）")
            search.fill("一百二十万")
            search.press("Enter")
            expect(page.get_by_text("产品说明.pdf：产品说明：注册用户达到一百二十万")).to_be_visible()
            page.screenshot(path=str(SCREENSHOTS / "case_attachments.png"), full_page=True)
        except BaseException:
            page.screenshot(path=str(SCREENSHOTS / "attachments_failure.png"), full_page=True)
            raise
        finally:
            browser.close()
    assert (SCREENSHOTS / "case_attachments.png").stat().st_size > 10_000
