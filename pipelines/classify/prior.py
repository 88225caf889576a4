"""What the call itself says about the six categories, usable without any training data.

- ``TermCounter``: the domain terms of each category (``data/lexicon/category_terms.json``, taken from the
  call's definitions, the labelling rules of the corpus and common media-convergence wording) counted in a
  case; ``softmax(PRIOR_SHARPNESS * scores)`` is the zero-shot prior.
- ``DefinitionMatcher``: the call's own definition of each category (``vocabulary.categories()``, parsed
  from ``data/guide/call-2026.txt``) cut into its clauses ("组织结构变革", "建强自主传播平台", "智库型产品",
  "融合运营一体化政务服务平台" …). A case sentence matches a clause by how much of the clause's
  (idf-weighted) character bigrams it contains. It says *which part of the definition* a sentence is about;
  the reasons quote the sentence and the clause. As head features these matches lowered macro-F1 on the
  grouped folds (``estimator.CategoryClassifier``), so they are off there by default.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer

from pipelines.classify.docs import CaseDoc
from pipelines.text import LEXICON_DIR
from pipelines.vocabulary import CATEGORY_IDS, categories

TERMS_FILE = LEXICON_DIR / "category_terms.json"
N_CLASSES = len(CATEGORY_IDS)
# Prior-only sharpness: the value with the lowest log-loss of the prior alone on the corpus (β ∈ {1,2,3,4,6}).
PRIOR_SHARPNESS = 3.0
# Term counts are read per 300 characters, so long application forms do not get sharper priors than summaries.
TERM_DENSITY_CHARS = 300
# Framing words of every definition ("本类案例侧重反映行业媒体…", "具体案例包括…", "…等方面的探索"), not content.
_FRAME = re.compile(r"^(本类案例侧重反映行业媒体|具体案例包括|在)|(等)?方面.*$|等$|[“”]")


@lru_cache(maxsize=1)
def category_terms() -> dict[int, tuple[str, ...]]:
    """The domain terms of each category (``data/lexicon/category_terms.json``), lower-cased."""
    raw = json.loads(TERMS_FILE.read_text(encoding="utf-8"))
    terms = {
        int(key): tuple(dict.fromkeys(t.lower() for t in value))
        for key, value in raw.items()
        if key.isdigit()
    }
    missing = set(CATEGORY_IDS) - set(terms)
    if missing:
        raise RuntimeError(f"{TERMS_FILE} 缺少类别 {sorted(missing)} 的术语，请补全后重新训练")
    return terms


class TermCounter:
    """Counts the category terms in documents.

    Attributes:
        vocabulary: all distinct terms, shape ``(T,)``.
        membership: float array ``(T, 6)``; 1/k where a term is listed under k categories, else 0.
    """

    def __init__(self, terms: dict[int, tuple[str, ...]] | None = None) -> None:
        terms = terms or category_terms()
        self.vocabulary = sorted({t for values in terms.values() for t in values})
        index = {t: i for i, t in enumerate(self.vocabulary)}
        membership = np.zeros((len(self.vocabulary), N_CLASSES))
        for column, category in enumerate(CATEGORY_IDS):
            for term in terms[category]:
                membership[index[term], column] = 1.0
        self.membership = membership / membership.sum(axis=1, keepdims=True)

    def counts(self, docs: Sequence[CaseDoc], title_weight: int = 2) -> np.ndarray:
        """Term occurrences per document, density-scaled to ``TERM_DENSITY_CHARS``: shape ``(n, T)``."""
        out = np.zeros((len(docs), len(self.vocabulary)))
        for row, doc in enumerate(docs):
            text = "。".join([doc.title] * title_weight + [doc.body]).lower()
            out[row] = [text.count(term) for term in self.vocabulary]
            out[row] *= TERM_DENSITY_CHARS / max(len(text), TERM_DENSITY_CHARS)
        return out

    def prior_scores(self, counts: np.ndarray) -> np.ndarray:
        """Per-category scores ``log1p(sum of specificity-weighted counts)``: ``(n, T)`` → ``(n, 6)``."""
        return np.log1p(counts @ self.membership)

    def prior_proba(self, docs: Sequence[CaseDoc]) -> np.ndarray:
        """The zero-shot prior ``(n, 6)``."""
        scores = PRIOR_SHARPNESS * self.prior_scores(self.counts(docs))
        scores = np.exp(scores - scores.max(axis=1, keepdims=True))
        return scores / scores.sum(axis=1, keepdims=True)


def definition_clauses() -> list[tuple[int, str]]:
    """``(category, clause)`` for every clause of the call's six definitions, framing words removed."""
    clauses = []
    for category in categories():
        for piece in re.split(r"[，。；、]", category.definition):
            clause = _FRAME.sub("", piece.strip())
            if len(clause) >= 2:
                clauses.append((category.id, clause))
    return clauses


