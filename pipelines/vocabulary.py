"""The call's six categories, four criteria and eligibility rules as data.

Source: ``data/guide/call-2026.txt`` (copy of the official 2026 call). The category definitions are parsed
from that text so the zero-shot prior and the UI always quote the call itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pipelines.config import DATA_DIR, Settings

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
# The words that name a category in a tick-box line, including the older 数字技术应用类.
CATEGORY_STEMS: dict[int, tuple[str, ...]] = {
    1: ("全媒体传播",),
    2: ("内容供给",),
    3: ("运营服务",),
    4: ("数智技术", "数字技术应用"),
    5: ("体制机制",),
    6: ("国际传播",),
}

CRITERIA: dict[str, str] = {
    "political": "政治性",
    "innovation": "创新性",
    "effectiveness": "实效性",
    "typicality": "典型性",
}
# Every criterion is scored on this scale (reviewers and the AI scorers alike)
SCORE_MIN, SCORE_MAX = 0, 100

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
    "form_wps": FlagKind(
        "WPS 格式申报表", "四（三）申报表须为 word 文档格式（.wps 已转换读取，请核对）", "ineligible"
    ),
    "bad_attachment_format": FlagKind(
        "附件格式不符", "四（三）附件须为 pdf、jpg、mp4 或 mov 格式", "ineligible"
    ),
    "attachment_unreadable": FlagKind(
        "附件无法读取",
        "四（三）以附件形式提交的相关资料须可以打开查看（空文件、损坏或超过大小上限）",
        "ineligible",
    ),
    "attachment_missing": FlagKind(
        "附件缺失", "申报表附件清单中列出的材料须随申报表一并提交", "ineligible", severity="check"
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


def deadline_text(online_deadline: str) -> str:
    """A settings date (``2025-12-31``) as the call writes it (``2025年12月31日``); other text unchanged."""
    try:
        year, month, day = (int(part) for part in online_deadline.split("-"))
    except ValueError:
        return online_deadline
    return f"{year}年{month}月{day}日"


def rule_text(code: str, settings: Settings) -> str:
    """The call's rule behind a flag code, with the deadline and per-category limit from ``settings``."""
    kind = FLAGS.get(code)
    if kind is None:
        return ""
    return kind.rule.format(
        deadline=deadline_text(settings.online_deadline), limit=settings.max_cases_per_category
    )


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


# --- the application form ----------------------------------------------------------------------------------
# Our own 申报表 (pipelines.intake.template), the sample-form generator (tools/formgen.py) and the extractor
# (pipelines.intake) all read the form from these tables: the title, the five narrative sections with their
# word limits, and every field label with the synonyms real forms use. Labels are compared after removing
# spaces, numbering, bracketed notes and a trailing colon (pipelines.intake.labels).

FORM_TITLE_PATTERN = "{year}年中国行业媒体高质量发展创新案例申报表"
CALL_NAME = "中国行业媒体高质量发展创新案例"


def _words(text: str) -> tuple[str, ...]:
    """A table row written as space-separated words."""
    return tuple(text.split())


def form_title(call_year: int) -> str:
    """The form's title for a call year: ``2026年中国行业媒体高质量发展创新案例申报表``."""
    return FORM_TITLE_PATTERN.format(year=call_year)


@dataclass(frozen=True)
class FormSection:
    """A narrative section of the form: its name, word limit, note in the label and synonyms."""

    name: str
    limit: int
    synonyms: tuple[str, ...]
    note: str = ""  # written before the limit in the label, e.g. 附数据

    @property
    def label(self) -> str:
        """The label as our form writes it: ``取得成效（附数据，800字以内）``."""
        note = f"{self.note}，" if self.note else ""
        return f"{self.name}（{note}{self.limit}字以内）"


