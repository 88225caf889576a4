"""Application forms (.docx) → ``Submission``.

The body comes from ``pipelines.intake.docx_xml`` as paragraphs and tables (each cell once, tick boxes as ☑/☐).
``_FormReader`` turns it into labelled entries, walking tables row by row and paragraphs one by one:

* a cell or paragraph whose text, without spaces, numbering and bracketed notes, is a known label (see
  ``FIELD_LABELS`` and ``SECTION_LABELS``) is a label; the cells after it in the row, up to the next label,
  are its value (so label/value pairs may sit anywhere in a row);
* a label with no value in its row (a heading row, a vertically merged group label, a "案例简介" paragraph)
  stays open and collects the rows or paragraphs that follow until the next label;
* ``label：value`` paragraphs (cover pages, free-form documents) are split on the known labels;
* in free-form documents a heading styled or numbered like the known section headings starts a section of its
  own, so unknown narrative sections keep their label.

The entries are then assembled into the ``Submission``: hint text removed, categories read from tick boxes,
dates normalised (``pipelines.intake.dates``), word counts checked against the limits written in the labels.
Bad files raise ``IntakeError`` with a stable code and a Chinese message naming the file.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pipelines.config import Settings, get_settings
from pipelines.intake.dates import normalise_date, status_hint
from pipelines.intake.docx_xml import Body, Cell, Paragraph, read_package
from pipelines.schema import Contact, IntakeError, PreviousApplication, Submission, WordCount
from pipelines.text import chinese_number
from pipelines.vocabulary import CATEGORY_NAMES

# ---------------------------------------------------------------------------------------------- labels

SECTION_LABELS: dict[str, tuple[str, ...]] = {
    "案例简介": (
        "案例简介",
        "简介",
        "案例概述",
        "案例概况",
        "项目简介",
        "作品简介",
        "基本情况",
        "案例基本情况",
        "项目概况",
        "项目基本情况",
        "内容简介",
        "案例介绍",
        "项目介绍",
        "概述",
        "案例摘要",
        "摘要",
    ),
    "主要做法": (
        "主要做法",
        "做法",
        "具体做法",
        "主要举措",
        "实施过程",
        "实施路径",
        "工作举措",
        "主要措施",
        "创新做法",
        "主要做法和经验",
        "做法与经验",
        "实施情况",
        "建设情况",
        "主要内容",
    ),
    "创新点": (
        "创新点",
        "创新之处",
        "主要创新点",
        "创新亮点",
        "特色亮点",
        "亮点",
        "创新特色",
        "特色与创新",
        "案例亮点",
        "创新性",
        "创新点及特色",
        "特色创新",
    ),
    "取得成效": (
        "取得成效",
        "成效",
        "主要成效",
        "实施成效",
        "工作成效",
        "应用成效",
        "实际成效",
        "实施效果",
        "取得的成效",
        "传播效果",
        "取得效果",
        "社会效益和经济效益",
        "成效与影响",
        "效果",
    ),
    "推广价值": (
        "推广价值",
        "推广意义",
        "示范价值",
        "借鉴意义",
        "推广应用价值",
        "可推广性",
        "经验启示",
        "示范意义",
        "复制推广价值",
        "推广前景",
        "推广借鉴价值",
        "典型意义",
    ),
}
CANONICAL_SECTIONS: tuple[str, ...] = tuple(SECTION_LABELS)

FIELD_LABELS: dict[str, tuple[str, ...]] = {
    "title": (
        "案例名称",
        "项目名称",
        "作品名称",
        "案例题目",
        "案例标题",
        "申报案例名称",
        "参评案例名称",
        "参评作品名称",
        "参评项目名称",
        "案例名",
    ),
    # 单位名称 alone names the applicant; under 实施单位 or 推荐单位 it takes their meaning (see _qualify)
    "unit": ("申报单位", "申报单位全称", "申报单位名称", "申报主体", "申报机构", "原创单位", "单位名称"),
    "implementer": (
        "实施单位",
        "实施主体",
        "承建单位",
        "运营单位",
        "案例实施单位",
        "实施单位名称",
        "运营主体",
        "实施机构",
        "建设单位",
        "案例实施主体",
    ),
    "recommender": ("推荐单位", "推荐部门", "推荐机构", "推荐单位名称"),
    "category": (
        "申报类别",
        "案例类别",
        "申报类型",
        "参评项目",
        "参评类别",
        "案例类型",
        "申报方向",
        "类别",
        "所属类别",
        "申报类目",
        "参评类型",
        "申报类别勾选",
    ),
    "launch": (
        "上线时间",
        "上线日期",
        "正式上线时间",
        "投入运营时间",
        "上线运行时间",
        "投入使用时间",
        "推出时间",
        "首发时间",
        "案例上线时间",
        "上线运营时间",
        "开通时间",
        "投用时间",
    ),
    "status": (
        "运行状态",
        "运营状态",
        "运行情况",
        "目前状态",
        "项目状态",
        "案例状态",
        "当前状态",
        "运营情况",
        "上线状态",
        "目前运行状态",
    ),
    "contact": (
        "联系人",
        "联系方式",
        "联系人及电话",
        "联系人及联系方式",
        "申报联系人",
        "联系人信息",
        "联络人",
    ),
    "contact.name": ("姓名", "联系人姓名"),
    "contact.phone": (
        "电话",
        "联系电话",
        "手机",
        "手机号",
        "手机号码",
        "办公电话",
        "固定电话",
        "移动电话",
        "联系手机",
        "电话手机",
    ),
    "contact.email": ("邮箱", "电子邮箱", "电子邮件", "email", "e-mail", "邮件", "联系邮箱", "邮箱地址"),
    "previous": (
        "往年申报情况",
        "往年申报",
        "往届申报",
        "历史申报情况",
        "往届申报情况",
        "以往申报情况",
        "申报历史",
        "是否曾申报",
        "是否申报过",
        "往年参评情况",
        "近两年申报情况",
        "往年申报记录",
    ),
    "attachments": (
        "附件清单",
        "附件",
        "附件材料",
        "证明材料",
        "证明材料清单",
        "附件目录",
        "相关附件",
        "佐证材料",
        "附件列表",
        "附件材料清单",
    ),
    "ignore": (
        "申报单位意见",
        "推荐单位意见",
        "单位意见",
        "主管部门意见",
        "推荐意见",
        "审核意见",
        "评审意见",
        "专家意见",
        "备注",
        "填表说明",
        "承诺",
        "申报单位承诺",
        "诚信承诺",
        "声明",
        "负责人签字",
        "地址",
        "通讯地址",
        "单位地址",
        "邮编",
        "邮政编码",
        "职务",
        "职称",
        "部门",
        "传真",
        "日期",
        "填报日期",
        "填表日期",
        "填表人",
        "单位性质",
        "网址",
        "链接",
        "案例链接",
        "访问地址",
        "主管单位",
        "序号",
    ),
    # Only meaningful inside a group (申报单位 → 名称, 往年申报情况 → 年份/结果 …).
    "sub": ("名称", "全称", "年份", "年度", "结果", "申报结果", "评选结果", "申报年份"),
}
GROUP_KEYS = frozenset(("unit", "implementer", "recommender", "contact", "previous"))
_NAMED_GROUPS = frozenset(("unit", "implementer", "recommender", "contact"))
SCALAR_KEYS = ("title", "unit", "implementer", "recommender", "launch", "status")
_ONE_VALUE_KEYS = frozenset((*SCALAR_KEYS, "contact", "contact.name", "contact.phone", "contact.email"))
REQUIRED_FIELDS = {"title": "案例名称", "unit": "申报单位", "implementer": "实施单位", "launch": "上线时间"}

_LABEL_KEYS: dict[str, tuple[str, str]] = {}  # normalised label → (key, canonical section label or "")
for _key, _labels in FIELD_LABELS.items():
    _LABEL_KEYS.update({label: (_key, "") for label in _labels})
for _canonical, _labels in SECTION_LABELS.items():
    _LABEL_KEYS.update({label: ("section", _canonical) for label in _labels})

_INLINE_LABEL_RE = re.compile(
    r"(?:^|(?<=[\s,;、]))("
    + "|".join(
        "[ ]*".join(re.escape(char) for char in label)  # 联 系 人：
        for label in sorted((label for label in _LABEL_KEYS if len(label) > 1), key=len, reverse=True)
    )
    + r")\s*(?:\([^()]{0,40}\))?\s*:",
    re.IGNORECASE,
)
_SIGNATURE_RE = re.compile(r"[（(]\s*(?:单位|申报单位)?(?:盖章|签字|签章|公章)[^（()）]{0,10}[）)]")
_NUMBERING_RE = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.]|\(\s*[一二三四五六七八九十\d]+\s*\)|\d+(?:\.\d+)*[、.)]?(?!\d)|[①-⑳])\s*"
)
_BRACKETS_RE = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】|〔[^〔〕]*〕")
_BLANKS = " \t\n\r\u3000\u2002\u2003\u00a0\u200b"
_MAX_LABEL_CHARS = 16
_SHORT_TEXT = 120  # longer text can only be "label：value" with the colon near its start
_INLINE_HEAD = 60


@dataclass(frozen=True, slots=True)
class LabelMatch:
    key: str  # a FIELD_LABELS key or "section"
    label: str  # canonical section label, or the label as written (normalised)
    raw: str  # the label text as written, for word limits
    inline: str = ""  # value written after "：" in the same cell or paragraph


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


@lru_cache(maxsize=8192)
def _label_core(text: str) -> str:
    """The bare label: NFKC, no spaces, no numbering, no bracketed notes, no trailing colon or asterisk."""
    core = "".join(_nfkc(text).split()).replace("\u200b", "")
    core = core.strip("*＊")
    core = _NUMBERING_RE.sub("", core, count=1)
    previous = None
    while previous != core:
        previous, core = core, _BRACKETS_RE.sub("", core)
    core = _WORD_LIMIT_TAIL_RE.sub("", core)
    return core.rstrip(":：.。").strip("*").lower()


def _lookup(core: str) -> tuple[str, str] | None:
    if core in _LABEL_KEYS:
        return _LABEL_KEYS[core]
    for part in re.split(r"[/、]|及|和", core) if ":" not in core else ():
        if part in _LABEL_KEYS and _LABEL_KEYS[part][0] != "sub":
            return _LABEL_KEYS[part]
    for trimmed in (core.removesuffix("名称"), core.removeprefix("案例"), core.removeprefix("项目")):
        if trimmed != core and trimmed in _LABEL_KEYS and _LABEL_KEYS[trimmed][0] != "sub":
            return _LABEL_KEYS[trimmed]
    return None


def match_label(text: str) -> LabelMatch | None:
    """Read ``text`` (a cell or a paragraph) as a label, possibly with its value after a colon.

    Args:
        text: e.g. ``"案 例 简 介\\n（300字以内）"``, ``"一、主要做法"``, ``"申报单位（盖章）：某某报社"``.

    Returns:
        The match, or None when the text is not a known label.
    """
    stripped = text.strip(_BLANKS)
    if not stripped:
        return None
    if len(stripped) <= _SHORT_TEXT:
        return _match_short(stripped)
    has_colon = ":" in stripped[:_INLINE_HEAD] or "：" in stripped[:_INLINE_HEAD]
    return _match_inline(stripped) if has_colon and "\n" not in stripped else None


@lru_cache(maxsize=8192)  # labels repeat from form to form
def _match_short(stripped: str) -> LabelMatch | None:
    core = _label_core(stripped)
    if 0 < len(core) <= _MAX_LABEL_CHARS and (found := _lookup(core)):
        return LabelMatch(found[0], found[1] or core, stripped)
    return None if "\n" in stripped else _match_inline(stripped)


def _match_inline(stripped: str) -> LabelMatch | None:
    normalised = _nfkc(stripped)
    source = stripped if len(normalised) == len(stripped) else normalised
    numbering = _NUMBERING_RE.match(normalised)
    offset = numbering.end() if numbering else 0
    match = _INLINE_LABEL_RE.match(normalised, offset)
    if match is None or (found := _lookup(_label_core(match.group(1)))) is None:
        return None
    label = found[1] or _label_core(match.group(1))
    return LabelMatch(found[0], label, source[: match.end()], source[match.end() :].strip(_BLANKS))


def split_inline_labels(text: str) -> list[LabelMatch]:
    """``联系人：张三  电话：138…`` → one match per label, each with its inline value."""
    if text.count(":") + text.count("：") < 2:
        return []
    normalised = _nfkc(text)
    starts = [m for m in _INLINE_LABEL_RE.finditer(normalised) if _lookup(_label_core(m.group(1)))]
    if len(starts) < 2 or starts[0].start() != 0 or len(normalised) != len(text):
        return []
    matches: list[LabelMatch] = []
    for current, following in zip(starts, [*starts[1:], None], strict=True):
        end = following.start() if following else len(text)
        key, section = _lookup(_label_core(current.group(1))) or ("", "")
        value = text[current.end() : end].strip(_BLANKS)
        matches.append(
            LabelMatch(
                key, section or _label_core(current.group(1)), text[current.start() : current.end()], value
            )
        )
    return matches


# ----------------------------------------------------------------------------------- limits and counts

_CN_NUMBER_RE = re.compile(r"[一二两三四五六七八九十百千万]+")
_WORD_LIMIT_RES = (
    re.compile(r"(\d+)\s*(?:个)?字?\s*[-~～—至到]\s*(\d+)\s*(?:个)?(?:汉)?字"),
    re.compile(
        r"(?:不超过|不多于|不得超过|不宜超过|不超|限|限于|控制在|最多|少于)\s*(\d+)\s*(?:个)?(?:汉)?字"
    ),
    re.compile(r"(\d+)\s*(?:个)?(?:汉)?字\s*(?:以内|之内|内|以下)"),
)
_WORD_LIMIT_TAIL_RE = re.compile(
    r"(?:不超过|不多于|不得超过|限|控制在|最多)?\d+(?:个)?(?:汉)?字(?:以内|之内|内|以下)?$"
)


def word_limit(label: str) -> int | None:
    """The word limit a label states: ``（300字以内）``, ``不超过800字``, ``500-800字`` (upper bound), ``三百字以内``.

    Args:
        label: the label as written, with its bracketed notes.

    Returns:
        The limit, or None when the label states none.
    """
    text = _nfkc(label)
    text = _CN_NUMBER_RE.sub(
        lambda m: (
            str(int(chinese_number(m.group()) or 0))
            if len(m.group()) > 1 or m.group() in "十百千万"
            else m.group()
        ),
        text,
    )
    text = "".join(text.split())
    for pattern in _WORD_LIMIT_RES:
        match = pattern.search(text)
        if match:
            return int(match.groups()[-1])
    return None


_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"
_FULLWIDTH_PUNCT = (
    "\u3001-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\u2018-\u201f\u2026\u2014\u00b7"
)
_NOT_CHINESE_RE = re.compile(f"[^{_HAN}{_FULLWIDTH_PUNCT}]+")
_LATIN_WORD_RE = re.compile(r"[A-Za-z0-9\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]+(?:[.'’\-][A-Za-z0-9]+)*")


def count_words(text: str) -> int:
    """Count text the way Word's 字数统计 reports 字数.

    Every Chinese character and every full-width punctuation mark counts one; every run of Latin letters or
    digits (``AI``, ``2024``, ``3.5``) counts one word; spaces and half-width punctuation count nothing.

    Args:
        text: any text.

    Returns:
        The count.
    """
    return len(_NOT_CHINESE_RE.sub("", text)) + len(_LATIN_WORD_RE.findall(text))


# ----------------------------------------------------------------------------------------- tick boxes

TICKED_MARKS = "☑☒■√✓✔✅⊠▣◼●◉"
EMPTY_MARKS = "☐□◻▢○◯⬜"
_BOX_MARKS = TICKED_MARKS + EMPTY_MARKS
_CATEGORY_STEMS: dict[int, tuple[str, ...]] = {
    1: ("全媒体传播",),
    2: ("内容供给",),
    3: ("运营服务",),
    4: ("数智技术", "数字技术应用"),
    5: ("体制机制",),
    6: ("国际传播",),
}
_OPTION_PREFIX_RE = re.compile(r"(?:\(\s*[一二三四五六1-6]\s*\)|[一二三四五六1-6][、.]|[①-⑥])\s*$")


def _mark_before(text: str, position: int) -> str:
    before = text[:position].rstrip(_BLANKS)
    before = _OPTION_PREFIX_RE.sub("", before).rstrip(_BLANKS)
    last = before[-1:] if before else ""
    return last if last in _BOX_MARKS or last == "口" else ""


def _mark_after(text: str, end: int) -> str:
    rest_of_name = re.match(f"[{_HAN}]{{0,6}}类", text[end:])
    after = text[end + (rest_of_name.end() if rest_of_name else 0) :].lstrip(_BLANKS + "()（）")
    return after[:1] if after[:1] in TICKED_MARKS else ""


def read_categories(text: str) -> tuple[list[int], bool]:
    """Which of the six categories ``text`` ticks.

    A mark before an option (after its number, if any) decides: ☑ ■ √ ✓ ☒ ✔ ticked, □ ☐ 口 empty; an option
    without a mark before it counts as ticked when a tick follows it (``数智技术应用类√``). Without any mark,
    the categories named are the declared ones (``申报类别：数智技术应用类``).

    Args:
        text: the value of the category field (or the whole document, for the fallback scan).

    Returns:
        (ticked category ids in ascending order, whether any tick box was seen).
    """
    text = _nfkc(text)
    occurrences = sorted(
        (found.start(), found.end(), category)
        for category, stems in _CATEGORY_STEMS.items()
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
    for start, end, category in occurrences:
        mark = _mark_after(text, end) if marks_after else _mark_before(text, start)
        boxes = boxes or bool(mark)
        if mark and mark in TICKED_MARKS:
            ticked.add(category)
    named = {category for _, _, category in occurrences}
    return sorted(ticked if boxes else named), boxes


def category_from_number(text: str) -> int | None:
    """``4``, ``四``, ``第四类``, ``（四）`` → 4; None for anything else."""
    core = re.sub(r"[\s()（）第类:：、.]", "", _nfkc(text))
    numbers = {str(i): i for i in range(1, 7)} | {c: i for i, c in enumerate("一二三四五六", start=1)}
    return numbers.get(core)


def ticked_option(text: str) -> str | None:
    """The ticked option(s) of a tick-box line (``☑正常运营 ☐在建`` → ``正常运营``); None without boxes."""
    if not any(mark in text for mark in _BOX_MARKS):
        return None
    chosen = []
    for match in re.finditer(
        rf"([{_BOX_MARKS}])\s*([^{_BOX_MARKS}\t\n]+?)(?=\s{{2,}}|[{_BOX_MARKS}\t\n]|$)", text
    ):
        if match.group(1) in TICKED_MARKS:
            chosen.append(match.group(2).strip(_BLANKS))
    return "、".join(chosen)


# ----------------------------------------------------------------------------------------- hint text

_PLACEHOLDERS = (
    "单击或点击此处输入文字",
    "点击或点击此处输入文字",
    "单击此处输入文字",
    "点击此处输入文字",
    "click or tap here to enter text",
    "click here to enter text",
)
_BRACKET_HINT_WORDS = (
    "请",
    "填写",
    "填报",
    "不超过",
    "字以内",
    "以内",
    "可附",
    "须附",
    "附数据",
    "此处",
    "盖章",
    "签字",
    "简要",
    "例如",
    "如：",
    "限填",
)
_START_HINT_WORDS = (
    "填写",
    "填报",
    "简要",
    "介绍",
    "说明",
    "描述",
    "列出",
    "列明",
    "提供",
    "不超过",
    "以内",
    "概述",
    "附",
)
_HINT_MAX_CHARS = 150
_HINT_START = ("请", "注：", "注:", "说明：", "说明:", "填写说明", "填表说明", "填写要求")
_BRACKET_PAIRS = {"（": "）", "(": ")", "【": "】", "[": "]", "〔": "〕"}
_LEADING_BRACKET_RE = re.compile(r"^[（(【\[〔]([^（()）【】\[\]〔〕]{2,200})[）)】\]〕]")


def is_hint(line: str) -> bool:
    """True for template hint text left in a value cell (``（请简要介绍……300字以内）``, ``请填写全称``)."""
    text = line.strip(_BLANKS)
    if not text:
        return False
    if text[0] in _BRACKET_PAIRS and text.endswith(_BRACKET_PAIRS[text[0]]):
        return any(word in text for word in _BRACKET_HINT_WORDS)
    if len(text) > _HINT_MAX_CHARS:
        return False
    if text.startswith(_HINT_START) and any(word in text for word in _START_HINT_WORDS):
        return True
    lowered = text.lower()
    return any(placeholder in lowered for placeholder in _PLACEHOLDERS) or (
        len(text) >= 3 and not text.strip("_＿-—.．…·　 ")
    )


def strip_hints(lines: list[str]) -> tuple[list[str], list[str]]:
    """Remove hint lines and leading bracketed hints; returns (kept lines, removed hints).

    A line that only states a word limit (``不超过300字``) is removed too and returned among the hints.
    """
    kept: list[str] = []
    hints: list[str] = []
    for line in lines:
        if is_hint(line) or _limit_only(line):
            hints.append(line.strip(_BLANKS))
            continue
        match = _LEADING_BRACKET_RE.match(line.strip(_BLANKS))
        if match and any(word in match.group(1) for word in _BRACKET_HINT_WORDS):
            hints.append(match.group(0))
            line = line.strip(_BLANKS)[match.end() :]
        kept.append(line)
    return kept, hints


_LIMIT_ONLY_RE = re.compile(
    r"[(（]?(?:字数)?(?:不超过|不多于|不得超过|限|控制在|最多)?\s*\d+\s*(?:个)?(?:汉)?字(?:以内|之内|内|以下)?[)）]?"
)


def _limit_only(line: str) -> bool:
    """A line that only states a word limit, such as ``不超过300字`` or ``（500字以内）``."""
    text = line.strip(_BLANKS)
    return len(text) <= 20 and "字" in text and bool(_LIMIT_ONLY_RE.fullmatch(_nfkc(text)))


_SCALAR_NOTE_RE = re.compile(r"[（(][^（()）]*(?:盖章|签字|签章|全称|请填写|须填写)[^（()）]*[）)]")


# ------------------------------------------------------------------------------------------- reading


@dataclass
class _Entry:
    key: str
    label: str
    raw_label: str
    lines: list[str] = field(default_factory=list)
    heading_kind: tuple[str, str] | None = None  # how its heading looked, to spot sibling headings


def _heading_kind(text: str, level: int | None) -> tuple[str, str] | None:
    if level is not None:
        return ("style", str(level))
    stripped = _nfkc(text.strip(_BLANKS))
    if re.match(r"^[一二三四五六七八九十]+[、.]", stripped):
        return ("number", "一、")
    if re.match(r"^\(\s*[一二三四五六七八九十]+\s*\)", stripped):
        return ("number", "(一)")
    if re.match(r"^第[一二三四五六七八九十]+[部章节]分?", stripped):
        return ("number", "第一部分")
    return None


def _looks_like_heading(text: str) -> bool:
    stripped = text.strip(_BLANKS)
    core = _label_core(stripped)
    return 1 < len(core) <= 20 and not re.search(r"[。；;，,！？!?]", stripped.rstrip("。"))


def _sub_heading(section: _Entry, match: LabelMatch, kind: tuple[str, str] | None) -> bool:
    """``（二）实施路径`` inside 主要做法: a heading of another rank, or one naming the open section again."""
    if match.key == "section" and match.label == section.label:
        return True
    return section.heading_kind is not None and kind is not None and kind != section.heading_kind


class _FormReader:
    """Collects labelled entries from the body, in document order."""

    def __init__(self) -> None:
        self.entries: list[_Entry] = []
        self.open: _Entry | None = None
        self.loose: list[Paragraph] = []  # paragraphs before any label (title fallback)
        self.all_text: list[str] = []
        self.group_labels: dict[int, LabelMatch] = {}  # grid column → vertically merged label
        self.header: dict[int, LabelMatch] = {}  # grid column → label of a row of labels above values

    def feed(self, body: Body) -> None:
        for block in body.blocks:
            if isinstance(block, Paragraph):
                self.all_text.append(block.text)
                self.paragraph(block.text, block.heading, in_cell=False)
            else:
                self.group_labels = {}
                for row in block.rows:
                    self.all_text.extend(cell.text for cell in row)
                    self.row(row)

    # -- entries ------------------------------------------------------------------------------------

    def _add(self, match: LabelMatch, kind: tuple[str, str] | None = None) -> _Entry:
        entry = _Entry(match.key, match.label, match.raw, [match.inline] if match.inline else [], kind)
        self.entries.append(entry)
        return entry

    def _take(self, match: LabelMatch, values: list[str], kind: tuple[str, str] | None = None) -> None:
        """Record a label; it stays open for following rows unless it is a scalar that got its value."""
        entry = self._add(match, kind)
        entry.lines.extend(values)
        has_value = any(line.strip(_BLANKS) for line in entry.lines)
        self.open = None if has_value and match.key in _ONE_VALUE_KEYS else entry

    def _append(self, line: str) -> None:
        if self.open is None:
            return
        self.open.lines.append(line)
        if self.open.key in SCALAR_KEYS and line.strip(_BLANKS) and not is_hint(line):
            self.open = None

    # -- paragraphs ---------------------------------------------------------------------------------

    def paragraph(self, text: str, heading: int | None, in_cell: bool) -> None:
        """One paragraph of the body or of a single-cell row, line by line (``w:br`` splits lines)."""
        for line in text.split("\n"):
            if line.strip(_BLANKS):
                self._line(line, heading, in_cell)

    def _line(self, text: str, heading: int | None, in_cell: bool) -> None:
        if _SIGNATURE_RE.fullmatch(text.strip(_BLANKS)):
            self.open = self._add(LabelMatch("ignore", "盖章", text))
            return
        # Inside a narrative section "成效：……" is prose; only a sibling heading may carry an inline label.
        kind = _heading_kind(text, heading)
        in_section = self.open is not None and self.open.key == "section"
        inline_allowed = not in_section or (kind is not None and kind == self.open.heading_kind)
        several = split_inline_labels(text) if inline_allowed else []
        if several:
            for match in several:
                self._take(match, [])
            return
        match = match_label(text)
        if (
            match is not None
            and match.key != "sub"
            and (inline_allowed or not match.inline)
            and not (in_section and _sub_heading(self.open, match, kind))
        ):
            self._take(match, [], kind)
            return
        if not in_cell and kind is not None and _looks_like_heading(text):
            if self._starts_unknown_section(text, kind):
                return
            if self.open is not None and self.open.key != "section":
                self.open = None  # a heading such as 二、案例内容 ends a list like 往年申报情况
                return
        if self.open is not None:
            self._append(text)
        elif not self.entries:
            self.loose.append(Paragraph(text, heading))

    def _starts_unknown_section(self, text: str, kind: tuple[str, str]) -> bool:
        if kind[0] == "style" and int(kind[1]) > 1:
            return False
        open_kind = self.open.heading_kind if self.open is not None else None
        sections_seen = any(entry.key == "section" for entry in self.entries)
        if open_kind != kind and (open_kind is not None or not sections_seen):
            return False
        self._take(LabelMatch("section", _label_core(text), text.strip(_BLANKS)), [], kind)
        return True

    # -- table rows ---------------------------------------------------------------------------------

    def _cell_label(self, cell: Cell) -> LabelMatch | None:
        if cell.vmerge == "continue":
            group = self.group_labels.get(cell.col)
            return LabelMatch(group.key, group.label, group.raw) if group else None
        match = match_label(cell.text) if cell.text else None
        filled = [paragraph for paragraph in cell.paragraphs if paragraph.strip(_BLANKS)]
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
        labels = [self._cell_label(cell) for cell in cells]
        header, self.header = self.header, {}
        if self._previous_header(cells, labels):
            return
        if not any(label is not None and label.key != "sub" for label in labels):
            if not self._values_under_header(cells, header):
                self._row_without_labels(cells)
            return
        if self._header_row(cells, labels):
            return
        self.open = None
        group: LabelMatch | None = None
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
            self._take(_qualify(label, group), values)
            index = end

    def _header_row(self, cells: list[Cell], labels: list[LabelMatch | None]) -> bool:
        """A row of labels only (案例名称 | 申报单位 | 上线时间): their values are in the row below."""
        filled = [(cell, label) for cell, label in zip(cells, labels, strict=True) if cell.text]
        if len(filled) < 2 or any(label is None or label.key == "sub" or label.inline for _, label in filled):
            return False
        self.open = None
        self.header = {cell.col: label for cell, label in filled if label is not None}
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
            line = "\t".join(filter(None, [label.raw.strip(_BLANKS), line]))
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
        if len(filled) == 2 and self._unknown_pair(filled[0], filled[1]):
            return
        if filled and self.open is not None:
            self._append("\t".join(cell.text.replace("\n", " ") for cell in filled))

    def _unknown_label_row(self, cell: Cell) -> bool:
        """A row holding only a short title after a section's text: the next section, under its own label."""
        lines = [line for line in cell.paragraphs if line.strip(_BLANKS)]
        if len(lines) != 1 or self.open is None or self.open.key != "section":
            return False
        core = _label_core(lines[0])
        if not any(line.strip(_BLANKS) for line in self.open.lines) or not _looks_like_heading(lines[0]):
            return False
        if len(core) > 12 or re.search(r"\d", core) or len(re.findall(f"[{_HAN}]", core)) < 2:
            return False
        self._take(LabelMatch("section", core, lines[0]), [])
        return True

    def _unknown_pair(self, label_cell: Cell, value_cell: Cell) -> bool:
        """A short unknown label beside a long text: a narrative section under its own label."""
        core = _label_core(label_cell.text)
        if not (1 < len(core) <= 10) or re.search(r"\d", core) or count_words(value_cell.text) < 40:
            return False
        self._take(LabelMatch("section", core, label_cell.text), list(value_cell.paragraphs))
        return True


