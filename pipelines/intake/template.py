"""Our own clean 申报表 for the call year in the settings, blank or filled from a ``Submission``.

The form is one table on A4: basic fields, the six categories as Word checkbox controls (``w14:checkbox``,
clickable in Word, shown as ☐/☒ in WPS), the five narrative sections with their word limits in the labels
(``pipelines.vocabulary.FORM_SECTIONS``), attachments and the applicant's opinion. Every field it writes is read back exactly by ``pipelines.intake.extract``
(tested by a round trip). East Asian text is set in 仿宋 (body) and 宋体 (title) through ``w:eastAsia``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import docx
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import _Cell

from pipelines.config import Settings, get_settings
from pipelines.schema import Submission
from pipelines.vocabulary import CATEGORY_NAMES, FORM_SECTIONS, STATUS_OPTIONS, form_title

OPINION_LABEL = "申报单位意见（主要负责人签字、盖章）"
BODY_FONT = "仿宋"
TITLE_FONT = "宋体"
COLUMN_WIDTHS = (Cm(3.2), Cm(5.0), Cm(3.0), Cm(4.8))
W14_NS = "http://schemas.microsoft.com/office/word/2010/wordml"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _east_asian_font(element: object, name: str) -> None:
    """Set the East Asian font on a style or run (python-docx only sets the Latin ones)."""
    properties = element.get_or_add_rPr()  # type: ignore[attr-defined]
    fonts = properties.get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)


def _previous_label(call_year: int) -> str:
    years = f"{call_year - 2}、{call_year - 1}"
    return f"往年申报情况（{years}年是否申报过本案例：写明年份、案例名称和结果；未申报填“无”）"


def _attachments_label(settings: Settings) -> str:
    return f"附件清单（每行一个文件名；附件可为 {'、'.join(settings.allowed_attachment_types)} 格式）"


def notes(settings: Settings) -> tuple[str, ...]:
    """The 填表说明 printed under the form, with the call's deadline from the settings."""
    year, month, day = (int(part) for part in settings.online_deadline.split("-"))
    return (
        "填表说明：",
        "1. 本表须以 Word 文档（.docx）格式提交，请勿转换为 PDF 或图片。",
        "2. 申报类别限选一项，点击方框即可勾选。",
        f"3. 申报案例须于{year}年{month}月{day}日前完成上线并正常运营；申报单位须与案例实施单位一致。",
    )


def _setup(document: docx.document.Document) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin = section.bottom_margin = Cm(2.2)
    normal = document.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(12)
    _east_asian_font(normal.element, BODY_FONT)


def _checkbox(checked: bool) -> object:
    """A Word 2010 checkbox content control, ☒ when ticked and ☐ when not."""
    glyph = "☒" if checked else "☐"
    return parse_xml(
        f'<w:sdt xmlns:w="{W_NS}" xmlns:w14="{W14_NS}"><w:sdtPr><w14:checkbox>'
        f'<w14:checked w14:val="{1 if checked else 0}"/>'
        '<w14:checkedState w14:val="2612" w14:font="MS Gothic"/>'
        '<w14:uncheckedState w14:val="2610" w14:font="MS Gothic"/></w14:checkbox></w:sdtPr>'
        '<w:sdtContent><w:r><w:rPr><w:rFonts w:ascii="MS Gothic" w:eastAsia="MS Gothic" w:hAnsi="MS Gothic"/>'
        f"</w:rPr><w:t>{glyph}</w:t></w:r></w:sdtContent></w:sdt>"
    )


def _options(cell: _Cell, options: list[str], ticked: set[str], per_line: int) -> None:
    """Tick-box options, ``per_line`` to a paragraph: ☐ 选项一   ☐ 选项二 …"""
    paragraph = cell.paragraphs[0]
    for index, option in enumerate(options):
        if index and index % per_line == 0:
            paragraph = cell.add_paragraph()
        elif index:
            paragraph.add_run("   ")
        paragraph._p.append(_checkbox(option in ticked))
        paragraph.add_run(option)


def _write_lines(cell: _Cell, text: str, bold: bool = False) -> None:
    lines = text.split("\n") if text else [""]
    for index, line in enumerate(lines):
        paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
        run = paragraph.add_run(line)
        run.bold = bold


def _shade(cell: _Cell) -> None:
    properties = cell._tc.get_or_add_tcPr()
    properties.append(parse_xml(f'<w:shd xmlns:w="{W_NS}" w:val="clear" w:color="auto" w:fill="EDEDED"/>'))


def _label(cell: _Cell, text: str) -> None:
    _write_lines(cell, text, bold=True)
    _shade(cell)


