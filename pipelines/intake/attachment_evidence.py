"""Checking a claim of the form against the application's attachments: are its figures in the proof materials?

A claim such as "注册用户达到120万人，年阅读量1.2亿次" is reduced to its figures (``pipelines.figures``:
``120万`` and ``1200000人`` give the same key, ``1.2亿`` and ``12000万`` too); each figure is looked for among
the figures of every attachment's text (PDF text layer, OCR). The machine only points at the place in the file;
a reviewer reads it. Used by the case page and, as evidence, by claim scoring.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from pipelines.figures import extract_figures
from pipelines.intake.attachment_store import SNIPPET_CHARS, list_attachments
from pipelines.text import match_text


@dataclass(frozen=True)
class Place:
    """Where a figure was found: the file and the text around it (untrusted: show as plain text)."""

    attachment_id: int
    name: str
    snippet: str


@dataclass
class FigureEvidence:
    """One figure of the claim and the attachments that state the same figure (empty: not found)."""

    figure: str  # as written in the claim
    key: str
    places: list[Place] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return bool(self.places)


def _snippet(text: str, written: str) -> str:
    position = max(match_text(text).find(written), 0)  # figures are read from the folded text
    start, end = max(0, position - SNIPPET_CHARS), position + len(written) + SNIPPET_CHARS
    return ("…" if start else "") + text[start:end].replace("\n", " ") + ("…" if end < len(text) else "")


def figure_evidence(engine: Engine, submission_id: int, claim: str) -> list[FigureEvidence]:
    """For each figure in ``claim``, the attachments of the submission whose text states the same figure.

    Args:
        engine: the store.
        submission_id: whose attachments to search.
        claim: a sentence of the form (or any text with figures).

    Returns:
        One entry per distinct figure of the claim, in order; empty when the claim has no figures.
    """
    wanted = extract_figures(claim)
    if not wanted:
        return []
    rows = [row for row in list_attachments(engine, submission_id) if row.text]
    figures = {row.id: {figure.key: figure for figure in extract_figures(row.text)} for row in rows}
    evidence = []
    for figure in wanted:
        places = [
            Place(row.id, row.name, _snippet(row.text, figures[row.id][figure.key].text))
            for row in rows
            if figure.key in figures[row.id]
        ]
        evidence.append(FigureEvidence(figure.text, figure.key, places))
    return evidence
