"""Reading a cell or paragraph as a form label, with the label vocabulary of ``pipelines.vocabulary``.

A label is compared after removing spaces, numbering (``一、``, ``（二）``, ``3.``), bracketed notes
(``（300字以内）``) and a trailing colon. A label may carry its value after a colon in the same text
(``申报单位：某某报社``); several such pairs may share one cell or paragraph, each value bounded by the next
label (``申报单位：甲报社 实施单位：乙公司 联系人：张三``). A label whose note asks for a stamp or signature
(``申报单位（盖章）：``) is marked ``signed``: its value is a weak reading that never overwrites the field.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache

from pipelines.intake.wordcount import WORD_LIMIT_TAIL_RE
from pipelines.vocabulary import (
    FIELD_LABELS,
    LAUNCH_LABEL_ENDS,
    LAUNCH_LABEL_PLANNED,
    LAUNCH_LABEL_SUBJECTS,
    LAUNCH_LABEL_VERBS,
    SECTION_LABELS,
    SIGNATURE_NOTES,
)

GROUP_KEYS = frozenset(("unit", "implementer", "recommender", "contact", "previous"))
NAMED_GROUPS = frozenset(("unit", "implementer", "recommender", "contact"))
SCALAR_KEYS = ("title", "unit", "implementer", "recommender", "launch", "status")
ONE_VALUE_KEYS = frozenset((*SCALAR_KEYS, "contact", "contact.name", "contact.phone", "contact.email"))
BLOCK_KEYS = frozenset(("ignore", "sub", "signature"))  # labels that never hold a field of their own
BLANKS = " \t\n\r\u3000\u2002\u2003\u00a0\u200b"

_LABEL_KEYS: dict[str, tuple[str, str]] = {}  # normalised label → (key, canonical section label or "")
for _key, _labels in FIELD_LABELS.items():
    _LABEL_KEYS.update({label.lower(): (_key, "") for label in _labels})
for _canonical, _labels in SECTION_LABELS.items():
    _LABEL_KEYS.update({label: ("section", _canonical) for label in _labels})

_LAUNCH_LABEL_RE = re.compile(
    f"(?:{'|'.join(LAUNCH_LABEL_SUBJECTS)})?(?:{'|'.join(LAUNCH_LABEL_PLANNED)})?(?:正式|首次|开始)?"
    f"(?:{'|'.join(LAUNCH_LABEL_VERBS)})+(?:{'|'.join(LAUNCH_LABEL_ENDS)})"
)
# Leaders between a label and its value (案例名称…………某平台, 申报单位 ·········· 某报社, ____某报社____), as
# they read after NFKC (… becomes ...).
LEADERS = "._·•…⋯・‧~～＿．－\\-—–"
_LEADER_RUN = f"(?:[{LEADERS}]{{2,}}|[…⋯]+)"
_LEADER_EDGES_RE = re.compile(
    f"^[\\s{LEADERS}]*{_LEADER_RUN}[\\s{LEADERS}]*|[\\s{LEADERS}]*{_LEADER_RUN}[\\s{LEADERS}]*$"
)


def strip_leaders(value: str) -> str:
    """A value without the leaders or underlines around it (``____某报社____`` → ``某报社``)."""
    return _LEADER_EDGES_RE.sub("", value) if value else value


# An English label beside the Chinese one: "Case Title / 案例名称:", "案例名称 / Case Title:".
_ENGLISH_BEFORE = r"(?:[A-Za-z][A-Za-z .&'\-]{0,40}?\s*[/|]\s*)?"
_LEADING_ENGLISH_RE = re.compile(
    r"^[A-Za-z][A-Za-z .&'\-]{0,40}?\s+(?=[\u4e00-\u9fff])"
)  # Name of Case 案例名称:
_ENGLISH_AFTER = r"(?:\s*[/|]?\s*[A-Za-z][A-Za-z .&'\-]{0,40})?"
_INLINE_LABEL_RE = re.compile(
    r"(?:^|(?<=[\s,;、。)）|]))"
    + _ENGLISH_BEFORE
    + "("
    + "|".join(
        "[ ]*".join(re.escape(char) for char in label)  # 联 系 人：
        for label in sorted((label for label in _LABEL_KEYS if len(label) > 1), key=len, reverse=True)
    )
    + f"|{_LAUNCH_LABEL_RE.pattern}"
    + ")"
    + _ENGLISH_AFTER
    + r"\s*(?:\([^()]{0,40}\))?\s*:",
    re.IGNORECASE,
)
# A field label at the start, then spaces and the value: 申报单位    某某报社 (free layouts without colons).
_FIELD_LABELS_RE = "|".join(
    re.escape(label)
    for label in sorted(
        (
            label
            for label, (key, _) in _LABEL_KEYS.items()
            if key not in ("section", "sub") and len(label) > 1
        ),
        key=len,
        reverse=True,
    )
)
_SPACED_TAIL = r"(?:\s*\([^()]{0,40}\))?" + f"(?:[ \\t]+|[ \\t]*{_LEADER_RUN}[ \\t]*)(?=\\S)"
_FIELD_LABELS_RE += f"|{_LAUNCH_LABEL_RE.pattern}"  # 启用日期, 系统投入运行时间: launch labels by their shape
# A text that starts with a field label and goes on without a separator (案例名称某平台): maybe a bold label
# typed straight before its value (``pipelines.intake.docx_runs``).
_GLUED_START_RE = re.compile(
    r"^[ \u3000]*(?:[\d一二三四五六七八九十]{1,2}[、.．)）][ \u3000]*)?(?>"
    + _FIELD_LABELS_RE
    + r")(?=[^\s:：(（])"
)


def glued_label_start(text: str) -> bool:
    """Whether ``text`` starts with a field label followed straight by more text."""
    return _GLUED_START_RE.match(text) is not None


_SPACED_LABEL_RE = re.compile(_ENGLISH_BEFORE + f"({_FIELD_LABELS_RE})" + _SPACED_TAIL, re.IGNORECASE)
# A further label without a colon after a gap of two spaces or a tab (申报单位　甲报社　　实施单位　乙公司).
_GAP_LABEL_RE = re.compile(
    f"(?:^|(?<=\\S)(?:[ \\t]{{2,}}|\\t))({_FIELD_LABELS_RE})(?={_SPACED_TAIL}|[ \\t]*$)", re.IGNORECASE
)
SIGNATURE_LINE_RE = re.compile(r"[（(]\s*(?:单位|申报单位)?(?:盖章|签字|签章|公章)[^（()）]{0,10}[）)]")
_SIGNED_NOTE_RE = re.compile(r"[(（][^()（）]*(?:" + "|".join(SIGNATURE_NOTES) + r")[^()（）]*[)）]")
_NUMBERING_RE = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.]|\(\s*[一二三四五六七八九十\d]+\s*\)|\d{1,2}(?:\.\d+)*[、.)]?(?!\d)|[①-⑳]"
    r"|[■●◆▪•★☆►▶➤※◎]+)\s*"  # numbering, or a bullet
)
_BRACKET_LABEL_RE = re.compile(r"^[【\[]([^】\]]{2,16})[】\]]\s*:?\s*")  # 【案例名称】某平台
_LATIN_RE = re.compile(r"[a-z][a-z./&'\-]*[a-z]")
_BRACKETS_RE = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】|〔[^〔〕]*〕")
_MAX_LABEL_CHARS = 16
_SHORT_TEXT = 120  # longer text can only be "label：value" with the colon near its start
_INLINE_HEAD = 60


@dataclass(frozen=True, slots=True)
class LabelMatch:
    key: str  # a FIELD_LABELS key or "section"
    label: str  # canonical section label, or the label as written (normalised)
    raw: str  # the label text as written, for word limits
    inline: str = ""  # value written after "：" in the same cell or paragraph
    signed: bool = False  # the label asks for a stamp or signature: its value is a weak reading


def nfkc(text: str) -> str:
    """Unicode NFKC: full-width letters, digits and punctuation become half-width."""
    return unicodedata.normalize("NFKC", text)


@lru_cache(maxsize=8192)
def label_core(text: str) -> str:
    """The bare label: NFKC, no spaces, no numbering, no bracketed notes, no trailing colon or asterisk."""
    core = "".join(nfkc(text).split()).replace("\u200b", "")
    core = core.strip("*＊")
    core = _NUMBERING_RE.sub("", core, count=1)
    previous = None
    while previous != core:
        previous, core = core, _BRACKETS_RE.sub("", core)
    core = WORD_LIMIT_TAIL_RE.sub("", core)
    return core.rstrip(":：.。" + LEADERS).strip("*").lower()


def lookup(core: str) -> tuple[str, str] | None:
    """(field key, canonical section) of a bare label, trying its parts (``联系人/电话``) and trims."""
    if core in _LABEL_KEYS:
        return _LABEL_KEYS[core]
    for part in re.split(r"[/、]|及|和|与", core) if ":" not in core else ():
        if part in _LABEL_KEYS and _LABEL_KEYS[part][0] != "sub":
            return _LABEL_KEYS[part]
    trims = (core.removesuffix("名称"), core.removeprefix("案例"), core.removeprefix("项目"))
    trims += (
        core.removesuffix("基本信息"),
        core.removesuffix("信息"),
        core.removesuffix("情况"),
    )  # 实施单位信息
    for trimmed in trims:
        if trimmed != core and trimmed in _LABEL_KEYS and _LABEL_KEYS[trimmed][0] != "sub":
            return _LABEL_KEYS[trimmed]
    chinese = _LATIN_RE.sub("", core).strip("/|")  # 案例名称casetitle, applicant/申报单位: with its English
    if chinese != core and chinese and chinese in _LABEL_KEYS:
        return _LABEL_KEYS[chinese]
    if _LAUNCH_LABEL_RE.fullmatch(core):  # 平台正式启用日期: a launch label by its shape
        return ("launch", "")
    return None


def _signed(raw: str) -> bool:
    return bool(_SIGNED_NOTE_RE.search(nfkc(raw)))


def match_label(text: str) -> LabelMatch | None:
    """Read ``text`` (a cell or a paragraph) as a label, possibly with its value after a colon.

    Args:
        text: e.g. ``"案 例 简 介\\n（300字以内）"``, ``"一、主要做法"``, ``"申报单位（盖章）：某某报社"``.

    Returns:
        The match, or None when the text is not a known label.
    """
    stripped = text.strip(BLANKS)
    if not stripped:
        return None
    if len(stripped) <= _SHORT_TEXT:
        return _match_short(stripped)
    has_colon = ":" in stripped[:_INLINE_HEAD] or "：" in stripped[:_INLINE_HEAD]
    return _match_inline(stripped) if has_colon and "\n" not in stripped else None


_GAP_RE = re.compile(
    r"\S(?:\t|[ \u3000]{2,}|\u3000)\S"
)  # 实施单位\t与申报单位一致: a label, a gap, its value


@lru_cache(maxsize=8192)  # labels repeat from form to form
def _match_short(stripped: str) -> LabelMatch | None:
    if "\n" not in stripped and _GAP_RE.search(stripped):
        spaced = _match_inline(stripped)  # the label's words must not swallow a value after a gap
        if spaced is not None and spaced.inline and spaced.inline[0] not in "(（[【〔":
            return spaced
    core = label_core(stripped)
    if 0 < len(_LATIN_RE.sub("", core)) <= _MAX_LABEL_CHARS and (found := lookup(core)):
        return LabelMatch(found[0], found[1] or core, stripped, signed=_signed(stripped))
    return None if "\n" in stripped else _match_inline(stripped)


class _Normalised:
    """NFKC text with the way back to the text as written, so values keep their own characters
    (``…`` reads as ``...`` for matching, but a value's ``（试点）`` stays full-width)."""

    __slots__ = ("text", "_positions", "_length")

    def __init__(self, original: str) -> None:
        normalised = nfkc(original)
        self._length = len(original)
        self._positions: list[int] | None = None
        if len(normalised) != len(original):
            parts, positions = [], []
            for index, char in enumerate(original):
                piece = nfkc(char)
                parts.append(piece)
                positions.extend([index] * len(piece))
            normalised, self._positions = "".join(parts), positions
        self.text = normalised

    def start(self, index: int) -> int:
        """The original index of the normalised character at ``index``."""
        if self._positions is None:
            return index
        return self._positions[index] if index < len(self._positions) else self._length

    def end(self, index: int) -> int:
        """The original index just after the normalised characters before ``index``."""
        if self._positions is None or index <= 0:
            return index if self._positions is None else 0
        return self._positions[index - 1] + 1


def _match_inline(stripped: str) -> LabelMatch | None:
    mapped = _Normalised(stripped)
    normalised = mapped.text
    bracketed = _BRACKET_LABEL_RE.match(normalised)
    if bracketed and (found := lookup(label_core(bracketed.group(1)))) is not None:
        end = mapped.end(bracketed.end())
        raw, value = stripped[:end], strip_leaders(stripped[end:].strip(BLANKS))
        return LabelMatch(found[0], found[1] or label_core(bracketed.group(1)), raw, value, _signed(raw))
    numbering = _NUMBERING_RE.match(normalised) or _LEADING_ENGLISH_RE.match(normalised)
    offset = numbering.end() if numbering else 0
    rest = normalised[offset:]
    match = _INLINE_LABEL_RE.match(rest) or _SPACED_LABEL_RE.match(rest)
    if match is None or (found := lookup(label_core(match.group(1)))) is None:
        return None
    label = found[1] or label_core(match.group(1))
    end = mapped.end(offset + match.end())
    value = strip_leaders(stripped[end:].strip(BLANKS))
    return LabelMatch(found[0], label, stripped[:end], value, _signed(stripped[:end]))


def inline_labels(text: str) -> tuple[str, list[LabelMatch]]:
    """Split ``text`` at every ``label：`` it holds; each value runs up to the next label.

    Args:
        text: e.g. ``"甲报社  实施单位：乙公司；联系人：张三"``.

    Returns:
        (the text before the first label, one match per label with its inline value); ``(text, [])`` when
        the text holds no ``label：``.
    """
    colon = ":" in text or "：" in text
    if not colon and not _has_gap(text):
        return text, []
    mapped = _Normalised(text)
    starts = []
    for pattern in (_INLINE_LABEL_RE, _GAP_LABEL_RE) if colon else (_GAP_LABEL_RE,):
        for found in pattern.finditer(mapped.text):
            key = lookup(label_core(found.group(1)))
            start = mapped.start(found.start(1) if pattern is _GAP_LABEL_RE else found.start())
            if key is not None and not any(begin <= start < end for begin, end, _, _ in starts):
                starts.append((start, mapped.end(found.end()), found.group(1), key))
    if not starts:
        return text, []
    starts.sort()
    matches: list[LabelMatch] = []
    for index, (start, value_start, label_text, (key, section)) in enumerate(starts):
        end = starts[index + 1][0] if index + 1 < len(starts) else len(text)
        raw = text[start:value_start]
        value = _balanced(strip_leaders(text[value_start:end].strip(BLANKS + ";；,，。")))
        label = section or label_core(label_text)
        matches.append(LabelMatch(key, label, raw, value, _signed(raw)))
    return strip_leaders(text[: starts[0][0]].strip(BLANKS + ";；,，")), matches


def _balanced(value: str) -> str:
    """A value cut at a label inside brackets (甲报社（统一社会信用代码：…）) loses the bracket left open or closed."""
    if value.endswith(("（", "(")):
        return value[:-1].rstrip(BLANKS)
    if value.endswith(("）", ")")) and value.count("（") + value.count("(") < value.count("）") + value.count(
        ")"
    ):
        return value[:-1].rstrip(BLANKS)
    return value


def _has_gap(text: str) -> bool:
    return "\t" in text or "  " in text or "\u3000\u3000" in text or "\u3000 " in text or " \u3000" in text


def split_inline_labels(text: str) -> list[LabelMatch]:
    """``联系人：张三  电话：138…`` → one match per label, each with its inline value.

    Only text that starts with a label and holds two or more is split; see ``inline_labels`` for the rest.
    """
    if text.count(":") + text.count("：") < 2 and not _has_gap(text):
        return []
    head, matches = inline_labels(text)
    return matches if len(matches) >= 2 and not head else []


def weak(match: LabelMatch) -> LabelMatch:
    """The same label read inside a signature block: its value never overwrites the field."""
    return replace(match, signed=True)


def looks_like_heading(text: str) -> bool:
    stripped = text.strip(BLANKS)
    core = label_core(stripped)
    return 1 < len(core) <= 20 and not re.search(r"[。；;，,！？!?]", stripped.rstrip("。"))
