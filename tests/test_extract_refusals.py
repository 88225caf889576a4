"""Documents that are not applications, forms with large pictures, picture-only forms (real OCR) and legacy
.doc files (real LibreOffice), on documents built here."""

from __future__ import annotations

import io
import random
import shutil
import subprocess

import pytest
from PIL import Image, ImageDraw, ImageFont

from pipelines.__main__ import main
from pipelines.config import Settings
from pipelines.intake import convert
from pipelines.intake.extract import extract_bytes
from pipelines.intake.scan import SCAN_WARNING
from pipelines.intake.template import write_template
from pipelines.schema import IntakeError, Submission
from tests.test_extract_build import build_docx, cell, pair_rows, para, picture, row, table

NARRATIVE = "平台面向沿海渔民和港口企业提供分钟级气象预警，覆盖十二个沿海省份，累计服务用户三十万人次。"
FORM = table(
    pair_rows(
        ("案例名称", "海洋气象智能服务平台"),
        ("申报单位", "中国海洋气象报社"),
        ("实施单位", "中国海洋气象报社"),
    ),
    row(cell("上线时间"), cell("2024年6月")),
    row(cell("案例简介（300字以内）"), cell(NARRATIVE)),
    columns=2,
)
CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
MB = 1024 * 1024


def refused(data: bytes, name: str = "材料.docx", settings: Settings | None = None) -> IntakeError:
    with pytest.raises(IntakeError) as caught:
        extract_bytes(data, name, settings or Settings())
    assert f"「{name}」" in caught.value.message
    return caught.value


# -- not an application ---------------------------------------------------------------------------------------


def test_an_unfilled_free_layout_form_with_hints_is_a_blank_template():
    body = para("2026年中国行业媒体高质量发展创新案例申报书", style="Heading1")
    body += (
        para("项目名称：") + para("报送单位（盖章）：") + para("承办单位：") + para("上线时间：    年   月")
    )
    body += para("一、案例简介") + para("（请简要介绍案例背景和主要内容，300字以内）")
    body += para("二、主要做法") + para("单击或点击此处输入文字。")
    error = refused(build_docx(body))
    assert error.code == "blank_template"
    assert "未填写的申报表" in error.message


def test_an_english_letter_is_not_a_form():
    body = para("Dear Organizing Committee,") + para(
        "We are pleased to introduce our weather service platform. Contact: Lin Tao, Email: lintao@example.com"
    )
    body += para("Best regards,") + para("Ocean Weather Press")
    error = refused(build_docx(body), "letter.docx")
    assert error.code == "not_a_form"
    assert "不是申报表" in error.message


def test_a_document_without_any_text_is_empty():
    error = refused(build_docx(para("") + para("   ")))
    assert error.code == "empty_document"
    assert "空白文档" in error.message


def test_a_filled_form_is_accepted_with_a_partial_narrative():
    submission = extract_bytes(build_docx(FORM), "表.docx", Settings())
    assert (submission.title, submission.unit, submission.launch_date) == (
        "海洋气象智能服务平台",
        "中国海洋气象报社",
        "2024-06",
    )


# -- sizes: text and media apart ------------------------------------------------------------------------------


def _with_picture(size: int) -> bytes:
    return build_docx(para(picture()) + FORM, with_image=True, image=random.Random(7).randbytes(size))


def test_large_pictures_count_against_the_media_limit_not_the_text_limit():
    data = _with_picture(3 * MB)
    settings = Settings(max_file_mb=10, max_text_mb=1, max_media_mb=5)
    submission = extract_bytes(data, "图多.docx", settings)
    assert submission.title == "海洋气象智能服务平台"
    assert (submission.media_count, submission.media_bytes) == (1, pytest.approx(3 * MB, rel=0.01))
    assert any(
        "嵌入图片等媒体 1 个" in warning and "媒体上限 5 MB" in warning for warning in submission.warnings
    )


def test_media_over_the_media_limit_are_refused_with_their_size():
    error = refused(
        _with_picture(3 * MB), "图多.docx", Settings(max_file_mb=10, max_text_mb=1, max_media_mb=2)
    )
    assert error.code == "media_too_large"
    assert "3.0 MB" in error.message and "2 MB 的媒体上限" in error.message


def test_text_over_the_text_limit_is_refused():
    long_form = FORM + "".join(para(f"{NARRATIVE}{index}") for index in range(3000))
    error = refused(build_docx(long_form), "长.docx", Settings(max_text_mb=0.01))
    assert error.code == "too_large"
    assert "超过正文 0.01 MB" in error.message


# -- picture-only forms ---------------------------------------------------------------------------------------


def _form_picture(lines: list[str]) -> bytes:
    font = ImageFont.truetype(CJK_FONT, 28)
    image = Image.new("L", (1240, 60 + 60 * len(lines)), 255)
    draw = ImageDraw.Draw(image)
    for index, line in enumerate(lines):
        draw.text((40, 30 + 60 * index), line, font=font, fill=0)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def test_a_picture_of_a_form_is_read_by_the_bundled_ocr_with_a_warning():
    lines = [
        "2026年中国行业媒体高质量发展创新案例申报表",
        "案例名称：海洋气象智能服务平台",
        "申报单位：中国海洋气象报社",
        "上线时间：2024年6月",
        "案例简介：平台为沿海渔民提供精细化气象预报服务。",
    ]
    data = build_docx(para(picture()), with_image=True, image=_form_picture(lines))
    submission = extract_bytes(data, "扫描件.docx", Settings())
    assert (submission.title, submission.unit, submission.launch_date) == (
        "海洋气象智能服务平台",
        "中国海洋气象报社",
        "2024-06",
    )
    assert submission.from_scan is True
    assert submission.warnings[0] == SCAN_WARNING


