"""Attachments in the database and on disk: one row per file of a submission version, the bytes stored once
per content hash under ``settings.attachments_path`` (``ab/abcdef…``), never duplicated on re-ingest.

Rows are written in one transaction per submission; a file with the same name and content is left as it is,
the same name with new content is replaced. OCR results arrive later (``pipelines.intake.ocr_queue``).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, mapped_column

from pipelines.config import Settings
from pipelines.intake.archive import Source
from pipelines.intake.attachments import AttachmentInfo
from pipelines.store import Base, session_scope, utcnow

SNIPPET_CHARS = 60  # characters of context either side of a search hit


class AttachmentRow(Base):
    """One file of an application (besides the form), linked to the submission version it came with."""

    __tablename__ = "attachments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    name: Mapped[str] = mapped_column(String(1024))
    kind: Mapped[str] = mapped_column(String(16))  # pdf | image | video | word | other
    format: Mapped[str] = mapped_column(String(16), default="")
    sha256: Mapped[str] = mapped_column(String(64), default="", index=True)  # "" when not stored
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    allowed: Mapped[bool] = mapped_column(Boolean, default=False)
    listed: Mapped[bool] = mapped_column(Boolean, default=False)
    listed_as: Mapped[str] = mapped_column(Text, default="")
    pages: Mapped[int | None] = mapped_column(Integer, nullable=True)
    duration_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    width: Mapped[int | None] = mapped_column(Integer, nullable=True)
    height: Mapped[int | None] = mapped_column(Integer, nullable=True)
    text: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    ocr_status: Mapped[str] = mapped_column(
        String(16), default="none", index=True
    )  # none|pending|done|failed
    ocr_pages: Mapped[list[int]] = mapped_column(JSON, default=list)
    ocr_skipped: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (UniqueConstraint("submission_id", "name", name="uq_attachment_submission_name"),)

    def info(self) -> AttachmentInfo:
        """The row as the ``AttachmentInfo`` the readers produce."""
        return AttachmentInfo(
            name=self.name,
            kind=self.kind,
            bytes=self.size,
            allowed=self.allowed,
            listed=self.listed,
            pages=self.pages,
            duration_s=self.duration_s,
            text=self.text,
            error=self.error,
            format=self.format,
            sha256=self.sha256,
            width=self.width,
            height=self.height,
            listed_as=self.listed_as,
            needs_ocr=self.ocr_status == "pending",
            ocr_pages=list(self.ocr_pages or []),
            ocr_skipped=self.ocr_skipped,
        )


def blob_path(settings: Settings, sha256: str) -> Path:
    """Where the bytes with this SHA-256 live."""
    return settings.attachments_path / sha256[:2] / sha256


def store_blob(settings: Settings, sha256: str, data: bytes) -> Path:
    """Write the bytes once (atomically); an existing blob with this hash is kept as it is."""
    path = blob_path(settings, sha256)
    if path.exists() and path.stat().st_size == len(data):
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
        handle.write(data)
    os.replace(handle.name, path)
    return path


def read_blob(settings: Settings, sha256: str) -> bytes | None:
    """The stored bytes, or None when nothing is stored under this hash."""
    path = blob_path(settings, sha256) if sha256 else None
    return path.read_bytes() if path is not None and path.is_file() else None


def _values(info: AttachmentInfo) -> dict[str, Any]:
    return {
        "kind": info.kind,
        "format": info.format,
        "sha256": info.sha256,
        "size": info.bytes,
        "allowed": info.allowed,
        "listed": info.listed,
        "listed_as": info.listed_as,
        "pages": info.pages,
        "duration_s": info.duration_s,
        "width": info.width,
        "height": info.height,
        "text": info.text,
        "error": info.error,
        "ocr_status": "pending" if info.needs_ocr else "none",
        "ocr_pages": list(info.ocr_pages),
        "ocr_skipped": info.ocr_skipped,
    }


def save_attachments(
    engine: Engine,
    submission_id: int,
    files: Sequence[AttachmentInfo],
    sources: Sequence[Source],
    settings: Settings,
) -> int:
    """Store an application's files (bytes by hash, rows in one transaction); returns how many rows changed.

    Args:
        engine: the store.
        submission_id: the submission version the files came with.
        files: what the readers found, in the same order as ``sources``.
        sources: where to read each file's bytes.
        settings: ``attachments_path``.
    """
    for info, source in zip(files, sources, strict=True):
        if info.sha256:
            store_blob(settings, info.sha256, source.read())
            if source.path is not None:
                source.data = b""
    changed = 0
    with session_scope(engine) as session:
        existing = {
            row.name: row
            for row in session.scalars(
                select(AttachmentRow).where(AttachmentRow.submission_id == submission_id)
            )
        }
        for info in files:
            row = existing.get(info.name)
            if row is not None and row.sha256 == info.sha256 and row.sha256:
                row.listed, row.listed_as = info.listed, info.listed_as
                continue
            values = _values(info)
            if row is None:
                session.add(AttachmentRow(submission_id=submission_id, name=info.name, **values))
            else:
                for key, value in values.items():
                    setattr(row, key, value)
            changed += 1
    return changed


def list_attachments(engine: Engine, submission_id: int) -> list[AttachmentRow]:
    """The files of one submission version, by name."""
    query = (
        select(AttachmentRow).where(AttachmentRow.submission_id == submission_id).order_by(AttachmentRow.name)
    )
    with session_scope(engine) as session:
        return list(session.scalars(query))


def attachments_by_submission(
    engine: Engine, submission_ids: Iterable[int]
) -> dict[int, list[AttachmentInfo]]:
    """``AttachmentInfo`` lists for many submissions at once (submissions without files are absent)."""
    ids = list(submission_ids)
    found: dict[int, list[AttachmentInfo]] = {}
    if not ids:
        return found
    query = select(AttachmentRow).where(AttachmentRow.submission_id.in_(ids)).order_by(AttachmentRow.name)
    with session_scope(engine) as session:
        for row in session.scalars(query):
            found.setdefault(row.submission_id, []).append(row.info())
    return found


@dataclass(frozen=True)
class Hit:
    """A place in an attachment's text where the searched words occur."""

    attachment_id: int
    name: str
    snippet: str  # plain text around the hit (untrusted applicant text: show as text, never as Markdown)
    position: int


