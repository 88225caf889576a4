"""Cases to score: reading JSON lines, the calibration reference set, past cases for novelty."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pipelines import jsonl
from pipelines.config import DATA_DIR, SAMPLE_DIR
from pipelines.criteria.rubric import ScoreError
from pipelines.schema import ScoreResult
from pipelines.vocabulary import CRITERIA

REFERENCE_FILES = (DATA_DIR / "corpus" / "cases.jsonl", DATA_DIR / "corpus" / "extra_cases.jsonl")
HISTORY_DIR = SAMPLE_DIR / "history"
SAMPLE_SUBMISSIONS = SAMPLE_DIR / "submissions_2026.jsonl"
FORM_WEIGHT = 0.8  # share of the application forms in the calibration reference (see reference_cases)


@dataclass(frozen=True)
class ScoreInput:
    """One case to score."""

    id: str
    title: str
    text: str


def case_text(record: dict[str, Any]) -> str:
    """The ``text`` of a record, or its ``sections`` joined by line breaks."""
    if record.get("text"):
        return str(record["text"])
    sections = record.get("sections") or {}
    return "\n".join(str(value) for value in sections.values())


def read_jsonl(path: Path, required: Iterable[str] = ("id",), cases: bool = True) -> list[dict[str, Any]]:
    """Read a JSON-lines file; with ``cases`` every line must also hold ``text`` (or ``sections``).

    Raises:
        ScoreError: ``bad_input`` naming the file and line when it is missing, empty, not JSON, or lacks a
            field.
    """
    try:
        lines = jsonl.read_jsonl(path)
    except jsonl.JsonlError as error:
        raise ScoreError("bad_input", error.message) from error
    if not lines:
        raise ScoreError("bad_input", f"文件 {path} 是空的（没有任何一行案例），请检查文件后重试")
    records = []
    for _, where, record in lines:
        missing = [name for name in required if not record.get(name)]
        if missing or (cases and not case_text(record)):
            what = "、".join(missing) if missing else "text（或 sections）"
            raise ScoreError("bad_input", f"{where}缺少字段 {what}，请补全后重试")
        records.append(record)
    return records


def to_inputs(records: Iterable[dict[str, Any]]) -> list[ScoreInput]:
    """``ScoreInput`` per record (``text`` or joined ``sections``)."""
    return [ScoreInput(str(r["id"]), str(r.get("title", "")), case_text(r)) for r in records]


def reference_cases() -> tuple[list[tuple[str, str, float]], dict[str, Any]]:
    """The calibration reference set and its description.

    Scores are percentiles among past application forms: the sample history (forms with sections, like the
    submissions that get scored) weighs ``FORM_WEIGHT``; the corpus (short paraphrases of real cases) weighs
    the rest and gives the map its resolution for short texts.

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
        cases += [(str(r.get("title", "")), case_text(r), weight / len(records)) for r in records]
        names += [str(path.relative_to(DATA_DIR.parent)) for path in paths]
    digest = hashlib.sha256(json.dumps(cases, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]
    return cases, {"files": names, "cases": len(cases), "data_hash": digest}


def history_texts(path: Path | None) -> list[str]:
    """Texts of past cases for novelty: the given file, or the sample history when none is given."""
    paths = [path] if path else sorted(HISTORY_DIR.glob("*.jsonl"))
    return [f"{r.get('title', '')}\n{case_text(r)}" for p in paths for r in read_jsonl(p)]


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
