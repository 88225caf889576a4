"""Low-level reading of a .docx package: the body as paragraphs and tables, straight from the XML.

python-docx repeats the text of merged cells, skips content controls and knows nothing of checkbox controls,
so the document part is parsed once with lxml and walked here. What comes out is deliberately plain:

* every ``w:tc`` once, with its grid column, span and vertical-merge state (Word ``restart`` + bare
  ``vMerge``; WPS ``continue``); content controls (``w:sdt``) at body, row, cell and run level are unwrapped
  without shifting cells;
* tracked insertions kept, deletions and moved-from text left out; smart tags, custom XML, hyperlinks and
  simple fields read through; text boxes read once (``mc:Choice`` before ``mc:Fallback``) and appended after
  the paragraph that anchors them;
* the placeholder text of empty controls (``w:showingPlcHdr``) dropped;
* every tick box (``w14:checkbox``, legacy ``FORMCHECKBOX``, Wingdings/Symbol glyphs) written as
  ``☑`` (ticked) or ``☐`` (not ticked), so later stages only see Unicode.

Strict OOXML files are read by mapping their namespaces onto the transitional ones before parsing.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

from pipelines.schema import IntakeError

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14_NS = "http://schemas.microsoft.com/office/word/2010/wordml"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
W = f"{{{W_NS}}}"
W14 = f"{{{W14_NS}}}"
MC = f"{{{MC_NS}}}"

TICKED = "☑"
UNTICKED = "☐"
MAX_PART_BYTES = 64 * 1024 * 1024  # a real form's document.xml is a few MB; more is a zip bomb

_STRICT_NAMESPACES = {
    b"http://purl.oclc.org/ooxml/wordprocessingml/main": W_NS.encode(),
    b"http://purl.oclc.org/ooxml/drawingml/main": b"http://schemas.openxmlformats.org/drawingml/2006/main",
    b"http://purl.oclc.org/ooxml/officeDocument/relationships": (
        b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    ),
    b"http://purl.oclc.org/ooxml/drawingml/wordprocessingDrawing": (
        b"http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
    ),
    b"http://purl.oclc.org/ooxml/drawingml/picture": b"http://schemas.openxmlformats.org/drawingml/2006/picture",
}

# Symbol-font tick boxes by (font, low byte of the code point): True = ticked, False = empty.
_SYMBOL_TICKS: dict[str, dict[int, bool]] = {
    "wingdings": {
        0xFE: True,
        0xFD: True,
        0x78: True,
        0xFC: True,
        0x6E: True,
        0xA8: False,
        0x6F: False,
        0x71: False,
        0x72: False,
    },
    "wingdings 2": {0x52: True, 0x53: True, 0x54: True, 0x50: True, 0xA3: False, 0x2A: False},
    "symbol": {0xD6: True},
}
_SYMBOL_FONT_RE = re.compile(
    "[" + re.escape("".join({chr(code) for table in _SYMBOL_TICKS.values() for code in table})) + "]"
)

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, remove_comments=True, huge_tree=False, collect_ids=False
)


@dataclass(slots=True)
class Paragraph:
    """A body paragraph; ``heading`` is its outline level (0 = top) or None for body text."""

    text: str
    heading: int | None = None


@dataclass(slots=True)
class Cell:
    """One ``w:tc``: its paragraphs (nested table rows become tab-joined lines) and its place in the grid."""

    paragraphs: list[str]
    col: int
    span: int = 1
    vmerge: str | None = None  # "restart" | "continue" | None
    text: str = field(init=False)  # the paragraphs joined by newlines, stripped

    def __post_init__(self) -> None:
        self.text = "\n".join(self.paragraphs).strip()


@dataclass(slots=True)
class Table:
    rows: list[list[Cell]]


@dataclass
class Body:
    """The document body in reading order, with what is needed to spot picture-only forms."""

    blocks: list[Paragraph | Table] = field(default_factory=list)
    image_count: int = 0
    text_chars: int = 0


def _on(element: etree._Element | None, attribute: str = f"{W}val") -> bool:
    """OOXML on/off value: a bare element means on."""
    if element is None:
        return False
    value = element.get(attribute)
    return value is None or value.strip().lower() in {"1", "true", "on"}


def _read_part(archive: zipfile.ZipFile, name: str, file_name: str) -> bytes:
    info = archive.getinfo(name)
    if info.file_size > MAX_PART_BYTES:
        raise IntakeError(
            "too_large",
            f"文件「{file_name}」解压后的正文超过 {MAX_PART_BYTES // 2**20} MB，不像正常的申报表。"
            "请删除其中的大图或嵌入对象后重新保存再上传。",
            file_name,
        )
    with archive.open(info) as handle:
        data = handle.read(MAX_PART_BYTES + 1)
    if b"purl.oclc.org/ooxml" in data:
        for strict, transitional in _STRICT_NAMESPACES.items():
            data = data.replace(strict, transitional)
    return data


def _relationship_target(archive: zipfile.ZipFile, rels_name: str, type_suffix: str, base: str) -> str | None:
    if rels_name not in archive.NameToInfo:
        return None
    root = etree.fromstring(archive.read(rels_name), _PARSER)
    for rel in root.iter(f"{{{REL_NS}}}Relationship"):
        if rel.get("Type", "").endswith(type_suffix) and rel.get("TargetMode") != "External":
            target = rel.get("Target", "")
            if target.startswith("/"):
                return target.lstrip("/")
            return posixpath.normpath(posixpath.join(base, target))
    return None


def _part_names(archive: zipfile.ZipFile) -> tuple[str | None, str | None]:
    """The main document part and its styles part: the usual names, else where the relationships point."""
    if "word/document.xml" in archive.NameToInfo:
        return "word/document.xml", "word/styles.xml"
    main = _relationship_target(archive, "_rels/.rels", "/officeDocument", "")
    if main not in archive.NameToInfo:
        return None, None
    folder = posixpath.dirname(main)
    rels = posixpath.join(folder, "_rels", posixpath.basename(main) + ".rels")
    return main, _relationship_target(archive, rels, "/styles", folder)


def _corrupt(file_name: str) -> IntakeError:
    return IntakeError(
        "corrupt_docx",
        f"文件「{file_name}」已损坏（压缩包不完整或缺少正文），无法读取。"
        "请用 Word 或 WPS 打开确认能正常显示后重新保存，再上传。",
        file_name,
    )


def read_package(data: bytes, file_name: str) -> Body:
    """Read the body of a .docx given as bytes.

    Args:
        data: the file's bytes (a zip).
        file_name: shown in error messages.

    Returns:
        The body as paragraphs and tables.

    Raises:
        IntakeError: ``corrupt_docx`` for a broken zip or missing document part, ``not_word`` for another
            Office format (Excel, PowerPoint) renamed to .docx, ``too_large`` for a bomb-sized part.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            main, styles_name = _part_names(archive)
            if main is None:
                _raise_missing_document(archive, file_name)
            document = _read_part(archive, main, file_name)
            outline = _outline_levels(archive, styles_name, file_name)
    except IntakeError:
        raise
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        KeyError,
        NotImplementedError,
        RuntimeError,
        OSError,
        etree.XMLSyntaxError,
    ) as exc:
        raise _corrupt(file_name) from exc
    try:
        root = etree.fromstring(document, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise _corrupt(file_name) from exc
    body = root.find(f"{W}body")
    if body is None:
        raise _corrupt(file_name)
    return _BodyReader(outline).read(body)


def _raise_missing_document(archive: zipfile.ZipFile, file_name: str) -> None:
    names = archive.namelist()
    if any(name.startswith(("xl/", "ppt/")) for name in names):
        raise IntakeError(
            "not_word",
            f"文件「{file_name}」是 Excel 或 PowerPoint 文件，只是扩展名被改成了 .docx。"
            "请提交用 Word 填写的申报表（.docx）。",
            file_name,
        )
    raise _corrupt(file_name)


_STYLE_CACHE: dict[tuple[int, int], dict[str, int]] = {}
_STYLE_CACHE_SIZE = 64


def _outline_levels(archive: zipfile.ZipFile, styles_name: str | None, file_name: str) -> dict[str, int]:
    """Outline levels of the paragraph styles, cached by the part's CRC and size: forms written from one
    template share their styles part, so it is decompressed and parsed once."""
    info = archive.NameToInfo.get(styles_name) if styles_name else None
    if info is None:
        return {}
    key = (info.CRC, info.file_size)
    if key not in _STYLE_CACHE:
        if len(_STYLE_CACHE) >= _STYLE_CACHE_SIZE:
            _STYLE_CACHE.clear()
        _STYLE_CACHE[key] = _style_outline_levels(_read_part(archive, info.filename, file_name))
    return _STYLE_CACHE[key]


def _style_outline_levels(styles_xml: bytes) -> dict[str, int]:
    """Paragraph style id → outline level (0 = 标题 1 / Heading 1 / Title), following ``basedOn``."""
    if not styles_xml:
        return {}
    root = etree.fromstring(styles_xml, _PARSER)
    direct: dict[str, int] = {}
    based_on: dict[str, str] = {}
    for style in root.iter(f"{W}style"):
        if style.get(f"{W}type") not in (None, "paragraph"):
            continue
        style_id = style.get(f"{W}styleId", "")
        level = _style_level(style)
        if level is not None:
            direct[style_id] = level
        parent = style.find(f"{W}basedOn")
        if parent is not None:
            based_on[style_id] = parent.get(f"{W}val", "")
    levels = dict(direct)
    for style_id in based_on:
        current, seen = style_id, set()
        while current not in direct and current in based_on and current not in seen:
            seen.add(current)
            current = based_on[current]
        if current in direct:
            levels[style_id] = direct[current]
    return levels


def _style_level(style: etree._Element) -> int | None:
    outline = style.find(f"{W}pPr/{W}outlineLvl")
    if outline is not None and outline.get(f"{W}val", "9").isdigit():
        value = int(outline.get(f"{W}val", "9"))
        return value if value < 9 else None
    name_element = style.find(f"{W}name")
    name = (name_element.get(f"{W}val", "") if name_element is not None else "").lower().replace(" ", "")
    if name in {"title", "标题"}:
        return 0
    for prefix in ("heading", "标题"):
        if name.startswith(prefix) and name[len(prefix) :].isdigit():
            return int(name[len(prefix) :]) - 1
    return None


def _sdt_state(sdt: etree._Element) -> tuple[bool, str | None]:
    """(showing placeholder, tick glyph if this is a checkbox control)."""
    properties = sdt.find(f"{W}sdtPr")
    if properties is None:
        return False, None
    checkbox = properties.find(f"{W14}checkbox")
    if checkbox is not None:
        checked = checkbox.find(f"{W14}checked")
        return False, TICKED if _on(checked, f"{W14}val") else UNTICKED
    return properties.find(f"{W}showingPlcHdr") is not None, None


def _legacy_checkbox(fld_char: etree._Element) -> str | None:
    box = fld_char.find(f"{W}ffData/{W}checkBox")
    if box is None:
        return None
    checked = box.find(f"{W}checked")
    if checked is None:
        checked = box.find(f"{W}default")
    return TICKED if _on(checked) else UNTICKED


def _hex(value: str | None) -> int:
    try:
        return int(value or "0", 16)
    except ValueError:
        return 0


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _symbol_tick(font: str, code: int) -> str | None:
    table = _SYMBOL_TICKS.get(font.strip().lower())
    if table is None:
        return None
    ticked = table.get(code & 0xFF if code >= 0xF000 else code)
    if ticked is None:
        return None
    return TICKED if ticked else UNTICKED


def _run_font(run: etree._Element) -> str:
    fonts = run.find(f"{W}rPr/{W}rFonts")
    if fonts is None:
        return ""
    return fonts.get(f"{W}ascii") or fonts.get(f"{W}hAnsi") or fonts.get(f"{W}eastAsia") or ""


_SKIP = frozenset(
    f"{W}{name}"
    for name in (
        "del",
        "moveFrom",
        "instrText",
        "delText",
        "rPr",
        "pPr",
        "sdtPr",
        "sdtEndPr",
        "proofErr",
        "bookmarkStart",
        "bookmarkEnd",
        "commentReference",
        "footnoteReference",
        "endnoteReference",
        "lastRenderedPageBreak",
        "fldSimplePr",
        "customXmlPr",
        "smartTagPr",
    )
)


class _BodyReader:
    """Walks ``w:body`` once; holds the style levels and the picture/text tallies."""

    def __init__(self, outline_levels: dict[str, int]) -> None:
        self.outline_levels = outline_levels
        self.body = Body()

    def read(self, body: etree._Element) -> Body:
        for element, placeholder in _blocks(body):
            if element.tag == f"{W}p":
                text, floating = self._paragraph(element, placeholder)
                self.body.blocks.append(Paragraph(text, self._heading_level(element)))
                if floating:
                    self.body.blocks.extend(Paragraph(line) for line in floating)
            else:
                self.body.blocks.append(self._table(element, placeholder))
        return self.body

    def _heading_level(self, paragraph: etree._Element) -> int | None:
        properties = _first_child(paragraph, _PPR)
        if properties is None:
            return None
        style_level = None
        for element in properties:
            if element.tag == _OUTLINE:
                level = _int(element.get(_VAL), 9)
                return level if level < 9 else None
            if element.tag == _PSTYLE:
                style_level = self.outline_levels.get(element.get(_VAL, ""))
        return style_level

    # -- paragraphs -------------------------------------------------------------------------------------

    def _paragraph(self, paragraph: etree._Element, placeholder: bool = False) -> tuple[str, list[str]]:
        """The paragraph's text and the lines of any text boxes anchored in it."""
        floating: list[str] = []
        if placeholder:
            return "", floating
        text = _plain_text(paragraph)
        if text is None:
            parts: list[str] = []
            self._inline(paragraph, parts, floating, None)
            text = "".join(parts)
        self.body.text_chars += len(text.strip())
        return text, floating

    def _inline(
        self, element: etree._Element, parts: list[str], floating: list[str], run: etree._Element | None
    ) -> None:
        for child in element:
            tag = child.tag
            if tag == f"{W}t":
                text = child.text or ""
                if run is not None and _SYMBOL_FONT_RE.search(text):
                    font = _run_font(run)
                    text = "".join(_symbol_tick(font, ord(c)) or c for c in text)
                parts.append(text)
            elif tag == f"{W}r":
                self._inline(child, parts, floating, child)
            elif tag in _SKIP or not isinstance(tag, str):
                continue
            elif tag == f"{W}tab":
                parts.append("\t")
            elif tag in (f"{W}br", f"{W}cr"):
                parts.append("\n")
            elif tag == f"{W}noBreakHyphen":
                parts.append("-")
            elif tag == f"{W}sym":
                parts.append(_symbol_tick(child.get(f"{W}font", ""), _hex(child.get(f"{W}char"))) or "")
            elif tag == f"{W}fldChar":
                parts.append(_legacy_checkbox(child) or "")
            elif tag == f"{W}sdt":
                self._inline_sdt(child, parts, floating, run)
            elif tag == f"{MC}AlternateContent":
                self._alternate(child, parts, floating, run)
            elif tag in (f"{W}drawing", f"{W}pict", f"{W}object"):
                self._drawing(child, floating)
            else:
                self._inline(child, parts, floating, run)

    def _inline_sdt(
        self, sdt: etree._Element, parts: list[str], floating: list[str], run: etree._Element | None
    ) -> None:
        placeholder, tick = _sdt_state(sdt)
        if tick is not None:
            parts.append(tick)
        elif not placeholder:
            content = sdt.find(f"{W}sdtContent")
            if content is not None:
                self._inline(content, parts, floating, run)

    def _alternate(
        self, element: etree._Element, parts: list[str], floating: list[str], run: etree._Element | None
    ) -> None:
        """Read ``mc:Choice``; fall back to ``mc:Fallback`` only when the choice yielded nothing."""
        for branch in element:
            if branch.tag not in (f"{MC}Choice", f"{MC}Fallback"):
                continue
            before = (len(parts), len(floating), self.body.image_count)
            self._inline(branch, parts, floating, run)
            if (len(parts), len(floating), self.body.image_count) != before:
                return

    def _drawing(self, element: etree._Element, floating: list[str]) -> None:
        """Pictures and text boxes inside a DrawingML or VML object."""
        for descendant in element.iter():
            tag = descendant.tag
            if not isinstance(tag, str):
                continue
            if tag.endswith("}blip") or tag.endswith("}imagedata"):
                self.body.image_count += 1
            elif tag == f"{W}txbxContent" and not _inside_text_box(descendant, element):
                floating.extend(self._container_lines(descendant))

    def _container_lines(self, container: etree._Element) -> list[str]:
        lines: list[str] = []
        for element, placeholder in _plain_children(container, _BLOCK_TAGS, _CONTAINER_OTHER):
            if element.tag == f"{W}p":
                text, floating = self._paragraph(element, placeholder)
                lines.append(text)
                if floating:
                    lines.extend(floating)
            else:
                lines.extend(_row_line(row) for row in self._table(element, placeholder).rows)
        return lines

    # -- tables -----------------------------------------------------------------------------------------

    def _table(self, table: etree._Element, placeholder: bool) -> Table:
        rows: list[list[Cell]] = []
        for row, row_placeholder in _children(table, _ROW_TAGS, placeholder):
            cells = self._row(row, row_placeholder)
            if cells is not None:
                rows.append(cells)
        return Table(rows)

    def _row(self, row: etree._Element, placeholder: bool) -> list[Cell] | None:
        """The row's cells, or None for a row deleted with tracked changes."""
        cells: list[Cell] = []
        col = 0
        properties = _first_child(row, _TRPR)
        if properties is not None:
            for element in properties:
                if element.tag == _DEL:
                    return None
                if element.tag == _GRID_BEFORE:
                    col = _int(element.get(_VAL), 0)
        for cell, cell_placeholder in _plain_children(row, _CELL_TAGS, _ROW_OTHER, placeholder):
            span, vmerge, hmerge = _cell_merge(_first_child(cell, _TCPR))
            paragraphs = self._container_lines_placeholder(cell, cell_placeholder)
            if hmerge == "continue" and cells:
                merged = cells[-1]
                joined = merged.paragraphs + [p for p in paragraphs if p.strip()]
                cells[-1] = Cell(joined, merged.col, merged.span + span, merged.vmerge)
            else:
                cells.append(Cell(paragraphs, col, span, vmerge))
            col += span
        return cells

    def _container_lines_placeholder(self, cell: etree._Element, placeholder: bool) -> list[str]:
        return [] if placeholder else self._container_lines(cell)


_R, _T, _DEL = f"{W}r", f"{W}t", f"{W}del"
_PPR, _OUTLINE, _PSTYLE = f"{W}pPr", f"{W}outlineLvl", f"{W}pStyle"
_TRPR, _TCPR, _GRID_BEFORE = f"{W}trPr", f"{W}tcPr", f"{W}gridBefore"


def _first_child(parent: etree._Element, tag: str) -> etree._Element | None:
    """A properties element (``w:pPr``, ``w:trPr``, ``w:tcPr``): first by the schema, or second after
    ``w:tblPrEx`` in a row."""
    size = len(parent)
    if size and parent[0].tag == tag:
        return parent[0]
    if size > 1 and parent[1].tag == tag:
        return parent[1]
    return None


_RUN_TEXT = {f"{W}tab": "\t", f"{W}br": "\n", f"{W}cr": "\n", f"{W}noBreakHyphen": "-"}
_RUN_IGNORED = frozenset(f"{W}{name}" for name in ("rPr", "lastRenderedPageBreak", "softHyphen"))
_PARAGRAPH_IGNORED = frozenset(
    f"{W}{name}" for name in ("pPr", "proofErr", "bookmarkStart", "bookmarkEnd", "permStart", "permEnd")
)


def _plain_text(paragraph: etree._Element) -> str | None:
    """Fast path for the usual paragraph: runs holding only text, tabs and breaks.

    Returns None when the paragraph holds anything else (controls, fields, symbols, drawings, tracked
    changes, hyperlinks …) or characters that may be Wingdings tick boxes; the full walk handles those.
    """
    parts: list[str] = []
    for child in paragraph:
        tag = child.tag
        if tag == _R:
            for item in child:
                kind = item.tag
                if kind == _T:
                    parts.append(item.text or "")
                elif kind in _RUN_TEXT:
                    parts.append(_RUN_TEXT[kind])
                elif kind not in _RUN_IGNORED:
                    return None
        elif tag not in _PARAGRAPH_IGNORED:
            return None
    text = "".join(parts)
    return None if _SYMBOL_FONT_RE.search(text) else text


def _cell_merge(properties: etree._Element | None) -> tuple[int, str | None, str | None]:
    """(grid span, vertical merge, horizontal merge) of a cell; merges are "restart", "continue" or None."""
    span, vmerge, hmerge = 1, None, None
    if properties is None:
        return span, vmerge, hmerge
    for element in properties:
        tag = element.tag
        if tag == _GRID_SPAN:
            span = max(_int(element.get(_VAL), 1), 1)
        elif tag == _VMERGE:
            vmerge = "restart" if element.get(_VAL) == "restart" else "continue"
        elif tag == _HMERGE:
            hmerge = "restart" if element.get(_VAL) == "restart" else "continue"
    return span, vmerge, hmerge


_GRID_SPAN, _VMERGE, _HMERGE, _VAL = f"{W}gridSpan", f"{W}vMerge", f"{W}hMerge", f"{W}val"


def _inside_text_box(element: etree._Element, stop: etree._Element) -> bool:
    parent = element.getparent()
    while parent is not None and parent is not stop:
        if parent.tag == f"{W}txbxContent":
            return True
        parent = parent.getparent()
    return False


def _row_line(row: list[Cell]) -> str:
    return "\t".join(" ".join(cell.text.split("\n")) for cell in row if cell.text)


_WRAPPERS = frozenset((f"{W}customXml", f"{W}ins", f"{W}moveTo"))
_BLOCK_TAGS = frozenset((f"{W}p", f"{W}tbl"))
_ROW_TAGS = frozenset((f"{W}tr",))
_CELL_TAGS = frozenset((f"{W}tc",))


def _children(
    parent: etree._Element, tags: frozenset[str], placeholder: bool = False
) -> Iterator[tuple[etree._Element, bool]]:
    """Children with one of ``tags``, looking through content controls and other wrappers.

    A wrapper around a row or cell stays transparent so cells never shift; a content control showing its
    placeholder passes ``placeholder=True`` down so its text is dropped but its cells are kept.
    """
    for child in parent:
        tag = child.tag
        if tag in tags:
            yield child, placeholder
        elif tag == f"{W}sdt":
            showing, _tick = _sdt_state(child)
            content = child.find(f"{W}sdtContent")
            if content is not None:
                yield from _children(content, tags, placeholder or showing)
        elif tag == f"{MC}AlternateContent":
            branch = child.find(f"{MC}Choice")
            branch = child.find(f"{MC}Fallback") if branch is None else branch
            if branch is not None:
                yield from _children(branch, tags, placeholder)
        elif tag in _WRAPPERS:
            yield from _children(child, tags, placeholder)


_ROW_OTHER = frozenset((f"{W}trPr", f"{W}tblPrEx", f"{W}bookmarkStart", f"{W}bookmarkEnd"))
_CONTAINER_OTHER = frozenset((f"{W}tcPr", f"{W}bookmarkStart", f"{W}bookmarkEnd", f"{W}proofErr"))


def _plain_children(
    parent: etree._Element, tags: frozenset[str], other: frozenset[str], placeholder: bool = False
) -> list[tuple[etree._Element, bool]]:
    """``_children`` in one pass when ``parent`` holds only ``tags`` and ``other`` (no wrappers): the usual case."""
    found: list[tuple[etree._Element, bool]] = []
    for child in parent:
        tag = child.tag
        if tag in tags:
            found.append((child, placeholder))
        elif tag not in other:
            return list(_children(parent, tags, placeholder))
    return found


def _blocks(container: etree._Element) -> Iterator[tuple[etree._Element, bool]]:
    """Paragraphs and tables of a body, cell or text box, in order."""
    return _children(container, _BLOCK_TAGS)
