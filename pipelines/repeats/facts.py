"""The facts of a project as a case writes them: its own names, partners, places, and the sentences that
describe the applicant unit rather than the project.

A repeat keeps the project's facts (product, column and platform names, quoted titles, partners, places,
figures and dates; figures live in ``pipelines.figures``) however it is reworded; another project of the same
unit shares only what the unit says about itself. Everything here is a pure function of the text.
"""

from __future__ import annotations

import re

from pipelines.text import match_text

# Quoted phrases that many cases share: slogans and policy words, not product names.
STOCK_NAMES = frozenset(
    [
        "双碳",
        "四力",
        "中央厨房",
        "一张网",
        "十四五",
        "十五五",
        "两个结合",
        "守正创新",
        "媒体融合",
        "新闻+政务服务商务",
        "新闻+政务+服务",
        "新闻+政务",
        "新闻+服务",
        "新闻+",
        "一次采集、多元生成、多端分发",
        "一次采集、多种生成、多元传播",
        "三审三校",
        "一体化",
        "移动优先",
        "报网端微屏",
        "报、网、端、微、屏",
        "走出去",
        "一带一路",
        "讲好中国故事",
        "乡村振兴",
        "高质量发展",
        "最后一公里",
        "最后一公里",
        "放管服",
        "网红",
        "爆款",
        "出圈",
        "破圈",
        "流量",
        "千县千面",
        "一端多号",
        "一报一网一端多微",
        "内容为王",
        "技术赋能",
        "平台思维",
        "用户思维",
    ]
)
# Latin tokens that name technologies, not products.
GENERIC_LATIN = frozenset(
    [
        "ai",
        "aigc",
        "app",
        "h5",
        "5g",
        "4k",
        "8k",
        "vr",
        "ar",
        "mr",
        "xr",
        "ip",
        "mcn",
        "pgc",
        "ugc",
        "ogc",
        "ocr",
        "api",
        "gpt",
        "llm",
        "rag",
        "etc",
        "vlog",
        "pc",
        "ppt",
        "pdf",
        "mp4",
        "mov",
        "cms",
        "erp",
        "crm",
        "saas",
        "paas",
        "iaas",
        "kpi",
        "okr",
        "b2b",
        "b2c",
        "o2o",
        "ceo",
        "cto",
        "pv",
        "uv",
        "dau",
        "mau",
        "ctr",
        "seo",
        "sdk",
        "ui",
        "ux",
        "gis",
        "bim",
        "iot",
    ]
)

_PARTNER_CUE = re.compile(
    r"(?:与|同|联合|携手|牵手|联手|会同|邀请|对接|接入|签约|合作方包括|合作单位包括)([^，,。；;：:！？\n]{2,60})"
)
_PARTNER_STOP = re.compile(r"合作|共建|共同|签订|签署|建立|开展|达成|联合开发|的")
_PARTNER_SPLIT = re.compile(r"[、和及与]|以及")
_PARTNER_ETC = re.compile(r"等.*$")
_ORG_END = re.compile(
    r"(?:大学|学院|研究院|研究所|研究中心|科学院|实验室|协会|学会|联合会|商会|基金会|联盟|有限公司|公司|集团|银行|医院|"
    r"电视台|报社|出版社|委员会|管理局|中心|厅|局|部门|机构|企业)$"
)
_QUOTED = re.compile(r"[“「『《\"]([^“”「」『』《》\"\n]{2,24})[”」』》\"]")
_LATIN_NAME = re.compile(r"[A-Za-z][A-Za-z0-9+&'’\-]*(?:[ .][A-Za-z0-9+&'’\-]+)*")


# --------------------------------------------------------------------------- names and partners


def _is_name(candidate: str) -> bool:
    if candidate in STOCK_NAMES or candidate.lower() in GENERIC_LATIN:
        return False
    if re.fullmatch(r"[\d.%％+\-年月日]+", candidate):
        return False
    return not any(mark in candidate for mark in "、，,。;；")


def extract_names(text: str) -> list[str]:
    """Product, brand, column and account names: text in “”/《》/「」 and latin names.

    Slogans (with 、 or ，), stock policy words (``STOCK_NAMES``) and generic technology acronyms are left
    out. Names are folded with ``match_text`` (lower case, half width).

    Args:
        text: any text.

    Returns:
        Distinct names in order of first appearance.
    """
    text = match_text(text)
    found: dict[str, None] = {}
    for match in _QUOTED.finditer(text):
        name = match.group(1).strip()
        if _is_name(name):
            found.setdefault(name, None)
    for match in _LATIN_NAME.finditer(text):
        name = match.group(0).strip(" .-")
        if len(name.replace(" ", "")) >= 4 and _is_name(name) and not name.isdigit():
            found.setdefault(name, None)
    return list(found)


