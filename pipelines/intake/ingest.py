"""Intake of many files: .docx forms and .zip bundles → extracted → stored, one transaction per form.

A bad file never stops the batch and never writes a half record: it is logged with its error code and
Chinese message, and the next file is read.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import Engine

from pipelines import store
from pipelines.auth import INGEST, User, require
from pipelines.config import Settings, get_settings
from pipelines.intake.archive import iter_archive
from pipelines.intake.extract import extract_bytes
from pipelines.schema import IntakeError

Progress = Callable[[int, int, str], None]
OUTCOME_LABELS = {
    "new": "已入库",
    "unchanged": "内容未变，未重复入库",
    "new_version": "已入库为新版本（旧版本保留）",
    "error": "读取失败",
    "skipped": "已跳过",
}


@dataclass
class IngestItem:
    file_name: str
    ok: bool
    outcome: str  # new | unchanged | new_version | error | skipped
    submission_id: int | None = None
    code: str = ""
    message: str = ""
    warnings: list[str] = field(default_factory=list)


@dataclass
class IngestReport:
    items: list[IngestItem] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return dict(Counter(item.outcome for item in self.items))

    @property
    def stored_ids(self) -> list[int]:
        return [i.submission_id for i in self.items if i.ok and i.submission_id is not None]

    def summary(self) -> str:
        parts = [f"{OUTCOME_LABELS[k]} {v} 个" for k, v in sorted(self.counts.items())]
        return f"共处理 {len(self.items)} 个文件：" + "，".join(parts)


def _expand(
    files: Iterable[tuple[str, bytes]], settings: Settings
) -> Iterator[tuple[str, bytes | IntakeError]]:
    """Yield (name, bytes) for forms, unpacking .zip bundles; archive problems come out as errors."""
    for name, data in files:
        if not name.lower().endswith(".zip"):
            yield name, data
            continue
        try:
            for member, member_data in iter_archive(data, name, settings):
                yield f"{name}/{member}", member_data
        except IntakeError as error:
            yield name, error


def ingest_uploads(
    engine: Engine,
    files: Sequence[tuple[str, bytes]],
    year: int,
    username: str = "",
    progress: Progress | None = None,
    settings: Settings | None = None,
    actor: User | None = None,
) -> IngestReport:
    """Extract and store uploaded files (name, bytes); .zip uploads are unpacked safely.

    Args:
        engine: the store.
        files: uploaded files as (file name, content).
        year: the call year the forms belong to.
        username: who uploaded (kept in the intake log).
        progress: called as ``progress(done, total, file_name)`` after each file.
        settings: size limits; defaults to the process settings.
        actor: the signed-in user, who must hold the import permission (None for the command line).

    Returns:
        One ``IngestItem`` per form or failed file, in order.

    Raises:
        PermissionDenied: when ``actor`` may not import.
    """
    if actor is not None:
        require(actor, INGEST)
        username = actor.username
    settings = settings or get_settings()
    report = IngestReport()
    expanded = list(_expand(files, settings))
    for done, (name, data) in enumerate(expanded, start=1):
        report.items.append(_ingest_one(engine, name, data, year, username, settings))
        if progress:
            progress(done, len(expanded), name)
    return report


def _ingest_one(
    engine: Engine, name: str, data: bytes | IntakeError, year: int, username: str, settings: Settings
) -> IngestItem:
    try:
        if isinstance(data, IntakeError):
            raise data
        submission = extract_bytes(data, name, settings)
    except IntakeError as error:
        store.log_intake_error(engine, name, error.code, error.message, username)
        outcome = "skipped" if error.code == "lock_file" else "error"
        return IngestItem(name, False, outcome, code=error.code, message=error.message)
    saved = store.save_submission(engine, submission, year, username)
    return IngestItem(name, True, saved.outcome, saved.submission_id, warnings=list(submission.warnings))


def collect_paths(paths: Sequence[Path]) -> list[Path]:
    """Files named directly plus the .docx/.zip files inside named folders, sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(p for p in sorted(path.rglob("*")) if p.suffix.lower() in {".docx", ".zip"})
        else:
            found.append(path)
    return found


def ingest_paths(
    engine: Engine,
    paths: Sequence[Path],
    year: int,
    username: str = "",
    progress: Progress | None = None,
    settings: Settings | None = None,
) -> IngestReport:
    """Like ``ingest_uploads`` for files and folders on disk (missing files are reported, not raised)."""
    settings = settings or get_settings()
    files: list[tuple[str, bytes]] = []
    missing: list[IngestItem] = []
    for path in collect_paths(paths):
        if not path.is_file():
            message = f"找不到文件「{path}」：请检查路径是否正确。"
            missing.append(IngestItem(str(path), False, "error", code="missing_file", message=message))
            continue
        files.append((path.name, path.read_bytes()))
    report = ingest_uploads(engine, files, year, username, progress, settings)
    report.items[:0] = missing
    return report


def add_cli(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("ingest", help="读取申报表（文件、文件夹或 zip）并入库")
    parser.add_argument("paths", nargs="+", type=Path, help=".docx / .zip 文件或文件夹")
    parser.add_argument("--year", type=int, default=None, help="申报年度（默认取设置中的 call_year）")
    parser.add_argument("--no-analyze", action="store_true", help="只入库，不做分类、查重、评分")
    parser.set_defaults(func=_cli_ingest)


def _cli_ingest(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    settings = get_settings()
    engine = store.get_engine()
    year = args.year or settings.call_year
    with tqdm(total=0, unit="份", desc="读取申报表", file=sys.stderr, disable=None) as bar:

        def progress(done: int, total: int, name: str) -> None:
            bar.total = total
            bar.n = done
            bar.set_postfix_str(name[-30:])
            bar.refresh()

        report = ingest_paths(engine, args.paths, year, "cli", progress, settings)
    for item in report.items:
        if not item.ok:
            print(f"✗ {item.file_name}：{item.message}")
    print(report.summary())
    if report.stored_ids and not args.no_analyze:
        from pipelines.analyze import analyze_submissions

        result = analyze_submissions(engine, settings=settings)
        print(result.summary())
    return 0
