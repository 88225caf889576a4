"""English-only labels (``Case Name: 某平台``, ``Applicant: 甲报社``) of a form written with English labels and
Chinese values, from ``pipelines.vocabulary.ENGLISH_LABELS``.

A label is read only with a value a form would hold (Chinese text, or for the launch date and the category a
number) or with its value on the next line. An English document (a letter, a briefing) with ``Case title:
examples …`` has no field, and English labels make a form only beside an English case name or applicant
holding Chinese (``pipelines.intake.refusals.form_keys``).
"""

from __future__ import annotations

import re
import unicodedata

from pipelines.intake.wordcount import HAN
from pipelines.vocabulary import ENGLISH_LABELS, SECTION_NAMES

_KEYS: dict[str, tuple[str, str]] = {
    label: (("section", key) if key in SECTION_NAMES else (key, ""))
    for key, labels in ENGLISH_LABELS.items()
    for label in labels
}
_LABEL_RE = re.compile(
    r"^\s*("
    + "|".join(re.escape(label) for label in sorted(_KEYS, key=len, reverse=True))
    + r")\s*:\s*(.*)$",
    re.IGNORECASE | re.DOTALL,
)
_HAN_RE = re.compile(f"[{HAN}]")
_ANY_VALUE_KEYS = frozenset(("signature", "ignore"))
_NUMBER_VALUE_KEYS = frozenset(("launch", "category"))


def match_english(text: str) -> tuple[str, str, str, str] | None:
    """(key, canonical section or "", raw label with its colon, value) of ``Label: value``, else None."""
    normalised = re.sub("organis", "organiz", unicodedata.normalize("NFKC", text), flags=re.IGNORECASE)
    found = _LABEL_RE.match(normalised)
    if found is None or len(normalised) != len(text):
        return None
    key, section = _KEYS[found.group(1).lower()]
    value = found.group(2).strip()
    chinese_or_number = _HAN_RE.search(value) or (key in _NUMBER_VALUE_KEYS and re.search(r"\d", value))
    if value and key not in _ANY_VALUE_KEYS and not chinese_or_number:  # empty: the value follows
        return None
    return key, section, text[: found.start(2)], text[found.start(2) :].strip()


def english_label(raw: str) -> bool:
    """Whether a label as written is English only (no Chinese)."""
    return bool(raw.strip()) and not _HAN_RE.search(raw)


def has_chinese(lines: list[str]) -> bool:
    """Whether a value holds Chinese text."""
    return any(_HAN_RE.search(line) for line in lines)
