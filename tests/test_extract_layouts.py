"""Kinds of Word structure and wording found in the second pass (issue 18), each on forms of our own making with
other labels, units and values than any evaluation set or ``tools/eval/layout_forms.py``: page headers and
footers, legacy dropdown fields, leaders and underlines, bilingual labels, header rows in two levels, unit
matrices, the category named in words, pairs without colons, cells holding a layout of their own, category
grids, the case name in a heading, hidden text, and the same forms left unfilled."""

from __future__ import annotations

import io
import random

import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from pipelines.config import Settings
from pipelines.eligibility import check_submission
from pipelines.intake.extract import extract_bytes
from tests.test_extract_build import (
    build_docx,
    cell,
    fields,
    pair_rows,
    para,
    picture,
    read,
    refused,
    row,
    run,
    table,
    text_box,
)

NARRATIVE = "节目组深入三十个产粮县蹲点采访，推出系列报道六十五篇，带动种粮大户上传田间视频四千余条。"
SECTIONS = para("一、案例简介") + para(NARRATIVE) + para("二、主要做法") + para(NARRATIVE)


def cells_row(*texts: str, span: dict[int, int] | None = None, vmerge: dict[int, str] | None = None) -> str:
    span, vmerge = span or {}, vmerge or {}
    return row(*(cell(text, span=span.get(i, 1), vmerge=vmerge.get(i)) for i, text in enumerate(texts)))


# -- page headers and footers ---------------------------------------------------------------------------------


def test_fields_in_the_page_header_and_footer_fill_what_the_body_leaves_empty():
    header = table(pair_rows(("项目名称", "丰收田野直播间"), ("申报主体", "中国农垦报社")), columns=2)
    footer = para("投用时间：2022年6月") + para("第 1 页  共 3 页")
    body = para("行业媒体创新案例申报书", center=True) + para("申报类型：☑内容供给创新类 □数智技术应用类")
    submission = read(body + SECTIONS, headers=(header,), footers=(footer,))
    assert fields(submission) == ("丰收田野直播间", "中国农垦报社", "", 2, "2022-06")
    assert submission.sections["案例简介"] == NARRATIVE


def test_a_body_value_wins_over_the_header_and_the_disagreement_is_warned():
    header = para("申报单位：农垦传媒集团")
    body = table(pair_rows(("案例名称", "丰收田野直播间"), ("申报单位", "中国农垦报社")), columns=2)
    submission = read(body + SECTIONS, headers=(para("附件1"), header))
    assert submission.unit == "中国农垦报社"
    assert any("农垦传媒集团" in warning and "中国农垦报社" in warning for warning in submission.warnings)


def test_a_stamp_in_the_footer_never_overwrites_the_unit():
    body = table(pair_rows(("案例名称", "丰收田野直播间"), ("申报单位", "中国农垦报社")), columns=2)
    submission = read(body + SECTIONS, footers=(para("申报单位（盖章）：2026年1月9日"),))
    assert submission.unit == "中国农垦报社"


# -- legacy form fields -----------------------------------------------------------------------------------------


def form_text(value: str) -> str:
    return (
        '<w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="T"/><w:textInput>'
        '<w:default w:val="请输入"/></w:textInput></w:ffData></w:fldChar></w:r>'
        '<w:r><w:instrText xml:space="preserve"> FORMTEXT </w:instrText></w:r>'
        f'<w:r><w:fldChar w:fldCharType="separate"/></w:r>{run(value[:2])}{run(value[2:])}'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def form_dropdown(entries: list[str], state: str) -> str:
    listed = "".join(f'<w:listEntry w:val="{entry}"/>' for entry in entries)
    return (
        f'<w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="D"/><w:ddList>{state}{listed}'
        "</w:ddList></w:ffData></w:fldChar></w:r>"
        '<w:r><w:instrText xml:space="preserve"> FORMDROPDOWN </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


OPTIONS = ["--请选择--", "全媒体传播建设类", "内容供给创新类", "运营服务创新类", "数智技术应用类"]


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ('<w:result w:val="4"/>', 4),
        ('<w:default w:val="3"/>', 3),
        ('<w:result w:val="2"/><w:default w:val="4"/>', 2),
    ],
)
def test_a_dropdown_field_shows_its_chosen_entry(state, expected):
    body = para("作品名称：", form_text("田埂上的直播间"))
    body += para("报送单位：", form_text("中国农垦报社"))
    body += para("申报方向：", form_dropdown(OPTIONS, state))
    assert read(body + SECTIONS).declared_category == expected