def _qualify(label: LabelMatch, group: LabelMatch | None) -> LabelMatch:
    """A sub-label (名称, 姓名 …) takes its meaning from the group label it sits under."""
    if group is None:
        return label
    if (label.key == "sub" or label.label == "单位名称") and group.key in _NAMED_GROUPS:
        key = "contact.name" if group.key == "contact" else group.key
        return LabelMatch(key, label.label, label.raw, label.inline)
    return label


# ---------------------------------------------------------------------------------------- assembling

_PHONE_RE = re.compile(r"(?<!\d)(?:\+?86[-\s]?)?(?:1[3-9]\d{9}|0\d{2,3}[-\s]?\d{7,8}(?:[-转]\d{1,5})?)(?!\d)")
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_SAME_AS_UNIT = ("同上", "同左", "同申报单位", "与申报单位相同", "与申报单位一致", "同申报主体", "同前")
_NONE_WORDS = {"无", "否", "没有", "未申报", "首次申报", "无往年申报", "无申报", "暂无", "/", "-", "—"}
_RESULT_RE = re.compile(r"未入选|未获评|未获选|落选|未评上|入选|获评|获选|优秀案例")
_LIST_PREFIX_RE = re.compile(r"^\s*(?:\d+[.、．)）]|[（(]\d+[)）]|[①-⑳]|[-•·*▪●])\s*")


