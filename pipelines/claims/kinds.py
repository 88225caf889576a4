"""The learned part of the claims stage: two sentence classifiers (claim kind; orientation) on jieba words
and character bigrams.

Each classifier is a scikit-learn pipeline (TF-IDF over jieba words, numbers folded to placeholders,
function words such as 已/将/未 kept, see ``VocabularyTokenizer``; TF-IDF over character bigrams) with a
logistic-regression head, trained by ``pipelines.claims.training`` on the labelled sentences of
``data/claims/`` (one file per writer) and shipped in ``models/claims/`` as ``model.joblib`` + ``card.json``.
At run time ``FastHead`` computes the same probabilities without sklearn's per-call machinery. Nothing is
downloaded at run time.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import repeat
from pathlib import Path

import joblib
import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from pipelines.config import DATA_DIR, MODELS_DIR
from pipelines.text import _tokenizer

CLAIMS_DATA = DATA_DIR / "claims"
SENTENCES_FILE = CLAIMS_DATA / "sentences.jsonl"
MODEL_DIR = MODELS_DIR / "claims" / "kinds"
KINDS = ("result", "practice", "plan", "input", "background", "other_party")
ORIENTATIONS = ("problem", "proper", "neutral")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*(?:余|多)?[万亿千百]*")  # magnitude words fold with the number
_YEAR = re.compile(r"(?:19|20)\d{2}(?=年)")
_WORD = re.compile(r"[^\W_]")
_WHITESPACE = re.compile(r"\s\s+")  # sklearn's character analyzer folds runs of white space


class ClaimsError(Exception):
    """The kind model or its training data cannot be used; ``message`` is Chinese and says what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@lru_cache(maxsize=8192)  # both classifiers fold each clause twice (words and characters)
def _fold(text: str) -> str:
    return _NUMBER.sub("0", _YEAR.sub("Y", text.lower()))


def claim_tokens(text: str) -> list[str]:
    """jieba words of a clause: years → ``<年份>``, numbers (with 万/亿) → ``<数>``, punctuation dropped.

    Function words that carry tense and modality (已、将、未、计划) are kept. Used on the training sentences
    to build the classifier's vocabulary (``VocabularyTokenizer``).
    """
    tokens = []
    for token in _tokenizer().lcut(_fold(text), HMM=False):
        if token == "Y":
            tokens.append("<年份>")
        elif token == "0" or token.startswith("0"):
            tokens.append("<数>")
        elif _WORD.search(token):
            tokens.append(token)
    return tokens


class VocabularyTokenizer:
    """The classifier's tokenizer: the jieba words of the training sentences, matched longest-first.

    Running jieba on every clause of every case costs about 13 ms per full-length form; matching the
    vocabulary learned from jieba's segmentation is one left-to-right scan: at each position the longest
    vocabulary word that starts there (a folded year ``Y`` before 年 and a folded number ``0`` first), else the
    next character. Training and prediction use this same tokenizer, so the features agree. Picklable (the
    lookup tables are rebuilt on load).

    Args:
        words: the vocabulary (jieba tokens of the training sentences, ``<数>`` and ``<年份>`` included).
    """

    def __init__(self, words: list[str]) -> None:
        self.words = sorted(set(words) - {"<数>", "<年份>"})
        self._lengths: dict[str, tuple[int, ...]] | None = None

    def __getstate__(self) -> dict:
        return {"words": self.words, "_lengths": None}

    def __setstate__(self, state: dict) -> None:
        self.words, self._lengths = state["words"], None

    def _tables(self) -> dict[str, tuple[int, ...]]:
        if self._lengths is None:
            starts: dict[str, set[int]] = {}
            for word in self.words:
                starts.setdefault(word[0], set()).add(len(word))
            self._set = frozenset(self.words)
            self._key = hash(tuple(self.words))
            self._lengths = {char: tuple(sorted(sizes, reverse=True)) for char, sizes in starts.items()}
        return self._lengths

    def __call__(self, text: str) -> list[str]:
        self._tables()
        key = (self._key, text)
        cached = _TOKENS.get(key)
        if cached is None:  # both classifiers share one vocabulary: the second one reads the cache
            if len(_TOKENS) > 20000:
                _TOKENS.clear()
            cached = _TOKENS[key] = self._scan(_fold(text))
        return cached

    def _scan(self, folded: str) -> list[str]:
        """The tokens of a folded text (``_fold``)."""
        lengths = self._tables()
        words = self._set
        tokens, position, end = [], 0, len(folded)
        while position < end:
            char = folded[position]
            if char == "Y" and folded.startswith("年", position + 1):
                tokens.append("<年份>")
            elif char == "0":
                tokens.append("<数>")
            else:
                for size in lengths.get(char, ()):
                    if folded[position : position + size] in words:
                        tokens.append(folded[position : position + size])
                        position += size
                        break
                else:
                    position += 1
                continue
            position += 1
        return tokens


