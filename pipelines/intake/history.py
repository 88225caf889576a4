"""Past cases: organizers' lists (CSV, XLSX, JSONL) and folders of past .docx forms → ``PastCase``."""

from __future__ import annotations

import argparse
import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
from sqlalchemy.engine import Engine

from pipelines import store
from pipelines.jsonl import JsonlError, read_jsonl
from pipelines.schema import IntakeError, PastCase
from pipelines.vocabulary import CATEGORY_NAMES, SHORT_NAMES

COLUMN_SYNONYMS: dict[str, tuple[str, ...]] = {
    "id": ("id", "编号", "案例编号"),
    "year": ("year", "年份", "年度", "申报年度"),
    "title": ("title", "案例名称", "项目名称", "名称"),
    "unit": ("unit", "申报单位", "单位", "申报单位（全称）"),
    "implementer": ("implementer", "实施单位"),
    "category": ("category", "类别", "申报类别", "案例类别"),
    "second_category": ("second_category", "第二类别"),
    "outcome": ("outcome", "结果", "评审结果", "是否入选", "入选情况"),
    "text": ("text", "案例内容", "案例简介", "正文", "内容", "简介"),
}
AWARDED = {"awarded", "入选", "已入选", "是", "优秀案例", "获奖"}
NOT_SELECTED = {"not_selected", "未入选", "否", "落选", "未获奖"}


class HistoryError(ValueError):
    """A past-case list that cannot be read; the message is Chinese and names the file and row."""


def parse_outcome(value: object, where: str) -> str:
    text = str(value).strip()
    if text in AWARDED:
        return "awarded"
    if text in NOT_SELECTED:
        return "not_selected"
    raise HistoryError(f"{where}：无法识别评审结果「{text}」，请填写“入选”或“未入选”。")


def parse_category(value: object, where: str) -> int | None:
    if value is None or (isinstance(value, float) and pd.isna(value)) or str(value).strip() == "":
        return None
    text = str(value).strip().removesuffix(".0")
    if text.isdigit() and int(text) in CATEGORY_NAMES:
        return int(text)
    for cid, name in CATEGORY_NAMES.items():
        if text in (name, SHORT_NAMES[cid]) or name in text:
            return cid
    raise HistoryError(f"{where}：无法识别类别「{text}」，请填写 1–6 或类别名称（如“数智技术应用类”）。")


def _stable_id(year: int, title: str, unit: str) -> str:
    digest = hashlib.sha1(f"{year}|{title}|{unit}".encode()).hexdigest()[:10]
    return f"P{year}-{digest}"


def _record_to_case(record: dict, where: str) -> PastCase:
    missing = [k for k in ("year", "title", "unit", "outcome") if not str(record.get(k) or "").strip()]
    if missing:
        raise HistoryError(f"{where}：缺少必填列 {', '.join(missing)}。")
    try:
        year = int(float(record["year"]))
    except ValueError as exc:
        raise HistoryError(f"{where}：年份「{record['year']}」不是数字。") from exc
    sections = record.get("sections") or {}
    text = str(record.get("text") or "").strip() or "\n".join(str(v) for v in sections.values())
    title, unit = str(record["title"]).strip(), str(record["unit"]).strip()
    return PastCase(
        id=str(record.get("id") or "").strip() or _stable_id(year, title, unit),
        year=year,
        title=title,
        unit=unit,
        text=text,
        outcome=parse_outcome(record["outcome"], where),  # type: ignore[arg-type]
        category=parse_category(record.get("category"), where),
        second_category=parse_category(record.get("second_category"), where),
        implementer=str(record.get("implementer") or "").strip(),
        sections={str(k): str(v) for k, v in sections.items()},
    )