@dataclass
class _Assembled:
    values: dict[str, str]
    lines: dict[str, list[str]]
    sections: dict[str, str]
    limits: dict[str, int | None]
    hints: list[tuple[str, str]]


def _clean_scalar(lines: list[str]) -> str:
    value = " ".join(" ".join(line.split()) for line in lines if line.strip(_BLANKS))
    value = _SCALAR_NOTE_RE.sub("", value).strip(_BLANKS + "：:")
    return "" if re.fullmatch(r"[\s年月日_]*", value) else value


def _collect(entries: list[_Entry]) -> _Assembled:
    result = _Assembled({}, {}, {}, {}, [])
    for entry in entries:
        if entry.key in ("ignore", "sub"):
            continue
        kept, hints = strip_hints([part for line in entry.lines for part in line.split("\n")])
        label = entry.label if entry.key == "section" else _display_label(entry)
        notes = [hint for hint in hints if not _limit_only(hint)]
        result.hints.extend((label, hint) for hint in notes)
        if entry.key == "section":
            _add_section(result, entry, kept, hints)
        elif entry.key in SCALAR_KEYS or entry.key.startswith("contact"):
            value = _clean_scalar(kept)
            if value and not result.values.get(entry.key):
                result.values[entry.key] = value
        else:
            result.lines.setdefault(entry.key, []).extend(line for line in kept if line.strip(_BLANKS))
    return result


