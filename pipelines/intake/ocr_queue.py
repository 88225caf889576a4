"""OCR of stored attachments in the background: images and scanned PDF pages marked ``pending`` at ingest are
read one file at a time, results cached by content hash, progress readable by anyone (``ocr_progress``).

Ingest never waits for OCR: the workbench starts one worker thread per database (``start_ocr_worker``), the
command line runs ``run_pending_ocr`` after its other work (``python -m pipelines ocr`` does only that).
"""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from pipelines.backends.ocr import OcrCache, OcrEngine, get_ocr
from pipelines.config import Settings, get_settings
from pipelines.intake.attachment_store import AttachmentRow, read_blob
from pipelines.intake.attachments import apply_ocr
from pipelines.store import session_scope

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class OcrProgress:
    pending: int
    done: int
    failed: int

    @property
    def running(self) -> bool:
        return self.pending > 0


def ocr_progress(engine: Engine, submission_id: int | None = None) -> OcrProgress:
    """How many attachments wait for OCR, are done, or failed (for one submission, or all)."""
    query = select(AttachmentRow.ocr_status, func.count()).group_by(AttachmentRow.ocr_status)
    if submission_id is not None:
        query = query.where(AttachmentRow.submission_id == submission_id)
    with session_scope(engine) as session:
        counts = dict(session.execute(query).all())
    return OcrProgress(counts.get("pending", 0), counts.get("done", 0), counts.get("failed", 0))


def _cache(settings: Settings, engine: OcrEngine) -> OcrCache:
    return OcrCache(settings.attachments_path / "ocr_cache", engine.version)


def ocr_one(engine: Engine, attachment_id: int, settings: Settings, ocr: OcrEngine) -> str:
    """OCR one stored attachment and save its text; returns the new status (done | failed)."""
    with session_scope(engine) as session:
        row = session.get(AttachmentRow, attachment_id)
        if row is None or row.ocr_status != "pending":
            return row.ocr_status if row is not None else "failed"
        info = row.info()
    data = read_blob(settings, info.sha256)
    if data is None:
        info.error, info.needs_ocr = (
            f"「{info.name}」的存档文件丢失，无法识别文字。请重新导入该案例的材料。",
            False,
        )
    else:
        try:
            apply_ocr(info, data, settings, ocr, _cache(settings, ocr))
        except Exception as error:  # a crash in the OCR engine must not leave the file pending forever
            info.error = f"「{info.name}」文字识别失败（{type(error).__name__}），请打开原件人工核对。"
    status = "failed" if info.error else "done"
    with session_scope(engine) as session:
        row = session.get(AttachmentRow, attachment_id)
        if row is not None:
            row.text, row.error, row.ocr_status = info.text, info.error, status
    return status


def run_pending_ocr(
    engine: Engine,
    settings: Settings | None = None,
    progress: Progress | None = None,
    ocr: OcrEngine | None = None,
) -> OcrProgress:
    """OCR every pending attachment, oldest first; safe to run while ingest adds more (they are picked up)."""
    settings = settings or get_settings()
    ocr = ocr or get_ocr(settings.ocr_threads)
    done = 0
    while True:
        with session_scope(engine) as session:
            pending = list(
                session.execute(
                    select(AttachmentRow.id, AttachmentRow.name)
                    .where(AttachmentRow.ocr_status == "pending")
                    .order_by(AttachmentRow.id)
                    .limit(20)
                ).all()
            )
        if not pending:
            return ocr_progress(engine)
        for attachment_id, name in pending:
            ocr_one(engine, attachment_id, settings, ocr)
            done += 1
            if progress:
                progress(done, done + ocr_progress(engine).pending, name)


_workers: dict[str, threading.Thread] = {}
_workers_lock = threading.Lock()


def start_ocr_worker(engine: Engine, settings: Settings | None = None) -> bool:
    """Start the background OCR thread for this database unless one is running; True when one was started."""
    settings = settings or get_settings()
    key = str(engine.url)
    with _workers_lock:
        worker = _workers.get(key)
        if worker is not None and worker.is_alive():
            return False
        worker = threading.Thread(
            target=run_pending_ocr, args=(engine, settings), name=f"ocr-{len(_workers)}", daemon=True
        )
        _workers[key] = worker
        worker.start()
        return True


def wait_for_ocr(engine: Engine, timeout: float | None = None) -> None:
    """Block until the background worker of this database is done (tests, benchmarks)."""
    worker = _workers.get(str(engine.url))
    if worker is not None:
        worker.join(timeout)


def add_cli(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("ocr", help="识别已入库附件（图片、扫描版 PDF）中的文字")
    parser.set_defaults(func=_cli)


def _cli(_args: argparse.Namespace) -> int:
    from pipelines import store

    ocr_with_progress_bar(store.get_engine())
    return 0


def ocr_with_progress_bar(engine: Engine, settings: Settings | None = None) -> OcrProgress:
    """``run_pending_ocr`` with a progress bar on stderr (terminals only) and a summary line on stdout."""
    from tqdm import tqdm

    with tqdm(total=0, unit="个", desc="识别附件文字", file=sys.stderr, disable=None) as bar:

        def progress(done: int, total: int, name: str) -> None:
            bar.total, bar.n = total, done
            bar.set_postfix_str(name[-30:])
            bar.refresh()

        result = run_pending_ocr(engine, settings, progress=progress)
    print(f"附件文字识别：完成 {result.done} 个，失败 {result.failed} 个，待识别 {result.pending} 个。")
    return result
