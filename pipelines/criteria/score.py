"""Scores on the call's four criteria (政治性、创新性、实效性、典型性), evidence first.

Scores are triage signals for reviewers, never verdicts: every score comes with the sentences behind it.

- ``OfflineScorer`` (default, no network): finds the evidence each sub-point of ``data/rubric.yaml`` asks for
  (figures with their magnitudes, firsts and own R&D, adoption elsewhere, service to public and policy goals),
  sums it into a raw strength per criterion and maps that to 0–100 by the percentiles of a reference set
  (``models/scorer/calibration.json``), so scores spread over the range and stay stable.
- ``LLMScorer``: asks any OpenAI-compatible model through ``pipelines.backends.llm.LLMClient`` with the versioned
  ``rubric_score`` prompt; quotes that do not occur in the submission are dropped and counted.
- ``novelty``: 1 − the highest cosine similarity to past cases and to the rest of this year's batch.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import re
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import yaml

from pipelines import jsonl
from pipelines.backends.prompts import PROMPTS, Prompt
from pipelines.config import DATA_DIR, MODELS_DIR, SAMPLE_DIR, get_settings
from pipelines.schema import ScoreResult
from pipelines.text import chinese_number, normalize, split_sentences
from pipelines.vocabulary import CRITERIA

if TYPE_CHECKING:
    # pipelines.backends.llm imports openai (about 2 s); the offline path never needs it, so the LLM code below
    # imports it where it is used.
    from pipelines.backends.llm import LLMClient, LLMError, LLMResult

RUBRIC_FILE = DATA_DIR / "rubric.yaml"
CALIBRATION_FILE = MODELS_DIR / "scorer" / "calibration.json"
REFERENCE_FILES = (DATA_DIR / "corpus" / "cases.jsonl", DATA_DIR / "corpus" / "extra_cases.jsonl")
HISTORY_DIR = SAMPLE_DIR / "history"
SAMPLE_SUBMISSIONS = SAMPLE_DIR / "submissions_2026.jsonl"
PAIRS_FILE = DATA_DIR / "eval" / "score_pairs.jsonl"
FORM_WEIGHT = 0.8  # share of the application forms in the calibration reference (see reference_cases)
MAX_LLM_CHARS = 12000


# ---------------------------------------------------------------------------------------------- rubric


@dataclass(frozen=True)
class Subpoint:
    """One sub-point of a criterion and how its evidence is found (see ``data/rubric.yaml``)."""

    key: str
    name: str
    evidence: str
    weight: float
    kind: str = "terms"  # terms | quantity
    patterns: tuple[re.Pattern[str], ...] = ()
    context: tuple[re.Pattern[str], ...] = ()
    figure_factor: float = 0.0
    quote: bool = True  # False: weak, generic evidence that counts but is not quoted


@dataclass(frozen=True)
class Criterion:
    key: str
    name: str
    call_text: str
    description: str  # for the UI
    subpoints: tuple[Subpoint, ...]


@dataclass(frozen=True)
class Rubric:
    version: str
    source: str
    max_quotes: int
    criteria: dict[str, Criterion]
    fingerprint: str  # hash of the rubric content; calibrations are tied to it


class ScoreError(Exception):
    """Bad scoring input or a missing calibration; ``message`` is Chinese and says what to do."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _subpoint(raw: dict[str, Any], where: str) -> Subpoint:
    try:
        return Subpoint(
            key=raw["key"],
            name=raw["name"],
            evidence=raw["evidence"],
            weight=float(raw["weight"]),
            kind=raw.get("kind", "terms"),
            patterns=tuple(re.compile(p) for p in raw.get("patterns", [])),
            context=tuple(re.compile(p) for p in raw.get("context", [])),
            figure_factor=float(raw.get("figure_factor", 0.0)),
            quote=bool(raw.get("quote", True)),
        )
    except (KeyError, re.error, ValueError, TypeError) as error:
        raise ScoreError(
            "bad_rubric", f"评分细则 {where} 的子项写法有误（{error}），请对照文件开头的说明修改"
        ) from error


