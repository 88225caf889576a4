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
from dataclasses import dataclass, field, replace

from pipelines.intake.docx_body import Body, Cell, Paragraph
from pipelines.intake.hints import is_hint
from pipelines.intake.labels import (
    BLANKS,
    GROUP_KEYS,
    NAMED_GROUPS,
    ONE_VALUE_KEYS,
    SCALAR_KEYS,
    SIGNATURE_LINE_RE,
    LabelMatch,
    inline_labels,
    label_core,
    match_label,
    nfkc,
    split_inline_labels,
    weak,
)
from pipelines.intake.wordcount import HAN, count_words


@dataclass
class Entry:
    """One label as read, with the lines of its value."""

    key: str
    label: str
    raw_label: str
    lines: list[str] = field(default_factory=list)
    heading_kind: tuple[str, str] | None = None  # how its heading looked, to spot sibling headings
    weak: bool = False  # read in the signature block or under a 盖章 label: never overwrites a field


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


def _looks_like_heading(text: str) -> bool:
    stripped = text.strip(BLANKS)
    core = label_core(stripped)
    return 1 < len(core) <= 20 and not re.search(r"[。；;，,！？!?]", stripped.rstrip("。"))


def _sub_heading(section: Entry, match: LabelMatch, kind: tuple[str, str] | None) -> bool:
    """``（二）实施路径`` inside 主要做法: a heading of another rank, or one naming the open section again."""
    if match.key == "section" and match.label == section.label:
        return True
    return section.heading_kind is not None and kind is not None and kind != section.heading_kind


