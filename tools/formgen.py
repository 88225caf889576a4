"""Realistic 申报表 (.docx) files in varied layouts, and bad files, for the sample data, tests and benchmarks.

Real units bend the Word template in many ways; each layout here writes the WordprocessingML that Word or
WPS writes for one of those ways (merged cells, content controls, legacy form fields, tracked changes, text
boxes, nested tables, free-form documents). The package is assembled by hand, so the XML is exactly what
the layout says and the files are byte-for-byte reproducible.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from pipelines.config import SAMPLE_DIR, get_settings
from pipelines.vocabulary import CATEGORY_NAMES, SECTION_LIMITS, form_title

DEFAULT_CASES = SAMPLE_DIR / "submissions_2026.jsonl"
DEFAULT_OUT = SAMPLE_DIR / "forms_2026"

NUMERALS = "一二三四五六七八九"
PLACEHOLDER_TEXT = "单击或点击此处输入文字。"
ZIP_TIME = (2026, 3, 10, 9, 30, 0)

# ---------------------------------------------------------------------------------------------------------
# Case -> form data
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Form:
    """The values a layout prints, derived once from a case dict."""

    title: str
    unit: str
    implementer: str
    categories: tuple[int, ...]
    launch: str
    status: str
    contact: dict[str, str]
    previous: tuple[tuple[str, str, str], ...]  # (year, title, result)
    sections: tuple[tuple[str, tuple[str, ...]], ...]
    attachments: tuple[str, ...]

    @property
    def previous_lines(self) -> tuple[str, ...]:
        return tuple(f"{year}年申报《{title}》，{result}" for year, title, result in self.previous)

    @property
    def previous_text(self) -> str:
        return "；".join(self.previous_lines) or "无"

    @property
    def category_names(self) -> str:
        return "、".join(CATEGORY_NAMES[n] for n in self.categories)


def _form(case: dict) -> _Form:
    previous = tuple((str(p["year"]), p["title"], p["result"]) for p in case.get("previous") or [])
    texts = case.get("sections") or {}
    sections = tuple((name, _paragraphs(texts.get(name, ""))) for name in SECTION_LIMITS)
    return _Form(
        title=case["title"],
        unit=case["unit"],
        implementer=case.get("implementer") or case["unit"],
        categories=tuple(case.get("declared_categories") or ()),
        launch=case.get("launch_text", ""),
        status=case.get("status", ""),
        contact={k: (case.get("contact") or {}).get(k, "") for k in ("name", "phone", "email")},
        previous=previous,
        sections=sections,
        attachments=tuple(case.get("attachments") or ()),
    )


def _paragraphs(text: str) -> tuple[str, ...]:
    """Split a section into paragraphs: on newlines, else a long text once at the sentence end nearest its middle."""
    if "\n" in text:
        return tuple(p.strip() for p in text.split("\n") if p.strip())
    ends = [m.end() for m in re.finditer("。", text[:-1])]
    if len(text) < 200 or not ends:
        return (text,)
    cut = min(ends, key=lambda e: abs(e - len(text) // 2))
    return (text[:cut], text[cut:])


def _category_line(categories: Sequence[int], on: str = "☑", off: str = "□", sep: str = "  ") -> str:
    return sep.join(f"{on if n in categories else off}{name}" for n, name in CATEGORY_NAMES.items())


# ---------------------------------------------------------------------------------------------------------
# WordprocessingML builders (strings, in the element order the schema requires)
# ---------------------------------------------------------------------------------------------------------


def _text(text: str, tag: str = "w:t") -> str:
    """Text XML for one run: line breaks become ``w:br`` and tabs ``w:tab``."""
    lines = ("<w:tab/>".join(_t(piece, tag) for piece in line.split("\t")) for line in text.split("\n"))
    return "<w:br/>".join(lines)


def _t(text: str, tag: str) -> str:
    return f'<{tag} xml:space="preserve">{escape(text)}</{tag}>' if text else ""


def _rpr(font: str = "", bold: bool = False, size: int = 0, color: str = "", underline: bool = False) -> str:
    inner = (
        f'<w:rFonts w:ascii="{font}" w:eastAsia="{font}" w:hAnsi="{font}" w:hint="eastAsia"/>' if font else ""
    )
    inner += "<w:b/><w:bCs/>" if bold else ""
    inner += f'<w:color w:val="{color}"/>' if color else ""
    inner += f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>' if size else ""
    inner += '<w:u w:val="single"/>' if underline else ""
    return f"<w:rPr>{inner}</w:rPr>" if inner else ""


def _r(text: str, rsid: str = "", **fmt: object) -> str:
    attr = f' w:rsidR="{rsid}"' if rsid else ""
    return f"<w:r{attr}>{_rpr(**fmt)}{_text(text)}</w:r>"


def _p(runs: str = "", style: str = "", jc: str = "", indent: bool = False, mark: str = "") -> str:
    """A paragraph; ``mark`` is the paragraph mark's run properties (WPS writes them everywhere)."""
    ppr = f'<w:pStyle w:val="{style}"/>' if style else ""
    ppr += '<w:ind w:firstLineChars="200" w:firstLine="560"/>' if indent else ""
    ppr += f'<w:jc w:val="{jc}"/>' if jc else ""
    ppr += f"<w:rPr>{mark}</w:rPr>" if mark else ""
    return f"<w:p>{f'<w:pPr>{ppr}</w:pPr>' if ppr else ''}{runs}</w:p>"


def _para(text: str, **kwargs: object) -> str:
    fmt = {k: kwargs.pop(k) for k in ("font", "bold", "size", "color", "underline") if k in kwargs}
    return _p(_r(text, **fmt), **kwargs)


def _paras(texts: Iterable[str], **kwargs: object) -> str:
    return "".join(_para(t, **kwargs) for t in texts)


PAGE_BREAK = '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'


@dataclass(frozen=True)
class _Cell:
    """One table cell: its content XML and the tcPr features a layout asks for."""

    content: str = ""
    span: int = 1
    vmerge: str = ""  # raw XML, e.g. '<w:vMerge w:val="restart"/>'
    vertical: bool = False
    center: bool = True
    sdt: str = ""  # sdtPr XML: wrap the whole cell in a cell-level content control


def _tc(cell: _Cell, width: int) -> str:
    pr = f'<w:tcW w:w="{width}" w:type="dxa"/>'
    pr += f'<w:gridSpan w:val="{cell.span}"/>' if cell.span > 1 else ""
    pr += cell.vmerge
    pr += '<w:textDirection w:val="tbRlV"/>' if cell.vertical else ""
    pr += '<w:vAlign w:val="center"/>' if cell.center else ""
    xml = f"<w:tc><w:tcPr>{pr}</w:tcPr>{cell.content or '<w:p/>'}</w:tc>"
    return _sdt(cell.sdt, xml) if cell.sdt else xml


def _tr(grid: Sequence[int], cells: Sequence[_Cell], height: int = 0) -> str:
    col = 0
    tcs = []
    for cell in cells:
        tcs.append(_tc(cell, sum(grid[col : col + cell.span])))
        col += cell.span
    if col != len(grid):
        raise ValueError(f"row spans {col} grid columns, the table has {len(grid)}")
    trpr = f'<w:trPr><w:trHeight w:val="{height}"/></w:trPr>' if height else ""
    return f"<w:tr>{trpr}{''.join(tcs)}</w:tr>"


_BORDERS = "".join(
    f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="auto"/>'
    for side in ("top", "left", "bottom", "right", "insideH", "insideV")
)


def _tbl(grid: Sequence[int], rows: Iterable[str], nested: bool = False) -> str:
    jc = "" if nested else '<w:jc w:val="center"/>'
    pr = (
        f'<w:tblStyle w:val="a4"/><w:tblW w:w="{sum(grid)}" w:type="dxa"/>{jc}<w:tblBorders>{_BORDERS}'
        '</w:tblBorders><w:tblLayout w:type="fixed"/><w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" '
        'w:firstColumn="1" w:lastColumn="0" w:noHBand="0" w:noVBand="1"/>'
    )
    cols = "".join(f'<w:gridCol w:w="{w}"/>' for w in grid)
    return f"<w:tbl><w:tblPr>{pr}</w:tblPr><w:tblGrid>{cols}</w:tblGrid>{''.join(rows)}</w:tbl>"


def _label(text: str, font: str = "黑体") -> str:
    """Label cell content: first line bold, later lines (hints such as （300字以内）) plain."""
    head, *hints = text.split("\n")
    return _para(head, jc="center", font=font, bold=True) + _paras(hints, jc="center", size=18)


def _sdt(sdtpr: str, content: str) -> str:
    return f"<w:sdt><w:sdtPr>{sdtpr}</w:sdtPr><w:sdtEndPr/><w:sdtContent>{content}</w:sdtContent></w:sdt>"


def _heading_block(doc_title: str = "") -> str:
    doc_title = doc_title or form_title(get_settings().call_year)
    return (
        _para("附件2", font="黑体", size=32)
        + _para(doc_title, jc="center", font="方正小标宋简体", size=36)
        + _p()
    )


