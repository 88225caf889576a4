"""WordprocessingML namespaces and tick boxes.

Every tick box (``w14:checkbox`` content controls, legacy ``FORMCHECKBOX`` fields, Wingdings/Symbol glyphs) is
written as ``☑`` (ticked) or ``☐`` (not ticked), so later stages only see Unicode.
"""

from __future__ import annotations

import re

from lxml import etree

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14_NS = "http://schemas.microsoft.com/office/word/2010/wordml"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
W = f"{{{W_NS}}}"
W14 = f"{{{W14_NS}}}"
MC = f"{{{MC_NS}}}"

TICKED = "☑"
UNTICKED = "☐"


# Symbol-font tick boxes by (font, low byte of the code point): True = ticked, False = empty.
_SYMBOL_TICKS: dict[str, dict[int, bool]] = {
    "wingdings": {
        0xFE: True,
        0xFD: True,
        0x78: True,
        0xFC: True,
        0x6E: True,
        0xA8: False,
        0x6F: False,
        0x71: False,
        0x72: False,
    },
    "wingdings 2": {0x52: True, 0x53: True, 0x54: True, 0x50: True, 0xA3: False, 0x2A: False},
    "symbol": {0xD6: True},
}
SYMBOL_FONT_RE = re.compile(
    "[" + re.escape("".join({chr(code) for table in _SYMBOL_TICKS.values() for code in table})) + "]"
)


def is_on(element: etree._Element | None, attribute: str = f"{W}val") -> bool:
    """OOXML on/off value: a bare element means on."""
    if element is None:
        return False
    value = element.get(attribute)
    return value is None or value.strip().lower() in {"1", "true", "on"}


def sdt_state(sdt: etree._Element) -> tuple[bool, str | None]:
    """(showing placeholder, tick glyph if this is a checkbox control)."""
    properties = sdt.find(f"{W}sdtPr")
    if properties is None:
        return False, None
    checkbox = properties.find(f"{W14}checkbox")
    if checkbox is not None:
        checked = checkbox.find(f"{W14}checked")
        return False, TICKED if is_on(checked, f"{W14}val") else UNTICKED
    return properties.find(f"{W}showingPlcHdr") is not None, None


def legacy_checkbox(fld_char: etree._Element) -> str | None:
    """The tick of a legacy ``FORMCHECKBOX`` field, or the chosen entry of a ``FORMDROPDOWN`` field.

    A dropdown field shows its choice without any text run: the entry at ``w:result`` (else ``w:default``,
    else the first) is the text it shows.
    """
    data = fld_char.find(f"{W}ffData")
    if data is None:
        return None
    box = data.find(f"{W}checkBox")
    if box is None:
        return _dropdown_choice(data.find(f"{W}ddList"))
    checked = box.find(f"{W}checked")
    if checked is None:
        checked = box.find(f"{W}default")
    return TICKED if is_on(checked) else UNTICKED


def _dropdown_choice(options: etree._Element | None) -> str | None:
    if options is None:
        return None
    entries = [entry.get(f"{W}val", "") for entry in options.iter(f"{W}listEntry")]
    chosen = options.find(f"{W}result")
    if chosen is None:
        chosen = options.find(f"{W}default")
    index = _int(chosen.get(f"{W}val") if chosen is not None else None, 0)
    return entries[index] if 0 <= index < len(entries) else ""


def hex_value(value: str | None) -> int:
    try:
        return int(value or "0", 16)
    except ValueError:
        return 0


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def symbol_tick(font: str, code: int) -> str | None:
    table = _SYMBOL_TICKS.get(font.strip().lower())
    if table is None:
        return None
    ticked = table.get(code & 0xFF if code >= 0xF000 else code)
    if ticked is None:
        return None
    return TICKED if ticked else UNTICKED


def run_font(run: etree._Element) -> str:
    fonts = run.find(f"{W}rPr/{W}rFonts")
    if fonts is None:
        return ""
    return fonts.get(f"{W}ascii") or fonts.get(f"{W}hAnsi") or fonts.get(f"{W}eastAsia") or ""
