"""Raw evidence strength → 0–100 by the percentiles of a reference set (``models/scorer/calibration.json``)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from pipelines.config import MODELS_DIR
from pipelines.criteria.rubric import RUBRIC_FILE, Rubric, ScoreError

CALIBRATION_FILE = MODELS_DIR / "scorer" / "calibration.json"


@dataclass
class Calibration:
    """Maps raw evidence strength to 0–100 by mid-rank percentiles of a reference set.

    ``knots[criterion]`` is a list of ``[raw, score]`` with both strictly increasing; below the first knot
    the score approaches 0 and above the last one 100, exponentially with ``tail[criterion]`` as scale, so
    the map is strictly increasing everywhere (raw strengths can be negative: evidence against).
    """

    rubric_version: str
    rubric_fingerprint: str
    knots: dict[str, list[list[float]]]
    tail: dict[str, float]
    reference: dict[str, Any] = field(default_factory=dict)
    model_version: str = ""  # the learned scorer (models/scorer/model.npz) whose raw scores it maps

    @cached_property
    def _tables(self) -> dict[str, np.ndarray]:
        return {key: np.asarray(knots, dtype=float) for key, knots in self.knots.items()}

    def to_score(self, criterion: str, raw: float) -> float:
        """Score 0–100 of a raw strength."""
        knots = self._tables[criterion]
        first_raw, first_score = knots[0]
        last_raw, last_score = knots[-1]
        if raw < first_raw:
            return float(first_score * math.exp((raw - first_raw) / self.tail[criterion]))
        if raw <= last_raw:
            return float(np.interp(raw, knots[:, 0], knots[:, 1]))
        return float(100.0 - (100.0 - last_score) * math.exp(-(raw - last_raw) / self.tail[criterion]))

    def save(self, path: Path = CALIBRATION_FILE) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), ensure_ascii=False, indent=1), encoding="utf-8")
        return path

    @classmethod
    def load(cls, rubric: Rubric, model_version: str, path: Path = CALIBRATION_FILE) -> Calibration:
        """Load the calibration made for this rubric and this version of the learned scorer.

        Raises:
            ScoreError: ``no_calibration`` when the file is missing or was made for another rubric or model.
        """
        redo = "请运行 python -m pipelines score --calibrate 重新生成"
        if not path.exists():
            raise ScoreError("no_calibration", f"找不到评分校准文件 {path}，{redo}")
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("rubric_fingerprint") != rubric.fingerprint:
            raise ScoreError(
                "no_calibration", f"评分细则 {RUBRIC_FILE.name} 已修改，校准文件 {path} 已过期，{redo}"
            )
        if data.get("model_version", "") != model_version:
            raise ScoreError(
                "no_calibration", f"评分模型已更新（{model_version}），校准文件 {path} 已过期，{redo}"
            )
        return cls(**data)


def fit_knots(raw: np.ndarray, weights: np.ndarray) -> tuple[list[list[float]], float]:
    """Knots of the percentile map and the tail scale for one criterion.

    Args:
        raw: raw strengths of the reference cases, shape ``(n,)``.
        weights: weight of each reference case, shape ``(n,)``, positive.

    Returns:
        ``[[u, 100·F(u)], ...]`` over the distinct values ``u``, where ``F`` is the weighted mid-rank
        empirical CDF, and the tail scale (raw distance between the 50th and 95th percentile, at least 1e-3).
    """
    raw = np.asarray(raw, dtype=float)
    weights = np.asarray(weights, dtype=float) / np.sum(weights)
    knots = []
    for value in np.unique(raw):
        below, equal = weights[raw < value].sum(), weights[raw == value].sum()
        knots.append([round(float(value), 6), round(100.0 * (below + 0.5 * equal), 4)])
    table = np.asarray(knots)
    if len(table) < 2:
        return knots, 1.0
    tail = float(np.interp(95.0, table[:, 1], table[:, 0]) - np.interp(50.0, table[:, 1], table[:, 0]))
    return knots, max(tail, 1e-3)


def fit_calibration(
    rubric: Rubric,
    raws: Callable[[Sequence[tuple[str, str]]], list[dict[str, float]]],
    cases: Sequence[tuple[str, str, float]],
    reference: dict[str, Any],
    model_version: str = "",
) -> Calibration:
    """Calibrate ``rubric`` on reference cases.

    Args:
        rubric: the rubric.
        raws: raw strength per criterion of ``(title, text)`` cases (the offline scorer's ``raw_many``).
        cases: ``(title, text, weight)`` of each reference case.
        reference: description of the reference set stored with the calibration (files, count, hash).
        model_version: the learned scorer whose raw scores ``raws`` gives.

    Returns:
        The calibration.
    """
    measured = raws([(title, text) for title, text, _weight in cases])
    weights = np.asarray([weight for _title, _text, weight in cases])
    knots, tail = {}, {}
    for key in rubric.criteria:
        knots[key], tail[key] = fit_knots(np.asarray([row[key] for row in measured]), weights)
    return Calibration(rubric.version, rubric.fingerprint, knots, tail, reference, model_version)