def _signature(font: str = "") -> str:
    return _para("（单位盖章）\n负责人签字：\n2026年    月    日", jc="right", font=font)


def _attachment_lines(form: _Form) -> list[str]:
    return [f"{i}. {name}" for i, name in enumerate(form.attachments, start=1)] or ["无"]


def _hint(name: str, template: str = "（{n}字以内）") -> str:
    return template.format(n=SECTION_LIMITS[name])


# ---------------------------------------------------------------------------------------------------------
# Layouts: each returns the body XML (without sectPr) for one form
# ---------------------------------------------------------------------------------------------------------


def _fragmented(text: str) -> str:
    """A value as Word leaves it after editing: split runs with rsids, proofing marks and the _GoBack bookmark."""
    a, b = len(text) // 3, 2 * len(text) // 3
    return (
        _r(text[:a], rsid="00C61F2A")
        + '<w:proofErr w:type="gramStart"/>'
        + _r(text[a:b], rsid="00D4A7B1")
        + '<w:proofErr w:type="gramEnd"/><w:bookmarkStart w:id="0" w:name="_GoBack"/><w:bookmarkEnd w:id="0"/>'
        + _r(text[b:], rsid="00C61F2A")
    )


MAIL_RID = "rIdMail"


def _mail_link(email: str) -> str:
    """An e-mail address as Word's AutoFormat leaves it: a hyperlink to an external mailto: relationship."""
    run = f'<w:r><w:rPr><w:rStyle w:val="a6"/></w:rPr>{_text(email)}</w:r>'
    return f'<w:hyperlink r:id="{MAIL_RID}" w:history="1">{run}</w:hyperlink>' if email else ""


