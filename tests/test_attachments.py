"""Attachments end to end on real files: a batch of folders and zips (nested, GBK names) with text and scanned
PDFs, images with Chinese text, MP4 and MOV videos and disallowed files, through ``extract --json``."""

from __future__ import annotations

import contextlib
import io
import json
import socket
from pathlib import Path

import pytest

from pipelines.__main__ import main
from pipelines.config import Settings, get_settings
from pipelines.intake.attachments import match_listed, normalise_listed, read_attachment
from pipelines.intake.media import sniff
from tests.attachment_files import EXE, image_bytes, make_zip, scanned_pdf, text_pdf, video_bytes
from tests.test_extract_build import build_docx, pair_rows, table

NARRATIVE = "本平台于2023年上线，面向全国行业用户提供资讯与数据服务，已形成稳定的用户群体和运营机制。"


def form(title: str, listed: str) -> bytes:
    rows = pair_rows(
        ("案例名称", title), ("申报单位", "甲报社"), ("案例简介", NARRATIVE), ("附件清单", listed)
    )
    return build_docx(table(rows, columns=2))


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> Path:
    """Three applications: a folder, a GBK zip with a nested GBK zip, a zip with a disallowed file."""
    root = tmp_path_factory.mktemp("att") / "批次"
    work = root.parent
    unit_a = root / "甲单位"
    unit_a.mkdir(parents=True)
    (unit_a / "申报表.docx").write_bytes(
        form("甲平台", "1. 荣誉证书.jpg；2、产品 说明.pdf；3．宣传视频.mp4；４．用户协议.pdf")
    )
    (unit_a / "荣誉证书.jpg").write_bytes(image_bytes(["荣誉证书", "授予甲报社融媒体平台"]))
    (unit_a / "产品说明.pdf").write_bytes(
        text_pdf(["产品说明：融媒体平台注册用户达到一百二十万", "第二页：服务说明"])
    )
    (unit_a / "宣传视频.mp4").write_bytes(video_bytes(work, ".mp4", seconds=3.0))
    (unit_a / "附件" / "工具.exe").parent.mkdir()
    (unit_a / "附件" / "工具.exe").write_bytes(EXE)
    inner = make_zip(
        {
            "扫描件.pdf": scanned_pdf([["证明材料", "该平台获评年度优秀案例"]]),
            "片头.mov": video_bytes(work, ".mov"),
        },
        gbk=True,
    )
    (root / "乙单位.zip").write_bytes(
        make_zip(
            {
                "乙单位/申报表.docx": form("乙平台", "（1）扫描件\n（2）片头"),
                "乙单位/附件/补充材料.zip": inner,
            },
            gbk=True,
        )
    )
    (root / "丙单位.zip").write_bytes(
        make_zip({"丙申报表.docx": form("丙平台", "无"), "宏.docm.rar": b"Rar!\x1a\x07\x00" + bytes(50)})
    )
    return root


