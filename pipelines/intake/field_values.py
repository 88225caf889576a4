"""Field values that need more than one line of text: contact, 往年申报情况, attachments, declared category."""

from __future__ import annotations

import re

from pipelines.intake.collect import Assembled
from pipelines.intake.labels import BLANKS, nfkc
from pipelines.intake.options import category_from_number, read_categories
from pipelines.intake.scope import FormReader
from pipelines.intake.wordcount import HAN
from pipelines.schema import Contact, PreviousApplication
from pipelines.vocabulary import CALL_NAME, CATEGORY_STEMS

_UNIT_NOTE_RE = re.compile(r"[（(](?:盖章|公章|单位盖章|签章)[)）]")

_PHONE_RE = re.compile(r"(?<!\d)(?:\+?86[-\s]?)?(?:1[3-9]\d{9}|0\d{2,3}[-\s]?\d{7,8}(?:[-转]\d{1,5})?)(?!\d)")
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# An implementer written as "the same as the applicant": 同上, 同申报单位, 与申报主体一致, 本单位 …
SAME_AS_UNIT_RE = re.compile(
    r"(?:同上|同左|同前|本单位|同(?:申报|报送)(?:单位|主体)|与(?:申报|报送)(?:单位|主体)(?:相同|一致|同)"
    r"|(?:申报|报送)(?:单位|主体)(?:本身|自身)?)[。.]?"
)
NONE_WORDS = {"无", "否", "没有", "未申报", "首次申报", "无往年申报", "无申报", "暂无", "/", "-", "—"}
_RESULT_RE = re.compile(r"未入选|未获评|未获选|落选|未评上|入选|获评|获选|优秀案例")
_LIST_PREFIX_RE = re.compile(r"^\s*(?:\d+[.、．)）]|[（(]\d+[)）]|[①-⑳]|[-•·*▪●])\s*")


def read_contact(values: dict[str, str]) -> Contact:
    """The contact from the 联系人/电话/邮箱 values (a combined ``张三 138… a@b.cn`` is split up)."""
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
        year_match = re.search(r"(?<!\d)(20\d{2})(?!\d)", nfkc(bare))
        if year_match is None:
            continue
        result_match = _RESULT_RE.search(bare)
        result = result_match.group() if result_match else ""
        if titled:
            title = titled.group(1) or titled.group(2)
        else:
            rest = nfkc(bare).replace(year_match.group(), " ", 1)
            rest = _RESULT_RE.sub(" ", rest)
            rest = re.sub(r"案例名称|申报结果|评选结果|名称|年份|年度|结果|申报|年|[:：,，。\t]", " ", rest)
            title = " ".join(rest.split())
        outcome = None
        if result:
            outcome = "not_selected" if result.startswith(("未", "落")) else "awarded"
        applications.append(PreviousApplication(int(year_match.group(1)), title.strip(), result, outcome))
    return applications


def read_attachments(lines: list[str]) -> list[str]:
    """附件清单 lines → file names, list numbering removed (``1. 报告.pdf；截图.jpg`` → two names)."""
    names = []
    for line in lines:
        for part in re.split(r"[\t；;]", line):
            name = _LIST_PREFIX_RE.sub("", part).strip(BLANKS + "；;。")
            if name and name not in NONE_WORDS:
                names.append(name)
    return names


def read_declared(assembled: Assembled, reader: FormReader) -> tuple[list[int], bool, bool]:
    """The declared categories: (ticked ids, boxes seen, found in the category field rather than by a scan
    of the whole document)."""
    text = "\n".join(assembled.lines.get("category", []))
    ticked, boxes = read_categories(text, reader.from_scan) if text else ([], False)
    if ticked or boxes:
        return ticked, boxes, True
    if (number := category_from_number(text)) is not None:
        return [number], False, True
    scanned, scanned_boxes = read_categories("\n".join(reader.all_text))
    if scanned_boxes and scanned:
        return scanned, True, False
    if not text and (named := declared_in_text(reader.all_text)) is not None:
        return [named], False, False
    return [], boxes, bool(text)


