"""The model card as tables for the workbench: headline figures per evaluation side by side, the reliability
diagram's data, and whether (and why) the version is the one in use."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from pipelines.classify.versions import active_version, is_promoted, list_versions, read_card

FIGURES: dict[str, str] = {
    "n": "案例数",
    "macro_f1": "macro-F1",
    "accuracy": "准确率",
    "lenient_accuracy": "宽松准确率（任一标注类别）",
    "top2_accuracy": "前二准确率",
    "ece": "ECE（最高概率）",
    "coverage": "预测集合覆盖率",
    "confident_share": "有把握（单一类别）占比",
    "confident_accuracy": "有把握案例准确率",
    "false_flag_rate": "疑似错报：正确申报误标率",
    "detection_rate": "疑似错报：错报检出率",
}


@dataclass
class ModelCardView:
    """What the model page shows for one version."""

    version: str
    active: bool
    promoted: bool
    promotion_reason: str
    training_sources: dict[str, int]
    calibration: str
    figures: pd.DataFrame  # rows: FIGURES labels; one column per evaluation
    reliability: pd.DataFrame  # columns: 评估, 区间, 平均概率, 准确率, 件数


def _column(found: dict[str, Any], misfile: dict[str, Any] | None) -> dict[str, Any]:
    merged = {**found, **(misfile or {})}
    return {label: merged.get(key) for key, label in FIGURES.items()}


def _evaluations(card: dict[str, Any]) -> list[tuple[str, dict[str, Any], dict[str, Any] | None]]:
    validation = card.get("validation", {})
    grouped = {**card.get("metrics", {}), "n": validation.get("n")}
    out = [("分组验证（未见过的单位）", grouped, card.get("misfile"))]
    names = {"corpus": "其中：真实语料", "written": "其中：新写案例", "review": "其中：评审确认"}
    for source, found in validation.get("by_source", {}).items():
        out.append((names.get(source, source), found, None))
    for source, found in validation.get("leave_source_out", {}).items():
        out.append((f"留出来源：{names.get(source, source).removeprefix('其中：')}", found, None))
    for name, found in card.get("evaluations", {}).items():
        out.append((f"新案例检验：{name}", found, found.get("misfile")))
    return out


def model_card_view(version: str | None = None, root: Path | None = None) -> ModelCardView | None:
    """The card of ``version`` (the active one by default) as tables; None when no model exists."""
    versions = list_versions(root)
    if not versions:
        return None
    active = active_version(root)
    version = version or active or versions[-1]
    card = read_card(version, root)
    evaluations = _evaluations(card)
    figures = pd.DataFrame({name: _column(found, misfile) for name, found, misfile in evaluations})
    reliability = [
        {
            "评估": name,
            "区间": f"{row['low']:.1f}–{row['high']:.1f}",
            "平均概率": row["confidence"],
            "准确率": row["accuracy"],
            "件数": row["n"],
        }
        for name, found in [
            ("分组验证（未见过的单位）", card.get("validation", {})),
            *((f"新案例检验：{k}", v) for k, v in card.get("evaluations", {}).items()),
        ]
        for row in found.get("reliability", [])
    ]
    calibration = card.get("calibration", {})
    sets = card.get("prediction_set", {})
    return ModelCardView(
        version=version,
        active=version == active,
        promoted=is_promoted(card),
        promotion_reason=card.get("promotion", {}).get("reason", ""),
        training_sources=card.get("training_sources", {}),
        calibration=(
            f"温度 {calibration.get('temperature', 1.0):.2f}；预测集合覆盖率 {sets.get('coverage', 0):.0%}"
            f"（概率不低于 {sets.get('min_probability', 1.0):.3f} 的类别进入集合）"
        ),
        figures=figures,
        reliability=pd.DataFrame(reliability, columns=["评估", "区间", "平均概率", "准确率", "件数"]),
    )
