"""Figures as the call's cases write them: a number, its magnitude word (万/亿) and its measure word.

``1.2亿次`` and ``12000万次`` give the same key; years and year-months are figures too (a period), so a
re-submission's "new figures" and "later periods" can be told from the old case's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipelines.text import chinese_number, match_text

_MAGNITUDES = {"万": 1e4, "亿": 1e8, "千": 1e3, "百": 1e2}
# Measure words after a number; two-character ones first. Synonyms map to one unit.
_MEASURES = {
    "人次": "人次",
    "万字": "万字",
    "小时": "小时",
    "分钟": "分钟",
    "个月": "月",
    "账号": "账号",
    "元": "元",
    "次": "次",
    "人": "人",
    "名": "人",
    "位": "人",
    "个": "个",
    "家": "家",
    "项": "项",
    "件": "件",
    "条": "条",
    "篇": "篇",
    "期": "期",
    "集": "集",
    "部": "部",
    "场": "场",
    "所": "所",
    "台": "台",
    "套": "套",
    "种": "种",
    "类": "类",
    "支": "支",
    "批": "批",
    "款": "款",
    "档": "档",
    "幅": "幅",
    "张": "张",
    "首": "首",
    "本": "本",
    "份": "份",
    "户": "户",
    "道": "道",
    "门": "门",
    "节": "节",
    "课": "课",
    "天": "天",
    "周": "周",
    "倍": "倍",
    "%": "%",
    "％": "%",
    "‰": "‰",
    "分": "分",
    "秒": "秒",
    "GB": "GB",
    "TB": "TB",
    "G": "G",
    "T": "T",
}
_MEASURE_PATTERN = "|".join(sorted(map(re.escape, _MEASURES), key=len, reverse=True))
# One pass, alternatives tried in order at each position: year-month, year, arabic figure, Chinese numeral.
_FIGURE = re.compile(
    r"(?=[\d零〇一二两三四五六七八九十百千])"  # fail fast where no number starts
    r"(?:(?P<y1>(?:19|20)\d{2})\s*年\s*(?P<m1>\d{1,2})\s*月|(?P<y2>(?:19|20)\d{2})[-./](?P<m2>\d{1,2})(?!\d)"
    r"|(?<!\d)(?P<year>(?:19|20)\d{2})\s*年(?!\d)"
    r"|(?<![\d.a-z])(?P<num>\d+(?:\.\d+)?)\s*(?:余|多)?\s*(?P<mag>万|亿|千|百)?\s*(?:余|多)?\s*(?P<extra>亿)?"
    rf"\s*(?P<measure>{_MEASURE_PATTERN})?"
    rf"|(?P<cn>[零〇一二两三四五六七八九十百千]+)(?:余|多)?(?P<cnmag>万|亿)?(?:余|多)?(?P<cnmeasure>{_MEASURE_PATTERN}))"
)


def _format_value(value: float) -> str:
    return f"{value:.6g}"


@dataclass(frozen=True)
class Figure:
    """A number with its measure word, normalised: ``1.2亿次`` and ``12000万次`` give the same ``key``."""

    key: str  # e.g. "1.2e+08", "12人", "96.5%", "2023-03" for a year-month, "Y2024" for a bare year
    value: float
    unit: str  # normalised measure word ("" for 2800万 without one); "date" or "year" for times
    text: str  # as written


def extract_figures(text: str) -> list[Figure]:
    """Figures with units, year-months and years, normalised (``1.2亿`` = ``12000万``).

    Bare numbers without a measure word or 万/亿 (list numbers, versions like ``2.0``) are skipped; Chinese
    numerals count only with a measure word and when at least 10 (so ``一是``/``两个结合`` are not figures).
    Large or fractional values are keyed by value alone (``310万`` matches ``310万人``).

    Args:
        text: any text.

    Returns:
        Distinct figures (by ``key``) in order of first appearance.
    """
    found: dict[str, Figure] = {}
    for match in _FIGURE.finditer(match_text(text)):
        group = match.groupdict()
        written = match.group(0).strip()
        if group["y1"] or group["y2"]:
            year, month = (group["y1"], group["m1"]) if group["y1"] else (group["y2"], group["m2"])
            if 1 <= int(month) <= 12:
                key = f"{year}-{int(month):02d}"
                found.setdefault(key, Figure(key, float(year), "date", written))
        elif group["year"]:
            key = f"Y{group['year']}"
            found.setdefault(key, Figure(key, float(group["year"]), "year", written))
        elif group["num"]:
            if group["measure"] or group["mag"]:
                value = float(group["num"]) * _MAGNITUDES.get(group["mag"] or "", 1.0)
                _add_figure(found, value * (1e8 if group["extra"] else 1.0), group["measure"] or "", written)
        else:
            value = chinese_number(group["cn"], strict=True)
            if value is not None and value * _MAGNITUDES.get(group["cnmag"] or "", 1.0) >= 10:
                _add_figure(
                    found, value * _MAGNITUDES.get(group["cnmag"] or "", 1.0), group["cnmeasure"], written
                )
    return list(found.values())


def _add_figure(found: dict[str, Figure], value: float, measure: str, written: str) -> None:
    unit = _MEASURES.get(measure, "")
    if unit == "万字":
        value, unit = value * 1e4, "字"
    # a large or fractional number is distinctive by itself (310万 = 310万人, 1.8亿次 = 1.8亿人次);
    # small counts keep their measure word so 12人 and 12家 stay apart
    distinctive = unit not in ("%", "‰") and (value >= 1000 or value != int(value))
    key = _format_value(value) if distinctive else f"{_format_value(value)}{unit}"
    found.setdefault(key, Figure(key, value, unit, written))


def figure_specificity(figure: Figure) -> float:
    """How much a shared figure says: bare years little, small round counts less than 2.7万 or 96.5%."""
    if figure.unit == "year":
        return 0.15
    if figure.unit == "date":
        return 0.6
    if figure.value < 10 and figure.value == int(figure.value):
        return 0.3
    return 1.0
