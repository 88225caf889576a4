"""Category classification: which of the call's six categories a case belongs to, how sure, and why.

The model (``CategoryClassifier``, scikit-learn compatible) has two parts:

- a zero-shot prior from the call itself: per category, the terms of its definition in the call
  (``data/lexicon/category_terms.json``, built from ``taxonomy.categories()`` and the labelling rules) are
  counted in the case; ``softmax(PRIOR_SHARPNESS * score)`` is the prior. It needs no training data.
- a supervised head: class-balanced logistic regression on word (jieba + domain dictionary) and character
  n-gram TF-IDF, the category-term counts and the prior scores, with temperature scaling fitted on
  out-of-fold predictions so probabilities are calibrated. ``second_category`` enters as an extra, lightly
  weighted training row (soft label).

The two are mixed as ``(1 - m) * head + m * prior`` with ``m = prior_strength / (prior_strength + n)``, so
with no data the prior decides and categories missing from the training data keep some probability.

Thresholds are chosen on grouped cross-validation (``train``) and stored in the model card: a declared
category is flagged as possibly misfiled when it is not the model's first choice and its probability is
below ``misfile_threshold``, the largest threshold that flags at most 2 % of correctly filed cases (declared =
``category``); the card also reports how many ``second_category`` filings and wrong filings it flags;
``confidence_threshold`` is the smallest top-1 probability above which top-1 accuracy reaches 95 % (below it both top categories are shown).

Models live in ``models/classifier/<version>/`` as ``model.joblib`` + ``card.json`` (no training data).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import joblib
import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax, softmax
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.preprocessing import normalize as l2_normalize
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data
from threadpoolctl import threadpool_limits

from pipelines.backends.embed import LEXICAL_DIR as LEXICAL_EMBEDDER_DIR
from pipelines.config import DATA_DIR, MODELS_DIR, SAMPLE_DIR, Settings, get_settings
from pipelines.jsonl import read_jsonl
from pipelines.schema import CategorySuggestion
from pipelines.text import LEXICON_DIR, normalize, split_sentences, tokenize_zh
from pipelines.vocabulary import CATEGORY_IDS, CATEGORY_NAMES, category_label

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

MODEL_ROOT = MODELS_DIR / "classifier"
TERMS_FILE = LEXICON_DIR / "category_terms.json"
CORPUS_FILE = DATA_DIR / "corpus" / "cases.jsonl"
EXTRA_FILE = DATA_DIR / "corpus" / "extra_cases.jsonl"
HISTORY_DIR = SAMPLE_DIR / "history"
N_CLASSES = len(CATEGORY_IDS)
# Prior-only sharpness: the value with the lowest log-loss of the prior alone on the corpus (β ∈ {1,2,3,4,6}).
PRIOR_SHARPNESS = 3.0
# Term counts are read per 300 characters, so long application forms do not get sharper priors than summaries.
TERM_DENSITY_CHARS = 300
MAX_FALSE_FLAG_RATE = 0.02
CONFIDENT_ACCURACY = 0.95
ECE_BINS = 10


# ---------------------------------------------------------------- documents


@dataclass(frozen=True)
class CaseDoc:
    """A case prepared once for every feature: normalised title, sentences and their jieba tokens."""

    title: str
    sentences: tuple[str, ...]
    title_tokens: tuple[str, ...] = ()
    tokens: tuple[tuple[str, ...], ...] = ()

    @property
    def body(self) -> str:
        return "".join(self.sentences)


def prepare(title: str, text: str) -> CaseDoc:
    """Normalise, split and tokenise a case (title and narrative)."""
    title = normalize(title).replace("\n", " ")
    sentences = tuple(split_sentences(text))
    return CaseDoc(
        title, sentences, tuple(tokenize_zh(title)), tuple(tuple(tokenize_zh(s)) for s in sentences)
    )


def sentence_docs(doc: CaseDoc) -> list[CaseDoc]:
    """One document per sentence of ``doc`` (no title), reusing its tokens."""
    return [CaseDoc("", (s,), (), (t,)) for s, t in zip(doc.sentences, doc.tokens, strict=True)]


def _as_doc(item: CaseDoc | str) -> CaseDoc:
    return item if isinstance(item, CaseDoc) else prepare("", item)


def _word_terms(doc: CaseDoc, title_weight: int = 2) -> list[str]:
    out: list[str] = []
    for tokens in (*([doc.title_tokens] * title_weight), *doc.tokens):
        out.extend(tokens)
        out.extend(f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False))
    return out


def _char_terms(doc: CaseDoc, title_weight: int = 2) -> list[str]:
    out: list[str] = []
    for piece in (*([doc.title] * title_weight), *doc.sentences):
        clean = re.sub(r"[\W_]+", "", piece.lower())
        for n in (2, 3):
            out.extend(clean[i : i + n] for i in range(len(clean) - n + 1))
    return out


def _word_analyzer(doc: CaseDoc) -> list[str]:
    return _word_terms(doc)


def _char_analyzer(doc: CaseDoc) -> list[str]:
    return _char_terms(doc)


# ---------------------------------------------------------------- zero-shot prior


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
        """Per-category prior scores ``log1p(sum of specificity-weighted counts)``: ``(n, T)`` → ``(n, 6)``."""
        return np.log1p(counts @ self.membership)


# ---------------------------------------------------------------- features


class CaseFeaturizer(TransformerMixin, BaseEstimator):
    """Word + character TF-IDF, category-term counts and prior scores of prepared cases.

    Args:
        word_max_features: vocabulary cap of the word unigram + bigram block.
        char_max_features: vocabulary cap of the character 2–3-gram block.
        term_scale: weight of the (L2-normalised) category-term block.
        prior_scale: weight of the six prior-score columns.
    """

    def __init__(
        self,
        word_max_features: int = 20000,
        char_max_features: int = 30000,
        term_scale: float = 1.0,
        prior_scale: float = 0.3,
    ) -> None:
        self.word_max_features = word_max_features
        self.char_max_features = char_max_features
        self.term_scale = term_scale
        self.prior_scale = prior_scale

    def fit(self, docs: Sequence[CaseDoc], y: Any = None) -> CaseFeaturizer:
        """Learn the TF-IDF vocabularies from prepared cases; returns self."""
        self.word_ = TfidfVectorizer(
            analyzer=_word_analyzer, sublinear_tf=True, max_features=self.word_max_features
        )
        self.char_ = TfidfVectorizer(
            analyzer=_char_analyzer, sublinear_tf=True, max_features=self.char_max_features
        )
        self.word_.fit(docs)
        self.char_.fit(docs)
        for vectorizer in (self.word_, self.char_):
            vectorizer.stop_words_ = None  # terms cut by max_features: not needed, and would bloat the file
        self.terms_ = TermCounter()
        names = [f"w:{n}" for n in self.word_.get_feature_names_out()]
        names += [f"c:{n}" for n in self.char_.get_feature_names_out()]
        names += [f"t:{n}" for n in self.terms_.vocabulary] + [f"p:{c}" for c in CATEGORY_IDS]
        self.feature_names_ = np.array(names, dtype=object)
        return self

    def transform(self, docs: Sequence[CaseDoc]) -> sp.csr_matrix:
        """Features of prepared cases: sparse ``(n, V)``."""
        check_is_fitted(self, "word_")
        counts = self.terms_.counts(docs)
        terms = l2_normalize(np.log1p(counts)) * self.term_scale
        prior = self.terms_.prior_scores(counts) * self.prior_scale
        blocks = [
            self.word_.transform(docs),
            self.char_.transform(docs),
            sp.csr_matrix(terms),
            sp.csr_matrix(prior),
        ]
        return sp.hstack(blocks, format="csr")

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        check_is_fitted(self, "feature_names_")
        return self.feature_names_


# ---------------------------------------------------------------- calibrated head


class TemperatureScaledLR(ClassifierMixin, BaseEstimator):
    """Logistic regression whose logits are divided by a temperature fitted on out-of-fold predictions.

    Args:
        C: inverse regularisation strength.
        class_weight: as in ``LogisticRegression`` (``"balanced"`` by default).
        cv: folds used to fit the temperature (fewer when a class is rarer; none below 2 per class).
        max_iter: solver iterations.
    """

    def __init__(
        self, C: float = 10.0, class_weight: str | None = "balanced", cv: int = 5, max_iter: int = 3000
    ):
        self.C = C
        self.class_weight = class_weight
        self.cv = cv
        self.max_iter = max_iter

    def _lr(self) -> LogisticRegression:
        return LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=self.max_iter)

    def fit(
        self, X: Any, y: Any, sample_weight: Any = None, groups: Any = None, calibration_weight: Any = None
    ) -> TemperatureScaledLR:
        """Fit on ``X`` ``(n, V)`` and labels ``y`` ``(n,)``; returns self.

        Args:
            X: features ``(n, V)``.
            y: labels ``(n,)``.
            sample_weight: training weights ``(n,)``.
            groups: rows sharing a group stay in one fold when fitting the temperature ``(n,)``.
            calibration_weight: weights of the rows in the temperature's log-loss ``(n,)``; defaults to
                ``sample_weight`` (use 0 for rows that are only soft labels).
        """
        X, y = validate_data(self, X, y, accept_sparse="csr")
        check_classification_targets(y)
        weights = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        calibration = weights if calibration_weight is None else np.asarray(calibration_weight, dtype=float)
        self.classes_ = np.unique(y)
        if len(self.classes_) < 2:
            raise ValueError("训练数据只有一个类别（only one class），至少需要两个类别才能训练分类器")
        groups = np.arange(len(y)) if groups is None else np.asarray(groups)
        # One thread: on small data BLAS/OpenMP threads only spin (4x the CPU time on a busy 2-core machine).
        with threadpool_limits(1):
            self.temperature_ = self._fit_temperature(X, y, weights, groups, calibration)
            self.model_ = self._lr().fit(X, y, sample_weight=weights)
        self.n_iter_ = self.model_.n_iter_
        return self

    def _fit_temperature(
        self, X: Any, y: np.ndarray, weights: np.ndarray, groups: np.ndarray, calibration: np.ndarray
    ) -> float:
        folds = min(
            self.cv, int(np.bincount(np.searchsorted(self.classes_, y)).min()), len(np.unique(groups))
        )
        if folds < 2:
            return 1.0
        logits = np.zeros((len(y), len(self.classes_)))
        splitter = StratifiedGroupKFold(folds, shuffle=True, random_state=0)
        for train, test in splitter.split(X, y, groups):
            model = self._lr().fit(X[train], y[train], sample_weight=weights[train])
            known = np.searchsorted(self.classes_, model.classes_)
            logits[test] = -50.0
            logits[np.ix_(test, known)] = _logits(model, X[test])
        target = np.searchsorted(self.classes_, y)

        def nll(log_t: float) -> float:
            log_p = log_softmax(logits / np.exp(log_t), axis=1)[np.arange(len(y)), target]
            return float(-(calibration * log_p).sum())

        return float(np.exp(minimize_scalar(nll, bounds=(-3, 3), method="bounded").x))

    def _scaled_logits(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "model_")
        X = validate_data(self, X, accept_sparse="csr", reset=False)
        return _logits(self.model_, X) / self.temperature_

    def decision_function(self, X: Any) -> np.ndarray:
        """Temperature-scaled logits ``(n, k)``; ``(n,)`` for two classes (as in scikit-learn)."""
        logits = self._scaled_logits(X)
        return logits[:, 1] - logits[:, 0] if logits.shape[1] == 2 else logits

    def predict_proba(self, X: Any) -> np.ndarray:
        """Calibrated probabilities ``(n, k)`` in ``classes_`` order."""
        return softmax(self._scaled_logits(X), axis=1)

    def predict(self, X: Any) -> np.ndarray:
        """Most probable class per row ``(n,)``."""
        logits = self._scaled_logits(X)
        return self.classes_[np.argmax(logits, axis=1)]

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


def _logits(model: LogisticRegression, X: Any) -> np.ndarray:
    scores = model.decision_function(X)
    if scores.ndim == 1:
        return np.column_stack([-scores / 2, scores / 2])
    return scores


# ---------------------------------------------------------------- the classifier


class CategoryClassifier(ClassifierMixin, BaseEstimator):
    """The six-category classifier on case texts (prior from the call + calibrated supervised head).

    ``X`` is a sequence of ``CaseDoc`` (from ``prepare``) or plain strings; ``classes_`` is always
    ``[1, 2, 3, 4, 5, 6]``. ``fit([], [])`` gives the prior-only model.

    Args:
        C: inverse regularisation of the head.
        second_weight: weight of the extra training row labelled with ``second_category``.
        prior_strength: pseudo-count of the prior in the mixture with the head.
        cv: folds for the head's temperature.
        term_scale: weight of the category-term block in the head's features.
        prior_scale: weight of the prior-score columns in the head's features.
    """

    def __init__(
        self,
        C: float = 10.0,
        second_weight: float = 0.2,
        prior_strength: float = 10.0,
        cv: int = 5,
        term_scale: float = 1.0,
        prior_scale: float = 0.3,
    ):
        self.C = C
        self.second_weight = second_weight
        self.prior_strength = prior_strength
        self.cv = cv
        self.term_scale = term_scale
        self.prior_scale = prior_scale

    def fit(
        self, X: Sequence[CaseDoc | str], y: Sequence[int], second: Sequence[int | None] | None = None
    ) -> CategoryClassifier:
        """Fit on cases ``X`` (n) with categories ``y`` (n) and optional second categories (n, None allowed)."""
        docs = [_as_doc(item) for item in X]
        labels = np.asarray(y, dtype=int)
        if len(docs) != len(labels):
            raise ValueError(f"案例数（{len(docs)}）与类别数（{len(labels)}）不一致")
        unknown = set(labels.tolist()) - set(CATEGORY_IDS)
        if unknown:
            raise ValueError(f"类别必须是 1–6，训练数据中有 {sorted(unknown)}")
        self.classes_ = np.array(CATEGORY_IDS)
        self.terms_ = TermCounter()
        self.n_train_ = len(docs)
        self.featurizer_ = self.head_ = None
        if len(set(labels.tolist())) >= 2:
            rows, targets, weights, origin = _with_second_rows(docs, labels, second, self.second_weight)
            self.featurizer_ = CaseFeaturizer(term_scale=self.term_scale, prior_scale=self.prior_scale).fit(
                docs
            )
            self.head_ = TemperatureScaledLR(C=self.C, cv=self.cv).fit(
                self.featurizer_.transform([docs[i] for i in origin]),
                targets,
                sample_weight=weights,
                groups=origin,
                calibration_weight=(weights == 1.0).astype(float),
            )
            coef = self.head_.model_.coef_
            # Per class: weight minus the mean weight over classes (a feature's pull towards that class).
            self.directions_ = np.vstack([-coef, coef]) if coef.shape[0] == 1 else coef - coef.mean(axis=0)
        return self

    def prior_proba(self, docs: Sequence[CaseDoc]) -> np.ndarray:
        """The zero-shot prior ``(n, 6)``."""
        return softmax(PRIOR_SHARPNESS * self.terms_.prior_scores(self.terms_.counts(docs)), axis=1)

    def features(self, X: Sequence[CaseDoc | str]) -> sp.csr_matrix | None:
        """The head's features ``(n, V)`` (None for the prior-only model), to reuse in ``predict_proba`` and
        ``support``."""
        check_is_fitted(self, "classes_")
        if self.head_ is None:
            return None
        return self.featurizer_.transform([_as_doc(item) for item in X])

    def predict_proba(self, X: Sequence[CaseDoc | str], features: sp.csr_matrix | None = None) -> np.ndarray:
        """Probabilities ``(n, 6)`` of categories 1–6.

        Args:
            X: ``n`` cases.
            features: ``self.features(X)`` when already computed.
        """
        check_is_fitted(self, "classes_")
        docs = [_as_doc(item) for item in X]
        if not docs:
            return np.zeros((0, N_CLASSES))
        prior = self.prior_proba(docs)
        if self.head_ is None:
            return prior
        features = self.featurizer_.transform(docs) if features is None else features
        head = np.zeros_like(prior)
        head[:, np.searchsorted(self.classes_, self.head_.classes_)] = self.head_.predict_proba(features)
        mix = self.prior_strength / (self.prior_strength + self.n_train_)
        return (1 - mix) * head + mix * prior

    def predict(self, X: Sequence[CaseDoc | str]) -> np.ndarray:
        """Most probable category per case ``(n,)``."""
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def support(
        self,
        doc: CaseDoc,
        category: int,
        n_terms: int = 6,
        n_sentences: int = 2,
        features: sp.csr_matrix | None = None,
    ) -> tuple[list[str], list[str]]:
        """Sentences and terms of ``doc`` that push it towards ``category``.

        A feature's contribution is its value in the case times the head's weight for ``category`` minus the
        mean weight over categories. Terms are the word and category-term features with the largest positive
        contributions; a sentence's support is the sum of the contributions of the word and category-term
        features it contains.

        Args:
            doc: the prepared case.
            category: 1–6.
            n_terms: most terms returned.
            n_sentences: most sentences returned.
            features: the case's feature row ``(1, V)`` when already computed.

        Returns:
            ``(sentences, terms)``, strongest first; only positive support counts.
        """
        column = CATEGORY_IDS.index(category)
        pieces = sentence_docs(doc)
        if not pieces:
            return [], []
        if self.head_ is None or category not in self.head_.classes_:
            return self._prior_support(doc, pieces, column, n_terms, n_sentences)
        row = (self.featurizer_.transform([doc]) if features is None else features).tocoo()
        contribution = dict(
            zip(row.col.tolist(), (row.data * self._direction(category)[row.col]).tolist(), strict=True)
        )
        names = self.featurizer_.feature_names_
        ranked = sorted(contribution.items(), key=lambda item: -item[1])
        terms = [
            _readable(names[j])
            for j, value in ranked
            if value > 0 and names[j][:2] in {"w:", "t:"} and not _NUMBER.fullmatch(_readable(names[j]))
        ]
        return self._sentences(pieces, contribution, n_sentences), list(dict.fromkeys(terms))[:n_terms]

    def _direction(self, category: int) -> np.ndarray:
        return self.directions_[int(np.searchsorted(self.head_.classes_, category))]

    def _sentences(self, pieces: list[CaseDoc], contribution: dict[int, float], limit: int) -> list[str]:
        vocabulary = self.featurizer_.word_.vocabulary_
        offset = len(vocabulary) + len(self.featurizer_.char_.vocabulary_)
        terms = self.featurizer_.terms_.vocabulary
        present = [(offset + j, terms[j]) for j in range(len(terms)) if offset + j in contribution]
        scores = []
        for index, piece in enumerate(pieces):
            keys = {vocabulary[t] for t in _word_analyzer(piece) if t in vocabulary}
            text = piece.body.lower()
            keys.update(key for key, term in present if term in text)
            scores.append((sum(contribution.get(key, 0.0) for key in keys), index))
        best = sorted((s for s in scores if s[0] > 0), reverse=True)[:limit]
        return [pieces[index].body for _, index in best]

    def _prior_support(
        self, doc: CaseDoc, pieces: list[CaseDoc], column: int, n_terms: int, n_sentences: int
    ) -> tuple[list[str], list[str]]:
        scores = self.terms_.prior_scores(self.terms_.counts(pieces, title_weight=0))
        best = scores.argmax(axis=1)
        order = [i for i in np.argsort(-scores[:, column]) if scores[i, column] > 0 and best[i] == column]
        counts = self.terms_.counts([doc])[0] * (
            self.terms_.membership[:, column] == self.terms_.membership.max(axis=1)
        )
        terms = [
            self.terms_.vocabulary[i]
            for i in np.argsort(-counts)
            if counts[i] > 0 and self.terms_.membership[i, column] > 0
        ]
        return [pieces[i].body for i in order[:n_sentences]], terms[:n_terms]


_NUMBER = re.compile(r"[\d.%+万亿]+")


def _readable(name: str) -> str:
    return name[2:].replace(" ", "")


def _with_second_rows(
    docs: list[CaseDoc], labels: np.ndarray, second: Sequence[int | None] | None, weight: float
) -> tuple[list[CaseDoc], np.ndarray, np.ndarray, np.ndarray]:
    """Training rows ``(docs, targets, weights, origin)``: one per case, plus one per second category."""
    origin, targets, weights = list(range(len(docs))), list(labels), [1.0] * len(docs)
    if second is not None and weight > 0:
        for index, (label, other) in enumerate(zip(labels, second, strict=True)):
            if other and other != label and other in CATEGORY_IDS:
                origin.append(index)
                targets.append(int(other))
                weights.append(weight)
    return docs, np.asarray(targets), np.asarray(weights), np.asarray(origin)


# ---------------------------------------------------------------- labelled data


@dataclass
class LabelledCase:
    """A case with a known category; ``group`` (the unit) keeps related cases on one side of a CV split."""

    id: str
    title: str
    text: str
    category: int
    second_category: int | None = None
    group: str = ""
    source: str = "corpus"


def _check_category(value: Any, where: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number not in CATEGORY_IDS:
        raise ValueError(f"{where}：类别“{value}”无效，必须是 1–6 的整数")
    return number


def load_labelled(path: Path, source: str = "corpus") -> list[LabelledCase]:
    """Read labelled cases from a JSON-lines file.

    Each line needs ``text`` and ``category`` (1–6); ``id``, ``title``, ``unit`` and ``second_category`` are
    optional. A history record with ``sections`` instead of ``text`` is read too (sections joined).

    Raises:
        ValueError: a line that is not JSON or lacks text or a valid category (the message names the line).
    """
    cases = []
    for number, where, record in read_jsonl(path):
        text = record.get("text") or "\n".join(map(str, (record.get("sections") or {}).values()))
        category = _check_category(record.get("category"), where)
        if not text.strip() or category is None:
            raise ValueError(f"{where} 缺少 text（或 sections）或 category，请补全后重试")
        cases.append(
            LabelledCase(
                id=str(record.get("id") or f"{Path(path).stem}-{number}"),
                title=str(record.get("title") or ""),
                text=text,
                category=category,
                second_category=_check_category(record.get("second_category"), where),
                group=str(record.get("unit") or record.get("id") or number),
                source=source,
            )
        )
    return cases


def load_history(directory: Path = HISTORY_DIR) -> list[LabelledCase]:
    """Labelled past cases of the sample history (``data/sample/history/*.jsonl``) that carry a category."""
    cases = []
    for path in sorted(Path(directory).glob("*.jsonl")):
        cases.extend(load_labelled(path, source="history"))
    return cases


def load_reviewed(engine: Engine) -> list[LabelledCase]:
    """Cases whose category reviewers confirmed: the majority ``final_category`` of each submission's
    submitted reviews (newest version per reviewer), with the submission's title and narrative."""
    from sqlalchemy import select

    from pipelines import store

    newest: dict[tuple[int, int], store.ReviewRow] = {}
    with store.session_scope(engine) as session:
        reviews = session.scalars(select(store.ReviewRow).order_by(store.ReviewRow.version))
        for review in reviews:
            newest[(review.submission_id, review.reviewer_id)] = review
        votes: dict[int, Counter[int]] = {}
        for review in newest.values():
            if review.status == "submitted" and review.final_category in CATEGORY_IDS:
                votes.setdefault(review.submission_id, Counter())[review.final_category] += 1
        cases = []
        for submission_id, counter in sorted(votes.items()):
            row = session.get(store.SubmissionRow, submission_id)
            if row is None:
                continue
            submission = row.submission()
            text = submission.text or "\n".join(submission.sections.values())
            if not text.strip():
                continue
            category = counter.most_common(1)[0][0]
            cases.append(
                LabelledCase(
                    f"review-{submission_id}",
                    submission.title,
                    text,
                    category,
                    None,
                    row.unit or str(submission_id),
                    "review",
                )
            )
    return cases


def data_hash(cases: Iterable[LabelledCase]) -> str:
    """SHA-256 over the sorted (id, labels, text) of the training cases."""
    digest = hashlib.sha256()
    for case in sorted(cases, key=lambda c: (c.source, c.id)):
        digest.update(
            json.dumps(
                [case.source, case.id, case.category, case.second_category, case.title, case.text],
                ensure_ascii=False,
            ).encode()
        )
    return digest.hexdigest()


# ---------------------------------------------------------------- metrics


def expected_calibration_error(probabilities: np.ndarray, y: np.ndarray, bins: int = ECE_BINS) -> float:
    """ECE of the top-1 probability in equal-width bins.

    Args:
        probabilities: ``(n, 6)`` rows for categories 1–6.
        y: true categories ``(n,)``.
        bins: number of confidence bins.
    """
    if not len(y):
        return 0.0
    confidence = probabilities.max(axis=1)
    correct = (np.asarray(CATEGORY_IDS)[probabilities.argmax(axis=1)] == y).astype(float)
    edges = np.minimum((confidence * bins).astype(int), bins - 1)
    return float(
        sum(
            abs(correct[edges == b].mean() - confidence[edges == b].mean()) * (edges == b).mean()
            for b in range(bins)
            if (edges == b).any()
        )
    )


def classification_metrics(
    probabilities: np.ndarray, y: Sequence[int], second: Sequence[int | None]
) -> dict[str, Any]:
    """Accuracy, macro-F1, lenient and top-2 accuracy, ECE, per-category precision/recall and confusion.

    Args:
        probabilities: ``(n, 6)`` rows for categories 1–6.
        y: true main categories ``(n,)``.
        second: second categories ``(n,)`` (None where there is none).
    """
    y = np.asarray(y, dtype=int)
    y2 = np.array([s or 0 for s in second], dtype=int)
    ids = np.asarray(CATEGORY_IDS)
    order = np.argsort(-probabilities, axis=1)
    predicted = ids[order[:, 0]]
    runner_up = ids[order[:, 1]]
    precision, recall, _, support = precision_recall_fscore_support(y, predicted, labels=ids, zero_division=0)
    return {
        "n": int(len(y)),
        "accuracy": float(np.mean(predicted == y)),
        "macro_f1": float(f1_score(y, predicted, labels=ids, average="macro", zero_division=0)),
        "lenient_accuracy": float(np.mean((predicted == y) | (predicted == y2))),
        "top2_accuracy": float(np.mean((predicted == y) | (runner_up == y))),
        "ece": expected_calibration_error(probabilities, y),
        "per_category": {
            int(c): {"precision": float(p), "recall": float(r), "support": int(s)}
            for c, p, r, s in zip(ids, precision, recall, support, strict=True)
        },
        "confusion": confusion_matrix(y, predicted, labels=ids).tolist(),
    }


def is_misfiled(probabilities: np.ndarray, column: int, threshold: float) -> bool:
    """The misfiling rule: the declared category is not the top one and its probability is below ``threshold``.

    Rank alone says little (a declared category can be second with 1 % probability), so only the
    probability counts once the declared category is not the model's first choice.

    Args:
        probabilities: one case's probabilities ``(6,)``.
        column: index of the declared category in ``CATEGORY_IDS``.
        threshold: the misfiling threshold.
    """
    rank = int((probabilities > probabilities[column]).sum())
    return bool(rank >= 1 and probabilities[column] < threshold)


def choose_misfile_threshold(
    probabilities: np.ndarray, y: Sequence[int], second: Sequence[int | None]
) -> dict[str, float]:
    """The misfiling threshold on out-of-fold probabilities ``(n, 6)``.

    Rule: ``is_misfiled``. Correct filings are (case, ``category``); the threshold is the largest value on a
    0.005 grid (up to 0.5) that flags at most ``MAX_FALSE_FLAG_RATE`` of them. Also measured at that value:
    the share of (case, ``second_category``) filings flagged (straddling cases; a flag there asks for a look)
    and the share of wrong filings (every other category) detected.

    Returns:
        ``threshold``, ``false_flag_rate``, ``second_flag_rate`` and ``detection_rate``.
    """
    pairs: dict[str, list[tuple[int, int]]] = {"main": [], "second": [], "wrong": []}
    for row, (label, other) in enumerate(zip(y, second, strict=True)):
        for column, category in enumerate(CATEGORY_IDS):
            kind = "main" if category == label else "second" if category == other else "wrong"
            pairs[kind].append((row, column))

    def flagged(kind: str, threshold: float) -> float:
        found = [is_misfiled(probabilities[row], column, threshold) for row, column in pairs[kind]]
        return float(np.mean(found)) if found else 0.0

    best = {"threshold": 0.0, "false_flag_rate": 0.0, "second_flag_rate": 0.0, "detection_rate": 0.0}
    for threshold in np.arange(0.005, 0.5001, 0.005):
        if flagged("main", threshold) > MAX_FALSE_FLAG_RATE:
            break
        best = {
            "threshold": round(float(threshold), 3),
            "false_flag_rate": flagged("main", threshold),
            "second_flag_rate": flagged("second", threshold),
            "detection_rate": flagged("wrong", threshold),
        }
    return best


def choose_confidence_threshold(probabilities: np.ndarray, y: Sequence[int]) -> dict[str, float]:
    """Smallest top-1 probability (0.05 grid) above which top-1 accuracy is at least ``CONFIDENT_ACCURACY``.

    Returns:
        ``threshold``, ``confident_share`` (share of cases above it) and ``confident_accuracy``.
    """
    y = np.asarray(y)
    confidence = probabilities.max(axis=1)
    correct = np.asarray(CATEGORY_IDS)[probabilities.argmax(axis=1)] == y
    for threshold in np.arange(0.3, 1.0, 0.05):
        chosen = confidence >= threshold
        if chosen.any() and correct[chosen].mean() >= CONFIDENT_ACCURACY:
            return {
                "threshold": round(float(threshold), 2),
                "confident_share": float(chosen.mean()),
                "confident_accuracy": float(correct[chosen].mean()),
            }
    return {"threshold": 1.0, "confident_share": 0.0, "confident_accuracy": 0.0}


# ---------------------------------------------------------------- cross-validation and training


@dataclass
class CrossValidation:
    """Out-of-fold probabilities ``(n, 6)`` of the evaluated cases, with their labels."""

    cases: list[LabelledCase]
    probabilities: np.ndarray
    metrics: dict[str, Any] = field(default_factory=dict)


def cross_validate(
    evaluated: Sequence[LabelledCase],
    always_train: Sequence[LabelledCase] = (),
    n_splits: int = 5,
    seed: int = 0,
    params: dict[str, Any] | None = None,
) -> CrossValidation:
    """Grouped, stratified k-fold CV: cases of one unit never sit on both sides of a split.

    Args:
        evaluated: cases that are split into folds and predicted (the corpus).
        always_train: cases added to every training fold and never evaluated (written cases, history).
        n_splits: folds.
        seed: shuffling seed.
        params: ``CategoryClassifier`` parameters.

    Returns:
        Out-of-fold probabilities and the metrics on them.
    """
    docs = [prepare(c.title, c.text) for c in evaluated]
    extra_docs = [prepare(c.title, c.text) for c in always_train]
    y = np.array([c.category for c in evaluated])
    groups = [c.group for c in evaluated]
    probabilities = np.zeros((len(evaluated), N_CLASSES))
    splitter = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    for train_rows, test_rows in splitter.split(np.zeros(len(y)), y, groups):
        train_cases = [evaluated[i] for i in train_rows] + list(always_train)
        model = CategoryClassifier(**(params or {})).fit(
            [docs[i] for i in train_rows] + extra_docs,
            [c.category for c in train_cases],
            [c.second_category for c in train_cases],
        )
        probabilities[test_rows] = model.predict_proba([docs[i] for i in test_rows])
    second = [c.second_category for c in evaluated]
    return CrossValidation(list(evaluated), probabilities, classification_metrics(probabilities, y, second))


def training_sets(
    include_reviews: bool = False, engine: Engine | None = None
) -> tuple[list[LabelledCase], list[LabelledCase]]:
    """``(evaluated, always_train)``: corpus (+ reviewed cases) and written extra cases + sample history."""
    evaluated = load_labelled(CORPUS_FILE)
    if include_reviews:
        from pipelines import store

        evaluated += load_reviewed(engine or store.get_engine())
    extra = load_labelled(EXTRA_FILE, source="written") if EXTRA_FILE.exists() else []
    return evaluated, extra + load_history()


def _new_version() -> str:
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S")


def train(
    include_reviews: bool = False,
    engine: Engine | None = None,
    root: Path = MODEL_ROOT,
    version: str | None = None,
    n_splits: int = 5,
    params: dict[str, Any] | None = None,
    data: tuple[list[LabelledCase], list[LabelledCase]] | None = None,
) -> CategoryModel:
    """Cross-validate, choose the thresholds, fit on all data and save a new version.

    Args:
        include_reviews: add reviewer-confirmed categories from the database.
        engine: the database (defaults to the configured one) when ``include_reviews``.
        root: folder of model versions.
        version: version name; defaults to the UTC time ``YYYYMMDD-HHMMSS``.
        n_splits: CV folds.
        params: ``CategoryClassifier`` parameters.
        data: ``(evaluated, always_train)`` instead of ``training_sets(include_reviews, engine)``.

    Returns:
        The saved model.
    """
    evaluated, always = data if data is not None else training_sets(include_reviews, engine)
    cv = cross_validate(evaluated, always, n_splits=n_splits, params=params)
    y = [c.category for c in evaluated]
    second = [c.second_category for c in evaluated]
    everything = evaluated + always
    classifier = CategoryClassifier(**(params or {})).fit(
        [prepare(c.title, c.text) for c in everything],
        [c.category for c in everything],
        [c.second_category for c in everything],
    )
    card = {
        "version": version or _new_version(),
        "labels": {str(k): v for k, v in CATEGORY_NAMES.items()},
        "data_hash": data_hash(everything),
        "training_size": len(everything),
        "training_sources": dict(Counter(c.source for c in everything)),
        "params": classifier.get_params(),
        "metrics": {k: round(v, 4) for k, v in cv.metrics.items() if isinstance(v, float)},
        "cv": {
            "method": f"StratifiedGroupKFold({n_splits}) on the corpus, groups = unit; written cases and history always in training",
            **{k: v for k, v in cv.metrics.items() if not isinstance(v, float)},
        },
        "misfile": choose_misfile_threshold(cv.probabilities, y, second),
        "misfile_threshold": 0.0,
        "confidence": choose_confidence_threshold(cv.probabilities, y),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    card["misfile_threshold"] = card["misfile"]["threshold"]
    return save_model(classifier, card, root)


def save_model(
    classifier: CategoryClassifier, card: dict[str, Any], root: Path = MODEL_ROOT
) -> CategoryModel:
    """Write ``<root>/<version>/model.joblib`` and ``card.json``; returns the loaded model."""
    directory = root / card["version"]
    directory.mkdir(parents=True, exist_ok=True)
    joblib.dump(classifier, directory / "model.joblib", compress=3)
    (directory / "card.json").write_text(
        json.dumps(card, ensure_ascii=False, indent=2, default=str), encoding="utf-8"
    )
    return CategoryModel(classifier, card)


def list_versions(root: Path = MODEL_ROOT) -> list[str]:
    """Saved model versions, oldest first."""
    if not root.is_dir():
        return []
    return sorted(
        p.name for p in root.iterdir() if (p / "model.joblib").exists() and (p / "card.json").exists()
    )


def load_model(version: str | None = None, root: Path = MODEL_ROOT) -> CategoryModel:
    """Load a model version (the newest when ``version`` is empty).

    Raises:
        FileNotFoundError: with a Chinese message when no such version exists.
    """
    versions = list_versions(root)
    if not versions:
        raise FileNotFoundError(f"{root} 下没有分类模型：请先运行 python -m pipelines train")
    version = version or versions[-1]
    if version not in versions:
        raise FileNotFoundError(f"找不到分类模型版本“{version}”，现有版本：{'、'.join(versions)}")
    return _load_cached(root / version)


@lru_cache(maxsize=4)
def _load_cached(directory: Path) -> CategoryModel:
    card = json.loads((directory / "card.json").read_text(encoding="utf-8"))
    classifier = joblib.load(directory / "model.joblib")
    if not isinstance(classifier, CategoryClassifier):
        raise FileNotFoundError(f"{directory / 'model.joblib'} 不是分类模型，请删除该版本后重新训练")
    return CategoryModel(classifier, card)


# ---------------------------------------------------------------- suggestions


@dataclass
class CategoryModel:
    """A trained classifier with its card; produces ``CategorySuggestion``s."""

    classifier: CategoryClassifier
    card: dict[str, Any]

    @property
    def version(self) -> str:
        return str(self.card.get("version", ""))

    def misfile_threshold(self, settings: Settings | None = None) -> float:
        """The settings' ``misfile_threshold`` when set (> 0), else the card's."""
        override = (settings or get_settings()).misfile_threshold
        return float(override) if override > 0 else float(self.card.get("misfile_threshold", 0.0))

    @property
    def confidence_threshold(self) -> float:
        return float(self.card.get("confidence", {}).get("threshold", 0.5))

    def suggest(
        self, title: str, text: str, declared_category: int | None = None, settings: Settings | None = None
    ) -> CategorySuggestion:
        """The suggestion for one case; see ``suggest_many``."""
        return self.suggest_many([(title, text, declared_category)], settings=settings)[0]

    def suggest_many(
        self, items: Sequence[tuple[str, str, int | None]], settings: Settings | None = None
    ) -> list[CategorySuggestion]:
        """Suggestions for many cases.

        Args:
            items: ``(title, text, declared_category)`` per case; the declared category may be None.
            settings: for the misfiling threshold override; defaults to ``get_settings()``.

        Returns:
            One ``CategorySuggestion`` per case, in order.

        Raises:
            ValueError: a declared category outside 1–6.
        """
        for _, _, declared in items:
            if declared is not None and declared not in CATEGORY_IDS:
                raise ValueError(f"申报类别必须是 1–6，收到“{declared}”")
        docs = [prepare(title, text) for title, text, _ in items]
        if not docs:
            return []
        features = self.classifier.features(docs)
        probabilities = self.classifier.predict_proba(docs, features=features)
        threshold = self.misfile_threshold(settings)
        return [
            self._suggestion(doc, row, declared, threshold, None if features is None else features[i])
            for i, (doc, row, (_, _, declared)) in enumerate(zip(docs, probabilities, items, strict=True))
        ]

    def _suggestion(
        self,
        doc: CaseDoc,
        row: np.ndarray,
        declared: int | None,
        threshold: float,
        features: sp.csr_matrix | None,
    ) -> CategorySuggestion:
        ids = list(CATEGORY_IDS)
        order = [ids[i] for i in np.argsort(-row)]
        probabilities = {c: round(float(p), 4) for c, p in zip(ids, row, strict=True)}
        best, runner_up = order[0], order[1]
        confident = probabilities[best] >= self.confidence_threshold
        misfiled = declared is not None and is_misfiled(row, CATEGORY_IDS.index(declared), threshold)
        shown = [best] if confident else [best, runner_up]
        evidence, terms = {}, {}
        for category in shown:
            evidence[category], terms[category] = self.classifier.support(doc, category, features=features)
        suggestion = CategorySuggestion(
            category=best,
            probabilities=probabilities,
            top2=[best, runner_up],
            confident=confident,
            misfiled=misfiled,
            suggested_category=best if misfiled else None,
            evidence=evidence,
            terms=terms,
            model_version=self.version,
            needs_human_check=misfiled,
        )
        suggestion.reasons = _reasons(suggestion, declared, threshold)
        return suggestion


def _reasons(s: CategorySuggestion, declared: int | None, threshold: float) -> list[str]:
    best, runner_up = s.top2
    p = s.probabilities
    reasons = [f"最可能的类别：{category_label(best)}（概率 {p[best]:.0%}）"]
    if not s.confident:
        reasons.append(
            f"把握不足，第二可能：{category_label(runner_up)}（概率 {p[runner_up]:.0%}），请评审确认"
        )
    for category, words in s.terms.items():
        if words:
            reasons.append(f"支持“{CATEGORY_NAMES[category]}”的词语：{'、'.join(words)}")
    if s.misfiled and declared is not None:
        reasons.append(
            f"可能申报错类别：申报的“{CATEGORY_NAMES[declared]}”概率仅 {p[declared]:.1%}（低于阈值 {threshold:.1%}），"
            f"建议核对是否应为“{CATEGORY_NAMES[best]}”"
        )
    return reasons


# ---------------------------------------------------------------- LLM second opinion

LLM_TEXT_CHARS = 6000  # long forms are cut; the category shows in the first pages


def _validate_opinion(data: dict) -> dict:
    category = data["category"]
    if isinstance(category, str) and category.strip().isdigit():
        category = int(category)
    if category not in CATEGORY_IDS:
        raise ValueError(f"category 必须是 1–6，收到 {data['category']!r}")
    second = data.get("second_category")
    if second not in (None, *CATEGORY_IDS):
        raise ValueError(f"second_category 必须是 1–6 或 null，收到 {second!r}")
    reason = data.get("reason", "")
    if not isinstance(reason, str):
        raise TypeError("reason 必须是字符串")
    return {"category": category, "second_category": second, "reason": reason.strip()}


def _categories_text() -> str:
    from pipelines.vocabulary import categories

    return "\n".join(f"{c.id}. {c.name}：{c.definition}" for c in categories())


def add_llm_opinions(
    suggestions: Sequence[CategorySuggestion], items: Sequence[tuple[str, str, int | None]], client: Any
) -> None:
    """Ask the LLM (prompt ``category_opinion``) for each case and record its view on the suggestions.

    Sets ``llm_category`` and ``llm_reason``; a disagreement with the classifier sets
    ``needs_human_check``. A failed call adds a reason and leaves the suggestion otherwise unchanged.

    Args:
        suggestions: the classifier's suggestions (changed in place).
        items: the ``(title, text, declared_category)`` they came from.
        client: a ``pipelines.backends.llm.LLMClient``.
    """
    from pipelines.backends.llm import LLMError
    from pipelines.backends.prompts import CATEGORY_OPINION

    categories = _categories_text()
    variables = [
        {"categories": categories, "title": title, "text": normalize(text)[:LLM_TEXT_CHARS]}
        for title, text, _ in items
    ]
    results = client.map_json(CATEGORY_OPINION, variables, _validate_opinion)
    for suggestion, result in zip(suggestions, results, strict=True):
        if isinstance(result, LLMError):
            suggestion.reasons.append(f"大模型第二意见不可用：{result.message}")
            continue
        suggestion.llm_category = result.data["category"]
        suggestion.llm_reason = result.data["reason"]
        if suggestion.llm_category != suggestion.category:
            suggestion.needs_human_check = True
            suggestion.reasons.append(
                f"大模型第二意见为“{CATEGORY_NAMES[suggestion.llm_category]}”，与模型判断不一致，需人工核查：{suggestion.llm_reason}"
            )


# ---------------------------------------------------------------- evaluation


def evaluate(
    input_path: Path | None = None, version: str | None = None, n_splits: int = 5, seed: int = 0
) -> dict[str, Any]:
    """Metrics of the classifier.

    Args:
        input_path: labelled JSON lines (``text``/``title``/``category``/``second_category``); when None, grouped
            cross-validation on the corpus (written cases and history always in training).
        version: model version for ``input_path`` (newest by default).
        n_splits: CV folds.
        seed: CV shuffling seed.

    Returns:
        ``classification_metrics`` plus ``source`` (what was measured).
    """
    if input_path is None:
        evaluated, always = training_sets()
        result = cross_validate(evaluated, always, n_splits=n_splits, seed=seed)
        return {"source": f"语料分组交叉验证（{n_splits} 折，按申报单位分组，seed={seed}）", **result.metrics}
    if not Path(input_path).is_file():
        raise FileNotFoundError(f"找不到标注文件 {input_path}，请检查路径")
    cases = load_labelled(Path(input_path))
    model = load_model(version)
    probabilities = model.classifier.predict_proba([prepare(c.title, c.text) for c in cases])
    metrics = classification_metrics(
        probabilities, [c.category for c in cases], [c.second_category for c in cases]
    )
    return {"source": f"{input_path}（模型 {model.version}）", **metrics}


def format_metrics(metrics: dict[str, Any]) -> str:
    """A plain-text report of ``classification_metrics`` (Chinese labels)."""
    lines = [
        f"评估对象：{metrics.get('source', '')}（{metrics['n']} 个案例）",
        f"accuracy 准确率        {metrics['accuracy']:.3f}",
        f"macro-F1               {metrics['macro_f1']:.3f}",
        f"lenient 宽松准确率     {metrics['lenient_accuracy']:.3f}",
        f"top-2 准确率           {metrics['top2_accuracy']:.3f}",
        f"ECE 校准误差           {metrics['ece']:.3f}",
        "",
        "类别                    precision  recall  support",
    ]
    for category, row in metrics["per_category"].items():
        lines.append(
            f"{category_label(int(category)):<18}  {row['precision']:>9.3f}  {row['recall']:>6.3f}  {row['support']:>7d}"
        )
    lines += ["", "混淆矩阵（行 = 真实类别，列 = 预测类别 1–6）："]
    lines += [
        f"  {i}  " + " ".join(f"{v:>4d}" for v in row)
        for i, row in zip(CATEGORY_IDS, metrics["confusion"], strict=True)
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------- command line


@dataclass
class CaseInput:
    """One case to classify, or the error that kept it from being read."""

    id: str
    title: str = ""
    text: str = ""
    declared_category: int | None = None
    error: dict[str, str] | None = None


def read_cases(path: Path) -> list[CaseInput]:
    """Cases from a JSON-lines file, a .docx form or a folder of both (searched recursively).

    Raises:
        ValueError: a JSON line that is not an object with ``text`` (the message names file and line), or a
            path that is neither.
    """
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.suffix.lower() in {".jsonl", ".docx"})
        return [case for file in files for case in read_cases(file)]
    if path.suffix.lower() == ".docx":
        return [_read_docx(path)]
    if path.suffix.lower() == ".jsonl" and path.is_file():
        return _read_jsonl_cases(path)
    raise ValueError(f"无法读取“{path}”：请给出 .jsonl 文件、.docx 申报表或包含它们的文件夹")


def _read_docx(path: Path) -> CaseInput:
    from pipelines.intake.extract import extract_file
    from pipelines.schema import IntakeError

    try:
        submission = extract_file(path)
    except IntakeError as error:
        return CaseInput(path.name, error=error.to_dict())
    return CaseInput(path.name, submission.title, submission.text, submission.declared_category)


def _read_jsonl_cases(path: Path) -> list[CaseInput]:
    cases = []
    for number, where, record in read_jsonl(path):
        if not str(record.get("text") or "").strip():
            raise ValueError(f"{where} 缺少案例正文 text，请补全后重试")
        declared = _check_category(record.get("declared_category"), where)
        cases.append(
            CaseInput(
                str(record.get("id") or f"{path.stem}-{number}"),
                str(record.get("title") or ""),
                str(record["text"]),
                declared,
            )
        )
    return cases


def suggestion_record(case_id: str, suggestion: CategorySuggestion) -> dict[str, Any]:
    """The output line of ``classify`` for one case."""
    record = asdict(suggestion)
    record["probabilities"] = {str(k): v for k, v in suggestion.probabilities.items()}
    record["evidence"] = {str(k): v for k, v in suggestion.evidence.items()}
    record["terms"] = {str(k): v for k, v in suggestion.terms.items()}
    return {"id": case_id, **record}


def _cmd_train(args: argparse.Namespace) -> int:
    engine = None
    if args.include_reviews:
        from pipelines import store

        engine = store.get_engine(args.database_url or None)
    if not (LEXICAL_EMBEDDER_DIR / "model.joblib").exists():
        from pipelines.backends.embed import build_lexical_embedder

        build_lexical_embedder()
    model = train(include_reviews=args.include_reviews, engine=engine, n_splits=args.folds)
    card = model.card
    print(
        f"已训练分类模型版本 {model.version}（{card['training_size']} 个训练案例：{card['training_sources']}）"
    )
    print(
        format_metrics(
            {"source": "训练前的分组交叉验证", **card["metrics"], **card["cv"], "n": card["cv"].get("n", 0)}
        )
    )
    misfile, confidence = card["misfile"], card["confidence"]
    print(
        f"误报阈值 {misfile['threshold']:.3f}：正确申报被误标 {misfile['false_flag_rate']:.1%}，错误申报检出 {misfile['detection_rate']:.1%}\n"
        f"置信阈值 {confidence['threshold']:.2f}：{confidence['confident_share']:.0%} 的案例高于该值，其准确率 {confidence['confident_accuracy']:.1%}"
    )
    return 0


def _cmd_evaluate(args: argparse.Namespace) -> int:
    try:
        metrics = evaluate(args.input, args.version, n_splits=args.folds, seed=args.seed)
    except (ValueError, FileNotFoundError) as error:
        print(f"评估失败：{error}", file=sys.stderr)
        return 2
    print(format_metrics(metrics))
    return 0


def _cmd_classify(args: argparse.Namespace) -> int:
    try:
        cases = read_cases(args.input)
        model = load_model(args.version)
    except (ValueError, FileNotFoundError) as error:
        print(f"分类失败：{error}", file=sys.stderr)
        return 2
    readable = [c for c in cases if c.error is None]
    items = [(c.title, c.text, c.declared_category) for c in readable]
    suggestions = model.suggest_many(items)
    settings = get_settings()
    if settings.llm_enabled and not args.no_llm:
        from pipelines.backends.llm import get_llm_client

        add_llm_opinions(suggestions, items, get_llm_client(settings))
    by_id = {id(c): s for c, s in zip(readable, suggestions, strict=True)}
    lines = [
        json.dumps(
            suggestion_record(c.id, by_id[id(c)]) if c.error is None else {"id": c.id, "error": c.error},
            ensure_ascii=False,
        )
        for c in cases
    ]
    output = "\n".join(lines) + ("\n" if lines else "")
    if args.output:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(output, encoding="utf-8")
        print(f"已分类 {len(readable)} 个案例，结果写入 {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(output)
    for case in cases:
        if case.error is not None:
            print(f"{case.id}：{case.error['message']}", file=sys.stderr)
    return 1 if len(readable) < len(cases) else 0


def add_cli(subparsers: argparse._SubParsersAction) -> None:
    """Register the verbs ``train``, ``evaluate`` and ``classify``."""
    train_parser = subparsers.add_parser("train", help="训练类别模型，写入新版本并打印交叉验证指标")
    train_parser.add_argument("--include-reviews", action="store_true", help="加入评审专家确认的类别")
    train_parser.add_argument("--database-url", default="", help="数据库地址（默认取配置）")
    train_parser.add_argument("--folds", type=int, default=5, help="交叉验证折数")
    train_parser.set_defaults(func=_cmd_train)

    evaluate_parser = subparsers.add_parser(
        "evaluate", help="评估类别模型（无 --input 时在语料上分组交叉验证）"
    )
    evaluate_parser.add_argument("--input", type=Path, default=None, help="带类别标注的 JSONL 文件")
    evaluate_parser.add_argument("--version", default=None, help="模型版本（默认最新）")
    evaluate_parser.add_argument("--folds", type=int, default=5, help="交叉验证折数")
    evaluate_parser.add_argument("--seed", type=int, default=0, help="交叉验证随机种子")
    evaluate_parser.set_defaults(func=_cmd_evaluate)

    classify_parser = subparsers.add_parser("classify", help="为案例建议类别（JSONL、.docx 或文件夹）")
    classify_parser.add_argument("--input", type=Path, required=True, help="JSONL 文件、.docx 申报表或文件夹")
    classify_parser.add_argument("--output", type=Path, default=None, help="输出 JSONL（默认打印到屏幕）")
    classify_parser.add_argument("--version", default=None, help="模型版本（默认最新）")
    classify_parser.add_argument("--no-llm", action="store_true", help="不请求大模型第二意见")
    classify_parser.set_defaults(func=_cmd_classify)