def test_a_dropdown_left_on_its_prompt_declares_nothing():
    body = para("作品名称：", form_text("田埂上的直播间")) + para("申报方向：", form_dropdown(OPTIONS, ""))
    submission = read(body + SECTIONS)
    assert submission.declared_category is None
    assert any("申报类别" in warning for warning in submission.warnings)


def test_legacy_fields_left_on_their_default_text_are_a_blank_template():
    body = para("作品名称：", form_text("请输入")) + para("报送单位：", form_text("请输入"))
    body += (
        para("申报方向：", form_dropdown(OPTIONS, "")) + para("一、案例简介") + para("（请填写，300字以内）")
    )
    assert refused(body).code == "blank_template"


# -- leaders, underlines and tabs -------------------------------------------------------------------------------


def test_leaders_underlines_and_tabs_between_label_and_value():
    body = para("项目名称…………………田埂上的直播间")
    body += para("（二）申报主体 ··············· 中国农垦报社")
    body += para("建设单位：＿＿＿农垦云科技有限公司＿＿＿")
    body += para("启用日期\t\t2021年10月")
    body += para("申报类型——————☑运营服务创新类  □体制机制创新类")
    assert fields(read(body + SECTIONS)) == (
        "田埂上的直播间",
        "中国农垦报社",
        "农垦云科技有限公司",
        3,
        "2021-10",
    )


def test_an_unfilled_leader_form_is_a_blank_template():
    body = para("项目名称……………………………") + para("申报主体＿＿＿＿＿＿＿＿") + para("启用日期 ··········")
    body += para("一、案例简介") + para("（请简要介绍，不超过300字）")
    assert refused(body).code == "blank_template"


# -- bilingual labels -------------------------------------------------------------------------------------------


def test_english_beside_the_chinese_label_in_lines_and_cells():
    lines = para("Project Title / 项目名称: 田埂上的直播间") + para("申报主体（Applicant）：中国农垦报社")
    lines += para("Go-live Date / 上线日期: June 2021") + para("Category / 申报类型: ■ 国际传播能力建设类")
    assert fields(read(lines + SECTIONS)) == ("田埂上的直播间", "中国农垦报社", "", 6, "2021-06")
    cells = table(
        row(cell("Implementing Unit", "实施主体"), cell("农垦云科技有限公司")),
        row(cell("项目名称", "Project Title"), cell("田埂上的直播间")),
        row(cell("Launch Date", "上线日期"), cell("12 March 2020")),
        columns=2,
    )
    submission = read(cells + SECTIONS)
    assert (submission.implementer, submission.title, submission.launch_date) == (
        "农垦云科技有限公司",
        "田埂上的直播间",
        "2020-03-12",
    )


def test_an_english_date_label_in_the_stamp_block_is_not_the_unit():
    body = para("Project Title / 项目名称: 田埂上的直播间") + SECTIONS
    body += para("Seal / 申报单位（盖章）：", "<w:r><w:br/></w:r>", "Date / 日期：    年  月  日")
    submission = read(body)
    assert submission.unit == ""


# -- header rows above values -----------------------------------------------------------------------------------


def test_labels_in_two_header_rows_above_one_row_of_values():
    body = table(
        cells_row(
            "参评项目名称",
            "主体信息",
            "投入使用时间",
            "所属类别",
            span={1: 2},
            vmerge={0: "restart", 2: "restart", 3: "restart"},
        ),
        cells_row("", "申报单位", "承建单位", "", "", vmerge={0: "continue", 3: "continue", 4: "continue"}),
        cells_row("田埂上的直播间", "中国农垦报社", "农垦云科技有限公司", "2020年9月", "数智技术应用"),
        columns=5,
    )
    assert fields(read(body + SECTIONS)) == (
        "田埂上的直播间",
        "中国农垦报社",
        "农垦云科技有限公司",
        4,
        "2020-09",
    )


def test_sub_labels_under_a_spanning_group_label_take_its_meaning():
    body = table(
        cells_row("案例名称", "联系方式", "申报单位", span={1: 2}, vmerge={0: "restart", 2: "restart"}),
        cells_row("", "姓名", "手机", "", vmerge={0: "continue", 3: "continue"}),
        cells_row("田埂上的直播间", "周航", "13700001111", "中国农垦报社"),
        columns=4,
    )
    submission = read(body + SECTIONS)
    assert (submission.title, submission.unit) == ("田埂上的直播间", "中国农垦报社")
    assert (submission.contact.name, submission.contact.phone) == ("周航", "13700001111")


