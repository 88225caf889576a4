"""``pipelines.claims.scan.finditer`` finds exactly what ``pattern.finditer`` finds."""

from __future__ import annotations

import re

import pytest

from pipelines.claims import rules
from pipelines.claims.scan import _starts, finditer
from pipelines.criteria.rubric import default_rubric

TEXTS = (
    "据省广电局统计，2024年客户端注册用户约18.6万人，近3年先后有12家兄弟媒体前来学习考察，AI主播上线。",
    "我们引进了某公司的系统，照搬外地模式；未经核实转载网帖一次，已更正致歉。",
    "「不是」“没有”《不忘初心》 ai与AIGC、5G和8K直播；云上课堂、云端服务，数十家单位接入。",
    "",
    "x",
    "（近）百余家县级融媒体中心、30余个市州加入联盟，形成可复制的做法",
)


def _patterns() -> list[re.Pattern[str]]:
    rubric = default_rubric()
    found = [rubric.evaluative]
    for criterion in rubric.criteria.values():
        for sub in criterion.subpoints:
            found += [*sub.patterns, *sub.context]
    return found + [
        getattr(rules, name) for name in dir(rules) if isinstance(getattr(rules, name), re.Pattern)
    ]


@pytest.mark.parametrize("text", TEXTS)
def test_scan_equals_finditer(text: str) -> None:
    long = text * 3 + "\n".join(TEXTS)
    for pattern in _patterns():
        for subject in (text, long):
            expected = [(m.span(), m.group(0), m.groups()) for m in pattern.finditer(subject)]
            assert [(m.span(), m.group(0), m.groups()) for m in finditer(pattern, subject)] == expected, (
                pattern.pattern
            )


def test_scan_prefilters_patterns_the_engine_tries_everywhere() -> None:
    # a look-behind, an optional group or a nested group first: the engine cannot skip ahead by itself
    for source in (r"(?<![A-Za-z])AI|大数据", r"(近|超)?\d+家", r"(?:其他|(?:\d+|[一二])个)单位"):
        assert _starts(re.compile(source)) is not None, source
    # a plain literal alternation (the engine skips ahead), ``.`` first, or a possibly empty match: as is
    for source in (r"创新|融合", r".{0,3}推广", r"(?:推广)?", r"[^，]推广"):
        assert _starts(re.compile(source)) is None, source


def test_scan_lookbehind_sees_text_before_the_candidate() -> None:
    pattern = re.compile(r"(?<![被供])(?:借鉴|参照)[^，]{0,4}模式|(近|超)?[0-9]+家")
    text = "被借鉴的模式，可借鉴其模式，超30家、近5家"
    assert [m.group(0) for m in finditer(pattern, text)] == [m.group(0) for m in pattern.finditer(text)]
    assert [m.group(0) for m in finditer(pattern, text)] == ["借鉴其模式", "超30家", "近5家"]


def test_blank_equals_sub() -> None:
    for text in TEXTS:
        for pattern in (rules._QUOTED, rules._CONTRAST, rules._NOT_NEGATION):
            assert rules._blank(pattern, text) == pattern.sub(lambda m: "＿" * len(m.group(0)), text)


def test_han_bigrams_equal_overlapping_pairs() -> None:
    from pipelines.criteria.features import _han_bigrams

    overlapping = re.compile(r"(?=([\u4e00-\u9fff]{2}))")
    for text in (*TEXTS, "一", "一二", "一二三a四五，六", "ab中文字符x测试", "𠀀中文〇二"):
        assert _han_bigrams(text) == set(overlapping.findall(text)), text
