"""``extract_claims``: split a case into claims and read each one (rules first, the classifier for kinds)."""

from __future__ import annotations

from collections.abc import Sequence

from pipelines.claims.claim import Claim
from pipelines.claims.kinds import predict_both
from pipelines.claims.rules import Clause, is_sourced, read_hedges, read_negation, rule_kind, split_clauses
from pipelines.figures import read_figures
from pipelines.text import normalize, split_sentences


def extract_claims(text: str, implementer: str = "") -> list[Claim]:
    """The claims of one case text.

    Args:
        text: the case narrative (any whitespace; it is normalised, and spans refer to the normalised text).
        implementer: the implementing unit's name, if known: claims naming it are owned by ``implementer``.

    Returns:
        Claims in text order, each distinct clause once (repetition is not more evidence).
    """
    return extract_claims_many([text], implementer)[0]


def extract_claims_many(texts: Sequence[str], implementer: str = "") -> list[list[Claim]]:
    """``extract_claims`` for many texts, with one classifier call for all their clauses."""
    clause_lists = []
    for text in texts:
        clean = normalize(text)
        seen: set[str] = set()
        clauses = []
        for clause in split_clauses(split_sentences(clean), clean):
            if clause.text not in seen:
                seen.add(clause.text)
                clauses.append(clause)
        clause_lists.append(clauses)
    ruled_kinds = [[rule_kind(c.text) for c in clauses] for clauses in clause_lists]
    kinds, orientations = predict_both([c.text for clauses in clause_lists for c in clauses])
    predicted, orientation = iter(kinds), iter(orientations)
    result = []
    for clauses, ruled_list in zip(clause_lists, ruled_kinds, strict=True):
        claims = []
        for index, clause in enumerate(clauses):
            ruled, learned = ruled_list[index], next(predicted)
            probabilities = {ruled: 1.0} if ruled else learned
            claims.append(_read(index, clause, probabilities, implementer, next(orientation)))
        result.append(claims)
    return result


def _read(
    index: int,
    clause: Clause,
    probabilities: dict[str, float],
    implementer: str,
    orientation: dict[str, float],
) -> Claim:
    text = clause.text
    kind = max(probabilities, key=probabilities.__getitem__)
    negation = read_negation(text)
    figures = read_figures(text)
    owner = "other" if kind == "other_party" else "applicant"
    if owner == "applicant" and implementer and implementer in text:
        owner = "implementer"
    return Claim(
        index=index,
        text=text,
        start=clause.start,
        end=clause.start + len(text) if clause.start >= 0 else -1,
        sentence=clause.sentence,
        kind=kind,  # type: ignore[arg-type]
        kind_probs=probabilities,
        negated=bool(negation and not negation.praise),
        negation=negation.scope if negation else "",
        praise=bool(negation and negation.praise),
        hedges=read_hedges(text),
        figures=figures,
        sourced=is_sourced(text) or any(figure.sourced for figure in figures),
        owner=owner,  # type: ignore[arg-type]
        orientation=orientation,
    )