def load_rubric(path: Path = RUBRIC_FILE) -> Rubric:
    """Read the rubric YAML into dataclasses.

    Raises:
        ScoreError: ``bad_rubric`` when the file is missing, not YAML, or lacks one of the four criteria.
    """
    try:
        content = path.read_text(encoding="utf-8")
        raw = yaml.safe_load(content)
    except (OSError, yaml.YAMLError) as error:
        raise ScoreError("bad_rubric", f"无法读取评分细则 {path}：{error}") from error
    missing = set(CRITERIA) - set((raw or {}).get("criteria") or {})
    if missing:
        raise ScoreError("bad_rubric", f"评分细则 {path} 缺少评审标准：{', '.join(sorted(missing))}")
    criteria = {
        key: Criterion(
            key=key,
            name=item["name"],
            call_text=item["call_text"],
            description=" ".join(item["description"].split()),
            subpoints=tuple(_subpoint(sub, f"{path.name}:{key}") for sub in item["subpoints"]),
        )
        for key, item in raw["criteria"].items()
        if key in CRITERIA
    }
    return Rubric(
        version=str(raw["version"]),
        source=raw.get("source", ""),
        max_quotes=int(raw.get("max_quotes", 4)),
        criteria=criteria,
        fingerprint=hashlib.sha256(content.encode("utf-8")).hexdigest()[:16],
    )


@lru_cache(maxsize=1)
def default_rubric() -> Rubric:
    return load_rubric()


# ---------------------------------------------------------------------------------------------- figures

_CN_BIG = {"万": 1e4, "亿": 1e8}
_COUNT_WORDS = (
    "人次|次|人|户|个|家|篇|条|部|场|项|名|位|期|件|款|台|所|元|小时|批次|篇次|册|份|单|幅|集|首|路|座|支|类|种|"
    "万|亿"
)
FIGURE = re.compile(
    r"(?P<number>\d+(?:,\d{3})*(?:\.\d+)?|[零〇一二两三四五六七八九十百千万亿]*[十百千万亿][零〇一二两三四五六七八九十百千万亿]*)"
    r"(?P<big>[万亿]*)(?P<approx>余|多)?"
    rf"(?P<unit>%|倍|(?:{_COUNT_WORDS}))(?!号)"
)
_NOT_FIGURE_BEFORE = re.compile(r"[第周]$")


@dataclass(frozen=True)
class Figure:
    """A number with its unit as written, and its value (``1.2亿`` → 1.2e8; ``35%`` → 35, kind percent)."""

    text: str
    value: float
    kind: str  # count | percent | multiple

    @property
    def magnitude(self) -> float:
        """How much the figure weighs: 1 for tiny counts up to 3 for 1e8, percents and multiples likewise."""
        if self.kind == "percent":
            return 1.0 + math.log10(1.0 + max(self.value, 0.0)) / 2.0
        if self.kind == "multiple":
            return 1.0 + math.log10(1.0 + 100.0 * max(self.value, 0.0)) / 2.0
        return 1.0 + math.log10(max(self.value, 1.0)) / 4.0


def find_figures(text: str) -> list[Figure]:
    """Figures with a unit (万/亿, %, 倍 or a measure word) in ``text``; years, dates and ordinals excluded.

    Args:
        text: a clause or sentence.

    Returns:
        The figures in order of appearance.
    """
    figures = []
    for match in FIGURE.finditer(text):
        if _NOT_FIGURE_BEFORE.search(text[: match.start()]):
            continue
        number = match["number"]
        value = float(number.replace(",", "")) if number[0].isdigit() else chinese_number(number)
        for char in match["big"]:
            value *= _CN_BIG[char]
        unit = match["unit"]
        if unit in _CN_BIG:
            value *= _CN_BIG[unit]
        kind = {"%": "percent", "倍": "multiple"}.get(unit, "count")
        figures.append(Figure(match.group(0), value, kind))
    return figures


# ---------------------------------------------------------------------------------------------- evidence


@dataclass
class Piece:
    """One piece of evidence: what matched, in which sentence, and its strength (1 for a term, the magnitude
    of a figure)."""

    subpoint: str
    sentence: int
    text: str
    strength: float


@dataclass
class CriterionEvidence:
    """The evidence for one criterion in one text."""

    raw: float
    pieces: list[Piece]
    quotes: list[str]
    counts: dict[str, int]  # sub-point key -> pieces found


def _clauses(sentence: str) -> list[str]:
    # An ASCII comma or colon followed by a digit belongs to a number (1,200万) or a time.
    return [part for part in re.split(r"[，：；;、]|,(?!\d)|:(?!\d)", sentence) if part]


def _term_pieces(subpoint: Subpoint, sentences: Sequence[str]) -> list[Piece]:
    pieces = []
    for index, sentence in enumerate(sentences):
        spans = sorted(
            (match.start(), match.end())
            for pattern in subpoint.patterns
            for match in pattern.finditer(sentence)
            if match.end() > match.start()
        )
        end = -1
        for start, stop in spans:
            if start >= end:
                pieces.append(Piece(subpoint.key, index, sentence[start:stop], 1.0))
                end = stop
    return pieces