def test_a_picture_without_a_readable_form_is_refused():
    data = build_docx(para(picture()), with_image=True, image=_form_picture(["会议合影", "2026年3月"]))
    error = refused(data, "照片.docx")
    assert error.code == "images_only"
    assert "未能识别出申报表" in error.message


def test_the_extractor_takes_any_image_reader():
    seen: list[bytes] = []

    def reader(image: bytes) -> list[str]:
        seen.append(image)
        return ["项目名称", "海洋气象智能服务平台", "报送单位", "中国海洋气象报社"]

    data = build_docx(para(picture()), with_image=True)
    submission = extract_bytes(data, "扫描件.docx", Settings(), image_reader=reader)
    assert (submission.title, submission.unit, len(seen)) == ("海洋气象智能服务平台", "中国海洋气象报社", 1)


# -- .doc and .wps --------------------------------------------------------------------------------------------


def _to_doc(docx_bytes: bytes, folder) -> bytes:  # noqa: ANN001 (pytest tmp_path)
    source = folder / "form.docx"
    source.write_bytes(docx_bytes)
    soffice = convert.soffice_path()
    assert soffice is not None, "LibreOffice（libreoffice-writer-nogui）未安装：CI 在 .ci/run 中安装它"
    profile = f"-env:UserInstallation={(folder / 'profile').as_uri()}"
    command = [
        soffice,
        "--headless",
        profile,
        "--convert-to",
        "doc",
        "--outdir",
        str(folder / "out"),
        str(source),
    ]
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    return (folder / "out" / "form.doc").read_bytes()


def _filled_template(folder) -> bytes:  # noqa: ANN001 (pytest tmp_path)
    values = Submission(
        file_name="",
        title="海洋气象智能服务平台",
        unit="中国海洋气象报社",
        implementer="中国海洋气象报社",
        declared_categories=[4],
        launch_raw="2024年6月",
        sections={"案例简介": NARRATIVE},
    )
    write_template(folder / "filled.docx", values)
    return (folder / "filled.docx").read_bytes()


def test_a_doc_file_is_converted_with_libreoffice(tmp_path):
    doc = _to_doc(_filled_template(tmp_path), tmp_path)
    assert doc[:8] == bytes.fromhex("D0CF11E0A1B11AE1")
    submission = extract_bytes(doc, "旧版.doc", Settings())
    assert (submission.title, submission.unit, submission.launch_date) == (
        "海洋气象智能服务平台",
        "中国海洋气象报社",
        "2024-06",
    )
    assert submission.declared_category == 4
    assert "已自动转换为 .docx" in submission.warnings[0]


def test_without_libreoffice_a_doc_file_is_refused_with_advice(tmp_path, monkeypatch):
    doc = _to_doc(build_docx(FORM), tmp_path)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    error = refused(doc, "旧版.doc")
    assert error.code == "legacy_word"
    assert "请另存为 .docx 后重新提交" in error.message


def test_a_damaged_doc_file_is_refused_with_advice():
    damaged = bytes.fromhex("D0CF11E0A1B11AE1") + random.Random(3).randbytes(6000)
    error = refused(damaged, "坏.wps")
    assert error.code == "legacy_word"
    assert "自动转换失败" in error.message and "请另存为 .docx 后重新提交" in error.message


def test_extract_command_lists_refusals_with_codes(tmp_path, capsys):
    # one folder per application: a Word file beside a form would be that form's attachment
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "a_letter.docx").write_bytes(build_docx(para("Dear Sir,") + para("Best regards.")))
    (tmp_path / "b" / "b_form.docx").write_bytes(build_docx(FORM))
    assert main(["extract", str(tmp_path), "--json"]) == 0
    out = capsys.readouterr().out
    assert '"ok": false' in out and '"code": "not_a_form"' in out
    assert '"title": "海洋气象智能服务平台"' in out and '"launch_date": "2024-06"' in out


def test_a_template_with_placeholder_values_is_blank():
    body = table(
        pair_rows(
            ("案例名称", "××××××"), ("申报单位（盖章）", "（请填写单位全称）"), ("上线时间", "××××年××月")
        ),
        row(cell("案例简介"), cell("（请简要介绍案例，300字以内）")),
        columns=2,
    )
    assert refused(build_docx(body)).code == "blank_template"


def test_the_call_text_itself_is_not_a_form():
    body = para("2026年中国行业媒体高质量发展创新案例申报指南", style="Heading1")
    body += (
        para("一、案例类别")
        + para("（一）全媒体传播建设类")
        + para("本类案例侧重反映行业媒体的创新做法和成熟经验。")
    )
    body += para("二、申报条件") + para("（一）申报案例原则上在2025年12月31日内已完成上线。")
    body += para("三、申报要求") + para("（二）创新性。在理念思路、内容形式上有突出创新。")
    error = refused(build_docx(body), "指南.docx")
    assert error.code == "not_a_form"


def test_a_template_whose_values_are_examples_is_blank():
    body = table(
        pair_rows(
            ("案例名称", "示例：某某融媒体平台"), ("申报单位", "例：某某报社"), ("上线时间", "如：2024年5月")
        ),
        columns=2,
    )
    assert refused(build_docx(body)).code == "blank_template"
