"""The offline scorer: claims → features → the learned linear scorer → calibrated 0–100 scores, with reasons
that cite the claims and say what each did. No network.

Each criterion's raw score is the sum of its claims' contributions (``learned.ScorerModel``); a claim's
contribution, signed, is its finding: ``for`` (it counts), ``discounted`` (it counts, but its kind, hedges
or wording took away more than half of what it would have added) or ``against``.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import scipy.sparse as sp

from pipelines.claims import Claim, extract_claims_many
from pipelines.criteria.calibration import Calibration
from pipelines.criteria.cases import ScoreInput
from pipelines.criteria.evidence import CriterionEvidence, describe, measure
from pipelines.criteria.features import BIGRAM, RUBRIC, claim_features, label
from pipelines.criteria.learned import ScorerModel, default_model
from pipelines.criteria.novelty import Embedder, character_history_rows, novelty_from_embeddings
from pipelines.criteria.rubric import Rubric, default_rubric
from pipelines.schema import ScoreResult
from pipelines.vocabulary import CRITERIA

MAX_CITED = 4  # claims cited per effect in a reason
MAX_NAMES = 3  # features named per cited claim
SHOWN = 0.02  # a contribution smaller than this is not a finding
QUOTED = 0.3  # a claim is quoted as evidence when it adds at least this share of the strongest claim's value
# Characters that make a bigram a poor word to show in a reason (这是、的是、了一): still features, not shown.
_FUNCTION_CHARS = frozenset("的了是这那在和与及为等个也都就而其之以于把被对从向")


@contextmanager
def batch_work() -> Iterator[None]:
    """No cyclic garbage collection while a batch is scored.

    Scoring makes hundreds of thousands of short-lived dicts and lists (claims, grams, feature rows), which
    trigger the collector's full passes over every live object, the models' vocabularies included: about
    13% of the CPU time of a batch of full-length forms, to collect almost nothing (what scoring makes is
    freed by reference counting). The collector is switched back on (if it was on) when the batch ends.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Scorer(Protocol):
    """Anything that scores cases on the four criteria."""

    name: str

    def score(self, submission_id: str, title: str, text: str) -> ScoreResult: ...

    def score_many(self, cases: Sequence[ScoreInput]) -> list[ScoreResult]: ...


@dataclass
class Judgement:
    """One case judged by the learned scorer, before calibration.

    Attributes:
        raw: criterion -> raw score (the sum of its claims' contributions).
        contributions: float ``(claims, 4)``, each claim's contribution per criterion (``CRITERIA`` order).
        findings: criterion -> the claims that moved it, largest first:
            ``{"claim", "effect" (for | discounted | against), "value"}``; the ``MAX_CITED`` largest of each
            effect (the ones the reason cites) also have ``"names"`` (what moved them) and ``"why"`` (what
            the claim is).
        quotes: criterion -> the texts of its strongest supporting claims, in text order.
    """

    raw: dict[str, float]
    contributions: np.ndarray
    findings: dict[str, list[dict]] = field(default_factory=dict)
    quotes: dict[str, list[str]] = field(default_factory=dict)


def _names(
    terms: list[tuple[str, float]], effect: str, claim: int, key: str, subpoints: dict[tuple, list[str]]
) -> list[str]:
    """The words of a claim's reason: the features that moved it most in the direction of its effect
    (``terms`` largest magnitude first); the rubric's part is named by its sub-points."""
    terms = [t for t in terms if not (t[0].startswith(BIGRAM) and _FUNCTION_CHARS & set(t[0][len(BIGRAM) :]))]
    wanted = [t for t in terms if (t[1] < 0) == (effect == "against")][:MAX_NAMES]
    if effect == "discounted":
        wanted = wanted[:2] + [t for t in terms if t[1] < 0][:1]
    names: list[str] = []
    for name, value in wanted:
        if name.startswith(RUBRIC):
            criterion, rubric_effect = name[len(RUBRIC) :].split(":")[:2]
            words = subpoints.get((criterion, claim, rubric_effect), [])
            if criterion != key:
                words = [f"{CRITERIA[criterion]}：{word}" for word in words]
        else:
            words = [label(name) + ("（扣分）" if value < 0 and effect != "against" else "")]
        names += [word for word in words if word not in names]
    return names[: MAX_NAMES + 1]


