"""Figures as the call's cases write them: a number, its magnitude word (万/亿) and its measure word.

``1.2亿次`` and ``12000万次`` give the same key; years and year-months are figures too (a period), so a
re-submission's "new figures" and "later periods" can be told from the old case's.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

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
}
_MEASURE_PATTERN = "|".join(sorted(map(re.escape, _MEASURES), key=len, reverse=True))
# One pass, alternatives tried in order at each position: year-month, year, arabic figure, Chinese numeral,
# vague quantity (上万、数十万、几百).
_FIGURE = re.compile(
    r"(?=[\d零〇一二两三四五六七八九十百千上数几成])"  # fail fast where no number starts
    r"(?:(?P<y1>(?:19|20)\d{2})\s*年\s*(?P<m1>\d{1,2})\s*月|(?P<y2>(?:19|20)\d{2})[-./](?P<m2>\d{1,2})(?!\d)"
    r"|(?<!\d)(?P<year>(?:19|20)\d{2})\s*年(?!\d)"
    r"|(?<![\d.a-z,])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(?P<more1>余|多)?\s*(?P<mag>万|亿|千|百)?"
    r"\s*(?P<more2>余|多)?\s*(?P<extra>亿)?"
    rf"\s*(?P<measure>{_MEASURE_PATTERN})?"
    rf"|(?!十分(?!钟))(?P<cn>[零〇一二两三四五六七八九十百千]+)(?:余|多)?(?P<cnmag>万|亿)?(?:余|多)?(?P<cnmeasure>{_MEASURE_PATTERN})"
    rf"|(?P<vague>(?:成千上万|上|数|几)(?:十|百|千)?(?:万|亿)?)(?P<vmeasure>{_MEASURE_PATTERN})?)"
)
_VAGUE_VALUES = {"十": 30.0, "百": 300.0, "千": 3000.0}
# Words before a number that make it approximate (约 2000 人、近 3 万、将近一半).
_APPROX_BEFORE = re.compile(
    r"(?:约|大约|近|将近|接近|大概|估计|预估|左右|上下|差不多|几乎)(?:有|为|是|达)?\s*$"
)
_APPROX_AFTER = re.compile(r"^\s*(?:左右|上下|以上)")
# A number right after these is an ordinal, a weekday or a rank, not a quantity.
_NOT_QUANTITY_BEFORE = re.compile(r"(?:第|周|星期|top|TOP)\s*$")


def _format_value(value: float) -> str:
    return f"{value:.6g}"


@dataclass(frozen=True)
class Figure:
    """A number as a case states it: value, unit, magnitude word, and what the clause says about it.

    ``1.2亿次`` and ``12000万次`` give the same ``key``. ``extract_figures`` fills the first fields;
    ``read_figures`` also fills ``date``, ``baseline``, ``growth`` and ``sourced`` from the clause around
    the figure (the claims stage calls it per clause).
    """

    key: str  # e.g. "1.2e+08", "12人", "96.5%", "2023-03" for a year-month, "Y2024" for a bare year
    value: float
    unit: str  # normalised measure word ("" for 2800万 without one); "date" or "year" for times
    text: str  # as written
    magnitude: str = ""  # the magnitude word as written: 万, 亿, 千, 百 or ""
    approx: bool = False  # 约、近、上万、数十、左右: an estimate, not a measured value
    start: int = -1  # span in the text it was read from
    end: int = -1
    date: str = ""  # the period it is stated for in its clause ("2024-05", "Y2024") or ""
    baseline: bool = False  # compared with an earlier value or another unit (较上年、同比、从…到…)
    growth: bool = False  # a change rather than a level (增长、提升、翻番、下降)
    sourced: bool = False  # the clause names where it comes from (据…统计、第三方监测、审计)

    @property
    def kind(self) -> str:
        """``count``, ``percent``, ``multiple``, ``date`` or ``year``."""
        if self.unit in ("date", "year"):
            return self.unit
        return {"%": "percent", "‰": "percent", "倍": "multiple"}.get(self.unit, "count")

    @property
    def weight(self) -> float:
        """How much the figure weighs as a result: 1 for tiny counts up to 3 for 1e8; percents and
        multiples on their own scales; 0 for dates and years."""
        if self.kind in ("date", "year"):
            return 0.0
        if self.kind == "percent":
            return 1.0 + math.log10(1.0 + max(self.value, 0.0)) / 2.0
        if self.kind == "multiple":
            return 1.0 + math.log10(1.0 + 100.0 * max(self.value, 0.0)) / 2.0
        return 1.0 + math.log10(max(self.value, 1.0)) / 4.0


def find_figures(text: str, vague: bool = True) -> list[Figure]:
    """Every figure in ``text`` in order, with its span (years and year-months included, kind date/year).

    Bare numbers without a measure word or 万/亿 (list numbers, versions like ``2.0``), ordinals (第3个) and
    Chinese numerals below 10 (一是、两个结合) are skipped.

    Args:
        text: any text.
        vague: also return vague quantities (上万人次、数十家), marked ``approx``.

    Returns:
        Figures in order of appearance.
    """
    folded = match_text(text)
    found: list[Figure] = []
    for match in _FIGURE.finditer(folded):
        figure = _figure(match, folded, vague)
        if figure is not None:
            found.append(figure)
    return found


def _figure(match: re.Match[str], folded: str, vague: bool) -> Figure | None:
    group = match.groupdict()
    written = match.group(0).strip()
    span = {"start": match.start(), "end": match.start() + len(match.group(0).rstrip())}
    if group["y1"] or group["y2"]:
        year, month = (group["y1"], group["m1"]) if group["y1"] else (group["y2"], group["m2"])
        if not 1 <= int(month) <= 12:
            return None
        return Figure(f"{year}-{int(month):02d}", float(year), "date", written, **span)
    if group["year"]:
        return Figure(f"Y{group['year']}", float(group["year"]), "year", written, **span)
    if _NOT_QUANTITY_BEFORE.search(folded[: match.start()]) or folded[match.end() : match.end() + 1] == "号":
        return None
    approx = bool(
        _APPROX_BEFORE.search(folded[: match.start()]) or _APPROX_AFTER.match(folded[match.end() :])
    )
    if group["num"]:
        if not (group["measure"] or group["mag"]):
            return None
        value = float(group["num"].replace(",", "")) * _MAGNITUDES.get(group["mag"] or "", 1.0)
        value *= 1e8 if group["extra"] else 1.0
        return _quantity(value, group["measure"] or "", written, group["mag"] or "", approx, span)
    if group["cn"]:
        value = chinese_number(group["cn"], strict=True)
        if value is None or value * _MAGNITUDES.get(group["cnmag"] or "", 1.0) < 10:
            return None
        value *= _MAGNITUDES.get(group["cnmag"] or "", 1.0)
        return _quantity(value, group["cnmeasure"], written, group["cnmag"] or "", approx, span)
    words = group["vague"]
    if not vague or not (group["vmeasure"] or words[-1] in "万亿") or words in ("上", "数", "几", "成"):
        return None
    value = 1.0
    for char in words.replace("成千上万", "万"):
        value = (
            _VAGUE_VALUES.get(char, value) if char in _VAGUE_VALUES else value * _MAGNITUDES.get(char, 1.0)
        )
    magnitude = next((char for char in reversed(words) if char in "万亿"), "")
    return _quantity(value, group["vmeasure"] or "", written, magnitude, True, span)


def _quantity(value: float, measure: str, written: str, magnitude: str, approx: bool, span: dict) -> Figure:
    unit = _MEASURES.get(measure, "")
    if unit == "万字":
        value, unit = value * 1e4, "字"
    # a large or fractional number is distinctive by itself (310万 = 310万人, 1.8亿次 = 1.8亿人次);
    # small counts keep their measure word so 12人 and 12家 stay apart
    distinctive = unit not in ("%", "‰") and (value >= 1000 or value != int(value))
    key = _format_value(value) if distinctive else f"{_format_value(value)}{unit}"
    return Figure(key, value, unit, written, magnitude, approx, **span)


def extract_figures(text: str) -> list[Figure]:
    """Distinct figures with units, year-months and years, normalised (``1.2亿`` = ``12000万``).

    As ``find_figures`` without vague quantities, one figure per ``key``, in order of first appearance.
    Large or fractional values are keyed by value alone (``310万`` matches ``310万人``).

    Args:
        text: any text.

    Returns:
        Distinct figures (by ``key``).
    """
    found: dict[str, Figure] = {}
    for figure in find_figures(text, vague=False):
        found.setdefault(figure.key, figure)
    return list(found.values())


# What a clause says about its figures. Exact cues only: a named source, a comparison, a change, a period.
SOURCE_CUE = re.compile(
    r"据[^，。；]{1,30}(?:统计|监测|测算|数据|显示|报告|调查|核算|审计|认定|评估|发布)|来源[:：于]|数据来自|"
    r"第三方|审计|监测(?:显示|数据)|抽样调查|统计局|公证|(?:报告|年报|财报|榜单|评估)显示|经[^，。；]{1,20}(?:核实|认定|审计|评估)"
)
_BASELINE = re.compile(
    r"较|同比|环比|相比|比(?:上|去|前)[年月季]|比[^，。；]{1,12}(?:增|多|提高|提升|下降|减少)|"
    r"(?:从|由)[^，。；]{0,20}\d[^，。；]{0,20}(?:增|提|升|降|减|扩|到|至)|基数|基线|此前"
)
_GROWTH = re.compile(r"增长|增加|提升|提高|上升|翻番|翻了|下降|降低|减少|缩短|扩大|增幅|涨")
_PERIOD = re.compile(r"截至|截止|(?:19|20)\d{2}\s*年|上半年|下半年|全年|年度|季度")


def read_figures(clause: str) -> list[Figure]:
    """The figures of one clause (vague ones included) with what the clause says about them.

    ``date`` is the first year-month or year of the clause; ``baseline``, ``growth`` and ``sourced`` are
    set when the clause compares, states a change, or names a source. Dates and years themselves are
    returned too (kind ``date``/``year``).

    Args:
        clause: one claim's text.

    Returns:
        Figures in order of appearance.
    """
    figures = find_figures(clause)
    times = [f for f in figures if f.kind in ("date", "year")]
    date = times[0].key if times else ("period" if _PERIOD.search(clause) else "")
    facts = {
        "date": date,
        "baseline": bool(_BASELINE.search(clause)),
        "growth": bool(_GROWTH.search(clause)),
        "sourced": bool(SOURCE_CUE.search(clause)),
    }
    return [f if f.kind in ("date", "year") else replace(f, **facts) for f in figures]


def figure_specificity(figure: Figure) -> float:
    """How much a shared figure says: bare years little, small round counts less than 2.7万 or 96.5%."""
    if figure.unit == "year":
        return 0.15
    if figure.unit == "date":
        return 0.6
    if figure.value < 10 and figure.value == int(figure.value):
        return 0.3
    return 1.0
