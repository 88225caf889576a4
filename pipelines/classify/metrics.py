"""Figures of a classifier on labelled cases, and the misfiling rule with its threshold."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.metrics import confusion_matrix, f1_score, log_loss, precision_recall_fscore_support

from pipelines.classify.calibration import expected_calibration_error, reliability_table
from pipelines.vocabulary import CATEGORY_IDS

MAX_FALSE_FLAG_RATE = 0.02


def classification_metrics(
    probabilities: np.ndarray, y: Sequence[int], second: Sequence[int | None]
) -> dict[str, Any]:
    """Accuracy, macro-F1, lenient and top-2 accuracy, log-loss, ECE, reliability, per-category figures.

    Args:
        probabilities: ``(n, 6)`` rows for categories 1–6.
        y: true main categories ``(n,)``.
        second: second categories ``(n,)`` (None where there is none).

    Returns:
        ``n``, ``accuracy``, ``macro_f1``, ``lenient_accuracy`` (top-1 is the main or the second category),
        ``top2_accuracy``, ``log_loss``, ``ece``, ``reliability`` (``calibration.reliability_table``),
        ``per_category`` and ``confusion`` (rows = true category).
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
        "log_loss": float(log_loss(y, np.clip(probabilities, 1e-12, 1), labels=ids)) if len(y) else 0.0,
        "ece": expected_calibration_error(probabilities, y),
        "reliability": reliability_table(probabilities, y),
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


def _filing_pairs(y: Sequence[int], second: Sequence[int | None]) -> dict[str, list[tuple[int, int]]]:
    """Every (case row, category column) as a filing: ``main`` (right), ``second`` or ``wrong``."""
    pairs: dict[str, list[tuple[int, int]]] = {"main": [], "second": [], "wrong": []}
    for row, (label, other) in enumerate(zip(y, second, strict=True)):
        for column, category in enumerate(CATEGORY_IDS):
            kind = "main" if category == label else "second" if category == other else "wrong"
            pairs[kind].append((row, column))
    return pairs


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
    pairs = _filing_pairs(y, second)

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


def declared_misfile_metrics(
    probabilities: np.ndarray,
    declared: Sequence[int | None],
    y: Sequence[int],
    second: Sequence[int | None],
    threshold: float,
) -> dict[str, Any]:
    """How the misfiling flag does on the categories applicants actually declared.

    A declaration is wrong when it is neither the case's ``category`` nor its ``second_category``.

    Returns:
        ``n_declared``, ``n_wrong``, ``detection_rate`` (wrong declarations flagged), ``false_flag_rate``
        (declarations equal to ``category`` flagged) and ``second_flag_rate`` (declarations equal to the
        second category flagged); rates are None when there is nothing to divide by.
    """
    flags: dict[str, list[bool]] = {"main": [], "second": [], "wrong": []}
    for row, (filed, label, other) in enumerate(zip(declared, y, second, strict=True)):
        if filed not in CATEGORY_IDS:
            continue
        kind = "main" if filed == label else "second" if filed == other else "wrong"
        flags[kind].append(is_misfiled(probabilities[row], CATEGORY_IDS.index(filed), threshold))

    def rate(kind: str) -> float | None:
        return float(np.mean(flags[kind])) if flags[kind] else None

    return {
        "n_declared": sum(len(v) for v in flags.values()),
        "n_wrong": len(flags["wrong"]),
        "detection_rate": rate("wrong"),
        "false_flag_rate": rate("main"),
        "second_flag_rate": rate("second"),
    }
