"""The rubric (``data/rubric.yaml``) as dataclasses: per criterion, the sub-points whose evidence is looked
for in claims, how much each kind of claim counts, and how figures are weighed."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from pipelines.claims.kinds import KINDS
from pipelines.config import DATA_DIR
from pipelines.vocabulary import CRITERIA

RUBRIC_FILE = DATA_DIR / "rubric.yaml"


class ScoreError(Exception):
    """Bad scoring input or a missing calibration; ``message`` is Chinese and says what to do."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Subpoint:
    """One sub-point of a criterion and how its evidence is found in claims (see ``data/rubric.yaml``)."""

    key: str
    name: str
    evidence: str
    weight: float
    kind: str = "terms"  # terms | quantity
    patterns: tuple[re.Pattern[str], ...] = ()
    context: tuple[re.Pattern[str], ...] = ()
    figure_factor: float = 0.0
    quote: bool = True  # False: weak, generic evidence that counts but is not quoted
    negative: bool = False  # evidence against the criterion (bought innovation, sensational angles)
    kinds: dict[str, float] | None = None  # overrides the criterion's kind credits
    units: tuple[str, ...] | None = None  # quantity: only figures with these measure words count
    label: str = ""  # orientation: the learned label (problem | proper) whose probability is the evidence
    threshold: float = 0.5  # orientation: claims below this probability are not evidence


@dataclass(frozen=True)
class Criterion:
    key: str
    name: str
    call_text: str
    description: str  # for the UI
    kinds: dict[str, float]  # how much a claim of each kind counts (result 1.0, plan ~0)
    subpoints: tuple[Subpoint, ...]


@dataclass(frozen=True)
class FigureQuality:
    """Factors on a figure's weight: estimates count less; sourced, dated, compared figures count more."""

    approx: float = 0.4
    sourced: float = 1.3
    dated: float = 1.15
    baseline: float = 1.2


@dataclass(frozen=True)
class Rubric:
    version: str
    source: str
    max_quotes: int
    criteria: dict[str, Criterion]
    fingerprint: str  # hash of the rubric content; calibrations are tied to it
    hedged: float = 0.6  # factor on a hedged claim (约、有所、初步)
    negated: float = 0.8  # share of its would-be credit that a negated claim takes away
    term_cap: int = 2  # distinct terms counted per claim and sub-point (stuffing one sentence adds little)
    repeat: float = 0.35  # factor on a term already counted for the same sub-point in an earlier claim
    abstract: float = (
        0.6  # factor on the terms of a claim that states no fact (figure, date, 《名称》, source)
    )
    slogan: float = 0.3  # factor on the terms of a claim that piles up evaluative words without a fact
    slogan_words: int = 3
    evaluative: re.Pattern[str] = re.compile("(?!)")
    figures: FigureQuality = FigureQuality()


def _kinds(raw: dict[str, Any] | None, where: str) -> dict[str, float] | None:
    if raw is None:
        return None
    unknown = set(raw) - set(KINDS)
    if unknown:
        raise ScoreError(
            "bad_rubric", f"评分细则 {where} 的 kinds 含未知主张类型：{', '.join(sorted(unknown))}"
        )
    return {kind: float(raw.get(kind, 0.0)) for kind in KINDS}


def _subpoint(raw: dict[str, Any], where: str) -> Subpoint:
    try:
        return Subpoint(
            key=raw["key"],
            name=raw["name"],
            evidence=raw["evidence"],
            weight=float(raw["weight"]),
            kind=raw.get("kind", "terms"),
            patterns=tuple(re.compile(p) for p in raw.get("patterns", [])),
            context=tuple(re.compile(p) for p in raw.get("context", [])),
            figure_factor=float(raw.get("figure_factor", 0.0)),
            quote=bool(raw.get("quote", True)),
            negative=bool(raw.get("negative", False)),
            kinds=_kinds(raw.get("kinds"), where),
            units=tuple(raw["units"]) if raw.get("units") else None,
            label=str(raw.get("label", "")),
            threshold=float(raw.get("threshold", 0.5)),
        )
    except (KeyError, re.error, ValueError, TypeError) as error:
        raise ScoreError(
            "bad_rubric", f"评分细则 {where} 的子项写法有误（{error}），请对照文件开头的说明修改"
        ) from error


def load_rubric(path: Path = RUBRIC_FILE) -> Rubric:
    """Read the rubric YAML into dataclasses.

    Raises:
        ScoreError: ``bad_rubric`` when the file is missing, not YAML, or lacks one of the four criteria.
    """
    try:
        content = path.read_text(encoding="utf-8")
        raw = yaml.safe_load(content)
    except (OSError, yaml.YAMLError) as error:
        raise ScoreError("bad_rubric", f"无法读取评分细则 {path}：{error}") from error
    missing = set(CRITERIA) - set((raw or {}).get("criteria") or {})
    if missing:
        raise ScoreError("bad_rubric", f"评分细则 {path} 缺少评审标准：{', '.join(sorted(missing))}")
    criteria = {}
    for key, item in raw["criteria"].items():
        if key not in CRITERIA:
            continue
        where = f"{path.name}:{key}"
        try:
            criteria[key] = Criterion(
                key=key,
                name=item["name"],
                call_text=item["call_text"],
                description=" ".join(item["description"].split()),
                kinds=_kinds(item["kinds"], where) or {},
                subpoints=tuple(_subpoint(sub, where) for sub in item["subpoints"]),
            )
        except KeyError as error:
            raise ScoreError(
                "bad_rubric", f"评分细则 {where} 缺少 {error}，请对照文件开头的说明修改"
            ) from error
    claims = raw.get("claims") or {}
    return Rubric(
        version=str(raw["version"]),
        source=raw.get("source", ""),
        max_quotes=int(raw.get("max_quotes", 4)),
        criteria=criteria,
        fingerprint=hashlib.sha256(content.encode("utf-8")).hexdigest()[:16],
        hedged=float(claims.get("hedged", 0.6)),
        negated=float(claims.get("negated", 0.8)),
        term_cap=int(claims.get("term_cap", 2)),
        repeat=float(claims.get("repeat", 0.35)),
        abstract=float(claims.get("abstract", 0.6)),
        slogan=float(claims.get("slogan", 0.3)),
        slogan_words=int(claims.get("slogan_words", 3)),
        evaluative=re.compile(claims.get("evaluative") or "(?!)"),
        figures=FigureQuality(**(raw.get("figure_quality") or {})),
    )


@lru_cache(maxsize=1)
def default_rubric() -> Rubric:
    """The shipped rubric (cached)."""
    return load_rubric()
