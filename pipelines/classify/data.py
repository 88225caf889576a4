"""Labelled cases for training and validation, with their unit and source.

Sources: ``corpus`` (real cases, ``data/corpus/cases.jsonl``), ``written`` (hand-written summaries,
``data/corpus/extra_cases*.jsonl``), ``history`` (the *fictional* sample history, ``data/sample/history``) and
``review`` (categories confirmed by reviewers in the workbench).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipelines.config import DATA_DIR, SAMPLE_DIR
from pipelines.jsonl import read_jsonl
from pipelines.vocabulary import CATEGORY_IDS

CORPUS_FILE = DATA_DIR / "corpus" / "cases.jsonl"
EXTRA_GLOB = "extra_cases*.jsonl"
HISTORY_DIR = SAMPLE_DIR / "history"
SOURCES = ("corpus", "written", "history", "review")


@dataclass
class LabelledCase:
    """A case with a known category; ``group`` (the unit) keeps related cases on one side of a split."""

    id: str
    title: str
    text: str
    category: int
    second_category: int | None = None
    group: str = ""
    source: str = "corpus"
    declared_category: int | None = None
    boundary: str = ""  # which categories the case sits between, as marked in an evaluation file ("5v1")


def check_category(value: Any, where: str) -> int | None:
    """``value`` as a category 1–6, None when empty.

    Raises:
        ValueError: anything else (the message names ``where``).
    """
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number not in CATEGORY_IDS:
        raise ValueError(f"{where}：类别“{value}”无效，必须是 1–6 的整数")
    return number


def load_labelled(path: Path, source: str = "corpus") -> list[LabelledCase]:
    """Read labelled cases from a JSON-lines file.

    Each line needs ``text`` and ``category`` (1–6); ``id``, ``title``, ``unit``, ``second_category`` and
    ``declared_category`` and ``boundary`` are optional. A history record with ``sections`` instead of ``text`` is read too.

    Raises:
        ValueError: a line that is not JSON or lacks text or a valid category (the message names the line).
    """
    cases = []
    for number, where, record in read_jsonl(path):
        text = record.get("text") or "\n".join(map(str, (record.get("sections") or {}).values()))
        category = check_category(record.get("category"), where)
        if not text.strip() or category is None:
            raise ValueError(f"{where} 缺少 text（或 sections）或 category，请补全后重试")
        cases.append(
            LabelledCase(
                id=str(record.get("id") or f"{Path(path).stem}-{number}"),
                title=str(record.get("title") or ""),
                text=text,
                category=category,
                second_category=check_category(record.get("second_category"), where),
                group=str(record.get("unit") or record.get("id") or number),
                source=source,
                declared_category=check_category(record.get("declared_category"), where),
                boundary=str(record.get("boundary") or ""),
            )
        )
    return cases


def load_history(directory: Path = HISTORY_DIR) -> list[LabelledCase]:
    """Labelled past cases of the sample history (``data/sample/history/*.jsonl``)."""
    return [
        case for path in sorted(Path(directory).glob("*.jsonl")) for case in load_labelled(path, "history")
    ]


def load_written(directory: Path = CORPUS_FILE.parent) -> list[LabelledCase]:
    """The hand-written training summaries (``data/corpus/extra_cases*.jsonl``)."""
    return [
        case for path in sorted(Path(directory).glob(EXTRA_GLOB)) for case in load_labelled(path, "written")
    ]


def base_cases() -> list[LabelledCase]:
    """Corpus, written cases and sample history: the training data before any reviews."""
    return load_labelled(CORPUS_FILE) + load_written() + load_history()


def data_hash(cases: Iterable[LabelledCase]) -> str:
    """SHA-256 over the sorted (source, id, labels, text) of the training cases."""
    digest = hashlib.sha256()
    for case in sorted(cases, key=lambda c: (c.source, c.id)):
        digest.update(
            json.dumps(
                [case.source, case.id, case.category, case.second_category, case.title, case.text],
                ensure_ascii=False,
            ).encode()
        )
    return digest.hexdigest()
