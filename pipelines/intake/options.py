"""Tick boxes: which category an applicant declared, and the ticked option of a status line.

Tick boxes reach this module as Unicode (``pipelines.intake.docx_body`` writes Word's checkbox controls and
Wingdings glyphs as ☑/☐); applicants also type ■ □ √ 口 and the like.
"""

from __future__ import annotations

import re

from pipelines.intake.labels import BLANKS, nfkc
from pipelines.intake.wordcount import HAN
from pipelines.vocabulary import CATEGORY_STEMS

# Ticked: check marks, crossed boxes and any filled shape, including the block glyphs (▇ █ ▉ ▆ ▓) that
# editors insert for a filled square.
TICKED_MARKS = "☑☒■√✓✔✅⊠▣◼◾▪⬛●◉◆◘◙▆▇█▉▊▋▓"
EMPTY_MARKS = "☐□◻▢○◯⬜◇"
_BOX_MARKS = TICKED_MARKS + EMPTY_MARKS
# Boxes typed as brackets: [√] (✓) 【√】 ticked, [ ] （ ） empty.
_BRACKET_TICK_RE = re.compile(r"[\[(【]\s*[√✓✔vV]\s*[\])】]|\[\s*[xX×]\s*\]")  # [x]: the check-box convention
_BRACKET_EMPTY_RE = re.compile(r"[\[(【][ \u3000]{1,4}[\])】]")


def _unify_marks(text: str) -> str:
    """NFKC, with boxes typed as brackets written as ☑/☐."""
    text = nfkc(text)
    if "(" in text or "[" in text or "【" in text:
        text = _BRACKET_EMPTY_RE.sub("☐", _BRACKET_TICK_RE.sub("☑", text))
    return text


_OPTION_PREFIX_RE = re.compile(r"(?:\(\s*[一二三四五六1-6]\s*\)|[一二三四五六1-6][、.]|[①-⑥])\s*$")


def _mark_before(text: str, position: int) -> str:
    before = text[:position].rstrip(BLANKS)
    before = _OPTION_PREFIX_RE.sub("", before).rstrip(BLANKS)
    last = before[-1:] if before else ""
    return last if last in _BOX_MARKS or last == "口" else ""


def _mark_after(text: str, end: int) -> str:
    rest_of_name = re.match(f"[{HAN}]{{0,6}}类", text[end:])
    after = text[end + (rest_of_name.end() if rest_of_name else 0) :].lstrip(BLANKS + "()（）")
    return after[:1] if after[:1] in TICKED_MARKS else ""


def read_categories(text: str, scan: bool = False) -> tuple[list[int], bool]:
    """Which of the six categories ``text`` ticks.

    A mark before an option (after its number, if any) decides: ☑ ■ √ ✓ ☒ ✔ ticked, □ ☐ 口 empty; an option
    without a mark before it counts as ticked when a tick follows it (``数智技术应用类√``). Without any mark,
    the categories named are the declared ones (``申报类别：数智技术应用类``).

    Args:
        text: the value of the category field (or the whole document, for the fallback scan).
        scan: the text was read by OCR, which drops tick glyphs (☑ → nothing) but reads an empty box as 口:
            one option left without a mark among options with empty boxes is the ticked one.

    Returns:
        (ticked category ids in ascending order, whether any tick box was seen).
    """
    text = _unify_marks(text)
    occurrences = sorted(
        (found.start(), found.end(), category)
        for category, stems in CATEGORY_STEMS.items()
        for stem in stems
        for found in re.finditer(re.escape(stem), text)
    )
    if not occurrences:
        return [], False
    # The first option tells the convention: a box before it, or (without one) a tick after an option.
    marks_after = not _mark_before(text, occurrences[0][0]) and any(
        _mark_after(text, e) for _, e, _ in occurrences
    )
    ticked: set[int] = set()
    boxes = False
    unmarked: set[int] = set()
    for start, end, category in occurrences:
        mark = _mark_before(text, start) if not marks_after else _mark_after(text, end)
        boxes = boxes or bool(mark)
        if mark and mark in TICKED_MARKS:
            ticked.add(category)
        elif not mark:
            unmarked.add(category)
    named = {category for _, _, category in occurrences}
    if scan and boxes and not ticked and len(unmarked) == 1 and not marks_after:
        ticked = unmarked
    return sorted(ticked if boxes else named), boxes


def category_from_number(text: str) -> int | None:
    """``4``, ``四``, ``第四类``, ``（四）`` → 4; None for anything else."""
    core = re.sub(r"[\s()（）第类:：、.]", "", nfkc(text))
    numbers = {str(i): i for i in range(1, 7)} | {c: i for i, c in enumerate("一二三四五六", start=1)}
    return numbers.get(core)


def ticked_option(text: str) -> str | None:
    """The ticked option(s) of a tick-box line (``☑正常运营 ☐在建`` → ``正常运营``); None without boxes."""
    text = _unify_marks(text)
    if not any(mark in text for mark in _BOX_MARKS):
        return None
    chosen = []
    for match in re.finditer(
        rf"([{_BOX_MARKS}])\s*([^{_BOX_MARKS}\t\n]+?)(?=\s{{2,}}|[{_BOX_MARKS}\t\n]|$)", text
    ):
        if match.group(1) in TICKED_MARKS:
            chosen.append(match.group(2).strip(BLANKS))
    return "、".join(chosen)
