"""Input files of the repeat commands: this year's cases, past cases and labelled pairs (JSONL).

Every error is a ``DedupeInputError`` whose Chinese message names the file and the line and says what to do.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipelines.jsonl import JsonlError, read_jsonl
from pipelines.repeats.fingerprint import BatchCase
from pipelines.schema import PastCase
from pipelines.vocabulary import VERDICTS


class DedupeInputError(ValueError):
    """An input file that cannot be read; the message is Chinese and names the file and the line."""


def case_from_record(record: Any, where: str) -> BatchCase:
    if not isinstance(record, dict):
        raise DedupeInputError(f'{where}：应为 JSON 对象（{{"id": ..., "title": ..., ...}}）。')
    sections = record.get("sections") or {}
    if not isinstance(sections, dict):
        raise DedupeInputError(f"{where}：sections 应为“栏目名: 文本”的对象。")
    case_id = str(record.get("id") or "").strip()
    text = str(record.get("text") or "")
    if not case_id:
        raise DedupeInputError(f"{where}：缺少 id，请为每个案例填写唯一编号。")
    if not text.strip() and not any(str(v).strip() for v in sections.values()):
        raise DedupeInputError(f"{where}：案例 {case_id} 没有正文（text 或 sections），无法比对。")
    category = record.get("category")
    return BatchCase(
        id=case_id,
        title=str(record.get("title") or ""),
        unit=str(record.get("unit") or ""),
        text=text,
        category=int(category) if isinstance(category, int | str) and str(category).isdigit() else None,
        sections={str(k): str(v) for k, v in sections.items()},
    )


def past_from_record(record: dict[str, Any], where: str) -> PastCase:
    from pipelines.intake.history import HistoryError, _record_to_case

    try:
        return _record_to_case(record, where)
    except HistoryError as exc:
        raise DedupeInputError(str(exc)) from exc


def _read_jsonl(path: Path) -> list[tuple[str, Any]]:
    """``(where, record)`` per non-empty line; ``where`` names the file and line in Chinese."""
    try:
        return [(where, record) for _, where, record in read_jsonl(path)]
    except JsonlError as error:
        raise DedupeInputError(error.message) from error


def read_cases(path: Path) -> list[BatchCase]:
    """This year's cases from JSONL (``{"id", "title", "unit", "text" or "sections", "category"?}``).

    Raises:
        DedupeInputError: bad JSON, missing id or text, duplicate id (message names the line).
    """
    cases, seen = [], set()
    for where, record in _read_jsonl(path):
        case = case_from_record(record, where)
        if case.id in seen:
            raise DedupeInputError(f"{where}：案例编号 {case.id} 重复，请保证每个 id 唯一。")
        seen.add(case.id)
        cases.append(case)
    return cases


def read_history(path: Path) -> list[PastCase]:
    """Past cases from JSONL (``{"id", "year", "title", "unit", "text" or "sections", "outcome"}``).

    Raises:
        DedupeInputError: bad JSON or a missing/unknown field (message names the line).
    """
    history = []
    for where, record in _read_jsonl(path):
        if not isinstance(record, dict):
            raise DedupeInputError(f"{where}：应为 JSON 对象。")
        history.append(past_from_record(record, where))
    return history


def read_pairs(path: Path) -> list[dict[str, Any]]:
    """Labelled pairs from JSONL; each line needs ``a``, ``b`` and a ``label`` among the verdicts or "none"."""
    pairs = []
    for where, record in _read_jsonl(path):
        if not isinstance(record, dict) or not {"a", "b", "label"} <= record.keys():
            raise DedupeInputError(f"{where}：每行需要 a、b、label 三个字段。")
        if record["label"] not in (*VERDICTS, "none"):
            raise DedupeInputError(
                f"{where}：label「{record['label']}」无效，可选：{'、'.join(VERDICTS)} 或 none。"
            )
        pairs.append(record)
    return pairs
