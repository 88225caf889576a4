"""Bad input, the public edge-case files, the sample forms' manifest and the ``extract`` command."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from msoffcrypto.format.ooxml import OOXMLFile

from pipelines.__main__ import main
from pipelines.config import SAMPLE_DIR, Settings
from pipelines.intake.archive import iter_archive
from pipelines.intake.docx_body import Paragraph, Table
from pipelines.intake.docx_xml import read_package
from pipelines.intake.extract import extract_bytes, extract_file
from pipelines.intake.refusals import OLE_MAGIC
from pipelines.schema import IntakeError
from tests.test_extract_build import build_docx, pair_rows, para, picture, table

FIXTURES = Path(__file__).parent / "fixtures" / "forms"
MANIFEST = SAMPLE_DIR / "forms_2026" / "manifest.json"
NARRATIVE = "本平台于2023年上线，面向全国行业用户提供资讯与数据服务，已形成稳定的用户群体和运营机制。"
FORM_BODY = table(
    pair_rows(("案例名称", "某平台"), ("申报单位", "甲报社"), ("案例简介", NARRATIVE)), columns=2
)


def _zip(members: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _encrypted_docx(tmp_path: Path) -> bytes:
    plain = tmp_path / "plain.docx"
    build_docx(FORM_BODY, plain)
    encrypted = io.BytesIO()
    with plain.open("rb") as handle:
        OOXMLFile(handle).encrypt("secret", encrypted)
    return encrypted.getvalue()


def _legacy_doc() -> bytes:
    directory = "Root Entry".encode("utf-16-le") + "WordDocument".encode("utf-16-le")
    return OLE_MAGIC + b"\x00" * 504 + directory + b"\x00" * 1024


BAD_INPUTS = {
    "empty_file": (lambda _: b"", "空文件"),
    "legacy_word": (lambda _: _legacy_doc(), "另存为"),
    "encrypted": (_encrypted_docx, "取消密码"),
    "not_word/pdf": (lambda _: b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF", "PDF"),
    "not_word/text": (lambda _: "这是一份申报材料的文字稿。".encode(), "纯文本"),
    "not_word/rtf": (lambda _: b"{\\rtf1\\ansi\\deff0 {\\fonttbl}}", "RTF"),
    "not_word/xlsx": (
        lambda _: _zip({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"}),
        "Excel",
    ),
    "corrupt_docx/truncated": (lambda _: build_docx(FORM_BODY)[:600], "已损坏"),
    "corrupt_docx/no-document": (lambda _: _zip({"[Content_Types].xml": "<Types/>"}), "已损坏"),
    "corrupt_docx/broken-xml": (lambda _: _zip({"word/document.xml": "<w:document><w:body><w:p>"}), "已损坏"),
    "images_only": (lambda _: build_docx(para(picture()) + para(picture()), with_image=True), "文字版"),
    "not_a_form": (
        lambda _: build_docx(para("关于召开年度工作会议的通知") + para("请各部门按时参加。")),
        "申报表",
    ),
}


@pytest.mark.parametrize("kind", list(BAD_INPUTS))
def test_bad_input_gets_its_code_and_a_message_naming_the_file(kind, tmp_path):
    make, phrase = BAD_INPUTS[kind]
    with pytest.raises(IntakeError) as caught:
        extract_bytes(make(tmp_path), "材料/某单位申报表.docx", Settings())
    error = caught.value
    assert error.code == kind.split("/")[0]
    assert "「材料/某单位申报表.docx」" in error.message
    assert phrase in error.message
    assert error.file_name == "材料/某单位申报表.docx"
    assert error.to_dict() == {"code": error.code, "message": error.message}


def test_lock_files_are_skipped_whatever_their_content():
    with pytest.raises(IntakeError) as caught:
        extract_bytes(build_docx(FORM_BODY), "~$某单位申报表.docx", Settings())
    assert caught.value.code == "lock_file"
    assert "~$某单位申报表.docx" in caught.value.message
    assert "已跳过" in caught.value.message


def test_too_large_is_checked_before_reading(tmp_path):
    path = tmp_path / "大文件.docx"
    build_docx(FORM_BODY, path)
    tiny = Settings(max_file_mb=0.0001)
    with pytest.raises(IntakeError) as caught:
        extract_file(path, tiny)
    assert caught.value.code == "too_large"
    assert "「大文件.docx」" in caught.value.message
    assert "0.0001 MB" in caught.value.message
    assert extract_file(path, Settings()).title == "某平台"


def test_a_form_with_pictures_and_text_is_still_a_form():
    body = para(picture()) + FORM_BODY
    submission = extract_bytes(build_docx(body, with_image=True), "a.docx", Settings())
    assert submission.sections == {"案例简介": NARRATIVE}


# -- the public edge-case files (docx2python, MIT; see fixtures/forms/README.md) ---------------------------


def _texts(path: Path) -> list[str]:
    body = read_package(path.read_bytes(), path.name)
    texts: list[str] = []
    for block in body.blocks:
        if isinstance(block, Paragraph):
            texts.append(block.text)
        else:
            texts.extend(cell.text for table_row in block.rows for cell in table_row)
    return texts


def test_checked_boxes_bare_checked_means_ticked():
    text = "\n".join(_texts(FIXTURES / "checked_boxes.docx"))
    assert text.count("☑") == 12
    assert text.count("☐") == 32
    assert "☑ Adult Protective Services" in text
    assert "☐ Abandonment" in text


def test_checked_true_false_values():
    texts = [t.strip() for t in _texts(FIXTURES / "checked-true-false.docx") if t.strip()]
    assert texts == [
        "☐ default 0",
        "☐ default false",
        "☐ checked 0",
        "☐ checked false",
        "☑ default 1",
        "☑ default true",
        "☑ checked 1",
        "☑ checked true",
    ]


def test_body_level_content_control_text_is_read():
    texts = [t.strip() for t in _texts(FIXTURES / "ControlTest.docx") if t.strip()]
    assert texts == ["This is a test", "For a content control or content container in word."]


def test_merged_cells_are_read_once_with_their_grid_position():
    (merged,) = [
        b
        for b in read_package((FIXTURES / "merged_cells.docx").read_bytes(), "m").blocks
        if isinstance(b, Table)
    ]
    layout = [[(c.text, c.col, c.span, c.vmerge) for c in table_row] for table_row in merged.rows]
    assert layout == [
        [("0-0", 0, 1, None), ("0-12", 1, 2, None), ("0-3", 3, 1, None)],
        [("12-0", 0, 1, "restart"), ("1-1", 1, 1, None), ("1-2", 2, 1, None), ("1-3", 3, 1, None)],
        [("", 0, 1, "continue"), ("2-1", 1, 1, None), ("2-2", 2, 1, None), ("2-3", 3, 1, None)],
        [("3-0", 0, 1, None), ("34-123", 1, 3, "restart")],
        [("4-0", 0, 1, None), ("", 1, 3, "continue")],
    ]


def test_strict_ooxml_file_reads():
    texts = [t for t in _texts(FIXTURES / "strict.docx") if t]
    assert texts == ["Bullet1", "Bullet2", "Number1", "Number2", "Cellaa", "Cellab", "Cellba", "Cellbb"]


def test_english_edge_case_files_are_not_forms():
    with pytest.raises(IntakeError) as caught:
        extract_file(FIXTURES / "ControlTest.docx", Settings())
    assert caught.value.code == "not_a_form"


# -- the sample forms written by tools.formgen ---------------------------------------------------------


def test_sample_forms_give_their_expected_fields():
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    mismatches = {}
    for name, info in manifest["forms"].items():
        submission = extract_file(MANIFEST.parent / name, Settings())
        got = {key: getattr(submission, key) for key in info["expected"]}
        if got != info["expected"]:
            mismatches[f"{name} ({info.get('layout')})"] = (info["expected"], got)
    assert len(manifest["forms"]) >= 40
    assert mismatches == {}


def test_sample_bad_files_give_their_expected_codes():
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    codes = {}
    for name in manifest["bad_files"]:
        path = MANIFEST.parent / name
        try:
            if path.suffix == ".zip":
                list(iter_archive(path.read_bytes(), name, Settings()))
            else:
                extract_file(path, Settings())
            codes[name] = None
        except IntakeError as error:
            assert Path(name).name in error.message
            codes[name] = error.code
    assert codes == {name: info["expected_error"] for name, info in manifest["bad_files"].items()}
    for name, info in manifest.get("bundles", {}).items():
        members = [
            source.name.removeprefix(f"{name}/")
            for source in iter_archive((MANIFEST.parent / name).read_bytes(), name, Settings())
        ]
        assert members == info["members"]


# -- command line ------------------------------------------------------------------------------------------


@pytest.fixture
def batch(tmp_path) -> Path:
    folder = tmp_path / "批次"
    folder.mkdir()
    build_docx(FORM_BODY, folder / "a_好表.docx")
    (folder / "b_空文件.docx").write_bytes(b"")
    (folder / "~$a_好表.docx").write_bytes(b"owner")
    (folder / "附件.pdf").write_bytes(b"%PDF-1.4")
    (folder / "c_打包.zip").write_bytes(_zip({"内/表.docx": build_docx(FORM_BODY), "内/说明.pdf": b"%PDF"}))
    return folder


def test_extract_json_one_object_per_file_and_bad_files_do_not_stop_the_batch(batch, capsys):
    assert main(["extract", str(batch), "--json"]) == 0
    captured = capsys.readouterr()
    records = [json.loads(line) for line in captured.out.splitlines()]
    by_name = {Path(r["file"]).name: r for r in records}
    assert set(by_name) == {"a_好表.docx", "b_空文件.docx", "~$a_好表.docx", "表.docx", "附件.pdf"}
    assert by_name["附件.pdf"]["error"]["code"] == "unassigned_attachment"  # two forms in its folder
    assert [Path(f["name"]).name for f in by_name["表.docx"]["files"]] == ["说明.pdf"]
    good = by_name["a_好表.docx"]
    assert good["ok"] is True
    assert (good["title"], good["unit"], good["sections"]) == ("某平台", "甲报社", {"案例简介": NARRATIVE})
    assert {"implementer", "declared_category", "launch_date", "status", "text", "warnings"} <= set(good)
    assert by_name["b_空文件.docx"]["error"]["code"] == "empty_file"
    assert by_name["~$a_好表.docx"]["skipped"] is True
    assert by_name["表.docx"]["file"].endswith("c_打包.zip/内/表.docx")
    assert "成功 2 个，失败 1 个，跳过 1 个" in captured.err


def test_extract_readable_table(batch, capsys):
    assert main(["extract", str(batch / "a_好表.docx"), str(batch / "b_空文件.docx")]) == 0
    out = capsys.readouterr().out
    assert "某平台\t甲报社" in out
    assert "失败\t文件「" in out
    assert "b_空文件.docx」是空文件" in out


def test_extract_usage_errors_exit_2(tmp_path, capsys):
    assert main(["extract", str(tmp_path / "不存在.docx")]) == 2
    assert "找不到" in capsys.readouterr().err
    with pytest.raises(SystemExit) as caught:
        main(["extract"])
    assert caught.value.code == 2


def test_broken_archive_in_a_batch_is_one_error(tmp_path, capsys):
    (tmp_path / "坏.zip").write_bytes(b"PK\x03\x04broken")
    build_docx(FORM_BODY, tmp_path / "好.docx")
    assert main(["extract", str(tmp_path), "--json"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(Path(r["file"]).name, r["ok"]) for r in records] == [("坏.zip", False), ("好.docx", True)]
    assert records[0]["error"]["code"] == "corrupt_archive"