def test_a_unit_matrix_gives_each_row_the_cell_of_its_name_column():
    body = table(
        pair_rows(("案例名称", "田埂上的直播间")),
        cells_row("单位类型", "单位全称", "法定代表人", "统一社会信用代码"),
        cells_row("申报单位", "中国农垦报社", "吴立", "12100000400011111A"),
        cells_row("实施单位", "农垦云科技有限公司", "郑宁", "91110000MA01234567"),
        pair_rows(("上线时间", "2019年")),
        columns=4,
    )
    assert fields(read(body + SECTIONS))[:3] == ("田埂上的直播间", "中国农垦报社", "农垦云科技有限公司")


# -- the category named in words --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        (para("行业媒体创新案例申报书（体制机制创新类）", center=True), 5),
        (para("我社现将本案例作为“数智技术应用类”参评。"), 4),
        (para("该项目归入运营服务创新类案例申报。"), 3),
    ],
)
def test_the_category_named_in_a_sentence_or_after_the_form_title(where, expected):
    body = where + table(pair_rows(("案例名称", "田埂上的直播间"), ("申报单位", "中国农垦报社")), columns=2)
    submission = read(body + SECTIONS)
    assert submission.declared_category == expected
    assert any("按文中" in warning for warning in submission.warnings)


def test_two_categories_named_in_sentences_declare_none():
    body = para("本案例申报内容供给创新类，也可参评国际传播能力建设类。")
    body += table(pair_rows(("案例名称", "田埂上的直播间")), columns=2)
    assert read(body + SECTIONS).declared_category is None


def test_a_category_written_as_a_number_under_a_label_of_its_own():
    body = table(pair_rows(("案例名称", "田埂上的直播间"), ("类别序号", "二")), columns=2)
    assert read(body + SECTIONS).declared_category == 2


def test_a_numbered_option_under_an_empty_category_label_is_its_value():
    body = para("项目名称：田埂上的直播间") + para("申报类型：") + para("（四）数智技术应用类") + SECTIONS
    assert read(body).declared_category == 4


def test_category_options_in_one_row_and_their_marks_in_the_row_below():
    body = table(
        pair_rows(("案例名称", "田埂上的直播间")),
        cells_row("申报类型", "内容供给创新类", "运营服务创新类", "体制机制创新类", vmerge={0: "restart"}),
        cells_row("", "", "✔", "", vmerge={0: "continue"}),
        columns=4,
    )
    assert read(body + SECTIONS).declared_category == 3


# -- pairs without colons, values after a gap ------------------------------------------------------------------


def test_several_pairs_on_one_line_without_colons():
    body = para("项目名称\u3000田埂上的直播间")
    body += para("报送单位\u3000中国农垦报社\u3000\u3000\u3000承建单位\u3000农垦云科技有限公司")
    body += para("投用时间 2023年5月    联系人 周航")
    submission = read(body + SECTIONS)
    assert fields(submission) == ("田埂上的直播间", "中国农垦报社", "农垦云科技有限公司", None, "2023-05")
    assert submission.contact.name == "周航"


def test_a_value_after_a_gap_is_never_part_of_the_label():
    body = table(
        row(cell("项目名称\t田埂上的直播间")),
        row(cell("报送单位\t中国农垦报社")),
        row(cell("承建单位\t与报送单位相同")),
        columns=1,
    )
    submission = read(body + SECTIONS)
    assert (submission.title, submission.unit, submission.implementer) == (
        "田埂上的直播间",
        "中国农垦报社",
        "中国农垦报社",
    )


# -- cells that hold a layout of their own ---------------------------------------------------------------------


def test_narrative_in_the_left_cell_and_fields_as_lines_in_the_right_cell():
    left = cell("案例简介", NARRATIVE, "推广价值", "做法已写成操作指引，供兄弟单位参考。")
    right = cell(
        "项目名称：田埂上的直播间",
        "报送单位：中国农垦报社",
        "投用时间：2018年3月",
        "申报类型：■运营服务创新类",
    )
    submission = read(table(row(left, right), columns=2))
    assert fields(submission) == ("田埂上的直播间", "中国农垦报社", "", 3, "2018-03")
    assert submission.sections["案例简介"] == NARRATIVE
    assert "田埂" not in submission.sections["推广价值"]


