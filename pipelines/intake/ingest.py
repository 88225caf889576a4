"""Intake of many files: .docx forms and .zip bundles → extracted → stored, one transaction per form.

A bad file never stops the batch and never writes a half record: it is logged with its error code and
Chinese message, and the next file is read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import Engine

from pipelines import store
from pipelines.auth import INGEST, User, require
from pipelines.config import Settings, get_settings
from pipelines.intake.archive import Source, iter_sources, iter_uploads
from pipelines.intake.attachment_store import save_attachments
from pipelines.intake.bundle import BatchCounts, FormResult, read_batch
from pipelines.intake.extract import extract_bytes

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
    batch: BatchCounts = field(default_factory=BatchCounts)  # forms and attachments counted separately

    @property
    def counts(self) -> dict[str, int]:
        return dict(Counter(item.outcome for item in self.items))

    @property
    def stored_ids(self) -> list[int]:
        return [i.submission_id for i in self.items if i.ok and i.submission_id is not None]

    @property
    def ok(self) -> bool:
        """True when at least one form was stored (a batch where nothing was read is never a success)."""
        return bool(self.stored_ids)

    def summary(self) -> str:
        parts = [f"{OUTCOME_LABELS[k]} {v} 个" for k, v in sorted(self.counts.items())]
        head = f"共处理 {len(self.items)} 个文件：" + "，".join(parts)
        files = self.batch.summary().split("；", 1)[1] if "；附件" in self.batch.summary() else ""
        if not self.ok:
            return (
                f"没有任何申报表入库（{head}）。请检查所选文件是否为 .docx 申报表或含有申报表的 zip。{files}"
            )
        return f"{head}；{files}" if files else head


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
    return _ingest_sources(engine, list(iter_uploads(files, settings)), year, username, progress, settings)


def _ingest_sources(
    engine: Engine,
    sources: list[Source],
    year: int,
    username: str,
    progress: Progress | None,
    settings: Settings,
) -> IngestReport:
    """Group, extract and store; attachments are read (no OCR: that runs later in the background) and stored."""
    report = IngestReport()
    expected = sum(1 for source in sources if source.is_form or (source.error and not source.in_archive))
    for done, result in enumerate(read_batch(sources, settings, extract_bytes, labels=True), start=1):
        report.batch.add(result)
        report.items.append(_ingest_one(engine, result, year, username, settings))
        if progress:
            progress(done, max(expected, done), result.name)
    return report


def _ingest_one(
    engine: Engine, result: FormResult, year: int, username: str, settings: Settings
) -> IngestItem:
    name, error = result.name, result.error
    if error is not None or result.submission is None:
        code, message = (error.code, error.message) if error is not None else ("error", "")
        store.log_intake_error(engine, name, code, message, username)
        outcome = "skipped" if code == "lock_file" else "error"
        return IngestItem(name, False, outcome, code=code, message=message)
    saved = store.save_submission(engine, result.submission, year, username)
    warnings = list(result.submission.warnings)
    try:
        save_attachments(engine, saved.submission_id, result.files, result.sources, settings)
    except (
        OSError
    ) as error:  # the form is stored; a full or read-only attachment folder must not stop the batch
        warnings.append(
            f"附件未能保存到「{settings.attachments_path}」（{error.strerror or error}）。"
            "请管理员检查该目录的空间和写权限后重新导入本案例。"
        )
    if result.missing:
        warnings.append(f"附件清单中列出但未找到的附件：{'、'.join(result.missing)}")
    return IngestItem(name, True, saved.outcome, saved.submission_id, warnings=warnings)


def ingest_paths(
    engine: Engine,
    paths: Sequence[Path],
    year: int,
    username: str = "",
    progress: Progress | None = None,
    settings: Settings | None = None,
) -> IngestReport:
    """Like ``ingest_uploads`` for files and folders on disk (missing files are reported, not raised).

    Every file under a folder is considered (forms, attachments, zips); files are named as uploads would be:
    by their base name, zip members after their zip's base name.
    """
    settings = settings or get_settings()
    missing: list[IngestItem] = []
    sources: list[Source] = []
    for path in map(Path, paths):
        if not path.exists():
            message = f"找不到文件「{path}」：请检查路径是否正确。"
            missing.append(IngestItem(str(path), False, "error", code="missing_file", message=message))
            continue
        sources.extend(iter_sources([path], settings))
    report = _ingest_sources(engine, sources, year, username, progress, settings)
    report.items[:0] = missing
    return report
