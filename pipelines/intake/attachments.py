"""One attachment (a proof material besides the Word form): typed from its content, measured, read.

``read_attachment`` gives the ``AttachmentInfo`` the extract CLI prints per file and the store keeps: kind and
format from magic bytes (``pipelines.intake.media.sniff``), size checked against the limit for its kind, PDF
page count and text layer, image and video size, video duration, and text: the PDF text layer, OCR for scanned
pages and images. OCR is optional here (``ocr=None`` defers it: ``needs_ocr`` is then set), so ingest stays fast
and the store runs OCR in the background.

``match_listed`` pairs the names typed in the form's 附件清单 with the files found, tolerant of spaces, full and
half width, numbering and extensions.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import PurePosixPath

from pipelines.backends.ocr import OcrCache, OcrEngine
from pipelines.config import Settings
from pipelines.intake.media import MediaError, open_image, read_pdf, read_video, render_pdf_pages, sniff

CONTRACT_FIELDS = ("name", "kind", "bytes", "allowed", "listed", "pages", "duration_s", "text", "error")
_FORMAT_ALIASES = {"jpeg": "jpg", "jpe": "jpg", "tiff": "tif", "qt": "mov", "m4v": "mp4"}
_NUMBERING = re.compile(
    r"^(?:附件|附|材料|证明材料)?\s*(?:[0-9]+|[一二三四五六七八九十]+|[①-⑳])?\s*[-_.、:：)）]*\s*"
    r"|^[（(]\s*(?:[0-9]+|[一二三四五六七八九十]+)\s*[)）]\s*"
)
_PUNCTUATION = re.compile(r"[\s\-_.,，。、:：;；'\"“”‘’《》<>【】\[\]()（）]+")
FUZZY_MIN_RATIO = 0.8  # difflib ratio for a listed name and a file name that differ by a word or a typo


@dataclass
class AttachmentInfo:
    """One file of an application as read. The first nine fields are the extract CLI's contract."""

    name: str
    kind: str  # pdf | image | video | word | other
    bytes: int
    allowed: bool  # format allowed by the call (from the content; the extension when the content is unknown)
    listed: bool = False  # named in the form's 附件清单
    pages: int | None = None
    duration_s: float | None = None
    text: str = ""
    error: str | None = None  # Chinese, when the file is empty, too large or cannot be read
    format: str = ""  # jpg, png, pdf, mp4, mov, docx, exe, ... ("" unknown)
    sha256: str = ""
    width: int | None = None
    height: int | None = None
    listed_as: str = ""  # the 附件清单 entry it matched
    needs_ocr: bool = False  # images and scanned PDF pages waiting for OCR
    ocr_pages: list[int] = field(default_factory=list)  # 0-based PDF pages that are scans, to OCR
    ocr_skipped: int = 0  # scanned pages over ``ocr_max_pages``, not read

    def contract(self) -> dict:
        """The object printed in the extract CLI's ``files`` list."""
        values = asdict(self)
        return {key: values[key] for key in CONTRACT_FIELDS}


def _extension(name: str) -> str:
    suffix = PurePosixPath(name).suffix.lower().lstrip(".")
    return _FORMAT_ALIASES.get(suffix, suffix)


def _allowed(fmt: str, name: str, settings: Settings) -> bool:
    allowed = {_FORMAT_ALIASES.get(ext.lower(), ext.lower()) for ext in settings.allowed_attachment_types}
    return (fmt if fmt not in ("", "empty") else _extension(name)) in allowed


_KIND_NAMES = {"pdf": "PDF ", "image": "图片 ", "video": "视频 ", "word": "Word 文档 "}


def _limit_mb(kind: str, settings: Settings) -> float:
    return {
        "pdf": settings.max_pdf_mb,
        "image": settings.max_image_mb,
        "video": settings.max_video_mb,
        "word": settings.max_file_mb,
    }.get(kind, max(settings.max_pdf_mb, settings.max_image_mb, settings.max_video_mb))


def read_attachment(
    name: str,
    data: bytes,
    settings: Settings,
    size: int | None = None,
    ocr: OcrEngine | None = None,
    cache: OcrCache | None = None,
) -> AttachmentInfo:
    """Type, measure and read one attachment; never raises for bad content (``error`` says what is wrong).

    Args:
        name: display name (path; zip members as further path parts).
        data: its bytes (may be only the first ``cap + 1`` bytes of a file over its limit).
        settings: per-type size limits, allowed formats, ``ocr_max_pages``.
        size: the real size when ``data`` was capped; defaults to ``len(data)``.
        ocr: engine for images and scanned pages; None = leave them for later (``needs_ocr``).
        cache: OCR results by content hash.

    Returns:
        The attachment's description; ``text`` holds the PDF text layer and, with ``ocr``, the OCR text.
    """
    size = len(data) if size is None else size
    kind, fmt = sniff(data[: 64 * 1024] if not data.startswith(b"PK") else data)
    info = AttachmentInfo(name, kind, size, _allowed(fmt, name, settings), format=fmt)
    base = PurePosixPath(name).name
    if not data:
        info.error = f"「{base}」是空文件（0 字节），可能上传或打包时出错。请重新提交该附件。"
        return info
    limit = _limit_mb(kind, settings)
    if size > limit * 2**20:
        info.error = f"「{base}」有 {size / 2**20:.1f} MB，超过{_KIND_NAMES.get(kind, '附件')}{limit:g} MB 的上限，未读取。"
        return info
    if len(data) < size:  # never happens for files read whole; a safeguard against trusting a partial read
        info.error = f"「{base}」只读到了部分内容（{len(data)}/{size} 字节），未读取。请重新提交该附件。"
        return info
    info.sha256 = hashlib.sha256(data).hexdigest()
    try:
        _measure(info, data, settings)
    except MediaError as error:
        info.error = f"「{base}」{error.reason}"
        info.needs_ocr, info.ocr_pages = False, []
        return info
    if info.needs_ocr and ocr is not None:
        apply_ocr(info, data, settings, ocr, cache)
    return info


