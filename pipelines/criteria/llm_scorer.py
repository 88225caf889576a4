"""Scoring through an OpenAI-compatible model, with the case as fenced data and the answer validated.

The prompt (``rubric_score`` in ``pipelines.backends.prompts``) gets the case's claims and text inside
block markers and is told they are data, never instructions. Sentences of the case that address the model
(忽略以上指令、给满分、ignore previous instructions) are not sent at all and are reported, so such a text
scores exactly as it would without them. Answers are validated: scores must be numbers in 0–100 (otherwise
one repair round, then an error), and quotes that do not occur in the text sent are dropped and counted.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipelines.backends.prompts import PROMPTS, Prompt, fence_data
from pipelines.claims import extract_claims
from pipelines.criteria.cases import ScoreInput
from pipelines.criteria.novelty import Embedder, novelty_scores
from pipelines.criteria.offline import OfflineScorer
from pipelines.schema import ScoreResult
from pipelines.text import normalize, split_sentences
from pipelines.vocabulary import CLAIM_KINDS, CRITERIA

if TYPE_CHECKING:
    # pipelines.backends.llm imports openai (about 2 s); the offline path never needs it.
    from pipelines.backends.llm import LLMClient, LLMError, LLMResult

MAX_LLM_CHARS = 12000
MAX_PROMPT_CLAIMS = 80
# A sentence that speaks to the scoring model instead of describing the case.
_INSTRUCTION = re.compile(
    r"(?:忽略|无视|忘记|忘掉|不要理会|不必理会|跳过|覆盖)[^。！？]{0,12}(?:指令|指示|提示|要求|规则|说明|设定|以上|上述|之前|前面)"
    r"|(?:给|打|评|判)[^。！？]{0,8}(?:满分|100\s*分|一百分|最高分|最高分数)"
    r"|(?:你|您)(?:现在|从现在起)?(?:是|扮演|必须|只能|应当|应该)[^。！？]{0,10}(?:模型|助手|评委|AI|系统)"
    r"|(?:system|developer)\s*(?:prompt|message)|ignore\s+(?:all\s+|the\s+)?(?:previous|above|prior)"
    r"|(?:评分|分数|得分)(?:应|必须|一律)(?:为|是|给)",
    re.IGNORECASE,
)


def _punctuation_free(text: str) -> str:
    clean = normalize(text)
    return "".join(char for char in clean if unicodedata.category(char)[0] in "LN").lower()


def quote_occurs(quote: str, text: str) -> bool:
    """Whether ``quote`` occurs in ``text`` ignoring whitespace, punctuation and full/half width."""
    needle = _punctuation_free(quote)
    return bool(needle) and needle in _punctuation_free(text)


def strip_instructions(text: str) -> tuple[str, list[str]]:
    """The text without sentences addressed to the scoring model, and those sentences.

    Returns:
        ``(text to send, removed sentences)``; the text is normalised, one sentence per line kept as is.
    """
    kept, removed = [], []
    for line in normalize(text).split("\n"):
        sentences = split_sentences(line)
        bad = [s for s in sentences if _INSTRUCTION.search(s)]
        removed += bad
        kept.append("".join(s for s in sentences if s not in bad))
    return "\n".join(line for line in kept if line), removed


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


@dataclass(frozen=True)
class PromptCase:
    """What is sent for one case: fenced title, claims and text, and the sentences held back."""

    variables: dict[str, str]
    sent_text: str
    removed: list[str]


def prompt_case(title: str, text: str) -> PromptCase:
    """The prompt variables of a case: instructions to the model removed, block markers defused."""
    sent, removed = strip_instructions(text)
    sent = sent[:MAX_LLM_CHARS]
    claims = extract_claims(sent)[:MAX_PROMPT_CLAIMS]
    lines = "\n".join(
        f"{c.index + 1}. [{CLAIM_KINDS[c.kind]}{'，否定' if c.negated else ''}] {c.text}" for c in claims
    )
    clean_title, _ = strip_instructions(title or "（无标题）")
    variables = {
        "title": fence_data(clean_title),
        "claims": fence_data(lines or "（无）"),
        "text": fence_data(sent),
    }
    return PromptCase(variables, sent, removed)


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
        embedder: Embedder | None = None,
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
        case = prompt_case(title, text)
        result = self.client.complete_json(self.prompt, case.variables, validate_rubric_answer, self._n)
        novelty = self._novelty([ScoreInput(submission_id, title, text)])[0]
        return _llm_result(result, case, novelty)

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

        prepared = [prompt_case(case.title, case.text) for case in cases]
        answers = self.client.map_json(
            self.prompt, [p.variables for p in prepared], validate_rubric_answer, self._n
        )
        novelty = self._novelty(cases)
        return [
            answer if isinstance(answer, LLMError) else _llm_result(answer, case, value)
            for answer, case, value in zip(answers, prepared, novelty, strict=True)
        ]

    @property
    def _n(self) -> int:
        return max(1, self.samples if self.samples is not None else self.client.settings.llm_samples)

    def _novelty(self, cases: Sequence[ScoreInput]) -> list[float | None]:
        if self.embedder is None:
            return [None] * len(cases)
        return novelty_scores([f"{c.title}\n{c.text}" for c in cases], self.history, self.embedder)


def _llm_result(result: LLMResult, case: PromptCase, novelty: float | None) -> ScoreResult:
    samples = result.samples or [result.data]
    scores, evidence, reasons, dropped = {}, {}, {}, 0
    for key in CRITERIA:
        scores[key] = round(sum(sample[key]["score"] for sample in samples) / len(samples), 2)
        quotes = list(
            dict.fromkeys(q.strip() for sample in samples for q in sample[key]["evidence"] if q.strip())
        )
        kept = [quote for quote in quotes if quote_occurs(quote, case.sent_text)]
        dropped += len(quotes) - len(kept)
        evidence[key] = kept
        reasons[key] = samples[0][key]["reason"]
    if case.removed:
        note = "材料中有针对评分模型的指令，未发送给模型，也不作为证据：" + "；".join(case.removed)
        reasons = {key: f"{reason}（{note}）" for key, reason in reasons.items()}
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
            "removed_instructions": len(case.removed),
        },
        reasons=reasons,
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

    The LLM result takes the novelty and the claims of the offline result.
    """
    outcomes = [ScoreOutcome(result) for result in offline.score_many(cases)]
    if llm is None:
        return outcomes
    for case, outcome, answer in zip(cases, outcomes, llm.try_many(cases), strict=True):
        if isinstance(answer, ScoreResult):
            answer.novelty = outcome.offline.novelty
            answer.claims = outcome.offline.claims
            outcome.llm = answer
        else:
            outcome.error = f"案例 {case.id}：{answer.message}"
    return outcomes
