"""What a file is and how big it is, from its content: type by magic bytes, PDF pages and text layer
(pypdfium2), image size (Pillow), video duration and resolution from the MP4/QuickTime container (mutagen).

Pure functions on bytes; nothing here knows about applications, storage or OCR. Every reader raises
``MediaError`` with a Chinese reason when the content cannot be read.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field

from PIL import Image, ImageOps

Image.MAX_IMAGE_PIXELS = 120_000_000  # a 12,000 x 10,000 scan is fine; a decompression bomb is not

# (offset, signature, kind, format). ISO base media (mp4/mov) is recognised from its ``ftyp`` brand below.
_MAGIC: tuple[tuple[int, bytes, str, str], ...] = (
    (0, b"%PDF-", "pdf", "pdf"),
    (0, b"\xff\xd8\xff", "image", "jpg"),
    (0, b"\x89PNG\r\n\x1a\n", "image", "png"),
    (0, b"GIF87a", "image", "gif"),
    (0, b"GIF89a", "image", "gif"),
    (0, b"BM", "image", "bmp"),
    (0, b"II*\x00", "image", "tif"),
    (0, b"MM\x00*", "image", "tif"),
    (0, b"\x1aE\xdf\xa3", "video", "mkv"),
    (0, b"FLV", "video", "flv"),
    (0, b"\x00\x00\x01\xba", "video", "mpg"),
    (0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "word", "doc"),  # OLE2: .doc/.wps (also old .xls/.ppt)
    (0, b"MZ", "other", "exe"),
    (0, b"Rar!\x1a\x07", "other", "rar"),
    (0, b"7z\xbc\xaf\x27\x1c", "other", "7z"),
    (0, b"{\\rtf", "word", "rtf"),
)
_QUICKTIME_BRANDS = {b"qt  "}
_HEIF_BRANDS = {b"heic", b"heix", b"mif1", b"msf1", b"avif"}
TEXT_LAYER_MIN_CHARS = 20  # a page with fewer visible characters is treated as a scan and sent to OCR


class MediaError(ValueError):
    """Content that cannot be read; ``reason`` is Chinese and says what is wrong."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def sniff(data: bytes) -> tuple[str, str]:
    """The kind (pdf | image | video | word | other) and format (jpg, png, mp4, mov, docx, ...) of ``data``.

    Args:
        data: the file's bytes (the first few KB suffice, except for telling .docx from other zips).

    Returns:
        (kind, format); ``("other", "")`` when unknown, ``("other", "empty")`` for no bytes.
    """
    if not data:
        return "other", "empty"
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        if brand in _HEIF_BRANDS:
            return "image", "heic"
        return "video", "mov" if brand in _QUICKTIME_BRANDS else "mp4"
    if data[4:8] in (b"moov", b"mdat", b"wide", b"free", b"skip"):
        return "video", "mov"  # QuickTime files written without ftyp
    if data[:4] == b"RIFF":
        return {b"WEBP": ("image", "webp"), b"AVI ": ("video", "avi")}.get(data[8:12], ("other", "riff"))
    if data[:4] == b"PK\x03\x04":
        return _zip_kind(data)
    for offset, signature, kind, fmt in _MAGIC:
        if data[offset : offset + len(signature)] == signature:
            return kind, fmt
    return "other", ""


def _zip_kind(data: bytes) -> tuple[str, str]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return "other", "zip"
    if "word/document.xml" in names:
        return "word", "docm" if "word/vbaProject.bin" in names else "docx"
    return "other", "zip"


@dataclass
class PdfInfo:
    pages: int
    page_texts: list[str] = field(default_factory=list)  # text layer per page
    scanned_pages: list[int] = field(default_factory=list)  # 0-based pages that need OCR


def _is_scan(page, text: str) -> bool:  # noqa: ANN001 (pypdfium2 page)
    """No text layer at all, or hardly any text on a page that holds an image (a scan with a stamp's text)."""
    import pypdfium2.raw as pdfium_c

    chars = len("".join(text.split()))
    if chars == 0:
        return True
    return chars < TEXT_LAYER_MIN_CHARS and any(
        True for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE])
    )


