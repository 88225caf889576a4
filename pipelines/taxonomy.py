"""The call's six categories, four criteria and eligibility rules as data.

Source: ``data/guide/call-2026.txt`` (copy of the official 2026 call). The category definitions are parsed
from that text so the zero-shot prior and the UI always quote the call itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pipelines.config import DATA_DIR

CALL_TEXT_FILE = DATA_DIR / "guide" / "call-2026.txt"

CATEGORY_NAMES: dict[int, str] = {
    1: "全媒体传播建设类",
    2: "内容供给创新类",
    3: "运营服务创新类",
    4: "数智技术应用类",
    5: "体制机制创新类",
    6: "国际传播能力建设类",
}
CATEGORY_IDS: tuple[int, ...] = tuple(CATEGORY_NAMES)
SHORT_NAMES: dict[int, str] = {k: v.removesuffix("类") for k, v in CATEGORY_NAMES.items()}

CRITERIA: dict[str, str] = {
    "political": "政治性",
    "innovation": "创新性",
    "effectiveness": "实效性",
    "typicality": "典型性",
}

OUTCOME_LABELS: dict[str, str] = {"awarded": "入选", "not_selected": "未入选"}
SEVERITY_LABELS: dict[str, str] = {"blocker": "不符合条件", "check": "需人工核查", "info": "提示"}

# Eligibility reason codes (section 二 of the call). Repeat rules are filled by pipelines.duplicates.
RULES: dict[str, str] = {
    "not_online": "（一）申报案例须在2025年12月31日前完成上线并正常运营，在建或计划中案例不得申报",
    "launch_unknown": "（一）未能确认上线时间",
    "applicant_implementer_mismatch": "（二）申报主体与案例的实施主体必须统一",
    "over_limit": "（三）每个类型最多申报3个案例",
    "resubmission_needs_iteration": "（四）往年未入选案例须有明显迭代更新方可再次申报",
    "past_awardee_repeat": "（五）已入选前两年优秀案例的不得重复申报",
    "form_not_word": "四（三）申报表须为 word 文档格式",
    "bad_attachment_format": "四（三）附件须为 pdf、jpg、mp4 或 mov 格式",
    "no_category": "申报表未勾选申报类别",
    "multiple_categories": "申报表勾选了多个申报类别",
}


@dataclass(frozen=True)
class Category:
    id: int
    name: str
    definition: str


def _definitions_from_call(text: str) -> dict[int, str]:
    numerals = "一二三四五六"
    found: dict[int, str] = {}
    for index, numeral in enumerate(numerals, start=1):
        name = CATEGORY_NAMES[index]
        match = re.search(rf"（{numeral}）{name}\s*(.+?)(?=（[一二三四五六]）|二、申报条件)", text, re.S)
        if match:
            found[index] = re.sub(r"\s+", "", match.group(1))
    return found


@lru_cache(maxsize=1)
def categories() -> tuple[Category, ...]:
    """The six categories with their definitions quoted from the call text."""
    text = CALL_TEXT_FILE.read_text(encoding="utf-8")
    definitions = _definitions_from_call(text)
    missing = set(CATEGORY_NAMES) - set(definitions)
    if missing:
        raise RuntimeError(f"申报指南 {CALL_TEXT_FILE} 中找不到类别定义：{sorted(missing)}")
    return tuple(Category(i, CATEGORY_NAMES[i], definitions[i]) for i in CATEGORY_IDS)


def category_label(category_id: int | None) -> str:
    """``"4 数智技术应用类"`` for 4; ``"未填"`` for None."""
    if category_id is None:
        return "未填"
    return f"{category_id} {CATEGORY_NAMES.get(category_id, '未知类别')}"
