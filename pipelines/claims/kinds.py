"""The learned part of the claims stage: a sentence classifier for claim kinds on jieba features.

The classifier is a scikit-learn pipeline (TF-IDF over jieba words, numbers folded to placeholders,
function words such as 已/将/未 kept; see ``VocabularyTokenizer``) with a logistic-regression head. It is trained on the
labelled sentences in ``data/claims/sentences.jsonl`` and shipped in ``models/claims/`` as ``model.joblib``
+ ``card.json`` (labels, data hash, cross-validated accuracy). Nothing is downloaded at run time.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import Pipeline

from pipelines import jsonl
from pipelines.config import DATA_DIR, MODELS_DIR
from pipelines.text import _tokenizer

SENTENCES_FILE = DATA_DIR / "claims" / "sentences.jsonl"
MODEL_DIR = MODELS_DIR / "claims"
KINDS = ("result", "practice", "plan", "input", "background", "other_party")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*(?:余|多)?[万亿千百]*")  # magnitude words fold with the number
_YEAR = re.compile(r"(?:19|20)\d{2}(?=年)")
_WORD = re.compile(r"[^\W_]")


class ClaimsError(Exception):
    """The kind model or its training data cannot be used; ``message`` is Chinese and says what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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


def _trie_pattern(words: list[str]) -> str:
    """One regular expression matching any of ``words``, longest first, as a trie (fast on long texts)."""
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def walk(node: dict) -> str:
        branches = [re.escape(char) + walk(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return walk(trie)


class VocabularyTokenizer:
    """The classifier's tokenizer: the jieba words of the training sentences, matched longest-first.

    Running jieba on every clause of every case costs about 13 ms per full-length form; matching the
    vocabulary learned from jieba's segmentation is a single regular-expression scan. Training and prediction
    use this same tokenizer, so the features agree. Picklable (the pattern is rebuilt on load).

    Args:
        words: the vocabulary (jieba tokens of the training sentences, ``<数>`` and ``<年份>`` included).
    """

    def __init__(self, words: list[str]) -> None:
        self.words = sorted(set(words) - {"<数>", "<年份>"})
        self._pattern: re.Pattern[str] | None = None

    def __getstate__(self) -> dict:
        return {"words": self.words, "_pattern": None}

    def __call__(self, text: str) -> list[str]:
        if self._pattern is None:
            self._pattern = re.compile(f"Y(?=年)|0|{_trie_pattern(self.words)}")
        found = (m.group(0) for m in self._pattern.finditer(_fold(text)))
        return [{"Y": "<年份>", "0": "<数>"}.get(token, token) for token in found if token]


def build_pipeline(vocabulary: list[str], c: float = 4.0) -> Pipeline:
    """An unfitted kind classifier over ``vocabulary`` (jieba words of the training sentences)."""
    return Pipeline(
        [
            (
                "words",
                TfidfVectorizer(
                    tokenizer=VocabularyTokenizer(vocabulary),
                    token_pattern=None,
                    lowercase=False,
                    ngram_range=(1, 1),
                    sublinear_tf=True,
                    min_df=1,
                ),
            ),
            ("head", LogisticRegression(C=c, max_iter=2000, class_weight="balanced")),
        ]
    )


def read_sentences(path: Path = SENTENCES_FILE) -> tuple[list[str], list[str]]:
    """The labelled sentences ``{"text", "kind"}``.

    Raises:
        ClaimsError: the file is missing, a line is not JSON, or a kind is unknown (naming the line).
    """
    try:
        lines = jsonl.read_jsonl(path)
    except jsonl.JsonlError as error:
        raise ClaimsError(error.message) from error
    texts, kinds = [], []
    for _, where, record in lines:
        if record.get("kind") not in KINDS or not record.get("text"):
            raise ClaimsError(f"{where}应有 text 和 kind（{'/'.join(KINDS)} 之一），请修改后重试")
        texts.append(str(record["text"]))
        kinds.append(str(record["kind"]))
    return texts, kinds


def train(path: Path = SENTENCES_FILE, out: Path = MODEL_DIR) -> dict[str, Any]:
    """Fit the kind classifier on the labelled sentences, measure it by 5-fold CV, save it with its card.

    Returns:
        The model card.
    """
    texts, kinds = read_sentences(path)
    vocabulary = sorted({token for text in texts for token in claim_tokens(text)})
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    predicted = cross_val_predict(build_pipeline(vocabulary), texts, kinds, cv=folds)
    per_kind = {
        kind: round(float(np.mean([p == k for p, k in zip(predicted, kinds, strict=True) if k == kind])), 4)
        for kind in KINDS
    }
    model = build_pipeline(vocabulary).fit(texts, kinds)
    data = json.dumps([texts, kinds], ensure_ascii=False).encode("utf-8")
    card = {
        "version": datetime.now(UTC).strftime("%Y%m%d-%H%M%S"),
        "labels": [str(label) for label in model.classes_],
        "data": str(path.relative_to(DATA_DIR.parent)) if path.is_relative_to(DATA_DIR.parent) else str(path),
        "data_hash": hashlib.sha256(data).hexdigest(),
        "training_size": len(texts),
        "vocabulary_size": len(vocabulary),
        "cv_accuracy": round(float(np.mean(predicted == np.asarray(kinds))), 4),
        "cv_recall_by_kind": per_kind,
    }
    out.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, out / "model.joblib")
    (out / "card.json").write_text(json.dumps(card, ensure_ascii=False, indent=1), encoding="utf-8")
    load_kind_model.cache_clear()
    return card


@lru_cache(maxsize=1)
def load_kind_model(directory: Path = MODEL_DIR) -> Pipeline:
    """The shipped kind classifier.

    Raises:
        ClaimsError: the model is missing (run ``python -m pipelines claims --train``).
    """
    path = directory / "model.joblib"
    if not path.exists():
        raise ClaimsError(f"找不到主张类型模型 {path}，请运行 python -m pipelines claims --train 生成")
    return joblib.load(path)


def predict_kinds(texts: list[str]) -> list[dict[str, float]]:
    """The probability of each kind for each clause (keys in ``KINDS`` order)."""
    if not texts:
        return []
    model = load_kind_model()
    probabilities = model.predict_proba(texts)
    columns = [list(model.classes_).index(kind) for kind in KINDS]
    return [
        {kind: round(float(row[c]), 3) for kind, c in zip(KINDS, columns, strict=True)}
        for row in probabilities
    ]