_TOKENS: dict[tuple[int, str], list[str]] = {}


def build_pipeline(vocabulary: list[str], c: float = 4.0) -> Pipeline:
    """An unfitted sentence classifier: TF-IDF over ``vocabulary`` (jieba words of the training sentences)
    joined with character bigrams of the number-folded text (they carry words jieba's vocabulary has not
    seen: 手机号、门牌、撤榜), and a logistic-regression head."""
    words = TfidfVectorizer(
        tokenizer=VocabularyTokenizer(vocabulary),
        token_pattern=None,
        lowercase=False,
        sublinear_tf=True,
    )
    chars = TfidfVectorizer(
        preprocessor=_fold, analyzer="char", ngram_range=(2, 2), sublinear_tf=True, min_df=2
    )
    return Pipeline(
        [
            ("features", FeatureUnion([("words", words), ("chars", chars)])),
            ("head", LogisticRegression(C=c, max_iter=2000, class_weight="balanced")),
        ]
    )


@dataclass(frozen=True)
class Task:
    """One sentence classifier of the claims stage: its labelled data, label field and labels, model folder."""

    name: str  # for messages
    data: tuple[Path, ...]  # the labelled files, each from one writer
    field: str
    labels: tuple[str, ...]
    directory: Path


# The first writer's sentences (the author of the claims scorer) and two colleagues' (t1, t2) who had not
# seen the classifiers.
KIND_TASK = Task(
    "主张类型",
    (SENTENCES_FILE, CLAIMS_DATA / "sentences_t1.jsonl", CLAIMS_DATA / "sentences_t2.jsonl"),
    "kind",
    KINDS,
    MODEL_DIR,
)
# Orientation (政治性 evidence): problem (标题党、暴露隐私、有偿新闻…), proper (核实、保护隐私、服务群众…) or
# neutral; the neutral sentences are the kind sentences.
ORIENTATION_TASK = Task(
    "导向",
    tuple(CLAIMS_DATA / f"orientation{suffix}.jsonl" for suffix in ("", "_t1", "_t2")),
    "orientation",
    ORIENTATIONS,
    MODELS_DIR / "claims" / "orientation",
)


@lru_cache(maxsize=4)
def load_model(directory: Path, name: str = "主张类型") -> Pipeline:
    """A shipped sentence classifier.

    Raises:
        ClaimsError: the model is missing (run ``python -m pipelines claims --train``).
    """
    path = directory / "model.joblib"
    if not path.exists():
        raise ClaimsError(f"找不到{name}模型 {path}，请运行 python -m pipelines claims --train 生成")
    return joblib.load(path)


