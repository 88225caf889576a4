"""Uploaded .zip archives and folders → the Word files inside them, safely.

Archives from applicants are untrusted: member names may climb out of the target (``../``, absolute paths),
sizes may be forged to exhaust memory. Every member is checked on its declared sizes before anything is read,
and reads are capped on the actual bytes as well. Names written by Chinese Windows (GBK without the UTF-8 flag)
are decoded correctly.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from pipelines.config import Settings
from pipelines.intake.extract import check_size
from pipelines.schema import IntakeError

WORD_SUFFIXES = (
    ".docx",
    ".docm",
    ".doc",
    ".wps",
)  # .doc/.wps are yielded so the user is told to convert them
MAX_RATIO = 100  # uncompressed / compressed size of one member
RATIO_MIN_BYTES = 1024 * 1024  # tiny members compress well without being bombs
_UTF8_FLAG = 0x800
_CHUNK = 1024 * 1024


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's name as the user wrote it: GBK names from Chinese Windows zips decoded correctly."""
    if info.flag_bits & _UTF8_FLAG:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


def _unsafe(name: str) -> bool:
    normalised = name.replace("\\", "/")
    if normalised.startswith("/") or re.match(r"^[A-Za-z]:", normalised):
        return True
    return ".." in PurePosixPath(normalised).parts


def _skipped(name: str) -> bool:
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if not parts or name.endswith(("/", "\\")):
        return True
    base = parts[-1]
    return (
        "__MACOSX" in parts or base.startswith(("~$", "._", ".")) or not base.lower().endswith(WORD_SUFFIXES)
    )


def _error(code: str, archive: str, detail: str) -> IntakeError:
    return IntakeError(code, f"压缩包「{archive}」{detail}", archive)


def _check_members(infos: list[zipfile.ZipInfo], name: str, settings: Settings) -> None:
    limit = settings.max_archive_mb * 1024 * 1024
    total = 0
    for info in infos:
        member = member_name(info)
        if _unsafe(member):
            raise _error(
                "unsafe_archive",
                name,
                f"含有不安全的路径「{member}」（绝对路径或 ../），已拒绝整个压缩包。请只打包申报材料本身后重新上传。",
            )
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size >= RATIO_MIN_BYTES and ratio > MAX_RATIO:
            raise _error(
                "archive_bomb",
                name,
                f"中的「{member}」压缩比异常（{ratio:.0f} 倍），疑似压缩炸弹，已拒绝。请检查压缩包来源后重新打包上传。",
            )
    if total > limit:
        raise _error(
            "archive_bomb",
            name,
            f"解压后共 {total / 2**20:.0f} MB，超过 {settings.max_archive_mb:g} MB 的上限，已拒绝。"
            "请分成几个较小的压缩包上传。",
        )


def _read_capped(archive: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    with archive.open(info) as handle:
        while chunk := handle.read(min(_CHUNK, cap + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
            if size > cap:
                break
    return b"".join(chunks)


def iter_archive(data: bytes, name: str, settings: Settings) -> Iterator[tuple[str, bytes]]:
    """The Word files inside an uploaded zip, as (member name, bytes).

    Directories, ``__MACOSX``, hidden files, Word lock files (``~$…``) and non-Word members (attachments) are
    skipped; .doc/.wps members are yielded so extraction can tell the user to convert them. A member larger than
    ``max_file_mb`` is yielded truncated to just over the limit, so extraction rejects it as ``too_large``
    without ever holding more in memory.

    Args:
        data: the zip's bytes.
        name: the archive's file name, for messages.
        settings: ``max_archive_mb`` and ``max_file_mb``.

    Yields:
        (member name with GBK decoded, member bytes).

    Raises:
        IntakeError: ``unsafe_archive`` (absolute path or ``..``), ``archive_bomb`` (declared or actual
            uncompressed size over ``max_archive_mb``, or a member compressed over 100:1),
            ``corrupt_archive`` (not a readable zip, or encrypted).
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _error(
            "corrupt_archive", name, "已损坏或不是 zip 格式，无法解压。请重新打包（zip 格式）后上传。"
        ) from exc
    with archive:
        infos = archive.infolist()
        _check_members(infos, name, settings)
        remaining = int(settings.max_archive_mb * 1024 * 1024)
        file_cap = int(settings.max_file_mb * 1024 * 1024)
        for info in infos:
            member = member_name(info)
            if info.is_dir() or _skipped(member):
                continue
            content = _read_member(archive, info, name, min(file_cap, remaining))
            remaining -= len(content)
            if remaining < 0:
                raise _error(
                    "archive_bomb", name, "解压后的实际大小超过上限，已停止解压。请分成较小的压缩包上传。"
                )
            yield member, content


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, cap: int) -> bytes:
    if info.flag_bits & 0x1:
        raise _error("corrupt_archive", name, "设置了密码，无法解压。请去掉压缩包密码后重新上传。")
    try:
        return _read_capped(archive, info, cap)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, OSError) as exc:
        raise _error(
            "corrupt_archive", name, f"中的「{member_name(info)}」已损坏，无法解压。请重新打包后上传。"
        ) from exc


@dataclass
class Source:
    """One file to extract: its display name and bytes, or the error that stopped it being read."""

    name: str
    data: bytes = b""
    error: IntakeError | None = None


def _walk(path: Path) -> Iterator[Path]:
    if path.is_dir():
        suffixes = (*WORD_SUFFIXES, ".zip")
        yield from sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in suffixes)
    else:
        yield path


def iter_sources(paths: Iterable[Path], settings: Settings) -> Iterator[Source]:
    """Files and folders (walked for Word files and .zip) → one ``Source`` per form, zip members included.

    A bad archive becomes one ``Source`` with its error; it never stops the batch.

    Args:
        paths: files, folders or zips.
        settings: size limits.

    Yields:
        Sources in a stable order (sorted within folders).
    """
    for path in (item for root in paths for item in _walk(Path(root))):
        display = str(path)
        size = path.stat().st_size
        if path.suffix.lower() == ".zip":
            if size > settings.max_archive_mb * 1024 * 1024:
                yield Source(
                    display,
                    error=_error("archive_bomb", display, "超过大小上限，已拒绝。请分成较小的压缩包上传。"),
                )
                continue
            try:
                for member, content in iter_archive(path.read_bytes(), display, settings):
                    yield Source(f"{display}/{member}", content)
            except IntakeError as exc:
                yield Source(display, error=exc)
        else:
            try:
                if not path.name.startswith("~$"):
                    check_size(size, display, settings)
                yield Source(display, path.read_bytes())
            except IntakeError as exc:
                yield Source(display, error=exc)
