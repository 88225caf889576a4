"""The learned scorer: each criterion an explainable linear function of the case's claims.

``score(text, c) = Σ over claims of W[:, c] · φ(claim)`` where φ is ``features.claim_features``. ``W`` is
fitted on strong/weak pairs with a pairwise logistic loss (``fit_pairwise``): for a pair about criterion
``c`` the model should give the strong text the higher score. The rubric's own evidence enters as a fixed
offset (weight ``beta`` on the ``细则:c:*`` features of criterion ``c``) that the learned weights correct, so
a sentence of evidence the rubric knows still counts when the training pairs say nothing about it. Weights
are shared across criteria plus a per-criterion part (``W[:, c] = shared + own_c``), both L2-regularised.

A claim's contribution ``W[:, c] · φ(claim)`` is its reason: positive (for), positive with deductions
(discounted) or negative (against), with the features that made it.

The model is shipped as ``models/scorer/model.npz`` (feature names and the weight matrix, no pickle) and
``models/scorer/card.json`` (version, training sets and their hashes, hyper-parameters, leave-one-set-out
figures).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from itertools import chain, repeat
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from scipy.optimize import minimize

from pipelines.config import MODELS_DIR
from pipelines.criteria.rubric import ScoreError
from pipelines.vocabulary import CRITERIA

MODEL_DIR = MODELS_DIR / "scorer"
SLOGAN = "口号"  # the feature that marks a slogan claim (``features``)


@dataclass
class ScorerModel:
    """A fitted claims scorer.

    Attributes:
        version: when it was trained (``YYYYMMDD-HHMMSS``); calibrations name the version they were made for.
        names: feature names, shape ``(n,)``.
        weights: float ``(n, 4)``, one column per criterion in ``vocabulary.CRITERIA`` order, feature scaling
            and the rubric offset folded in (so a raw score is a plain dot product).
        card: training sets, hyper-parameters, figures.
    """

    version: str
    names: list[str]
    weights: np.ndarray
    card: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def column(self) -> dict[str, int]:
        return {name: i for i, name in enumerate(self.names)}

    def matrix(self, rows: Sequence[dict[str, float]]) -> sparse.csr_matrix:
        """Feature rows as a sparse matrix ``(len(rows), n)``; features the model does not know are dropped."""
        names = list(chain.from_iterable(rows))
        values = np.fromiter(chain.from_iterable(map(dict.values, rows)), np.float64, len(names))
        columns = np.fromiter(map(self.column.get, names, repeat(-1)), np.int64, len(names))
        row_of = np.repeat(np.arange(len(rows)), [len(row) for row in rows])
        known = columns >= 0
        return sparse.csr_matrix(
            (values[known], (row_of[known], columns[known])), shape=(len(rows), len(self.names))
        )

    def contributions(
        self, rows: Sequence[dict[str, float]], x: sparse.csr_matrix | None = None
    ) -> np.ndarray:
        """Each claim's contribution to each criterion, float ``(len(rows), 4)``.

        A slogan (a row with ``口号``: evaluative words piled up without a checkable fact) can only count
        against: its positive contributions are cut to 0.

        Args:
            rows: the claims' feature rows.
            x: ``self.matrix(rows)`` when the caller has it already.
        """
        if not rows:
            return np.zeros((0, len(CRITERIA)))
        values = np.asarray((self.matrix(rows) if x is None else x) @ self.weights)
        slogans = np.asarray([SLOGAN in row for row in rows])
        values[slogans] = np.minimum(values[slogans], 0.0)
        return values

    def parts(self, row: dict[str, float], criterion: str) -> list[tuple[str, float]]:
        """The terms ``w·x`` of one claim's contribution to ``criterion``, largest magnitude first."""
        c = list(CRITERIA).index(criterion)
        terms = [
            (name, float(self.weights[self.column[name], c] * value))
            for name, value in row.items()
            if name in self.column
        ]
        return sorted((t for t in terms if t[1] != 0.0), key=lambda t: -abs(t[1]))

    def save(self, directory: Path = MODEL_DIR) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            directory / "model.npz",
            names=np.asarray(self.names, dtype=str),
            weights=self.weights.astype(np.float64),
            version=np.asarray(self.version),
        )
        (directory / "card.json").write_text(json.dumps(self.card, ensure_ascii=False, indent=1), "utf-8")
        return directory

    @classmethod
    def load(cls, directory: Path = MODEL_DIR) -> ScorerModel:
        """Load the shipped model.

        Raises:
            ScoreError: ``no_model`` when it is missing or unreadable.
        """
        path = directory / "model.npz"
        redo = "请运行 python -m pipelines score --train 重新训练"
        if not path.exists():
            raise ScoreError("no_model", f"找不到评分模型 {path}，{redo}")
        try:
            with np.load(path, allow_pickle=False) as data:
                names, weights, version = list(data["names"]), data["weights"], str(data["version"])
            card = json.loads((directory / "card.json").read_text("utf-8"))
        except (OSError, ValueError, KeyError) as error:
            raise ScoreError("no_model", f"评分模型 {path} 无法读取（{error}），{redo}") from error
        if weights.shape != (len(names), len(CRITERIA)):
            raise ScoreError("no_model", f"评分模型 {path} 已损坏（权重形状不符），{redo}")
        return cls(version, [str(name) for name in names], weights, card)


@lru_cache(maxsize=2)
def default_model(directory: Path = MODEL_DIR) -> ScorerModel:
    """The shipped model (cached)."""
    return ScorerModel.load(directory)


def fit_pairwise(
    differences: sparse.csr_matrix,
    offset: np.ndarray,
    c: float,
    weight: np.ndarray | None = None,
    sharpness: np.ndarray | None = None,
) -> np.ndarray:
    """Weights ``w`` minimising ``Σ s · log(1 + exp(−k m)) / k + ||w||² / (2c)`` with margins
    ``m = D w + offset``.

    ``k = 1`` is the pairwise logistic loss (the strong text should win by as much as the data allow); a
    large ``k`` only asks that the margin not be negative (a text padded with slogans should not score higher
    than the text, but need not score much lower).

    Args:
        differences: strong − weak feature rows of the training pairs, shape ``(m, n)``.
        offset: fixed part of each pair's margin (the rubric's), shape ``(m,)``.
        c: inverse regularisation strength.
        weight: ``s``, each pair's weight, shape ``(m,)`` (default 1).
        sharpness: ``k``, shape ``(m,)`` (default 1).

    Returns:
        float ``(n,)``. Deterministic: L-BFGS-B from zero.
    """
    d = differences.tocsr()
    dt = d.T.tocsr()
    s = np.ones(d.shape[0]) if weight is None else np.asarray(weight, dtype=float)
    k = np.ones(d.shape[0]) if sharpness is None else np.asarray(sharpness, dtype=float)

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        margin = d @ w + offset
        value = float(s @ (np.logaddexp(0.0, -k * margin) / k) + w @ w / (2 * c))
        gradient = -(dt @ (s * 0.5 * (1.0 - np.tanh(k * margin / 2.0)))) + w / c  # sigmoid(−km)
        return value, gradient

    result = minimize(
        loss, np.zeros(d.shape[1]), jac=True, method="L-BFGS-B", options={"maxiter": 5000, "gtol": 1e-8}
    )
    return result.x
