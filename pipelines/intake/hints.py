"""Template hint text left in a filled form (``（请简要介绍……300字以内）``, ``单击或点击此处输入文字``).

Hints are removed from values and reported; a form whose every value is a hint is an unfilled template.
"""

from __future__ import annotations

import re

from pipelines.intake.labels import BLANKS
from pipelines.intake.wordcount import limit_only

_PLACEHOLDERS = (
    "单击或点击此处输入文字",
    "点击或点击此处输入文字",
    "单击此处输入文字",
    "点击此处输入文字",
    "click or tap here to enter text",
    "click here to enter text",
    "请选择",  # the first entry of a dropdown list left unchosen
    "选择一项",
    "choose an item",
    "此处输入日期",
    "enter a date",
    "请在此输入",
    "请输入",
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
    "全称",
)
_PLACEHOLDER_RE = re.compile(r"[×xX✕＊*_＿\-—.．…·\s　年月日号]*[×xX✕＊*][×xX✕＊*_＿\-—.．…·\s　年月日号]*")
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
_PLACEHOLDERS_RE = re.compile("|".join(re.escape(text) for text in _PLACEHOLDERS), re.IGNORECASE)
_HINT_MAX_CHARS = 150
_HINT_START = ("请", "注：", "注:", "说明：", "说明:", "填写说明", "填表说明", "填写要求")
_EXAMPLE_START = ("示例：", "示例:", "例：", "例:", "例如：", "例如:", "如：", "如:")  # 示例：某某报社
_BRACKET_PAIRS = {"（": "）", "(": ")", "【": "】", "[": "]", "〔": "〕"}
_LEADING_BRACKET_RE = re.compile(r"^[（(【\[〔]([^（()）【】\[\]〔〕]{2,200})[）)】\]〕]")


def is_hint(line: str) -> bool:
    """True for template hint text left in a value cell (``（请简要介绍……300字以内）``, ``请填写全称``)."""
    text = line.strip(BLANKS)
    if not text:
        return False
    if text[0] in _BRACKET_PAIRS and text.endswith(_BRACKET_PAIRS[text[0]]):
        return any(word in text for word in _BRACKET_HINT_WORDS)
    if len(text) > _HINT_MAX_CHARS:
        return False
    if text.startswith(_HINT_START) and any(word in text for word in _START_HINT_WORDS):
        return True
    if text.startswith(_EXAMPLE_START):
        return True
    if _PLACEHOLDER_RE.fullmatch(text):
        return True  # ××××年××月, XXX
    return bool(_PLACEHOLDERS_RE.search(text)) or (len(text) >= 3 and not text.strip("_＿-—.．…·　 "))


def strip_hints(lines: list[str]) -> tuple[list[str], list[str]]:
    """Remove hint lines and leading bracketed hints; returns (kept lines, removed hints).

    A line that only states a word limit (``不超过300字``) is removed too and returned among the hints.
    """
    kept: list[str] = []
    hints: list[str] = []
    for line in lines:
        if is_hint(line) or limit_only(line):
            hints.append(line.strip(BLANKS))
            continue
        match = _LEADING_BRACKET_RE.match(line.strip(BLANKS))
        if match and any(word in match.group(1) for word in _BRACKET_HINT_WORDS):
            hints.append(match.group(0))
            line = line.strip(BLANKS)[match.end() :]
        kept.append(line)
    return kept, hints
