"""A batch of files → applications: each form extracted, its attachments found, read and matched to 附件清单.

``read_batch`` is what the extract CLI and ingest share: sources from ``pipelines.intake.archive``, grouped by
folder (``group_sources``); a file whose folder holds several forms goes to the one form whose 附件清单 names it,
else it is reported as unassigned (never dropped). The form extractor is passed in, so this module does not
depend on ``extract`` (which imports it for its CLI).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from pipelines.backends.ocr import OcrCache, OcrEngine
from pipelines.config import Settings
from pipelines.intake.archive import Source
from pipelines.intake.attachments import AttachmentInfo, match_listed, read_attachment
from pipelines.intake.grouping import Grouping, group_sources
from pipelines.schema import IntakeError, Submission

Extractor = Callable[[bytes, str, Settings], Submission]
UNASSIGNED = "unassigned_attachment"
# extraction codes of Word files that are documents, not applications
NOT_A_FORM = frozenset({"not_a_form", "blank_template", "empty_document"})


@dataclass
class FormResult:
    """One line of the batch: a form (read or not) with its files, an archive that could not be opened, or a
    file that belongs to no form (``error.code == "unassigned_attachment"``)."""

    name: str
    submission: Submission | None = None
    error: IntakeError | None = None
    files: list[AttachmentInfo] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)  # the files' sources, same order (for storing)
    missing: list[str] = field(default_factory=list)  # 附件清单 entries with no file
    kind: str = "form"  # form | archive (could not be opened) | unassigned (a file that belongs to no form)

    def attachment_fields(self) -> dict:
        """The extract CLI's contract fields: ``files`` and ``missing_attachments``."""
        return {"files": [info.contract() for info in self.files], "missing_attachments": list(self.missing)}


def _extract(
    source: Source, name: str, settings: Settings, extract: Extractor
) -> tuple[Submission | None, IntakeError | None]:
    if source.error is not None:
        return None, source.error
    try:
        return extract(source.read(), name, settings), None
    except IntakeError as error:
        return None, error


def _without_non_forms(
    sources: list[Source],
    grouping: Grouping,
    extracted: dict[int, tuple[Submission | None, IntakeError | None]],
) -> Grouping:
    """Group again without the Word files that extraction refused as not being applications (a letter, a blank
    template beside the form): they keep their refusal line, and the form of their folder keeps its files."""
    refused = frozenset(
        index for index, (_, error) in extracted.items() if error is not None and error.code in NOT_A_FORM
    )
    return group_sources(sources, refused) if refused else grouping


def _listed_by(submission: Submission | None, name: str) -> bool:
    return submission is not None and bool(match_listed(submission.attachments, [name])[0])


