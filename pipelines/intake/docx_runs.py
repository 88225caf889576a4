"""Run formatting that changes what a paragraph says: hidden text (``w:vanish``) and struck-through text
(``w:strike``, ``w:dstrike``) are not read, and a bold label typed straight before its value is set apart."""

from __future__ import annotations

import re

from lxml import etree

from pipelines.intake.docx_ticks import W
from pipelines.intake.docx_walk import first_child
from pipelines.intake.labels import glued_label_start, match_label
from pipelines.vocabulary import CATEGORY_STEMS

_R, _T, _RPR, _VAL = f"{W}r", f"{W}t", f"{W}rPr", f"{W}val"
# Hidden text is not shown; struck-through text is how applicants delete what does not apply (请删除不适用的类别).
NOT_SHOWN = frozenset(f"{W}{name}" for name in ("vanish", "strike", "dstrike"))
_B, _B_CS = f"{W}b", f"{W}bCs"
GLUED_MAX = 100  # a bold label with its value in one short paragraph


def _on(element: etree._Element) -> bool:
    return element.get(_VAL) not in ("0", "false", "off")


def not_shown(run: etree._Element) -> bool:
    """A run of hidden (``w:vanish``) or struck-through text: it is not read."""
    properties = first_child(run, _RPR)
    return properties is not None and any(p.tag in NOT_SHOWN and _on(p) for p in properties)


def _bold(run: etree._Element) -> bool:
    properties = first_child(run, _RPR)
    if properties is None:
        return False
    bold = properties.find(_B)
    if bold is None:
        bold = properties.find(_B_CS)
    return bold is not None and _on(bold)


def bold_label_apart(paragraph: etree._Element, text: str) -> str:
    """A bold label typed straight before its value (**案例名称**某平台): a tab between them.

    Only a paragraph of plain runs is looked at, and only when its bold start is a known label.
    """
    if not glued_label_start(text):
        return text
    first = paragraph.find(_R)
    if first is None or not _bold(first):
        return text
    length = 0
    for run in paragraph:
        if run.tag != _R:
            continue
        size = sum(len(item.text or "") if item.tag == _T else 1 for item in run if item.tag != _RPR)
        if not size:
            continue
        if not _bold(run):
            break
        length += size
    else:
        return text
    head, rest = text[:length], text[length:]
    if not length or not rest.strip() or rest[0] in "：: \t\u3000":
        return text
    match = match_label(head)
    return f"{head}\t{rest}" if match is not None and not match.inline else text


# The category chosen by formatting alone (请将所选类别加粗/标红): options named in one paragraph, one of them
# highlighted, shaded, bold, underlined or coloured where the others are not, and no tick box anywhere.
_CATEGORY_RE = re.compile("|".join(stem for stems in CATEGORY_STEMS.values() for stem in stems))
_OPTIONS_MAX = 200  # a paragraph of category options is short
_EMPHASIS = {f"{W}highlight": "none", f"{W}shd": "auto", f"{W}b": "0", f"{W}u": "none", f"{W}color": "auto"}


def _emphasis(run: etree._Element) -> frozenset[str]:
    properties = first_child(run, _RPR)
    if properties is None:
        return frozenset()
    found = set()
    for element in properties:
        plain = _EMPHASIS.get(element.tag)
        if plain is None:
            continue
        value = (element.get(f"{W}fill") if element.tag == f"{W}shd" else element.get(_VAL)) or ""
        if (
            value.lower() not in (plain, "false", "off", "ffffff", "000000", "")
            or element.tag == f"{W}b"
            and not value
        ):
            found.add(element.tag)
    return frozenset(found)


def mark_emphasised_option(paragraph: etree._Element, text: str) -> str:
    """``☑`` before the one category option set apart by formatting and ``☐`` before the others, else ``text``
    unchanged."""
    if len(text) > _OPTIONS_MAX or text.count("类") < 2 or len(_CATEGORY_RE.findall(text)) < 2:
        return text
    if any(mark in text for mark in "☑☐□■√✓✔"):
        return text
    offsets, start = [], 0
    for run in paragraph:
        if run.tag != _R:
            continue
        size = sum(len(item.text or "") if item.tag == _T else 1 for item in run if item.tag != _RPR)
        if size and _CATEGORY_RE.search(text, start, start + size):
            offsets.append((start, _emphasis(run)))
        start += size
    kinds = {emphasis for _, emphasis in offsets}
    chosen = [at for at, emphasis in offsets if emphasis]
    if len(offsets) < 2 or len(chosen) != 1 or len(kinds) != 2 or start != len(text):
        return text
    marked, last = [], 0
    for at, emphasis in offsets:
        marked += [text[last:at], "☑" if emphasis else "☐"]
        last = at
    return "".join(marked) + text[last:]