class FormReader:
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
        self.in_signature = False  # inside the signature/stamp/opinion block

    def feed(self, body: Body) -> None:
        """Read every block of ``body`` in order into ``entries``."""
        for block in body.blocks:
            if isinstance(block, Paragraph):
                self.all_text.append(block.text)
                self.paragraph(block.text, block.heading, in_cell=False)
                if not self.entries and block.text.strip(BLANKS):
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

        The value of a one-value field ends at the next ``label：`` written in the same text; the labels
        found there are taken after it.
        """
        following: list[LabelMatch] = []
        if match.key in ONE_VALUE_KEYS:
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
        if (
            match is not None
            and match.key != "sub"
            and (inline_allowed or not match.inline)
            and not (in_section and _sub_heading(self.open, match, kind))
        ):
            self._take(match, [], kind)
            return
        if not in_cell and kind is not None and _looks_like_heading(text):
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

    def _starts_unknown_section(self, text: str, kind: tuple[str, str]) -> bool:
        if kind[0] == "style" and int(kind[1]) > 1:
            return False
        open_kind = self.open.heading_kind if self.open is not None else None
        sections_seen = any(entry.key == "section" for entry in self.entries)
        if open_kind != kind and (open_kind is not None or not sections_seen):
            return False
        self._take(LabelMatch("section", label_core(text), text.strip(BLANKS)), [], kind)
        return True

    # -- table rows ---------------------------------------------------------------------------------

    def _cell_label(self, cell: Cell) -> LabelMatch | None:
        if cell.vmerge == "continue":
            group = self.group_labels.get(cell.col)
            return LabelMatch(group.key, group.label, group.raw) if group else None
        match = match_label(cell.text) if cell.text else None
        filled = [paragraph for paragraph in cell.paragraphs if paragraph.strip(BLANKS)]
        if match is None and len(filled) > 1:
            first = match_label(filled[0])
            if first is not None and first.key != "sub" and not first.inline:
                match = LabelMatch(first.key, first.label, first.raw, "\n".join(filled[1:]))
        for col in range(cell.col, cell.col + cell.span):
            self.group_labels.pop(col, None)
        if match is not None and cell.vmerge == "restart":
            self.group_labels[cell.col] = match
        return match

    def row(self, cells: list[Cell]) -> None:
        """One table row: label/value pairs, a group label with sub-labels, or a continuation row."""
        labels = [self._cell_label(cell) for cell in cells]
        header, self.header = self.header, {}
        if self._previous_header(cells, labels):
            return
        if not any(label is not None and label.key != "sub" for label in labels):
            if not self._values_under_header(cells, header):
                self._row_without_labels(cells)
            return
        if self._header_row(cells, labels):
            return
        group = self._heading_group()  # 实施单位信息 on a row of its own, then 单位名称 | 乙公司
        self.open = None
        index = 0
        while index < len(cells):
            label = labels[index]
            if label is None:
                index += 1
                continue
            end = index + 1
            while end < len(cells) and labels[end] is None:
                end += 1
            values = [cells[i].text for i in range(index + 1, end) if cells[i].text]
            if label.key == "previous" or (group is not None and group.key == "previous"):
                self._previous_row(label, cells[index + 1 :], group)
                return
            if end == index + 1 and end < len(cells) and label.key in GROUP_KEYS and not label.inline:
                group = label
                index = end
                continue
            self._take(qualify(label, group), values)
            index = end

    def _heading_group(self) -> LabelMatch | None:
        entry = self.open
        if entry is None or entry.key not in NAMED_GROUPS or any(line.strip(BLANKS) for line in entry.lines):
            return None
        return LabelMatch(entry.key, entry.label, entry.raw_label)

    def _header_row(self, cells: list[Cell], labels: list[LabelMatch | None]) -> bool:
        """A row of labels only (案例名称 | 申报单位 | 上线时间): their values are in the row below."""
        filled = [(cell, label) for cell, label in zip(cells, labels, strict=True) if cell.text]
        if len(filled) < 2 or any(label is None or label.key == "sub" or label.inline for _, label in filled):
            return False
        self.open = None
        self.header = {cell.col: label for cell, label in filled if label is not None}
        return True

    def _values_under_header(self, cells: list[Cell], header: dict[int, LabelMatch]) -> bool:
        pairs = [(header[cell.col], cell) for cell in cells if cell.text and cell.col in header]
        for label, cell in pairs:
            self._take(label, list(cell.paragraphs))
        return bool(pairs)

    def _previous_header(self, cells: list[Cell], labels: list[LabelMatch | None]) -> bool:
        """A header row (年份 | 案例名称 | 结果) under an open 往年申报情况 belongs to it, not to the title."""
        if self.open is None or self.open.key != "previous":
            return False
        filled = [(cell, label) for cell, label in zip(cells, labels, strict=True) if cell.text]
        if not filled or any(label is None or label.key not in ("sub", "title") for _, label in filled):
            return False
        self._append("\t".join(cell.text for cell, _ in filled))
        return True

    def _previous_row(self, label: LabelMatch, rest: list[Cell], group: LabelMatch | None) -> None:
        line = "\t".join(filter(None, [label.inline, *(cell.text for cell in rest)]))
        if group is not None and label.key != "previous":
            line = "\t".join(filter(None, [label.raw.strip(BLANKS), line]))
        target = group if group is not None else label
        self._take(LabelMatch("previous", target.label, target.raw), [line] if line else [])

    def _row_without_labels(self, cells: list[Cell]) -> None:
        filled = [cell for cell in cells if cell.text]
        if len(filled) == 1:
            cell = filled[0]
            if not self._unknown_label_row(cell):
                for paragraph in cell.paragraphs:
                    self.paragraph(paragraph, None, in_cell=True)
            return
        if len(filled) > 1 and any(inline_labels(p)[1] for cell in filled for p in cell.paragraphs):
            for cell in filled:  # 申报单位：甲 | 联系人：张三 — label：value pairs in several cells
                for paragraph in cell.paragraphs:
                    self.paragraph(paragraph, None, in_cell=True)
            return
        if len(filled) == 2 and self._unknown_pair(filled[0], filled[1]):
            return
        if filled and self.open is not None:
            self._append("\t".join(cell.text.replace("\n", " ") for cell in filled))

    def _unknown_label_row(self, cell: Cell) -> bool:
        """A row holding only a short title after a section's text: the next section, under its own label."""
        lines = [line for line in cell.paragraphs if line.strip(BLANKS)]
        if len(lines) != 1 or self.open is None or self.open.key != "section":
            return False
        core = label_core(lines[0])
        if not any(line.strip(BLANKS) for line in self.open.lines) or not _looks_like_heading(lines[0]):
            return False
        if len(core) > 12 or re.search(r"\d", core) or len(re.findall(f"[{HAN}]", core)) < 2:
            return False
        self._take(LabelMatch("section", core, lines[0]), [])
        return True

    def _unknown_pair(self, label_cell: Cell, value_cell: Cell) -> bool:
        """A short unknown label beside a long text: a narrative section under its own label."""
        core = label_core(label_cell.text)
        if not (1 < len(core) <= 10) or re.search(r"\d", core) or count_words(value_cell.text) < 40:
            return False
        self._take(LabelMatch("section", core, label_cell.text), list(value_cell.paragraphs))
        return True


def qualify(label: LabelMatch, group: LabelMatch | None) -> LabelMatch:
    """A sub-label (名称, 姓名 …) takes its meaning from the group label it sits under."""
    if group is None:
        return label
    if (label.key == "sub" or label.label == "单位名称") and group.key in NAMED_GROUPS:
        key = "contact.name" if group.key == "contact" else group.key
        return LabelMatch(key, label.label, label.raw, label.inline)
    return label
