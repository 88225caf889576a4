"""The supervised head's features: word and character TF-IDF, category-term counts, the term prior's scores
and how closely the case matches the clauses of each category's definition in the call."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize as l2_normalize
from sklearn.utils.validation import check_is_fitted

from pipelines.classify.docs import CaseDoc, char_analyzer, word_analyzer
from pipelines.classify.prior import DefinitionMatcher, TermCounter
from pipelines.vocabulary import CATEGORY_IDS

# Feature-name prefixes: word, character, category term, term-prior score, definition match (title / body).
WORD, CHAR, TERM, PRIOR, DEFINITION = "w:", "c:", "t:", "p:", "d:"


class CaseFeaturizer(TransformerMixin, BaseEstimator):
    """Features of prepared cases, sparse ``(n, V)``.

    Args:
        word_max_features: vocabulary cap of the word unigram + bigram block.
        char_max_features: vocabulary cap of the character 2–3-gram block.
        term_scale: weight of the (L2-normalised) category-term block.
        prior_scale: weight of the six term-prior score columns.
        definition_scale: weight of the twelve definition-match columns (``DefinitionMatcher.transform``).
    """

    def __init__(
        self,
        word_max_features: int = 20000,
        char_max_features: int = 30000,
        term_scale: float = 1.0,
        prior_scale: float = 0.3,
        definition_scale: float = 1.0,
    ) -> None:
        self.word_max_features = word_max_features
        self.char_max_features = char_max_features
        self.term_scale = term_scale
        self.prior_scale = prior_scale
        self.definition_scale = definition_scale

    def fit(self, docs: Sequence[CaseDoc], y: Any = None) -> CaseFeaturizer:
        """Learn the TF-IDF vocabularies and the definition matcher from prepared cases; returns self."""
        self.word_ = TfidfVectorizer(
            analyzer=word_analyzer, sublinear_tf=True, max_features=self.word_max_features
        )
        self.char_ = TfidfVectorizer(
            analyzer=char_analyzer, sublinear_tf=True, max_features=self.char_max_features
        )
        self.word_.fit(docs)
        self.char_.fit(docs)
        for vectorizer in (self.word_, self.char_):
            vectorizer.stop_words_ = None  # terms cut by max_features: not needed, and would bloat the file
        self.terms_ = TermCounter()
        self.definitions_ = DefinitionMatcher().fit(docs)
        names = [f"{WORD}{n}" for n in self.word_.get_feature_names_out()]
        names += [f"{CHAR}{n}" for n in self.char_.get_feature_names_out()]
        names += [f"{TERM}{n}" for n in self.terms_.vocabulary] + [f"{PRIOR}{c}" for c in CATEGORY_IDS]
        names += [f"{DEFINITION}title:{c}" for c in CATEGORY_IDS] + [f"{DEFINITION}{c}" for c in CATEGORY_IDS]
        self.feature_names_ = np.array(names, dtype=object)
        return self

    @property
    def term_offset(self) -> int:
        """Column of the first category-term feature."""
        return len(self.word_.vocabulary_) + len(self.char_.vocabulary_)

    def transform(self, docs: Sequence[CaseDoc]) -> sp.csr_matrix:
        """Features of prepared cases: sparse ``(n, V)``."""
        check_is_fitted(self, "word_")
        counts = self.terms_.counts(docs)
        blocks = [
            self.word_.transform(docs),
            self.char_.transform(docs),
            sp.csr_matrix(l2_normalize(np.log1p(counts)) * self.term_scale),
            sp.csr_matrix(self.terms_.prior_scores(counts) * self.prior_scale),
            sp.csr_matrix(self.definitions_.transform(docs) * self.definition_scale)
            if self.definition_scale
            else sp.csr_matrix((len(docs), 2 * len(CATEGORY_IDS))),
        ]
        return sp.hstack(blocks, format="csr")

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the ``V`` columns, prefixed by block (``WORD``, ``CHAR``, ``TERM``, ``PRIOR``, ``DEFINITION``)."""
        check_is_fitted(self, "feature_names_")
        return self.feature_names_
