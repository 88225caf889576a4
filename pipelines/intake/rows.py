"""Field reading in table rows: label/value pairs, group labels, header rows above values, unit matrices,
nested tables and 往年申报情况 tables. ``RowReader`` is the table half of ``pipelines.intake.scope.FormReader``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipelines.intake.docx_body import Cell, Table
from pipelines.intake.labels import (
    BLANKS,
    GROUP_KEYS,
    NAMED_GROUPS,
    LabelMatch,
    inline_labels,
    label_core,
    looks_like_heading,
    match_label,
)
from pipelines.intake.options import EMPTY_MARKS, read_categories
from pipelines.intake.wordcount import HAN, count_words

# A heading over several columns of sub-labels that is not itself a field: 单位情况, 单位信息, 基本信息.
_GROUP_HEADING_RE = re.compile(f"[{HAN}]{{1,6}}(?:信息|情况|概况|资料|主体|方式)")


def _group_heading(text: str) -> bool:
    return bool(_GROUP_HEADING_RE.fullmatch(label_core(text)))


def _is_name_column(column: LabelMatch | None, row_label: LabelMatch) -> bool:
    """The column of a unit matrix that holds the row's name: 单位名称/名称/全称, or the row's own field."""
    if column is None:
        return False
    return column.key == row_label.key or (column.key in ("sub", "unit") and "名称" in column.label)


@dataclass
class Entry:
    """One label as read, with the lines of its value."""

    key: str
    label: str
    raw_label: str
    lines: list[str] = field(default_factory=list)
    heading_kind: tuple[str, str] | None = None  # how its heading looked, to spot sibling headings
    weak: bool = False  # read in the signature block or under a 盖章 label: never overwrites a field


class RowReader:
    """Reads table rows into labelled entries; the entries and the open label belong to the subclass."""

    open: Entry | None
    entries: list[Entry]
    options: dict[int, str]  # grid column → category option named in that cell of the row above
    group_labels: dict[int, LabelMatch]  # grid column → vertically merged label
    header: dict[int, LabelMatch]  # grid column → label of a row of labels above values

    def _take(self, match: LabelMatch, values: list[str], kind: tuple[str, str] | None = None) -> None:
        raise NotImplementedError

    def _append(self, line: str) -> None:
        raise NotImplementedError

    def paragraph(self, text: str, heading: int | None, in_cell: bool) -> None:
        raise NotImplementedError

    def _heading_group(self) -> LabelMatch | None:
        entry = self.open
        if entry is None or entry.key not in NAMED_GROUPS or any(line.strip(BLANKS) for line in entry.lines):
            return None
        return LabelMatch(entry.key, entry.label, entry.raw_label)

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
        if any(cell.nested for cell in cells):
            self._row_with_tables(cells)
            return
        if self._layout_cells(cells):
            return
        labels = [self._cell_label(cell) for cell in cells]
        header, self.header = self.header, {}
        if self._previous_header(cells, labels) or self._option_marks(cells, labels):
            return
        in_group = self._heading_group() is not None  # 名称 | 甲报社 under an open 申报单位
        if not any(label is not None and (label.key != "sub" or in_group) for label in labels):
            if not self._values_under_header(cells, header):
                self._row_without_labels(cells)
            return
        if self._header_row(cells, labels, header) or self._matrix_row(cells, labels, header):
            return
        if self._label_on_the_right(cells, labels):
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
            if label.key == "category":
                self._remember_options(cells[index + 1 : end])
            index = end

    def _layout_cells(self, cells: list[Cell]) -> bool:
        """Cells that each hold a layout of their own (the narrative in the left column, the fields as lines in
        the right one; a whole form in one cell): each cell is read line by line, and a cell's edge ends the
        label left open in the cell before it. A row with a bare label cell is a label/value row instead."""
        if all(len(cell.paragraphs) < 3 for cell in cells):
            return False
        layouts = 0
        for cell in cells:
            lines = [line for line in cell.paragraphs if line.strip(BLANKS)]
            if len(lines) < 3:
                if len(lines) == 1 and (match := match_label(lines[0])) is not None and not match.inline:
                    return False
                continue
            found = 0
            for line in lines:
                match = match_label(line)
                found += match is not None and match.key not in ("sub", "ignore")
                if found >= 2:
                    layouts += 1
                    break
        if not layouts:
            return False
        for cell in cells:
            self.open = None
            for paragraph in cell.paragraphs:
                self.paragraph(paragraph, None, in_cell=True)
        return True

    def _label_on_the_right(self, cells: list[Cell], labels: list[LabelMatch | None]) -> bool:
        """A value with its label in the column to its right (某平台 | 案例名称): only when the row ends with its
        one label and starts with plain values, as in a table whose labels all stand on the right."""
        if labels[0] is not None or labels[-1] is None:
            return False  # the usual row starts with its label
        filled = [(cell, label) for cell, label in zip(cells, labels, strict=True) if cell.text]
        if len(filled) < 2 or filled[0][1] is not None or filled[-1][1] is None:
            return False
        label = filled[-1][1]
        if (
            label.inline
            or label.key in ("sub", "section", "signature")
            or any(other for _, other in filled[:-1])
        ):
            return False
        if any(_group_heading(cell.text) for cell, _ in filled[:-1]):
            return False
        self.open = None
        self._take(label, [cell.text for cell, _ in filled[:-1]])
        self.open = None
        return True

    def _remember_options(self, cells: list[Cell]) -> None:
        """Category options one per cell (申报类别 | 全媒体传播建设类 | 内容供给创新类 …): their marks may follow in
        the row below."""
        if sum(bool(cell.text) for cell in cells) < 2:
            return
        named = {
            cell.col: cell.text for cell in cells if cell.text and len(read_categories(cell.text)[0]) == 1
        }
        if len(named) >= 2 and not any(read_categories(text)[1] for text in named.values()):
            self.options = named

    def _option_marks(self, cells: list[Cell], labels: list[LabelMatch | None]) -> bool:
        """The row of marks under a row of category options (``| √ |   |``): the options get their ticks."""
        options, self.options = self.options, {}
        if not options or any(label is not None and label.key != "category" for label in labels):
            return False
        marks = {cell.col: cell.text.strip(BLANKS) for cell in cells if cell.col in options}
        if not any(marks.values()) or any(len(mark) > 2 for mark in marks.values()):
            return False
        entry = next((entry for entry in reversed(self.entries) if entry.key == "category"), None)
        if entry is None:
            return False
        ticked = {col for col, mark in marks.items() if mark and mark not in EMPTY_MARKS + "否无"}
        entry.lines = ["  ".join(("☑" if col in ticked else "☐") + name for col, name in options.items())]
        return True

    def _row_with_tables(self, cells: list[Cell]) -> None:
        """A row whose cell holds a table (基本信息 | [案例名称 | 某平台 …]): the inner rows are read as rows.

        A cell beside it that is a label opens that label for the inner table (申报单位 | [名称 | 甲报社]);
        one that is not (基本信息, written down the cell) is a group heading and ends any open label.
        """
        for cell in cells:
            if cell.nested is None:
                match = match_label(cell.text) if cell.text else None
                if match is not None and match.key != "sub":
                    self._take(match, [])
                elif cell.text:
                    self.open = None
                continue
            for block in cell.nested:
                if isinstance(block, Table):
                    outer, self.group_labels, self.header = self.group_labels, {}, {}
                    for row in block.rows:
                        self.row(row)
                    self.group_labels, self.header = outer, {}
                else:
                    self.paragraph(block.text, None, in_cell=True)

    def _header_row(
        self, cells: list[Cell], labels: list[LabelMatch | None], above: dict[int, LabelMatch]
    ) -> bool:
        """A row of labels only (案例名称 | 申报单位 | 上线时间): their values are in the row below.

        Labels may stand in two rows: a group heading spanning several columns (单位情况, 申报主体, 联系方式)
        over sub-labels (申报单位 | 实施单位, 名称 | 电话), and labels merged down both rows. The second row
        refines the columns of the first (``above``); a sub-label takes its meaning from the group above it.
        """
        if not above and sum(label is not None for label in labels) < 2:
            return False  # the usual label | value row
        filled = [(cell, label) for cell, label in zip(cells, labels, strict=True) if cell.text]
        known = 0
        columns: dict[int, LabelMatch] = {}
        for cell, label in filled:
            if label is not None and label.key == "sub":
                label = qualify(label, above.get(cell.col)) if cell.col in above else None
                if label is None or label.key == "sub":
                    return False
            if label is None:
                if cell.span < 2 or not _group_heading(cell.text):
                    return False
                continue
            if label.inline:
                return False
            known += 1
            columns.update(dict.fromkeys(range(cell.col, cell.col + cell.span), label))
        if known < 2 and not (known and above):
            return False
        self.open = None
        self.header = {**above, **columns}
        return True

    def _matrix_row(
        self, cells: list[Cell], labels: list[LabelMatch | None], header: dict[int, LabelMatch]
    ) -> bool:
        """A row label under a header row (单位类型 | 单位名称 | 统一社会信用代码, then 申报单位 | 甲报社 | 9111…):
        the row's value is the cell under the name column (else the first value); the header stays for the
        next row."""
        filled = [(cell, label) for cell, label in zip(cells, labels, strict=True) if cell.text]
        if not header or len(filled) < 2 or filled[0][1] is None or filled[0][0].col not in header:
            return False
        if any(label is not None for _, label in filled[1:]):
            return False
        label = filled[0][1]
        named = [cell for cell, _ in filled[1:] if _is_name_column(header.get(cell.col), label)]
        value = (named or [filled[1][0]])[0]
        self._take(label, list(value.paragraphs))
        self.open, self.header = None, header
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
        if not any(line.strip(BLANKS) for line in self.open.lines) or not looks_like_heading(lines[0]):
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
    if (label.key == "sub" or label.label in ("单位名称", "单位全称")) and group.key in NAMED_GROUPS:
        key = "contact.name" if group.key == "contact" else group.key
        return LabelMatch(key, label.label, label.raw, label.inline)
    return label