def _add_section(result: _Assembled, entry: _Entry, lines: list[str], hints: list[str]) -> None:
    text = "\n".join(line.strip(_BLANKS) for line in lines if line.strip(_BLANKS))
    previous = result.sections.get(entry.label, "")
    result.sections[entry.label] = "\n".join(filter(None, [previous, text]))
    if result.limits.get(entry.label) is None:
        limits = [word_limit(text) for text in [entry.raw_label, *hints]]
        result.limits[entry.label] = next((limit for limit in limits if limit is not None), None)


def _display_label(entry: _Entry) -> str:
    return _label_core(entry.raw_label) or entry.label


def _contact(values: dict[str, str]) -> Contact:
    combined = " ".join(
        values.get(key, "") for key in ("contact", "contact.name", "contact.phone", "contact.email")
    )
    phone = values.get("contact.phone") or next(iter(_PHONE_RE.findall(combined)), "")
    email = values.get("contact.email") or next(iter(_EMAIL_RE.findall(combined)), "")
    name = values.get("contact.name", "")
    if not name and values.get("contact"):
        rest = _EMAIL_RE.sub(" ", _PHONE_RE.sub(" ", values["contact"]))
        rest = re.sub(r"(?:电话|手机|邮箱|电子邮箱|e-?mail|联系方式|姓名)\s*[:：]?", " ", rest, flags=re.I)
        tokens = [t for t in re.split(r"[\s,，;；/、:：]+", rest) if t]
        name = tokens[0] if tokens else ""
    return Contact(name=name, phone=phone.strip(), email=email.strip())


