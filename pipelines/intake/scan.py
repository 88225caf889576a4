"""Picture-only forms: the pictures are read by OCR and the lines read like a free-layout form.

The extractor depends on a small interface only, ``ImageReader``: a function that takes the bytes of one
picture and returns its text lines, top to bottom. ``default_image_reader`` adapts the bundled offline OCR
(``pipelines.backends.ocr``, rapidocr-onnxruntime) to it.
"""

from __future__ import annotations

from collections.abc import Callable

from pipelines.config import Settings
from pipelines.intake.docx_body import Body, Paragraph

ImageReader = Callable[[bytes], list[str]]

SCAN_WARNING = "本申报表是图片（扫描件或截图），文字由 OCR 识别，可能有错字，请对照原件核对各栏内容。"


def default_image_reader(settings: Settings) -> ImageReader | None:
    """The bundled OCR as an ``ImageReader``, or None when it is not available."""
    try:
        from pipelines.backends.ocr import get_ocr
        from pipelines.intake.media import open_image
    except ImportError:
        return None
    engine = get_ocr(settings.ocr_threads)

    def read(data: bytes) -> list[str]:
        try:
            image = open_image(data)
        except (OSError, ValueError):  # damaged or unsupported picture: nothing to read
            return []
        return engine.read(image).splitlines()

    return read


def scanned_body(images: list[bytes], reader: ImageReader) -> Body:
    """The OCR lines of ``images`` as a body of plain paragraphs, in page order."""
    body = Body(from_scan=True)
    for data in images:
        for line in reader(data):
            if line.strip():
                body.blocks.append(Paragraph(line.strip()))
                body.text_chars += len(line.strip())
    return body