def extract_partners(text: str) -> list[str]:
    """Partner organisations named after a cue (与/联合/携手/会同/邀请/对接/接入/签约 …).

    The clause after the cue is cut at 合作/共建/签订…, split at 、/和/及, and each piece that ends in an
    organisation word (大学, 研究院, 实验室, 协会, 公司, 银行, 厅, 局, 中心 …) is a partner; ``工商银行等5家银行``
    gives ``工商银行``.

    Args:
        text: any text.

    Returns:
        Distinct partner names (folded with ``match_text``) in order of first appearance.
    """
    found: dict[str, None] = {}
    for match in _PARTNER_CUE.finditer(match_text(text)):
        clause = _PARTNER_STOP.split(match.group(1))[0]
        for piece in _PARTNER_SPLIT.split(clause):
            piece = _PARTNER_ETC.sub("", piece.strip())
            if 3 <= len(piece) <= 24 and _ORG_END.search(piece):
                found.setdefault(piece, None)
    return list(found)


# --------------------------------------------------------------------------- places and the unit's self-description


# Provinces and the big cities without their 省/市 suffix; prefixes that make 市/县 generic (全市, 各县).
PROVINCES = (
    "北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|海南|四川|贵州|"
    "云南|陕西|甘肃|青海|台湾|内蒙古|广西|西藏|宁夏|新疆|香港|澳门"
)
_PLACE = re.compile(
    rf"(?:{PROVINCES})(?:省|市|自治区)?|[\u4e00-\u9fff]{{2,3}}?(?:自治州|地区|市|县|州|盟)(?![场民委政级域区镇])"
)
_NOT_PLACE_START = set("全各本该省地城县市两多个每一二三四五六七八九十百千万等和与及或在于到向对从")
_SELF_REFERENCE = re.compile(
    r"本报|本社|本台|本刊|本集团|本单位|本中心|我报|我社|我台|我刊|我集团|我单位|我中心|该报|该社|该台|该刊|该集团|"
    r"报社|杂志社|出版社|集团|电视台|广播电视台|融媒体中心|传媒中心"
)
# What a unit says about itself (founding, ownership, size, reach, honours).
_UNIT_CUE = re.compile(
    r"创办|创刊|创建于|成立于|组建于|始建|始创|前身|主管|主办|隶属|直属|旗下|下属|拥有|现有|员工|职工|在职|发行量|"
    r"期发行|是.{0,30}(?:媒体|报纸|刊物|期刊|出版|单位|机构|集团|主流|阵地)|荣获|先后获|多次获"
)


def extract_places(text: str) -> list[str]:
    """Provinces, cities, counties and prefectures named in the text (``浙江``, ``丽水市``, ``庆元县``).

    Generic uses (全市, 各县, 城市, 市场) are left out; a province is folded to its name without 省/市.

    Args:
        text: any text.

    Returns:
        Distinct places in order of first appearance.
    """
    found: dict[str, None] = {}
    for match in _PLACE.finditer(match_text(text)):
        place = match.group(0)
        if any(char in _NOT_PLACE_START for char in place[:-1]):
            continue
        province = re.match(rf"(?:{PROVINCES})", place)
        found.setdefault(province.group(0) if province else place, None)
    return list(found)


def unit_terms(unit: str) -> tuple[str, ...]:
    """The strings by which a case refers to its own unit: the folded name and its core (``unit_core``)."""
    from pipelines.units import normalize_unit, unit_core

    name = match_text(normalize_unit(unit))
    core = match_text(unit_core(unit))
    return tuple(term for term in dict.fromkeys((name, core)) if len(term) >= 2)


def describes_unit(sentence: str, terms: tuple[str, ...], project_names: tuple[str, ...] = ()) -> bool:
    """Whether a sentence describes the applicant unit rather than the project.

    It must refer to the unit (its name, its core or 本报/我社/该集团 …), say something a unit says about itself
    (founded, run by, owns, staff, circulation, honours), and not name the project (``project_names``).

    Args:
        sentence: one sentence (any normalisation).
        terms: ``unit_terms(unit)``.
        project_names: folded names from the case's title.
    """
    folded = match_text(sentence)
    if not (any(term in folded for term in terms) or _SELF_REFERENCE.search(folded)):
        return False
    if any(name in folded for name in project_names):
        return False
    return bool(_UNIT_CUE.search(folded))


_BASE_BEFORE = re.compile(r"(?:在|依托|基于|借助|以|利用|接入|背靠)[^。；;，,]{0,4}$")
_BASE_AFTER = re.compile(r"^[”」』》\"]?[^。；;，,]{0,6}?(?:的)?(?:基础|之上|底座|架构|能力|为基|为底)")
_BASE_DIRECT = re.compile(r"(?:依托|基于|借助|背靠|脱胎于)[“「『《\"]?$")


def mentions_as_base(name: str, text: str) -> bool:
    """Whether every mention of ``name`` in ``text`` names it as the base of something else.

    ``在“铁路融媒云”的基础上发布了…``, ``依托“海关双语通”矩阵…``: a new project built on an older one names
    the older one, which is not a sign that it *is* the older one. Both texts folded (``match_text``).

    Args:
        name: a folded name.
        text: the folded text it was found in.

    Returns:
        True when the name occurs and every occurrence is in such a context.
    """
    start, seen = text.find(name), False
    while start >= 0:
        seen = True
        before, after = text[max(0, start - 8) : start], text[start + len(name) : start + len(name) + 10]
        if not (_BASE_DIRECT.search(before) or (_BASE_BEFORE.search(before) and _BASE_AFTER.search(after))):
            return False
        start = text.find(name, start + len(name))
    return seen
