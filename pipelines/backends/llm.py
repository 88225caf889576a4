"""The one client for any OpenAI-compatible chat endpoint (DeepSeek, Qwen, vLLM, Ollama, ...).

Every LLM call of the workbench goes through ``LLMClient.complete_json``: temperature 0, JSON answers parsed
and validated (one repair round), retries with exponential backoff and jitter on 429/5xx/timeouts/connection
errors (honouring ``Retry-After``), a concurrency limit shared by all threads using the client, and a cache
keyed by (hash of the rendered messages, prompt version, model). Failures become ``LLMError`` with a stable
``code`` and a Chinese ``message`` that says what happened and what to do.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import random
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import openai

from pipelines.backends.llm_answers import (
    InvalidAnswer,
    answer_content,
    parse_and_validate,
    shorten,
    usage_tokens,
)
from pipelines.backends.prompts import Prompt
from pipelines.cache import Cache
from pipelines.config import Settings

ErrorCode = str  # not_configured | unreachable | unauthorized | rate_limited | timeout | bad_response
FATAL_CODES = frozenset({"not_configured", "unreachable", "unauthorized"})
MAX_BACKOFF_S = 30.0
MAX_RETRY_AFTER_S = 120.0
# Extra samples (for averaging) need some randomness, otherwise they repeat the first answer.
SAMPLE_TEMPERATURE = 0.7


class LLMError(Exception):
    """An LLM call that could not produce a valid answer.

    ``code`` is one of not_configured, unreachable, unauthorized, rate_limited, timeout, bad_response (stable;
    tests and the UI rely on it); ``message`` is Chinese: what happened and what to do.
    """

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


@dataclass
class LLMResult:
    """A validated JSON answer and what it cost.

    ``data`` is the first sample; ``samples`` holds every validated sample when more than one was asked for.
    Tokens and attempts count only requests made by this call (a cached answer costs 0 tokens, 0 attempts).
    """

    data: dict
    model: str
    prompt_version: str
    latency_s: float
    prompt_tokens: int
    completion_tokens: int
    cached: bool
    attempts: int
    samples: list[dict] = field(default_factory=list)


@dataclass
class _Answer:
    raw: dict
    model: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    attempts: int = 0


class LLMClient:
    """Thread-safe wrapper around ``openai.OpenAI`` for JSON answers.

    Args:
        settings: ``llm_base_url``, ``llm_model``, ``llm_api_key``, ``llm_timeout_s``, ``llm_max_retries``
            and ``llm_concurrency`` are used.
        client: an ``openai.OpenAI`` to use instead of building one from the settings.
        cache: where answers are kept (``pipelines.cache.Cache``); without it, in memory for this client.

    Raises:
        LLMError: ``not_configured`` when no model (or no base URL and no client) is set.
    """

    backoff_s = 0.5  # first retry delay; doubles each retry

    def __init__(
        self, settings: Settings, client: openai.OpenAI | None = None, cache: Cache | None = None
    ) -> None:
        if not settings.llm_model or (client is None and not settings.llm_base_url):
            raise LLMError(
                "not_configured",
                "未配置大模型服务：请在 config.toml 中设置 llm_base_url 和 llm_model"
                "（或环境变量 WORKBENCH_LLM_BASE_URL、WORKBENCH_LLM_MODEL），离线评分不受影响。",
            )
        self.settings = settings
        self.model = settings.llm_model
        self.cache = cache
        self.client = client or openai.OpenAI(
            base_url=settings.llm_base_url,
            # Local servers (vLLM, Ollama) need no key, but the openai library insists on one.
            api_key=settings.llm_api_key or "EMPTY",
            timeout=settings.llm_timeout_s,
            max_retries=0,
        )
        self.concurrency = max(1, settings.llm_concurrency)
        self._slots = threading.BoundedSemaphore(self.concurrency)
        self._memory: dict[str, dict] = {}
        self._memory_lock = threading.Lock()
        self._json_mode = True

    def complete_json(
        self, prompt: Prompt, variables: dict, validate: Callable[[dict], dict], samples: int = 1
    ) -> LLMResult:
        """Ask ``prompt`` and return its validated JSON answer.

        Args:
            prompt: the versioned prompt; rendered with ``variables``.
            variables: values for the prompt's template.
            validate: checks a parsed answer and returns it (possibly normalised); raises ``ValueError``
                (or ``KeyError``/``TypeError``) with a reason when it does not fit the schema.
            samples: number of independent answers (the first at temperature 0).

        Returns:
            An ``LLMResult``; ``cached`` is True only when no request was needed.

        Raises:
            LLMError: the endpoint failed after retries or answered nonsense twice.
        """
        started = time.perf_counter()
        messages = prompt.render(**variables)
        answers = [self._sample(prompt, messages, validate, index) for index in range(max(1, samples))]
        validated = [validate(answer.raw) for answer in answers]
        return LLMResult(
            data=validated[0],
            model=answers[0].model,
            prompt_version=prompt.version,
            latency_s=time.perf_counter() - started,
            prompt_tokens=sum(a.prompt_tokens for a in answers),
            completion_tokens=sum(a.completion_tokens for a in answers),
            cached=all(a.attempts == 0 for a in answers),
            attempts=sum(a.attempts for a in answers),
            samples=validated,
        )

    def map_json(
        self,
        prompt: Prompt,
        variables_list: Sequence[dict],
        validate: Callable[[dict], dict],
        samples: int = 1,
    ) -> list[LLMResult | LLMError]:
        """Run ``complete_json`` for many inputs concurrently (at most ``llm_concurrency`` in flight).

        Once an item fails with a fatal error (not configured, unreachable, unauthorised) the items not yet
        started fail with the same error without further requests.

        Args:
            prompt: the versioned prompt.
            variables_list: one variables dict per item.
            validate: as in ``complete_json``.
            samples: as in ``complete_json``.

        Returns:
            One ``LLMResult`` or ``LLMError`` per item, in input order.
        """
        fatal: list[LLMError] = []

        def run(variables: dict) -> LLMResult | LLMError:
            if fatal:
                return fatal[0]
            try:
                return self.complete_json(prompt, variables, validate, samples)
            except LLMError as error:
                if error.code in FATAL_CODES:
                    fatal.append(error)
                return error

        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            return list(pool.map(run, variables_list))

    def _sample(
        self, prompt: Prompt, messages: list[dict], validate: Callable[[dict], dict], index: int
    ) -> _Answer:
        key = self._cache_key(prompt, messages, index)
        cached = self._cache_get(key)
        if cached is not None:
            try:
                validate(cached["data"])
                return _Answer(cached["data"], cached.get("model") or self.model)
            except (ValueError, KeyError, TypeError):
                pass  # cached under an older schema: ask again
        answer = self._ask_valid(messages, validate, 0.0 if index == 0 else SAMPLE_TEMPERATURE)
        self._cache_put(key, {"data": answer.raw, "model": answer.model})
        return answer

    def _ask_valid(
        self, messages: list[dict], validate: Callable[[dict], dict], temperature: float
    ) -> _Answer:
        """One answer, with one repair round when it is not valid JSON or does not fit the schema."""
        total = _Answer({}, self.model)
        conversation = list(messages)
        for repair in (False, True):
            content, reply = self._request(conversation, temperature)
            total.attempts += reply.attempts
            total.prompt_tokens += reply.prompt_tokens
            total.completion_tokens += reply.completion_tokens
            total.model = reply.model
            try:
                total.raw = parse_and_validate(content, validate)
                return total
            except InvalidAnswer as invalid:
                if repair:
                    raise LLMError(
                        "bad_response",
                        f"大模型 {self.model} 两次返回的内容都不符合要求（{invalid.reason}）。"
                        "请换用支持 JSON 输出的模型，或稍后重试；离线评分不受影响。",
                    ) from invalid
                conversation = [
                    *messages,
                    {"role": "assistant", "content": invalid.content},
                    {
                        "role": "user",
                        "content": f"上一个回答无法使用：{invalid.reason}。"
                        "请只输出一个符合要求的 JSON 对象，不要任何其他文字。",
                    },
                ]
        raise AssertionError("unreachable")

    def _request(self, messages: list[dict], temperature: float) -> tuple[str, _Answer]:
        """One chat completion with retries; returns the message content and the usage."""
        attempts = 0
        max_attempts = 1 + max(0, self.settings.llm_max_retries)
        while True:
            attempts += 1
            try:
                with self._slots:
                    response = self._create(messages, temperature)
            except openai.APIStatusError as error:
                if error.status_code in (400, 422) and self._json_mode:
                    # Servers without JSON mode reject response_format: ask again without it.
                    self._json_mode = False
                    attempts -= 1
                    continue
                if not _retryable(error) or attempts >= max_attempts:
                    raise self._error_for(error, attempts) from error
                delay = _retry_after(error) or self._backoff(attempts)
            except openai.APIConnectionError as error:
                if attempts >= max_attempts:
                    raise self._error_for(error, attempts) from error
                delay = self._backoff(attempts)
            else:
                return answer_content(response), _Answer(
                    {},
                    getattr(response, "model", None) or self.model,
                    usage_tokens(response, "prompt_tokens"),
                    usage_tokens(response, "completion_tokens"),
                    attempts,
                )
            time.sleep(delay)

    def _create(self, messages: list[dict], temperature: float) -> Any:
        extra: dict[str, Any] = {"response_format": {"type": "json_object"}} if self._json_mode else {}
        return self.client.chat.completions.create(
            model=self.model, messages=messages, temperature=temperature, **extra
        )

    def _backoff(self, attempt: int) -> float:
        base = min(MAX_BACKOFF_S, self.backoff_s * 2 ** (attempt - 1))
        return base + random.uniform(0, base)

    def _error_for(self, error: openai.OpenAIError, attempts: int) -> LLMError:
        where = f"{self.settings.llm_base_url or '已配置的服务'}（模型 {self.model}）"
        tried = f"共尝试 {attempts} 次"
        if isinstance(error, openai.APITimeoutError):
            return LLMError(
                "timeout",
                f"大模型服务 {where} 在 {self.settings.llm_timeout_s:g} 秒内没有回答，{tried}。"
                "请稍后重试，或调大 llm_timeout_s、减小 llm_concurrency；离线评分不受影响。",
            )
        if isinstance(error, openai.APIConnectionError):
            return LLMError(
                "unreachable",
                f"无法连接大模型服务 {where}，{tried}。请检查 llm_base_url 是否正确、服务是否已启动、"
                "网络是否可达；离线评分不受影响。",
            )
        status = getattr(error, "status_code", 0)
        if status in (401, 403):
            return LLMError(
                "unauthorized",
                f"大模型服务 {where} 拒绝了访问（HTTP {status}）。请检查 llm_api_key（或环境变量 "
                "OPENAI_API_KEY）是否正确、是否有权使用该模型；离线评分不受影响。",
            )
        if status == 429:
            return LLMError(
                "rate_limited",
                f"大模型服务 {where} 持续限流（HTTP 429），{tried}。请稍后重试，或减小 llm_concurrency、"
                "提高账户额度；离线评分不受影响。",
            )
        if status >= 500:
            return LLMError(
                "unreachable",
                f"大模型服务 {where} 出错（HTTP {status}），{tried}。请稍后重试或联系服务提供方；"
                "离线评分不受影响。",
            )
        return LLMError(
            "bad_response",
            f"大模型服务 {where} 不接受请求（HTTP {status}：{shorten(str(error))}）。请检查 llm_model 名称"
            "和 llm_base_url（通常以 /v1 结尾）；离线评分不受影响。",
        )

    def _cache_key(self, prompt: Prompt, messages: list[dict], index: int) -> str:
        text_hash = hashlib.sha256(json.dumps(messages, ensure_ascii=False).encode("utf-8")).hexdigest()
        parts = f"{text_hash}|{prompt.name}|{prompt.version}|{self.model}|{index}"
        return "llm:" + hashlib.sha256(parts.encode("utf-8")).hexdigest()

    def _cache_get(self, key: str) -> dict | None:
        if self.cache is not None:
            return self.cache.get(key)
        with self._memory_lock:
            return self._memory.get(key)

    def _cache_put(self, key: str, value: dict) -> None:
        if self.cache is not None:
            self.cache.put(key, "llm", value)
            return
        with self._memory_lock:
            self._memory[key] = value


def get_llm_client(settings: Settings, cache: Cache | None = None) -> LLMClient | None:
    """The LLM client for these settings, or None when no endpoint is configured."""
    if not settings.llm_enabled:
        return None
    return LLMClient(settings, cache=cache)


def _retryable(error: openai.APIStatusError) -> bool:
    return error.status_code in (408, 409, 429) or error.status_code >= 500


def _retry_after(error: openai.APIStatusError) -> float | None:
    """Seconds the server asked us to wait (``Retry-After`` as seconds or HTTP date), capped."""
    value = error.response.headers.get("retry-after") if error.response is not None else None
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value) if email.utils.parsedate(value) else None
        if parsed is None:
            return None
        seconds = parsed.timestamp() - time.time()
    return min(MAX_RETRY_AFTER_S, max(0.0, seconds))
