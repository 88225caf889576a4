"""``CategoryModel``: a trained classifier with its card, producing calibrated ``CategorySuggestion``s.

The card carries what was fitted on out-of-fold predictions of unseen units: the temperature, the
prediction-set threshold (split conformal at the stated coverage) and the misfiling threshold. A suggestion
is "confident" when its prediction set holds one category; otherwise the app shows the two most likely.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from pipelines.classify import explain
from pipelines.classify.calibration import apply_temperature, prediction_sets
from pipelines.classify.docs import CaseDoc, as_doc, prepare
from pipelines.classify.estimator import CategoryClassifier
from pipelines.classify.metrics import is_misfiled
from pipelines.config import Settings, get_settings
from pipelines.schema import CategorySuggestion
from pipelines.vocabulary import CATEGORY_IDS, CATEGORY_NAMES, category_label

# A definition clause counts as matched when the sentence holds at least this share of its weighted bigrams.
MIN_CLAUSE_COVERAGE = 0.5


@dataclass
class CategoryModel:
    """A trained classifier with its card."""

    classifier: CategoryClassifier
    card: dict[str, Any]

    @property
    def version(self) -> str:
        return str(self.card.get("version", ""))

    @property
    def temperature(self) -> float:
        return float(self.card.get("calibration", {}).get("temperature", 1.0))

    @property
    def coverage(self) -> float:
        return float(self.card.get("prediction_set", {}).get("coverage", 0.0))

    @property
    def min_probability(self) -> float:
        """Probability a category needs to enter the prediction set (1 = only the top category)."""
        return float(self.card.get("prediction_set", {}).get("min_probability", 1.0))

    def misfile_threshold(self, settings: Settings | None = None) -> float:
        """The settings' ``misfile_threshold`` when set (> 0), else the card's."""
        override = (settings or get_settings()).misfile_threshold
        return float(override) if override > 0 else float(self.card.get("misfile_threshold", 0.0))

    def predict_proba(self, X: Sequence[CaseDoc | str], features: sp.csr_matrix | None = None) -> np.ndarray:
        """Calibrated probabilities ``(n, 6)`` of categories 1–6."""
        docs = [as_doc(item) for item in X]
        return apply_temperature(self.classifier.predict_proba(docs, features=features), self.temperature)

    def prediction_sets(self, probabilities: np.ndarray) -> list[list[int]]:
        """Prediction sets of calibrated probabilities ``(n, 6)``, most probable first."""
        return prediction_sets(probabilities, self.min_probability)

    def suggest(
        self, title: str, text: str, declared_category: int | None = None, settings: Settings | None = None
    ) -> CategorySuggestion:
        """The suggestion for one case; see ``suggest_many``."""
        return self.suggest_many([(title, text, declared_category)], settings=settings)[0]

    def suggest_many(
        self, items: Sequence[tuple[str, str, int | None]], settings: Settings | None = None
    ) -> list[CategorySuggestion]:
        """Suggestions for many cases.

        Args:
            items: ``(title, text, declared_category)`` per case; the declared category may be None.
            settings: for the misfiling threshold override; defaults to ``get_settings()``.

        Returns:
            One ``CategorySuggestion`` per case, in order.

        Raises:
            ValueError: a declared category outside 1–6.
        """
        for _, _, declared in items:
            if declared is not None and declared not in CATEGORY_IDS:
                raise ValueError(f"申报类别必须是 1–6，收到“{declared}”")
        docs = [prepare(title, text) for title, text, _ in items]
        if not docs:
            return []
        features = self.classifier.features(docs)
        probabilities = self.predict_proba(docs, features=features)
        sets = self.prediction_sets(probabilities)
        threshold = self.misfile_threshold(settings)
        return [
            self._suggestion(doc, row, found, declared, threshold, None if features is None else features[i])
            for i, (doc, row, found, (_, _, declared)) in enumerate(
                zip(docs, probabilities, sets, items, strict=True)
            )
        ]

    def _suggestion(
        self,
        doc: CaseDoc,
        row: np.ndarray,
        found: list[int],
        declared: int | None,
        threshold: float,
        features: sp.csr_matrix | None,
    ) -> CategorySuggestion:
        ids = list(CATEGORY_IDS)
        order = [ids[i] for i in np.argsort(-row, kind="stable")]
        probabilities = {c: round(float(p), 4) for c, p in zip(ids, row, strict=True)}
        best, runner_up = order[0], order[1]
        confident = len(found) == 1
        misfiled = declared is not None and is_misfiled(row, ids.index(declared), threshold)
        shown = [best] if confident else [best, runner_up]
        evidence, terms = {}, {}
        for category in shown:
            evidence[category], terms[category] = explain.support(
                self.classifier, doc, category, features=features
            )
        suggestion = CategorySuggestion(
            category=best,
            probabilities=probabilities,
            top2=[best, runner_up],
            confident=confident,
            misfiled=misfiled,
            suggested_category=best if misfiled else None,
            evidence=evidence,
            terms=terms,
            model_version=self.version,
            needs_human_check=misfiled,
            prediction_set=found,
        )
        deciding = explain.deciding_phrases(self.classifier, doc, best, runner_up, features=features)
        matches = explain.definition_matches(self.classifier, doc, shown)
        suggestion.reasons = _reasons(
            suggestion, declared, threshold, self.coverage, deciding, shown, matches
        )
        return suggestion


def _reasons(
    s: CategorySuggestion,
    declared: int | None,
    threshold: float,
    coverage: float,
    deciding: tuple[list[str], list[str]],
    shown: list[int],
    matches: list[tuple[str, str, float]],
) -> list[str]:
    best, runner_up = s.top2
    p = s.probabilities
    reasons = [f"最可能的类别：{category_label(best)}（概率 {p[best]:.0%}）"]
    if s.confident:
        reasons.append(f"有把握：在 {coverage:.0%} 覆盖率的预测集合中只有这一个类别")
    else:
        others = "、".join(CATEGORY_NAMES[c] for c in s.prediction_set[1:]) or CATEGORY_NAMES[runner_up]
        reasons.append(
            f"把握不足：在 {coverage:.0%} 覆盖率下还可能是“{others}”"
            f"（第二可能：{category_label(runner_up)}，概率 {p[runner_up]:.0%}），请评审确认"
        )
    for_best, for_runner_up = deciding
    if for_best or for_runner_up:
        reasons.append(
            f"区分“{CATEGORY_NAMES[best]}”与“{CATEGORY_NAMES[runner_up]}”的关键词语："
            f"倾向前者：{'、'.join(for_best) or '无'}；倾向后者：{'、'.join(for_runner_up) or '无'}"
        )
    for category, (sentence, clause, value) in zip(shown, matches, strict=True):
        if value >= MIN_CLAUSE_COVERAGE:
            reasons.append(f"对照指南“{CATEGORY_NAMES[category]}”的定义“{clause}”：{sentence}")
    for category, words in s.terms.items():
        if words:
            reasons.append(f"支持“{CATEGORY_NAMES[category]}”的词语：{'、'.join(words)}")
    if s.misfiled and declared is not None:
        reasons.append(
            f"可能申报错类别：申报的“{CATEGORY_NAMES[declared]}”概率仅 {p[declared]:.1%}（低于阈值 {threshold:.1%}），"
            f"建议核对是否应为“{CATEGORY_NAMES[best]}”"
        )
    return reasons
