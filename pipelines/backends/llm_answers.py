"""Reading a model's answer: JSON content (```json fences allowed), validation, usage and short messages."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

_FENCE = re.compile(r"^\s*```(?:json|JSON)?\s*\n?(.*?)\n?\s*```\s*$", re.S)


class InvalidAnswer(ValueError):
    def __init__(self, reason: str, content: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.content = content


def parse_json_content(content: str) -> dict:
    """Parse a model's message as one JSON object (```json fences allowed).

    Raises:
        ValueError: not JSON, or JSON that is not an object.
    """
    match = _FENCE.match(content)
    text = match.group(1) if match else content.strip()
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError("回答不是 JSON 对象")
    return data


def parse_and_validate(content: str | None, validate: Callable[[dict], dict]) -> dict:
    if not content:
        raise InvalidAnswer("回答为空", "")
    try:
        data = parse_json_content(content)
    except ValueError as error:
        raise InvalidAnswer(f"不是合法的 JSON（{shorten(str(error))}）", content) from error
    try:
        validate(data)
    except (ValueError, KeyError, TypeError) as error:
        raise InvalidAnswer(f"不符合要求的格式（{shorten(str(error))}）", content) from error
    return data


def answer_content(response: Any) -> str:
    choices = getattr(response, "choices", None) or []
    if not choices or choices[0].message is None:
        return ""
    return choices[0].message.content or ""


def usage_tokens(response: Any, name: str) -> int:
    usage = getattr(response, "usage", None)
    return int(getattr(usage, name, 0) or 0) if usage is not None else 0


def shorten(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
