"""Training the claims stage's two sentence classifiers (``python -m pipelines claims --train``): the labelled
sentences of ``data/claims/`` (one file per writer), 5-fold cross-validation and a held-out-writer check, the
model and its card in ``models/claims/``."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from pipelines import jsonl
from pipelines.claims.kinds import (
    KIND_TASK,
    ORIENTATION_TASK,
    ClaimsError,
    Task,
    build_pipeline,
    claim_tokens,
    fast_head,
    load_model,
)
from pipelines.config import DATA_DIR


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
