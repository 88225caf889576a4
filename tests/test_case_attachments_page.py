"""案例详情 → 附件 tab through AppTest: files listed with type, size, pages/duration and listing; PDF pages,
images and videos shown; OCR text searchable; applicant text shown as plain text; hidden in blind review."""

from __future__ import annotations

import pytest

from pipelines import config
from pipelines.intake.ingest import ingest_uploads
from pipelines.intake.ocr_queue import run_pending_ocr
from tests.attachment_files import EXE, image_bytes, text_pdf, video_bytes
from tests.test_attachments import form
from tests.test_pages import _ok, _on_page, _signed_in, _table, _texts, app_env, seeded  # noqa: F401, F811


@pytest.fixture
def case_with_files(seeded, app_env, monkeypatch, tmp_path):  # noqa: F811 (fixtures)
    monkeypatch.setenv("WORKBENCH_ATTACHMENTS_DIR", str(tmp_path / "附件库"))
    config.get_settings.cache_clear()
    settings = config.get_settings()
    uploads = [
        ("申报表.docx", form("附件演示平台", "荣誉证书.jpg；产品说明.pdf；宣传片.mp4；用户协议.pdf")),
        ("荣誉证书.jpg", image_bytes(["荣誉证书", "授予**粗体**单位"])),
        ("产品说明.pdf", text_pdf(["产品说明：注册用户达到一百二十万（120万）", "第二页"])),
        ("宣传片.mp4", video_bytes(tmp_path, ".mp4", seconds=3.0)),
        ("工具.exe", EXE),
    ]
    report = ingest_uploads(app_env, uploads, settings.call_year, settings=settings)
    run_pending_ocr(app_env, settings)
    return seeded, report.stored_ids[0]


def test_attachments_tab_lists_shows_and_searches(case_with_files):
    people, case = case_with_files
    at = _ok(_on_page(_signed_in(people.org), "case_detail.py", case=case))
    table = _table(at, "文件", "类型", "页数/时长", "列入附件清单", "格式符合要求")
    rows = {row["文件"]: row for row in table.to_dict("records")}
    assert set(rows) == {"荣誉证书.jpg", "产品说明.pdf", "宣传片.mp4", "工具.exe"}
    assert rows["产品说明.pdf"]["页数/时长"] == "2 页" and rows["产品说明.pdf"]["列入附件清单"] == "是"
    assert rows["宣传片.mp4"]["页数/时长"] == "3.0 秒，64×48"
    assert (rows["工具.exe"]["格式符合要求"], rows["工具.exe"]["列入附件清单"]) == ("否", "否")
    texts = [element.value for element in at.text]
    assert "用户协议.pdf" in texts  # listed but missing
    assert any("一百二十万" in text for text in texts)  # the PDF's text layer, as plain text
    assert any("**粗体**" in text for text in texts)  # OCR text kept verbatim, never rendered as Markdown
    assert "**粗体**" not in _texts(at) and "粗体" not in _texts(at)
    assert len(at.get("image")) == 2  # the certificate, and the PDF's pages (one element, one image per page)
    assert len(at.get("video")) == 1

    at.text_input(key=f"attachments_search_{case}").input("一百二十万").run()
    _ok(at)
    hits = [element.value for element in at.text if element.value.startswith("产品说明.pdf：")]
    assert len(hits) == 1 and "一百二十万" in hits[0]
    at.text_input(key=f"attachments_search_{case}").input("不存在的词").run()
    assert "没有附件含有这些词" in _texts(_ok(at))

    claim = "注册用户达到120万人，覆盖300家单位"
    at.text_input(key=f"attachments_claim_{case}").input(claim).run()
    _ok(at)
    assert "附件中写有相同的数字（1 处）" in _texts(at) and "附件中没有找到这个数字" in _texts(at)
    texts = [element.value for element in at.text]
    assert "120万人" in texts and "300家" in texts
    assert any(text.startswith("产品说明.pdf：") and "120万" in text for text in texts)


def test_blind_review_hides_attachments_from_reviewers(case_with_files, monkeypatch):
    people, case = case_with_files
    monkeypatch.setenv("WORKBENCH_BLIND_REVIEW", "true")
    config.get_settings.cache_clear()
    at = _ok(_on_page(_signed_in(people.li), "case_detail.py", case=case))
    assert "盲评模式下不向评审专家展示附件" in _texts(at)
    assert not any(element.value == "荣誉证书.jpg" for element in at.text)


def test_intake_page_shows_the_ocr_backlog(seeded, app_env, monkeypatch, tmp_path):  # noqa: F811 (fixtures)
    monkeypatch.setenv("WORKBENCH_ATTACHMENTS_DIR", str(tmp_path / "附件库"))
    config.get_settings.cache_clear()
    uploads = [("表.docx", form("庚平台", "证书")), ("证书.jpg", image_bytes(["证书"]))]
    ingest_uploads(app_env, uploads, 2026, settings=config.get_settings())  # OCR not run yet
    at = _ok(_on_page(_signed_in(seeded.org), "intake.py"))
    assert "后台正在识别附件（图片、扫描件）中的文字：已完成 0 个，还有 1 个" in _texts(at)