def judge(
    model: ScorerModel, rubric: Rubric, claims: Sequence[Claim], found: dict[str, CriterionEvidence]
) -> Judgement:
    """Raw scores, per-claim contributions, findings and quotes of one case (see ``Judgement``)."""
    rows = claim_features(claims, found, rubric)
    x = model.matrix(rows)
    contributions = model.contributions(rows, x)
    raw = {key: float(contributions[:, k].sum()) for k, key in enumerate(CRITERIA)}
    judgement = Judgement(raw, contributions)
    subpoints: dict[tuple, list[str]] = {}
    for key, item in found.items():
        for effect in item.effects:
            names = subpoints.setdefault((key, effect.claim, effect.effect), [])
            if effect.name not in names:
                names.append(effect.name)
    terms = x.data[:, None] * model.weights[x.indices]  # every claim's w·x term by term, (nnz, 4)
    rows_of = np.repeat(np.arange(x.shape[0]), np.diff(x.indptr))
    positive, negative = np.maximum(terms, 0.0), -np.minimum(terms, 0.0)
    described: dict[tuple[int, str], str] = {}  # a claim cited with one effect under several criteria
    for k, key in enumerate(CRITERIA):
        gained = np.bincount(rows_of, positive[:, k], minlength=x.shape[0])
        lost = np.bincount(rows_of, negative[:, k], minlength=x.shape[0])
        findings = []
        for i in np.flatnonzero(np.abs(contributions[:, k]) >= SHOWN):
            value = float(contributions[i, k])
            effect = "against" if value < 0 else "discounted" if lost[i] > 0.5 * gained[i] else "for"
            findings.append({"claim": claims[i].index, "effect": effect, "value": round(value, 4)})
        findings.sort(key=lambda item: (-abs(item["value"]), item["claim"]))
        cited: dict[str, int] = {}
        for item in findings:  # the reasons cite the strongest few of each effect: say what moved them
            cited[item["effect"]] = cited.get(item["effect"], 0) + 1
            if cited[item["effect"]] > MAX_CITED:
                continue
            i = item["claim"]
            start, end = x.indptr[i], x.indptr[i + 1]
            parts = terms[start:end, k]
            order = np.argsort(-np.abs(parts), kind="stable")[: 2 * MAX_NAMES + 2]
            named = [(model.names[x.indices[start + j]], float(parts[j])) for j in order]
            item["names"] = _names(named, item["effect"], i, key, subpoints)
            why = described.get((i, item["effect"]))
            if why is None:
                why = described[(i, item["effect"])] = describe(claims[i], item["effect"])
            item["why"] = why
        judgement.findings[key] = findings
        support = [item for item in findings if item["effect"] == "for"]
        strongest = [
            item for item in support[: rubric.max_quotes] if item["value"] >= QUOTED * support[0]["value"]
        ]
        judgement.quotes[key] = [claims[i].text for i in sorted(item["claim"] for item in strongest)]
    return judgement


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