def read_batch(
    sources: Sequence[Source],
    settings: Settings,
    extract: Extractor,
    ocr: OcrEngine | None = None,
    cache: OcrCache | None = None,
    labels: bool = False,
) -> Iterator[FormResult]:
    """Extract every form, assign and read every other file, and yield one result per line of the batch.

    Args:
        sources: the batch (``iter_sources`` / ``iter_uploads``), in the order lines should come out.
        settings: limits and allowed formats.
        extract: reads one form, e.g. ``pipelines.intake.extract.extract_bytes``.
        ocr: OCR engine for images and scanned PDFs; None leaves them marked ``needs_ocr``.
        cache: OCR results by content hash.
        labels: name forms and files by their upload names (``Source.label``) instead of their paths.

    Yields:
        Forms and unopenable archives in source order, then unassigned files.
    """
    sources = list(sources)
    grouping = group_sources(sources)

    def shown(source: Source) -> str:
        return source.label or source.name if labels else source.name

    extracted = {
        index: _extract(sources[index], shown(sources[index]), settings, extract) for index in grouping.forms
    }
    grouping = _without_non_forms(sources, grouping, extracted)
    unassigned = list(grouping.unassigned)
    for index, candidates in grouping.ambiguous.items():
        listing = [form for form in candidates if _listed_by(extracted[form][0], sources[index].name)]
        if len(listing) == 1:
            grouping.files[listing[0]].append(index)
        else:
            unassigned.append(index)

    def read(index: int) -> AttachmentInfo:
        source = sources[index]
        if source.error is not None:  # a nested zip that could not be opened
            return AttachmentInfo(
                shown(source), "other", source.size, False, format="zip", error=source.error.message
            )
        info = read_attachment(shown(source), source.read(), settings, source.size or None, ocr, cache)
        if source.path is not None:
            source.data = b""  # files on disk are read again when stored; keep memory flat
        return info

    for index in sorted([*grouping.forms, *grouping.errors]):
        source = sources[index]
        if index in grouping.errors:
            yield FormResult(shown(source), error=source.error, kind="archive")
            continue
        submission, error = extracted[index]
        members = sorted(grouping.files[index])
        files = [read(member) for member in members]
        listed = submission.attachments if submission is not None else []
        matched, missing = match_listed(listed, [info.name for info in files])
        for info in files:
            info.listed, info.listed_as = info.name in matched, matched.get(info.name, "")
        yield FormResult(shown(source), submission, error, files, [sources[m] for m in members], missing)
    for index in sorted(unassigned):
        source = sources[index]
        candidates = grouping.ambiguous.get(index, [])
        where = "、".join(PurePosixPath(sources[c].name).name for c in candidates)
        detail = (
            f"所在文件夹有多份申报表（{where}），且没有一份在附件清单中列出它"
            if candidates
            else "所在文件夹及上级文件夹中没有申报表"
        )
        message = (
            f"附件「{shown(source)}」无法归属到申报表：{detail}。请把每个案例的申报表和附件放在各自的文件夹或压缩包中，"
            "或在申报表的附件清单中写明该文件名。"
        )
        error = IntakeError(UNASSIGNED, message, source.name)
        yield FormResult(shown(source), error=error, files=[read(index)], sources=[source], kind="unassigned")


@dataclass
class BatchCounts:
    """Counts for the summary line: forms and attachments separately."""

    forms: int = 0
    forms_ok: int = 0
    forms_skipped: int = 0
    archives_failed: int = 0
    files: int = 0
    files_read: int = 0
    files_unreadable: int = 0
    files_disallowed: int = 0
    files_unassigned: int = 0
    missing: int = 0

    def add(self, result: FormResult) -> None:
        if result.kind == "unassigned":
            self.files_unassigned += len(result.files)
        elif result.kind == "archive":
            self.archives_failed += 1
        else:
            self.forms += 1
            self.forms_ok += result.submission is not None
            self.forms_skipped += result.error is not None and result.error.code == "lock_file"
        self.files += len(result.files)
        self.files_read += sum(1 for info in result.files if info.error is None)
        self.files_unreadable += sum(1 for info in result.files if info.error is not None)
        self.files_disallowed += sum(1 for info in result.files if not info.allowed)
        self.missing += len(result.missing)

    @property
    def nothing_read(self) -> bool:
        return self.forms_ok == 0

    def files_summary(self) -> str:
        """The attachments part of the summary."""
        return (
            f"附件 {self.files} 个：已读取 {self.files_read} 个，无法读取 {self.files_unreadable} 个，"
            f"格式不符 {self.files_disallowed} 个，无法归属 {self.files_unassigned} 个；"
            f"附件清单中列出但未找到 {self.missing} 个。"
        )

    def summary(self) -> str:
        """One Chinese line; it never reads as success when no form was read."""
        failed = self.forms - self.forms_ok - self.forms_skipped
        head = (
            f"{self.forms} 份申报表：成功 {self.forms_ok} 个，失败 {failed} 个，跳过 {self.forms_skipped} 个"
        )
        if self.archives_failed:
            head += f"；无法打开的压缩包 {self.archives_failed} 个"
        if self.nothing_read:
            return f"未读取到任何申报表（{head}；{self.files_summary()}）请检查所选文件或文件夹是否包含 .docx 申报表。"
        return f"共 {head}；{self.files_summary()}"


def cli_ocr(settings: Settings) -> tuple[OcrEngine, OcrCache]:
    """The OCR engine and cache the command line uses (models load only if an image or scan is met)."""
    from pipelines.backends.ocr import get_ocr

    engine = get_ocr(settings.ocr_threads)
    return engine, OcrCache(settings.attachments_path / "ocr_cache", engine.version)
