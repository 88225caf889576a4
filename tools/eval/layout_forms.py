"""Forms in Word layouts and wordings the earlier evaluation sets did not use, with a manifest of what they hold.

Written for the intake second pass (issue 18) *before* the extractor was changed for these kinds, so the figure
before the change says how the first-pass extractor met them. Each form combines a layout (where the fields sit
in the Word structure) with a way of writing each value (date, category, implementer), drawn at random from
pools of fictional units and cases of other trades than any evaluation set. The manifest uses the format of
``data/eval/fresh_forms`` so ``tools/eval/eval_extract.py`` reads it.

Usage::

    python tools/eval/layout_forms.py OUT_DIR [--count 120] [--seed 7]
    python tools/eval/eval_extract.py OUT_DIR --details

These forms are ours: figures on them show the kinds are handled, not how a new writer's forms will fare.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pipelines.vocabulary import CATEGORY_NAMES, form_title  # noqa: E402

# -- pools ----------------------------------------------------------------------------------------------------

UNITS = (
    ("澄川水利报社", "澄川水利报"),
    ("青岚林草传媒中心", "青岚林草"),
    ("禾丰粮食报刊社", "禾丰粮食报"),
    ("鸿雁邮政文化传媒有限公司", "鸿雁传媒"),
    ("坤舆测绘地理信息报社", "坤舆测绘报"),
    ("天衍统计信息中心", "天衍统计"),
    ("赤焰煤炭工业报社", "赤焰煤炭报"),
    ("碧波石化传媒集团", "碧波石化"),
    ("翔宇民航新闻中心", "翔宇民航"),
    ("驰远铁道传媒有限公司", "驰远传媒"),
    ("衡准审计报社", "衡准审计报"),
    ("岱宗地震科普中心", "岱宗地震"),
    ("百草中医药报社", "百草中医药报"),
    ("锦绣丝绸文化传媒有限公司", "锦绣传媒"),
    ("磐石建工报刊社", "磐石建工报"),
    ("云杉林业出版传媒有限公司", "云杉传媒"),
    ("长风电力新闻中心", "长风电力"),
    ("清溪农垦报社", "清溪农垦报"),
    ("星河航天科技传媒有限公司", "星河传媒"),
    ("瀚海盐业报社", "瀚海盐业报"),
)
DEPARTMENTS = ("新媒体中心", "融媒体部", "数字出版部", "视频工作室", "技术研发中心", "全媒体编辑部")
COMPANIES = ("数字科技有限公司", "融媒科技有限公司", "信息技术有限公司")
TITLE_NAMES = (
    "水脉", "林海听涛", "粮安天下", "鸿雁传书", "绘就山河", "数说发展", "乌金故事", "石油人家", "云端航迹",
    "铁轨上的中国", "审计之眼", "防震先锋", "杏林春暖", "丝路锦绣", "筑梦工地", "绿野仙踪", "电亮万家",
    "北大荒之声", "星辰大海", "盐湖新声",
)  # fmt: skip
TITLE_KINDS = (
    "融媒体传播矩阵", "短视频栏目", "智能编辑平台", "数据新闻工作室", "全媒体服务平台", "国际传播账号集群",
    "采编流程再造", "科普直播间", "行业大模型应用", "客户端改版升级", "主题宣传活动", "政务服务小程序",
)  # fmt: skip
SECTION_SETS = (
    ("案例简介", "主要做法", "创新点", "取得成效", "推广价值"),
    ("项目概况", "实施路径", "创新亮点", "应用成效", "示范意义"),
    ("案例概述", "主要做法及经验", "特色创新", "传播效果", "推广应用价值"),
)
SENTENCES = (
    "{short}围绕行业中心工作策划系列报道，组建跨部门专班，建立选题会商和快速响应机制。",
    "依托自有采编力量，{short}把一线职工的真实故事做成短视频、长图和音频节目，在多个平台同步分发。",
    "项目自主搭建内容管理后台，打通报纸、网站和客户端的稿件流转，编辑效率明显提升。",
    "截至2025年10月，相关产品累计阅读量超过3200万次，粉丝数增长46%，多篇作品被主流平台推荐。",
    "做法已形成操作手册，被三家兄弟单位借鉴采用，具有较强的可复制性。",
)
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December")  # fmt: skip
CN = "〇一二三四五六七八九"
CN_SMALL = ("", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二")


def cn_year(year: int) -> str:
    return "".join(CN[int(d)] for d in str(year))


def cn_day(day: int) -> str:
    tens, units = divmod(day, 10)
    return ("" if tens == 0 else ("十" if tens == 1 else CN[tens] + "十")) + (CN[units] if units else "")


# -- what one form holds --------------------------------------------------------------------------------------


@dataclass
class Case:
    """The values of one form and how each is written."""

    title: str
    unit: str
    short: str
    implementer: str | None  # None: the form has no implementer field
    implementer_text: str  # as written (同申报单位 …)
    category: int | None
    launch_text: str
    launch: str | None
    sections: tuple[str, ...]
    texts: tuple[str, ...]
    contact: tuple[str, str] = ("许文静", "13712345678")
    category_sentence: str = ""  # set by layouts that declare the category in a sentence
    extra: dict = field(default_factory=dict)


def _launch(rng: random.Random, english: bool = False) -> tuple[str, str]:
    year, month, day = rng.randint(2019, 2025), rng.randint(1, 12), rng.randint(1, 28)
    ym, ymd = f"{year}-{month:02d}", f"{year}-{month:02d}-{day:02d}"
    if english:
        return rng.choice(
            [(f"{MONTHS_EN[month - 1]} {year}", ym), (f"{day} {MONTHS_EN[month - 1]} {year}", ymd)]
        )
    later = min(month + rng.randint(1, 3), 12)
    choices = [
        (f"{year}年{month}月", ym),
        (f"{year}.{month:02d}", ym),
        (f"{year}/{month}/{day}", ymd),
        (f"{cn_year(year)}年{CN_SMALL[month]}月", ym),
        (f"{cn_year(year)}年{CN_SMALL[month]}月{cn_day(day)}日", ymd),
        (f"{year}年{month}月{day}日", ymd),
        (f"{year}年{month}月至{year + 1}年{later}月", ym),
        (f"{year}.{month:02d}—{year + 1}.{later:02d}", ym),
        (f"{year}年第{CN_SMALL[rng.randint(1, 4)]}季度", f"{year}"),
        (f"{year}年", f"{year}"),
        (f"{year}年下半年", f"{year}"),
        (f"试运行（{year}年{month}月起）", ym),
        (f"在建，预计{year + 1}年{month}月上线", f"{year + 1}-{month:02d}"),
        (f"已于{year}年{month}月正式上线", ym),
        (f"{year}年{month}月上旬", ym),
        (f"{year}-{month:02d}-{day:02d}", ymd),
        (f"{year}年{month}月（一期）、{year + 1}年{later}月（二期）", ym),
        (f"{year}年{month}月起", ym),
        (f"{year}年{month}月至今", ym),
        (f"{year}年初", f"{year}"),
        (f"{year}年{month}-{later}月", ym),
        (f"{year}年度", f"{year}"),
        (f"{year}年{month:02d}月", ym),
        (f"试运行，{year}年{month}月起正式运营", ym),
    ]
    return rng.choice(choices)


def make_case(rng: random.Random, english_dates: bool = False) -> Case:
    unit, short = rng.choice(UNITS)
    title = f"“{rng.choice(TITLE_NAMES)}”{rng.choice(TITLE_KINDS)}"
    kind = rng.random()
    if kind < 0.2:
        implementer, written = None, ""
    elif kind < 0.35:
        implementer, written = unit, rng.choice(["同申报单位", "与申报单位一致", "本单位", "同上"])
    elif kind < 0.55:
        implementer = written = unit
    elif kind < 0.85:
        implementer = written = unit + rng.choice(DEPARTMENTS)
    else:
        implementer = written = short.removesuffix("报") + rng.choice(COMPANIES)
    launch_text, launch = _launch(rng, english_dates)
    sections = rng.choice(SECTION_SETS)
    texts = tuple(rng.choice(SENTENCES).format(short=short) * 2 for _ in sections[1:])
    intro = f"{short}于近年推出{title}，面向行业用户提供权威资讯与服务。" + SENTENCES[0].format(short=short)
    category = rng.choice([*CATEGORY_NAMES, None]) if rng.random() < 0.1 else rng.choice(list(CATEGORY_NAMES))
    return Case(
        title, unit, short, implementer, written, category, launch_text, launch, sections, (intro, *texts)
    )


def expected(case: Case) -> dict:
    return {
        "ok": True,
        "title": case.title,
        "unit": case.unit,
        "implementer": case.implementer,
        "declared_category": case.category,
        "launch_date": case.launch,
    }


# -- WordprocessingML -----------------------------------------------------------------------------------------


def r(text: str, bold: bool = False) -> str:
    props = "<w:rPr><w:b/></w:rPr>" if bold else ""
    parts = text.split("\t")
    inner = "<w:tab/>".join(f'<w:t xml:space="preserve">{escape(part)}</w:t>' for part in parts)
    return f"<w:r>{props}{inner}</w:r>"


def p(*content: str, center: bool = False, style: str = "", frame: bool = False) -> str:
    props = ""
    if style:
        props += f'<w:pStyle w:val="{style}"/>'
    if frame:
        props += '<w:framePr w:w="8000" w:hSpace="180" w:wrap="around" w:vAnchor="text" w:hAnchor="margin" w:y="1"/>'
    if center:
        props += '<w:jc w:val="center"/>'
    inner = "".join(c if c.startswith("<") else r(c) for c in content)
    return f"<w:p>{f'<w:pPr>{props}</w:pPr>' if props else ''}{inner}</w:p>"


def tc(*content: str, span: int = 1, vmerge: str | None = None) -> str:
    props = f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
    if vmerge == "restart":
        props += '<w:vMerge w:val="restart"/>'
    elif vmerge == "continue":
        props += "<w:vMerge/>"
    inner = "".join(c if c.startswith("<") else p(c) for c in content) or "<w:p/>"
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{inner}</w:tc>"


def tr(*cells: str) -> str:
    return "<w:tr>" + "".join(c if c.startswith("<w:tc") else tc(c) for c in cells) + "</w:tr>"


def tbl(rows: list[str], columns: int) -> str:
    grid = "".join('<w:gridCol w:w="1800"/>' for _ in range(columns))
    borders = "".join(f'<w:{side} w:val="single" w:sz="4"/>' for side in ("top", "left", "bottom", "right"))
    return f"<w:tbl><w:tblPr><w:tblBorders>{borders}</w:tblBorders></w:tblPr><w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>"


PAGE_BREAK = '<w:r><w:br w:type="page"/></w:r>'
REV = 'w:author="审核人" w:date="2026-01-05T09:00:00Z"'


def ins(text: str, rid: int = 1) -> str:
    return f'<w:ins w:id="{rid}" {REV}>{r(text)}</w:ins>'


def dele(text: str, rid: int = 2) -> str:
    return f'<w:del w:id="{rid}" {REV}><w:r><w:delText xml:space="preserve">{escape(text)}</w:delText></w:r></w:del>'


def formtext(value: str, default: str = "请填写") -> str:
    ff = f'<w:ffData><w:name w:val="Text1"/><w:enabled/><w:textInput><w:default w:val={quoteattr(default)}/></w:textInput></w:ffData>'
    half = max(len(value) // 2, 1)
    return (
        f'<w:r><w:fldChar w:fldCharType="begin">{ff}</w:fldChar></w:r>'
        '<w:r><w:instrText xml:space="preserve"> FORMTEXT </w:instrText></w:r>'
        f'<w:r><w:fldChar w:fldCharType="separate"/></w:r>{r(value[:half])}{r(value[half:])}'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def formdropdown(options: list[str], chosen: int | None) -> str:
    result = f'<w:result w:val="{chosen}"/>' if chosen else ""
    entries = "".join(f"<w:listEntry w:val={quoteattr(o)}/>" for o in options)
    return (
        f'<w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="Dropdown1"/><w:enabled/>'
        f"<w:ddList>{result}{entries}</w:ddList></w:ffData></w:fldChar></w:r>"
        '<w:r><w:instrText xml:space="preserve"> FORMDROPDOWN </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def sdt_dropdown(options: list[str], chosen: str) -> str:
    items = "".join(f"<w:listItem w:displayText={quoteattr(o)} w:value={quoteattr(o)}/>" for o in options)
    return f"<w:sdt><w:sdtPr><w:dropDownList>{items}</w:dropDownList></w:sdtPr><w:sdtContent>{r(chosen)}</w:sdtContent></w:sdt>"


def sdt_date(text: str, iso: str) -> str:
    full = (iso + "-01-01")[:10] if len(iso) == 4 else (iso + "-01")[:10]
    return (
        f'<w:sdt><w:sdtPr><w:date w:fullDate="{full}T00:00:00Z"><w:dateFormat w:val="yyyy年M月d日"/>'
        f'<w:lid w:val="zh-CN"/></w:date></w:sdtPr><w:sdtContent>{r(text)}</w:sdtContent></w:sdt>'
    )


def sdt_text(text: str) -> str:
    return f"<w:sdt><w:sdtPr><w:text/></w:sdtPr><w:sdtContent>{r(text)}</w:sdtContent></w:sdt>"


def text_box(*paragraphs: str) -> str:
    inner = "".join(c if c.startswith("<") else p(c) for c in paragraphs)
    return (
        '<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor><wp:docPr id="3" name="文本框 3"/>'
        '<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
        f"<wps:wsp><wps:txbx><w:txbxContent>{inner}</w:txbxContent></wps:txbx></wps:wsp></a:graphicData>"
        "</a:graphic></wp:anchor></w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox>"
        f"<w:txbxContent>{inner}</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback>"
        "</mc:AlternateContent></w:r>"
    )


NS = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "w14": "http://schemas.microsoft.com/office/word/2010/wordml",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
    "wps": "http://schemas.microsoft.com/office/word/2010/wordprocessingShape",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "v": "urn:schemas-microsoft-com:vml",
}
_NS_ATTRS = " ".join(f'xmlns:{k}="{v}"' for k, v in NS.items())
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml"


def package(body: str, header: str = "", footer: str = "") -> bytes:
    """A .docx holding ``body``, with an optional default header and footer (paragraph XML)."""
    refs, rels, overrides = "", "", ""
    for kind, content in (("header", header), ("footer", footer)):
        if content:
            refs += f'<w:{kind}Reference w:type="default" r:id="rId{kind}"/>'
            rels += f'<Relationship Id="rId{kind}" Type="{_REL}/{kind}" Target="{kind}1.xml"/>'
            overrides += f'<Override PartName="/word/{kind}1.xml" ContentType="{_CT}.{kind}+xml"/>'
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/word/document.xml" ContentType="{_CT}.document.main+xml"/>'
            f'<Override PartName="/word/styles.xml" ContentType="{_CT}.styles+xml"/>{overrides}</Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="word/document.xml"/></Relationships>'
        ),
        "word/_rels/document.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{_REL}/styles" Target="styles.xml"/>{rels}</Relationships>'
        ),
        "word/styles.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:styles xmlns:w="{NS["w"]}">'
            '<w:style w:type="paragraph" w:default="1" w:styleId="a"><w:name w:val="Normal"/></w:style>'
            '<w:style w:type="paragraph" w:styleId="1"><w:name w:val="heading 1"/><w:basedOn w:val="a"/>'
            '<w:pPr><w:outlineLvl w:val="0"/></w:pPr></w:style>'
            '<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/></w:style></w:styles>'
        ),
        "word/document.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {_NS_ATTRS} mc:Ignorable="w14">'
            f'<w:body>{body}<w:sectPr>{refs}<w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>'
        ),
    }
    if header:
        parts["word/header1.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8"?><w:hdr {_NS_ATTRS}>{header}</w:hdr>'
        )
    if footer:
        parts["word/footer1.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8"?><w:ftr {_NS_ATTRS}>{footer}</w:ftr>'
        )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(zipfile.ZipInfo(name, (2026, 1, 5, 9, 0, 0)), content)
    return buffer.getvalue()


# -- how values are written -----------------------------------------------------------------------------------

TICKS = ("☑", "■", "√", "▣", "☒")


def category_lines(case: Case, rng: random.Random) -> list[str]:
    """The category field's value lines: tick boxes in one of several conventions, a name, or a number."""
    way = rng.randrange(6)
    names = list(CATEGORY_NAMES.items())
    if case.category is None:
        return [
            "  ".join(f"□{name}" for _, name in names[:3]),
            "  ".join(f"□{name}" for _, name in names[3:]),
        ]
    if way == 0:
        tick = rng.choice(TICKS)
        marks = [f"{tick if n == case.category else '□'}{name}" for n, name in names]
        return ["  ".join(marks[:3]), "  ".join(marks[3:])]
    if way == 1:
        return ["\u3000".join(f"{name}（{'√' if n == case.category else ' '}）" for n, name in names)]
    if way == 2:
        return [CATEGORY_NAMES[case.category]]
    if way == 3:
        return [f"第{CN_SMALL[case.category]}类 {CATEGORY_NAMES[case.category]}"]
    if way == 4:
        return [CATEGORY_NAMES[case.category].removesuffix("类")]
    return [f"（{CN_SMALL[case.category]}）{CATEGORY_NAMES[case.category]}"]


