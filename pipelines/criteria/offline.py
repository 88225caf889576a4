"""The offline scorer: claims → evidence per criterion → calibrated 0–100 scores with reasons that cite
the claims. No network."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from pipelines.claims import Claim, extract_claims_many
from pipelines.criteria.calibration import Calibration
from pipelines.criteria.cases import ScoreInput
from pipelines.criteria.evidence import CriterionEvidence, Effect, measure
from pipelines.criteria.novelty import Embedder, novelty_scores
from pipelines.criteria.rubric import Rubric, default_rubric
from pipelines.schema import ScoreResult

MAX_CITED = 4  # claims cited per effect in a reason


class Scorer(Protocol):
    """Anything that scores cases on the four criteria."""

    name: str

    def score(self, submission_id: str, title: str, text: str) -> ScoreResult: ...

    def score_many(self, cases: Sequence[ScoreInput]) -> list[ScoreResult]: ...


def grouped_findings(effects: Sequence[Effect]) -> list[dict]:
    """Effects merged per claim and effect, strongest first: ``{"claim", "effect", "value", "names", "why"}``."""
    merged: dict[tuple[int, str], dict] = {}
    for effect in effects:
        item = merged.setdefault(
            (effect.claim, effect.effect),
            {"claim": effect.claim, "effect": effect.effect, "value": 0.0, "names": [], "why": effect.why},
        )
        item["value"] = round(item["value"] + effect.value, 4)
        if effect.name not in item["names"]:
            item["names"].append(effect.name)
    return sorted(merged.values(), key=lambda item: (-abs(item["value"]), item["claim"]))


def reason_text(name: str, score: float, findings: Sequence[dict], political: bool = False) -> str:
    """The Chinese reason of one criterion, citing claims by number (第 n 条 = index + 1)."""

    def cite(effect: str) -> str:
        chosen = [item for item in findings if item["effect"] == effect][:MAX_CITED]
        return "；".join(
            f"第{item['claim'] + 1}条（{item['why']}：{'、'.join(item['names'])}）" for item in chosen
        )

    parts = [f"{name}{score:.0f} 分，高于参考案例中约 {score:.0f}% 的案例"]
    support, discounted, against = cite("for"), cite("discounted"), cite("against")
    if not (support or discounted or against):
        parts = [f"未找到{name}的相关证据，得分 {score:.0f}"]
    if support:
        parts.append(f"依据：{support}")
    if discounted:
        parts.append(f"打折计入（计划、投入、背景、他人成果或含糊表述）：{discounted}")
    if against:
        parts.append(f"负面发现：{against}")
    if political:
        parts.append("仅提示相关表述，不是对政治性的判断，请评审专家认定")
    return "。".join(parts) + "。"


class OfflineScorer:
    """Claims-based scorer with percentile calibration; no network.

    Args:
        rubric: defaults to ``data/rubric.yaml``.
        calibration: defaults to ``models/scorer/calibration.json`` (must match the rubric).
        history: texts of past cases for novelty.
        embedder: for novelty; defaults to ``pipelines.backends.embed.get_embedder()``.
    """

    name = "offline"

    def __init__(
        self,
        rubric: Rubric | None = None,
        calibration: Calibration | None = None,
        history: Sequence[str] = (),
        embedder: Embedder | None = None,
    ) -> None:
        self.rubric = rubric
        self.calibration = calibration
        self.history = history
        self.embedder = embedder

    @property
    def rubric_(self) -> Rubric:
        if self.rubric is None:
            self.rubric = default_rubric()
        return self.rubric

    @property
    def calibration_(self) -> Calibration:
        if self.calibration is None:
            self.calibration = Calibration.load(self.rubric_)
        return self.calibration

    def score(self, submission_id: str, title: str, text: str) -> ScoreResult:
        """Score one case; novelty is measured against the history only."""
        return self.score_many([ScoreInput(submission_id, title, text)])[0]

    def score_many(self, cases: Sequence[ScoreInput]) -> list[ScoreResult]:
        """Score a batch; novelty is measured against the history and the rest of the batch."""
        novelty = self.novelty(cases)
        claims = extract_claims_many([case.text for case in cases])
        return [self._result(c, value) for c, value in zip(claims, novelty, strict=True)]

    def novelty(self, cases: Sequence[ScoreInput]) -> list[float | None]:
        """Novelty of each case (``novelty_from_embeddings``); all ``None`` when no embedder can be built.

        The reason an embedder could not be built is kept in ``novelty_error_`` (Chinese).
        """
        from pipelines.backends.embed import EmbeddingError, get_embedder

        self.novelty_error_ = ""
        try:
            embedder = self.embedder if self.embedder is not None else get_embedder()
            return novelty_scores([f"{c.title}\n{c.text}" for c in cases], self.history, embedder)
        except EmbeddingError as error:
            self.novelty_error_ = error.message
            return [None] * len(cases)

    def evidence(self, text: str) -> dict[str, CriterionEvidence]:
        """The evidence per criterion in ``text``, before calibration."""
        return measure(self.rubric_, extract_claims_many([text])[0])

    def raw_many(self, cases: Sequence[tuple[str, str]]) -> list[dict[str, float]]:
        """Raw strength per criterion of ``(title, text)`` cases (for calibration)."""
        claims = extract_claims_many([text for _title, text in cases])
        return [{key: item.raw for key, item in measure(self.rubric_, c).items()} for c in claims]

    def scores(self, found: dict[str, CriterionEvidence]) -> dict[str, float]:
        """Calibrated 0–100 scores (two decimals) of the evidence found by ``evidence``."""
        return {key: round(self.calibration_.to_score(key, item.raw), 2) for key, item in found.items()}

    def scores_of(self, text: str) -> dict[str, float]:
        """Calibrated scores of one text."""
        return self.scores(self.evidence(text))

    def _result(self, claims: list[Claim], novelty: float | None) -> ScoreResult:
        found = measure(self.rubric_, claims)
        scores = self.scores(found)
        findings = {key: grouped_findings(item.effects) for key, item in found.items()}
        reasons = {
            key: reason_text(self.rubric_.criteria[key].name, scores[key], findings[key], key == "political")
            for key in found
        }
        return ScoreResult(
            scores=scores,
            evidence={key: item.quotes for key, item in found.items()},
            scorer=self.name,
            novelty=novelty,
            model=f"rubric-{self.rubric_.version}",
            reasons=reasons,
            claims=[claim.to_dict() for claim in claims],
            findings=findings,
        )
