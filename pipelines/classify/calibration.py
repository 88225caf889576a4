"""Calibration and prediction sets, fitted on out-of-fold predictions of units the model has not seen.

- ``TemperatureCalibrator``: ``p ∝ p_raw ** (1 / T)``, one parameter fitted by log-loss. A single temperature
  keeps the ranking of categories and is hard to overfit on a few hundred cases (isotonic regression needs
  more data and makes ties at the top).
- ``ConformalSets``: split-conformal prediction sets. The score of a case is ``1 - p(true category)``; with
  ``q`` the ``ceil((n + 1) * coverage) / n`` quantile of the scores, the set of a new case is every category
  with ``p ≥ 1 - q`` (never empty: the top category is always in it). If new cases are exchangeable with the
  calibration cases, the true category is in the set with probability ≥ ``coverage``. A singleton set is what
  the app calls "confident".
- ``expected_calibration_error`` and ``reliability_table``: how far the top probability is from the
  accuracy, per confidence bin (the reliability diagram of the model card).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax

from pipelines.vocabulary import CATEGORY_IDS

ECE_BINS = 10
_EPS = 1e-12


def apply_temperature(probabilities: np.ndarray, temperature: float) -> np.ndarray:
    """Rows of ``probabilities`` ``(n, k)`` raised to ``1 / temperature`` and renormalised."""
    if not len(probabilities):
        return probabilities
    logits = np.log(np.clip(probabilities, _EPS, 1.0)) / temperature
    return np.exp(log_softmax(logits, axis=1))


class TemperatureCalibrator:
    """One temperature for the log-probabilities, fitted by log-loss.

    Attributes (after ``fit``):
        temperature_: > 1 softens over-confident probabilities, < 1 sharpens timid ones.
    """

    def fit(self, probabilities: np.ndarray, y: np.ndarray) -> TemperatureCalibrator:
        """Fit on out-of-fold probabilities ``(n, 6)`` and true categories ``(n,)``; returns self."""
        target = np.searchsorted(np.asarray(CATEGORY_IDS), np.asarray(y))
        logits = np.log(np.clip(probabilities, _EPS, 1.0))

        def nll(log_t: float) -> float:
            return float(-log_softmax(logits / np.exp(log_t), axis=1)[np.arange(len(target)), target].sum())

        self.temperature_ = float(np.exp(minimize_scalar(nll, bounds=(-3, 3), method="bounded").x))
        return self

    def transform(self, probabilities: np.ndarray) -> np.ndarray:
        """Calibrated probabilities ``(n, 6)``."""
        return apply_temperature(probabilities, self.temperature_)


def conformal_threshold(probabilities: np.ndarray, y: np.ndarray, coverage: float) -> float:
    """The smallest probability a category needs to enter the prediction set.

    Args:
        probabilities: calibrated out-of-fold probabilities ``(n, 6)``.
        y: true categories ``(n,)``.
        coverage: wanted share of sets containing the true category, in ``(0, 1)``.

    Returns:
        ``1 - q`` where ``q`` is the conformal quantile of the scores ``1 - p(true)``.
    """
    if not 0 < coverage < 1:
        raise ValueError(f"覆盖率必须在 0 与 1 之间，收到 {coverage}")
    n = len(y)
    if n == 0:
        return 0.0
    scores = 1 - probabilities[np.arange(n), np.searchsorted(np.asarray(CATEGORY_IDS), np.asarray(y))]
    level = min(1.0, np.ceil((n + 1) * coverage) / n)
    return float(1 - np.quantile(scores, level, method="higher"))


def prediction_sets(probabilities: np.ndarray, min_probability: float) -> list[list[int]]:
    """Per case, the categories with probability ≥ ``min_probability``, most probable first (never empty).

    Args:
        probabilities: calibrated probabilities ``(n, 6)``.
        min_probability: ``conformal_threshold``.
    """
    ids = np.asarray(CATEGORY_IDS)
    sets = []
    for row in probabilities:
        order = np.argsort(-row, kind="stable")
        sets.append([int(ids[i]) for rank, i in enumerate(order) if rank == 0 or row[i] >= min_probability])
    return sets


def set_metrics(sets: list[list[int]], y: np.ndarray, probabilities: np.ndarray) -> dict[str, float]:
    """Coverage and size of prediction sets, and how often a singleton ("confident") is right.

    Returns:
        ``coverage``, ``mean_set_size``, ``confident_share`` and ``confident_accuracy`` (NaN-free: 0 when no
        case is confident).
    """
    y = np.asarray(y)
    if not len(y):
        return {"coverage": 0.0, "mean_set_size": 0.0, "confident_share": 0.0, "confident_accuracy": 0.0}
    covered = np.array([label in s for label, s in zip(y, sets, strict=True)])
    single = np.array([len(s) == 1 for s in sets])
    top = np.asarray(CATEGORY_IDS)[probabilities.argmax(axis=1)]
    return {
        "coverage": float(covered.mean()),
        "mean_set_size": float(np.mean([len(s) for s in sets])),
        "confident_share": float(single.mean()),
        "confident_accuracy": float((top[single] == y[single]).mean()) if single.any() else 0.0,
    }


def _bins(confidence: np.ndarray, bins: int) -> np.ndarray:
    return np.minimum((confidence * bins).astype(int), bins - 1)


def expected_calibration_error(probabilities: np.ndarray, y: np.ndarray, bins: int = ECE_BINS) -> float:
    """ECE of the top-1 probability in equal-width bins.

    Args:
        probabilities: ``(n, 6)`` rows for categories 1–6.
        y: true categories ``(n,)``.
        bins: number of confidence bins.
    """
    rows = reliability_table(probabilities, y, bins)
    n = sum(row["n"] for row in rows)
    return float(sum(abs(row["accuracy"] - row["confidence"]) * row["n"] for row in rows) / n) if n else 0.0


def reliability_table(probabilities: np.ndarray, y: np.ndarray, bins: int = ECE_BINS) -> list[dict[str, Any]]:
    """The reliability diagram as data: per non-empty bin of the top probability, its bounds, the number of
    cases, their mean top probability and their accuracy.

    Args:
        probabilities: ``(n, 6)`` rows for categories 1–6.
        y: true categories ``(n,)``.
        bins: number of equal-width bins on [0, 1].
    """
    y = np.asarray(y)
    if not len(y):
        return []
    confidence = probabilities.max(axis=1)
    correct = (np.asarray(CATEGORY_IDS)[probabilities.argmax(axis=1)] == y).astype(float)
    index = _bins(confidence, bins)
    return [
        {
            "low": round(b / bins, 3),
            "high": round((b + 1) / bins, 3),
            "n": int((index == b).sum()),
            "confidence": float(confidence[index == b].mean()),
            "accuracy": float(correct[index == b].mean()),
        }
        for b in range(bins)
        if (index == b).any()
    ]
