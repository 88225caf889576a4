"""A case prepared for matching: its project fingerprint (facts) and its project text (boilerplate removed).

The fingerprint holds the project's own names (products, columns, platforms, quoted titles), figures with
units and dates, partners and places. Sentences that describe the applicant unit (``facts.describes_unit``)
give no facts: the unit's outlets, founding year and staff are shared by all its projects. The project text
drops those sentences and the boilerplate the history shares (``Boilerplate``); shingle overlaps and the
semantic signal compare project texts, so two projects of one unit are not close because they open with the
same paragraph about the unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from pipelines.figures import Figure, extract_figures
from pipelines.repeats.boilerplate import BOILERPLATE_SHARE, Boilerplate
from pipelines.repeats.facts import (
    describes_unit,
    extract_names,
    extract_partners,
    extract_places,
    unit_terms,
)
from pipelines.repeats.signals import sentence_shingles, shingle_hashes, unique_sorted
from pipelines.schema import PastCase
from pipelines.text import match_text, split_sentences
from pipelines.units import normalize_unit

MAX_DROPPED_SHARE = 0.6  # keep the whole text when more than this share would be dropped (short summaries)


@dataclass
class BatchCase:
    """A case of this year's batch as the detector sees it."""

    id: str
    title: str
    unit: str
    text: str
    category: int | None = None
    sections: dict[str, str] = field(default_factory=dict)


@dataclass
class CaseDoc:
    """One case prepared for matching (batch or history)."""

    id: str
    title: str
    unit: str
    text: str
    sections: dict[str, str]
    year: int | None
    outcome: str | None
    names: tuple[str, ...]  # project names, folded (title names first)
    title_names: tuple[str, ...]
    figures: dict[str, Figure]  # project figures by key
    partners: tuple[str, ...]
    places: tuple[str, ...]
    full: str  # folded title + whole text (where the other side's names are looked for)
    project: str  # title + project sentences (no unit self-description, no boilerplate)
    shingles: np.ndarray  # hashed 5-character shingles of the project sentences and title, sorted uint64
    memo: dict = field(
        default_factory=dict, repr=False, compare=False
    )  # per-pair work kept for the next pair

    @cached_property
    def section_sentences(self) -> list[tuple[str, list[str]]]:
        """``(section name, its sentences)`` in order."""
        return [(name, split_sentences(body)) for name, body in self.sections.items()]

    @property
    def keys(self) -> tuple[str, ...]:
        """Name-like fact keys for the inverted index: names, partners (``p:``) and places (``@``)."""
        return (*self.names, *(f"p:{p}" for p in self.partners), *(f"@{p}" for p in self.places))


def case_text(source: BatchCase | PastCase) -> tuple[str, dict[str, str]]:
    """The text of a case (``text``, else its sections joined) and its non-empty sections."""
    sections = {str(k): str(v) for k, v in (source.sections or {}).items() if str(v).strip()}
    text = source.text if source.text and source.text.strip() else "\n".join(sections.values())
    return text, sections or {"全文": text}


def make_doc(source: BatchCase | PastCase, boilerplate: Boilerplate | None = None) -> CaseDoc:
    """Prepare one case: facts from the project sentences, project text without unit talk and boilerplate.

    Args:
        source: a batch case or a past case.
        boilerplate: the history's common wording; None drops only the unit's self-description.

    Returns:
        The prepared case.
    """
    text, sections = case_text(source)
    own_unit = match_text(normalize_unit(source.unit))
    title_names = tuple(n for n in extract_names(source.title) if n not in own_unit)
    terms = unit_terms(source.unit)
    sentences = split_sentences(text)
    about_unit = [describes_unit(s, terms, title_names) for s in sentences]
    hashes, owner = sentence_shingles(sentences)
    if boilerplate is not None:
        boiler = (boilerplate.sentence_shares(hashes, owner, len(sentences)) >= BOILERPLATE_SHARE).tolist()
    else:
        boiler = [False] * len(sentences)
    total = sum(map(len, sentences)) or 1
    if sum(len(s) for s, u in zip(sentences, about_unit, strict=True) if u) > MAX_DROPPED_SHARE * total:
        about_unit = [False] * len(sentences)
    fact_text = "".join(s for s, u in zip(sentences, about_unit, strict=True) if not u)
    keep = [not (u or b) for u, b in zip(about_unit, boiler, strict=True)]
    if sum(len(s) for s, k in zip(sentences, keep, strict=True) if k) < (1 - MAX_DROPPED_SHARE) * total:
        keep = [not u for u in about_unit]
    kept = [s for s, k in zip(sentences, keep, strict=True) if k]
    kept_hashes = hashes[np.asarray(keep, dtype=bool)[owner]] if hashes.size else hashes
    names = tuple(n for n in dict.fromkeys([*title_names, *extract_names(fact_text)]) if n not in own_unit)
    figures = {figure.key: figure for figure in extract_figures(f"{source.title}\n{fact_text}")}
    return CaseDoc(
        id=source.id,
        title=source.title,
        unit=source.unit,
        text=text,
        sections=sections,
        year=getattr(source, "year", None),
        outcome=getattr(source, "outcome", None),
        names=names,
        title_names=title_names,
        figures=figures,
        partners=tuple(extract_partners(fact_text)),
        places=tuple(extract_places(f"{source.title}\n{fact_text}")),
        full=match_text(f"{source.title}\n{text}"),
        project=f"{source.title}\n" + "".join(kept),
        shingles=unique_sorted(np.concatenate([shingle_hashes(source.title), kept_hashes])),
    )
