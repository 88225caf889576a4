"""Why a case leans to a category: its sentences and phrases that the head weighs towards it, the phrases that
decide between the two most likely categories, and the clause of the call's definition a sentence matches."""

from __future__ import annotations

import re

import numpy as np
import scipy.sparse as sp

from pipelines.classify.docs import CaseDoc, sentence_docs, word_analyzer
from pipelines.classify.estimator import CategoryClassifier
from pipelines.vocabulary import CATEGORY_IDS

_NUMBER = re.compile(r"[\d.%+万亿]+")


def _readable(name: str) -> str:
    return name[2:].replace(" ", "")


def _contributions(
    classifier: CategoryClassifier, doc: CaseDoc, direction: np.ndarray, features: sp.csr_matrix | None
) -> dict[int, float]:
    row = (classifier.featurizer_.transform([doc]) if features is None else features).tocoo()
    return dict(zip(row.col.tolist(), (row.data * direction[row.col]).tolist(), strict=True))


def _phrases(classifier: CategoryClassifier, contribution: dict[int, float], limit: int) -> list[str]:
    """Word and category-term features with the largest positive contributions, readable, no numbers."""
    featurizer = classifier.featurizer_
    n_words, start = len(featurizer.word_.vocabulary_), featurizer.term_offset
    end = start + len(featurizer.terms_.vocabulary)
    candidates = [(v, j) for j, v in contribution.items() if v > 0 and (j < n_words or start <= j < end)]
    found: list[str] = []
    for _, j in sorted(candidates, reverse=True):
        term = _readable(featurizer.feature_names_[j])
        if not _NUMBER.fullmatch(term) and term not in found:
            found.append(term)
            if len(found) == limit:
                break
    return found


def _sentences(
    classifier: CategoryClassifier, pieces: list[CaseDoc], contribution: dict[int, float], limit: int
) -> list[str]:
    vocabulary = classifier.featurizer_.word_.vocabulary_
    offset = classifier.featurizer_.term_offset
    terms = classifier.featurizer_.terms_.vocabulary
    present = [(offset + j, terms[j]) for j in range(len(terms)) if offset + j in contribution]
    scores = []
    for index, piece in enumerate(pieces):
        keys = {vocabulary[t] for t in word_analyzer(piece) if t in vocabulary}
        text = piece.body.lower()
        keys.update(key for key, term in present if term in text)
        scores.append((sum(contribution.get(key, 0.0) for key in keys), index))
    best = sorted((s for s in scores if s[0] > 0), reverse=True)[:limit]
    return [pieces[index].body for _, index in best]


def support(
    classifier: CategoryClassifier,
    doc: CaseDoc,
    category: int,
    n_terms: int = 6,
    n_sentences: int = 2,
    features: sp.csr_matrix | None = None,
) -> tuple[list[str], list[str]]:
    """Sentences and terms of ``doc`` that push it towards ``category``.

    A feature's contribution is its value in the case times the head's weight for ``category`` minus the mean
    weight over categories; a sentence's support is the sum of the contributions of the word and category-term
    features it contains. Without a head (or without the category in it) the prior's terms are used.

    Args:
        classifier: the fitted classifier.
        doc: the prepared case.
        category: 1–6.
        n_terms: most terms returned.
        n_sentences: most sentences returned.
        features: the case's feature row ``(1, V)`` when already computed.

    Returns:
        ``(sentences, terms)``, strongest first; only positive support counts.
    """
    pieces = sentence_docs(doc)
    if not pieces:
        return [], []
    direction = classifier.direction(category)
    if direction is None:
        return _prior_support(classifier, doc, pieces, CATEGORY_IDS.index(category), n_terms, n_sentences)
    contribution = _contributions(classifier, doc, direction, features)
    return _sentences(classifier, pieces, contribution, n_sentences), _phrases(
        classifier, contribution, n_terms
    )


def deciding_phrases(
    classifier: CategoryClassifier,
    doc: CaseDoc,
    first: int,
    second: int,
    limit: int = 4,
    features: sp.csr_matrix | None = None,
) -> tuple[list[str], list[str]]:
    """The phrases of ``doc`` that decide between ``first`` and ``second``.

    The contribution of a feature to the choice is its value times the difference of the head's weights for
    the two categories, so a phrase that supports both equally ("平台" in a platform that is also a service)
    does not count.

    Returns:
        ``(for_first, for_second)``: phrases pulling towards each, strongest first (empty without a head).
    """
    a, b = classifier.direction(first), classifier.direction(second)
    if a is None or b is None:
        return [], []
    contribution = _contributions(classifier, doc, a - b, features)
    reverse = {key: -value for key, value in contribution.items()}
    return _phrases(classifier, contribution, limit), _phrases(classifier, reverse, limit)


def definition_matches(
    classifier: CategoryClassifier, doc: CaseDoc, categories: list[int]
) -> list[tuple[str, str, float]]:
    """For each category, the sentence of ``doc`` (or its title) closest to a clause of the category's
    definition in the call.

    Returns:
        ``(sentence, clause, coverage)`` per category; coverage is the share of the clause's weighted bigrams in
        the sentence (0 when nothing matches, and for the prior-only model).
    """
    if classifier.featurizer_ is None:
        return [("", "", 0.0)] * len(categories)
    candidates = [s for s in (doc.title, *doc.sentences) if s]
    return classifier.featurizer_.definitions_.best_matches(candidates, categories)


def _prior_support(
    classifier: CategoryClassifier,
    doc: CaseDoc,
    pieces: list[CaseDoc],
    column: int,
    n_terms: int,
    n_sentences: int,
) -> tuple[list[str], list[str]]:
    terms = classifier.terms_
    scores = terms.prior_scores(terms.counts(pieces, title_weight=0))
    best = scores.argmax(axis=1)
    order = [i for i in np.argsort(-scores[:, column]) if scores[i, column] > 0 and best[i] == column]
    counts = terms.counts([doc])[0] * (terms.membership[:, column] == terms.membership.max(axis=1))
    found = [
        terms.vocabulary[i] for i in np.argsort(-counts) if counts[i] > 0 and terms.membership[i, column] > 0
    ]
    return [pieces[i].body for i in order[:n_sentences]], found[:n_terms]
