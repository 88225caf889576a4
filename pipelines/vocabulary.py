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
SEVERITY_ORDER: dict[str, int] = {"blocker": 0, "check": 1, "info": 2}
SEVERITY_ICONS: dict[str, str] = {"blocker": "✖", "check": "⚠", "info": "ℹ"}


@dataclass(frozen=True)
class FlagKind:
    """One kind of problem flag: its short label, the call's rule it enforces, its queue group.

    ``verdict`` is the repeat detector's wording when the flag comes from a duplicate match.
    """

    label: str
    rule: str = ""
    group: str = ""
    verdict: str = ""
    severity: str = "check"


# Every flag code the workbench raises, with the call's wording (section 二 and 四 of the call).
FLAGS: dict[str, FlagKind] = {
    "past_awardee_repeat": FlagKind(
        "往年已入选",
        "（五）已入选前两年优秀案例的不得重复申报",
        "repeat",
        "往年已入选，不得重复申报",
        "blocker",
    ),
    "resubmission_needs_iteration": FlagKind(
        "往年未入选再报",
        "（四）往年未入选案例须有明显迭代更新方可再次申报",
        "repeat",
        "往年未入选再次申报，须有明显迭代",
    ),
    "same_batch_duplicate": FlagKind("本批重复", "同批次重复申报", "duplicate", "本批次重复申报"),
    "related_case": FlagKind("同单位相关案例", "同单位的相关案例", "", "同单位的相关案例（仅提示）", "info"),
    "misfiled": FlagKind("疑似错报类别", group="misfiled"),
    "category_disagreement": FlagKind("类别意见不一", group="misfiled"),
    "not_online": FlagKind(
        "未按期上线",
        "（一）申报案例须在{deadline}前完成上线并正常运营，在建或计划中案例不得申报",
        "ineligible",
        severity="blocker",
    ),
    "launch_unknown": FlagKind("上线时间不明", "（一）未能确认上线时间", "ineligible"),
    "applicant_implementer_mismatch": FlagKind(
        "申报与实施主体不一", "（二）申报主体与案例的实施主体必须统一", "ineligible", severity="blocker"
    ),
    "over_limit": FlagKind("超出每类限额", "（三）每个类型最多申报{limit}个案例", "over_limit"),
    "form_not_word": FlagKind(
        "非 Word 申报表", "四（三）申报表须为 word 文档格式", "ineligible", severity="blocker"
    ),
    "bad_attachment_format": FlagKind(
        "附件格式不符", "四（三）附件须为 pdf、jpg、mp4 或 mov 格式", "ineligible"
    ),
    "no_category": FlagKind("未勾选类别", "申报表未勾选申报类别", "ineligible"),
    "multiple_categories": FlagKind("勾选多个类别", "申报表勾选了多个申报类别", "ineligible"),
}
FLAG_GROUP_LABELS: dict[str, str] = {
    "repeat": "往年重复申报",
    "duplicate": "本批次重复",
    "misfiled": "疑似错报类别",
    "ineligible": "不符合申报条件",
    "over_limit": "超出每类限额",
}
# Verdicts of the repeat detector, strongest first; the first three are repeats, the last is information.
REPEAT_VERDICTS: tuple[str, ...] = (
    "past_awardee_repeat",
    "resubmission_needs_iteration",
    "same_batch_duplicate",
)
VERDICTS: tuple[str, ...] = (*REPEAT_VERDICTS, "related_case")
PAST_REPEAT_VERDICTS: tuple[str, ...] = REPEAT_VERDICTS[:2]
MATCH_KIND_LABELS: dict[str, str] = {
    "past_awardee": "往年入选案例",
    "past_not_selected": "往年未入选案例",
    "same_batch": "本批次案例",
}
SIGNAL_LABELS: dict[str, str] = {
    "title_sim": "标题相似度",
    "shingle_jaccard": "文字重合度（Jaccard）",
    "containment_ab": "本案文字见于对方的比例",
    "containment_ba": "对方文字见于本案的比例",
    "semantic": "语义相似度",
    "name_overlap": "产品/品牌名称重合",
    "figure_overlap": "数据重合",
    "title_names": "标题中的名称一致",
    "unit_same": "同一申报单位",
}
ITERATION_LABELS: dict[str, str] = {
    "new_figures": "新增数据",
    "grown_figures": "数据增长",
    "later_figures": "晚于上次申报的时间",
    "new_features": "新功能、产品",
    "new_partners": "新合作方",
}


def flag_label(code: str) -> str:
    """Short Chinese label of a flag code (the code itself when unknown)."""
    kind = FLAGS.get(code)
    return kind.label if kind else code


def rule_text(code: str, deadline: str = "2025年12月31日", limit: int = 3) -> str:
    """The call's rule behind a flag code, with the call's deadline and per-category limit filled in."""
    kind = FLAGS.get(code)
    return kind.rule.format(deadline=deadline, limit=limit) if kind else ""


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


# Kinds of claims (pipelines.claims) and how the case page and the reasons name them.
CLAIM_KINDS: dict[str, str] = {
    "result": "成果",
    "practice": "做法",
    "plan": "计划/目标",
    "input": "投入/条件",
    "background": "背景",
    "other_party": "他人成果",
}
CLAIM_OWNERS: dict[str, str] = {"applicant": "申报单位", "implementer": "实施单位", "other": "他方"}