def _bigrams(text: str) -> list[str]:
    clean = re.sub(r"[\W_]+", "", text.lower())
    return [clean[i : i + 2] for i in range(len(clean) - 1)] or ([clean] if clean else [])


class DefinitionMatcher:
    """Matches case sentences to the clauses of the call's category definitions.

    ``fit`` learns how common each bigram of the clauses is among training sentences (idf), so that
    boilerplate shared by every case ("创新", "建设") counts little. Coverage of clause ``k`` by sentence ``s``
    is the idf-weighted share of the clause's bigrams found in the sentence, in ``[0, 1]``.

    Attributes (after ``fit``):
        clauses_: ``(category, clause)`` list, length ``K``.
        weights_: sparse ``(V, K)``; column ``k`` holds clause ``k``'s bigram idf weights, summing to 1.
        categories_: category of each clause ``(K,)``.
    """

    def fit(self, docs: Sequence[CaseDoc]) -> DefinitionMatcher:
        """Learn bigram weights from the sentences of ``docs``; returns self."""
        self.clauses_ = definition_clauses()
        self.vectorizer_ = CountVectorizer(analyzer=_bigrams, binary=True)
        present = self.vectorizer_.fit_transform([clause for _, clause in self.clauses_])
        sentences = [s for doc in docs for s in (doc.title, *doc.sentences) if s]
        frequency = np.asarray((self.vectorizer_.transform(sentences) > 0).sum(axis=0)).ravel()
        idf = np.log((1 + len(sentences)) / (1 + frequency)) + 1
        weights = present.multiply(idf[np.newaxis, :]).tocsr().astype(float)
        weights = sp.diags(1 / np.asarray(weights.sum(axis=1)).ravel()) @ weights
        self.weights_ = weights.T.tocsr()
        self.categories_ = np.array([category for category, _ in self.clauses_])
        return self

    def coverage(self, sentences: Sequence[str]) -> np.ndarray:
        """Coverage of every clause by every sentence: ``(m, K)``."""
        if not sentences:
            return np.zeros((0, len(self.clauses_)))
        return np.asarray((self.vectorizer_.transform(list(sentences)) @ self.weights_).todense())

    def category_coverage(self, sentences: Sequence[str]) -> np.ndarray:
        """Best clause coverage of each category per sentence: ``(m, 6)``."""
        cover = self.coverage(sentences)
        return np.column_stack(
            [cover[:, self.categories_ == c].max(axis=1, initial=0.0) for c in CATEGORY_IDS]
        )

    def transform(self, docs: Sequence[CaseDoc]) -> np.ndarray:
        """Per case ``(n, 12)``: the title's best coverage of each category, then the mean over sentences of
        each category's best coverage."""
        out = np.zeros((len(docs), 2 * N_CLASSES))
        pieces = [piece for doc in docs for piece in (doc.title, *doc.sentences)]
        if not pieces:
            return out
        best = self.category_coverage(pieces)
        start = 0
        for row, doc in enumerate(docs):
            out[row, :N_CLASSES] = best[start] if doc.title else 0.0
            if doc.sentences:
                out[row, N_CLASSES:] = best[start + 1 : start + 1 + len(doc.sentences)].mean(axis=0)
            start += 1 + len(doc.sentences)
        return out

    def best_matches(
        self, sentences: Sequence[str], categories: Sequence[int]
    ) -> list[tuple[str, str, float]]:
        """For each category, the sentence covering one of its clauses most: ``(sentence, clause, coverage)``
        (empty strings and 0 when there are no sentences)."""
        if not sentences:
            return [("", "", 0.0)] * len(categories)
        cover = self.coverage(sentences)
        found = []
        for category in categories:
            columns = np.flatnonzero(self.categories_ == category)
            row, column = np.unravel_index(int(np.argmax(cover[:, columns])), (len(sentences), len(columns)))
            found.append(
                (sentences[row], self.clauses_[columns[column]][1], float(cover[row, columns[column]]))
            )
        return found