def signature(case: Case, rng: random.Random) -> str:
    """A signature and stamp block, some with the unit and a date written in."""
    way = rng.randrange(4)
    if way == 0:
        return p("申报单位（盖章）：" + case.unit) + p("2026年1月8日")
    if way == 1:
        return p("主要负责人签字：\u3000\u3000\u3000\u3000日期：2026年1月") + p("申报单位（公章）")
    if way == 2:
        return p("单位意见：同意申报。") + p(f"{case.unit}（盖章）") + p("二〇二六年一月十二日")
    return p("填表日期：2026年1月6日\u3000\u3000填表人：周敏")


def narrative(case: Case, heading: Callable[[int, str], str]) -> str:
    out = ""
    for index, (name, text) in enumerate(zip(case.sections, case.texts, strict=False)):
        out += heading(index, name) + p(text)
    return out


def numbered(index: int, name: str) -> str:
    return p(f"{CN_SMALL[index + 1]}、{name}")


def head(case: Case) -> str:
    return p("附件1") + p(form_title(2026), center=True)


# -- layouts --------------------------------------------------------------------------------------------------


def lay_header_footer(case: Case, rng: random.Random) -> tuple[str, str, str]:
    """Fields in the page header and footer; the body holds the category and the narrative."""
    header = p(f"申报单位：{case.unit}\u3000\u3000案例名称：{case.title}")
    footer = p(f"上线时间：{case.launch_text}") + p("第 1 页")
    if case.implementer is not None:
        footer = p(f"实施主体：{case.implementer_text}") + footer
    body = head(case) + p("申报类别：") + "".join(p(line) for line in category_lines(case, rng))
    return body + narrative(case, numbered) + signature(case, rng), header, footer