def test_a_label_beside_a_narrative_with_label_words_stays_a_label_value_row():
    lines = cell(
        "成效：带动种粮大户上传视频四千余条。", "做法：蹲点采访三十个产粮县。", "影响：被三家单位借鉴。"
    )
    body = table(pair_rows(("案例名称", "田埂上的直播间")), row(cell("取得成效"), lines), columns=2)
    submission = read(body + SECTIONS)
    assert submission.sections["取得成效"].startswith("成效：带动")
    assert submission.title == "田埂上的直播间"


# -- the case name in the document's heading -------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["申报书", "——案例申报材料", "：申报表"])
def test_the_case_name_before_the_kind_of_document_in_a_heading(suffix):
    body = para(f"“田埂上的直播间”{suffix}", style="1") + table(
        pair_rows(("报送单位", "中国农垦报社")), columns=2
    )
    submission = read(body + SECTIONS)
    assert submission.title == "“田埂上的直播间”"
    assert any("文档标题" in warning for warning in submission.warnings)


def test_the_call_s_own_form_title_is_never_the_case_name():
    body = para("2026年中国行业媒体高质量发展创新案例申报表", style="1")
    body += table(pair_rows(("报送单位", "中国农垦报社")), columns=2)
    assert read(body + SECTIONS).title == ""


def test_a_unit_before_the_kind_of_document_is_not_the_case_name():
    body = para("中国农垦报社申报材料", style="1") + table(
        pair_rows(("项目名称", "田埂上的直播间")), columns=2
    )
    assert read(body + SECTIONS).title == "田埂上的直播间"


# -- hidden text and values written as "none" -------------------------------------------------------------------


def test_hidden_text_is_not_read():
    hidden = "<w:r><w:rPr><w:vanish/></w:rPr><w:t>农垦传媒集团</w:t></w:r>"
    body = table(
        row(cell("案例名称"), cell(para("田埂上的直播间"))),
        row(cell("申报单位"), cell(para(hidden, "中国农垦报社"))),
        columns=2,
    )
    assert read(body + SECTIONS).unit == "中国农垦报社"


@pytest.mark.parametrize("written", ["无", "/", "—"])
def test_an_implementer_written_as_none_is_empty(written):
    body = table(pair_rows(("案例名称", "田埂上的直播间"), ("实施单位", written)), columns=2)
    assert read(body + SECTIONS).implementer == ""


def test_english_without_a_separator_and_english_values_stay_whole():
    body = para("Name of Project 项目名称: 田埂上的直播间") + para("申报主体 Applicant: Harvest Media Group")
    body += para("报送单位：Harvest Media Group  联系人：周航") + para("投用时间…2022年1月")
    submission = read(body + SECTIONS)
    assert (submission.title, submission.unit, submission.launch_date) == (
        "田埂上的直播间",
        "Harvest Media Group",
        "2022-01",
    )
    assert submission.contact.name == "周航"


def test_a_category_number_named_in_a_sentence():
    body = para("本案例所属类别为第六类。") + table(pair_rows(("案例名称", "田埂上的直播间")), columns=2)
    assert read(body + SECTIONS).declared_category == 6


# -- picture-only forms ------------------------------------------------------------------------------------------

SERIF_CJK = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"


def table_scan(rows: list[tuple[str, str]]) -> bytes:
    """A form drawn as a ruled table on an A4 page at 150 dpi, turned by a degree, blurred, speckled and saved
    as a JPEG, like a scan."""
    font, big = ImageFont.truetype(SERIF_CJK, 24), ImageFont.truetype(SERIF_CJK, 30)
    image = Image.new("L", (1240, 1754), 250)
    draw = ImageDraw.Draw(image)
    draw.text((230, 90), "2026年中国行业媒体高质量发展创新案例申报表", font=big, fill=20)
    top = 180
    for label, value in rows:
        draw.rectangle([90, top, 1150, top + 64], outline=30, width=2)
        draw.line([360, top, 360, top + 64], fill=30, width=2)
        draw.text((110, top + 16), label, font=font, fill=25)
        draw.text((380, top + 16), value, font=font, fill=25)
        top += 64
    draw.text((700, top + 100), "申报单位（盖章）", font=font, fill=25)
    draw.text((740, top + 150), "2026年1月12日", font=font, fill=25)
    image = image.rotate(1.0, fillcolor=245).filter(ImageFilter.GaussianBlur(0.5))
    pixels, rng = image.load(), random.Random(5)
    for _ in range(12000):
        pixels[rng.randrange(1240), rng.randrange(1754)] = rng.randrange(120, 255)
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=70)
    return buffer.getvalue()