def _mail_field(email: str) -> str:
    """An e-mail address as a HYPERLINK field; the field instruction is not part of the value."""
    return (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve"> HYPERLINK "mailto:{escape(email)}" </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        f'<w:r><w:rPr><w:rStyle w:val="a6"/></w:rPr>{_text(email)}</w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def _layout_classic_table(form: _Form) -> str:
    grid = (2200, 6800)

    def row(label: str, value: str) -> str:
        return _tr(grid, [_Cell(_label(label)), _Cell(value)], height=567)

    rows = [
        row("案例名称", _p(_fragmented(form.title))),
        row("申报单位\n（全称）", _para(form.unit)),
        row("实施主体", _para(form.implementer)),
        row("申报类别\n（单选）", _para(_category_line(form.categories))),
        row("上线时间", _para(form.launch)),
        row("运营状态", _para(form.status)),
        row("联系人", _para(form.contact["name"])),
        row("联系电话", _para(form.contact["phone"])),
        row("电子邮箱", _p(_mail_link(form.contact["email"]))),
        row("往届申报情况", _paras(form.previous_lines or ("无",))),
        *(row(f"{name}\n{_hint(name)}", _paras(texts, indent=True)) for name, texts in form.sections),
        row("附件清单", _paras(_attachment_lines(form))),
        row("申报单位意见", _signature()),
    ]
    return _heading_block() + _tbl(grid, rows) + _p()


def _previous_rows(form: _Form, grid: Sequence[int]) -> list[str]:
    """往届申报情况 as a sub-table: label merged down, 年份 | 案例名称 (3 columns) | 结果."""
    if not form.previous:
        return [_tr(grid, [_Cell(_label("往届申报情况")), _Cell(_para("无"), span=5)])]
    head = [
        _Cell(_para("年份", jc="center")),
        _Cell(_para("案例名称", jc="center"), span=3),
        _Cell(_para("结果")),
    ]
    rows = [_tr(grid, [_Cell(_label("往届申报情况"), vmerge='<w:vMerge w:val="restart"/>'), *head])]
    for year, title, result in form.previous:
        cells = [_Cell(_para(year)), _Cell(_para(title), span=3), _Cell(_para(result))]
        rows.append(_tr(grid, [_Cell(vmerge="<w:vMerge/>"), *cells]))
    return rows


def _layout_grid_span(form: _Form) -> str:
    grid = (1500, 1700, 1350, 1450, 1700, 1300)

    def pair(label: str, value: str, label2: str, value2: str) -> str:
        cells = [_Cell(_label(label)), _Cell(value, span=2), _Cell(_label(label2)), _Cell(value2, span=2)]
        return _tr(grid, cells, height=600)

    def wide(label: str, content: str) -> str:
        return _tr(grid, [_Cell(_label(label)), _Cell(content, span=5)], height=600)

    cats = _category_line(form.categories, on="■", sep="    ")
    rows = [
        wide("案例名称", _para(form.title)),
        pair("申报单位（全称）", _para(form.unit), "联系人", _para(form.contact["name"])),
        pair("实施主体", _para(form.implementer), "联系电话", _para(form.contact["phone"])),
        pair("上线时间", _para(form.launch), "电子邮箱", _p(_mail_field(form.contact["email"]))),
        wide("运营状态", _para(form.status)),
        wide("申报类别", _para(cats)),
        *_previous_rows(form, grid),
        *(wide(f"{name}\n{_hint(name)}", _paras(texts, indent=True)) for name, texts in form.sections),
        wide("附件清单", _paras(_attachment_lines(form))),
        wide("申报单位\n意见", _signature()),
    ]
    return _heading_block() + _tbl(grid, rows) + _p()


@dataclass(frozen=True)
class _MergeStyle:
    """How an editor writes a vertically merged cell."""

    restart: str
    cont: str
    empty: str  # content of a continuation cell
    mark: str  # paragraph-mark run properties on every paragraph
    vertical: bool  # group label rotated rather than broken into lines
    tick: str
    hint: str


_WORD_MERGE = _MergeStyle(
    '<w:vMerge w:val="restart"/>', "<w:vMerge/>", "<w:p/>", "", False, "☑", "（{n}字以内）"
)
_WPS_MERGE = _MergeStyle(
    '<w:vMerge w:val="restart"/>',
    '<w:vMerge w:val="continue"/>',
    '<w:p><w:pPr><w:jc w:val="center"/><w:rPr><w:rFonts w:hint="eastAsia"/></w:rPr></w:pPr></w:p>',
    '<w:rFonts w:hint="eastAsia"/>',
    True,
    "√",
    "（限{n}字）",
)


def _group_rows(
    grid: Sequence[int], group: str, items: Sequence[tuple[str, str]], style: _MergeStyle
) -> list[str]:
    label = group if style.vertical else "\n".join(group[i : i + 2] for i in range(0, len(group), 2))
    rows = []
    for index, (sub, value) in enumerate(items):
        if index == 0:
            first = _Cell(_label(label), vmerge=style.restart, vertical=style.vertical)
        else:
            first = _Cell(style.empty, vmerge=style.cont)
        rows.append(_tr(grid, [first, _Cell(_label(sub)), _Cell(value)], height=560))
    return rows


def _vmerge_table(form: _Form, style: _MergeStyle) -> str:
    grid = (900, 1700, 6400)
    mark = style.mark

    def val(text: str) -> str:
        return _p(_r(text), mark=mark)

    cats = "".join(
        val(f"{style.tick if n in form.categories else '□'} {name}") for n, name in CATEGORY_NAMES.items()
    )
    basic = [
        ("案例名称", val(form.title)),
        ("申报单位", val(form.unit)),
        ("实施主体", val(form.implementer)),
        ("申报类别", cats),
        ("上线时间", val(form.launch)),
        ("运营状态", val(form.status)),
    ]
    contact = [
        ("姓名", val(form.contact["name"])),
        ("电话", val(form.contact["phone"])),
        ("邮箱", val(form.contact["email"])),
    ]
    content = [
        (f"{name}\n{_hint(name, style.hint)}", "".join(_p(_r(t), indent=True, mark=mark) for t in texts))
        for name, texts in form.sections
    ]
    tail = [("往届申报情况", form.previous_text), ("附件清单", "；".join(form.attachments) or "无")]
    rows = [
        *_group_rows(grid, "基本信息", basic, style),
        *_group_rows(grid, "联系方式", contact, style),
        *_group_rows(grid, "案例内容", content, style),
        *(_tr(grid, [_Cell(_label(label), span=2), _Cell(val(text))], height=560) for label, text in tail),
        _tr(grid, [_Cell(_label("申报单位意见"), span=2), _Cell(_signature())], height=1400),
    ]
    return _heading_block() + _tbl(grid, rows) + _p(mark=mark)


def _layout_vmerge_group(form: _Form) -> str:
    return _vmerge_table(form, _WORD_MERGE)


def _layout_vmerge_wps(form: _Form) -> str:
    return _vmerge_table(form, _WPS_MERGE)


def _stacked(label: str, breaks: bool) -> str:
    """A label written top-down: one character per paragraph, or per line break in one paragraph."""
    if breaks:
        return _para("\n".join(label), jc="center", font="黑体")
    return _paras(label, jc="center", font="黑体")


def _layout_vertical_labels(form: _Form) -> str:
    grid = (1100, 7900)
    grey = {"color": "808080", "size": 18}

    def row(label_xml: str, value: str, height: int = 700) -> str:
        return _tr(grid, [_Cell(label_xml), _Cell(value)], height=height)

    spaced = "\u3000".join
    contact = f"{form.contact['name']}　电话：{form.contact['phone']}　邮箱：{form.contact['email']}"
    rows = [
        row(_stacked("项目名称", breaks=False), _para("　　" + form.title + " ")),
        row(_label("申 报 主 体"), _para("（请填写全称）", **grey) + _para(form.unit)),
        row(_label(spaced("运营单位")), _para(form.implementer)),
        row(_stacked("申报类型", breaks=True), _para(_category_line(form.categories, off="☐"))),
        row(_label("投入运营时间"), _para(form.launch)),
        row(_label("运行情况"), _para(form.status)),
        row(_label("联 系 人"), _para(contact)),
        row(_label("往届申报"), _para(form.previous_text)),
    ]
    for index, (name, texts) in enumerate(form.sections):
        value = _para(f"不超过{SECTION_LIMITS[name]}字", **grey) + _paras(texts, indent=True)
        rows.append(row(_stacked(name, breaks=index % 2 == 1), value, height=2000))
    rows.append(row(_stacked("附件", breaks=False), _paras(_attachment_lines(form))))
    rows.append(row(_stacked("单位意见", breaks=False), _signature(), height=1600))
    return _heading_block() + _tbl(grid, rows) + _p()


def _layout_single_cell_sections(form: _Form) -> str:
    grid = (1500, 3000, 1500, 3000)

    def quad(a: str, b: str, c: str, d: str) -> str:
        return _tr(grid, [_Cell(_label(a)), _Cell(_para(b)), _Cell(_label(c)), _Cell(_para(d))], height=600)

    def wide(label: str, text: str) -> str:
        return _tr(grid, [_Cell(_label(label)), _Cell(_para(text), span=3)], height=600)

    def block(heading: str, body: str) -> str:
        content = _para(heading, font="黑体", bold=True) + body
        return _tr(grid, [_Cell(content, span=4, center=False)], height=2400)

    rows = [
        wide("案例名称", form.title),
        quad("申报单位", form.unit, "实施主体", form.implementer),
        wide("申报类别", form.category_names),
        quad("上线时间", form.launch, "运营状态", form.status),
        quad("联系人", form.contact["name"], "联系电话", form.contact["phone"]),
        wide("电子邮箱", form.contact["email"]),
        wide("往届申报情况", form.previous_text),
    ]
    for index, (name, texts) in enumerate(form.sections):
        rows.append(block(f"{NUMERALS[index]}、{name}{_hint(name)}", _paras(texts, indent=True)))
    rows.append(block(f"{NUMERALS[len(form.sections)]}、附件清单", _paras(_attachment_lines(form))))
    rows.append(block("申报单位意见", _signature()))
    return _heading_block() + _tbl(grid, rows) + _p()


def _cover_line(label: str, value: str) -> str:
    return _p(_r(label, font="黑体", size=28) + _r(f" {value}    ", underline=True, size=28), indent=True)


def _layout_cover_paragraphs(form: _Form) -> str:
    contact = _r("联 系 人：", font="黑体", size=28) + _r(form.contact["name"], size=28)
    contact += _r("\t联系电话：", font="黑体", size=28) + _r(form.contact["phone"], size=28)
    cover = [
        _para("附件2", font="黑体", size=32),
        _p(),
        _para("2026年中国行业媒体高质量发展创新案例\n申  报  书", style="a3", jc="center"),
        _p(),
        _cover_line("案例名称：", form.title),
        _cover_line("申报单位（盖章）：", form.unit),
        _cover_line("实施主体：", form.implementer),
        _cover_line("申报类别：", " ".join(f"■{CATEGORY_NAMES[n]}" for n in form.categories)),
        _cover_line("上线时间：", form.launch),
        _cover_line("运营状态：", form.status),
        _p(contact, indent=True),
        _cover_line("电子邮箱:", form.contact["email"]),
        _cover_line("填报日期：", "2026年  月  日"),
        PAGE_BREAK,
    ]
    body = []
    for index, (name, texts) in enumerate(form.sections):
        body.append(_para(f"{NUMERALS[index]}、{name}", style="1"))
        body.append(_paras(texts, indent=True, font="仿宋_GB2312", size=32))
    n = len(form.sections)
    body.append(_para(f"{NUMERALS[n]}、往届申报情况", style="1") + _para(form.previous_text, indent=True))
    body.append(
        _para(f"{NUMERALS[n + 1]}、附件清单", style="1") + _paras(_attachment_lines(form), indent=True)
    )
    return "".join(cover) + "".join(body) + _signature("仿宋_GB2312")


# --- content controls ------------------------------------------------------------------------------------

_GOTHIC = '<w:rFonts w:ascii="MS Gothic" w:eastAsia="MS Gothic" w:hAnsi="MS Gothic" w:hint="eastAsia"/>'


def _sdt_pr(alias: str, sdt_id: int, kind: str = "<w:text/>") -> str:
    names = f'<w:alias w:val="{alias}"/><w:tag w:val="{alias}"/>' if alias else ""
    return f'{names}<w:id w:val="{sdt_id}"/>{kind}'


def _checkbox(checked: bool, sdt_id: int) -> str:
    pr = (
        f'<w:rPr>{_GOTHIC}</w:rPr><w:id w:val="{sdt_id}"/><w14:checkbox><w14:checked w14:val="{int(checked)}"/>'
        '<w14:checkedState w14:val="2612" w14:font="MS Gothic"/>'
        '<w14:uncheckedState w14:val="2610" w14:font="MS Gothic"/></w14:checkbox>'
    )
    glyph = "☒" if checked else "☐"
    return _sdt(pr, f"<w:r><w:rPr>{_GOTHIC}</w:rPr><w:t>{glyph}</w:t></w:r>")


def _placeholder(sdt_id: int) -> str:
    pr = (
        f'<w:id w:val="{sdt_id}"/><w:placeholder><w:docPart w:val="DefaultPlaceholder_-1854013440"/>'
        "</w:placeholder><w:showingPlcHdr/><w:text/>"
    )
    return _sdt(pr, f'<w:r><w:rPr><w:rStyle w:val="a5"/></w:rPr><w:t>{PLACEHOLDER_TEXT}</w:t></w:r>')


_YEAR_MONTH = re.compile(r"(\d{4})年(\d{1,2})月")


def _date_control(text: str, sdt_id: int) -> str:
    """A date picker when the launch text is a plain 年月, else a plain text control; run level."""
    match = _YEAR_MONTH.fullmatch(text)
    kind = "<w:text/>"
    if match:
        year, month = int(match[1]), int(match[2])
        kind = (
            f"<w:date w:fullDate=\"{year:04d}-{month:02d}-01T00:00:00Z\"><w:dateFormat w:val=\"yyyy'年'M'月'\"/>"
            '<w:lid w:val="zh-CN"/><w:storeMappedDataAs w:val="dateTime"/><w:calendar w:val="gregorian"/></w:date>'
        )
    return _sdt(_sdt_pr("上线时间", sdt_id, kind), _r(text))


def _dropdown(text: str, sdt_id: int) -> str:
    options = dict.fromkeys([text, "正常运营", "试运行", "在建", "计划中"])
    items = "".join(f"<w:listItem w:displayText={quoteattr(o)} w:value={quoteattr(o)}/>" for o in options)
    return _sdt(_sdt_pr("运营状态", sdt_id, f"<w:dropDownList>{items}</w:dropDownList>"), _r(text))


def _layout_content_controls(form: _Form) -> str:
    grid = (2000, 7000)

    def row(label: str, value: str, value_sdt: str = "") -> str:
        return _tr(grid, [_Cell(_label(label)), _Cell(value, sdt=value_sdt)], height=600)

    boxes = [
        _checkbox(n in form.categories, 1000 + n) + _r(f" {name}  ") for n, name in CATEGORY_NAMES.items()
    ]
    contact = f"{form.contact['name']}  {form.contact['phone']}  {form.contact['email']}"
    contact_row = _sdt(_sdt_pr("联系人信息", 301, ""), row("联系人及\n联系方式", _para(contact)))
    previous = _p(
        _sdt(_sdt_pr("往届申报情况", 302), _r(form.previous_text)) if form.previous else _placeholder(303)
    )
    rows = [
        row("案例名称", _para(form.title), value_sdt=_sdt_pr("案例名称", 101)),
        row("申报单位", _p(_sdt(_sdt_pr("申报单位", 102), _r(form.unit)))),
        row("实施主体", _sdt(_sdt_pr("实施主体", 103), _para(form.implementer))),
        row("申报类别", _p("".join(boxes[:3])) + _p("".join(boxes[3:]))),
        row("上线时间", _p(_date_control(form.launch, 104))),
        row("运营状态", _p(_dropdown(form.status, 105))),
        contact_row,
        row("往届申报情况", previous),
    ]
    for index, (name, texts) in enumerate(form.sections):
        body = _sdt(_sdt_pr(name, 200 + index, "<w:richText/>"), _paras(texts, indent=True))
        rows.append(row(f"{name}\n{_hint(name)}", body))
    rows.append(row("附件清单", _paras(_attachment_lines(form))))
    rows.append(row("备注", _p(_placeholder(304))))
    rows.append(row("申报单位意见", _signature()))
    return _heading_block() + _tbl(grid, rows) + _p()


# --- legacy form fields, symbols, revisions, smart tags, text box ----------------------------------------

_REVISION = 'w:author="办公室" w:date="2026-03-02T10:15:00Z"'


def _form_checkbox(index: int, state: str) -> str:
    """A legacy FORMCHECKBOX field; ``state`` is the checkBox content after w:sizeAuto."""
    ff = (
        f'<w:ffData><w:name w:val="Check{index}"/><w:enabled/><w:calcOnExit w:val="0"/>'
        f"<w:checkBox><w:sizeAuto/>{state}</w:checkBox></w:ffData>"
    )
    return (
        f'<w:bookmarkStart w:id="{index + 10}" w:name="Check{index}"/>'
        f'<w:r><w:fldChar w:fldCharType="begin">{ff}</w:fldChar></w:r>'
        '<w:r><w:instrText xml:space="preserve"> FORMCHECKBOX </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>'
        f'<w:bookmarkEnd w:id="{index + 10}"/>'
    )


def _checkbox_states(categories: Sequence[int]) -> list[str]:
    """Ticked boxes alternate bare ``w:checked`` and ``w:default=1``; one unticked box defaults to 1 but is
    explicitly unchecked (``w:checked w:val="0"`` wins over the default)."""
    states, ticked, tricky = [], 0, False
    for n in CATEGORY_NAMES:
        if n in categories:
            states.append(
                '<w:default w:val="0"/><w:checked/>' if ticked % 2 == 0 else '<w:default w:val="1"/>'
            )
            ticked += 1
        elif not tricky:
            states.append('<w:default w:val="1"/><w:checked w:val="0"/>')
            tricky = True
        else:
            states.append('<w:default w:val="0"/>')
    return states


def _sym(ticked: bool) -> str:
    return f'<w:r><w:sym w:font="Wingdings 2" w:char="{"F052" if ticked else "F0A3"}"/></w:r>'


def _revised(text: str) -> str:
    """Text whose second half is a tracked insertion, with a tracked deletion between the halves."""
    cut = len(text) // 2
    deleted = f'<w:del w:id="2" {_REVISION}><w:r>{_text("（暂定名）", "w:delText")}</w:r></w:del>'
    inserted = f'<w:ins w:id="3" {_REVISION}>{_r(text[cut:])}</w:ins>'
    return _r(text[:cut]) + deleted + inserted


def _revised_paragraphs(texts: Sequence[str]) -> str:
    """Section paragraphs under revision: a sentence deleted from the first, the later ones inserted whole."""
    first, *rest = texts
    deleted = f'<w:del w:id="4" {_REVISION}><w:r>{_text("此段内容待补充完善。", "w:delText")}</w:r></w:del>'
    inserted = (f'<w:ins w:id="{100 + i}" {_REVISION}>{_r(t)}</w:ins>' for i, t in enumerate(rest))
    return _p(_r(first) + deleted, indent=True) + "".join(_p(runs, indent=True) for runs in inserted)


def _date_tag(text: str) -> str:
    match = _YEAR_MONTH.fullmatch(text)
    if not match:
        return _r(text)
    attrs = f'<w:attr w:name="Year" w:val="{match[1]}"/><w:attr w:name="Month" w:val="{int(match[2])}"/>'
    return (
        '<w:smartTag w:uri="urn:schemas-microsoft-com:office:smarttags" w:element="chsdate">'
        f'<w:smartTagPr><w:attr w:name="IsLunarDate" w:val="False"/><w:attr w:name="IsROCDate" w:val="False"/>'
        f'{attrs}<w:attr w:name="Day" w:val="1"/></w:smartTagPr>{_r(text)}</w:smartTag>'
    )


def _text_box(text: str) -> str:
    """A floating text box as Word 2010+ writes it: DrawingML choice plus a VML fallback, same text in both."""
    content = f"<w:txbxContent>{_para(text)}</w:txbxContent>"
    solid = '<a:solidFill><a:srgbClr val="FFFFFF"/></a:solidFill>'
    line = '<a:ln w="9525"><a:solidFill><a:srgbClr val="000000"/></a:solidFill><a:miter lim="800000"/></a:ln>'
    wsp = (
        '<wps:wsp><wps:cNvSpPr txBox="1"><a:spLocks noChangeArrowheads="1"/></wps:cNvSpPr><wps:spPr bwMode="auto">'
        '<a:xfrm><a:off x="0" y="0"/><a:ext cx="5274310" cy="396240"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/>'
        f"</a:prstGeom>{solid}{line}</wps:spPr><wps:txbx>{content}</wps:txbx>"
        '<wps:bodyPr rot="0" vert="horz" wrap="square" lIns="91440" tIns="45720" rIns="91440" bIns="45720" '
        'anchor="t" anchorCtr="0"><a:spAutoFit/></wps:bodyPr></wps:wsp>'
    )
    anchor = (
        '<wp:anchor distT="45720" distB="45720" distL="114300" distR="114300" simplePos="0" '
        'relativeHeight="251659264" behindDoc="0" locked="0" layoutInCell="1" allowOverlap="1">'
        '<wp:simplePos x="0" y="0"/><wp:positionH relativeFrom="column"><wp:posOffset>0</wp:posOffset>'
        '</wp:positionH><wp:positionV relativeFrom="paragraph"><wp:posOffset>101600</wp:posOffset></wp:positionV>'
        '<wp:extent cx="5274310" cy="396240"/><wp:effectExtent l="0" t="0" r="21590" b="22860"/>'
        '<wp:wrapTopAndBottom/><wp:docPr id="1" name="文本框 1"/><wp:cNvGraphicFramePr/>'
        '<a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
        '<a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
        f"{wsp}</a:graphicData></a:graphic></wp:anchor>"
    )
    vml = (
        '<w:pict><v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" '
        'path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/><v:path gradientshapeok="t" '
        'o:connecttype="rect"/></v:shapetype><v:shape id="文本框 1" o:spid="_x0000_s1026" type="#_x0000_t202" '
        'style="position:absolute;margin-left:0;margin-top:8pt;width:415.3pt;height:31.2pt;z-index:251659264;'
        'mso-wrap-style:square;mso-position-horizontal-relative:text;mso-position-vertical-relative:text">'
        f'<v:textbox style="mso-fit-shape-to-text:t">{content}</v:textbox><w10:wrap type="topAndBottom"/>'
        "</v:shape></w:pict>"
    )
    return (
        f'<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing>{anchor}</w:drawing></mc:Choice>'
        f"<mc:Fallback>{vml}</mc:Fallback></mc:AlternateContent></w:r>"
    )


def _layout_legacy_checkbox(form: _Form) -> str:
    grid = (2000, 7000)

    def row(label: str, value: str) -> str:
        return _tr(grid, [_Cell(_label(label)), _Cell(value)], height=600)

    fields = [
        _form_checkbox(n, s) + _r(f" {CATEGORY_NAMES[n]}  ")
        for n, s in zip(CATEGORY_NAMES, _checkbox_states(form.categories), strict=True)
    ]
    smart_tag = '<w:smartTag w:uri="urn:schemas-microsoft-com:office:smarttags" w:element="PersonName">'
    applied = bool(form.previous)
    previous = _p(_sym(applied) + _r(" 是    ") + _sym(not applied) + _r(" 否")) + _paras(form.previous_lines)
    rows = [
        row("案例名称", _p(_revised(form.title))),
        row("申报单位", _p(f"{smart_tag}{_r(form.unit)}</w:smartTag>")),
        row("实施主体", _para(form.implementer)),
        row("申报类别", "".join(_p("".join(fields[i : i + 2])) for i in (0, 2, 4))),
        row("上线时间", _p(_date_tag(form.launch))),
        row("运营状态", _para(form.status)),
        row("是否申报过往届", previous),
    ]
    for name, texts in form.sections:
        body = _revised_paragraphs(texts) if name == "主要做法" else _paras(texts, indent=True)
        rows.append(row(f"{name}\n{_hint(name)}", body))
    rows.append(row("附件清单", _paras(_attachment_lines(form))))
    rows.append(row("申报单位意见", _signature()))
    contact = f"联系人：{form.contact['name']}  联系电话：{form.contact['phone']}  电子邮箱：{form.contact['email']}"
    return _heading_block() + _tbl(grid, rows) + _p(_text_box(contact)) + _p()


# --- nested tables -----------------------------------------------------------------------------------------


def _nested(grid: Sequence[int], rows: Sequence[Sequence[str]]) -> str:
    """A table inside a cell; Word requires a paragraph after it before the cell ends."""
    trs = [_tr(grid, [_Cell(_para(text)) for text in row]) for row in rows]
    return _tbl(grid, trs, nested=True) + _p()


def _layout_nested_tables(form: _Form) -> str:
    grid = (1800, 7200)

    def row(label: str, value: str, height: int = 600) -> str:
        return _tr(grid, [_Cell(_label(label)), _Cell(value)], height=height)

    names = list(CATEGORY_NAMES.items())
    cats = [
        [("☑" if n in form.categories else "□") + name for n, name in names[i : i + 2]] for i in (0, 2, 4)
    ]
    contact = [
        ["姓名", form.contact["name"]],
        ["电话", form.contact["phone"]],
        ["邮箱", form.contact["email"]],
    ]
    previous = [["年份", "案例名称", "结果"], *form.previous]
    basic = [
        row("案例名称", _para(form.title)),
        row("申报单位", _para(form.unit)),
        row("实施主体", _para(form.implementer)),
        row("申报类别", _nested((3400, 3400), cats)),
        row("上线时间", _para(form.launch)),
        row("运营状态", _para(form.status)),
        row("联系人", _nested((1400, 5400), contact)),
        row("往届申报情况", _nested((1000, 4400, 1400), previous) if form.previous else _para("无")),
    ]
    content = [
        row(f"{name}\n{_hint(name)}", _paras(texts, indent=True), 2000) for name, texts in form.sections
    ]
    content.append(row("附件清单", _paras(_attachment_lines(form))))
    return (
        _heading_block()
        + _para("一、基本信息", font="黑体", size=28)
        + _tbl(grid, basic)
        + PAGE_BREAK
        + _para("二、案例内容", font="黑体", size=28)
        + _tbl(grid, content)
        + _p()
        + _para("申报单位意见：", font="黑体")
        + _signature()
    )


_LAYOUT_BUILDERS: dict[str, Callable[[_Form], str]] = {
    "classic_table": _layout_classic_table,
    "grid_span": _layout_grid_span,
    "vmerge_group": _layout_vmerge_group,
    "vmerge_wps": _layout_vmerge_wps,
    "vertical_labels": _layout_vertical_labels,
    "single_cell_sections": _layout_single_cell_sections,
    "cover_paragraphs": _layout_cover_paragraphs,
    "content_controls": _layout_content_controls,
    "legacy_checkbox": _layout_legacy_checkbox,
    "nested_tables": _layout_nested_tables,
}
LAYOUTS: tuple[str, ...] = tuple(_LAYOUT_BUILDERS)
WPS_LAYOUTS = frozenset({"vmerge_wps"})


def layout_for(case_id: str) -> str:
    """The layout of a case: round-robin by the number in its id (S001 -> the first layout), else by a hash."""
    digits = re.sub(r"\D", "", case_id)
    index = int(digits) - 1 if digits else zlib.crc32(case_id.encode("utf-8"))
    return LAYOUTS[index % len(LAYOUTS)]


# ---------------------------------------------------------------------------------------------------------
# Package parts
# ---------------------------------------------------------------------------------------------------------

_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14_NS = "http://schemas.microsoft.com/office/word/2010/wordml"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_ROOT_NS = {
    "wpc": "http://schemas.microsoft.com/office/word/2010/wordprocessingCanvas",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
    "o": "urn:schemas-microsoft-com:office:office",
    "r": _REL,
    "m": "http://schemas.openxmlformats.org/officeDocument/2006/math",
    "v": "urn:schemas-microsoft-com:vml",
    "wp14": "http://schemas.microsoft.com/office/word/2010/wordprocessingDrawing",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "w10": "urn:schemas-microsoft-com:office:word",
    "w": W_NS,
    "w14": W14_NS,
    "w15": "http://schemas.microsoft.com/office/word/2012/wordml",
    "wpg": "http://schemas.microsoft.com/office/word/2010/wordprocessingGroup",
    "wpi": "http://schemas.microsoft.com/office/word/2010/wordprocessingInk",
    "wne": "http://schemas.microsoft.com/office/word/2006/wordml",
    "wps": "http://schemas.microsoft.com/office/word/2010/wordprocessingShape",
}
_WPS_NS = {"wpsCustomData": "http://www.wps.cn/officeDocument/2013/wpsCustomData"}
_SECT_PR = (
    '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1440" w:right="1800" w:bottom="1440" '
    'w:left="1800" w:header="851" w:footer="992" w:gutter="0"/><w:cols w:space="425"/>'
    '<w:docGrid w:type="lines" w:linePitch="312"/></w:sectPr>'
)


def _document_xml(body: str, wps: bool = False) -> str:
    spaces = {**_ROOT_NS, **(_WPS_NS if wps else {})}
    decls = " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in spaces.items())
    ignorable = "w14 w15 wp14" + (" wpsCustomData" if wps else "")
    return f'{_DECL}<w:document {decls} mc:Ignorable="{ignorable}"><w:body>{body}{_SECT_PR}</w:body></w:document>'


def _styles_xml() -> str:
    """Styles with the ids Chinese Word gives them (Normal = "a", heading 1 = "1", Title = "a3", ...)."""
    head = (
        '<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Times New Roman" w:eastAsia="宋体" '
        'w:hAnsi="Times New Roman" w:cs="Times New Roman"/><w:kern w:val="2"/><w:sz w:val="21"/>'
        '<w:szCs w:val="22"/><w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/></w:rPr></w:rPrDefault>'
        "<w:pPrDefault/></w:docDefaults>"
    )
    styles = [
        '<w:style w:type="paragraph" w:default="1" w:styleId="a"><w:name w:val="Normal"/><w:qFormat/>'
        '<w:pPr><w:widowControl w:val="0"/><w:jc w:val="both"/></w:pPr></w:style>',
        '<w:style w:type="paragraph" w:styleId="1"><w:name w:val="heading 1"/><w:basedOn w:val="a"/>'
        '<w:next w:val="a"/><w:uiPriority w:val="9"/><w:qFormat/><w:pPr><w:keepNext/><w:keepLines/>'
        '<w:spacing w:before="340" w:after="330" w:line="578" w:lineRule="auto"/><w:outlineLvl w:val="0"/></w:pPr>'
        '<w:rPr><w:rFonts w:eastAsia="黑体"/><w:b/><w:bCs/><w:kern w:val="44"/><w:sz w:val="32"/></w:rPr></w:style>',
        '<w:style w:type="paragraph" w:styleId="a3"><w:name w:val="Title"/><w:basedOn w:val="a"/>'
        '<w:next w:val="a"/><w:uiPriority w:val="10"/><w:qFormat/><w:pPr><w:spacing w:before="240" w:after="60"/>'
        '<w:jc w:val="center"/><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:rFonts w:eastAsia="方正小标宋简体"/>'
        '<w:b/><w:bCs/><w:sz w:val="44"/></w:rPr></w:style>',
        '<w:style w:type="character" w:default="1" w:styleId="a0"><w:name w:val="Default Paragraph Font"/>'
        '<w:uiPriority w:val="1"/><w:semiHidden/><w:unhideWhenUsed/></w:style>',
        '<w:style w:type="table" w:default="1" w:styleId="a1"><w:name w:val="Normal Table"/><w:uiPriority w:val="99"/>'
        '<w:semiHidden/><w:unhideWhenUsed/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar>'
        '<w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/>'
        '<w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>',
        '<w:style w:type="numbering" w:default="1" w:styleId="a2"><w:name w:val="No List"/><w:uiPriority w:val="99"/>'
        "<w:semiHidden/><w:unhideWhenUsed/></w:style>",
        '<w:style w:type="table" w:styleId="a4"><w:name w:val="Table Grid"/><w:basedOn w:val="a1"/>'
        f'<w:uiPriority w:val="39"/><w:tblPr><w:tblBorders>{_BORDERS}</w:tblBorders></w:tblPr></w:style>',
        '<w:style w:type="character" w:styleId="a5"><w:name w:val="Placeholder Text"/><w:basedOn w:val="a0"/>'
        '<w:uiPriority w:val="99"/><w:semiHidden/><w:rPr><w:color w:val="808080"/></w:rPr></w:style>',
        '<w:style w:type="character" w:styleId="a6"><w:name w:val="Hyperlink"/><w:basedOn w:val="a0"/>'
        '<w:uiPriority w:val="99"/><w:unhideWhenUsed/><w:rPr><w:color w:val="0563C1"/><w:u w:val="single"/>'
        "</w:rPr></w:style>",
    ]
    return f'{_DECL}<w:styles xmlns:w="{W_NS}">{head}{"".join(styles)}</w:styles>'


_SETTINGS_XML = (
    f'{_DECL}<w:settings xmlns:w="{W_NS}"><w:zoom w:percent="100"/><w:bordersDoNotSurroundHeader/>'
    '<w:bordersDoNotSurroundFooter/><w:defaultTabStop w:val="420"/><w:drawingGridVerticalSpacing w:val="156"/>'
    '<w:displayHorizontalDrawingGridEvery w:val="0"/><w:displayVerticalDrawingGridEvery w:val="2"/>'
    '<w:characterSpacingControl w:val="compressPunctuation"/><w:compat><w:spaceForUL/>'
    "<w:balanceSingleByteDoubleByteWidth/><w:doNotLeaveBackslashAlone/><w:ulTrailSpace/>"
    "<w:doNotExpandShiftReturn/><w:adjustLineHeightInTable/><w:useFELayout/>"
    '<w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/>'
    '</w:compat><w:themeFontLang w:val="en-US" w:eastAsia="zh-CN"/></w:settings>'
)

_FONTS = (
    ("宋体", "SimSun", "86"),
    ("黑体", "SimHei", "86"),
    ("仿宋_GB2312", "仿宋", "86"),
    ("方正小标宋简体", "", "86"),
    ("Times New Roman", "", "00"),
    ("MS Gothic", "ＭＳ ゴシック", "80"),
    ("Wingdings 2", "", "02"),
)


def _font_table_xml() -> str:
    fonts = []
    for name, alt, charset in _FONTS:
        alt_xml = f'<w:altName w:val="{alt}"/>' if alt else ""
        fonts.append(
            f'<w:font w:name="{name}">{alt_xml}<w:charset w:val="{charset}"/><w:family w:val="auto"/>'
            '<w:pitch w:val="variable"/></w:font>'
        )
    return f'{_DECL}<w:fonts xmlns:w="{W_NS}">{"".join(fonts)}</w:fonts>'


def _content_types(images: bool) -> str:
    png = '<Default Extension="png" ContentType="image/png"/>' if images else ""
    main = "application/vnd.openxmlformats-officedocument.wordprocessingml"
    overrides = {
        "/word/document.xml": f"{main}.document.main+xml",
        "/word/styles.xml": f"{main}.styles+xml",
        "/word/settings.xml": f"{main}.settings+xml",
        "/word/fontTable.xml": f"{main}.fontTable+xml",
        "/docProps/core.xml": "application/vnd.openxmlformats-package.core-properties+xml",
        "/docProps/app.xml": "application/vnd.openxmlformats-officedocument.extended-properties+xml",
    }
    items = "".join(f'<Override PartName="{part}" ContentType="{ct}"/>' for part, ct in overrides.items())
    return (
        f'{_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f'<Default Extension="xml" ContentType="application/xml"/>{png}{items}</Types>'
    )


def _rels(targets: Sequence[tuple[str, str, str]], external: Iterable[str] = ()) -> str:
    mode = {rid: ' TargetMode="External"' for rid in external}
    items = "".join(
        f'<Relationship Id="{rid}" Type="{kind}" Target="{target}"{mode.get(rid, "")}/>'
        for rid, kind, target in targets
    )
    return f'{_DECL}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{items}</Relationships>'


_CORE_XML = (
    f'{_DECL}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title></dc:title><dc:creator>Administrator'
    "</dc:creator><cp:lastModifiedBy>Administrator</cp:lastModifiedBy><cp:revision>3</cp:revision>"
    '<dcterms:created xsi:type="dcterms:W3CDTF">2026-03-01T08:00:00Z</dcterms:created>'
    '<dcterms:modified xsi:type="dcterms:W3CDTF">2026-03-10T09:30:00Z</dcterms:modified></cp:coreProperties>'
)


def _app_xml(application: str) -> str:
    return (
        f'{_DECL}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        f"<Template>Normal.dotm</Template><Application>{application}</Application><DocSecurity>0</DocSecurity>"
        "<AppVersion>16.0000</AppVersion></Properties>"
    )


def _package_bytes(
    document_xml: str,
    wps: bool = False,
    media: dict[str, bytes] | None = None,
    links: dict[str, str] | None = None,
) -> bytes:
    """A complete .docx package around ``document_xml``.

    Args:
        document_xml: the main part.
        wps: write WPS Office as the producing application.
        media: rId -> PNG bytes, stored as word/media/<rId>.png.
        links: rId -> external hyperlink target.
    """
    media, links = media or {}, links or {}
    office = f"{_REL}/"
    doc_rels = [
        ("rId1", f"{office}styles", "styles.xml"),
        ("rId2", f"{office}settings", "settings.xml"),
        ("rId3", f"{office}fontTable", "fontTable.xml"),
        *((rid, f"{office}image", f"media/{rid}.png") for rid in media),
        *((rid, f"{office}hyperlink", escape(target, {'"': "&quot;"})) for rid, target in links.items()),
    ]
    package_rels = [
        ("rId1", f"{office}officeDocument", "word/document.xml"),
        (
            "rId2",
            "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties",
            "docProps/core.xml",
        ),
        ("rId3", f"{office}extended-properties", "docProps/app.xml"),
    ]
    application = (
        "WPS Office_12.1.0.17147_F1E327BC-269C-435d-A152-05C5408002CA" if wps else "Microsoft Office Word"
    )
    parts = {
        "[Content_Types].xml": _content_types(bool(media)),
        "_rels/.rels": _rels(package_rels),
        "docProps/core.xml": _CORE_XML,
        "docProps/app.xml": _app_xml(application),
        "word/document.xml": document_xml,
        "word/_rels/document.xml.rels": _rels(doc_rels, external=set(links)),
        "word/styles.xml": _styles_xml(),
        "word/settings.xml": _SETTINGS_XML,
        "word/fontTable.xml": _font_table_xml(),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in parts.items():
            _write_member(archive, name, text.encode("utf-8"))
        for rid, data in media.items():
            _write_member(archive, f"word/media/{rid}.png", data)
    return buffer.getvalue()


def _write_member(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


def _body_docx(body: str, media: dict[str, bytes] | None = None) -> bytes:
    return _package_bytes(_document_xml(body), media=media)


def write_form(case: dict, path: Path, layout: str) -> None:
    """Write the 申报表 of ``case`` as a .docx in ``layout`` (one of ``LAYOUTS``)."""
    if layout not in _LAYOUT_BUILDERS:
        raise ValueError(f"未知的版式：{layout}（可选：{', '.join(LAYOUTS)}）")
    wps = layout in WPS_LAYOUTS
    form = _form(case)
    links = {MAIL_RID: f"mailto:{form.contact['email']}"} if form.contact["email"] else {}
    body = _LAYOUT_BUILDERS[layout](form)
    path.write_bytes(_package_bytes(_document_xml(body, wps=wps), wps=wps, links=links))


# ---------------------------------------------------------------------------------------------------------
# Bad files
# ---------------------------------------------------------------------------------------------------------

_OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
_ENDOFCHAIN, _FREESECT, _FATSECT, _NOSTREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF


def _dir_entry(
    name: str, kind: int, start: int, size: int, child: int = _NOSTREAM, right: int = _NOSTREAM
) -> bytes:
    encoded = (name + "\0").encode("utf-16-le") if name else b""
    fixed = struct.pack("<HBBIII", len(encoded), kind, 1, _NOSTREAM, right, child)
    tail = bytes(16 + 4 + 16) + struct.pack("<IQ", start, size)
    return encoded.ljust(64, b"\0") + fixed + tail


def _ole_file(streams: Sequence[tuple[str, bytes]]) -> bytes:
    """A minimal compound file (version 3, 512-byte sectors): sector 0 FAT, sector 1 directory, then the
    streams, each padded to at least 4096 bytes so no mini stream is needed. Names must be in ascending
    (length, name) order: they form the right-leaning sibling chain under the root."""
    fat = [_FATSECT, _ENDOFCHAIN]
    entries = [b""]
    data = b""
    for index, (name, content) in enumerate(streams, start=1):
        content = content.ljust(max(4096, -(-len(content) // 512) * 512), b"\0")
        first, count = len(fat), len(content) // 512
        fat += [*range(first + 1, first + count), _ENDOFCHAIN]
        right = index + 1 if index < len(streams) else _NOSTREAM
        entries.append(_dir_entry(name, 2, first, len(content), right=right))
        data += content
    entries[0] = _dir_entry("Root Entry", 5, _ENDOFCHAIN, 0, child=1)
    entries += [_dir_entry("", 0, 0, 0)] * (4 - len(entries) % 4 if len(entries) % 4 else 0)
    if len(fat) > 128 or len(entries) > 4:
        raise ValueError("too many sectors or streams for the one-sector FAT and directory")
    difat = struct.pack("<109I", 0, *([_FREESECT] * 108))
    header = (
        _OLE_MAGIC
        + bytes(16)
        + struct.pack(
            "<HHHHH6xIIIIIIIII", 0x3E, 3, 0xFFFE, 9, 6, 0, 1, 1, 0, 4096, _ENDOFCHAIN, 0, _ENDOFCHAIN, 0
        )
        + difat
    )
    fat_sector = struct.pack(f"<{len(fat)}I", *fat).ljust(512, b"\xff")
    return header + fat_sector + b"".join(entries) + data


def _word97_stream(rng: random.Random) -> bytes:
    """A WordDocument stream that starts like a Word 97 FIB (wIdent 0xA5EC, nFib 0x00C1), then filler."""
    return struct.pack("<HH", 0xA5EC, 0x00C1) + rng.randbytes(5000)


def _legacy_doc() -> bytes:
    rng = random.Random(97)
    return _ole_file([("1Table", rng.randbytes(4096)), ("WordDocument", _word97_stream(rng))])


def _wps_file() -> bytes:
    rng = random.Random(2013)
    return _ole_file(
        [
            ("1Table", rng.randbytes(4096)),
            ("WordDocument", _word97_stream(rng)),
            ("WpsCustomData", rng.randbytes(600)),
        ]
    )


def _minimal_pdf() -> bytes:
    text = b"BT /F1 18 Tf 72 760 Td (2026 Application Form - scanned) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def _plain_text() -> bytes:
    text = "2026年中国行业媒体高质量发展创新案例申报表\r\n案例名称：（见附件）\r\n申报单位：\r\n"
    return text.encode("gb18030")


def _png(width: int, height: int, dark: Callable[[int, int], bool]) -> bytes:
    """An 8-bit greyscale PNG; ``dark(x, y)`` says which pixels are black."""
    rows = b"".join(b"\0" + bytes(0 if dark(x, y) else 255 for x in range(width)) for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def _form_scan_png() -> bytes:
    """A picture of an empty form grid (what a scanned, printed form looks like to a parser: no text)."""

    def dark(x: int, y: int) -> bool:
        inside = 40 <= x <= 560 and 60 <= y <= 780
        return inside and (
            (y - 60) % 60 < 2 or x in (40, 41, 180, 181, 559, 560) or 30 <= y <= 34 and 200 < x < 400
        )

    return _png(600, 800, dark)


def _images_only() -> bytes:
    cx, cy = 5274310, 7032413
    inline = (
        f'<wp:inline distT="0" distB="0" distL="0" distR="0"><wp:extent cx="{cx}" cy="{cy}"/>'
        '<wp:effectExtent l="0" t="0" r="0" b="0"/><wp:docPr id="1" name="图片 1"/><wp:cNvGraphicFramePr>'
        '<a:graphicFrameLocks xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" noChangeAspect="1"/>'
        '</wp:cNvGraphicFramePr><a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
        '<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
        '<pic:pic xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:nvPicPr>'
        '<pic:cNvPr id="0" name="申报表扫描件.png"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill>'
        '<a:blip r:embed="rId10"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm>'
        f'<a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom>'
        "</pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline>"
    )
    body = f'<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:drawing>{inline}</w:drawing></w:r></w:p>'
    return _body_docx(body, media={"rId10": _form_scan_png()})


def _meeting_notice() -> bytes:
    lines = [
        "关于召开2026年第一季度工作例会的通知",
        "各部门：",
        "经研究，定于2026年3月20日（星期五）上午9:00在报社三楼会议室召开第一季度工作例会，请各部门主要负责人准时参加。",
        "会议内容：总结一季度工作，部署二季度重点任务。请各部门于3月18日前将书面材料报送办公室。",
        "办公室",
        "2026年3月12日",
    ]
    body = _para(lines[0], jc="center", font="方正小标宋简体", size=36) + _para(lines[1])
    body += _paras(lines[2:4], indent=True) + _paras(lines[4:], jc="right")
    return _body_docx(body)


_SAMPLE_CASE = {
    "title": "“云上课堂”融媒体服务平台",
    "unit": "中国教育新视野杂志社",
    "declared_categories": [3],
    "launch_text": "2024年9月",
    "status": "正常运营",
    "contact": {"name": "王敏", "phone": "010-66001234", "email": "wangmin@example.cn"},
    "sections": {name: f"{name}的内容。" * 5 for name in SECTION_LIMITS},
}


def _sample_form_bytes(media: dict[str, bytes] | None = None) -> bytes:
    return _body_docx(_layout_classic_table(_form(_SAMPLE_CASE)), media=media)


def _encrypted() -> bytes:
    try:
        from msoffcrypto.format.ooxml import OOXMLFile
    except ModuleNotFoundError as exc:
        raise RuntimeError("生成加密文档需要 msoffcrypto-tool（见 requirements-dev.txt）") from exc
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(_sample_form_bytes())).encrypt("secret", out)
    return out.getvalue()


def _truncated() -> bytes:
    data = _sample_form_bytes()
    return data[: len(data) // 2]


def _lock_file() -> bytes:
    """A Word owner file: the user name as ANSI (length byte + 53 bytes), then as UTF-16 (length + text), 162 bytes."""
    user = "Administrator"
    ansi = bytes([len(user)]) + user.encode("ascii").ljust(53, b" ")
    wide = struct.pack("<H", len(user)) + user.encode("utf-16-le")
    return (ansi + wide).ljust(162, b"\0")


def _too_large() -> bytes:
    """A real form carrying an incompressible picture that takes it just over the configured size limit."""
    size = int((get_settings().max_file_mb + 1) * 1024 * 1024)
    return _sample_form_bytes(media={"rId10": random.Random(1).randbytes(size)})


_BAD_WRITERS: dict[str, Callable[[], bytes]] = {
    "empty": bytes,
    "legacy_doc": _legacy_doc,
    "wps": _wps_file,
    "pdf_renamed": _minimal_pdf,
    "text_renamed": _plain_text,
    "encrypted": _encrypted,
    "truncated": _truncated,
    "images_only": _images_only,
    "lock_file": _lock_file,
    "not_a_form": _meeting_notice,
    "too_large": _too_large,
}
BAD_KINDS: tuple[str, ...] = tuple(_BAD_WRITERS)
EXPECTED_ERRORS: dict[str, str] = {
    "empty": "empty_file",
    "legacy_doc": "legacy_word",
    "wps": "legacy_word",
    "pdf_renamed": "not_word",
    "text_renamed": "not_word",
    "encrypted": "encrypted",
    "truncated": "corrupt_docx",
    "images_only": "images_only",
    "lock_file": "lock_file",
    "not_a_form": "not_a_form",
    "too_large": "too_large",
}


def write_bad_file(kind: str, path: Path) -> None:
    """Write a bad upload of ``kind`` (one of ``BAD_KINDS``) to ``path``."""
    if kind not in _BAD_WRITERS:
        raise ValueError(f"未知的异常文件类型：{kind}（可选：{', '.join(BAD_KINDS)}）")
    path.write_bytes(_BAD_WRITERS[kind]())


# ---------------------------------------------------------------------------------------------------------
# Zip archives
# ---------------------------------------------------------------------------------------------------------


class _GbkZipInfo(zipfile.ZipInfo):
    """A member whose name is stored in GBK without the UTF-8 flag, as Windows' built-in zip tool does."""

    def _encodeFilenameFlags(self) -> tuple[bytes, int]:  # overrides zipfile's private hook
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


def write_zip_bundle(paths: Sequence[Path], zip_path: Path, name_encoding: str = "utf-8") -> None:
    """Zip ``paths`` (by file name) into ``zip_path``; ``name_encoding="gbk"`` writes names the Windows way."""
    info_class = _GbkZipInfo if name_encoding.lower() == "gbk" else zipfile.ZipInfo
    with zipfile.ZipFile(zip_path, "w") as archive:
        for path in paths:
            info = info_class(path.name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())


def write_zip_traversal(zip_path: Path) -> None:
    """A zip with one ordinary form and one member named ``../../evil.docx`` (path traversal)."""
    with zipfile.ZipFile(zip_path, "w") as archive:
        _write_member(archive, "申报表.docx", _sample_form_bytes())
        _write_member(archive, "../../evil.docx", _sample_form_bytes())


def write_zip_bomb(zip_path: Path, uncompressed_mb: int = 2000) -> None:
    """A zip64 archive whose one member inflates to ``uncompressed_mb`` MiB of zeros (about 1 KB on disk per MiB).

    The deflate stream is one fully flushed block of 1 MiB of zeros repeated: after a full flush the compressor
    starts afresh, so every repetition compresses to the same bytes and nothing needs compressing twice.
    """
    chunk = bytes(1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    tail = compressor.flush()
    crc = 0
    for _ in range(uncompressed_mb):
        crc = zlib.crc32(chunk, crc)
    size, packed = uncompressed_mb << 20, len(block) * uncompressed_mb + len(tail)
    name = "申报材料.docx".encode()
    dos_time, dos_date = 9 << 11 | 30 << 5, (2026 - 1980) << 9 | 3 << 5 | 10
    common = struct.pack("<HHHHHIII", 45, 0x800, 8, dos_time, dos_date, crc, 0xFFFFFFFF, 0xFFFFFFFF)
    local_extra = struct.pack("<HHQQ", 1, 16, size, packed)
    with zip_path.open("wb") as out:
        out.write(
            b"PK\x03\x04" + common + struct.pack("<HH", len(name), len(local_extra)) + name + local_extra
        )
        for _ in range(uncompressed_mb):
            out.write(block)
        out.write(tail)
        directory_at = out.tell()
        central_extra = struct.pack("<HHQQ", 1, 16, size, packed)
        central = b"PK\x01\x02" + struct.pack("<H", 45) + common
        central += (
            struct.pack("<HHHHHII", len(name), len(central_extra), 0, 0, 0, 0, 0) + name + central_extra
        )
        out.write(central)
        zip64_at = out.tell()
        out.write(
            b"PK\x06\x06" + struct.pack("<QHHIIQQQQ", 44, 45, 45, 0, 0, 1, 1, len(central), directory_at)
        )
        out.write(b"PK\x06\x07" + struct.pack("<IQI", 0, zip64_at, 1))
        out.write(b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, 1, 1, len(central), directory_at, 0))


def write_corrupt_zip(zip_path: Path) -> None:
    """A zip cut off mid-transfer: local headers present, central directory missing."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        _write_member(archive, "申报表1.docx", _sample_form_bytes())
        _write_member(archive, "申报表2.docx", _meeting_notice())
    data = buffer.getvalue()
    zip_path.write_bytes(data[: int(len(data) * 0.6)])


# ---------------------------------------------------------------------------------------------------------
# Sample set and benchmark set
# ---------------------------------------------------------------------------------------------------------


def load_cases(path: Path) -> list[dict]:
    """The case dicts of a JSON-lines file (blank lines skipped)."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def form_file_name(case: dict) -> str:
    """``<id>_<short title>.docx`` with only word characters and hyphens in the title part."""
    short = re.sub(r"[^\w-]+", "", case["title"])[:12]
    return f"{case['id']}_{short}.docx"


def expected_fields(case: dict) -> dict:
    """What an extractor should read from the form of ``case`` (names without the stray spaces a form may keep)."""
    categories = case.get("declared_categories") or []
    return {
        "title": case["title"].strip(),
        "unit": case["unit"].strip(),
        "implementer": (case.get("implementer") or case["unit"]).strip(),
        "declared_category": categories[0] if len(categories) == 1 else None,
        "launch_date": case.get("launch_expected"),
    }


def _write_forms(cases: Iterable[dict], out_dir: Path) -> dict[str, dict]:
    forms = {}
    for case in cases:
        layout = case.get("layout") or layout_for(case["id"])
        name = form_file_name(case)
        write_form(case, out_dir / name, layout)
        forms[name] = {
            "id": case["id"],
            "layout": layout,
            "expected": expected_fields(case),
            "triggers": case.get("triggers", []),
        }
    return forms


SAMPLE_BAD_FILES: dict[str, str] = {
    "X01_空文件.docx": "empty",
    "X02_旧版doc改名.docx": "legacy_doc",
    "X03_WPS文件改名.docx": "wps",
    "X04_PDF改名.docx": "pdf_renamed",
    "X05_文本文件改名.docx": "text_renamed",
    "X06_加密文档.docx": "encrypted",
    "X07_截断文档.docx": "truncated",
    "X08_扫描图片.docx": "images_only",
    "X09_会议通知.docx": "not_a_form",
}
_ZIP_WRITERS: dict[str, tuple[Callable[[Path], None], str]] = {
    "路径穿越.zip": (write_zip_traversal, "unsafe_archive"),
    "X10_损坏压缩包.zip": (write_corrupt_zip, "corrupt_archive"),
}
BUNDLE_NAME = "批量材料.zip"


def _write_bad_samples(out_dir: Path, first_form: str) -> dict[str, dict]:
    bad = {}
    for name, kind in SAMPLE_BAD_FILES.items():
        write_bad_file(kind, out_dir / name)
        bad[name] = {"kind": kind, "expected_error": EXPECTED_ERRORS[kind]}
    lock_name = f"~${first_form}"
    write_bad_file("lock_file", out_dir / lock_name)
    bad[lock_name] = {"kind": "lock_file", "expected_error": EXPECTED_ERRORS["lock_file"]}
    for name, (writer, code) in _ZIP_WRITERS.items():
        writer(out_dir / name)
        bad[name] = {"kind": writer.__name__.removeprefix("write_"), "expected_error": code}
    return bad


def _remove_previous(out_dir: Path) -> None:
    """Delete the files a previous build listed in its manifest (and nothing else)."""
    manifest = out_dir / "manifest.json"
    if not manifest.exists():
        return
    listed = json.loads(manifest.read_text(encoding="utf-8"))
    for section in ("forms", "bad_files", "bundles"):
        for name in listed.get(section, {}):
            (out_dir / name).unlink(missing_ok=True)


def _save_manifest(out_dir: Path, manifest: dict) -> None:
    text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
    (out_dir / "manifest.json").write_text(text, encoding="utf-8")


def build_sample(cases_path: Path, out_dir: Path) -> dict:
    """Write one form per case, the bad files and a GBK-named bundle of three forms, plus ``manifest.json``.

    Returns:
        The manifest: ``{"forms": {file: {id, layout, expected, triggers}}, "bad_files": {file: {kind,
        expected_error}}, "bundles": {file: {members, name_encoding}}}``.
    """
    cases = load_cases(cases_path)
    out_dir.mkdir(parents=True, exist_ok=True)
    _remove_previous(out_dir)
    forms = _write_forms(cases, out_dir)
    names = list(forms)
    bundle_members = names[:3]
    write_zip_bundle([out_dir / n for n in bundle_members], out_dir / BUNDLE_NAME, name_encoding="gbk")
    manifest = {
        "forms": forms,
        "bad_files": _write_bad_samples(out_dir, names[0]) if names else {},
        "bundles": {BUNDLE_NAME: {"members": bundle_members, "name_encoding": "gbk"}},
    }
    _save_manifest(out_dir, manifest)
    return manifest


_TITLE_PREFIXES = ("", "", "新时代", "“智慧”", "全媒体")
_TITLE_SUFFIXES = ("", "", "2.0", "（升级版）", "建设实践", "创新探索")
_LAUNCH_FORMATS = ("{y}年{m}月", "{y}.{m:02d}", "{y}-{m:02d}", "{y}年{m}月正式上线", "{y}年{m}月上线试运行")
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何林高罗"
_GIVEN = "敏伟芳娜静磊洋勇军杰涛明超霞平刚华丽"


def _shuffled_sentences(text: str, rng: random.Random) -> str:
    sentences = re.findall(r"[^。！？]+[。！？]?", text)
    rng.shuffle(sentences)
    return "".join(sentences)


def _variant(base: dict, index: int, rng: random.Random, units: Sequence[str]) -> dict:
    """A new case derived from ``base``: other title decoration, unit, launch date, category and contact."""
    year, month = rng.randint(2019, 2026), rng.randint(1, 12)
    unit = rng.choice(units)
    name = rng.choice(_SURNAMES) + "".join(rng.sample(_GIVEN, rng.randint(1, 2)))
    categories = [rng.randint(1, 6)] if rng.random() < 0.9 else sorted(rng.sample(range(1, 7), 2))
    return {
        **base,
        "id": f"B{index + 1:04d}",
        "title": rng.choice(_TITLE_PREFIXES) + base["title"] + rng.choice(_TITLE_SUFFIXES),
        "unit": unit,
        "implementer": unit if rng.random() < 0.85 else rng.choice(units),
        "declared_categories": categories,
        "launch_text": rng.choice(_LAUNCH_FORMATS).format(y=year, m=month),
        "launch_expected": f"{year}-{month:02d}",
        "contact": {
            "name": name,
            "phone": f"1{rng.choice('3589')}{rng.randint(0, 999999999):09d}",
            "email": f"user{index + 1}@example.cn",
        },
        "sections": {k: _shuffled_sentences(v, rng) for k, v in (base.get("sections") or {}).items()},
        "triggers": [],
        "layout": LAYOUTS[index % len(LAYOUTS)],
    }


def write_many(n: int, out_dir: Path, seed: int = 0, base_cases: Sequence[dict] | None = None) -> list[Path]:
    """Write ``n`` varied forms (layouts in turn) derived from ``base_cases`` (default: the sample cases),
    with a ``manifest.json`` like ``build_sample``'s, for benchmarks.

    Returns:
        The paths of the forms, in order.
    """
    bases = list(base_cases) if base_cases is not None else load_cases(DEFAULT_CASES)
    rng = random.Random(seed)
    units = sorted({c["unit"] for c in bases} | {c.get("implementer") or c["unit"] for c in bases})
    cases = [_variant(bases[i % len(bases)], i, rng, units) for i in range(n)]
    out_dir.mkdir(parents=True, exist_ok=True)
    forms = _write_forms(cases, out_dir)
    _save_manifest(out_dir, {"forms": forms, "bad_files": {}, "bundles": {}})
    return [out_dir / name for name in forms]


# ---------------------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------------------


def _run_build_sample(args: argparse.Namespace) -> int:
    manifest = build_sample(args.cases, args.out)
    layouts = {entry["layout"] for entry in manifest["forms"].values()}
    print(
        f"已生成 {len(manifest['forms'])} 份申报表（{len(layouts)} 种版式）、{len(manifest['bad_files'])} 个异常文件"
        f"和 {len(manifest['bundles'])} 个批量压缩包，清单见 {args.out / 'manifest.json'}"
    )
    return 0


def add_cli(subparsers: argparse._SubParsersAction) -> None:
    """Register ``build-sample``."""
    parser = subparsers.add_parser("build-sample", help="生成样例申报表（多种版式）与异常文件")
    parser.add_argument("--cases", type=Path, default=DEFAULT_CASES, help="案例 JSON Lines 文件")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="输出目录")
    parser.set_defaults(func=_run_build_sample)
