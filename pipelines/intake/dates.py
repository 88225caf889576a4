"""Launch dates as Chinese applicants write them, normalised to ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.

A date is never made more precise than written: ``2025年`` stays ``2025``; a range gives its start
(``2023年3月—2024年5月`` → ``2023-03``). Digits may be Arabic, full-width or Chinese (``二〇二四年五月``,
``2024年五月``). The launch status (在建, 计划中, 试运行, 已上线; words in ``pipelines.vocabulary``) is read next to
the date, with the sentence that says it, for the eligibility rule.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from pipelines.vocabulary import LAUNCH_STATUS_WORDS

_CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5}
_CN_DIGITS |= {"六": 6, "七": 7, "八": 8, "九": 9}
_CN_DIGIT_CHARS = "".join(_CN_DIGITS)
_CN_SMALL = "一二三四五六七八九十"
_YEAR = rf"(?:[{_CN_DIGIT_CHARS}]{{4}}|(?<!\d)(?:19|20)\d{{2}})"

_CN_DATE = re.compile(
    rf"({_YEAR})\s*年\s*(?:([{_CN_SMALL}]{{1,2}})\s*月(?:\s*([{_CN_SMALL}]{{1,3}})\s*[日号])?)"
    rf"|([{_CN_DIGIT_CHARS}]{{4}})\s*年(?:\s*(\d{{1,2}})\s*月(?:\s*(\d{{1,2}})\s*[日号])?)?"
)
# Year, month and day with 年/月 or one separator used twice (2024年5月1日, 2024.5.1); 2024年5-6月 is a range.
_YMD = re.compile(
    r"(?<!\d)((?:19|20)\d{2})\s*(?:年\s*(\d{1,2})\s*月\s*(\d{1,2})(?!\d)"
    r"|(?P<sep>[./\-])\s*(\d{1,2})\s*(?P=sep)\s*(\d{1,2})(?!\d))"
)
_YMD_COMPACT = re.compile(r"(?<!\d)((?:19|20)\d{2})(0[1-9]|1[0-2])([0-2]\d|3[01])(?!\d)")
_YM = re.compile(
    r"(?<!\d)((?:19|20)\d{2})\s*(?:年\s*(\d{1,2})(?!\d)"
    r"|(?P<sep>[./\-])\s*(\d{1,2})(?!\d)(?!\s*(?P=sep)\s*\d{1,2}(?!\d)))"
)
_Y = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_SHORT_YM = re.compile(r"(?<![\d.])([1-3]\d)\s*年\s*(\d{1,2})\s*月")  # 24年5月 → 2024-05
_EN_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# March 2025, Sept. 2024, 15 May 2024, May 15, 2024 (bilingual forms)
_EN_DATE = re.compile(
    r"(?<![A-Za-z])(?:(\d{1,2})(?:st|nd|rd|th)?\s+)?"
    r"(january|february|march|april|may|june|july|august|september|october|november|december"
    r"|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)(?![a-z])\.?\s*(?:(\d{1,2})(?:st|nd|rd|th)?\s*,?\s*)?"
    r"((?:19|20)\d{2})(?!\d)",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[。；;！!？?\n]")


def _small_number(text: str) -> int:
    """十 → 10, 十二 → 12, 二十一 → 21, 五 → 5 (numbers below 100 written with 十)."""
    if "十" not in text:
        return _CN_DIGITS.get(text, 0)
    tens, _, units = text.partition("十")
    return (_CN_DIGITS.get(tens, 0) if tens else 1) * 10 + (_CN_DIGITS.get(units, 0) if units else 0)


def _year(text: str) -> int:
    return int(text) if text.isdigit() else int("".join(str(_CN_DIGITS[c]) for c in text))


def _format(year: int, month: int | None = None, day: int | None = None) -> str:
    if month is None or not 1 <= month <= 12:
        return f"{year:04d}"
    if day is None or not 1 <= day <= 31:
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}-{month:02d}-{day:02d}"


def _candidates(text: str) -> list[tuple[int, str]]:
    """Every date in ``text`` as (position, normalised date), in order."""
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for match in _CN_DATE.finditer(text):
        if match.group(4):  # 二〇二四年, 二〇二四年5月
            month = int(match.group(5)) if match.group(5) else None
            day = int(match.group(6)) if match.group(6) else None
            found.append((match.start(), _format(_year(match.group(4)), month, day)))
        else:
            month = _small_number(match.group(2))
            day = _small_number(match.group(3)) if match.group(3) else None
            found.append((match.start(), _format(_year(match.group(1)), month, day)))
        taken.append(match.span())
    for match in _EN_DATE.finditer(text):
        day = match.group(1) or match.group(3)
        month = _EN_MONTHS.index(match.group(2).lower()[:3]) + 1
        found.append((match.start(), _format(int(match.group(4)), month, int(day) if day else None)))
        taken.append(match.span())
    for pattern in (_YMD, _YMD_COMPACT, _YM, _Y):
        for match in pattern.finditer(text):
            if any(start <= match.start() < end for start, end in taken):
                continue
            taken.append(match.span())
            found.append((match.start(), _format(*(int(g) for g in match.groups() if g and g.isdigit()))))
    if not found:
        found = [
            (m.start(), _format(2000 + int(m.group(1)), int(m.group(2)))) for m in _SHORT_YM.finditer(text)
        ]
    return sorted(found)


def normalise_date(text: str) -> str | None:
    """The first date written in ``text``, as precise as written.

    Args:
        text: e.g. ``2024年5月``, ``2025.06``, ``2023/9/1``, ``在建，预计2026年6月上线``, ``二〇二四年五月``.

    Returns:
        ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; None when no year is found.
    """
    found = _candidates(unicodedata.normalize("NFKC", text or ""))
    return found[0][1] if found else None


@dataclass(frozen=True)
class Launch:
    """The launch as written: the date, the status and the sentence that says the status."""

    date: str | None  # the first date written (a planned date for 在建/计划中)
    status: str  # 在建 | 计划中 | 试运行 | 已上线 | "" (nothing written)
    evidence: str  # the sentence that gave the status, or the whole text when short


def _sentence(text: str, position: int) -> str:
    """The sentence of ``text`` around ``position``."""
    starts = [m.end() for m in _SENTENCE_END.finditer(text, 0, position)]
    end = _SENTENCE_END.search(text, position)
    return text[starts[-1] if starts else 0 : end.end() if end else len(text)].strip()


def _status(text: str) -> tuple[str, int, str | None]:
    """(status, position of its word, planned date after that word) of one text; ``("", 0, None)`` if none."""
    dates = _candidates(text)
    first_date = dates[0][0] if dates else len(text)
    for status, words in LAUNCH_STATUS_WORDS.items():
        positions = [text.find(word) for word in words if word in text]
        if status in ("在建", "计划中"):
            positions = [p for p in positions if p < first_date]
        if positions:
            position = min(positions)
            later = [date for at, date in dates if at >= position]
            return status, position, later[0] if later else None
    return "", 0, None


def read_launch(launch_text: str, status_text: str = "") -> Launch:
    """Read the launch date and status from the launch field and the status field.

    Args:
        launch_text: e.g. ``在建，预计2026年8月上线`` or ``2024年5月``.
        status_text: the 运行状态 as written or ticked, e.g. ``试运行``.

    Returns:
        The launch. The status written in the status field comes first, then the one in the launch text;
        ``已上线`` when a date is written without any status word. For 计划中 the date is the planned one.
    """
    date = normalise_date(launch_text) or normalise_date(status_text)
    for written in (status_text, launch_text):
        text = unicodedata.normalize("NFKC", written or "").strip()
        status, position, planned = _status(text)
        if status:
            source = written.strip() if len(written.strip()) == len(text) else text
            when = planned if status == "计划中" and planned else date
            return Launch(when, status, _sentence(source, position))
    if date:
        return Launch(date, "已上线", _sentence(launch_text.strip() or status_text.strip(), 0))
    return Launch(None, "", "")