def _figure_pieces(subpoint: Subpoint, sentences: Sequence[str]) -> list[Piece]:
    pieces = []
    for index, sentence in enumerate(sentences):
        for clause in _clauses(sentence):
            in_context = any(pattern.search(clause) for pattern in subpoint.context)
            factor = 1.0 if in_context else subpoint.figure_factor
            if factor > 0:
                pieces.extend(
                    Piece(subpoint.key, index, figure.text, factor * figure.magnitude)
                    for figure in find_figures(clause)
                )
    return pieces


def unique_sentences(title: str, text: str) -> list[str]:
    """The title and the sentences of ``text``, each distinct sentence once (repetition is not evidence)."""
    sentences = split_sentences(f"{title}\n{text}" if title else text)
    return list(dict.fromkeys(sentences))


def measure(rubric: Rubric, sentences: Sequence[str]) -> dict[str, CriterionEvidence]:
    """Find the evidence of every criterion in ``sentences``.

    A sub-point contributes ``weight * log2(1 + total strength of its pieces)``: every piece counts, so
    removing any piece of evidence lowers the raw strength, while repetition and length add little.

    Args:
        rubric: the rubric.
        sentences: the case's distinct sentences (``unique_sentences``).

    Returns:
        Criterion key -> its evidence, raw strength and best quotes.
    """
    found = {}
    for key, criterion in rubric.criteria.items():
        raw, pieces, counts = 0.0, [], {}
        contribution: dict[int, float] = {}
        for subpoint in criterion.subpoints:
            finder = _figure_pieces if subpoint.kind == "quantity" else _term_pieces
            sub_pieces = finder(subpoint, sentences)
            total = sum(piece.strength for piece in sub_pieces)
            value = subpoint.weight * math.log2(1.0 + total)
            raw += value
            for piece in sub_pieces if subpoint.quote else ():
                share = value * piece.strength / total
                contribution[piece.sentence] = contribution.get(piece.sentence, 0.0) + share
            counts[subpoint.key] = len(sub_pieces)
            pieces.extend(sub_pieces)
        best = sorted(contribution, key=lambda index: (-contribution[index], index))[: rubric.max_quotes]
        found[key] = CriterionEvidence(raw, pieces, [sentences[index] for index in sorted(best)], counts)
    return found


# ---------------------------------------------------------------------------------------------- calibration


@dataclass
class Calibration:
    """Maps raw evidence strength to 0–100 by mid-rank percentiles of a reference set.

    ``knots[criterion]`` is a list of ``[raw, score]`` with both strictly increasing, starting at ``[0, 0]``
    (no evidence scores 0); above the last knot the score approaches 100 exponentially with ``tail[criterion]``
    as scale, so the map is strictly increasing everywhere.
    """

    rubric_version: str
    rubric_fingerprint: str
    knots: dict[str, list[list[float]]]
    tail: dict[str, float]
    reference: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def _tables(self) -> dict[str, np.ndarray]:
        return {key: np.asarray(knots, dtype=float) for key, knots in self.knots.items()}

    def to_score(self, criterion: str, raw: float) -> float:
        """Score 0–100 of a raw strength."""
        knots = self._tables[criterion]
        last_raw, last_score = knots[-1]
        if raw <= last_raw:
            return float(np.interp(raw, knots[:, 0], knots[:, 1]))
        return float(100.0 - (100.0 - last_score) * math.exp(-(raw - last_raw) / self.tail[criterion]))

    def save(self, path: Path = CALIBRATION_FILE) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), ensure_ascii=False, indent=1), encoding="utf-8")
        return path

    @classmethod
    def load(cls, rubric: Rubric, path: Path = CALIBRATION_FILE) -> Calibration:
        """Load the calibration made for this rubric.

        Raises:
            ScoreError: ``no_calibration`` when the file is missing or was made for another rubric.
        """
        redo = "请运行 python -m pipelines score --calibrate 重新生成"
        if not path.exists():
            raise ScoreError("no_calibration", f"找不到评分校准文件 {path}，{redo}")
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("rubric_fingerprint") != rubric.fingerprint:
            raise ScoreError(
                "no_calibration", f"评分细则 {RUBRIC_FILE.name} 已修改，校准文件 {path} 已过期，{redo}"
            )
        return cls(**data)


