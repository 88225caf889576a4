"""Validation that looks like the real shift: units (and sources) the model has not seen.

- ``cross_validate``: k folds grouped by organisation (``unit_keys``: a unit's cases, under any of its names,
  never sit on both sides of a split) and stratified by source × category, over every case except the
  fictional sample history, which is only ever training data. Out-of-fold probabilities of these folds are what calibration, the prediction-set threshold
  and the misfiling threshold are fitted on.
- ``cross_fit_calibration``: honest figures for calibrated probabilities: fold k is calibrated with the
  temperature and conformal threshold fitted on the other folds' out-of-fold predictions.
- ``leave_source_out``: train without one source (corpus or written) and predict it: the style shift.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.model_selection import StratifiedGroupKFold

from pipelines.classify.calibration import (
    TemperatureCalibrator,
    apply_temperature,
    conformal_threshold,
    prediction_sets,
    set_metrics,
)
from pipelines.classify.data import LabelledCase
from pipelines.classify.docs import CaseDoc, prepare
from pipelines.classify.estimator import CategoryClassifier
from pipelines.classify.metrics import classification_metrics
from pipelines.classify.prior import N_CLASSES
from pipelines.units import group_units

TRAIN_ONLY_SOURCES = frozenset({"history"})
# Real cases: calibration, prediction-set and misfiling thresholds are fitted on their out-of-fold predictions
# (the written summaries are evaluated and reported, but their house style is easier than real forms).
CALIBRATION_SOURCES = frozenset({"corpus", "review"})


@dataclass
class Recipe:
    """How a classifier is trained: its parameters and the weight of the fictional history's cases."""

    params: dict[str, Any]
    history_weight: float = 0.5

    def fit(self, cases: Sequence[LabelledCase], docs: Sequence[CaseDoc] | None = None) -> CategoryClassifier:
        """A ``CategoryClassifier`` fitted on ``cases`` (``docs`` = their prepared texts when at hand)."""
        docs = docs if docs is not None else [prepare(c.title, c.text) for c in cases]
        weights = [self.history_weight if c.source == "history" else 1.0 for c in cases]
        return CategoryClassifier(**self.params).fit(
            docs, [c.category for c in cases], [c.second_category for c in cases], sample_weight=weights
        )


@dataclass
class CrossValidation:
    """Out-of-fold raw probabilities ``(n, 6)`` of the evaluated cases and the fold of each."""

    cases: list[LabelledCase]
    probabilities: np.ndarray
    folds: np.ndarray

    @property
    def y(self) -> np.ndarray:
        return np.array([c.category for c in self.cases])

    @property
    def second(self) -> list[int | None]:
        return [c.second_category for c in self.cases]

    @property
    def calibration_rows(self) -> np.ndarray:
        """Boolean mask ``(n,)`` of the rows calibration is fitted on: real cases (all rows when none is real)."""
        real = np.array([c.source in CALIBRATION_SOURCES for c in self.cases], dtype=bool)
        return real if real.any() else np.ones(len(self.cases), dtype=bool)


def unit_keys(cases: Sequence[LabelledCase]) -> list[str]:
    """The fold-grouping key of each case: its organisation as ``pipelines.units.group_units`` sees it (全称,
    简称 and sub-units of one organisation together, transitively, so some unrelated names with a common core
    land in one group too: conservative), or the case itself when it names no unit."""
    groups = group_units([c.group for c in cases])
    return [f"unit:{groups[c.group]}" if c.group in groups else f"{c.source}:{c.id}" for c in cases]


def cross_validate(
    cases: Sequence[LabelledCase],
    recipe: Recipe,
    n_splits: int = 5,
    seed: int = 0,
    never_train: frozenset[str] = frozenset(),
) -> CrossValidation:
    """Grouped k-fold cross-validation.

    Args:
        cases: every labelled case; those of ``TRAIN_ONLY_SOURCES`` are added to every training fold and never
            evaluated.
        recipe: how each fold's model is trained.
        n_splits: folds (fewer when there are fewer units).
        seed: shuffling seed.
        never_train: sources that are evaluated but never trained on (the promotion baseline uses it to leave
            reviewed cases out of training while scoring on the same folds).

    Returns:
        Out-of-fold probabilities of the evaluated cases.
    """
    evaluated = [c for c in cases if c.source not in TRAIN_ONLY_SOURCES]
    always = [c for c in cases if c.source in TRAIN_ONLY_SOURCES]
    docs = [prepare(c.title, c.text) for c in evaluated]
    always_docs = [prepare(c.title, c.text) for c in always]
    strata = [f"{c.source}:{c.category}" for c in evaluated]
    groups = unit_keys(evaluated)
    folds = np.full(len(evaluated), -1)
    probabilities = np.zeros((len(evaluated), N_CLASSES))
    splits = min(n_splits, len(set(groups)))
    splitter = StratifiedGroupKFold(n_splits=splits, shuffle=True, random_state=seed)
    for fold, (train_rows, test_rows) in enumerate(splitter.split(np.zeros(len(strata)), strata, groups)):
        train_rows = [i for i in train_rows if evaluated[i].source not in never_train]
        model = recipe.fit(
            [evaluated[i] for i in train_rows] + always, [docs[i] for i in train_rows] + always_docs
        )
        probabilities[test_rows] = model.predict_proba([docs[i] for i in test_rows])
        folds[test_rows] = fold
    return CrossValidation(evaluated, probabilities, folds)


