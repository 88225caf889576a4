"""A large language model's second opinion on the category (prompt ``category_opinion``), recorded beside the
classifier's suggestion; a disagreement asks for a human check."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pipelines.schema import CategorySuggestion
from pipelines.text import normalize
from pipelines.vocabulary import CATEGORY_IDS, CATEGORY_NAMES, categories

LLM_TEXT_CHARS = 6000  # long forms are cut; the category shows in the first pages


def _validate_opinion(data: dict) -> dict:
    category = data["category"]
    if isinstance(category, str) and category.strip().isdigit():
        category = int(category)
    if category not in CATEGORY_IDS:
        raise ValueError(f"category 必须是 1–6，收到 {data['category']!r}")
    second = data.get("second_category")
    if second not in (None, *CATEGORY_IDS):
        raise ValueError(f"second_category 必须是 1–6 或 null，收到 {second!r}")
    reason = data.get("reason", "")
    if not isinstance(reason, str):
        raise TypeError("reason 必须是字符串")
    return {"category": category, "second_category": second, "reason": reason.strip()}


def _categories_text() -> str:

    return "\n".join(f"{c.id}. {c.name}：{c.definition}" for c in categories())


def add_llm_opinions(
    suggestions: Sequence[CategorySuggestion], items: Sequence[tuple[str, str, int | None]], client: Any
) -> None:
    """Ask the LLM (prompt ``category_opinion``) for each case and record its view on the suggestions.

    Sets ``llm_category`` and ``llm_reason``; a disagreement with the classifier sets
    ``needs_human_check``. A failed call adds a reason and leaves the suggestion otherwise unchanged.

    Args:
        suggestions: the classifier's suggestions (changed in place).
        items: the ``(title, text, declared_category)`` they came from.
        client: a ``pipelines.backends.llm.LLMClient``.
    """
    from pipelines.backends.llm import LLMError
    from pipelines.backends.prompts import CATEGORY_OPINION

    categories = _categories_text()
    variables = [
        {"categories": categories, "title": title, "text": normalize(text)[:LLM_TEXT_CHARS]}
        for title, text, _ in items
    ]
    results = client.map_json(CATEGORY_OPINION, variables, _validate_opinion)
    for suggestion, result in zip(suggestions, results, strict=True):
        if isinstance(result, LLMError):
            suggestion.reasons.append(f"大模型第二意见不可用：{result.message}")
            continue
        suggestion.llm_category = result.data["category"]
        suggestion.llm_reason = result.data["reason"]
        if suggestion.llm_category != suggestion.category:
            suggestion.needs_human_check = True
            suggestion.reasons.append(
                f"大模型第二意见为“{CATEGORY_NAMES[suggestion.llm_category]}”，与模型判断不一致，需人工核查：{suggestion.llm_reason}"
            )