class _FormTable:
    """The one table of the form, four grid columns wide."""

    def __init__(self, document: docx.document.Document) -> None:
        self.table = document.add_table(rows=0, cols=4)
        self.table.style = "Table Grid"
        self.table.alignment = WD_TABLE_ALIGNMENT.CENTER

    def row(self) -> list[_Cell]:
        cells = self.table.add_row().cells
        for cell, width in zip(cells, COLUMN_WIDTHS, strict=True):
            cell.width = width
        return list(cells)

    def pair(self, label: str, value: str) -> _Cell:
        cells = self.row()
        _label(cells[0], label)
        merged = cells[1].merge(cells[3])
        _write_lines(merged, value)
        return merged

    def two_pairs(self, left: tuple[str, str], right: tuple[str, str]) -> list[_Cell]:
        cells = self.row()
        _label(cells[0], left[0])
        _write_lines(cells[1], left[1])
        _label(cells[2], right[0])
        _write_lines(cells[3], right[1])
        return cells

    def section(self, label: str, text: str, min_height: Cm) -> None:
        heading = self.row()
        merged = heading[0].merge(heading[3])
        _label(merged, label)
        body = self.row()
        merged = body[0].merge(body[3])
        _write_lines(merged, text)
        body_row = self.table.rows[-1]
        body_row.height = min_height


def _ticked_categories(values: Submission | None) -> set[str]:
    if values is None:
        return set()
    ids = values.declared_categories or ([values.declared_category] if values.declared_category else [])
    return {CATEGORY_NAMES[i] for i in ids if i in CATEGORY_NAMES}


def _previous_text(values: Submission | None) -> str:
    if values is None:
        return ""
    if not values.previous_applications:
        return "无"
    lines = []
    for item in values.previous_applications:
        title = f"《{item.title}》" if item.title else ""
        result = f"，结果：{item.result}" if item.result else ""
        lines.append(f"{item.year}年申报{title}{result}")
    return "\n".join(lines)


def _basic_rows(form: _FormTable, values: Submission | None, call_year: int) -> None:
    v = values or Submission(file_name="")
    form.pair("案例名称", v.title)
    form.pair("申报单位（全称）", v.unit)
    form.pair("实施单位", v.implementer)
    category = form.pair("申报类别（限选一项）", "")
    _options(category, list(CATEGORY_NAMES.values()), _ticked_categories(values), per_line=3)
    cells = form.two_pairs(("上线时间", v.launch_raw or (v.launch_date or "")), ("运行状态", ""))
    if v.status and v.status not in STATUS_OPTIONS:
        _write_lines(cells[3], v.status)
    else:
        _options(cells[3], list(STATUS_OPTIONS), {v.status}, per_line=2)
    form.pair(_previous_label(call_year), _previous_text(values))
    form.two_pairs(("联系人", v.contact.name), ("联系电话", v.contact.phone))
    form.pair("电子邮箱", v.contact.email)


def write_template(path: Path, values: Submission | None = None, settings: Settings | None = None) -> None:
    """Write the 申报表 of the call year in the settings, blank or filled.

    Args:
        path: the .docx to write.
        values: a submission whose fields fill the form (sections beyond the five standard ones are added
            after them under their own labels); None writes the blank form.
        settings: the call year, deadline and attachment types; defaults to ``get_settings()``.
    """
    settings = settings or get_settings()
    document = docx.Document()
    _setup(document)
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(form_title(settings.call_year))
    run.bold = True
    run.font.size = Pt(18)
    run.font.name = TITLE_FONT
    _east_asian_font(run._r, TITLE_FONT)
    form = _FormTable(document)
    _basic_rows(form, values, settings.call_year)
    sections = dict(values.sections) if values is not None else {}
    for section in FORM_SECTIONS:
        form.section(section.label, sections.pop(section.name, ""), Cm(5))
    for label, text in sections.items():
        form.section(label, text, Cm(3))
    form.pair(_attachments_label(settings), "\n".join(values.attachments) if values is not None else "")
    opinion = form.pair(OPINION_LABEL, "")
    _write_lines(opinion, "\n\n主要负责人签字：\n\n（盖章）\n年    月    日")
    form.table.rows[-1].height = Cm(4)
    for line in notes(settings):
        document.add_paragraph(line)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))


def _cli_template(args: argparse.Namespace) -> int:
    write_template(args.out)
    print(f"已生成申报表模板：{args.out}")
    return 0


def add_cli(subparsers: argparse._SubParsersAction) -> None:
    """Register ``template OUT.docx``."""
    parser = subparsers.add_parser("template", help="生成本年度申报表（.docx）模板（年度与截止日期取自设置）")
    parser.add_argument("out", type=Path, metavar="OUT.docx", help="输出文件")
    parser.set_defaults(func=_cli_template)