def lay_two_level_header(case: Case, rng: random.Random) -> tuple[str, str, str]:
    """A row of labels, a second row of sub-labels under a spanning group, then one row of values."""
    impl = case.implementer is not None
    title_label = rng.choice(["项目名称", "案例名称", "申报案例"])
    first = [tc(title_label, vmerge="restart"), tc("单位情况" if impl else "申报主体", span=2 if impl else 1)]
    second = [tc(vmerge="continue"), tc("申报单位")]
    values = [tc(case.title), tc(case.unit)]
    if impl:
        second.append(tc("实施单位"))
        values.append(tc(case.implementer_text))
    first += [tc("上线日期", vmerge="restart"), tc("类别", vmerge="restart")]
    second += [tc(vmerge="continue"), tc(vmerge="continue")]
    values += [tc(case.launch_text), tc(*category_lines(case, rng))]
    columns = 5 if impl else 4
    table = tbl([tr(*first), tr(*second), tr(*values)], columns)
    return head(case) + table + narrative(case, numbered) + signature(case, rng), "", ""


def lay_matrix(case: Case, rng: random.Random) -> tuple[str, str, str]:
    """Units in a matrix: a header row (类型 | 名称 | 法定代表人 | 电话), then one row per unit."""
    rows = [tr("案例名称", tc(case.title, span=3))]
    rows.append(tr("单位类别", "单位名称", "负责人", "办公电话"))
    rows.append(tr("申报单位", case.unit, "赵立新", "010-68001234"))
    if case.implementer is not None:
        rows.append(tr("实施单位", case.implementer_text, "钱晓东", "010-68005678"))
    rows.append(tr("上线时间", tc(case.launch_text, span=3)))
    rows.append(tr("申报类别", tc(*category_lines(case, rng), span=3)))
    return head(case) + tbl(rows, 4) + narrative(case, numbered) + signature(case, rng), "", ""