FORM_SECTIONS: tuple[FormSection, ...] = (
    FormSection(
        "案例简介",
        300,
        _words(
            "简介 案例概述 案例概况 项目简介 作品简介 基本情况 案例基本情况 项目概况 "
            "项目基本情况 内容简介 案例介绍 项目介绍 概述 案例摘要 摘要"
        ),
    ),
    FormSection(
        "主要做法",
        1500,
        _words(
            "做法 具体做法 主要举措 实施过程 实施路径 工作举措 主要措施 创新做法 "
            "主要做法和经验 做法与经验 实施情况 建设情况 主要内容"
        ),
    ),
    FormSection(
        "创新点",
        800,
        _words(
            "创新之处 主要创新点 创新亮点 特色亮点 亮点 创新特色 特色与创新 案例亮点 "
            "创新性 创新点及特色 特色创新 主要创新 创新举措"
        ),
    ),
    FormSection(
        "取得成效",
        800,
        _words(
            "成效 主要成效 实施成效 工作成效 应用成效 实际成效 实施效果 取得的成效 "
            "传播效果 取得效果 社会效益和经济效益 成效与影响 效果 应用效果 社会效益 经济效益 运行效果"
        ),
        note="附数据",
    ),
    FormSection(
        "推广价值",
        500,
        _words(
            "推广意义 示范价值 借鉴意义 推广应用价值 可推广性 经验启示 示范意义 "
            "复制推广价值 推广前景 推广借鉴价值 典型意义"
        ),
    ),
)
SECTION_NAMES: tuple[str, ...] = tuple(section.name for section in FORM_SECTIONS)
SECTION_LIMITS: dict[str, int] = {section.name: section.limit for section in FORM_SECTIONS}
SECTION_LABELS: dict[str, tuple[str, ...]] = {s.name: (s.name, *s.synonyms) for s in FORM_SECTIONS}

