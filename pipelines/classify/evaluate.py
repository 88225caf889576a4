"""``evaluate``: figures of the classifier on a labelled file (with the shipped calibration), or on grouped
folds of the training data when no file is given; ``format_metrics`` prints them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from pipelines.classify.data import LabelledCase, base_cases, load_labelled
from pipelines.classify.docs import prepare
from pipelines.classify.metrics import classification_metrics, declared_misfile_metrics
from pipelines.classify.training import CONFIDENT_ACCURACY, COVERAGE_GRID, DEFAULT_PARAMS, HISTORY_WEIGHT
from pipelines.classify.validation import (
    Recipe,
    by_source,
    choose_coverage,
    cross_fit_calibration,
    cross_validate,
    figures,
)
from pipelines.classify.versions import load_model, write_card
from pipelines.vocabulary import CATEGORY_IDS, category_label


def evaluate(
    input_path: Path | None = None,
    version: str | None = None,
    n_splits: int = 5,
    seed: int = 0,
    root: Path | None = None,
) -> dict[str, Any]:
    """Figures of the classifier.

    Args:
        input_path: labelled JSON lines (``text``/``title``/``category``, optional ``second_category`` and
            ``declared_category``); when None, grouped cross-validation of the training recipe.
        version: model version for ``input_path`` (the active one by default).
        n_splits: folds.
        seed: fold shuffling seed.
        root: folder of model versions.

    Returns:
        ``validation.figures`` plus ``source`` (what was measured); for a file, also the misfiling flag on the
        declared categories (``misfile``) and the model ``version``.

    Raises:
        FileNotFoundError: the file or the model version does not exist.
        ValueError: a bad line in the file.
    """
    if input_path is None:
        cases = base_cases()
        cv = cross_validate(cases, Recipe(dict(DEFAULT_PARAMS), HISTORY_WEIGHT), n_splits=n_splits, seed=seed)
        coverage = choose_coverage(cv, COVERAGE_GRID, CONFIDENT_ACCURACY)
        probabilities, sets = cross_fit_calibration(cv, coverage)
        return {
            "source": f"分组交叉验证（{n_splits} 折，按机构分组（同一机构的全称、简称不跨折），虚构往年案例只训练不验证，seed={seed}；预测集合覆盖率 {coverage:.0%}）",
            **figures(probabilities, sets, cv.cases),
            "by_source": by_source(probabilities, sets, cv.cases),
        }
    if not Path(input_path).is_file():
        raise FileNotFoundError(f"找不到标注文件 {input_path}，请检查路径")
    cases = load_labelled(Path(input_path), source="file")
    model = load_model(version, root)
    probabilities = model.predict_proba([prepare(c.title, c.text) for c in cases])
    found = figures(probabilities, model.prediction_sets(probabilities), cases)
    found["misfile"] = declared_misfile_metrics(
        probabilities,
        [c.declared_category for c in cases],
        [c.category for c in cases],
        [c.second_category for c in cases],
        model.misfile_threshold(),
    )
    found["by_boundary"] = by_boundary(probabilities, cases)
    return {"source": f"{input_path}（模型 {model.version}）", "version": model.version, **found}


def by_boundary(probabilities: np.ndarray, cases: list[LabelledCase]) -> dict[str, dict[str, float]]:
    """Accuracy, lenient and top-2 accuracy of the cases marked as sitting on each category boundary."""
    out = {}
    for boundary in sorted({c.boundary for c in cases if c.boundary}):
        rows = [i for i, c in enumerate(cases) if c.boundary == boundary]
        found = classification_metrics(
            probabilities[rows], [cases[i].category for i in rows], [cases[i].second_category for i in rows]
        )
        out[boundary] = {k: found[k] for k in ("n", "accuracy", "lenient_accuracy", "top2_accuracy")}
    return out


def save_to_card(metrics: dict[str, Any], name: str, input_path: Path, root: Path | None = None) -> None:
    """Record the figures of ``evaluate(input_path)`` in the card of the version they were measured with."""
    model = load_model(metrics["version"], root)
    card = dict(model.card)
    kept = {k: v for k, v in metrics.items() if k not in {"source", "version"}}
    card.setdefault("evaluations", {})[name] = {
        "input": str(input_path),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        **kept,
    }
    write_card(card, root)


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def format_metrics(metrics: dict[str, Any]) -> str:
    """A plain-text report of ``evaluate`` (Chinese labels)."""
    lines = [
        f"评估对象：{metrics.get('source', '')}（{metrics['n']} 个案例）",
        f"accuracy 准确率        {metrics['accuracy']:.3f}",
        f"macro-F1               {metrics['macro_f1']:.3f}",
        f"lenient 宽松准确率     {metrics['lenient_accuracy']:.3f}",
        f"top-2 准确率           {metrics['top2_accuracy']:.3f}",
        f"ECE 校准误差           {metrics['ece']:.3f}",
        f"log-loss               {metrics['log_loss']:.3f}",
    ]
    if "coverage" in metrics:
        lines += [
            f"预测集合覆盖率         {metrics['coverage']:.3f}（平均 {metrics['mean_set_size']:.2f} 个类别）",
            f"有把握（单一类别）     占 {metrics['confident_share']:.1%}，其中正确 {metrics['confident_accuracy']:.1%}",
        ]
    if misfile := metrics.get("misfile"):
        lines.append(
            f"疑似错报（申报类别）   错报 {misfile['n_wrong']} 件，检出 {_rate(misfile['detection_rate'])}；"
            f"正确申报误标 {_rate(misfile['false_flag_rate'])}；申报为第二类别被标 {_rate(misfile['second_flag_rate'])}"
        )
    for source, row in metrics.get("by_source", {}).items():
        lines.append(
            f"  来源 {source:<8} n={row['n']:<4d} macro-F1 {row['macro_f1']:.3f}  宽松 {row['lenient_accuracy']:.3f}  "
            f"前二 {row['top2_accuracy']:.3f}  ECE {row['ece']:.3f}  有把握 {row['confident_share']:.0%}/"
            f"正确 {row['confident_accuracy']:.1%}"
        )
    for boundary, row in metrics.get("by_boundary", {}).items():
        lines.append(
            f"  边界 {boundary:<6} n={row['n']:<4d} 准确率 {row['accuracy']:.3f}  宽松 {row['lenient_accuracy']:.3f}  "
            f"前二 {row['top2_accuracy']:.3f}"
        )
    lines += ["", "类别                    precision  recall  support"]
    for category, row in metrics["per_category"].items():
        lines.append(
            f"{category_label(int(category)):<18}  {row['precision']:>9.3f}  {row['recall']:>6.3f}  {row['support']:>7d}"
        )
    lines += ["", "混淆矩阵（行 = 真实类别，列 = 预测类别 1–6）："]
    lines += [
        f"  {i}  " + " ".join(f"{v:>4d}" for v in row)
        for i, row in zip(CATEGORY_IDS, metrics["confusion"], strict=True)
    ]
    lines += ["", "可靠性（最高概率分箱：件数  平均概率  准确率）："]
    lines += [
        f"  {row['low']:.1f}–{row['high']:.1f}  {row['n']:>4d}  {row['confidence']:.3f}  {row['accuracy']:.3f}"
        for row in metrics.get("reliability", [])
    ]
    return "\n".join(lines)
