"""``finditer``: the matches of a rubric pattern, as ``pattern.finditer`` gives them, found faster.

Python's regular-expression engine skips ahead to where a match can start only when a pattern begins with a
literal or a plain alternation of literals; a pattern that begins with a look-behind, an optional group or a
nested group (``(?<![A-Za-z])AI``, ``(近|超)?[0-9]+家``) is tried at every character of the text, which was
most of the rubric's scanning time. Here the set of characters a match can start with is read from the
pattern once, one character-class search finds the next such character, and the pattern is matched there:
the same leftmost, non-overlapping matches (``test_scan_equals_finditer`` checks it on every rubric pattern).
Patterns the engine already skips ahead for, and patterns whose first characters cannot be bounded (``.``, a negated class, a match that may be empty) are
left to ``pattern.finditer``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from re import _compiler, _parser  # type: ignore[attr-defined]
from re import _constants as sre  # type: ignore[attr-defined]

_CATEGORIES = {
    sre.CATEGORY_DIGIT: r"\d",
    sre.CATEGORY_NOT_DIGIT: r"\D",
    sre.CATEGORY_WORD: r"\w",
    sre.CATEGORY_NOT_WORD: r"\W",
    sre.CATEGORY_SPACE: r"\s",
    sre.CATEGORY_NOT_SPACE: r"\S",
}
_ZERO_WIDTH = (sre.ASSERT, sre.ASSERT_NOT, sre.AT)


class _Unbounded(Exception):
    """The pattern's first characters cannot be listed."""


def _char(code: int) -> str:
    return f"\\U{code:08x}"


def _first_of(items: object) -> tuple[list[str], bool]:
    """The class items a match of the sequence ``items`` can start with, and whether it can be empty."""
    found: list[str] = []
    for op, av in items:  # type: ignore[attr-defined]
        if op in _ZERO_WIDTH:  # look-arounds and anchors only restrict where a match starts
            continue
        if op is sre.LITERAL:
            return found + [_char(av)], False
        if op is sre.IN:
            for kind, value in av:
                if kind is sre.LITERAL:
                    found.append(_char(value))
                elif kind is sre.RANGE:
                    found.append(f"{_char(value[0])}-{_char(value[1])}")
                elif kind is sre.CATEGORY and value in _CATEGORIES:
                    found.append(_CATEGORIES[value])
                else:
                    raise _Unbounded
            return found, False
        if op is sre.BRANCH:
            empty = False
            for branch in av[1]:
                chars, can_be_empty = _first_of(branch)
                found += chars
                empty = empty or can_be_empty
            if not empty:
                return found, False
        elif op is sre.SUBPATTERN:
            if av[1] or av[2]:  # flags switched inside the group
                raise _Unbounded
            chars, empty = _first_of(av[3])
            found += chars
            if not empty:
                return found, False
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            chars, empty = _first_of(av[2])
            found += chars
            if not empty and av[0] > 0:
                return found, False
        else:
            raise _Unbounded
    return found, True


@lru_cache(maxsize=1024)
def _starts(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """A character class of the characters a match of ``pattern`` can start with (None: unknown)."""
    if pattern.flags & (re.IGNORECASE | re.ASCII | re.LOCALE | re.VERBOSE) or not isinstance(
        pattern.pattern, str
    ):
        return None
    try:
        parsed = _parser.parse(pattern.pattern, pattern.flags)
        if _compiler._get_literal_prefix(parsed, pattern.flags)[0] or _compiler._get_charset_prefix(
            parsed, pattern.flags
        ):
            return None  # the engine skips ahead by itself (faster than a search per candidate here)
        chars, empty = _first_of(parsed)
    except (_Unbounded, AttributeError, TypeError, ValueError):
        return None
    if empty or not chars:
        return None
    return re.compile(f"[{''.join(chars)}]")


def finditer(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """The matches ``pattern.finditer(text)`` yields (leftmost, non-overlapping, in order)."""
    starts = _starts(pattern)
    if starts is None:
        yield from pattern.finditer(text)
        return
    search, match, position = starts.search, pattern.match, 0
    while (candidate := search(text, position)) is not None:
        start = candidate.start()
        found = match(text, start)
        if found is None:
            position = start + 1
        else:
            yield found
            position = found.end() if found.end() > start else start + 1
