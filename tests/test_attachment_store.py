"""Stored attachments: content-addressed bytes, rows per submission version, no duplicates on re-ingest,
background OCR with a cache by content hash, search, and the call's format rule as findings."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from pipelines import store
from pipelines.backends.ocr import RapidOcr
from pipelines.config import Settings
from pipelines.eligibility import check_submission
from pipelines.intake.attachment_store import (
    AttachmentRow,
    attachments_by_submission,
    blob_path,
    list_attachments,
    search_attachments,
)
from pipelines.intake.ingest import ingest_paths, ingest_uploads
from pipelines.intake.ocr_queue import ocr_progress, run_pending_ocr, start_ocr_worker, wait_for_ocr
from tests.attachment_files import EXE, image_bytes, make_zip, text_pdf, video_bytes
from tests.test_attachments import form


class CountingOcr(RapidOcr):
    """The real engine, counting how often it is asked to read."""

    def __init__(self) -> None:
        super().__init__(threads=1)
        self.calls = 0

    def read(self, image):  # noqa: ANN001, ANN201
        self.calls += 1
        return super().read(image)


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(attachments_dir=str(tmp_path / "附件库"))


def _application(folder: Path, title: str, work: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "申报表.docx").write_bytes(
        form(title, "荣誉证书.jpg；产品说明.pdf；宣传视频.mp4；获奖文件.pdf")
    )
    (folder / "荣誉证书.jpg").write_bytes(image_bytes(["荣誉证书", "年度创新案例"]))
    (folder / "产品说明.pdf").write_bytes(text_pdf(["平台日活跃用户三十万，覆盖全国建材行业"]))
    (folder / "宣传视频.mp4").write_bytes(video_bytes(work))
    (folder / "安装包.exe").write_bytes(EXE)
    return folder


def _count(engine) -> int:
    with store.session_scope(engine) as session:
        return session.scalar(select(func.count()).select_from(AttachmentRow))


def test_ingest_stores_files_once_by_hash_and_ocr_fills_in_later(tmp_path, engine, settings):
    batch = tmp_path / "批次"
    _application(batch / "甲", "甲平台", tmp_path)
    report = ingest_paths(engine, [batch], 2026, "tester", settings=settings)
    (item,) = report.items
    assert item.ok and item.outcome == "new"
    assert "获奖文件.pdf" in item.warnings[-1]  # listed but missing, told at intake
    assert "附件 4 个" in report.summary() and "格式不符 1 个" in report.summary()
    rows = {row.name: row for row in list_attachments(engine, item.submission_id)}
    assert set(rows) == {"荣誉证书.jpg", "产品说明.pdf", "宣传视频.mp4", "安装包.exe"}
    for row in rows.values():
        assert blob_path(settings, row.sha256).read_bytes() == (batch / "甲" / row.name).read_bytes()
    assert rows["荣誉证书.jpg"].ocr_status == "pending" and rows["荣誉证书.jpg"].text == ""
    assert rows["产品说明.pdf"].ocr_status == "none" and "三十万" in rows["产品说明.pdf"].text
    assert (rows["宣传视频.mp4"].duration_s, rows["宣传视频.mp4"].width) == (2.0, 64)
    assert ocr_progress(engine, item.submission_id).pending == 1

    blobs = sorted(p for p in settings.attachments_path.rglob("*") if p.is_file())
    again = ingest_paths(engine, [batch], 2026, "tester", settings=settings)
    assert again.items[0].outcome == "unchanged"
    assert (
        _count(engine) == 4
        and sorted(p for p in settings.attachments_path.rglob("*") if p.is_file()) == blobs
    )

    ocr = CountingOcr()
    assert run_pending_ocr(engine, settings, ocr=ocr).pending == 0
    assert ocr.calls == 1
    (cert,) = [row for row in list_attachments(engine, item.submission_id) if row.name == "荣誉证书.jpg"]
    assert cert.ocr_status == "done" and "年度创新案例" in cert.text
    hits = search_attachments(engine, item.submission_id, "创新 荣誉")
    assert [hit.name for hit in hits] == ["荣誉证书.jpg"]
    assert search_attachments(engine, item.submission_id, "三十万")[0].snippet.startswith("平台日活跃用户")


def test_same_content_in_another_application_is_stored_once_and_ocr_comes_from_the_cache(
    tmp_path, engine, settings
):
    batch = tmp_path / "批次"
    _application(batch / "甲", "甲平台", tmp_path)
    _application(batch / "乙", "乙平台", tmp_path)  # the same certificate image, another form
    ocr = CountingOcr()
    ingest_paths(engine, [batch / "甲"], 2026, settings=settings)
    run_pending_ocr(engine, settings, ocr=ocr)
    ingest_paths(engine, [batch / "乙"], 2026, settings=settings)
    run_pending_ocr(engine, settings, ocr=ocr)
    assert ocr.calls == 1  # the second certificate's text came from the cache by content hash
    texts = [info.text for infos in attachments_by_submission(engine, [1, 2]).values() for info in infos]
    assert sum("年度创新案例" in text for text in texts) == 2


def test_background_worker_keeps_ingest_usable(tmp_path, engine, settings):
    uploads = [
        ("申报表.docx", form("丙平台", "证书")),
        ("证书.jpg", image_bytes(["证书", "优秀融媒体案例"])),
    ]
    report = ingest_uploads(engine, uploads, 2026, settings=settings)
    assert report.ok and start_ocr_worker(engine, settings)
    more = ingest_uploads(
        engine, [("另一份.zip", make_zip({"表.docx": form("丁平台", "无")}))], 2026, settings=settings
    )
    assert more.ok  # ingest works while OCR runs
    wait_for_ocr(engine, timeout=120)
    assert ocr_progress(engine).pending == 0
    (row,) = list_attachments(engine, report.stored_ids[0])
    assert "优秀融媒体案例" in row.text


def test_uploads_with_no_form_are_not_a_success(engine, settings):
    report = ingest_uploads(engine, [("证书.jpg", image_bytes(["证书"]))], 2026, settings=settings)
    assert not report.ok
    assert report.summary().startswith("没有任何申报表入库")
    assert report.items[0].code == "unassigned_attachment"
    assert _count(engine) == 0


def test_format_rule_names_the_files(tmp_path, engine, settings):
    batch = tmp_path / "批次"
    _application(batch / "甲", "甲平台", tmp_path)
    (batch / "甲" / "空白.pdf").write_bytes(b"")
    report = ingest_paths(engine, [batch], 2026, settings=settings)
    sid = report.stored_ids[0]
    submission = store.get_submission(engine, sid).submission()
    findings = {
        f.code: f
        for f in check_submission(submission, settings, attachments_by_submission(engine, [sid])[sid])
    }
    assert "安装包.exe（exe）" in findings["bad_attachment_format"].message
    assert "空白.pdf" in findings["attachment_unreadable"].message
    assert "获奖文件.pdf" in findings["attachment_missing"].message
    assert "bad_attachment_format" not in {f.code for f in check_submission(submission, settings, [])} | set()


def test_rows_on_every_database(any_engine, tmp_path):
    settings = Settings(attachments_dir=str(tmp_path / "store"))
    report = ingest_uploads(
        any_engine,
        [("表.docx", form("戊平台", "说明")), ("说明.pdf", text_pdf(["说明文字足够长以作为文字层"]))],
        2026,
        settings=settings,
    )
    (row,) = list_attachments(any_engine, report.stored_ids[0])
    assert (row.kind, row.pages, row.listed, row.listed_as) == ("pdf", 1, True, "说明")


def test_figures_of_a_claim_are_found_in_the_attachments_in_any_writing(engine, settings):
    from pipelines.intake.attachment_evidence import figure_evidence

    uploads = [
        ("表.docx", form("己平台", "数据报告")),
        (
            "数据报告.pdf",
            text_pdf(["年度数据报告：全年阅读量12000万次，", "服务单位三百家，用户满意度96.5%"]),
        ),
    ]
    sid = ingest_uploads(engine, uploads, 2026, settings=settings).stored_ids[0]
    evidence = figure_evidence(engine, sid, "年阅读量达1.2亿次，用户满意度96.5%，覆盖500家单位")
    assert [(item.figure, item.found) for item in evidence] == [
        ("1.2亿次", True),
        ("96.5%", True),
        ("500家", False),
    ]
    assert evidence[0].places[0].name == "数据报告.pdf" and "12000万次" in evidence[0].places[0].snippet
    assert figure_evidence(engine, sid, "没有数字的一句话") == []


def test_an_unwritable_attachment_folder_does_not_stop_the_batch(tmp_path, engine):
    blocked = tmp_path / "不是目录"
    blocked.write_text("a file where the store should be")
    settings = Settings(attachments_dir=str(blocked))
    uploads = [("表.docx", form("辛平台", "说明")), ("说明.pdf", text_pdf(["说明文字足够长以作为文字层"]))]
    report = ingest_uploads(engine, uploads, 2026, settings=settings)
    (item,) = report.items
    assert item.ok and "附件未能保存" in item.warnings[-1]
    assert _count(engine) == 0 and blocked.read_text() == "a file where the store should be"