class FastHead:
    """The fitted pipeline's arithmetic without its per-call machinery: the same TF-IDF of words and
    character bigrams, the same multinomial logistic head, computed for a batch with one sparse product
    (sklearn's generic analyzers cost about 5 ms per full-length form; ``test_fast_head_equals_sklearn``
    checks that the probabilities agree).

    Args:
        model: a fitted ``build_pipeline`` pipeline.
    """

    def __init__(self, model: Pipeline) -> None:
        words, chars = (vectorizer for _, vectorizer in model.named_steps["features"].transformer_list)
        head = model.named_steps["head"]
        self.classes_ = list(head.classes_)
        self.tokenizer = words.tokenizer
        self.parts = [(words.vocabulary_, words.idf_), (chars.vocabulary_, chars.idf_)]
        self.coef = np.asarray(head.coef_, dtype=np.float64).T.copy()
        self.intercept = np.asarray(head.intercept_, dtype=np.float64)

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """Float ``(len(texts), classes)``, rows summing to 1 (``classes_`` order)."""
        return self.from_grams(Grams.of(texts, self.tokenizer))

    def from_grams(self, grams: Grams) -> np.ndarray:
        """``predict_proba`` of texts already counted (``Grams.of``)."""
        blocks = []
        for part, (vocabulary, idf) in enumerate(self.parts):
            names = grams.grams[part]
            column = np.fromiter(map(vocabulary.get, names, repeat(-1)), np.int64, len(names))
            known = column >= 0
            column, row = column[known], np.asarray(grams.rows[part], dtype=np.int64)[known]
            values = (np.log(np.asarray(grams.counts[part], dtype=np.float64)[known]) + 1.0) * idf[column]
            norms = np.sqrt(np.bincount(row, values**2, minlength=grams.size))
            values /= norms[row]
            blocks.append(sparse.csr_matrix((values, (row, column)), shape=(grams.size, len(idf))))
        decision = np.asarray(sparse.hstack(blocks, format="csr") @ self.coef) + self.intercept
        decision -= decision.max(axis=1, keepdims=True)
        probabilities = np.exp(decision)
        return probabilities / probabilities.sum(axis=1, keepdims=True)


@dataclass
class Grams:
    """The words and character bigrams of a batch of clauses, flattened (one entry per distinct gram of a
    clause), so both classifiers read one count."""

    size: int
    grams: tuple[list[str], list[str]]
    counts: tuple[list[int], list[int]]
    rows: tuple[list[int], list[int]]

    @classmethod
    def of(cls, texts: Sequence[str], tokenizer: VocabularyTokenizer) -> Grams:
        found = cls(len(texts), ([], []), ([], []), ([], []))
        for row, text in enumerate(texts):
            for part, counted in enumerate(_grams(text, tokenizer)):
                found.grams[part].extend(counted)
                found.counts[part].extend(counted.values())
                found.rows[part].extend([row] * len(counted))
        return found


def _grams(text: str, tokenizer: VocabularyTokenizer) -> tuple[Counter, Counter]:
    """The clause's word and character-bigram counts (shared by both classifiers: cached per clause)."""
    cached = _GRAMS.get(text)
    if cached is None:
        if len(_GRAMS) > 20000:
            _GRAMS.clear()
        folded = _WHITESPACE.sub(" ", _fold(text))
        cached = _GRAMS[text] = (
            Counter(tokenizer(text)),
            Counter(map(str.__add__, folded, folded[1:])),  # character bigrams
        )
    return cached


_GRAMS: dict[str, tuple[Counter, Counter]] = {}


@lru_cache(maxsize=4)
def fast_head(directory: Path, name: str = "主张类型") -> FastHead:
    """``FastHead`` of a shipped sentence classifier."""
    return FastHead(load_model(directory, name))


def predict(texts: list[str], task: Task = KIND_TASK) -> list[dict[str, float]]:
    """The probability of each label for each clause (keys in ``task.labels`` order)."""
    if not texts:
        return []
    model = fast_head(task.directory, task.name)
    return _labelled(model, model.predict_proba(texts), task)


def predict_both(texts: list[str]) -> tuple[list[dict[str, float]], list[dict[str, float]]]:
    """Kind and orientation probabilities of each clause, from one count of their words (both classifiers
    share one vocabulary)."""
    if not texts:
        return [], []
    kinds = fast_head(KIND_TASK.directory, KIND_TASK.name)
    orientation = fast_head(ORIENTATION_TASK.directory, ORIENTATION_TASK.name)
    grams = Grams.of(texts, kinds.tokenizer)
    return (
        _labelled(kinds, kinds.from_grams(grams), KIND_TASK),
        _labelled(orientation, orientation.from_grams(grams), ORIENTATION_TASK),
    )


def _labelled(model: FastHead, probabilities: np.ndarray, task: Task) -> list[dict[str, float]]:
    columns = [model.classes_.index(label) for label in task.labels]
    rounded = np.round(probabilities[:, columns], 3).tolist()
    return [dict(zip(task.labels, row, strict=True)) for row in rounded]


def predict_kinds(texts: list[str]) -> list[dict[str, float]]:
    """The probability of each kind for each clause (keys in ``KINDS`` order)."""
    return predict(texts, KIND_TASK)