def test_a_scanned_table_form_is_read_by_the_bundled_ocr():
    rows = [
        ("项目名称", "“云上粮仓”智慧服务平台"),
        ("报送单位", "禾丰粮食报刊社"),
        ("承建单位", "禾丰数字科技有限公司"),
        ("投用时间", "2023年8月"),
        ("案例简介", "平台把粮库收储和天气信息做成面向农户的服务。"),
    ]
    data = build_docx(para(picture()), with_image=True, image=table_scan(rows))
    submission = extract_bytes(data, "扫描件.docx", Settings())
    assert submission.from_scan
    assert (submission.title, submission.unit, submission.implementer, submission.launch_date) == (
        "“云上粮仓”智慧服务平台",
        "禾丰粮食报刊社",
        "禾丰数字科技有限公司",
        "2023-08",
    )


def test_in_a_scan_the_one_option_without_its_empty_box_is_the_ticked_one():
    def reader(_image: bytes) -> list[str]:  # what the OCR reads of ☑: nothing; of □: 口
        return [
            "项目名称",
            "云上粮仓",
            "报送单位",
            "禾丰粮食报刊社",
            "申报类别",
            "口内容供给创新类运营服务创新类口体制机制创新类",
        ]

    data = build_docx(para(picture()), with_image=True)
    assert extract_bytes(data, "扫描件.docx", Settings(), image_reader=reader).declared_category == 3
    typed = table(
        pair_rows(("案例名称", "云上粮仓"), ("申报类别", "□内容供给创新类 运营服务创新类 □体制机制创新类"))
    )
    assert read(typed + SECTIONS).declared_category is None  # typed by hand: not a dropped tick


# -- formatting that carries meaning ------------------------------------------------------------------------------


def styled(text: str, properties: str) -> str:
    return f'<w:r><w:rPr>{properties}</w:rPr><w:t xml:space="preserve">{text}</w:t></w:r>'


def options_cell(chosen: str, other: str) -> str:
    names = ["内容供给创新类", "运营服务创新类", "数智技术应用类", "国际传播能力建设类"]
    runs = [styled(name, chosen) if name == "数智技术应用类" else styled(name, other) for name in names]
    return para(*(item for name in runs for item in (name, run("  "))))


@pytest.mark.parametrize(
    ("chosen", "other"),
    [
        ("", "<w:strike/>"),  # the others struck through (请删除不适用的类别)
        ('<w:highlight w:val="yellow"/>', ""),
        ('<w:color w:val="FF0000"/><w:b/>', ""),
        ('<w:shd w:val="clear" w:fill="D9D9D9"/>', ""),
    ],
)
def test_the_category_chosen_by_formatting_alone(chosen, other):
    body = table(
        row(cell("项目名称"), cell("田埂上的直播间")),
        row(cell("申报类型"), cell(options_cell(chosen, other))),
        columns=2,
    )
    assert read(body + SECTIONS).declared_category == 4


def test_formatting_on_every_option_or_on_none_chooses_nothing():
    for chosen, other in (("<w:b/>", "<w:b/>"), ("", "")):
        body = table(row(cell("申报类型"), cell(options_cell(chosen, other))), columns=2)
        body += table(pair_rows(("项目名称", "田埂上的直播间")), columns=2)
        assert read(body + SECTIONS).declared_category is None


def test_struck_through_text_is_not_read():
    body = table(
        row(cell("项目名称"), cell(para("田埂上的直播间"))),
        row(cell("报送单位"), cell(para(styled("农垦传媒集团", "<w:dstrike/>"), run("中国农垦报社")))),
        columns=2,
    )
    assert read(body + SECTIONS).unit == "中国农垦报社"


def test_a_bold_label_typed_straight_before_its_value():
    body = para(styled("项目名称", "<w:b/>"), run("田埂上的直播间"))
    body += para(styled("报送单位", "<w:b/>"), run("中国农垦报社"))
    body += para(styled("投用时间", "<w:b/>"), run("2022年8月"))
    assert fields(read(body + SECTIONS)) == ("田埂上的直播间", "中国农垦报社", "", None, "2022-08")


def test_a_bold_compound_label_and_a_bold_lead_in_stay_whole():
    body = table(
        row(cell("项目名称"), cell("田埂上的直播间")),
        row(cell(para(styled("申报单位地址", "<w:b/>"))), cell("北京市东城区")),
        row(cell("报送单位"), cell("中国农垦报社")),
        columns=2,
    )
    lead = para(styled("一是蹲点采访。", "<w:b/>"), run("记者驻村三个月。"))
    submission = read(body + para("一、主要做法") + lead)
    assert submission.unit == "中国农垦报社"
    assert submission.sections["主要做法"] == "一是蹲点采访。记者驻村三个月。"


