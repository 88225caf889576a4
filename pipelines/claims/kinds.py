"""The learned part of the claims stage: a sentence classifier for claim kinds on jieba features.

The classifier is a scikit-learn pipeline (TF-IDF over jieba words, numbers folded to placeholders,
function words such as 已/将/未 kept; see ``VocabularyTokenizer``) with a logistic-regression head. It is trained on the
labelled sentences in ``data/claims/sentences*.jsonl`` (one file per writer) and shipped in ``models/claims/`` as ``model.joblib``
+ ``card.json`` (labels, data hash, cross-validated accuracy). Nothing is downloaded at run time.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from itertools import repeat
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import FeatureUnion, Pipeline

from pipelines import jsonl
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


def read_sentences(
    path: Path | Sequence[Path] | None = None, task: Task = KIND_TASK
) -> tuple[list[str], list[str]]:
    """The labelled sentences ``{"text", <task.field>}`` of one file or several (default: the task's).

    Raises:
        ClaimsError: a file is missing, a line is not JSON, or a label is unknown (naming the line).
    """
    paths = task.data if path is None else [path] if isinstance(path, Path) else list(path)
    lines = []
    for one in paths:
        try:
            lines += jsonl.read_jsonl(one)
        except jsonl.JsonlError as error:
            raise ClaimsError(error.message) from error
    texts, labels = [], []
    for _, where, record in lines:
        if record.get(task.field) not in task.labels or not record.get("text"):
            raise ClaimsError(
                f"{where}应有 text 和 {task.field}（{'/'.join(task.labels)} 之一），请修改后重试"
            )
        texts.append(str(record["text"]))
        labels.append(str(record[task.field]))
    return texts, labels


def train(
    path: Path | Sequence[Path] | None = None, out: Path | None = None, task: Task = KIND_TASK
) -> dict[str, Any]:
    """Fit a sentence classifier on its labelled sentences, measure it by 5-fold CV and by leaving each
    writer's file out, save it with its card.

    The vocabulary is the jieba words of the sentences of both classifiers (so the CV folds share it, the
    weights they do not), so one tokenisation serves both at run time.

    Returns:
        The model card.
    """
    paths = task.data if path is None else [path] if isinstance(path, Path) else list(path)
    out = out or task.directory
    texts, labels = read_sentences(paths, task)
    shared = [text for other in (KIND_TASK, ORIENTATION_TASK) for text in read_sentences(None, other)[0]]
    vocabulary = sorted({token for text in [*texts, *shared] for token in claim_tokens(text)})
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    predicted = cross_val_predict(build_pipeline(vocabulary), texts, labels, cv=folds)
    recall = {
        label: round(
            float(np.mean([p == y for p, y in zip(predicted, labels, strict=True) if y == label])), 4
        )
        for label in task.labels
    }
    by_writer = {}  # each file is one writer: trained on the others, how well are that writer's labels read?
    if len(paths) > 1:
        for held in paths:
            rest = [one for one in paths if one != held]
            model = build_pipeline(vocabulary).fit(*read_sentences(rest, task))
            held_texts, held_labels = read_sentences(held, task)
            hits = model.predict(held_texts) == np.asarray(held_labels)
            by_writer[held.name] = round(float(np.mean(hits)), 4)
    model = build_pipeline(vocabulary).fit(texts, labels)
    data = json.dumps([texts, labels], ensure_ascii=False).encode("utf-8")
    card = {
        "version": datetime.now(UTC).strftime("%Y%m%d-%H%M%S"),
        "task": task.field,
        "labels": [str(label) for label in model.classes_],
        "data": [
            str(one.relative_to(DATA_DIR.parent)) if one.is_relative_to(DATA_DIR.parent) else str(one)
            for one in paths
        ],
        "data_hash": hashlib.sha256(data).hexdigest(),
        "training_size": len(texts),
        "vocabulary_size": len(vocabulary),
        "cv_accuracy": round(float(np.mean(predicted == np.asarray(labels))), 4),
        "cv_recall_by_label": recall,
        "held_out_writer_accuracy": by_writer,
    }
    out.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, out / "model.joblib")
    (out / "card.json").write_text(json.dumps(card, ensure_ascii=False, indent=1), encoding="utf-8")
    load_model.cache_clear()
    fast_head.cache_clear()
    return card


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
        grams: tuple[list[str], list[str]] = ([], [])
        counts: tuple[list[int], list[int]] = ([], [])
        rows: tuple[list[int], list[int]] = ([], [])
        for row, text in enumerate(texts):
            for part, counted in enumerate(_grams(text, self.tokenizer)):
                grams[part].extend(counted)
                counts[part].extend(counted.values())
                rows[part].extend([row] * len(counted))
        blocks = []
        for part, (vocabulary, idf) in enumerate(self.parts):
            column = np.fromiter(map(vocabulary.get, grams[part], repeat(-1)), np.int64, len(grams[part]))
            known = column >= 0
            column, row = column[known], np.asarray(rows[part], dtype=np.int64)[known]
            values = (np.log(np.asarray(counts[part], dtype=np.float64)[known]) + 1.0) * idf[column]
            norms = np.sqrt(np.bincount(row, values**2, minlength=len(texts)))
            values /= norms[row]
            blocks.append(sparse.csr_matrix((values, (row, column)), shape=(len(texts), len(idf))))
        decision = np.asarray(sparse.hstack(blocks, format="csr") @ self.coef) + self.intercept
        decision -= decision.max(axis=1, keepdims=True)
        probabilities = np.exp(decision)
        return probabilities / probabilities.sum(axis=1, keepdims=True)


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
    probabilities = model.predict_proba(texts)
    columns = [model.classes_.index(label) for label in task.labels]
    rounded = np.round(probabilities[:, columns], 3).tolist()
    return [dict(zip(task.labels, row, strict=True)) for row in rounded]


def predict_kinds(texts: list[str]) -> list[dict[str, float]]:
    """The probability of each kind for each clause (keys in ``KINDS`` order)."""
    return predict(texts, KIND_TASK)
