"""Reading a .docx package: the document part and its styles, the embedded media, and the body.

python-docx repeats the text of merged cells, skips content controls and knows nothing of checkbox controls,
so the document part is parsed once with lxml and walked by ``pipelines.intake.docx_body``. Embedded media
(``word/media``, ``word/embeddings``) are counted here, so the text and the pictures of a form can be held to
limits of their own. Strict OOXML files are read by mapping their namespaces onto the transitional ones.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib

from lxml import etree

from pipelines.intake.docx_body import Body, BodyReader, Paragraph, Table
from pipelines.intake.docx_ticks import W_NS, W
from pipelines.schema import IntakeError

REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
MAX_PART_BYTES = 64 * 1024 * 1024  # a real form's document.xml is a few MB; more is a zip bomb

_STRICT_NAMESPACES = {
    b"http://purl.oclc.org/ooxml/wordprocessingml/main": W_NS.encode(),
    b"http://purl.oclc.org/ooxml/drawingml/main": b"http://schemas.openxmlformats.org/drawingml/2006/main",
    b"http://purl.oclc.org/ooxml/officeDocument/relationships": (
        b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    ),
    b"http://purl.oclc.org/ooxml/drawingml/wordprocessingDrawing": (
        b"http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
    ),
    b"http://purl.oclc.org/ooxml/drawingml/picture": b"http://schemas.openxmlformats.org/drawingml/2006/picture",
}

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, remove_comments=True, huge_tree=False, collect_ids=False
)


def _read_part(archive: zipfile.ZipFile, name: str, file_name: str) -> bytes:
    info = archive.getinfo(name)
    if info.file_size > MAX_PART_BYTES:
        raise IntakeError(
            "too_large",
            f"文件「{file_name}」解压后的正文超过 {MAX_PART_BYTES // 2**20} MB，不像正常的申报表。"
            "请删除其中的大图或嵌入对象后重新保存再上传。",
            file_name,
        )
    with archive.open(info) as handle:
        data = handle.read(MAX_PART_BYTES + 1)
    if b"purl.oclc.org/ooxml" in data:
        for strict, transitional in _STRICT_NAMESPACES.items():
            data = data.replace(strict, transitional)
    return data


def _relationship_target(archive: zipfile.ZipFile, rels_name: str, type_suffix: str, base: str) -> str | None:
    if rels_name not in archive.NameToInfo:
        return None
    root = etree.fromstring(archive.read(rels_name), _PARSER)
    for rel in root.iter(f"{{{REL_NS}}}Relationship"):
        if rel.get("Type", "").endswith(type_suffix) and rel.get("TargetMode") != "External":
            target = rel.get("Target", "")
            if target.startswith("/"):
                return target.lstrip("/")
            return posixpath.normpath(posixpath.join(base, target))
    return None


def _part_names(archive: zipfile.ZipFile) -> tuple[str | None, str | None]:
    """The main document part and its styles part: the usual names, else where the relationships point."""
    if "word/document.xml" in archive.NameToInfo:
        return "word/document.xml", "word/styles.xml"
    main = _relationship_target(archive, "_rels/.rels", "/officeDocument", "")
    if main not in archive.NameToInfo:
        return None, None
    folder = posixpath.dirname(main)
    rels = posixpath.join(folder, "_rels", posixpath.basename(main) + ".rels")
    return main, _relationship_target(archive, rels, "/styles", folder)


def _corrupt(file_name: str) -> IntakeError:
    return IntakeError(
        "corrupt_docx",
        f"文件「{file_name}」已损坏（压缩包不完整或缺少正文），无法读取。"
        "请用 Word 或 WPS 打开确认能正常显示后重新保存，再上传。",
        file_name,
    )


def read_package(data: bytes, file_name: str) -> Body:
    """Read the body of a .docx given as bytes.

    Args:
        data: the file's bytes (a zip).
        file_name: shown in error messages.

    Returns:
        The body as paragraphs and tables.

    Raises:
        IntakeError: ``corrupt_docx`` for a broken zip or missing document part, ``not_word`` for another
            Office format (Excel, PowerPoint) renamed to .docx, ``too_large`` for a bomb-sized part.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            main, styles_name = _part_names(archive)
            if main is None:
                _raise_missing_document(archive, file_name)
            document = _read_part(archive, main, file_name)
            outline = _outline_levels(archive, styles_name, file_name)
            margins = [_read_part(archive, name, file_name) for name in _margin_parts(archive, main)]
            media = [info for info in archive.infolist() if _is_media(info.filename)]
    except IntakeError:
        raise
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        KeyError,
        NotImplementedError,
        RuntimeError,
        OSError,
        etree.XMLSyntaxError,
    ) as exc:
        raise _corrupt(file_name) from exc
    try:
        root = etree.fromstring(document, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise _corrupt(file_name) from exc
    body = root.find(f"{W}body")
    if body is None:
        raise _corrupt(file_name)
    read = BodyReader(outline, hides_text(document)).read(body)
    read.margins = _margin_blocks(margins, outline)
    read.media_count = len(media)
    read.media_bytes = sum(info.compress_size for info in media)
    return read


def hides_text(part: bytes) -> bool:
    """Whether a part has hidden or struck-through runs at all: one search spares a check of every run."""
    return b"vanish" in part or b"strike" in part


_MARGIN_TYPES = ("/header", "/footer")
_TEXT_ELEMENT_RE = re.compile(rb"<(?:\w+:)?t[ >]")


def _margin_parts(archive: zipfile.ZipFile, main: str) -> list[str]:
    """The header and footer parts of the main part (headers first), each distinct part once."""
    if not any("header" in name or "footer" in name for name in archive.NameToInfo):
        return []  # most forms have neither: the relationships are not parsed
    folder = posixpath.dirname(main)
    rels_name = posixpath.join(folder, "_rels", posixpath.basename(main) + ".rels")
    if rels_name not in archive.NameToInfo:
        return []
    root = etree.fromstring(archive.read(rels_name), _PARSER)
    found: dict[str, list[str]] = {kind: [] for kind in _MARGIN_TYPES}
    for rel in root.iter(f"{{{REL_NS}}}Relationship"):
        kind = next((k for k in _MARGIN_TYPES if rel.get("Type", "").endswith(k)), None)
        if kind is None or rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target", "")
        name = (
            target.lstrip("/")
            if target.startswith("/")
            else posixpath.normpath(posixpath.join(folder, target))
        )
        if name in archive.NameToInfo and name not in found[kind]:
            found[kind].append(name)
    return [name for kind in _MARGIN_TYPES for name in sorted(found[kind], key=lambda n: (len(n), n))]


def _margin_blocks(parts: list[bytes], outline: dict[str, int]) -> list[Paragraph | Table]:
    """The blocks of the headers and footers, identical parts read once; they do not count as body text."""
    blocks: list[Paragraph | Table] = []
    seen: set[bytes] = set()
    for data in parts:
        if data in seen or not _TEXT_ELEMENT_RE.search(data):
            continue  # a header with a page number field only
        seen.add(data)
        try:
            root = etree.fromstring(data, _PARSER)
        except etree.XMLSyntaxError:
            continue  # a damaged header does not make the form unreadable
        blocks.extend(BodyReader(outline, hides_text(data)).read(root).blocks)
    return blocks


_MEDIA_FOLDERS = ("media/", "embeddings/")
_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff")
MAX_IMAGES = 20  # pictures read for OCR from one picture-only form


def _is_media(name: str) -> bool:
    return any(f"/{folder}" in f"/{name}" for folder in _MEDIA_FOLDERS)


def read_images(data: bytes, file_name: str) -> list[bytes]:
    """The pictures embedded in a .docx, in part-name order (``image1.png``, ``image2.jpeg`` …).

    Args:
        data: the file's bytes (already read once by ``read_package``).
        file_name: shown in error messages.

    Returns:
        Up to ``MAX_IMAGES`` pictures as bytes.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = sorted(
            (info.filename for info in archive.infolist() if _is_media(info.filename)),
            key=lambda name: (len(name), name),
        )
        images = [name for name in names if name.lower().endswith(_IMAGE_SUFFIXES)][:MAX_IMAGES]
        return [_read_part(archive, name, file_name) for name in images]


def _raise_missing_document(archive: zipfile.ZipFile, file_name: str) -> None:
    names = archive.namelist()
    if any(name.startswith(("xl/", "ppt/")) for name in names):
        raise IntakeError(
            "not_word",
            f"文件「{file_name}」是 Excel 或 PowerPoint 文件，只是扩展名被改成了 .docx。"
            "请提交用 Word 填写的申报表（.docx）。",
            file_name,
        )
    raise _corrupt(file_name)


_STYLE_CACHE: dict[tuple[int, int], dict[str, int]] = {}
_STYLE_CACHE_SIZE = 64


def _outline_levels(archive: zipfile.ZipFile, styles_name: str | None, file_name: str) -> dict[str, int]:
    """Outline levels of the paragraph styles, cached by the part's CRC and size: forms written from one
    template share their styles part, so it is decompressed and parsed once."""
    info = archive.NameToInfo.get(styles_name) if styles_name else None
    if info is None:
        return {}
    key = (info.CRC, info.file_size)
    if key not in _STYLE_CACHE:
        if len(_STYLE_CACHE) >= _STYLE_CACHE_SIZE:
            _STYLE_CACHE.clear()
        _STYLE_CACHE[key] = _style_outline_levels(_read_part(archive, info.filename, file_name))
    return _STYLE_CACHE[key]


def _style_outline_levels(styles_xml: bytes) -> dict[str, int]:
    """Paragraph style id → outline level (0 = 标题 1 / Heading 1 / Title), following ``basedOn``."""
    if not styles_xml:
        return {}
    root = etree.fromstring(styles_xml, _PARSER)
    direct: dict[str, int] = {}
    based_on: dict[str, str] = {}
    for style in root.iter(f"{W}style"):
        if style.get(f"{W}type") not in (None, "paragraph"):
            continue
        style_id = style.get(f"{W}styleId", "")
        level = _style_level(style)
        if level is not None:
            direct[style_id] = level
        parent = style.find(f"{W}basedOn")
        if parent is not None:
            based_on[style_id] = parent.get(f"{W}val", "")
    levels = dict(direct)
    for style_id in based_on:
        current, seen = style_id, set()
        while current not in direct and current in based_on and current not in seen:
            seen.add(current)
            current = based_on[current]
        if current in direct:
            levels[style_id] = direct[current]
    return levels


def _style_level(style: etree._Element) -> int | None:
    outline = style.find(f"{W}pPr/{W}outlineLvl")
    if outline is not None and outline.get(f"{W}val", "9").isdigit():
        value = int(outline.get(f"{W}val", "9"))
        return value if value < 9 else None
    name_element = style.find(f"{W}name")
    name = (name_element.get(f"{W}val", "") if name_element is not None else "").lower().replace(" ", "")
    if name in {"title", "标题"}:
        return 0
    for prefix in ("heading", "标题"):
        if name.startswith(prefix) and name[len(prefix) :].isdigit():
            return int(name[len(prefix) :]) - 1
    return None
