"""Whether two cases come from the same organisation (``pipelines.units.match_units``), cached and with a
cheap rejection first: every way ``match_units`` can say "same" (identical, same core, core contained,
abbreviation) needs the characters of one name's core to occur in the other name."""

from __future__ import annotations

from functools import lru_cache

from pipelines.units import UnitMatch, match_units, normalize_unit, unit_core


@lru_cache(maxsize=100_000)
def unit_match(a: str, b: str) -> UnitMatch:
    """``match_units(a, b)``, cached."""
    return match_units(a, b)


@lru_cache(maxsize=200_000)
def _unit_profile(unit: str) -> tuple[str, frozenset[str], frozenset[str]]:
    name = normalize_unit(unit)
    return name, frozenset(name), frozenset(unit_core(unit))


def same_unit(a: str, b: str) -> bool:
    """``match_units(a, b).same``, rejecting most pairs on character sets first."""
    name_a, chars_a, core_a = _unit_profile(a)
    name_b, chars_b, core_b = _unit_profile(b)
    if not name_a or not name_b or not (core_a <= chars_b or core_b <= chars_a):
        return False
    return unit_match(a, b).same