def parse_previous(lines: list[str]) -> list[PreviousApplication]:
    """往年申报情况 lines → applications (``2024年申报《某平台》，未入选``, ``2024\\t某平台\\t入选``).

    Args:
        lines: one application per line (table rows are tab-joined); ``无`` means none.

    Returns:
        The applications in the order written; lines without a year are skipped.
    """
    applications: list[PreviousApplication] = []
    for line in (part for raw in lines for part in re.split(r"[;；]", raw)):
        titled = re.search(r"《([^》]+)》|“([^”]+)”", line)
        bare = re.sub(r"《[^》]*》|“[^”]*”", " ", line)
        year_match = re.search(r"(?<!\d)(20\d{2})(?!\d)", _nfkc(bare))
        if year_match is None:
            continue
        result_match = _RESULT_RE.search(bare)
        result = result_match.group() if result_match else ""
        if titled:
            title = titled.group(1) or titled.group(2)
        else:
            rest = _nfkc(bare).replace(year_match.group(), " ", 1)
            rest = _RESULT_RE.sub(" ", rest)
            rest = re.sub(r"案例名称|申报结果|评选结果|名称|年份|年度|结果|申报|年|[:：,，。\t]", " ", rest)
            title = " ".join(rest.split())
        outcome = None
        if result:
            outcome = "not_selected" if result.startswith(("未", "落")) else "awarded"
        applications.append(PreviousApplication(int(year_match.group(1)), title.strip(), result, outcome))
    return applications


