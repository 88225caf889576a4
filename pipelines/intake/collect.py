"""Labelled entries → field values, section texts and word limits, with every reading of a field kept.

A field may be read more than once (a cover page and the table, a table cell and a ``label：value`` line, the
signature block). The first strong reading wins; weak readings (signature block, ``申报单位（盖章）``) only fill a
field nobody else filled. Readings that disagree are reported with both values for the organizer to check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipelines.intake.hints import strip_hints
from pipelines.intake.labels import BLANKS, BLOCK_KEYS, SCALAR_KEYS, label_core, nfkc, strip_leaders
from pipelines.intake.options import ticked_option
from pipelines.intake.scope import Entry
from pipelines.intake.wordcount import HAN, limit_only, word_limit

# Notes in a value: （盖章）, （全称）, （与申报单位一致）, （以下简称“某某”）.
_SCALAR_NOTE_RE = re.compile(
    r"[（(][^（()）]*(?:盖章|签字|签章|全称|请填写|须填写|一致|相同|同上|简称|下同|代码|编号|信用)[^（()）]*[）)]"
)
# A name field never holds only a date: 申报单位（盖章）：2026年1月6日 is the signing date of the stamp block.
_NAME_KEYS = frozenset(("title", "unit", "implementer", "recommender", "contact.name"))
_DATE_ONLY_RE = re.compile(r"[\d〇零一二三四五六七八九十\s年月日号./\-]+")
_WIDE_RE = re.compile(f"[{HAN}\u3000-\u303f\uff00-\uffef“”‘’《》]")
_COMPARABLE_RE = re.compile(r"[\s\"'“”‘’《》「」『』()（）:：,，.。;；、·]")


@dataclass(frozen=True)
class Reading:
    """One value read for a field, with the label it was read under."""

    value: str
    label: str
    weak: bool = False


@dataclass
class Assembled:
    """What the entries say: field values, list fields, sections, their limits, hints and all readings."""

    values: dict[str, str] = field(default_factory=dict)
    lines: dict[str, list[str]] = field(default_factory=dict)
    sections: dict[str, str] = field(default_factory=dict)
    limits: dict[str, int | None] = field(default_factory=dict)
    hints: list[tuple[str, str]] = field(default_factory=list)
    readings: dict[str, list[Reading]] = field(default_factory=dict)

    @property
    def filled(self) -> bool:
        """Anything written in the form's fields or sections (hint text and empty tick boxes do not count)."""
        written = [*self.values.values(), *(line for lines in self.lines.values() for line in lines)]
        return any(self.sections.values()) or any(ticked_option(text) != "" for text in written)

    def disagreements(self) -> dict[str, list[Reading]]:
        """Fields read with values that differ (ignoring spaces, quotes and punctuation): key → readings."""
        found = {}
        for key, readings in self.readings.items():
            distinct: dict[str, Reading] = {}
            for reading in readings:
                distinct.setdefault(comparable(reading.value), reading)
            if len(distinct) > 1:
                found[key] = list(distinct.values())
        return found


def comparable(value: str) -> str:
    """A value as compared between readings: NFKC, lower case, without spaces, quotes and punctuation."""
    return _COMPARABLE_RE.sub("", nfkc(value)).lower()


def _join(lines: list[str]) -> str:
    """Lines of one value joined: Chinese text wrapped by hand joins without a space, other text with one."""
    value = ""
    for line in lines:
        line = " ".join(line.split())
        if value and line:
            wrapped = _WIDE_RE.match(value[-1]) and _WIDE_RE.match(line[0])
            value += line if wrapped else f" {line}"
        else:
            value += line
    return value


def clean_scalar(lines: list[str]) -> str:
    """The value of a one-value field: lines joined, notes such as （盖章） removed, date blanks dropped."""
    value = _join([line for line in lines if line.strip(BLANKS)])
    value = strip_leaders(_SCALAR_NOTE_RE.sub("", value).strip(BLANKS + "：:"))
    return "" if re.fullmatch(r"[\s年月日_]*", value) else value


def collect(entries: list[Entry]) -> Assembled:
    """Gather the entries of one form.

    Args:
        entries: from ``FormReader``, in document order.

    Returns:
        The assembled values; ``values[key]`` is the chosen reading of each one-value field.
    """
    result = Assembled()
    for entry in entries:
        if entry.key in BLOCK_KEYS:
            continue
        kept, hints = strip_hints([part for line in entry.lines for part in line.split("\n")])
        label = entry.label if entry.key == "section" else display_label(entry)
        result.hints.extend((label, hint) for hint in hints if not limit_only(hint))
        if entry.key == "section":
            _add_section(result, entry, kept, hints)
        elif entry.key in SCALAR_KEYS or entry.key.startswith("contact"):
            value = clean_scalar(kept)
            if value and not (entry.key in _NAME_KEYS and _DATE_ONLY_RE.fullmatch(value)):
                result.readings.setdefault(entry.key, []).append(Reading(value, label, entry.weak))
        else:
            result.lines.setdefault(entry.key, []).extend(line for line in kept if line.strip(BLANKS))
    for key, readings in result.readings.items():
        strong = [reading for reading in readings if not reading.weak]
        result.values[key] = (strong or readings)[0].value
    return result


def _add_section(result: Assembled, entry: Entry, lines: list[str], hints: list[str]) -> None:
    text = "\n".join(line.strip(BLANKS) for line in lines if line.strip(BLANKS))
    previous = result.sections.get(entry.label, "")
    result.sections[entry.label] = "\n".join(filter(None, [previous, text]))
    if result.limits.get(entry.label) is None:
        limits = [word_limit(text) for text in [entry.raw_label, *hints]]
        result.limits[entry.label] = next((limit for limit in limits if limit is not None), None)


def display_label(entry: Entry) -> str:
    """The label as written, without notes and numbering (``申报单位（全称）`` → ``申报单位``)."""
    return label_core(entry.raw_label) or entry.label