def lay_leaders(case: Case, rng: random.Random) -> tuple[str, str, str]:
    """Label and value joined by dotted leaders, underscores or tabs, no colon."""

    def line(label: str, value: str) -> str:
        way = rng.randrange(4)
        if way == 0:
            return p(f"{label}{'…' * rng.randint(6, 16)}{value}")
        if way == 1:
            return p(f"{label} {'·' * rng.randint(8, 20)} {value}")
        if way == 2:
            return p(f"{label}：{'_' * 4}{value}{'_' * 6}")
        return p(f"{label}\t\t{value}")

    body = head(case) + line("案例名称", case.title) + line("申报单位", case.unit)
    if case.implementer is not None:
        body += line("实施单位", case.implementer_text)
    body += line("上线时间", case.launch_text)
    lines = category_lines(case, rng)
    body += line("申报类别", lines[0]) + "".join(p(extra) for extra in lines[1:])
    return body + narrative(case, numbered) + signature(case, rng), "", ""


def lay_bilingual(case: Case, rng: random.Random) -> tuple[str, str, str]:
    """Labels in Chinese and English, either order, in paragraphs or a table."""
    labels = {
        "title": ("案例名称", "Case Name"),
        "unit": ("申报单位", "Applicant"),
        "impl": ("实施单位", "Implementing Unit"),
        "launch": ("上线时间", "Launch Date"),
        "cat": ("申报类别", "Category"),
    }
    english_first = rng.random() < 0.5
    in_table = rng.random() < 0.5

    def label(key: str) -> str:
        zh, en = labels[key]
        if in_table:
            return f"{zh}\n{en}" if not english_first else f"{en}\n{zh}"
        return f"{en} / {zh}" if english_first else f"{zh}（{en}）"

    pairs = [("title", case.title), ("unit", case.unit)]
    if case.implementer is not None:
        pairs.append(("impl", case.implementer_text))
    pairs.append(("launch", case.launch_text))
    cats = category_lines(case, rng)
    if in_table:
        rows = [tr(tc(*label(k).split("\n")), v) for k, v in pairs]
        rows.append(tr(tc(*label("cat").split("\n")), tc(*cats)))
        body = tbl(rows, 2)
    else:
        body = "".join(p(f"{label(k)}: {v}") for k, v in pairs)
        body += p(f"{label('cat')}: {cats[0]}") + "".join(p(x) for x in cats[1:])
    title = p(form_title(2026), center=True) + p("Application Form", center=True)
    return title + body + narrative(case, numbered) + signature(case, rng), "", ""


def lay_legacy_fields(case: Case, rng: random.Random) -> tuple[str, str, str]:
    """Legacy form fields: FORMTEXT values split over runs, the category as a FORMDROPDOWN."""
    options = ["（请选择）", *CATEGORY_NAMES.values()]
    body = head(case) + p("（本表为受保护的窗体，请在灰色区域填写）")
    body += p(r("项目名称：", True), formtext(case.title)) + p(r("申报主体：", True), formtext(case.unit))
    if case.implementer is not None:
        body += p(r("实施主体：", True), formtext(case.implementer_text))
    body += p(r("上线时间：", True), formtext(case.launch_text))
    body += p(r("申报类别：", True), formdropdown(options, case.category))
    body += p(r("备注：", True), formtext("请填写", "请填写"))
    return body + narrative(case, numbered) + signature(case, rng), "", ""


