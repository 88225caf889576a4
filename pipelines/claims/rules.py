"""Exact rules of the claims stage: clause splitting, negation with its scope, hedges, sources, and the
explicit markers of plans and background that decide a claim's kind without the classifier.

Only what the language marks unambiguously is decided here; everything else goes to the classifier.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pipelines.claims.scan import finditer
from pipelines.figures import SOURCE_CUE

# A new claim starts at a semicolon, or at a comma followed by a marker that changes what is asserted:
# contrast, time frame, a plan, a part of the whole, or a different kind of statement.
_CLAUSE_MARKERS = (
    "但|但是|然而|不过|可是|却|同时|此外|另外|其中|目前|当前|截至|截止|下一步|下一阶段|未来|今后|计划|预计|"
    "力争|争取|希望|拟|将来|此前|过去|以往|改革前|启动前|上线前|相比之下|与此同时|并将|还将|将(?!近)"
)
_CLAUSE_BREAK = re.compile(rf"[；;]|[，,](?=(?:{_CLAUSE_MARKERS}))")
_MIN_CLAUSE = 6  # shorter pieces stay with the clause before them

# Negation cues, longest first. Words that contain a cue but do not negate are masked before matching.
_NEGATION = re.compile(
    r"未能|未曾|尚未|并未|从未|仍未|还未|远未|迟迟未|没能|没有|并非|并不|毫无|无法|难以|谈不上|不能|不会|不够|"
    r"不再|不足|缺乏|缺少|欠缺|未|没|不|无|非"
)
_NOT_NEGATION = re.compile(
    r"不仅|不但|不断|不少|不同|不久|不少于|不低于|不超过|不亚于|不论|不管|不忘|不停|不懈|不遗余力|不可或缺|"
    r"无论|无数|无人机|无障碍|无线|无缝|无偿|无形|无限|无需|无须|毫不|非遗|非常|非物质|非营利|并非只|"
    r"从无到有|不定期|不乏|未来|未成年|未婚|未知数|不可替代|无一不|没有之一|难以计数|不计其数|不容易|不可多得|"
    # a cue character that is part of a name or a word (非洲、无锡、没收)
    r"非洲|[南北东西]非|是非|非凡|非典|无锡|没收(?!到)|淹没|埋没|出没|"
    # lexicalised negative adjectives describe a problem, they do not negate the claim
    r"(?:不到|不超过|不足|不满)(?=[\d一二两三四五六七八九十百千万半])|"  # a bound on a figure, not a denial
    r"不需要|不必|不用专门|不依赖|无需额外|"  # what a method does without: a low barrier, not a denial
    r"(?:均|都|也|并|且)?(?:未|没有|无需|不需|不用)(?:新增|增加|增设|购置|新建|添置|另设|专门)"
    r"(?=[^，。；]{0,8}(?:人员|编制|设备|机构|投入|资金|岗位|团队|器材|场地|经费))|"
    r"不合规|不规范|不合理|不对称|不平衡|不充分|不均衡|不便|不畅|不良|不实|不当|不高|不强|不足之处"
)
# Quoted names and slogans (《不能忘却的记忆》、“无视频，不传播”) are not the claim's own negation.
_QUOTED = re.compile(r"“[^”]{0,40}”|《[^》]{0,40}》|「[^」]{0,40}」|‘[^’]{0,40}’")
# 并非X，而是Y / 而非X / 不是X而是Y correct a description; they do not deny an achievement.
_CONTRAST = re.compile(
    r"(?:并非|不是|并不是|而非|非)[^，。；]{0,30}?(?=，?而是|，?而要|，?而在)|而非[^，。；]{0,30}"
)
# A negation after these words names the problem the case solves (填补…空白、解决…不畅), not a failure.
_SOLVES = re.compile(r"填补|解决|破解|弥补|改变|扭转|针对|应对|克服|打破|告别|摆脱|改善|缓解|避免|防止|杜绝")
# What it is good not to have: a negation of these praises (零差错、无一起事故、从未中断、不做标题党).
_BAD_THINGS = re.compile(
    r"事故|差错|错误|失误|投诉|谣言|虚假|低俗|庸俗|媚俗|标题党|猎奇|炒作|违规|违法|违纪|问题|风险|隐患|中断|"
    r"延误|泄露|泄漏|侵权|纠纷|漏洞|事件|舆情|负面|有偿|软文|广告|流量|隐私|未经核实|网络传言|传言|失实|偏差|"
    r"瞒报|拖延|推诿|扰民|浪费|短板|障碍|缺陷|下滑|亏损|停播|断档|赞助|红包|回扣|好处费|收费|付费|打码|"
    # what responsible reporting keeps out: personal details, corrections and lawsuits, gore, exaggeration
    r"个人信息|身份信息|姓名|住址|手机号|电话|照片|身份|更正|诉讼|撤稿|道歉|血腥|暴力|夸大|推广内容|商业推广|"
    r"错播|漏播|超期|逾期|积压|造假|注水|刷量|删帖|抄袭|洗稿"
)
# Failing to protect or check (未作打码处理、没有对举报人姓名进行保护、不标注广告) is a failure even though the
# scope names a bad thing.
_PROTECTS = re.compile(
    r"(?<!未经)(?<!未)(?:保护|隐去|打码|马赛克|模糊处理|核实|核查|求证|证实|标注|标明|说明|回应)"
)
_DISCLOSE = re.compile(r"予?(?:公开|公布|披露|曝光|透露|出现|刊登|刊发|转发|使用|展示)")
# Opposing a bad thing (杜绝标题党、抵制有偿新闻) or having none of it (零差错、无一起事故) praises.
_PRAISE_PREFIX = re.compile(
    r"零(?=[^，。；]{0,3}(?:"
    + _BAD_THINGS.pattern
    + "))|无一(?:起|例|次|件)?|杜绝|避免|防止|拒绝|严禁|坚决不|抵制|摒弃|远离|反对|禁止|谢绝|纠正|整治|清理"
)
# 让不会打字的老人、为没有子女的老人: after these words a negation describes a noun, not the claim.
_ATTRIBUTIVE = re.compile(r"[^，。；、的]{0,6}的(?!话)")
_NOUN_BEFORE = re.compile(
    r"(?:让|使|为|给|帮助|帮|向|对|面向|服务|吸引|覆盖|针对|方便|教|带动|组织|动员|让那些|^)$"
)
_SCOPE_END = re.compile(r"[，,；;。！？!?、]|但|而|却")

_HEDGES = re.compile(
    r"大约|(?<![节制预签公合契条规])约(?:有|为|是|达)?(?=[\d一二两三四五六七八九十百千万半成])|"
    r"(?:将近|接近)(?=[\d一二两三四五六七八九十百千万半成])|"
    r"(?<![邻附最接靠贴就亲临将])近(?=[\d一二两三四五六七八九十百千万半成])|左右|上下|估计|可能|或许|也许|大概|基本上|初步|有望|一定程度|有所|较为|"
    r"据说|据称|听说|上万|上千|数十|数百|数千|数万|几十|几百|若干|相当一部分|不少|理论上|设计上|按设计|潜在|可望"
)
# Explicit plan markers decide ``plan`` unless the clause also says something is already done.
_PLAN = re.compile(
    r"(?<!完成)(?<!按)计划|规划|预计|(?<!达到)(?<!超出)(?<!超过)(?<!符合)(?<!低于)(?<!未达)预期(?!目标|效果)|力争|争取|有望|拟于|拟在|拟投入|拟|打算|准备|将要|将会|将于|将在|将把|将进一步|"
    r"将继续|将逐步|将着力|将加快|目标是|目标为|目标到|下一步|下一阶段|未来|今后|后续|希望|期待|有信心|"
    r"一旦|建成后|上线后可|到20\d\d年|20\d\d年(?:底|末)?前|正在筹备|正在研究"
)
_YEAR = re.compile(r"20\d\d")
_DONE = re.compile(r"已经|已|截至|截止|累计|实现了|达到了|取得了|完成了|获得了|至今|以来")
# A clause whose subject is another body (the group, the province, the whole sector, a partner) and that says
# nothing about the applicant's own work reports someone else's outcome.
_OTHER_SUBJECT = re.compile(
    r"^(?:[^，。；]{0,6}年)?[，,]?(?:全省|全市|全国|全行业|行业整体|整个行业|各地|各级|母公司|所在集团|上级集团|母报|上级|主管部门|"
    r"省级平台|国家级平台|中央媒体|央媒|合作方|合作伙伴|供应商|厂商|兄弟单位|同行|业内|国内外)"
)
_OURS = re.compile(
    r"我们|我台|我社|我报|我中心|我县|我市|本报|本台|本社|本中心|本单位|本刊|本网|该平台|该模式|这一|这套|这个|"
    r"我们的|栏目|客户端|账号|项目|平台[^，。；]{0,4}(?:接入|采用)"
)
_BACKGROUND_START = re.compile(
    r"^(?:在此之前|此前|立项时|当时|以往|长期以来|过去(?![一二三四五六七八九十两\d])"
    r"|[^，。；]{0,10}(?<![目当眼提超空])(?:前|之前|以前)(?=，|,))"  # 改版前，项目启动前，2020年以前，
)


@dataclass(frozen=True)
class Clause:
    """A clause of a sentence and its span in the normalised text."""

    text: str
    start: int
    sentence: int


def split_clauses(sentences: list[str], text: str) -> list[Clause]:
    """Split sentences into claim-sized clauses.

    Args:
        sentences: the sentences of ``text`` in order (``pipelines.text.split_sentences``).
        text: the normalised text the sentences come from (for spans).

    Returns:
        Clauses in order, each with its start offset in ``text`` (-1 when it cannot be located).
    """
    clauses: list[Clause] = []
    cursor = 0
    for number, sentence in enumerate(sentences):
        found = text.find(sentence, cursor)
        base = found if found >= 0 else -1
        if found >= 0:
            cursor = found + len(sentence)
        start = 0
        pieces: list[tuple[int, int]] = []
        for match in _CLAUSE_BREAK.finditer(sentence):
            pieces.append((start, match.start()))
            start = match.end()
        pieces.append((start, len(sentence)))
        merged: list[tuple[int, int]] = []
        for begin, end in pieces:
            if merged and (end - begin < _MIN_CLAUSE or merged[-1][1] - merged[-1][0] < _MIN_CLAUSE):
                merged[-1] = (merged[-1][0], end)
            else:
                merged.append((begin, end))
        for begin, end in merged:
            piece = sentence[begin:end].strip(" ，,；;")
            if piece:
                offset = sentence.find(piece, begin)
                clauses.append(Clause(piece, base + offset if base >= 0 else -1, number))
    return clauses


@dataclass(frozen=True)
class Negation:
    """The negation of a clause: its cue and scope as written, and whether it praises."""

    scope: str
    praise: bool


def read_negation(clause: str) -> Negation | None:
    """The first negation in ``clause`` with its scope (to the end of its phrase), or None.

    A negation of something it is good not to have (差错、事故、谣言、标题党) praises; so do 零差错 and 无一起.
    """
    masked = _mask(clause)
    praise = _PRAISE_PREFIX.search(masked)
    match = _NEGATION.search(masked)
    if praise and (match is None or praise.start() <= match.start()):
        end = _SCOPE_END.search(clause, praise.end())
        return Negation(clause[praise.start() : end.start() if end else len(clause)], True)
    while (
        match is not None
        and _ATTRIBUTIVE.match(masked, match.end())
        and _NOUN_BEFORE.search(masked[: match.start()])
    ):
        match = _NEGATION.search(masked, match.end())  # 不会打字的老人: the negation describes a noun
    if match is None:
        return None
    end = _SCOPE_END.search(clause, match.end())
    scope = clause[match.start() : end.start() if end else len(clause)]
    solving = _SOLVES.search(clause[: match.start()])
    bad = _BAD_THINGS.search(scope) and not _PROTECTS.search(scope)
    if not bad and _DISCLOSE.match(
        clause, match.end()
    ):  # 对涉事学生的姓名一律不予公开: the object comes first
        bad = bool(_BAD_THINGS.search(clause[max(0, match.start() - 16) : match.start()]))
    return Negation(scope, bool(bad or solving))


@lru_cache(maxsize=4096)  # negation, hedges and kind rules each read the masked clause
def _mask(clause: str) -> str:
    """The clause with quoted text, contrastive corrections and non-negating words blanked (same length)."""
    for pattern in (_QUOTED, _CONTRAST, _NOT_NEGATION):
        clause = _blank(pattern, clause)
    return clause


def _blank(pattern: re.Pattern[str], clause: str) -> str:
    """``pattern.sub`` with each match replaced by as many ＿ as it has characters (``scan.finditer``)."""
    parts, last = [], 0
    for match in finditer(pattern, clause):
        parts += [clause[last : match.start()], "＿" * (match.end() - match.start())]
        last = match.end()
    return "".join(parts) + clause[last:] if parts else clause


def read_hedges(clause: str) -> list[str]:
    """Hedging words of the clause, each once, in order."""
    masked = _mask(clause)
    return list(dict.fromkeys(match.group(0) for match in finditer(_HEDGES, masked)))


def is_sourced(clause: str) -> bool:
    """Whether the clause names where its facts come from."""
    return bool(SOURCE_CUE.search(clause))


def rule_kind(clause: str) -> str | None:
    """``plan``, ``background`` or ``other_party`` when an explicit marker decides it, else None (the
    classifier decides)."""
    if _BACKGROUND_START.search(clause):
        return "background"
    if _OTHER_SUBJECT.search(clause) and not _OURS.search(clause):
        return "other_party"
    for plan in finditer(_PLAN, clause):
        if _past_date(plan.group(0)):
            continue  # 到2022年11月，装机量超过7800万: a date before the call year is not a target
        if not _DONE.search(clause[: plan.start()]):
            return "plan"
        break
    return None


def _past_date(marker: str) -> bool:
    """Whether a date-shaped plan marker (到2024年, 2023年底前) names a year before the call year."""
    year = _YEAR.search(marker)
    return bool(year) and int(year.group(0)) < _call_year()


@lru_cache(maxsize=1)
def _call_year() -> int:
    from pipelines.config import get_settings

    return get_settings().call_year
