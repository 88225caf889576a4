"""Unit (organisation) names: normalisation and matching of 全称/简称/brackets/spaces/abbreviations."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

_BRACKETS = re.compile(r"[()（）\[\]【】〔〕<>《》“”\"'‘’]")
_SPACES = re.compile(r"[\s\u3000·•.,，、]+")
_PREFIXES = ("中华人民共和国", "中国", "中华")
_SUFFIXES = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "集团公司",
    "公司",
    "集团",
    "报业",
    "杂志社",
    "报社",
    "杂志",
    "社",
    "报",
    "中心",
)


def normalize_unit(name: str) -> str:
    """Full/half width, no spaces or brackets (their content is kept)."""
    text = unicodedata.normalize("NFKC", name or "")
    return _SPACES.sub("", _BRACKETS.sub("", text))


def unit_core(name: str) -> str:
    """The distinctive part of a unit name: no 中国 prefix and no generic suffixes (公司, 集团, 报社, 中心…)."""
    core = normalize_unit(name)
    for prefix in _PREFIXES:
        if core.startswith(prefix) and len(core) > len(prefix) + 1:
            core = core[len(prefix) :]
            break
    changed = True
    while changed:
        changed = False
        for suffix in _SUFFIXES:
            if core.endswith(suffix) and len(core) > len(suffix) + 1:
                core = core[: -len(suffix)]
                changed = True
    return core


def _is_abbreviation(short: str, long: str) -> bool:
    """浙报集团 abbreviates 浙江日报报业集团: same first character, characters in order, long enough."""
    if len(short) < 2 or len(short) >= len(long) or short[0] != long[0]:
        return False
    position = 0
    for char in short:
        position = long.find(char, position)
        if position < 0:
            return False
        position += 1
    return len(short) >= 0.3 * len(long)


@dataclass(frozen=True)
class UnitMatch:
    same: bool
    relation: str  # identical | same_core | contains | abbreviation | different | unknown
    reason: str


def match_units(a: str, b: str) -> UnitMatch:
    """Are two written unit names the same organisation?"""
    na, nb = normalize_unit(a), normalize_unit(b)
    if not na or not nb:
        return UnitMatch(False, "unknown", "单位名称未填写")
    if na == nb:
        return UnitMatch(True, "identical", "名称一致（忽略空格、括号与全半角）")
    ca, cb = unit_core(a), unit_core(b)
    if ca == cb:
        return UnitMatch(True, "same_core", f"全称与简称一致：「{a}」≈「{b}」")
    (shorter, shorter_core), (longer, _) = sorted(((na, ca), (nb, cb)), key=lambda pair: len(pair[0]))
    core_short, core_long = sorted((ca, cb), key=len)
    if shorter_core in longer:
        return UnitMatch(
            True, "contains", f"「{shorter}」包含于「{longer}」，可能为下属机构，请核实是否同一法人"
        )
    if _is_abbreviation(shorter, longer) or _is_abbreviation(core_short, core_long):
        return UnitMatch(True, "abbreviation", f"「{shorter}」可能是「{longer}」的简称")
    return UnitMatch(False, "different", f"「{a}」与「{b}」不是同一单位")


def group_units(names: Sequence[str]) -> dict[str, int]:
    """Group written unit names that denote the same organisation (全称/简称/abbreviations).

    Args:
        names: unit names as written; blanks and repeats allowed.

    Returns:
        name -> group number for every distinct non-blank name; names in one group are linked by
        ``match_units``, transitively (connected components of the "same unit" graph).
    """
    distinct = sorted({name for name in names if normalize_unit(name)})
    pairs = [
        (i, j)
        for i in range(len(distinct))
        for j in range(i + 1, len(distinct))
        if match_units(distinct[i], distinct[j]).same
    ]
    rows, cols = zip(*pairs, strict=True) if pairs else ((), ())
    graph = csr_matrix((np.ones(len(pairs)), (rows, cols)), shape=(len(distinct), len(distinct)))
    _, labels = connected_components(graph, directed=False)
    return {name: int(label) for name, label in zip(distinct, labels, strict=True)}


def unit_groups(names: Sequence[str]) -> dict[str, str]:
    """One display name per organisation for the written unit names.

    Two names belong to one organisation when ``pipelines.units.match_units`` says so (same name, full name
    vs. 简称, contained name, abbreviation), transitively. The display name is the most frequent written
    name of the group, the longest on a tie (usually the full name).

    Args:
        names: unit names as written, repeats allowed (frequency picks the display name).

    Returns:
        Mapping from every distinct name to its group's display name.
    """
    counts = Counter(name for name in names)
    groups = group_units(list(counts))
    members: dict[object, list[str]] = {}
    for name in counts:
        members.setdefault(groups.get(name, name), []).append(name)
    display = {key: max(group, key=lambda n: (counts[n], len(n), n)) for key, group in members.items()}
    return {name: display[groups.get(name, name)] for name in counts}