@pytest.fixture(scope="module")
def run(batch, tmp_path_factory) -> tuple[list[dict], str, int]:
    """``python -m pipelines extract --json BATCH`` once for the module (OCR is slow on CPU)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WORKBENCH_ATTACHMENTS_DIR", str(tmp_path_factory.mktemp("store")))
        get_settings.cache_clear()
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["extract", "--json", str(batch)])
    get_settings.cache_clear()
    return [json.loads(line) for line in out.getvalue().splitlines()], err.getvalue(), code


def line(run, part: str) -> dict:
    (found,) = [record for record in run[0] if part in record["file"]]
    return found


def files_of(record: dict) -> dict[str, dict]:
    return {Path(f["name"]).name: f for f in record["files"]}


def test_every_file_is_assigned_to_its_application(run):
    lines, _, code = run
    assert code == 0
    assert [Path(r["file"]).name for r in lines] == ["丙申报表.docx", "申报表.docx", "申报表.docx"]
    assert all(r["ok"] for r in lines)
    assert sum(len(r["files"]) for r in lines) == 7  # every file of the batch, none dropped


def test_folder_application_files_are_typed_measured_and_read(run):
    record = line(run, "甲单位")
    a = files_of(record)
    assert set(a) == {"荣誉证书.jpg", "产品说明.pdf", "宣传视频.mp4", "工具.exe"}
    keys = {"name", "kind", "bytes", "allowed", "listed", "pages", "duration_s", "text", "error"}
    assert all(set(f) == keys for f in record["files"])
    cert = a["荣誉证书.jpg"]
    assert (cert["kind"], cert["allowed"], cert["listed"], cert["error"], cert["pages"]) == (
        "image",
        True,
        True,
        None,
        None,
    )
    assert "荣誉证书" in cert["text"] and "甲报社" in cert["text"]  # OCR read the certificate
    pdf = a["产品说明.pdf"]
    assert (pdf["kind"], pdf["pages"], pdf["listed"], pdf["duration_s"]) == ("pdf", 2, True, None)
    assert (
        "一百二十万" in pdf["text"] and "服务说明" in pdf["text"]
    )  # text layer, listed as 「产品 说明.pdf」
    video = a["宣传视频.mp4"]
    assert (video["kind"], video["duration_s"], video["text"], video["allowed"]) == ("video", 3.0, "", True)
    exe = a["工具.exe"]
    assert (exe["kind"], exe["allowed"], exe["listed"], exe["bytes"]) == ("other", False, False, len(EXE))
    assert record["missing_attachments"] == ["用户协议.pdf"]  # listed (with a full-width number), never sent


def test_nested_gbk_zip_members_keep_their_own_names_and_scans_are_read(run):
    record = line(run, "乙单位")
    b = files_of(record)
    assert set(b) == {"扫描件.pdf", "片头.mov"}  # GBK names decoded (片头 in GBK is also valid UTF-8: "Ƭͷ")
    scan = b["扫描件.pdf"]
    assert scan["name"].endswith("乙单位.zip/乙单位/附件/补充材料.zip/扫描件.pdf")
    assert scan["pages"] == 1 and "优秀案例" in scan["text"]  # no text layer: OCR of the rendered page
    mov = b["片头.mov"]
    assert (mov["kind"], mov["allowed"], mov["listed"], mov["duration_s"]) == ("video", True, True, 2.0)
    assert record["missing_attachments"] == []


def test_disallowed_file_in_a_zip_and_the_summary(run):
    rar = files_of(line(run, "丙单位"))["宏.docm.rar"]
    assert (rar["kind"], rar["allowed"], rar["error"]) == ("other", False, None)
    summary = run[1]
    assert "共 3 份申报表：成功 3 个" in summary
    assert "附件 7 个：已读取 7 个，无法读取 0 个，格式不符 2 个，无法归属 0 个" in summary
    assert "列出但未找到 1 个" in summary


# -- pieces ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("listed", "file_name"),
    [
        ("附件1：荣誉证书.pdf", "荣誉证书.pdf"),
        ("１．荣誉证书", "01_荣誉证书.PDF"),
        ("（二）产品 说明", "产品说明.pdf"),
        ("②用户数据报告", "附件2-用户数据报告.pdf"),
        ("宣传视频（mp4）", "宣传视频.mp4"),
        ("ＡＢＣ平台截图", "abc平台截图.jpg"),
    ],
)
def test_listed_names_match_despite_spaces_width_and_numbering(listed, file_name):
    matched, missing = match_listed([listed], [f"批次/甲/{file_name}"])
    assert matched == {f"批次/甲/{file_name}": listed} and missing == []


def test_each_listed_entry_matches_one_file_and_unrelated_names_do_not_match():
    files = ["荣誉证书1.jpg", "荣誉证书2.jpg", "运营数据.pdf"]
    matched, missing = match_listed(["荣誉证书1.jpg", "荣誉证书2.jpg", "获奖证明", "用户协议"], files)
    assert matched == {"荣誉证书1.jpg": "荣誉证书1.jpg", "荣誉证书2.jpg": "荣誉证书2.jpg"}
    assert missing == ["获奖证明", "用户协议"]
    assert normalise_listed("附件3、 平台 截图 .PNG") == "平台截图"


def test_type_comes_from_the_content_not_the_extension(tmp_path):
    settings = Settings()
    pdf_named_jpg = read_attachment("证书.jpg", text_pdf(["证书正文内容足够长的一段文字说明"]), settings)
    assert (pdf_named_jpg.kind, pdf_named_jpg.format, pdf_named_jpg.allowed) == ("pdf", "pdf", True)
    png = read_attachment("截图.jpg", image_bytes(["截图"], fmt="PNG"), settings)
    assert (png.kind, png.format, png.allowed, png.needs_ocr) == ("image", "png", False, True)
    assert sniff(video_bytes(tmp_path, ".mov")) == ("video", "mov")
    assert sniff(form("甲", "无")) == ("word", "docx")
    assert sniff(EXE) == ("other", "exe")


def test_empty_damaged_and_oversized_files_are_named_not_read():
    settings = Settings(max_image_mb=0.001)
    empty = read_attachment("甲/空白.pdf", b"", settings)
    assert empty.error is not None and "「空白.pdf」是空文件" in empty.error and empty.allowed  # .pdf by name
    broken = read_attachment("甲/损坏.pdf", text_pdf(["一页"])[:300], settings)
    assert (
        broken.kind == "pdf" and broken.error is not None and "损坏" in broken.error and broken.pages is None
    )
    big = image_bytes(["大图"])
    over = read_attachment("甲/大图.jpg", big[:1100], settings, size=len(big))
    assert over.error is not None and "超过图片 0.001 MB 的上限" in over.error and over.text == ""
    video = read_attachment("甲/坏视频.mp4", b"\x00\x00\x00\x18ftypisom" + bytes(40), settings)
    assert video.kind == "video" and video.error is not None and video.duration_s is None


def test_nested_zip_keeps_the_outer_limits(tmp_path, capsys):
    evil = make_zip({"../../逃逸.pdf": b"%PDF-1.4"})
    (tmp_path / "甲.zip").write_bytes(make_zip({"申报表.docx": form("甲", "无"), "附件.zip": evil}))
    bomb = make_zip({"零.pdf": bytes(4 * 2**20)})
    (tmp_path / "乙.zip").write_bytes(make_zip({"申报表.docx": form("乙", "无"), "附件.zip": bomb}))
    (tmp_path / "丙.zip").write_bytes(
        make_zip({"申报表.docx": form("丙", "无"), "附件.zip": b"PK\x03\x04broken"})
    )
    assert main(["extract", "--json", str(tmp_path)]) == 0
    lines = {Path(r["file"]).name: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert (
        lines["甲.zip"]["error"]["code"] == "unsafe_archive"
        and "附件.zip" in lines["甲.zip"]["error"]["message"]
    )
    assert lines["乙.zip"]["error"]["code"] == "archive_bomb"
    (damaged,) = lines["申报表.docx"]["files"]  # 丙: the damaged inner zip is named as its file
    assert damaged["name"].endswith("丙.zip/附件.zip") and "已损坏" in damaged["error"]


def test_nothing_read_is_never_reported_as_success(tmp_path, capsys):
    (tmp_path / "说明.pdf").write_bytes(text_pdf(["只有附件，没有申报表的一份说明文字"]))
    assert main(["extract", "--json", str(tmp_path)]) == 0  # file problems are reported per line, as before
    captured = capsys.readouterr()
    (record,) = map(json.loads, captured.out.splitlines())
    assert record["ok"] is False and record["error"]["code"] == "unassigned_attachment"
    assert record["files"][0]["pages"] == 1  # listed for the organizer, and still read
    assert captured.err.startswith("未读取到任何申报表") and "成功" not in captured.err.split("（")[0]


def test_ocr_runs_offline_from_the_models_in_the_wheel(monkeypatch):
    from pipelines.backends.ocr import RapidOcr, bundled_models
    from tests.attachment_files import text_image

    names = {path.name for path in bundled_models()}
    assert {"ch_PP-OCRv4_det_infer.onnx", "ch_PP-OCRv4_rec_infer.onnx"} <= names

    def refuse(*_args, **_kwargs):
        raise AssertionError("OCR tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    assert "资格审查" in RapidOcr(threads=1).read(text_image(["资格审查通过"]))


def test_a_word_document_beside_the_form_is_its_attachment_and_listing_settles_shared_folders(
    tmp_path, capsys
):
    from tests.test_extract_build import para

    unit = tmp_path / "甲"
    unit.mkdir()
    (unit / "申报表.docx").write_bytes(form("甲平台", "补充说明.docx"))
    (unit / "补充说明.docx").write_bytes(build_docx(para("这是一份补充说明，不是申报表。")))
    (unit / "证书.jpg").write_bytes(image_bytes(["证书"]))
    shared = tmp_path / "乙丙"
    shared.mkdir()
    (shared / "乙申报表.docx").write_bytes(form("乙平台", "乙证书.jpg"))
    (shared / "丙申报表.docx").write_bytes(form("丙平台", "丙说明.pdf"))
    (shared / "乙证书.jpg").write_bytes(image_bytes(["乙"]))
    (shared / "丙说明.pdf").write_bytes(text_pdf(["丙的说明文字，足够作为文字层"]))
    (shared / "谁的.pdf").write_bytes(text_pdf(["没有列在任何附件清单中的文件"]))
    assert main(["extract", "--json", str(tmp_path)]) == 0
    lines = {Path(r["file"]).name: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert set(lines) == {"申报表.docx", "补充说明.docx", "乙申报表.docx", "丙申报表.docx", "谁的.pdf"}
    assert lines["补充说明.docx"]["ok"] is False and lines["补充说明.docx"]["files"] == []  # still refused
    (image,) = lines["申报表.docx"]["files"]  # the real form keeps its files
    assert (Path(image["name"]).name, image["listed"]) == ("证书.jpg", False)
    assert lines["申报表.docx"]["missing_attachments"] == ["补充说明.docx"]
    assert [Path(f["name"]).name for f in lines["乙申报表.docx"]["files"]] == ["乙证书.jpg"]
    assert [Path(f["name"]).name for f in lines["丙申报表.docx"]["files"]] == ["丙说明.pdf"]
    unassigned = lines["谁的.pdf"]
    assert (
        unassigned["error"]["code"] == "unassigned_attachment"
        and "丙申报表.docx" in unassigned["error"]["message"]
    )


def test_files_go_to_the_form_beside_them_never_to_another_units_folder(tmp_path):
    from pipelines.intake.archive import iter_sources
    from pipelines.intake.grouping import group_sources

    (tmp_path / "甲申报表.docx").write_bytes(b"x")
    (tmp_path / "甲证书.jpg").write_bytes(b"x")
    (tmp_path / "乙" / "附件").mkdir(parents=True)
    (tmp_path / "乙" / "乙申报表.docx").write_bytes(b"x")
    (tmp_path / "乙" / "附件" / "乙证书.jpg").write_bytes(b"x")
    (tmp_path / "丙" / "材料").mkdir(parents=True)
    (tmp_path / "丙" / "材料" / "丙证书.jpg").write_bytes(b"x")
    sources = list(iter_sources([tmp_path], Settings()))
    grouping = group_sources(sources)
    named = {
        Path(sources[form].name).name: [Path(sources[i].name).name for i in files]
        for form, files in grouping.files.items()
    }
    assert named == {"甲申报表.docx": ["甲证书.jpg"], "乙申报表.docx": ["乙证书.jpg"]}
    (lost,) = grouping.ambiguous  # 丙's folder has no form: 甲 or 乙? never guessed (附件清单 decides)
    assert Path(sources[lost].name).name == "丙证书.jpg"


def test_a_named_zip_holding_one_application_keeps_its_loose_files(tmp_path, capsys):
    members = {
        "甲单位/申报表.docx": form("甲平台", "说明"),
        "说明.pdf": text_pdf(["说明文字足够长以作为文字层"]),
    }
    (tmp_path / "甲.zip").write_bytes(make_zip(members))
    (tmp_path / "乙.zip").write_bytes(make_zip({"乙单位/申报表.docx": form("乙平台", "无")}))
    assert main(["extract", "--json", str(tmp_path / "甲.zip"), str(tmp_path / "乙.zip")]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(Path(r["file"]).parent.name, [Path(f["name"]).name for f in r["files"]]) for r in lines] == [
        ("甲单位", ["说明.pdf"]),
        ("乙单位", []),
    ]
