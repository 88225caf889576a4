"""Field reading by scope: the body's paragraphs and table rows → labelled entries, in document order.

``FormReader`` walks tables row by row and paragraphs one by one:

* a cell or paragraph whose text is a known label (``pipelines.intake.labels``) is a label; the cells after
  it in the row, up to the next label, are its value (so label/value pairs may sit anywhere in a row);
* a label with no value in its row (a heading row, a vertically merged group label, a "案例简介" paragraph)
  stays open and collects the rows or paragraphs that follow until the next label;
* a value is bounded by the next ``label：`` also inside one cell or paragraph (``申报单位：甲 实施单位：乙``);
* the signature, stamp and opinion block (``申报单位意见``, ``主要负责人签字``, ``（盖章）``) is its own scope:
  labels read inside it are weak readings that never overwrite a field;
* in free-form documents a heading styled or numbered like the known section headings starts a section of its
  own, so unknown narrative sections keep their label.
"""

from __future__ import annotations

import re
from dataclasses import replace

from pipelines.intake.docx_body import Body, Paragraph, Table
from pipelines.intake.hints import is_hint
from pipelines.intake.labels import (
    BLANKS,
    ONE_VALUE_KEYS,
    SCALAR_KEYS,
    SIGNATURE_LINE_RE,
    LabelMatch,
    inline_labels,
    label_core,
    looks_like_heading,
    match_label,
    nfkc,
    split_inline_labels,
    weak,
)
from pipelines.intake.options import read_categories
from pipelines.intake.rows import Entry, RowReader

_BOUNDED_LIST_KEYS = frozenset(("category", "attachments"))  # values of several lines, bounded like scalars


def _heading_kind(text: str, level: int | None) -> tuple[str, str] | None:
    if level is not None:
        return ("style", str(level))
    stripped = nfkc(text.strip(BLANKS))
    if re.match(r"^[一二三四五六七八九十]+[、.]", stripped):
        return ("number", "一、")
    if re.match(r"^\(\s*[一二三四五六七八九十]+\s*\)", stripped):
        return ("number", "(一)")
    if re.match(r"^第[一二三四五六七八九十]+[部章节]分?", stripped):
        return ("number", "第一部分")
    return None


def _signature_line(match: LabelMatch) -> bool:
    """A stamp or signature line, or an opinion label (申报单位意见：同意), which no narrative starts with."""
    return match.signed or (match.key == "signature" and (not match.inline or len(match.label) >= 4))


def _annex_mark(match: LabelMatch) -> bool:
    return match.key == "attachments" and not match.inline and label_core(match.raw) == "附件"


def _sub_heading(section: Entry, match: LabelMatch, kind: tuple[str, str] | None) -> bool:
    """``（二）实施路径`` inside 主要做法: a heading of another rank, or one naming the open section again.

    An empty section followed by a heading of another rank that names a different section was an umbrella
    heading (案例介绍 → （一）基本情况 （二）实施路径 …): that heading starts its own section.
    """
    if match.key == "section" and not any(line.strip(BLANKS) for line in section.lines):
        return False
    if match.key == "section" and match.label == section.label:
        return True
    return section.heading_kind is not None and kind is not None and kind != section.heading_kind


