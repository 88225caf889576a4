"""Launch dates as Chinese applicants write them, normalised to ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.

A date is never made more precise than written: ``2025年`` stays ``2025``. Words that say the case is not yet
online (在建, 预计 …) are reported separately so eligibility can see them next to the date.
"""

from __future__ import annotations

import re
import unicodedata

_CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5}
_CN_DIGITS |= {"六": 6, "七": 7, "八": 8, "九": 9}
_CN_DIGIT_CHARS = "".join(_CN_DIGITS)
_CN_SMALL = "一二三四五六七八九十"

_CN_DATE = re.compile(
    rf"([{_CN_DIGIT_CHARS}]{{4}})\s*年(?:\s*([{_CN_SMALL}]{{1,2}})\s*月(?:\s*([{_CN_SMALL}]{{1,3}})\s*[日号])?)?"
)
_YMD = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[年./\-]\s*(\d{1,2})\s*[月./\-]\s*(\d{1,2})(?!\d)")
_YMD_COMPACT = re.compile(r"(?<!\d)((?:19|20)\d{2})(0[1-9]|1[0-2])([0-2]\d|3[01])(?!\d)")
_YM = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[年./\-]\s*(\d{1,2})(?!\d)(?!\s*[./\-]\s*\d)")
_Y = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")

BUILDING_WORDS = ("在建", "建设中", "正在建设", "开发中", "研发中", "测试中", "内测")
PLANNED_WORDS = ("计划中", "计划于", "计划在", "预计", "拟于", "拟在", "将于", "筹备", "待上线")


def _small_number(text: str) -> int:
    """十 → 10, 十二 → 12, 二十一 → 21, 五 → 5 (numbers below 100 written with 十)."""
    if "十" not in text:
        return _CN_DIGITS.get(text, 0)
    tens, _, units = text.partition("十")
    return (_CN_DIGITS.get(tens, 0) if tens else 1) * 10 + (_CN_DIGITS.get(units, 0) if units else 0)


def _format(year: int, month: int | None = None, day: int | None = None) -> str | None:
    if month is None:
        return f"{year:04d}"
    if not 1 <= month <= 12:
        return f"{year:04d}"
    if day is None:
        return f"{year:04d}-{month:02d}"
    if not 1 <= day <= 31:
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}-{month:02d}-{day:02d}"


def _candidates(text: str) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for match in _CN_DATE.finditer(text):
        year = int("".join(str(_CN_DIGITS[c]) for c in match.group(1)))
        month = _small_number(match.group(2)) if match.group(2) else None
        day = _small_number(match.group(3)) if match.group(3) else None
        found.append((match.start(), _format(year, month, day) or ""))
    taken: list[tuple[int, int]] = []
    for pattern in (_YMD, _YMD_COMPACT, _YM, _Y):
        for match in pattern.finditer(text):
            if any(start <= match.start() < end for start, end in taken):
                continue
            taken.append(match.span())
            numbers = [int(g) for g in match.groups()]
            found.append((match.start(), _format(*numbers) or ""))
    return sorted(found)


def normalise_date(text: str) -> str | None:
    """The first date written in ``text``, as precise as written.

    Args:
        text: e.g. ``2024年5月``, ``2025.06``, ``2023/9/1``, ``在建，预计2026年6月上线``, ``二〇二四年五月``.

    Returns:
        ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; None when no year is found.
    """
    cleaned = unicodedata.normalize("NFKC", text or "")
    found = _candidates(cleaned)
    return found[0][1] if found else None


def status_hint(text: str) -> str:
    """``在建``, ``计划中`` or ``未上线`` when the text says the case is not online yet, else ``""``.

    Args:
        text: a launch-date or status text such as ``在建，预计2026年6月上线``.
    """
    if any(word in text for word in BUILDING_WORDS):
        return "在建"
    if any(word in text for word in PLANNED_WORDS):
        return "计划中"
    return "未上线" if "未上线" in text else ""