def fit_knots(raw: np.ndarray, weights: np.ndarray) -> tuple[list[list[float]], float]:
    """Knots of the percentile map and the tail scale for one criterion.

    Args:
        raw: raw strengths of the reference cases, shape ``(n,)``.
        weights: weight of each reference case, shape ``(n,)``, positive.

    Returns:
        ``[[0, 0], [u, 100·F(u)], ...]`` over the distinct positive values ``u``, where ``F`` is the weighted
        mid-rank empirical CDF, and the tail scale (raw distance between the 50th and 95th percentile, at
        least 1e-3).
    """
    raw = np.asarray(raw, dtype=float)
    weights = np.asarray(weights, dtype=float) / np.sum(weights)
    knots = [[0.0, 0.0]]
    for value in np.unique(raw[raw > 0]):
        below, equal = weights[raw < value].sum(), weights[raw == value].sum()
        knots.append([round(float(value), 6), round(100.0 * (below + 0.5 * equal), 4)])
    table = np.asarray(knots)
    tail = float(np.interp(95.0, table[:, 1], table[:, 0]) - np.interp(50.0, table[:, 1], table[:, 0]))
    return knots, max(tail, 1e-3)


def fit_calibration(
    rubric: Rubric, cases: Sequence[tuple[str, str, float]], reference: dict[str, Any]
) -> Calibration:
    """Calibrate ``rubric`` on reference cases.

    Args:
        rubric: the rubric.
        cases: ``(title, text, weight)`` of each reference case.
        reference: description of the reference set stored with the calibration (files, count, hash).

    Returns:
        The calibration.
    """
    raws: dict[str, list[float]] = {key: [] for key in rubric.criteria}
    for title, text, _weight in cases:
        for key, evidence in measure(rubric, unique_sentences(title, text)).items():
            raws[key].append(evidence.raw)
    weights = np.asarray([weight for _title, _text, weight in cases])
    knots, tail = {}, {}
    for key, values in raws.items():
        knots[key], tail[key] = fit_knots(np.asarray(values), weights)
    return Calibration(rubric.version, rubric.fingerprint, knots, tail, reference)


# ---------------------------------------------------------------------------------------------- novelty


def novelty_from_embeddings(batch: np.ndarray, history: np.ndarray) -> np.ndarray:
    """How far each case is from everything else: 1 − its highest cosine similarity.

    Args:
        batch: this year's cases, float ``(n, d)``, L2-normalised rows.
        history: past cases, float ``(m, d)``, L2-normalised rows (``m`` may be 0).

    Returns:
        float ``(n,)`` in [0, 1]: 1 − max(similarity to any other row of ``batch``, to any row of
        ``history``); NaN for a case with nothing to compare with.
    """
    similarities = batch @ batch.T
    np.fill_diagonal(similarities, -np.inf)
    if len(history):
        similarities = np.hstack([similarities, batch @ history.T])
    if similarities.shape[1] == 0:
        return np.full(len(batch), np.nan)
    best = similarities.max(axis=1)
    return np.where(np.isfinite(best), np.clip(1.0 - best, 0.0, 1.0), np.nan)


class _Embedder(Protocol):
    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


def novelty_scores(texts: Sequence[str], history: Sequence[str], embedder: _Embedder) -> list[float | None]:
    """Novelty of each text against the others and the history (``None`` when there is nothing to compare)."""
    if not texts:
        return []
    batch = embedder.embed(list(texts))
    past = embedder.embed(list(history)) if history else np.zeros((0, batch.shape[1]), dtype=batch.dtype)
    values = novelty_from_embeddings(batch, past)
    return [None if math.isnan(value) else round(float(value), 4) for value in values]


# ---------------------------------------------------------------------------------------------- scorers


@dataclass(frozen=True)
class ScoreInput:
    """One case to score."""

    id: str
    title: str
    text: str


class Scorer(Protocol):
    """Anything that scores cases on the four criteria."""

    name: str

    def score(self, submission_id: str, title: str, text: str) -> ScoreResult: ...

    def score_many(self, cases: Sequence[ScoreInput]) -> list[ScoreResult]: ...