# Field key → labels, canonical first. 单位名称 alone names the applicant; under 实施单位 or 推荐单位 it takes
# their meaning. "signature" labels open the signature/stamp/opinion block, which never fills a field.
FIELD_LABELS: dict[str, tuple[str, ...]] = {
    key: _words(words)
    for key, words in {
        "title": "案例名称 项目名称 作品名称 案例题目 案例标题 申报案例名称 申报案例 参评案例名称 参评作品名称 "
        "参评项目名称 案例名 申报项目名称 申报项目 案例全称 项目全称",
        "unit": "申报单位 申报单位全称 申报单位名称 申报主体 申报机构 原创单位 单位名称 报送单位 报送单位名称 "
        "申请单位 填报单位 参评单位 参选单位 申报方 申报者 单位全称 申报主体名称 申报单位名称全称",
        "implementer": "实施单位 实施主体 承建单位 运营单位 案例实施单位 实施单位名称 运营主体 实施机构 建设单位 "
        "案例实施主体 承办单位 执行单位 承担单位 项目实施单位 具体实施单位 实施部门 制作单位 出品单位 承制单位 "
        "实施方 运营方 实施团队 执行主体",
        "recommender": "推荐单位 推荐部门 推荐机构 推荐单位名称",
        "category": "申报类别 案例类别 申报类型 参评项目 参评类别 案例类型 申报方向 类别 所属类别 申报类目 "
        "参评类型 申报类别勾选 类别编号 类别序号 类别代码 申报类别编号 所属类型 案例所属类别",
        "launch": "上线时间 上线日期 正式上线时间 投入运营时间 上线运行时间 投入使用时间 推出时间 首发时间 "
        "案例上线时间 上线运营时间 开通时间 投用时间 发布时间 启用时间 正式运营时间 开始运营时间 运行时间 "
        "实施时间 首次上线时间 上线年月 开播时间 建成时间 建成上线时间 投运时间 上线运营日期 启动时间 "
        "项目周期 实施周期 建设周期 运行周期 起止时间 实施起止时间 项目起止时间 起始时间 开始时间",
        "status": "运行状态 运营状态 运行情况 目前状态 项目状态 案例状态 当前状态 运营情况 上线状态 目前运行状态 "
        "上线情况",
        "contact": "联系人 联系方式 联系人及电话 联系人及联系方式 申报联系人 联系人信息 联络人",
        "contact.name": "姓名 联系人姓名",
        "contact.phone": "电话 联系电话 手机 手机号 手机号码 办公电话 固定电话 移动电话 联系手机 电话手机",
        "contact.email": "邮箱 电子邮箱 电子邮件 email e-mail 邮件 联系邮箱 邮箱地址",
        "previous": "往年申报情况 往年申报 往届申报 历史申报情况 往届申报情况 以往申报情况 申报历史 是否曾申报 "
        "是否申报过 往年参评情况 近两年申报情况 往年申报记录",
        "attachments": "附件清单 附件 附件材料 证明材料 证明材料清单 附件目录 相关附件 佐证材料 附件列表 "
        "附件材料清单",
        "signature": "申报单位意见 推荐单位意见 单位意见 主管部门意见 推荐意见 审核意见 评审意见 专家意见 "
        "负责人签字 主要负责人签字 法定代表人签字 签字 盖章 单位盖章 签章 公章 申报单位盖章 承诺 "
        "申报单位承诺 诚信承诺 声明 承诺声明",
        "ignore": "备注 填表说明 地址 通讯地址 单位地址 邮编 邮政编码 职务 职称 部门 传真 日期 填报日期 "
        "填表日期 填表人 单位性质 网址 链接 案例链接 访问地址 主管单位 序号 "
        "负责人 主要负责人 单位负责人 法定代表人 项目负责人 统一社会信用代码 社会信用代码 信用代码 组织机构代码 "
        "单位类型 单位类别 单位级别 所在地区 所属地区 所在省份 成立时间 创刊时间 单位简介",
        # Only meaningful inside a group (申报单位 → 名称, 往年申报情况 → 年份/结果 …).
        "sub": "名称 全称 年份 年度 结果 申报结果 评选结果 申报年份",
    }.items()
}
# A launch label not listed above is read by its shape: an optional subject (项目, 平台 …), a verb of going
# live or starting, then 时间/日期/年月/周期 (平台正式启用日期, 系统投入运行时间, 栏目开办时间). The founding of
# the unit (成立, 创刊, 创办) is not the case's launch.
LAUNCH_LABEL_SUBJECTS: tuple[str, ...] = _words("案例 项目 平台 系统 产品 栏目 频道 改革 机制 工作 应用 服务")
LAUNCH_LABEL_VERBS: tuple[str, ...] = _words(
    "上线 启动 开通 投用 投运 运行 运营 实施 推出 发布 建成 开播 开办 开始 推行 落地 启用 投入使用 投入运行 "
    "投入运营 开展 试运行 首发 上架 交付 部署 首播 开设 创设"
)
LAUNCH_LABEL_ENDS: tuple[str, ...] = _words("时间 日期 年月 年份 周期 起始时间 起止时间 时间节点")
# A planned launch (计划上线时间, 预计投用日期) is still the launch field; the status decides whether it is online.
LAUNCH_LABEL_PLANNED: tuple[str, ...] = _words("计划 预计 拟 预期 计划于 预计于")
# Words in a label's bracketed note that make it a signature line (申报单位（盖章）), not the field.
SIGNATURE_NOTES: tuple[str, ...] = ("盖章", "签字", "签章", "公章", "签名")
# Options of 运行状态 on our form.
STATUS_OPTIONS: tuple[str, ...] = ("正常运营", "试运行", "在建", "计划中")
# Launch status (申报条件（一）) → the words that say it, in the order they are decided: 在建 and 计划中 count only
# when written before the first date (``2024年上线，二期在建`` is online), 已上线 wins over 试运行.
LAUNCH_STATUS_WORDS: dict[str, tuple[str, ...]] = {
    "在建": ("在建", "建设中", "正在建设", "开发中", "研发中", "筹建"),
    "计划中": _words(
        "计划中 计划于 计划在 计划 预计 拟于 拟在 将于 筹备 待上线 尚未上线 暂未上线 未上线 即将上线"
    ),
    "已上线": _words("正常运营 正式上线 正式运营 正式运行 已上线 运行中 稳定运行 上线运营 投入使用 投入运营"),
    "试运行": ("试运行", "试运营", "内测", "公测", "测试中", "灰度"),
}
NOT_ONLINE_STATUSES: tuple[str, ...] = ("在建", "计划中")

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
