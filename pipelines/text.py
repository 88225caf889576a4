"""Chinese text basics shared by every stage: normalisation, sentences, tokens, n-grams, hashes.

``tokenize_zh`` is a module-level function (picklable, usable as a scikit-learn ``tokenizer`` with
``token_pattern=None``); it loads jieba with the domain user dictionary ``data/lexicon/user_dict.txt``
(媒体融合 vocabulary) and the stop words ``data/lexicon/stopwords.txt`` once per process.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
import sys
import threading
import unicodedata
from functools import lru_cache

from pipelines.config import DATA_DIR

LEXICON_DIR = DATA_DIR / "lexicon"
USER_DICT_FILE = LEXICON_DIR / "user_dict.txt"
STOPWORDS_FILE = LEXICON_DIR / "stopwords.txt"

# Full-width forms that become half width: digits, latin letters and the symbols that belong to numbers,
# codes and URLs. Chinese punctuation (，。：；！？（）“”) stays as it is.
_FULLWIDTH_KEEP = set("，。：；！？（）【】《》、“”‘’「」『』…—～")
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_HSPACE = re.compile(r"[ \t\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}]) (?=[{_CJK}])")

_TERMINALS = set("。！？；!?;")
_CLOSERS = set("”’」』）)》】\"'")
_OPENING_QUOTES = {"“": "”", "‘": "’", "「": "」", "『": "』"}
_MAX_QUOTE_CHARS = 300  # an unclosed quote longer than this no longer holds sentences together


# One translation table: zero-width characters dropped, full-width forms (except Chinese punctuation) halved.
_TRANSLATE = {
    **_ZERO_WIDTH,
    **{code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F) if chr(code) not in _FULLWIDTH_KEEP},
}


@lru_cache(maxsize=512)  # scoring normalises the same text for novelty, tokens and claims
def normalize(text: str) -> str:
    """Normalise Chinese text for matching and models.

    Full-width digits, latin letters and symbols become half width (``ＡＩ２０２５`` → ``AI2025``), Chinese
    punctuation stays full width, zero-width characters go, runs of spaces collapse to one space, spaces
    between two Chinese characters are dropped (``融 媒 体`` → ``融媒体``), lines are stripped and empty lines
    removed.

    Args:
        text: raw text, possibly from a Word form.

    Returns:
        The normalised text (newlines between non-empty lines kept).
    """
    text = unicodedata.normalize("NFC", text or "").translate(_TRANSLATE)
    lines = []
    for line in re.split(r"\r\n|\r|\n|\u2028|\u2029", text):
        line = _SPACE_BETWEEN_CJK.sub("", _HSPACE.sub(" ", line).strip())
        if line:
            lines.append(line)
    return "\n".join(lines)


def split_sentences(text: str) -> list[str]:
    """Split text into sentences at 。！？；…… and line breaks.

    A closing quote or bracket after the end mark stays with its sentence (``他说：“好。”``), and end marks
    inside a quotation do not split it (the sentence ends at the closing quote when an end mark precedes
    it) unless the quotation runs on past 300 characters without closing.

    Args:
        text: any text (it is normalised first).

    Returns:
        Non-empty sentences in order, stripped.
    """
    sentences: list[str] = []
    for line in normalize(text).split("\n"):
        sentences.extend(_split_line(line))
    return sentences


# Where a sentence ends in a line without quotation marks: an end mark (or …… / ...), further end marks, and
# closing brackets — what ``_split_line`` does character by character, as one regular-expression scan.
_SENTENCE_END = re.compile(r"(?:[。！？；!?;]|……|\.\.\.)[。！？；!?;….]*[”’」』）)》】\"']*")


_INTERESTING_CHARS = frozenset(
    [*_OPENING_QUOTES, *_OPENING_QUOTES.values(), *_CLOSERS, *_TERMINALS, "…", "."]
)
_INTERESTING = re.compile("[" + re.escape("".join(sorted(_INTERESTING_CHARS))) + "]")


def _split_line(line: str) -> list[str]:
    if not any(quote in line for quote in _OPENING_QUOTES):
        ends = [match.end() for match in _SENTENCE_END.finditer(line)]
        pieces = [line[start:end] for start, end in zip([0, *ends], [*ends, len(line)], strict=True)]
        return [piece.strip() for piece in pieces if piece.strip()]
    pieces: list[str] = []
    start = 0
    expected_closers: list[str] = []
    quote_start = 0
    i = 0
    while i < len(line):
        char = line[i]
        if (
            char not in _INTERESTING_CHARS
        ):  # jump to the next quote, closer or end mark (one scan, not a loop)
            found = _INTERESTING.search(line, i)
            if found is None:
                break
            i = found.start()
            char = line[i]
            if expected_closers and i - 1 - quote_start > _MAX_QUOTE_CHARS:
                expected_closers.clear()  # what the skipped characters would have done
        if char in _OPENING_QUOTES:
            if not expected_closers:
                quote_start = i
            expected_closers.append(_OPENING_QUOTES[char])
        elif expected_closers and char == expected_closers[-1]:
            expected_closers.pop()
            if not expected_closers and i > 0 and (line[i - 1] in _TERMINALS or line[i - 1] in "…."):
                i += 1
                while i < len(line) and line[i] in _CLOSERS:
                    i += 1
                pieces.append(line[start:i])
                start = i
                continue
        if expected_closers and i - quote_start > _MAX_QUOTE_CHARS:
            expected_closers.clear()
        is_end = char in _TERMINALS or line.startswith("……", i) or line.startswith("...", i)
        if is_end and not expected_closers:
            i += 1
            while i < len(line) and (line[i] in _TERMINALS or line[i] in "…."):
                i += 1
            while i < len(line) and line[i] in _CLOSERS:
                i += 1
            pieces.append(line[start:i])
            start = i
            continue
        i += 1
    pieces.append(line[start:])
    return [piece.strip() for piece in pieces if piece.strip()]


_jieba_lock = threading.Lock()


@lru_cache(maxsize=1)
def _tokenizer():  # noqa: ANN202 (jieba has no type hints)
    import jieba

    with _jieba_lock:
        jieba.setLogLevel(logging.WARNING)
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        tokenizer.load_userdict(str(USER_DICT_FILE))
    return tokenizer


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """The stop words of ``data/lexicon/stopwords.txt`` (one per line)."""
    lines = STOPWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


_CONTENT = re.compile(r"[^\W_]")


def tokenize_zh(text: str) -> list[str]:
    """Segment Chinese text into words with jieba and the domain user dictionary.

    The text is normalised, latin letters are lower-cased, and stop words, punctuation and whitespace are
    dropped. Module-level, so it pickles inside scikit-learn vectorizers.

    Args:
        text: any text.

    Returns:
        Content tokens in order (``["县级融媒体中心", "aigc", "数字人", ...]``).
    """
    tokens: list[str] = []
    for piece in _PIECE_END.split(normalize(text)):
        if piece := piece.strip():
            tokens.extend(_piece_tokens(piece))
    return tokens


# Where a text is cut into pieces for the token cache: after a sentence end, a closing bracket or a line break.
# None of these characters belongs to jieba's word blocks (``jieba.re_han_default``), and jieba segments each
# block on its own, so the tokens of the pieces joined are exactly the tokens of the whole text; white space at
# a piece's ends only ever gives white-space tokens, which are dropped.
_PIECE_END = re.compile(r"(?<=[。！？；!?;\n”’」』）)》】])")


@lru_cache(maxsize=1 << 17)
def _piece_tokens(piece: str) -> tuple[str, ...]:
    """The content tokens of one piece (a sentence, usually), cached: classification tokenises each sentence,
    the lexical embedder (novelty) the whole text, so a case's sentences are segmented once per process."""
    stop = stopwords()
    tokens = (sys.intern(token.lower()) for token in _tokenizer().lcut(piece))
    return tuple(token for token in tokens if token not in stop and _CONTENT.search(token))