class OfflineScorer:
    """Evidence-counting scorer with percentile calibration; no network.

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
        embedder: _Embedder | None = None,
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
        return [self._score(case, value) for case, value in zip(cases, novelty, strict=True)]

    def novelty(self, cases: Sequence[ScoreInput]) -> list[float | None]:
        """Novelty of each case (see ``novelty_from_embeddings``); all ``None`` when no embedder can be built.

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

    def evidence(self, title: str, text: str) -> dict[str, CriterionEvidence]:
        """The evidence per criterion, before calibration."""
        return measure(self.rubric_, unique_sentences(title, text))

    def scores(self, found: dict[str, CriterionEvidence]) -> dict[str, float]:
        """Calibrated 0–100 scores (two decimals) of the evidence found by ``evidence``."""
        return {key: round(self.calibration_.to_score(key, item.raw), 2) for key, item in found.items()}

    def _score(self, case: ScoreInput, novelty: float | None) -> ScoreResult:
        found = self.evidence(case.title, case.text)
        scores = self.scores(found)
        return ScoreResult(
            scores=scores,
            evidence={key: item.quotes for key, item in found.items()},
            scorer=self.name,
            novelty=novelty,
            model=f"rubric-{self.rubric_.version}",
            reasons={key: self._reason(key, item, scores[key]) for key, item in found.items()},
        )

    def _reason(self, key: str, found: CriterionEvidence, score: float) -> str:
        criterion = self.rubric_.criteria[key]
        parts = [
            f"{sub.name} {found.counts[sub.key]} 处" for sub in criterion.subpoints if found.counts[sub.key]
        ]
        if not parts:
            text = f"未找到{criterion.name}的相关证据，得分 0"
        else:
            text = f"找到：{'；'.join(parts)}。得分 {score:.0f} 表示证据多于参考案例中约 {score:.0f}% 的案例"
        figures = [p for p in found.pieces if p.subpoint == "quantified_results"]
        if figures:
            biggest = max(figures, key=lambda piece: piece.strength)
            text += f"；分量最重的数字：{biggest.text}"
        if key == "political":
            text += "。仅提示相关表述，不是对政治性的判断，请评审专家认定"
        return text + "。"


# ---------------------------------------------------------------------------------------------- LLM scorer


def _punctuation_free(text: str) -> str:
    clean = normalize(text)
    return "".join(char for char in clean if unicodedata.category(char)[0] in "LN").lower()


def quote_occurs(quote: str, text: str) -> bool:
    """Whether ``quote`` occurs in ``text`` ignoring whitespace, punctuation and full/half width."""
    needle = _punctuation_free(quote)
    return bool(needle) and needle in _punctuation_free(text)


def validate_rubric_answer(data: dict) -> dict:
    """Check an LLM answer against the rubric schema and normalise it.

    Expected: ``{criterion: {"score": 0-100, "reason": str, "evidence": [str, ...]}}`` for the four criteria.

    Raises:
        ValueError: with a Chinese reason (sent back to the model in the repair round).
    """
    clean = {}
    for key in CRITERIA:
        item = data.get(key)
        if not isinstance(item, dict):
            raise ValueError(f"缺少标准 {key}（应为含 score、reason、evidence 的对象）")
        score = item.get("score")
        if isinstance(score, bool) or not isinstance(score, int | float) or not 0 <= score <= 100:
            raise ValueError(f"{key}.score 应为 0 到 100 之间的数字")
        evidence = item.get("evidence", [])
        if not isinstance(evidence, list) or not all(isinstance(q, str) for q in evidence):
            raise ValueError(f"{key}.evidence 应为字符串列表")
        reason = item.get("reason", "")
        if not isinstance(reason, str):
            raise ValueError(f"{key}.reason 应为字符串")
        clean[key] = {"score": float(score), "reason": reason, "evidence": evidence}
    return clean