def _open_pdf(data: bytes):  # noqa: ANN202 (pypdfium2 document)
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise MediaError("PDF 设置了打开密码，无法读取。请提交未加密的 PDF。") from exc
        raise MediaError("PDF 文件已损坏或不完整，无法打开。请重新导出 PDF 后提交。") from exc


def read_pdf(data: bytes) -> PdfInfo:
    """Page count and the text layer of every page.

    Raises:
        MediaError: damaged, truncated or password-protected PDF.
    """
    document = _open_pdf(data)
    try:
        info = PdfInfo(len(document))
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            text = textpage.get_text_range().replace("\r\n", "\n").replace("\r", "\n")
            info.page_texts.append(text)
            if _is_scan(page, text):
                info.scanned_pages.append(index)
            textpage.close()
            page.close()
        return info
    finally:
        document.close()


def render_pdf_pages(
    data: bytes, pages: list[int], dpi: int = 144, max_side: int = 2000
) -> list[Image.Image]:
    """Render the given 0-based pages of a PDF as RGB images (for OCR and for showing inline).

    Args:
        data: the PDF's bytes.
        pages: which pages.
        dpi: rendering resolution; lowered per page so the longer side stays within ``max_side`` pixels.
        max_side: cap on the longer side in pixels.

    Raises:
        MediaError: when the PDF cannot be opened.
    """
    document = _open_pdf(data)
    images = []
    try:
        for index in pages:
            page = document[index]
            width, height = page.get_size()  # points (1/72 inch)
            scale = min(dpi / 72, max_side / max(width, height, 1))
            images.append(page.render(scale=scale).to_pil().convert("RGB"))
            page.close()
    finally:
        document.close()
    return images


def open_image(data: bytes) -> Image.Image:
    """Decode an image, turned upright by its EXIF orientation, as RGB.

    Raises:
        MediaError: not decodable (damaged, truncated, unsupported like HEIC) or absurdly large.
    """
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except Image.DecompressionBombError as exc:
        raise MediaError("图片像素数过大（疑似恶意文件），未读取。请提交正常尺寸的图片。") from exc
    except (OSError, ValueError, SyntaxError) as exc:
        raise MediaError("图片已损坏或格式无法识别，无法读取。请重新导出为 jpg 后提交。") from exc
    return ImageOps.exif_transpose(image).convert("RGB")


@dataclass
class VideoInfo:
    duration_s: float
    width: int | None = None
    height: int | None = None


def read_video(data: bytes) -> VideoInfo:
    """Duration (from the movie header) and frame size (from the first video track) of an MP4/MOV file.

    Raises:
        MediaError: not a readable MP4/QuickTime container (truncated, damaged, or another container).
    """
    from mutagen import MutagenError
    from mutagen.mp4 import MP4, Atoms

    handle = io.BytesIO(data)
    try:
        duration = float(MP4(handle).info.length)
        handle.seek(0)
        width, height = _frame_size(Atoms(handle), handle)
    except (MutagenError, KeyError, ValueError, EOFError) as exc:
        raise MediaError("视频文件不完整或已损坏，无法读出时长。请重新导出 mp4 后提交。") from exc
    if duration <= 0:
        raise MediaError("视频时长为 0，可能不是完整的视频文件。请重新导出后提交。")
    return VideoInfo(round(duration, 3), width, height)


def _frame_size(atoms, handle: io.BytesIO) -> tuple[int | None, int | None]:  # noqa: ANN001 (mutagen Atoms)
    """Width and height of the first track with a non-zero size: the last 8 bytes of ``tkhd`` (16.16 fixed)."""
    for track in atoms[b"moov"].findall(b"trak"):
        for header in track.findall(b"tkhd"):
            ok, payload = header.read(handle)
            if ok and len(payload) >= 8:
                width = int.from_bytes(payload[-8:-4], "big") >> 16
                height = int.from_bytes(payload[-4:], "big") >> 16
                if width and height:
                    return width, height
    return None, None