class FormReader(RowReader):
    """Collects labelled entries from the body, in document order."""

    def __init__(self) -> None:
        self.entries: list[Entry] = []
        self.open: Entry | None = None
        self.loose: list[
            Paragraph
        ] = []  # paragraphs before any label: a cover page (title and unit fallback)
        self.all_text: list[str] = []
        self.group_labels: dict[int, LabelMatch] = {}  # grid column → vertically merged label
        self.header: dict[int, LabelMatch] = {}  # grid column → label of a row of labels above values
        self.options: dict[int, str] = {}  # grid column → category option of the row above
        self.from_scan = False
        self.in_signature = False  # inside the signature/stamp/opinion block

    def feed(self, body: Body) -> None:
        """Read every block of ``body`` in order into ``entries``, then the page headers and footers.

        Headers and footers come after the body, each block on its own (nothing stays open across them), so
        a field written there fills what the body left empty and a body value read first is kept.
        """
        self.from_scan = body.from_scan
        for block in body.blocks:
            self._block(block)
        for block in body.margins:
            self.open, self.in_signature, self.header = None, False, {}
            self._block(block, margin=True)
        self.open = None

    def _block(self, block: Paragraph | Table, margin: bool = False) -> None:
        if isinstance(block, Paragraph):
            self.all_text.append(block.text)
            self.paragraph(block.text, block.heading, in_cell=False)
            if not self.entries and not margin and block.text.strip(BLANKS):
                self.loose.append(block)
        else:
            self.group_labels = {}
            for row in block.rows:
                self.all_text.extend(cell.text for cell in row)
                self.row(row)

    # -- entries ------------------------------------------------------------------------------------

    def _add(self, match: LabelMatch, kind: tuple[str, str] | None = None) -> Entry:
        if match.key == "signature":
            self.in_signature = True
        elif match.key == "section" or not (match.inline or match.signed):
            self.in_signature = False  # a bare field label or a section heading ends the block
        elif self.in_signature:
            match = weak(match)
        lines = [match.inline] if match.inline else []
        entry = Entry(match.key, match.label, match.raw, lines, kind, match.signed)
        self.entries.append(entry)
        return entry

    def _take(self, match: LabelMatch, values: list[str], kind: tuple[str, str] | None = None) -> None:
        """Record a label; it stays open for following rows unless it is a scalar that got its value.

        The value of a one-value field, a category or an attachment list ends at the next ``label：`` written
        in the same text (``案例类别：数智技术应用类  上线时间：2025年2月``); the labels found there are taken
        after it.
        """
        following: list[LabelMatch] = []
        if match.key in ONE_VALUE_KEYS or match.key in _BOUNDED_LIST_KEYS:
            head, following = inline_labels(match.inline)
            if following:
                match = replace(match, inline=head)
            bounded = []
            for value in values:
                value_head, more = inline_labels(value)
                bounded.append(value_head)
                following.extend(more)
            values = bounded
        entry = self._add(match, kind)
        entry.lines.extend(value for value in values if value)
        has_value = any(line.strip(BLANKS) for line in entry.lines)
        self.open = None if has_value and match.key in ONE_VALUE_KEYS else entry
        for extra in following:
            self._take(extra, [])

    def _append(self, line: str) -> None:
        if self.open is None:
            return
        self.open.lines.append(line)
        if self.open.key in SCALAR_KEYS and line.strip(BLANKS) and not is_hint(line):
            self.open = None

    # -- paragraphs ---------------------------------------------------------------------------------

    def paragraph(self, text: str, heading: int | None, in_cell: bool) -> None:
        """One paragraph of the body or of a single-cell row, line by line (``w:br`` splits lines)."""
        for line in text.split("\n"):
            if line.strip(BLANKS):
                self._line(line, heading, in_cell)

    def _line(self, text: str, heading: int | None, in_cell: bool) -> None:
        if SIGNATURE_LINE_RE.fullmatch(text.strip(BLANKS)):
            self.open = self._add(LabelMatch("signature", "盖章", text))
            return
        # Inside a narrative section "成效：……" is prose; only a sibling heading may carry an inline label.
        kind = _heading_kind(text, heading)
        in_section = self.open is not None and self.open.key == "section"
        if in_section and (signed := match_label(text)) is not None and _signature_line(signed):
            self._take(signed, [])  # 申报单位（盖章）：, 主要负责人签字： end the narrative
            return
        inline_allowed = not in_section or (kind is not None and kind == self.open.heading_kind)
        several = split_inline_labels(text) if inline_allowed else []
        if not several and inline_allowed and self._awaiting_value():
            head, several = inline_labels(text)  # 甲报社  实施单位：乙公司, under an open 申报单位
            if several and head:
                self._append(head)
        if several:
            for match in several:
                self._take(match, [])
            return
        match = match_label(text)
        if match is not None and not self.entries and _annex_mark(match):
            return  # 附件 above the form's title: the annex number of an official document, not a field
        if (
            match is not None
            and match.key != "sub"
            and (inline_allowed or not match.inline)
            and not (in_section and _sub_heading(self.open, match, kind))
        ):
            self._take(match, [], kind)
            return
        if not in_cell and kind is not None and looks_like_heading(text) and not self._option_line(text):
            if self._starts_unknown_section(text, kind):
                return
            if self.open is not None and self.open.key != "section":
                self.open = None  # a heading such as 二、案例内容 ends a list like 往年申报情况
                return
        if self.open is not None:
            self._append(text)

    def _awaiting_value(self) -> bool:
        entry = self.open
        return (
            entry is not None
            and entry.key in ONE_VALUE_KEYS
            and not any(line.strip(BLANKS) and not is_hint(line) for line in entry.lines)
        )

    def _option_line(self, text: str) -> bool:
        """A numbered option under an empty category label (``申报类别：`` then ``（六）国际传播能力建设类``) is its
        value, not a heading; under a numbered heading (``一、案例类别`` in the call text) it is a sub-heading."""
        entry = self.open
        return (
            entry is not None
            and entry.key == "category"
            and entry.heading_kind is None
            and not any(line.strip(BLANKS) for line in entry.lines)
            and bool(read_categories(text)[0])
        )

    def _starts_unknown_section(self, text: str, kind: tuple[str, str]) -> bool:
        if kind[0] == "style" and int(kind[1]) > 1:
            return False
        open_kind = self.open.heading_kind if self.open is not None else None
        sections_seen = any(entry.key == "section" for entry in self.entries)
        if open_kind != kind and (open_kind is not None or not sections_seen):
            return False
        self._take(LabelMatch("section", label_core(text), text.strip(BLANKS)), [], kind)
        return True