def _attachments(lines: list[str]) -> list[str]:
    names = []
    for line in lines:
        for part in re.split(r"[\t；;]", line):
            name = _LIST_PREFIX_RE.sub("", part).strip(_BLANKS + "；;。")
            if name and name not in _NONE_WORDS:
                names.append(name)
    return names


def _categories(assembled: _Assembled, reader: _FormReader) -> tuple[list[int], bool, bool]:
    """(ticked ids, boxes seen, found in the category field rather than the fallback scan)."""
    text = "\n".join(assembled.lines.get("category", []))
    ticked, boxes = read_categories(text) if text else ([], False)
    if ticked or boxes:
        return ticked, boxes, True
    if (number := category_from_number(text)) is not None:
        return [number], False, True
    scanned, scanned_boxes = read_categories("\n".join(reader.all_text))
    return (scanned, True, False) if scanned_boxes and scanned else ([], boxes, bool(text))


def _title_fallback(reader: _FormReader) -> str:
    for paragraph in reader.loose:
        text = paragraph.text.strip(_BLANKS)
        if (
            paragraph.heading is not None
            and text
            and not re.search(r"申报表|申报书|推荐表|登记表|申请表", text)
        ):
            return text
    return ""


def _assemble(reader: _FormReader, file_name: str) -> Submission:
    assembled = _collect(reader.entries)
    values = assembled.values
    submission = Submission(file_name=file_name)
    warnings: list[str] = []
    submission.title = values.get("title", "")
    if not submission.title and (fallback := _title_fallback(reader)):
        submission.title = fallback
        warnings.append(f"未找到「案例名称」栏，已取文档标题「{fallback}」作为案例名称，请核对。")
    submission.unit = values.get("unit", "")
    submission.recommender = values.get("recommender", "")
    implementer = values.get("implementer", "")
    submission.implementer = submission.unit if implementer in _SAME_AS_UNIT else implementer
    submission.launch_raw = values.get("launch", "")
    submission.launch_date = normalise_date(submission.launch_raw)
    status = values.get("status", "")
    ticked_status = ticked_option(status)
    submission.status = status if ticked_status is None else ticked_status
    if not submission.status:
        submission.status = status_hint(submission.launch_raw)
    submission.contact = _contact(values)
    previous_lines = assembled.lines.get("previous", [])
    submission.previous_applications = parse_previous(previous_lines)
    submission.attachments = _attachments(assembled.lines.get("attachments", []))
    ticked, boxes, in_field = _categories(assembled, reader)
    submission.declared_categories = ticked
    submission.declared_category = ticked[0] if len(ticked) == 1 else None
    submission.sections = {label: text for label, text in assembled.sections.items() if text}
    submission.text = "\n\n".join(submission.sections.values())
    submission.word_counts = [
        WordCount(label, count_words(text), assembled.limits.get(label))
        for label, text in submission.sections.items()
    ]
    warnings.extend(_warnings(submission, assembled, ticked, boxes, in_field, previous_lines))
    submission.warnings = warnings
    return submission


