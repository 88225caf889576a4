"""Training: grouped validation, calibration and thresholds on out-of-fold predictions, a new version with its
card, and promotion only when the new data make the model at least as good on the same grouped folds."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipelines.classify.calibration import TemperatureCalibrator, conformal_threshold
from pipelines.classify.data import LabelledCase, base_cases, data_hash
from pipelines.classify.metrics import choose_misfile_threshold
from pipelines.classify.suggest import CategoryModel
from pipelines.classify.validation import (
    Recipe,
    by_source,
    choose_coverage,
    cross_fit_calibration,
    cross_validate,
    figures,
    leave_source_out,
)
from pipelines.classify.versions import list_versions, save_model
from pipelines.vocabulary import CATEGORY_NAMES

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

# Coverage of the prediction sets (split conformal on grouped folds): the smallest value of this grid at which
# singleton sets of real cases are right at least CONFIDENT_ACCURACY of the time out of fold.
COVERAGE_GRID = (0.95, 0.96, 0.97, 0.98, 0.99)
CONFIDENT_ACCURACY = 0.95
# The fictional sample history is written in one house style; it counts half as much as a real case.
HISTORY_WEIGHT = 0.5
DEFAULT_PARAMS: dict[str, Any] = {}  # CategoryClassifier defaults
HEADLINE = (
    "accuracy",
    "macro_f1",
    "lenient_accuracy",
    "top2_accuracy",
    "log_loss",
    "ece",
    "coverage",
    "mean_set_size",
    "confident_share",
    "confident_accuracy",
)


def training_cases(
    base: Sequence[LabelledCase] | None = None, include_reviews: bool = False, engine: Engine | None = None
) -> list[LabelledCase]:
    """``base`` (default: corpus, written cases and sample history), plus reviewer-confirmed cases from the
    store when ``include_reviews``."""
    cases = list(base) if base is not None else base_cases()
    if include_reviews:
        from pipelines import store
        from pipelines.review.confirmed import confirmed_categories

        cases += [
            LabelledCase(f"review-{c.submission_id}", c.title, c.text, c.category, None, c.unit, "review")
            for c in confirmed_categories(engine or store.get_engine())
        ]
    return cases


def _new_version(root: Path | None) -> str:
    """The UTC time ``YYYYMMDD-HHMMSS``, with ``-2``, ``-3``… when that version already exists."""
    stem = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    existing = set(list_versions(root))
    return next(v for n in range(1, 1000) if (v := stem if n == 1 else f"{stem}-{n}") not in existing)


def _headline(found: dict[str, Any]) -> dict[str, float]:
    return {"n": found["n"], **{k: round(float(found[k]), 4) for k in HEADLINE if k in found}}


def _promotion(
    cases: Sequence[LabelledCase], recipe: Recipe, n_splits: int, candidate: dict[str, Any], coverage: float
) -> dict[str, Any]:
    """Compare with the same recipe trained without the reviewed cases, on the same folds and rows."""
    if not any(c.source == "review" for c in cases):
        return {"promoted": True, "reason": "未加入评审确认的案例：按基础数据训练，直接启用"}
    baseline_cv = cross_validate(cases, recipe, n_splits, never_train=frozenset({"review"}))
    probabilities, sets = cross_fit_calibration(baseline_cv, coverage)
    baseline = figures(probabilities, sets, baseline_cv.cases)
    promoted = candidate["macro_f1"] >= baseline["macro_f1"] - 1e-9
    verdict = "不低于" if promoted else "低于"
    return {
        "promoted": promoted,
        "reason": (
            f"加入评审确认案例后分组验证 macro-F1 {candidate['macro_f1']:.3f}，{verdict}不加入时的 "
            f"{baseline['macro_f1']:.3f}（同一分组、同一批案例）"
            + ("，启用新版本" if promoted else "，不启用")
        ),
        "candidate": _headline(candidate),
        "baseline": _headline(baseline),
    }


def train(
    cases: Sequence[LabelledCase] | None = None,
    include_reviews: bool = False,
    engine: Engine | None = None,
    root: Path | None = None,
    version: str | None = None,
    n_splits: int = 5,
    recipe: Recipe | None = None,
    coverage: float | None = None,
) -> CategoryModel:
    """Validate on grouped folds, calibrate, choose thresholds, fit on all data and save a new version.

    Args:
        cases: training cases before reviews; defaults to corpus, written cases and sample history.
        include_reviews: add reviewer-confirmed categories from the database.
        engine: the database (defaults to the configured one) when ``include_reviews``.
        root: folder of model versions.
        version: version name; defaults to the UTC time ``YYYYMMDD-HHMMSS``.
        n_splits: folds of the grouped validation.
        recipe: classifier parameters and history weight.
        coverage: coverage of the prediction sets; by default chosen on the grouped folds (``COVERAGE_GRID``).

    Returns:
        The saved model; its card says whether it was promoted (used by default).
    """
    cases = training_cases(cases, include_reviews, engine)
    recipe = recipe or Recipe(dict(DEFAULT_PARAMS), HISTORY_WEIGHT)
    cv = cross_validate(cases, recipe, n_splits)
    coverage = coverage or choose_coverage(cv, COVERAGE_GRID, CONFIDENT_ACCURACY)
    real = cv.calibration_rows
    calibrator = TemperatureCalibrator().fit(cv.probabilities[real], cv.y[real])
    calibrated = calibrator.transform(cv.probabilities[real])
    min_probability = conformal_threshold(calibrated, cv.y[real], coverage)
    honest, sets = cross_fit_calibration(cv, coverage)
    found = figures(honest, sets, cv.cases)
    raw = figures(cv.probabilities, [[0]] * len(cv.cases), cv.cases)
    temperature = calibrator.temperature_
    classifier = recipe.fit(cases)
    card = {
        "version": version or _new_version(root),
        "labels": {str(k): v for k, v in CATEGORY_NAMES.items()},
        "data_hash": data_hash(cases),
        "training_size": len(cases),
        "training_sources": dict(Counter(c.source for c in cases)),
        "params": classifier.get_params(),
        "history_weight": recipe.history_weight,
        "metrics": {k: v for k, v in _headline(found).items() if k != "n"},
        "validation": {
            "method": (
                f"StratifiedGroupKFold({n_splits})：按机构分组（同一机构的全称、简称、下属单位不跨折）、"
                "按来源×类别分层；虚构样例往年案例只用于训练，从不进入验证折；概率经温度校准，"
                "每折的温度与预测集合阈值都只用其他折真实案例的折外预测拟合"
            ),
            "n": found["n"],
            "by_source": by_source(honest, sets, cv.cases),
            "uncalibrated": {k: round(raw[k], 4) for k in ("log_loss", "ece")},
            "per_category": found["per_category"],
            "confusion": found["confusion"],
            "reliability": found["reliability"],
            "leave_source_out": {
                source: _headline(result)
                for source in ("corpus", "written")
                if (result := leave_source_out(cases, recipe, source, temperature, min_probability))
            },
        },
        "calibration": {
            "method": "temperature：在真实案例（语料、评审确认）的分组折外预测上按对数损失拟合",
            "fitted_on": int(real.sum()),
            "temperature": round(temperature, 4),
        },
        "prediction_set": {
            "coverage": coverage,
            "rule": f"覆盖率取 {COVERAGE_GRID} 中使真实案例的单一类别集合折外准确率 ≥ {CONFIDENT_ACCURACY:.0%} 的最小值",
            "min_probability": round(min_probability, 4),
        },
        "misfile": choose_misfile_threshold(
            calibrated, cv.y[real], [s for s, keep in zip(cv.second, real, strict=True) if keep]
        ),
        "misfile_threshold": 0.0,
        "promotion": _promotion(cases, recipe, n_splits, found, coverage),
        "evaluations": {},
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    card["misfile_threshold"] = card["misfile"]["threshold"]
    return save_model(classifier, card, root)