def declared_in_text(texts: list[str]) -> int | None:
    """The category a form without a category field declares in words: in a sentence (``本案例申报数智技术
    应用类``, ``现以本案例参评“运营服务创新类”``, ``属于体制机制创新类``) or after the form's title
    (``…申报表（国际传播能力建设类）``). None when no category or more than one is named that way."""
    found = {
        category
        for text in texts
        if "类" in text
        for match in _DECLARED_RE.finditer(nfkc(text))
        for category in [_category_of(next(name for name in match.groups() if name))]
        if category is not None
    }
    return found.pop() if len(found) == 1 else None


def _category_of(name: str) -> int | None:
    if len(name) == 1:  # 第四类
        return category_from_number(name)
    return next((c for c, stems in CATEGORY_STEMS.items() if any(stem in name for stem in stems)), None)


_CATEGORY_NAME = (
    "((?:" + "|".join(s for stems in CATEGORY_STEMS.values() for s in stems) + f")[{HAN}]{{0,6}}类)"
)
_DECLARED_RE = re.compile(
    rf"(?:申报|参评|参选|属于|归属|归入|所属|报送|推荐|选送|申请|入围)[^。；;!?！？\n]{{0,12}}?[“\"「『]?{_CATEGORY_NAME}"
    rf"|(?:申报表|申报书|推荐表)\s*[(（【〔]\s*{_CATEGORY_NAME}\s*[)）】〕]"
    rf"|(?:作为|以)\s*[“\"「『]?{_CATEGORY_NAME}[”\"」』]?\s*(?:案例)?(?:参评|申报|参选|报送)"
    r"|(?:申报|参评|参选|属于|所属)[^。；;!?！？\n]{0,8}?第\s*([一二三四五六1-6])\s*类"
)


# A cover-page line that is not the case's name: the form's or the call's own title, 附件2, a date.
_NOT_A_TITLE_RE = re.compile(
    rf"申报表|申报书|推荐表|登记表|申请表|指南|通知|办法|须知|{CALL_NAME}|^附件\d*$|^\d{{4}}年(\d{{1,2}}月)?(\d{{1,2}}日)?$"
)
# A line that names an organisation: a cover page's applicant written without a label.
_UNIT_RE = re.compile(
    r"^[^：:，,。；;！？!?\s]{2,40}(?:报社|杂志社|期刊社|出版社|集团|公司|中心|传媒|协会|学会|研究院|研究所|电视台|"
    r"广播电视台|电台|网站|新闻网|报|杂志|局|委员会|联合会)$"
)
_MAX_TITLE = 60
# The kind of document after a case's name in a heading: 申报书, 案例申报材料, ——案例申报表.
_KIND_SUFFIX_RE = re.compile(
    r"\s*(?:[—–\-]{1,2}|[:：])?\s*(?:案例)?(?:申报书|申报材料|申报表|推荐表|推荐材料|申请书)\s*$"
)


def cover_fallback(reader: FormReader) -> tuple[str, str]:
    """The case name and applicant of a cover page without labels, from the paragraphs before any label.

    The name is the first heading or centred line that is not the form's or the call's title, a date or an
    organisation; the applicant is a later line that names an organisation (``中国海洋气象报社``).

    Returns:
        (name, applicant); ``""`` for what is not found.
    """
    title = unit = ""
    for paragraph in reader.loose:
        text = " ".join(paragraph.text.split())
        compact = "".join(text.split())
        named = (
            _KIND_SUFFIX_RE.sub("", text).strip(BLANKS)
            if paragraph.heading is not None or paragraph.centered
            else ""
        )
        if (
            named
            and named != text
            and not title
            and CALL_NAME not in compact
            and not _NOT_A_TITLE_RE.search("".join(named.split()))
            and not _UNIT_RE.match(nfkc("".join(named.split())))
        ):
            title = named  # “某平台”申报书: the case's name before the kind of document
            continue
        if not compact or _NOT_A_TITLE_RE.search(compact):
            continue
        if _UNIT_RE.match(nfkc(_UNIT_NOTE_RE.sub("", compact))):
            if title and not unit:
                unit = _UNIT_NOTE_RE.sub("", text).strip()
        elif (
            not title and (paragraph.heading is not None or paragraph.centered) and len(compact) <= _MAX_TITLE
        ):
            title = text
    return title, unit