def _rename_columns(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    mapping = {}
    for column in frame.columns:
        label = re.sub(r"\s+", "", str(column))
        for key, synonyms in COLUMN_SYNONYMS.items():
            if label in synonyms:
                mapping[column] = key
    renamed = frame.rename(columns=mapping)
    missing = [k for k in ("year", "title", "unit", "outcome") if k not in renamed.columns]
    if missing:
        raise HistoryError(
            f"「{path.name}」缺少列：{', '.join(missing)}。需要的列：年份、案例名称、申报单位、类别、结果（入选/未入选）、案例内容。"
        )
    return renamed


def read_table(path: Path) -> list[PastCase]:
    """Read a CSV/XLSX/JSONL list of past cases (one row per case)."""
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        try:
            return [_record_to_case(record, where) for _, where, record in read_jsonl(path)]
        except JsonlError as error:
            raise HistoryError(error.message) from error
    try:
        frame = pd.read_excel(path, dtype=str) if suffix in {".xlsx", ".xls"} else _read_csv(path)
    except (ValueError, OSError) as exc:
        raise HistoryError(
            f"无法读取「{path.name}」：{exc}。请确认是 CSV（UTF-8 或 GBK）或 XLSX 文件。"
        ) from exc
    frame = _rename_columns(frame, path).fillna("")
    return [
        _record_to_case(row, f"「{path.name}」第 {i + 2} 行")
        for i, row in enumerate(frame.to_dict("records"))
    ]


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path, dtype=str, encoding="utf-8-sig")
    except UnicodeDecodeError:
        return pd.read_csv(path, dtype=str, encoding="gbk")


def _infer_from_path(path: Path) -> tuple[int | None, str | None]:
    year = outcome = None
    for part in path.parts:
        if found := re.search(r"(20\d{2})", part):
            year = int(found.group(1))
        if "未入选" in part:
            outcome = "not_selected"
        elif "入选" in part:
            outcome = "awarded"
    return year, outcome


def read_form_folder(
    folder: Path, year: int | None = None, outcome: str | None = None
) -> tuple[list[PastCase], list[str]]:
    """Past .docx forms in a folder; year and outcome from the options or from folder names (2024/入选/…).

    Returns:
        The cases read, and Chinese messages for files that could not be used.
    """
    from pipelines.intake.extract import extract_file

    cases, problems = [], []
    for path in sorted(folder.rglob("*.docx")):
        path_year, path_outcome = _infer_from_path(path.relative_to(folder))
        case_year, case_outcome = year or path_year, outcome or path_outcome
        if case_year is None or case_outcome is None:
            problems.append(
                f"「{path.name}」：无法确定年份或结果，请用 --year/--outcome 指定，或放在“2024/入选/”这样的文件夹中。"
            )
            continue
        try:
            submission = extract_file(path)
        except IntakeError as error:
            problems.append(error.message)
            continue
        record = {
            "year": case_year,
            "title": submission.title or path.stem,
            "unit": submission.unit or "未知单位",
            "implementer": submission.implementer,
            "category": submission.declared_category,
            "outcome": case_outcome,
            "text": submission.text,
            "sections": submission.sections,
        }
        cases.append(_record_to_case(record, f"「{path.name}」"))
    return cases, problems


def import_history(
    engine: Engine, paths: Iterable[Path], year: int | None = None, outcome: str | None = None
) -> tuple[int, list[str]]:
    """Read every list or folder and store the cases (all or nothing per file)."""
    written, problems = 0, []
    for path in paths:
        if path.is_dir():
            cases, folder_problems = read_form_folder(path, year, outcome)
            problems.extend(folder_problems)
        elif not path.exists():
            problems.append(f"找不到「{path}」。")
            continue
        else:
            try:
                cases = read_table(path)
            except HistoryError as error:
                problems.append(str(error))
                continue
        written += store.save_past_cases(engine, cases)
    return written, problems


def add_cli(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "import-history", help="导入往年案例（CSV/XLSX/JSONL 列表或往年申报表文件夹）"
    )
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--year", type=int, default=None, help="文件夹中申报表的年份")
    parser.add_argument(
        "--outcome", choices=["awarded", "not_selected"], default=None, help="文件夹中案例的结果"
    )
    parser.set_defaults(func=_cli)


def _cli(args: argparse.Namespace) -> int:
    written, problems = import_history(store.get_engine(), args.paths, args.year, args.outcome)
    for problem in problems:
        print(f"✗ {problem}")
    print(f"已导入往年案例 {written} 条；{len(problems)} 个问题。")
    return 1 if problems and not written else 0