def search_attachments(engine: Engine, submission_id: int, query: str, limit: int = 50) -> list[Hit]:
    """Where ``query`` occurs in the submission's attachment texts (case- and width-insensitive).

    Every whitespace-separated word of the query must occur in the file; the snippet is around the first
    word's first occurrence. Used by the case page search and, as evidence, for checking a claim of the form.
    """
    from pipelines.text import match_text

    words = [match_text(word) for word in query.split()]
    hits: list[Hit] = []
    if not words:
        return hits
    for row in list_attachments(engine, submission_id):
        folded = match_text(row.text)  # same length as the text, so positions carry over
        if not all(word in folded for word in words):
            continue
        position = folded.find(words[0])
        start, end = max(0, position - SNIPPET_CHARS), position + len(words[0]) + SNIPPET_CHARS
        snippet = (
            ("…" if start else "")
            + row.text[start:end].replace("\n", " ")
            + ("…" if end < len(row.text) else "")
        )
        hits.append(Hit(row.id, row.name, snippet, position))
        if len(hits) >= limit:
            break
    return hits


@dataclass
class CaseAttachments:
    """What the case page shows: the files, listed names with no file, OCR still running."""

    rows: list[AttachmentRow]
    missing: list[str]
    pending_ocr: int


def case_attachments(engine: Engine, submission_id: int, listed: Sequence[str]) -> CaseAttachments:
    """The attachments of one submission with the 附件清单 entries (``listed``) that have no file."""
    from pipelines.intake.attachments import match_listed

    rows = list_attachments(engine, submission_id)
    _matched, missing = match_listed(list(listed), [row.name for row in rows])
    return CaseAttachments(rows, missing, sum(row.ocr_status == "pending" for row in rows))


def preview(settings: Settings, row: AttachmentRow, max_pages: int = 3) -> list[bytes]:
    """Bytes to show inline: the file itself for images and videos, PNG renders of the first PDF pages."""
    data = read_blob(settings, row.sha256)
    if data is None or row.error:
        return []
    if row.kind != "pdf":
        return [data]
    import io

    from pipelines.intake.media import render_pdf_pages

    pages = []
    for image in render_pdf_pages(data, list(range(min(row.pages or 0, max_pages))), dpi=96):
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        pages.append(buffer.getvalue())
    return pages