# -- values with notes, stacked cells, opinion blocks, values in text boxes -------------------------------------


@pytest.mark.parametrize(
    "note", ["（统一社会信用代码：12100000400099999Q）", "（机构代码：400099999）", "（盖章）", "(全称)"]
)
def test_a_note_after_the_unit_in_brackets_is_not_part_of_it(note):
    body = para("项目名称：田埂上的直播间") + para(f"报送单位：中国农垦报社{note}") + SECTIONS
    assert read(body).unit == "中国农垦报社"


def test_cells_with_the_label_above_the_value():
    stacked = [
        cell(para(styled(label, "<w:b/>")), para(value))
        for label, value in (
            ("项目名称", "田埂上的直播间"),
            ("报送单位", "中国农垦报社"),
            ("承建单位", "农垦云科技有限公司"),
            ("投用时间", "2017年"),
        )
    ]
    body = table(row(stacked[0], stacked[1]), row(stacked[2], stacked[3]), columns=2)
    assert fields(read(body + SECTIONS)) == (
        "田埂上的直播间",
        "中国农垦报社",
        "农垦云科技有限公司",
        None,
        "2017",
    )


def test_an_opinion_block_naming_another_unit_between_fields_and_narrative():
    body = table(
        pair_rows(("项目名称", "田埂上的直播间"), ("报送单位", "中国农垦报社")),
        row(cell("推荐单位意见"), cell("同意推荐。", "农垦传媒集团（盖章）", "2026年1月15日")),
        row(cell("报送单位意见"), cell("情况属实。", "单位（盖章）")),
        columns=2,
    )
    submission = read(body + SECTIONS)
    assert (submission.unit, submission.launch_date) == ("中国农垦报社", None)
    assert submission.sections["案例简介"] == NARRATIVE


def test_values_in_text_boxes_anchored_in_their_label_paragraphs():

    body = para("项目名称：", text_box("田埂上的直播间")) + para("报送单位：", text_box("中国农垦报社"))
    body += para("投用时间：", text_box("二〇一九年三月"))
    assert fields(read(body + SECTIONS)) == ("田埂上的直播间", "中国农垦报社", "", None, "2019-03")


# -- the same layouts left unfilled ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "form",
    [
        table(
            cells_row("项目名称", "主体信息", "投用时间", span={1: 2}, vmerge={0: "restart", 2: "restart"}),
            cells_row("", "申报单位", "承建单位", "", vmerge={0: "continue", 3: "continue"}),
            cells_row("", "", "", ""),
            columns=4,
        ),
        table(
            cells_row("单位类型", "单位全称", "统一社会信用代码"), cells_row("申报单位", "", ""), columns=3
        ),
        para("项目名称\u3000\u3000\u3000\u3000报送单位\u3000\u3000\u3000\u3000")
        + para("投用时间 ____年__月"),
    ],
)
def test_unfilled_forms_of_these_layouts_are_blank_templates(form):
    body = form + para("一、案例简介") + para("（请简要介绍，不超过300字）")
    assert refused(body, headers=(para("单位（盖章）"),)).code == "blank_template"


def test_values_with_their_labels_in_the_column_on_the_right():
    body = table(
        pair_rows(
            ("田埂上的直播间", "项目名称"),
            ("中国农垦报社", "报送单位"),
            ("2016年", "投用时间"),
            ("☑内容供给创新类 □运营服务创新类", "申报类型"),
        ),
        columns=2,
    )
    assert fields(read(body + SECTIONS)) == ("田埂上的直播间", "中国农垦报社", "", 2, "2016")


# -- a planned launch under a label that says so ---------------------------------------------------------------


@pytest.mark.parametrize("label", ["计划上线时间", "预计投用日期", "平台拟上线时间"])
def test_a_planned_launch_label_with_the_status_ticked_beside_it(label):
    body = table(
        pair_rows(
            ("项目名称", "田埂上的直播间"),
            ("运行状态", "☑在建 □试运行 □正式运营"),
            (label, "2026年9月"),
        ),
        columns=2,
    )
    submission = read(body + SECTIONS)
    assert (submission.launch_date, submission.launch_status, submission.status) == (
        "2026-09",
        "在建",
        "在建",
    )
    findings = [f for f in check_submission(submission, Settings()) if f.code == "not_online"]
    assert [f.severity for f in findings] == ["blocker"]