def lay_content_controls(case: Case, rng: random.Random) -> tuple[str, str, str]:
    """Content controls: plain text, a date picker, a category dropdown list."""
    options = ["请选择一项", *CATEGORY_NAMES.values()]
    chosen = CATEGORY_NAMES[case.category] if case.category else options[0]
    date = sdt_date(case.launch_text, case.launch) if case.launch else r(case.launch_text)
    rows = [
        tr("案例名称", tc(p(sdt_text(case.title)))),
        tr("申报单位", tc(p(sdt_text(case.unit)))),
    ]
    if case.implementer is not None:
        rows.append(tr("实施单位", tc(p(sdt_text(case.implementer_text)))))
    rows += [tr("上线时间", tc(p(date))), tr("申报类别", tc(p(sdt_dropdown(options, chosen))))]
    return head(case) + tbl(rows, 2) + narrative(case, numbered) + signature(case, rng), "", ""


def lay_tracked(case: Case, rng: random.Random) -> tuple[str, str, str]:
    """Values corrected with tracked changes: the old name deleted, the new one inserted."""
    rows = [
        tr("案例名称", tc(p(dele("（暂定）" + case.title[1:4]), ins(case.title)))),
        tr("申报单位", tc(p(r(case.unit[:2]), dele("某某"), ins(case.unit[2:])))),
    ]
    if case.implementer is not None:
        rows.append(tr("实施单位", tc(p(dele("待定"), ins(case.implementer_text)))))
    rows.append(tr("上线时间", tc(p(dele("2018年1月"), ins(case.launch_text)))))
    rows.append(tr("申报类别", tc(*category_lines(case, rng))))
    deleted_row = f'<w:tr><w:trPr><w:del w:id="9" {REV}/></w:trPr>{tc(p(dele("推荐单位")))}{tc(p(dele("某某协会")))}</w:tr>'
    rows.append(deleted_row)
    return head(case) + tbl(rows, 2) + narrative(case, numbered) + signature(case, rng), "", ""


def lay_text_boxes(case: Case, rng: random.Random) -> tuple[str, str, str]:
    """The cover fields in a text box (DrawingML with a VML fallback) and in framed paragraphs."""
    lines = [f"案例名称：{case.title}", f"申报单位：{case.unit}"]
    framed = []
    if case.implementer is not None:
        framed.append(f"实施单位：{case.implementer_text}")
    framed.append(f"上线时间：{case.launch_text}")
    body = head(case) + p(text_box(*lines)) + "".join(p(x, frame=True) for x in framed)
    body += p("申报类别：" + "  ".join(category_lines(case, rng)))
    return body + narrative(case, numbered) + signature(case, rng), "", ""


def lay_page_break(case: Case, rng: random.Random) -> tuple[str, str, str]:
    """A label at the foot of a page with its value after the page break; a table split across two pages."""
    first = [tr("案例名称", case.title), tr("申报单位", case.unit)]
    second = []
    if case.implementer is not None:
        second.append(tr("实施单位", case.implementer_text))
    second += [tr("申报类别", tc(*category_lines(case, rng)))]
    body = head(case) + tbl(first, 2) + p(PAGE_BREAK) + tbl(second, 2)
    body += p("上线时间：") + p(PAGE_BREAK) + p(case.launch_text)
    return body + narrative(case, numbered) + signature(case, rng), "", ""


def lay_title_heading(case: Case, rng: random.Random) -> tuple[str, str, str]:
    """The case name only as the document's heading; the other fields as lines under it."""
    heading = p(case.title, style="1", center=True)
    body = p(form_title(2026), center=True) + heading
    body += p(f"申报单位：{case.unit}")
    if case.implementer is not None:
        body += p(f"实施单位：{case.implementer_text}")
    body += p(f"上线时间：{case.launch_text}") + p("申报类别：" + "".join(category_lines(case, rng)))
    return body + narrative(case, numbered) + signature(case, rng), "", ""


def lay_vertical_groups(case: Case, rng: random.Random) -> tuple[str, str, str]:
    """Group labels merged down several rows (申报单位 → 名称 / 统一社会信用代码 / 通讯地址)."""
    rows = [tr(tc("案例名称", span=2), case.title)]
    rows += [
        tr(tc("申报单位", vmerge="restart"), "名称", case.unit),
        tr(tc(vmerge="continue"), "统一社会信用代码", "12100000400012345X"),
        tr(tc(vmerge="continue"), "通讯地址", "北京市西城区某某路8号"),
    ]
    if case.implementer is not None:
        rows += [
            tr(tc("实施单位", vmerge="restart"), "名称", case.implementer_text),
            tr(tc(vmerge="continue"), "负责人", "孙海峰"),
        ]
    rows += [
        tr(tc("联系人", vmerge="restart"), "姓名", case.contact[0]),
        tr(tc(vmerge="continue"), "手机", case.contact[1]),
        tr(tc("上线时间", span=2), case.launch_text),
        tr(tc("申报类别", span=2), tc(*category_lines(case, rng))),
    ]
    return head(case) + tbl(rows, 3) + narrative(case, numbered) + signature(case, rng), "", ""


def lay_numbered_column(case: Case, rng: random.Random) -> tuple[str, str, str]:
    """A 序号 column before the labels, and two label/value pairs on some rows."""
    rows = [tr("序号", "栏目", "填写内容", "栏目", "填写内容")]
    rows.append(tr("1", "案例名称", tc(case.title, span=3)))
    impl = (
        ("实施单位", case.implementer_text) if case.implementer is not None else ("联系人", case.contact[0])
    )
    rows.append(tr("2", "申报单位", case.unit, *impl))
    rows.append(tr("3", "上线时间", case.launch_text, "联系电话", case.contact[1]))
    rows.append(tr("4", "申报类别", tc(*category_lines(case, rng), span=3)))
    return head(case) + tbl(rows, 5) + narrative(case, numbered) + signature(case, rng), "", ""