def _warnings(
    submission: Submission,
    assembled: _Assembled,
    ticked: list[int],
    boxes: bool,
    in_field: bool,
    previous_lines: list[str],
) -> list[str]:
    warnings = []
    present = {
        "title": submission.title,
        "unit": submission.unit,
        "implementer": submission.implementer,
        "launch": submission.launch_raw,
    }
    for key, label in REQUIRED_FIELDS.items():
        if not present[key]:
            warnings.append(f"未找到「{label}」或该栏为空，请核对申报表。")
    if not submission.unit and submission.recommender:
        warnings.append(
            f"只填写了推荐单位「{submission.recommender}」，推荐单位不是申报单位，请补充申报单位。"
        )
    if len(ticked) > 1:
        names = "、".join(CATEGORY_NAMES[c] for c in ticked)
        warnings.append(f"勾选了多个申报类别（{names}），每个案例只能申报一个类别，请确认。")
    elif not ticked:
        detail = "类别栏的方框都未勾选" if boxes else "未找到申报类别"
        warnings.append(f"{detail}，请确认申报类别。")
    elif not in_field:
        warnings.append(f"未找到「申报类别」栏，按文中勾选的「{CATEGORY_NAMES[ticked[0]]}」处理，请核对。")
    if submission.launch_raw and submission.launch_date is None:
        warnings.append(f"上线时间「{submission.launch_raw}」无法识别为日期，请核对。")
    if not (submission.contact.name or submission.contact.phone or submission.contact.email):
        warnings.append("未找到联系人信息。")
    if (
        previous_lines
        and not submission.previous_applications
        and not all("".join(line.split()).strip("。.") in _NONE_WORDS for line in previous_lines)
    ):
        warnings.append("往年申报情况未写明年份，无法识别，请核对。")
    for label in CANONICAL_SECTIONS:
        if label not in submission.sections:
            warnings.append(f"未找到「{label}」部分或该部分为空。")
    for count in submission.word_counts:
        if count.over_limit:
            warnings.append(f"「{count.label}」共 {count.count} 字，超过 {count.limit} 字的限制。")
    for label, hint in assembled.hints:
        warnings.append(f"「{label}」栏内留有填写提示文字，已忽略：{hint[:40]}")
    return warnings


# --------------------------------------------------------------------------------------- bad input

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTION_STREAMS = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))
_IMAGES_ONLY_MAX_TEXT = 1000
_IMAGES_ONLY_MAX_NARRATIVE = 20  # characters of narrative text that make it a text form


def _sniff_kind(data: bytes) -> str:
    head = data[:2048].lstrip()
    lowered = head.lower()
    if head.startswith(b"%PDF"):
        return "PDF 文件"
    if head.startswith(b"{\\rtf"):
        return "RTF 文档（常见于另存为 .doc 的文件）"
    if b"<html" in lowered or b"mime-version" in lowered:
        return "网页文件（HTML/MHT）"
    if head.startswith(b"<?xml") or head.startswith(b"<"):
        return "XML 文件（如 Word 2003 XML）"
    if head.startswith((b"\xff\xd8\xff", b"\x89PNG", b"GIF8", b"BM")):
        return "图片"
    if head.startswith((b"Rar!", b"7z\xbc\xaf")):
        return "压缩包（RAR/7z）"
    for encoding in ("utf-8", "gb18030"):
        try:
            data[:4096].decode(encoding)
            return "纯文本文件"
        except UnicodeDecodeError:
            continue
    return "无法识别的格式"


def check_container(data: bytes, file_name: str, settings: Settings) -> None:
    """Reject what is not a readable .docx before parsing it.

    Args:
        data: the file's bytes.
        file_name: shown in the message.
        settings: for ``max_file_mb``.

    Raises:
        IntakeError: lock_file, empty_file, too_large, encrypted, legacy_word or not_word.
    """
    if Path(file_name).name.startswith("~$"):
        raise IntakeError(
            "lock_file",
            f"文件「{file_name}」是 Word 打开文档时生成的临时锁文件（以 ~$ 开头），不是申报表，已跳过。",
            file_name,
        )
    if not data:
        raise IntakeError(
            "empty_file",
            f"文件「{file_name}」是空文件（0 字节），可能上传或复制时出错。请重新导出申报表后再上传。",
            file_name,
        )
    check_size(len(data), file_name, settings)
    if data.startswith(OLE_MAGIC):
        if any(stream in data for stream in _ENCRYPTION_STREAMS):
            raise IntakeError(
                "encrypted",
                f"文件「{file_name}」设置了打开密码，系统无法读取。请在 Word 中取消密码（文件 → 信息 → 保护文档 → "
                "用密码进行加密，清空密码）后重新保存，再上传。",
                file_name,
            )
        raise IntakeError(
            "legacy_word",
            f"文件「{file_name}」是旧版 Word/WPS 格式（.doc/.wps），系统只能读取 .docx。"
            "请用 Word 或 WPS 打开后“另存为” Word 文档（.docx）再上传。",
            file_name,
        )
    if not data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        raise IntakeError(
            "not_word",
            f"文件「{file_name}」不是 Word 文档（实际是{_sniff_kind(data)}）。申报表须为 Word 文档格式（.docx），"
            "请提交用 Word 填写的申报表。",
            file_name,
        )


