"""Reading JSONL inputs (one JSON object per line) with Chinese errors that name the file and line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


class JsonlError(ValueError):
    """A JSONL file that cannot be read; ``message`` is Chinese and says where and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def read_jsonl(path: Path) -> list[tuple[int, str, dict[str, Any]]]:
    """``(line number, where, record)`` for every non-empty line; ``where`` reads like 「data/cases.jsonl」第 3 行 (the path as given).

    Raises:
        JsonlError: the file is missing or not UTF-8, a line is not JSON, or a line is not a JSON object.
    """
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as exc:
        raise JsonlError(f"找不到文件「{path}」，请检查路径。") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise JsonlError(f"无法读取「{path}」：{exc}。请确认文件存在且为 UTF-8 编码的 JSONL。") from exc
    records = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"「{path}」第 {number} 行"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise JsonlError(f"{where}不是有效的 JSON：{exc.msg}。请修正该行后重试。") from exc
        if not isinstance(record, dict):
            raise JsonlError(f"{where}应为一个 JSON 对象（{{...}}）。请修正该行后重试。")
        records.append((number, where, record))
    return records
