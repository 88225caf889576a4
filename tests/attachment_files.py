"""Real attachment files built at test time: PDFs with and without a text layer, images with Chinese text,
short MP4 and MOV videos (OpenCV's writer, installed with the OCR package), zips with GBK names and nesting."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


def text_image(lines: list[str], size: tuple[int, int] = (1000, 400), font_size: int = 44) -> Image.Image:
    """A white image with black Chinese text, one line per entry (like a photographed certificate)."""
    font = ImageFont.truetype(CJK_FONT, font_size)
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    for row, line in enumerate(lines):
        draw.text((50, 40 + row * int(font_size * 1.8)), line, font=font, fill="black")
    return image


def image_bytes(lines: list[str], fmt: str = "JPEG") -> bytes:
    buffer = io.BytesIO()
    text_image(lines).save(buffer, format=fmt, quality=92)
    return buffer.getvalue()


def text_pdf(pages: list[str]) -> bytes:
    """A PDF with a real text layer (reportlab, the STSong-Light CID font), one string per page."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    for text in pages:
        pdf.setFont("STSong-Light", 14)
        for row, line in enumerate(text.splitlines()):
            pdf.drawString(72, 760 - row * 22, line)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def scanned_pdf(pages: list[list[str]]) -> bytes:
    """A PDF whose pages are only images of Chinese text (no text layer), as a scanner makes them."""
    images = [text_image(lines, size=(1240, 1754), font_size=40) for lines in pages]
    buffer = io.BytesIO()
    images[0].save(buffer, format="PDF", save_all=True, append_images=images[1:], resolution=150)
    return buffer.getvalue()


def video_bytes(tmp_path: Path, suffix: str = ".mp4", seconds: float = 2.0, fps: int = 10) -> bytes:
    """A real short video (OpenCV's MPEG-4 writer), 64x48 pixels, ``seconds`` long."""
    import cv2

    path = tmp_path / f"clip{suffix}"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (64, 48))
    assert writer.isOpened(), "OpenCV 无法写视频"
    for frame in range(int(seconds * fps)):
        writer.write(np.full((48, 64, 3), frame * 5 % 255, np.uint8))
    writer.release()
    data = path.read_bytes()
    path.unlink()
    return data


EXE = b"MZ\x90\x00\x03\x00\x00\x00" + bytes(200)


class GbkZipInfo(zipfile.ZipInfo):
    """A member name written as Chinese Windows does: GBK bytes, no UTF-8 flag."""

    def _encodeFilenameFlags(self):  # noqa: N802 (zipfile's name)
        return self.filename.encode("gbk"), self.flag_bits


def make_zip(members: dict[str, bytes], gbk: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            info = GbkZipInfo(name) if gbk else zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return buffer.getvalue()