class CharacterRows:
    """Novelty's rows from the lexical embedder's character n-gram block alone.

    Novelty is 1 − the highest cosine similarity to past cases and the batch; the character n-grams (2–3
    characters, TF-IDF) are half of the lexical embedding and need no word segmentation, which was most of
    the scoring time of a full-length form (about 20 ms of jieba per form, 2 ms for the n-grams).

    Args:
        lexical: a fitted ``LexicalEmbedder`` (anything with ``embed_chars(texts) -> CSR rows``).
    """

    def __init__(self, lexical: object) -> None:
        self.lexical = lexical

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Dense float32 ``(n, C)`` rows, L2-normalised."""
        return np.asarray(self.lexical.embed_chars(list(texts)).toarray(), dtype=np.float32)  # type: ignore[attr-defined]


class OfflineScorer:
    """Claims-based learned scorer with percentile calibration; no network.

    Args:
        rubric: defaults to ``data/rubric.yaml``.
        calibration: defaults to ``models/scorer/calibration.json`` (must match the rubric and the model).
        history: texts of past cases for novelty.
        embedder: for novelty; defaults to ``pipelines.backends.embed.get_embedder()``.
        model: the learned weights; defaults to ``models/scorer/`` (``learned.default_model``).
    """

    name = "offline"

    def __init__(
        self,
        rubric: Rubric | None = None,
        calibration: Calibration | None = None,
        history: Sequence[str] = (),
        embedder: Embedder | None = None,
        model: ScorerModel | None = None,
    ) -> None:
        self.rubric = rubric
        self.calibration = calibration
        self.history = history
        self.embedder = embedder
        self.model = model
        self._history_vectors: np.ndarray | None = None

    @property
    def rubric_(self) -> Rubric:
        if self.rubric is None:
            self.rubric = default_rubric()
        return self.rubric

    @property
    def model_(self) -> ScorerModel:
        if self.model is None:
            self.model = default_model()
        return self.model

    @property
    def calibration_(self) -> Calibration:
        if self.calibration is None:
            self.calibration = Calibration.load(self.rubric_, self.model_.version)
        return self.calibration

    def score(self, submission_id: str, title: str, text: str) -> ScoreResult:
        """Score one case; novelty is measured against the history only."""
        return self.score_many([ScoreInput(submission_id, title, text)])[0]

    def score_many(self, cases: Sequence[ScoreInput]) -> list[ScoreResult]:
        """Score a batch; novelty is measured against the history and the rest of the batch."""
        with batch_work():
            novelty = self.novelty(cases)
            claims = extract_claims_many([case.text for case in cases])
            return [self._result(c, value) for c, value in zip(claims, novelty, strict=True)]

    def novelty(self, cases: Sequence[ScoreInput]) -> list[float | None]:
        """Novelty of each case (``novelty_from_embeddings``); all ``None`` when no embedder can be built.

        With the lexical default embedder novelty compares its character n-gram rows (``CharacterRows``).
        The history's vectors are computed once per scorer. The reason an embedder could not be built is
        kept in ``novelty_error_`` (Chinese).
        """
        from pipelines.backends.embed import EmbeddingError, get_embedder

        self.novelty_error_ = ""
        if not cases:
            return []
        try:
            if self.embedder is None:
                default = get_embedder()
                inner = getattr(default, "inner", default)
                self.embedder = CharacterRows(inner) if hasattr(inner, "embed_chars") else default
            batch = self.embedder.embed([f"{c.title}\n{c.text}" for c in cases])
            if self._history_vectors is None:
                self._history_vectors = self._history_rows(batch)
        except EmbeddingError as error:
            self.novelty_error_ = error.message
            return [None] * len(cases)
        values = novelty_from_embeddings(batch, self._history_vectors)
        return [None if math.isnan(value) else round(float(value), 4) for value in values]

    def _history_rows(self, batch: np.ndarray) -> np.ndarray | sp.spmatrix:
        """The history's rows; the lexical character rows stay sparse and on disk, computed only for past
        cases not seen before (dense, 100,000 past cases would take about 4.8 GB)."""
        if not self.history:
            return np.zeros((0, batch.shape[1]), dtype=batch.dtype)
        if isinstance(self.embedder, CharacterRows):
            return character_history_rows(self.embedder.lexical, list(self.history))
        return self.embedder.embed(list(self.history))

    def judge(self, claims: Sequence[Claim]) -> Judgement:
        """The learned judgement of a case's claims (raw scores, contributions, findings, quotes)."""
        return judge(self.model_, self.rubric_, claims, measure(self.rubric_, claims))

    def evidence(self, text: str) -> Judgement:
        """The judgement of ``text`` before calibration."""
        return self.judge(extract_claims_many([text])[0])

    def raw_many(self, cases: Sequence[tuple[str, str]]) -> list[dict[str, float]]:
        """Raw score per criterion of ``(title, text)`` cases (for calibration)."""
        with batch_work():
            claims = extract_claims_many([text for _title, text in cases])
            return [self.judge(c).raw for c in claims]

    def scores(self, judgement: Judgement) -> dict[str, float]:
        """Calibrated 0–100 scores of a judgement, to four decimals (two texts deep in a tail of the
        reference distribution still differ)."""
        return {key: round(self.calibration_.to_score(key, raw), 4) for key, raw in judgement.raw.items()}

    def scores_of(self, text: str) -> dict[str, float]:
        """Calibrated scores of one text."""
        return self.scores(self.evidence(text))

    def _result(self, claims: list[Claim], novelty: float | None) -> ScoreResult:
        judgement = self.judge(claims)
        scores = self.scores(judgement)
        reasons = {
            key: reason_text(
                self.rubric_.criteria[key].name, scores[key], judgement.findings[key], key == "political"
            )
            for key in CRITERIA
        }
        return ScoreResult(
            scores=scores,
            evidence=judgement.quotes,
            scorer=self.name,
            novelty=novelty,
            model=f"rubric-{self.rubric_.version}+claims-{self.model_.version}",
            reasons=reasons,
            claims=[claim.to_dict() for claim in claims],
            findings=judgement.findings,
        )