def lay_category_sentence(case: Case, rng: random.Random) -> tuple[str, str, str]:
    """No category field: the category is named in a sentence, in the form's title line, or as a number."""
    way = rng.randrange(3)
    name = CATEGORY_NAMES[case.category] if case.category else ""
    title = form_title(2026)
    rows = [tr("案例名称", case.title), tr("申报单位", case.unit)]
    if case.implementer is not None:
        rows.append(tr("实施单位", case.implementer_text))
    rows.append(tr("上线时间", case.launch_text))
    if way == 0 and name:
        title += f"（{name}）"
    elif way == 1 and name:
        sentence = rng.choice(
            [f"本案例申报{name}。", f"{case.short}现以本案例参评“{name}”。", f"该案例属于{name}。"]
        )
        case = replace(case, texts=(sentence + case.texts[0], *case.texts[1:]))
    elif name:
        rows.append(tr("类别编号", str(case.category)))
    body = p("附件1") + p(title, center=True) + tbl(rows, 2)
    return body + narrative(case, numbered) + signature(case, rng), "", ""


# -- second round: layouts added after the first round was fixed, measured before their own fixes ------------


def lay_category_grid(case: Case, rng: random.Random) -> tuple[str, str, str]:
    """The category as a grid: a row of option names and a row of marks under them, the label merged down."""
    names = list(CATEGORY_NAMES.values())
    marks = ["√" if n == case.category else "" for n in CATEGORY_NAMES]
    rows = [tr("案例名称", tc(case.title, span=6)), tr("申报单位", tc(case.unit, span=6))]
    if case.implementer is not None:
        rows.append(tr("实施单位", tc(case.implementer_text, span=6)))
    rows.append(tr("上线时间", tc(case.launch_text, span=6)))
    rows.append(tr(tc("申报类别", vmerge="restart"), *(tc(name) for name in names)))
    rows.append(tr(tc(vmerge="continue"), *(tc(mark) for mark in marks)))
    return head(case) + tbl(rows, 7) + narrative(case, numbered) + signature(case, rng), "", ""


def lay_spaced_pairs(case: Case, rng: random.Random) -> tuple[str, str, str]:
    """Several label/value pairs on one line, separated by full-width spaces, without colons."""
    gap = "\u3000" * rng.randint(2, 4)
    first = f"案例名称\u3000{case.title}"
    second = f"申报单位\u3000{case.unit}"
    if case.implementer is not None:
        second += f"{gap}实施单位\u3000{case.implementer_text}"
    third = f"上线时间\u3000{case.launch_text}{gap}联系人\u3000{case.contact[0]}"
    body = (
        head(case)
        + p(first)
        + p(second)
        + p(third)
        + p("申报类别\u3000" + "  ".join(category_lines(case, rng)))
    )
    return body + narrative(case, numbered) + signature(case, rng), "", ""


def lay_named_heading(case: Case, rng: random.Random) -> tuple[str, str, str]:
    """The case name in the document's heading with the kind of document after it; no name label."""
    suffix = rng.choice(["申报书", "案例申报材料", "——案例申报表", "申报材料"])
    body = p(f"{case.title}{suffix}", style="1", center=True)
    body += p(f"（{form_title(2026)}）", center=True)
    rows = [tr("申报单位", case.unit)]
    if case.implementer is not None:
        rows.append(tr("实施单位", case.implementer_text))
    rows += [tr("上线时间", case.launch_text), tr("申报类别", tc(*category_lines(case, rng)))]
    return body + tbl(rows, 2) + narrative(case, numbered) + signature(case, rng), "", ""


def lay_right_column(case: Case, rng: random.Random) -> tuple[str, str, str]:
    """A two-column page: the narrative on the left, the fields as lines in the right column."""
    left = []
    for name, text in zip(case.sections, case.texts, strict=False):
        left += [p(name), p(text)]
    right = [p("基本信息"), p(f"案例名称：{case.title}"), p(f"申报单位：{case.unit}")]
    if case.implementer is not None:
        right.append(p(f"实施单位：{case.implementer_text}"))
    right += [p(f"上线时间：{case.launch_text}"), p("申报类别：")] + [p(x) for x in category_lines(case, rng)]
    table = tbl([tr(tc(*left), tc(*right))], 2)
    return head(case) + table + signature(case, rng), "", ""


def lay_synonyms(case: Case, rng: random.Random) -> tuple[str, str, str]:
    """Labels in words the vocabulary did not list (参评单位, 制作单位, 首播时间 …)."""
    title_label = rng.choice(["参评案例名称", "案例名称（全称）", "作品/案例名称", "申报项目"])
    unit_label = rng.choice(["参评单位", "申报单位全称", "申报方", "单位全称"])
    impl_label = rng.choice(["制作单位", "具体实施单位", "实施部门", "出品单位"])
    launch_label = rng.choice(["首播时间", "正式推出时间", "投入运行日期", "上线日期"])
    rows = [tr(title_label, case.title), tr(unit_label, case.unit)]
    if case.implementer is not None:
        rows.append(tr(impl_label, case.implementer_text))
    rows += [tr(launch_label, case.launch_text), tr("申报类别", tc(*category_lines(case, rng)))]
    return head(case) + tbl(rows, 2) + narrative(case, numbered) + signature(case, rng), "", ""


def lay_box_table(case: Case, rng: random.Random) -> tuple[str, str, str]:
    """The fields table drawn inside a text box."""
    rows = [tr("案例名称", case.title), tr("申报单位", case.unit)]
    if case.implementer is not None:
        rows.append(tr("实施单位", case.implementer_text))
    rows += [tr("上线时间", case.launch_text), tr("申报类别", "  ".join(category_lines(case, rng)))]
    body = head(case) + p(text_box(tbl(rows, 2)))
    return body + narrative(case, numbered) + signature(case, rng), "", ""