def _measure(info: AttachmentInfo, data: bytes, settings: Settings) -> None:
    if info.kind == "pdf":
        pdf = read_pdf(data)
        info.pages = pdf.pages
        info.text = "\n\n".join(text.strip() for text in pdf.page_texts if text.strip())
        scanned = pdf.scanned_pages
        info.ocr_pages = scanned[: settings.ocr_max_pages]
        info.ocr_skipped = len(scanned) - len(info.ocr_pages)
        info.needs_ocr = bool(info.ocr_pages)
    elif info.kind == "image":
        image = open_image(data)
        info.width, info.height = image.size
        info.needs_ocr = True
    elif info.kind == "video" and info.format in ("mp4", "mov"):
        video = read_video(data)
        info.duration_s, info.width, info.height = video.duration_s, video.width, video.height


def ocr_pages_text(info: AttachmentInfo, data: bytes, ocr: OcrEngine) -> list[tuple[int, str]]:
    """OCR text of an image (page 0) or of the scanned pages of a PDF, as (page, text)."""
    if info.kind == "image":
        return [(0, ocr.read(open_image(data)))]
    images = render_pdf_pages(data, info.ocr_pages)
    return [(page, ocr.read(image)) for page, image in zip(info.ocr_pages, images, strict=True)]


def apply_ocr(
    info: AttachmentInfo, data: bytes, settings: Settings, ocr: OcrEngine, cache: OcrCache | None = None
) -> None:
    """Fill ``info.text`` with OCR text (cached by content hash); a PDF keeps its text layer and gains the scans."""
    text = cache.get(info.sha256) if cache is not None else None
    if text is None:
        try:
            text = "\n\n".join(page_text for _, page_text in ocr_pages_text(info, data, ocr) if page_text)
        except MediaError as error:
            info.error, info.needs_ocr = f"「{PurePosixPath(info.name).name}」{error.reason}", False
            return
        if cache is not None:
            cache.put(info.sha256, text)
    info.text = "\n\n".join(part for part in (info.text, text) if part)
    if info.ocr_skipped:
        note = (
            f"（另有 {info.ocr_skipped} 页扫描页超出每个文件 {settings.ocr_max_pages} 页的识别上限，未识别）"
        )
        info.text = f"{info.text}\n\n{note}"
    info.needs_ocr = False


def normalise_listed(name: str) -> str:
    """A listed or file name reduced for matching: NFKC (full→half width), no numbering, extension, spaces or
    punctuation, lower case. ``"附件1：荣誉证书 .PDF"`` and ``"１.荣誉证书.pdf"`` both give ``"荣誉证书"``."""
    text = unicodedata.normalize("NFKC", name).strip().lower()
    text = PurePosixPath(text.replace("\\", "/")).name
    stem, dot, suffix = text.rpartition(".")
    if dot and 1 <= len(suffix) <= 5 and suffix.isascii() and suffix.isalnum() and stem:
        text = stem
    text = _NUMBERING.sub("", text, count=1)
    return _PUNCTUATION.sub("", text)


def match_listed(listed: list[str], names: list[str]) -> tuple[dict[str, str], list[str]]:
    """Pair 附件清单 entries with file names: exact after normalising, then containment, then near-equal.

    Each entry and each file is used at most once, best pairs first.

    Args:
        listed: the entries as typed in the form.
        names: the application's file names (paths; only the last part counts).

    Returns:
        (file name -> the entry it matched, entries with no file).
    """
    keys = {name: normalise_listed(name) for name in names}
    pairs: list[tuple[float, int, str]] = []
    for position, entry in enumerate(listed):
        wanted = normalise_listed(entry)
        if not wanted:
            continue
        for name, key in keys.items():
            if not key:
                continue
            if key == wanted:
                score = 3.0
            elif min(len(key), len(wanted)) >= 2 and (wanted in key or key in wanted):
                score = 2.0 + min(len(key), len(wanted)) / max(len(key), len(wanted))
            else:
                ratio = difflib.SequenceMatcher(None, wanted, key).ratio()
                score = ratio if ratio >= FUZZY_MIN_RATIO else 0.0
            if score:
                pairs.append((score, position, name))
    matched: dict[str, str] = {}
    used: set[int] = set()
    for _score, position, name in sorted(pairs, key=lambda p: (-p[0], p[1])):
        if name not in matched and position not in used:
            matched[name] = listed[position]
            used.add(position)
    missing = [entry for i, entry in enumerate(listed) if i not in used and normalise_listed(entry)]
    return matched, missing