def cross_fit_calibration(cv: CrossValidation, coverage: float) -> tuple[np.ndarray, list[list[int]]]:
    """Calibrated out-of-fold probabilities ``(n, 6)`` and prediction sets, each fold calibrated on the real
    cases (``CrossValidation.calibration_rows``) of the other folds."""
    calibrated = np.zeros_like(cv.probabilities)
    sets: list[list[int]] = [[] for _ in cv.cases]
    y = cv.y
    for fold in np.unique(cv.folds):
        rest, here = (cv.folds != fold) & cv.calibration_rows, np.flatnonzero(cv.folds == fold)
        calibrator = TemperatureCalibrator().fit(cv.probabilities[rest], y[rest])
        threshold = conformal_threshold(calibrator.transform(cv.probabilities[rest]), y[rest], coverage)
        calibrated[here] = calibrator.transform(cv.probabilities[here])
        for row, found in zip(here, prediction_sets(calibrated[here], threshold), strict=True):
            sets[row] = found
    return calibrated, sets


def choose_coverage(cv: CrossValidation, grid: Sequence[float], accuracy: float) -> float:
    """The smallest coverage in ``grid`` at which singleton ("confident") sets of real cases are right at least
    ``accuracy`` of the time, with cross-fitted calibration; the largest coverage when none is.

    A coverage guarantee says nothing about singletons alone, so the coverage is chosen for what "confident"
    promises the reviewer.
    """
    real = cv.calibration_rows
    for coverage in sorted(grid):
        probabilities, sets = cross_fit_calibration(cv, coverage)
        single = [i for i in np.flatnonzero(real) if len(sets[i]) == 1]
        top = probabilities[single].argmax(axis=1) + 1
        if single and float(np.mean(top == cv.y[single])) >= accuracy:
            return float(coverage)
    return float(max(grid))


def figures(
    probabilities: np.ndarray, sets: list[list[int]], cases: Sequence[LabelledCase]
) -> dict[str, Any]:
    """``classification_metrics`` plus the prediction-set figures (``calibration.set_metrics``)."""
    y = np.array([c.category for c in cases])
    return {
        **classification_metrics(probabilities, y, [c.second_category for c in cases]),
        **set_metrics(sets, y, probabilities),
    }


def by_source(
    probabilities: np.ndarray, sets: list[list[int]], cases: Sequence[LabelledCase]
) -> dict[str, dict[str, Any]]:
    """``figures`` for each source among ``cases`` (reliability and confusion left out)."""
    out = {}
    for source in sorted({c.source for c in cases}):
        rows = [i for i, c in enumerate(cases) if c.source == source]
        found = figures(probabilities[rows], [sets[i] for i in rows], [cases[i] for i in rows])
        out[source] = {
            k: v for k, v in found.items() if k not in {"reliability", "confusion", "per_category"}
        }
    return out


def leave_source_out(
    cases: Sequence[LabelledCase], recipe: Recipe, source: str, temperature: float, min_probability: float
) -> dict[str, Any]:
    """Train on every other source, predict ``source``; figures with the given calibration applied.

    Args:
        cases: every labelled case.
        recipe: how the model is trained.
        source: the held-out source.
        temperature: the calibration temperature (fitted on the grouped folds).
        min_probability: the prediction-set threshold (fitted on the grouped folds).
    """
    held = [c for c in cases if c.source == source]
    rest = [c for c in cases if c.source != source]
    if not held or len({c.category for c in rest}) < 2:
        return {}
    model = recipe.fit(rest)
    probabilities = apply_temperature(
        model.predict_proba([prepare(c.title, c.text) for c in held]), temperature
    )
    found = figures(probabilities, prediction_sets(probabilities, min_probability), held)
    return {k: v for k, v in found.items() if k not in {"reliability", "per_category"}}