def lay_label_paragraphs(case: Case, rng: random.Random) -> tuple[str, str, str]:
    """Each label a bold paragraph of its own, its value in the paragraph below."""
    pairs = [("案例名称", case.title), ("申报单位", case.unit)]
    if case.implementer is not None:
        pairs.append(("实施单位", case.implementer_text))
    pairs.append(("上线时间", case.launch_text))
    body = head(case) + "".join(p(r(label, True)) + p(value) for label, value in pairs)
    body += p(r("申报类别", True)) + "".join(p(x) for x in category_lines(case, rng))
    return body + narrative(case, numbered) + signature(case, rng), "", ""


def lay_stamp_first(case: Case, rng: random.Random) -> tuple[str, str, str]:
    """A cover with the stamp block and a date before the form; the fields table after it."""
    cover = (
        p(form_title(2026), center=True) + p(f"申报单位（盖章）：{case.unit}") + p("填报日期：2026年1月10日")
    )
    cover += p(PAGE_BREAK)
    rows = [tr("案例名称", case.title), tr("申报单位", case.unit)]
    if case.implementer is not None:
        rows.append(tr("实施单位", case.implementer_text))
    rows += [tr("上线时间", case.launch_text), tr("申报类别", tc(*category_lines(case, rng)))]
    return cover + tbl(rows, 2) + narrative(case, numbered) + signature(case, rng), "", ""


# -- third round: written after the second round was fixed, measured before their own fixes -------------------


def styled(text: str, props: str) -> str:
    return f'<w:r><w:rPr>{props}</w:rPr><w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def lay_category_marked_by_format(case: Case, rng: random.Random) -> tuple[str, str, str]:
    """The options listed without boxes: the others struck through, or the chosen one highlighted."""
    way = rng.randrange(2)
    runs = []
    for n, name in CATEGORY_NAMES.items():
        chosen = n == case.category
        if way == 0:
            runs.append(r(name) if chosen else styled(name, "<w:strike/>"))
        else:
            runs.append(styled(name, '<w:b/><w:highlight w:val="yellow"/>') if chosen else r(name))
        runs.append(r("  "))
    note = "（请删除不适用的类别）" if way == 0 else "（请将所选类别加粗标黄）"
    rows = [tr("案例名称", case.title), tr("申报单位", case.unit)]
    if case.implementer is not None:
        rows.append(tr("实施单位", case.implementer_text))
    rows += [tr("上线时间", case.launch_text), tr(tc(p("申报类别"), p(note)), tc(p(*runs)))]
    return head(case) + tbl(rows, 2) + narrative(case, numbered) + signature(case, rng), "", ""


def lay_bold_labels(case: Case, rng: random.Random) -> tuple[str, str, str]:
    """Bold labels with the value typed right after them, no colon or space."""
    pairs = [("案例名称", case.title), ("申报单位", case.unit)]
    if case.implementer is not None:
        pairs.append(("实施单位", case.implementer_text))
    pairs.append(("上线时间", case.launch_text))
    body = head(case) + "".join(p(r(label, True), r(value)) for label, value in pairs)
    body += p(r("申报类别", True), r("  ".join(category_lines(case, rng))))
    return body + narrative(case, numbered) + signature(case, rng), "", ""


def lay_status_table(case: Case, rng: random.Random) -> tuple[str, str, str]:
    """The status ticked in its own row, the launch written with its status in words or in brackets."""
    year = int(case.launch[:4]) if case.launch else 2024
    month = int(case.launch[5:7]) if case.launch and len(case.launch) >= 7 else 6
    way = rng.randrange(3)
    if way == 0:
        status, launch_label, text, iso = (
            "☑在建 □试运行 □正式运营",
            "计划上线时间",
            f"{year + 1}年{month}月",
            f"{year + 1}-{month:02d}",
        )
    elif way == 1:
        status, launch_label, text, iso = (
            "□在建 ☑试运行 □正式运营",
            "上线时间",
            f"试运行（{year}年{month}月）",
            f"{year}-{month:02d}",
        )
    else:
        status, launch_label, text, iso = (
            "□在建 □试运行 ☑正式运营",
            "上线时间",
            f"已上线（{year}年{month}月）",
            f"{year}-{month:02d}",
        )
    case = replace(case, launch=iso)
    rows = [tr("案例名称", case.title), tr("申报单位", case.unit)]
    if case.implementer is not None:
        rows.append(tr("实施单位", case.implementer_text))
    rows += [tr("运行状态", status), tr(launch_label, text), tr("申报类别", tc(*category_lines(case, rng)))]
    body = head(case) + tbl(rows, 2) + narrative(case, numbered) + signature(case, rng)
    return body, "", "", case


def lay_unit_with_code(case: Case, rng: random.Random) -> tuple[str, str, str]:
    """The unit with its credit code or a note in brackets after it, in one line."""
    code = "12100000" + "".join(rng.choice("0123456789") for _ in range(9)) + "X"
    note = rng.choice(
        [f"（统一社会信用代码：{code}）", "（盖章）", f"（代码：{code}）", "（全称，须与公章一致）"]
    )
    lines = [f"案例名称：{case.title}", f"申报单位：{case.unit}{note}"]
    if case.implementer is not None:
        lines.append(f"实施单位：{case.implementer_text}")
    lines += [f"上线时间：{case.launch_text}", "申报类别：" + "  ".join(category_lines(case, rng))]
    return (
        head(case) + "".join(p(x) for x in lines) + narrative(case, numbered) + signature(case, rng),
        "",
        "",
    )


def lay_stacked_cells(case: Case, rng: random.Random) -> tuple[str, str, str]:
    """A grid of cells each holding its label above its value (two per row)."""
    pairs = [("案例名称", case.title), ("申报单位", case.unit)]
    if case.implementer is not None:
        pairs.append(("实施单位", case.implementer_text))
    pairs.append(("上线时间", case.launch_text))
    pairs.append(("申报类别", "  ".join(category_lines(case, rng))))
    cells = [tc(p(r(label, True)), p(value)) for label, value in pairs]
    if len(cells) % 2:
        cells.append(tc(p("")))
    rows = [tr(cells[i], cells[i + 1]) for i in range(0, len(cells), 2)]
    return head(case) + tbl(rows, 2) + narrative(case, numbered) + signature(case, rng), "", ""


