"""Word limits written in labels and word counts the way Word's 字数统计 reports them."""

from __future__ import annotations

import re
import unicodedata

from pipelines.text import chinese_number

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"
_FULLWIDTH_PUNCT = (
    "\u3001-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\u2018-\u201f\u2026\u2014\u00b7"
)
_NOT_CHINESE_RE = re.compile(f"[^{HAN}{_FULLWIDTH_PUNCT}]+")
_LATIN_WORD_RE = re.compile(r"[A-Za-z0-9\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]+(?:[.'’\-][A-Za-z0-9]+)*")
_CN_NUMBER_RE = re.compile(r"[一二两三四五六七八九十百千万]+")
_WORD_LIMIT_RES = (
    re.compile(r"(\d+)\s*(?:个)?字?\s*[-~～—至到]\s*(\d+)\s*(?:个)?(?:汉)?字"),
    re.compile(
        r"(?:不超过|不多于|不得超过|不宜超过|不超|限|限于|控制在|最多|少于)\s*(\d+)\s*(?:个)?(?:汉)?字"
    ),
    re.compile(r"(\d+)\s*(?:个)?(?:汉)?字\s*(?:以内|之内|内|以下)"),
)
WORD_LIMIT_TAIL_RE = re.compile(
    r"(?:不超过|不多于|不得超过|限|控制在|最多)?\d+(?:个)?(?:汉)?字(?:以内|之内|内|以下)?$"
)
_LIMIT_ONLY_RE = re.compile(
    r"[(（]?(?:字数)?(?:不超过|不多于|不得超过|限|控制在|最多)?\s*\d+\s*(?:个)?(?:汉)?字(?:以内|之内|内|以下)?[)）]?"
)


def word_limit(label: str) -> int | None:
    """The word limit a label states: ``（300字以内）``, ``不超过800字``, ``500-800字`` (upper bound), ``三百字以内``.

    Args:
        label: the label as written, with its bracketed notes.

    Returns:
        The limit, or None when the label states none.
    """
    text = unicodedata.normalize("NFKC", label)
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


def limit_only(line: str) -> bool:
    """A line that only states a word limit, such as ``不超过300字`` or ``（500字以内）``."""
    text = line.strip()
    return (
        len(text) <= 20
        and "字" in text
        and bool(_LIMIT_ONLY_RE.fullmatch(unicodedata.normalize("NFKC", text)))
    )


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