class LLMScorer:
    """Scores through an OpenAI-compatible model with the ``rubric_score`` prompt.

    Args:
        client: the shared ``LLMClient``.
        samples: answers averaged per case; defaults to the client's ``llm_samples`` setting.
        history: texts of past cases for novelty (computed locally, as in the offline scorer).
        embedder: for novelty; ``None`` = no novelty.
    """

    name = "llm"

    def __init__(
        self,
        client: LLMClient,
        samples: int | None = None,
        history: Sequence[str] = (),
        embedder: _Embedder | None = None,
    ) -> None:
        self.client = client
        self.samples = samples
        self.history = history
        self.embedder = embedder

    @property
    def prompt(self) -> Prompt:
        return PROMPTS["rubric_score"]

    def score(self, submission_id: str, title: str, text: str) -> ScoreResult:
        """Score one case.

        Raises:
            LLMError: the endpoint is down, refuses the key or answers nonsense (Chinese ``message``).
        """
        result = self.client.complete_json(
            self.prompt, _variables(title, text), validate_rubric_answer, self._n
        )
        novelty = self._novelty([ScoreInput(submission_id, title, text)])[0]
        return _llm_result(result, text, novelty)

    def score_many(self, cases: Sequence[ScoreInput]) -> list[ScoreResult]:
        """Score a batch concurrently.

        Raises:
            LLMError: the first failure, after every request has run (successful answers stay cached).
        """
        from pipelines.backends.llm import LLMError

        results = self.try_many(cases)
        for result in results:
            if isinstance(result, LLMError):
                raise result
        return results  # type: ignore[return-value]

    def try_many(self, cases: Sequence[ScoreInput]) -> list[ScoreResult | LLMError]:
        """Score a batch concurrently; a case whose request failed gets its ``LLMError`` in its place."""
        from pipelines.backends.llm import LLMError

        variables = [_variables(case.title, case.text) for case in cases]
        answers = self.client.map_json(self.prompt, variables, validate_rubric_answer, self._n)
        novelty = self._novelty(cases)
        return [
            answer if isinstance(answer, LLMError) else _llm_result(answer, case.text, value)
            for answer, case, value in zip(answers, cases, novelty, strict=True)
        ]

    @property
    def _n(self) -> int:
        return max(1, self.samples if self.samples is not None else self.client.settings.llm_samples)

    def _novelty(self, cases: Sequence[ScoreInput]) -> list[float | None]:
        if self.embedder is None:
            return [None] * len(cases)
        return novelty_scores([f"{c.title}\n{c.text}" for c in cases], self.history, self.embedder)


def _variables(title: str, text: str) -> dict[str, str]:
    return {"title": title or "（无标题）", "text": normalize(text)[:MAX_LLM_CHARS]}


def _llm_result(result: LLMResult, text: str, novelty: float | None) -> ScoreResult:
    samples = result.samples or [result.data]
    scores, evidence, dropped = {}, {}, 0
    for key in CRITERIA:
        scores[key] = round(sum(sample[key]["score"] for sample in samples) / len(samples), 2)
        quotes = list(
            dict.fromkeys(q.strip() for sample in samples for q in sample[key]["evidence"] if q.strip())
        )
        kept = [quote for quote in quotes if quote_occurs(quote, text)]
        dropped += len(quotes) - len(kept)
        evidence[key] = kept
    return ScoreResult(
        scores=scores,
        evidence=evidence,
        scorer="llm",
        novelty=novelty,
        prompt_version=result.prompt_version,
        model=result.model,
        dropped_quotes=dropped,
        usage={
            "prompt_tokens": result.prompt_tokens,
            "completion_tokens": result.completion_tokens,
            "latency_s": round(result.latency_s, 3),
            "attempts": result.attempts,
            "cached": float(result.cached),
            "samples": len(samples),
        },
        reasons={key: samples[0][key]["reason"] for key in CRITERIA},
    )


@dataclass
class ScoreOutcome:
    """The offline result (always there), the LLM result when it worked, and the error when it did not."""

    offline: ScoreResult
    llm: ScoreResult | None = None
    error: str | None = None

    @property
    def best(self) -> ScoreResult:
        return self.llm or self.offline


def score_with_fallback(
    offline: OfflineScorer, llm: LLMScorer | None, submission_id: str, title: str, text: str
) -> ScoreOutcome:
    """Score offline and, when an LLM scorer is given, with the LLM; an LLM failure keeps the offline scores.

    Returns:
        A ``ScoreOutcome`` whose ``error`` is the Chinese message of the LLM failure, if any.
    """
    return score_many_with_fallback(offline, llm, [ScoreInput(submission_id, title, text)])[0]


def score_many_with_fallback(
    offline: OfflineScorer, llm: LLMScorer | None, cases: Sequence[ScoreInput]
) -> list[ScoreOutcome]:
    """``score_with_fallback`` for a batch: offline scores for all, LLM scores where the requests worked.

    The LLM result takes the novelty of the offline result (measured against the history and the batch).
    """
    outcomes = [ScoreOutcome(result) for result in offline.score_many(cases)]
    if llm is None:
        return outcomes
    for case, outcome, answer in zip(cases, outcomes, llm.try_many(cases), strict=True):
        if isinstance(answer, ScoreResult):
            answer.novelty = outcome.offline.novelty
            outcome.llm = answer
        else:
            outcome.error = f"案例 {case.id}：{answer.message}"
    return outcomes


# ---------------------------------------------------------------------------------------------- data


def _case_text(record: dict[str, Any]) -> str:
    if record.get("text"):
        return str(record["text"])
    sections = record.get("sections") or {}
    return "\n".join(str(value) for value in sections.values())