def check_size(size: int, file_name: str, settings: Settings) -> None:
    """Raise ``too_large`` when ``size`` (bytes) is over ``settings.max_file_mb``."""
    if size > settings.max_file_mb * 1024 * 1024:
        raise IntakeError(
            "too_large",
            f"文件「{file_name}」超过 {settings.max_file_mb:g} MB 的大小上限。"
            "请压缩文中图片（或把图片作为附件单独提交）后再上传。",
            file_name,
        )


def _check_readable(body: Body, reader: _FormReader, submission: Submission, file_name: str) -> None:
    narrative = sum(len(text) for text in submission.sections.values())
    if (
        body.image_count
        and narrative < _IMAGES_ONLY_MAX_NARRATIVE
        and body.text_chars < _IMAGES_ONLY_MAX_TEXT
    ):
        raise IntakeError(
            "images_only",
            f"文件「{file_name}」的内容几乎都是图片（共 {body.image_count} 张），没有可读取的文字。"
            "请提交文字版申报表：直接在 Word 中填写，不要粘贴扫描件或截图。",
            file_name,
        )
    if not any(entry.key not in ("ignore", "sub") for entry in reader.entries):
        raise IntakeError(
            "not_a_form",
            f"文件「{file_name}」能打开，但没有找到申报表的任何栏目（如案例名称、申报单位、案例简介）。"
            "请确认提交的是《2026年中国行业媒体高质量发展创新案例申报表》。",
            file_name,
        )


# ------------------------------------------------------------------------------------------- public


def extract_bytes(data: bytes, file_name: str, settings: Settings | None = None) -> Submission:
    """Read one application form given as bytes.

    Args:
        data: the file's bytes.
        file_name: the name to record and to show in messages.
        settings: limits (``max_file_mb``); defaults to ``get_settings()``.

    Returns:
        The submission, with ``content_hash`` = sha256 of ``data``.

    Raises:
        IntakeError: for anything that is not a readable form (see ``check_container`` and the codes
            corrupt_docx, images_only, not_a_form).
    """
    settings = settings or get_settings()
    check_container(data, file_name, settings)
    body = read_package(data, file_name)
    reader = _FormReader()
    reader.feed(body)
    submission = _assemble(reader, file_name)
    _check_readable(body, reader, submission, file_name)
    submission.content_hash = hashlib.sha256(data).hexdigest()
    return submission


def extract_file(path: Path, settings: Settings | None = None) -> Submission:
    """Read one application form from disk (the size is checked before the file is read).

    Args:
        path: the .docx file.
        settings: limits; defaults to ``get_settings()``.

    Returns:
        The submission; ``file_name`` is the file's base name.

    Raises:
        IntakeError: see ``extract_bytes``.
    """
    settings = settings or get_settings()
    path = Path(path)
    if not path.name.startswith("~$"):
        check_size(path.stat().st_size, path.name, settings)
    return extract_bytes(path.read_bytes(), path.name, settings)


# ------------------------------------------------------------------------------------------------ CLI


def _record(name: str, submission: Submission | None, error: IntakeError | None) -> dict:
    if error is not None:
        record = {"file": name, "ok": False, "error": error.to_dict()}
        if error.code == "lock_file":
            record["skipped"] = True
        return record
    data = submission.to_dict() if submission is not None else {}
    data.pop("file_name", None)
    return {"file": name, "ok": True, **data}


def _print_table(records: list[dict]) -> None:
    print("文件\t状态\t案例名称\t申报单位\t申报类别\t上线时间\t提示")
    for record in records:
        if record["ok"]:
            category = record["declared_category"]
            print(
                "\t".join(
                    [
                        record["file"],
                        "成功",
                        record["title"] or "（未找到）",
                        record["unit"] or "（未找到）",
                        CATEGORY_NAMES.get(category, "未确定") if category else "未确定",
                        record["launch_date"] or "未知",
                        f"{len(record['warnings'])} 条",
                    ]
                )
            )
        else:
            state = "跳过" if record.get("skipped") else "失败"
            print(f"{record['file']}\t{state}\t{record['error']['message']}")


def _cli_extract(args: argparse.Namespace) -> int:
    from pipelines.intake.archive import iter_sources
    from pipelines.intake.bundle import BatchCounts, cli_ocr, read_batch

    missing = [str(path) for path in args.paths if not Path(path).exists()]
    if missing:
        print(f"找不到以下文件或目录：{'、'.join(missing)}。请检查路径。", file=sys.stderr)
        return 2
    settings = get_settings()
    records, counts = [], BatchCounts()
    for result in read_batch(
        list(iter_sources(args.paths, settings)), settings, extract_bytes, *cli_ocr(settings)
    ):
        record = _record(result.name, result.submission, result.error) | result.attachment_fields()
        if args.json:
            print(json.dumps(record, ensure_ascii=False), flush=True)
        records.append(record)
        counts.add(result)
    if not args.json:
        _print_table(records)
    print(counts.summary(), file=sys.stderr)  # never reads as success when no form was read
    return 0


def add_cli(subparsers: argparse._SubParsersAction) -> None:
    """Register ``extract FILE_OR_DIR... [--json]``."""
    parser = subparsers.add_parser("extract", help="读取申报表 .docx（目录、zip 压缩包亦可），输出字段")
    parser.add_argument("paths", nargs="+", type=Path, metavar="FILE_OR_DIR", help="申报表文件、目录或 zip")
    parser.add_argument("--json", action="store_true", help="每个文件输出一行 JSON")
    parser.set_defaults(func=_cli_extract)