def lay_opinion_between(case: Case, rng: random.Random) -> tuple[str, str, str]:
    """The opinion and stamp block between the fields and the narrative, naming a unit and a date."""
    rows = [tr("案例名称", case.title), tr("申报单位", case.unit)]
    if case.implementer is not None:
        rows.append(tr("实施单位", case.implementer_text))
    rows += [tr("上线时间", case.launch_text), tr("申报类别", tc(*category_lines(case, rng)))]
    other = rng.choice(UNITS)[0]
    rows.append(tr("推荐单位意见", tc(p("同意推荐。"), p(f"{other}（盖章）"), p("2026年1月15日"))))
    rows.append(tr("申报单位意见", tc(p("情况属实。"), p("负责人签字："), p("单位（盖章）"))))
    return head(case) + tbl(rows, 2) + narrative(case, numbered), "", ""


def lay_values_in_boxes(case: Case, rng: random.Random) -> tuple[str, str, str]:
    """Label paragraphs whose values sit in text boxes anchored in them."""
    pairs = [("案例名称：", case.title), ("申报单位：", case.unit)]
    if case.implementer is not None:
        pairs.append(("实施单位：", case.implementer_text))
    pairs.append(("上线时间：", case.launch_text))
    body = head(case) + "".join(p(r(label), text_box(value)) for label, value in pairs)
    body += p(r("申报类别："), text_box("  ".join(category_lines(case, rng))))
    return body + narrative(case, numbered) + signature(case, rng), "", ""


LAYOUTS: dict[str, Callable[[Case, random.Random], tuple[str, str, str]]] = {
    "header_footer": lay_header_footer,
    "two_level_header": lay_two_level_header,
    "matrix": lay_matrix,
    "leaders": lay_leaders,
    "bilingual": lay_bilingual,
    "legacy_fields": lay_legacy_fields,
    "content_controls": lay_content_controls,
    "tracked": lay_tracked,
    "text_boxes": lay_text_boxes,
    "page_break": lay_page_break,
    "title_heading": lay_title_heading,
    "vertical_groups": lay_vertical_groups,
    "numbered_column": lay_numbered_column,
    "category_sentence": lay_category_sentence,
}
ROUND_THREE: dict[str, Callable[..., tuple]] = {
    "category_marked_by_format": lay_category_marked_by_format,
    "bold_labels": lay_bold_labels,
    "status_table": lay_status_table,
    "unit_with_code": lay_unit_with_code,
    "stacked_cells": lay_stacked_cells,
    "opinion_between": lay_opinion_between,
    "values_in_boxes": lay_values_in_boxes,
}
ROUND_TWO: dict[str, Callable[[Case, random.Random], tuple[str, str, str]]] = {
    "category_grid": lay_category_grid,
    "spaced_pairs": lay_spaced_pairs,
    "named_heading": lay_named_heading,
    "right_column": lay_right_column,
    "synonyms": lay_synonyms,
    "box_table": lay_box_table,
    "label_paragraphs": lay_label_paragraphs,
    "stamp_first": lay_stamp_first,
}


def refusals(rng: random.Random) -> dict[str, tuple[bytes, dict]]:
    """Documents to refuse: an unfilled leader form, a notice without form labels, an English letter."""
    blank = head(Case("", "", "", None, "", None, "", None, (), ())) + "".join(
        p(f"{label}{'…' * 10}") for label in ("案例名称", "申报单位", "实施单位", "上线时间", "申报类别")
    )
    blank += "".join(
        p(f"{CN_SMALL[i + 1]}、{name}") + p("（请填写，不超过500字）")
        for i, name in enumerate(SECTION_SETS[0])
    )
    notice = p("关于做好2026年度行业媒体案例征集工作的通知", center=True) + p(
        "各有关单位：为做好案例征集工作，现将有关事项通知如下。请各单位高度重视，认真组织，按时报送材料。"
    )
    letter = p("Dear Committee,") + p(
        "We would like to thank you for the invitation and regret that we cannot attend."
    )
    return {
        "refuse_blank.docx": (package(blank), {"ok": False, "reason": "blank template with leaders"}),
        "refuse_notice.docx": (package(notice), {"ok": False, "reason": "a notice, not a form"}),
        "refuse_letter.docx": (package(letter), {"ok": False, "reason": "English letter"}),
    }


def generate(out: Path, count: int, seed: int, rounds: str = "all") -> dict[str, dict]:
    """Write ``count`` forms (layouts in turn) plus the refusals, and ``manifest.json``; returns the manifest.

    ``rounds``: ``one``, ``two`` or ``three`` (the layouts of one round) or ``all``.
    """
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, dict] = {}
    chosen = {
        "one": LAYOUTS,
        "two": ROUND_TWO,
        "three": ROUND_THREE,
        "all": LAYOUTS | ROUND_TWO | ROUND_THREE,
    }[rounds]
    names = list(chosen)
    for index in range(count):
        layout = names[index % len(names)]
        case = make_case(rng, english_dates=layout == "bilingual" and rng.random() < 0.5)
        if layout in ("legacy_fields", "content_controls", "category_sentence") and case.category is None:
            case = replace(case, category=rng.choice(list(CATEGORY_NAMES)))
        body, header, footer, *changed = chosen[layout](case, rng)
        case = changed[0] if changed else case  # a layout that writes the launch its own way
        name = f"{layout}_{index:03d}.docx"
        (out / name).write_bytes(package(body, header, footer))
        manifest[name] = expected(case) | {"layout": layout}
    for name, (data, info) in refusals(rng).items():
        (out / name).write_bytes(data)
        manifest[name] = info
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="生成多种版式的申报表（附清单）")
    parser.add_argument("out", type=Path)
    parser.add_argument("--count", type=int, default=140)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", choices=("one", "two", "three", "all"), default="all")
    args = parser.parse_args(argv)
    manifest = generate(args.out, args.count, args.seed, args.rounds)
    print(f"写入 {len(manifest)} 个文件到 {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