def char_ngrams(text: str, n: int) -> list[str]:
    """Overlapping character n-grams of the text with whitespace and punctuation removed.

    Args:
        text: any text (normalised first).
        n: gram length, at least 1.

    Returns:
        ``len(clean) - n + 1`` grams in order; a non-empty text shorter than ``n`` gives itself as the only
        gram; an empty text gives ``[]``.
    """
    if n < 1:
        raise ValueError(f"n-gram 长度必须至少为 1，收到 {n}")
    clean = "".join(char for char in normalize(text) if unicodedata.category(char)[0] in "LNS")
    if not clean:
        return []
    if len(clean) < n:
        return [clean]
    return [clean[i : i + n] for i in range(len(clean) - n + 1)]


def text_hash(text: str) -> str:
    """SHA-256 hex digest of the normalised text (so whitespace and full-width variants hash alike)."""
    return hashlib.sha256(normalize(text).encode("utf-8")).hexdigest()


CN_DIGITS: dict[str, int] = {
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
CN_UNITS: dict[str, int] = {"十": 10, "百": 100, "千": 1000}


def chinese_number(text: str, strict: bool = False) -> float | None:
    """Value of a Chinese numeral: ``三十`` → 30, ``一百零五`` → 105, ``千万`` → 1e7, ``一亿二千万`` → 1.2e8.

    Args:
        text: the numeral (零/〇 are skipped).
        strict: return None for malformed numerals (``十十``, two digits in a row, other characters) instead
            of reading what can be read.

    Returns:
        The value; None only in strict mode.
    """
    total = wan = section = 0.0
    digit: int | None = None
    last_unit = math.inf
    for char in text:
        if char in "零〇":
            continue
        if char in CN_DIGITS:
            if strict and digit is not None:
                return None
            digit = CN_DIGITS[char]
        elif char in CN_UNITS:
            unit = CN_UNITS[char]
            if strict and unit >= last_unit:
                return None
            section += (1 if digit is None else digit) * unit
            digit, last_unit = None, unit
        elif char == "万":
            wan += ((section + (digit or 0)) or 1) * 1e4
            section, digit, last_unit = 0.0, None, math.inf
        elif char == "亿":
            total = ((total + wan + section + (digit or 0)) or 1) * 1e8
            wan = section = 0.0
            digit, last_unit = None, math.inf
        elif strict:
            return None
    return total + wan + section + (digit or 0)


_FULL_WIDTH = re.compile(r"[\uff05\uff0b\uff0e\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")


def match_text(text: str) -> str:
    """Text folded for matching: full-width letters, digits and ％＋． half width, lower case.

    Unlike ``pipelines.text.normalize`` (for display and models) this only touches the rare full-width
    alphanumerics, so it runs at regex-scan speed on 100,000 past cases; Chinese punctuation is kept.
    """
    return _FULL_WIDTH.sub(lambda m: chr(ord(m.group(0)) - 0xFEE0), text or "").lower()