def read_jsonl(path: Path, required: Iterable[str] = ("id",), cases: bool = True) -> list[dict[str, Any]]:
    """Read a JSON-lines file; with ``cases`` every line must also hold ``text`` (or ``sections``).

    Raises:
        ScoreError: ``bad_input`` naming the file and line when it is missing, not JSON, or lacks a field.
    """
    try:
        lines = jsonl.read_jsonl(path)
    except jsonl.JsonlError as error:
        raise ScoreError("bad_input", error.message) from error
    records = []
    for _, where, record in lines:
        missing = [name for name in required if not record.get(name)]
        if missing or (cases and not _case_text(record)):
            what = "、".join(missing) if missing else "text（或 sections）"
            raise ScoreError("bad_input", f"{where}缺少字段 {what}，请补全后重试")
        records.append(record)
    return records


def to_inputs(records: Iterable[dict[str, Any]]) -> list[ScoreInput]:
    return [ScoreInput(str(r["id"]), str(r.get("title", "")), _case_text(r)) for r in records]


def reference_cases() -> tuple[list[tuple[str, str, float]], dict[str, Any]]:
    """The calibration reference set and its description.

    Scores are percentiles among past application forms: the sample history (forms with sections, like the
    submissions that get scored) weighs ``FORM_WEIGHT``; the corpus (short paraphrases of real cases) weighs
    the rest and gives the map its resolution for short texts. Weighting by count instead would let the many
    short corpus texts push every full application form to the top of the scale.

    Returns:
        ``(title, text, weight)`` per reference case, and ``{"files", "cases", "data_hash"}``.
    """
    groups = [
        ([path for path in REFERENCE_FILES if path.exists()], 1.0 - FORM_WEIGHT),
        (sorted(HISTORY_DIR.glob("*.jsonl")), FORM_WEIGHT),
    ]
    cases, names = [], []
    for paths, weight in groups:
        records = [record for path in paths for record in read_jsonl(path)]
        cases += [(str(r.get("title", "")), _case_text(r), weight / len(records)) for r in records]
        names += [str(path.relative_to(DATA_DIR.parent)) for path in paths]
    digest = hashlib.sha256(json.dumps(cases, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]
    return cases, {"files": names, "cases": len(cases), "data_hash": digest}


def history_texts(path: Path | None) -> list[str]:
    """Texts of past cases for novelty: the given file, or the sample history when none is given."""
    paths = [path] if path else sorted(HISTORY_DIR.glob("*.jsonl"))
    return [f"{r.get('title', '')}\n{_case_text(r)}" for p in paths for r in read_jsonl(p)]


def distribution(results: Sequence[ScoreResult]) -> dict[str, dict[str, float]]:
    """min, quartiles and max of each criterion's scores (and novelty) over ``results``."""
    table = {}
    columns = {key: [r.scores[key] for r in results] for key in CRITERIA}
    columns["novelty"] = [r.novelty for r in results if r.novelty is not None]
    for key, values in columns.items():
        if values:
            q = np.quantile(np.asarray(values, dtype=float), [0, 0.25, 0.5, 0.75, 1])
            table[key] = dict(
                zip(("min", "q1", "median", "q3", "max"), (round(float(v), 2) for v in q), strict=True)
            )
    return table


def evaluate_pairs(scorer: OfflineScorer, pairs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """How often the stronger version of a case scores higher on the criterion its weaker version lacks.

    Args:
        scorer: the offline scorer.
        pairs: records ``{"id", "criterion", "title", "strong", "weak"}``.

    Returns:
        ``{"rate", "n", "by_criterion": {criterion: {"rate", "n"}}, "failures": [...], "other_raised": [...]}``
        where ``other_raised`` lists pairs in which the weaker version scores higher on another criterion.
    """
    wins: dict[str, list[bool]] = {key: [] for key in CRITERIA}
    failures, other_raised = [], []
    for pair in pairs:
        key = pair["criterion"]
        strong = scorer.scores(scorer.evidence(pair.get("title", ""), pair["strong"]))
        weak = scorer.scores(scorer.evidence(pair.get("title", ""), pair["weak"]))
        win = strong[key] > weak[key]
        wins[key].append(win)
        if not win:
            failures.append({"id": pair["id"], "criterion": key, "strong": strong[key], "weak": weak[key]})
        raised = [other for other in CRITERIA if weak[other] > strong[other]]
        if raised:
            other_raised.append({"id": pair["id"], "criteria": raised})
    everything = [win for values in wins.values() for win in values]
    return {
        "rate": round(sum(everything) / max(1, len(everything)), 4),
        "n": len(everything),
        "by_criterion": {
            key: {"rate": round(sum(v) / max(1, len(v)), 4), "n": len(v)} for key, v in wins.items() if v
        },
        "failures": failures,
        "other_raised": other_raised,
    }


# ---------------------------------------------------------------------------------------------- CLI


def add_cli(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "score",
        help="按四项评审标准给案例打分（附证据）",
        description="按政治性、创新性、实效性、典型性打分，每项附原文证据；默认离线评分，不联网。",
    )
    parser.add_argument("--input", type=Path, help='案例 JSONL，每行 {"id","title","text"}（或 "sections"）')
    parser.add_argument(
        "--scorer", choices=("offline", "llm"), default="offline", help="评分方式（默认 offline）"
    )
    parser.add_argument("--history", type=Path, help="往年案例 JSONL（用于新颖度；默认用样例往年案例）")
    parser.add_argument("--output", type=Path, help="结果 JSONL（默认输出到屏幕）")
    parser.add_argument("--summary", action="store_true", help="另外打印各项分数的分布（最小/四分位/最大）")
    parser.add_argument("--calibrate", action="store_true", help="用参考案例重新生成分数校准文件")
    parser.add_argument(
        "--pairs", type=Path, nargs="?", const=PAIRS_FILE, help="评估强弱案例对（默认评估集）"
    )
    parser.set_defaults(func=_cli_score)


def _cli_score(args: argparse.Namespace) -> int:
    try:
        if args.calibrate:
            return _cli_calibrate()
        if args.pairs:
            return _cli_pairs(args.pairs)
        if not args.input:
            print("请用 --input 指定案例文件（或使用 --calibrate、--pairs）", file=sys.stderr)
            return 2
        return _cli_run(args)
    except ScoreError as error:
        print(f"评分失败：{error.message}", file=sys.stderr)
        return 2


def _cli_calibrate() -> int:
    rubric = load_rubric()
    cases, reference = reference_cases()
    calibration = fit_calibration(rubric, cases, reference)
    path = calibration.save(CALIBRATION_FILE)
    print(f"已用 {reference['cases']} 个参考案例（{', '.join(reference['files'])}）生成校准文件 {path}")
    return 0


def _cli_pairs(path: Path) -> int:
    pairs = read_jsonl(path, required=("id", "criterion", "strong", "weak"), cases=False)
    report = evaluate_pairs(OfflineScorer(), pairs)
    print(json.dumps(report, ensure_ascii=False, indent=1))
    return 0


def _cli_run(args: argparse.Namespace) -> int:
    cases = to_inputs(read_jsonl(args.input))
    offline = OfflineScorer(history=history_texts(args.history))
    llm = _llm_scorer(offline.history) if args.scorer == "llm" else None
    outcomes = score_many_with_fallback(offline, llm, cases)
    if offline.novelty_error_:
        print(f"（新颖度未计算：{offline.novelty_error_}）", file=sys.stderr)
    failures = [outcome.error for outcome in outcomes if outcome.error]
    for message in failures:
        print(f"{message}（保留离线评分）", file=sys.stderr)
    results = [outcome.best for outcome in outcomes]
    _write([_output_line(case, result) for case, result in zip(cases, results, strict=True)], args.output)
    if args.summary:
        print(json.dumps(distribution(results), ensure_ascii=False, indent=1), file=sys.stderr)
    return 1 if failures or (args.scorer == "llm" and llm is None) else 0


def _llm_scorer(history: Sequence[str]) -> LLMScorer | None:
    from pipelines.backends.llm import LLMError, get_llm_client

    try:
        client = get_llm_client(get_settings())
    except LLMError as error:
        client, message = None, error.message
    else:
        message = "未配置大模型服务，请在 config.toml 中设置 llm_base_url 和 llm_model"
    if client is None:
        print(f"大模型评分不可用：{message}。输出的是离线评分结果。", file=sys.stderr)
        return None
    return LLMScorer(client, history=history)


def _output_line(case: ScoreInput, result: ScoreResult) -> dict[str, Any]:
    line = {
        "id": case.id,
        "scores": result.scores,
        "novelty": result.novelty,
        "evidence": result.evidence,
        "scorer": result.scorer,
    }
    if result.prompt_version:
        line["prompt_version"] = result.prompt_version
    return line


def _write(lines: Sequence[dict[str, Any]], output: Path | None) -> None:
    text = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
    if output is None:
        sys.stdout.write(text)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
