"""Uploaded .zip archives and folders → the files of each application, safely, grouped by application.

Archives from applicants are untrusted: member names may climb out of the target (``../``, absolute paths),
sizes may be forged to exhaust memory. Every member is checked on its declared sizes before anything is read,
and reads are capped on the actual bytes as well; nested zips are opened with the same checks and one shared
budget. Names written by Chinese Windows (GBK without the UTF-8 flag) are decoded correctly, nested zips too.

Which file belongs to which form is decided in ``pipelines.intake.grouping``; nothing is extracted here.
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
from pipelines.schema import IntakeError

FORM_SUFFIXES = (".docx", ".docm", ".doc", ".wps")  # .doc/.wps are forms the user is told to convert
MAX_RATIO = 100  # uncompressed / compressed size of one member
RATIO_MIN_BYTES = 1024 * 1024  # tiny members compress well without being bombs
MAX_DEPTH = 3  # zips inside zips inside zips, no deeper
_UTF8_FLAG = 0x800
_UNICODE_PATH_EXTRA = 0x7075  # Info-ZIP Unicode Path extra field
_CHUNK = 1024 * 1024
_JUNK_NAMES = {"thumbs.db", "desktop.ini", ".ds_store"}


def member_name(info: zipfile.ZipInfo, encoding: str = "") -> str:
    """The member's name as the user wrote it: GBK names from Chinese Windows zips decoded correctly.

    Order: the UTF-8 flag; the Info-ZIP Unicode Path extra field; the archive's legacy encoding (see
    ``legacy_encoding``; by default UTF-8 when the bytes are valid UTF-8, else GB18030, a superset of GBK);
    never the CP437 mojibake zipfile falls back to (undecodable bytes become U+FFFD).
    """
    if info.flag_bits & _UTF8_FLAG:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    if unicode_path := _unicode_path_extra(info.extra, raw):
        return unicode_path
    for candidate in (encoding,) if encoding else ("utf-8", "gb18030"):
        try:
            return raw.decode(candidate)
        except UnicodeDecodeError:
            continue
    return raw.decode("gb18030", errors="replace")


def _plausible(text: str) -> int:
    """How many characters look like what Chinese users put in file names (ASCII, CJK, CJK punctuation)."""
    return sum(
        1
        for char in text
        if char.isascii()
        or "\u4e00" <= char <= "\u9fff"
        or "\u3000" <= char <= "\u303f"
        or "\uff00" <= char <= "\uffef"
    )


def legacy_encoding(infos: list[zipfile.ZipInfo]) -> str:
    """The encoding of an archive's names written without the UTF-8 flag: ``utf-8`` or ``gb18030``.

    Zips from Chinese Windows write every name in GBK; many short GBK names are also valid UTF-8 (片头 →
    Ƭͷ), so the archive's names are decoded both ways and the reading with more plausible characters wins
    (UTF-8 on a tie, and whenever GB18030 cannot decode them).
    """
    raws = []
    for info in infos:
        if not info.flag_bits & _UTF8_FLAG:
            try:
                raws.append(info.filename.encode("cp437"))
            except UnicodeEncodeError:
                continue
    joined = b"/".join(raws)
    scores = {}
    for encoding in ("utf-8", "gb18030"):
        try:
            scores[encoding] = _plausible(joined.decode(encoding))
        except UnicodeDecodeError:
            scores[encoding] = -1
    return "gb18030" if scores["gb18030"] > scores["utf-8"] else "utf-8"


def _unicode_path_extra(extra: bytes, raw: bytes) -> str | None:
    """The UTF-8 name of an Info-ZIP Unicode Path extra field, if present and made for this raw name."""
    offset = 0
    while offset + 4 <= len(extra):
        kind = int.from_bytes(extra[offset : offset + 2], "little")
        size = int.from_bytes(extra[offset + 2 : offset + 4], "little")
        body = extra[offset + 4 : offset + 4 + size]
        valid = kind == _UNICODE_PATH_EXTRA and len(body) > 5 and body[0] == 1
        if valid and int.from_bytes(body[1:5], "little") == zlib.crc32(raw):
            try:
                return body[5:].decode("utf-8")
            except UnicodeDecodeError:
                return None
        offset += 4 + size
    return None


def _unsafe(name: str) -> bool:
    normalised = name.replace("\\", "/")
    if normalised.startswith("/") or re.match(r"^[A-Za-z]:", normalised):
        return True
    return ".." in PurePosixPath(normalised).parts


def is_junk(name: str) -> bool:
    """Directories, ``__MACOSX``, hidden files, Word lock files' companions and OS litter: never material."""
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if not parts or name.endswith(("/", "\\")):
        return True
    base = parts[-1]
    return "__MACOSX" in parts or base.startswith(("._", ".")) or base.lower() in _JUNK_NAMES


def is_form_name(name: str) -> bool:
    """A Word file by its name (forms, and Word lock files ``~$…`` that extraction reports as skipped)."""
    return name.lower().endswith(FORM_SUFFIXES)


def _error(code: str, archive: str, detail: str) -> IntakeError:
    return IntakeError(code, f"压缩包「{archive}」{detail}", archive)


def _check_members(infos: list[zipfile.ZipInfo], name: str, budget: int, encoding: str) -> None:
    total = 0
    for info in infos:
        member = member_name(info, encoding)
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
    if total > budget:
        raise _error(
            "archive_bomb",
            name,
            f"解压后共 {total / 2**20:.0f} MB，超过剩余的解压上限（{budget / 2**20:.0f} MB），已拒绝。"
            "请分成几个较小的压缩包上传。",
        )


def _read_capped(handle: io.BufferedIOBase, cap: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while chunk := handle.read(min(_CHUNK, cap + 1 - size)):
        chunks.append(chunk)
        size += len(chunk)
        if size > cap:
            break
    return b"".join(chunks)


@dataclass
class Source:
    """One file of a batch: its display name, its bytes (or where to read them), or the error that stopped it.

    ``name`` is the path as given, with zip members (nested ones too) appended as further path parts, e.g.
    ``批次/甲单位.zip/附件.zip/证书.pdf``. ``size`` is the real size in bytes (the declared size for zip
    members); ``data`` may hold only the first ``cap + 1`` bytes when the file is over its cap, so a reader
    rejects it without anything larger ever held in memory. ``top`` is the folder grouping never goes above.
    """

    name: str
    data: bytes = b""
    error: IntakeError | None = None
    size: int = 0
    path: Path | None = None  # on-disk file, read on demand by ``read``
    cap: int = 0
    top: str = ""
    in_archive: bool = False  # a zip member (a nested zip that failed is then a file of its application)
    label: str = ""  # the name as an upload would have it: base name, zip members after their zip's base name

    @property
    def is_form(self) -> bool:
        return self.error is None and is_form_name(self.name)

    @property
    def folder(self) -> str:
        return str(PurePosixPath(self.name).parent) if "/" in self.name else ""

    def read(self) -> bytes:
        """The bytes (capped), reading an on-disk file only now."""
        if self.path is not None and not self.data:
            with self.path.open("rb") as handle:
                self.data = _read_capped(handle, self.cap)  # type: ignore[arg-type]
        return self.data


def _caps(settings: Settings) -> tuple[int, int]:
    """(read cap for forms, read cap for other files) in bytes."""
    media = max(settings.max_pdf_mb, settings.max_image_mb, settings.max_video_mb, settings.max_file_mb)
    return int(settings.max_file_mb * 2**20), int(media * 2**20)


@dataclass
class _Budget:
    remaining: int


def iter_archive(
    data: bytes, name: str, settings: Settings, top: str | None = None, label: str | None = None
) -> Iterator[Source]:
    """Every file inside an uploaded zip, nested zips opened, as ``Source`` objects.

    Directories, ``__MACOSX``, hidden files and OS litter are skipped; everything else (forms, attachments,
    disallowed files) is yielded so nothing is silently dropped. A member over its cap (``max_file_mb`` for
    Word files, the largest attachment limit otherwise) is yielded truncated to just over the cap. A nested
    zip that is damaged or encrypted becomes one ``Source`` with its error; an unsafe or oversized one
    refuses the whole upload, like the outer zip.

    Args:
        data: the zip's bytes.
        name: the archive's display name (path), for messages and member names.
        settings: ``max_archive_mb`` (one budget for all nesting levels) and the per-type size limits.
        top: the folder grouping stops at; defaults to the archive itself.
        label: the archive's upload name (members' ``label`` start with it); defaults to ``name``.

    Yields:
        Sources named ``{name}/{member}`` with GBK names decoded.

    Raises:
        IntakeError: ``unsafe_archive`` (absolute path or ``..``), ``archive_bomb`` (declared or actual
            uncompressed size over ``max_archive_mb``, a member compressed over 100:1, or zips nested deeper
            than three levels), ``corrupt_archive`` (not a readable zip, or encrypted).
    """
    budget = _Budget(int(settings.max_archive_mb * 2**20))
    yield from _members(data, (name, label or name), settings, budget, 0, name if top is None else top)


def _members(
    data: bytes, names: tuple[str, str], settings: Settings, budget: _Budget, depth: int, top: str
) -> Iterator[Source]:
    name, label = names
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _error(
            "corrupt_archive", name, "已损坏或不是 zip 格式，无法解压。请重新打包（zip 格式）后上传。"
        ) from exc
    form_cap, other_cap = _caps(settings)
    with archive:
        infos = archive.infolist()
        encoding = legacy_encoding(infos)
        _check_members(infos, name, budget.remaining, encoding)
        for info in infos:
            member = member_name(info, encoding).replace("\\", "/")
            if info.is_dir() or is_junk(member):
                continue
            full, member_label = f"{name}/{member}", f"{label}/{member}"
            cap = form_cap if is_form_name(member) else other_cap
            content = _read_member(archive, info, name, member, min(cap, budget.remaining))
            budget.remaining -= len(content)
            if budget.remaining < 0:
                raise _error(
                    "archive_bomb", name, "解压后的实际大小超过上限，已停止解压。请分成较小的压缩包上传。"
                )
            if member.lower().endswith(".zip"):
                yield from _nested(content, (full, member_label), settings, budget, depth + 1, top)
                continue
            yield Source(
                full, content, size=info.file_size, cap=cap, top=top, in_archive=True, label=member_label
            )


def _nested(
    data: bytes, names: tuple[str, str], settings: Settings, budget: _Budget, depth: int, top: str
) -> Iterator[Source]:
    name = names[0]
    if depth > MAX_DEPTH:
        raise _error(
            "archive_bomb", name, f"嵌套超过 {MAX_DEPTH} 层，疑似压缩炸弹，已拒绝。请解开多层压缩后重新打包。"
        )
    try:
        members = list(_members(data, names, settings, budget, depth, top))
    except IntakeError as error:
        if error.code != "corrupt_archive":
            raise
        yield Source(name, error=error, size=len(data), top=top, in_archive=True, label=names[1])
        return
    yield from members


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, member: str, cap: int) -> bytes:
    if info.flag_bits & 0x1:
        raise _error("corrupt_archive", name, "设置了密码，无法解压。请去掉压缩包密码后重新上传。")
    try:
        with archive.open(info) as handle:
            return _read_capped(handle, cap)  # type: ignore[arg-type]
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, OSError) as exc:
        raise _error(
            "corrupt_archive", name, f"中的「{member}」已损坏，无法解压。请重新打包后上传。"
        ) from exc


def _walk(path: Path) -> Iterator[Path]:
    if path.is_dir():
        yield from sorted(p for p in path.rglob("*") if p.is_file() and not is_junk(str(p.relative_to(path))))
    else:
        yield path


def _zip_source(data: bytes, display: str, settings: Settings, top: str, label: str) -> Iterator[Source]:
    try:
        yield from list(iter_archive(data, display, settings, top, label))
    except IntakeError as exc:
        yield Source(display, error=exc, size=len(data), top=top, label=label)


def iter_sources(paths: Iterable[Path], settings: Settings) -> Iterator[Source]:
    """Files and folders (walked for every file, .zip opened) → one ``Source`` per file, zip members included.

    A bad archive becomes one ``Source`` with its error; it never stops the batch. Files on disk are read
    only when needed (``Source.read``), capped like zip members.

    Args:
        paths: files, folders or zips.
        settings: size limits.

    Yields:
        Sources in a stable order (sorted within folders); grouping never goes above a named folder or the
        folder of a named file or zip (so a named zip holding one application, in a sub-folder or not, is one).
    """
    form_cap, other_cap = _caps(settings)
    for root in map(Path, paths):
        top = str(root) if root.is_dir() else str(root.parent)  # a named zip is one level, like an upload
        for path in _walk(root):
            display, size = str(path), path.stat().st_size
            if path.suffix.lower() != ".zip":
                cap = form_cap if is_form_name(path.name) else other_cap
                yield Source(display, size=size, path=path, cap=cap, top=top, label=path.name)
            elif size > settings.max_archive_mb * 2**20:
                error = _error("archive_bomb", display, "超过大小上限，已拒绝。请分成较小的压缩包上传。")
                yield Source(display, error=error, size=size, top=top, label=path.name)
            else:
                yield from _zip_source(path.read_bytes(), display, settings, top, path.name)


def iter_uploads(files: Iterable[tuple[str, bytes]], settings: Settings) -> Iterator[Source]:
    """Uploaded (name, bytes) pairs → Sources, .zip uploads opened; all uploads of one call form one folder."""
    form_cap, other_cap = _caps(settings)
    for name, data in files:
        if is_junk(name):
            continue
        if name.lower().endswith(".zip"):
            yield from _zip_source(data, name, settings, "", name)
        else:
            cap = form_cap if is_form_name(name) else other_cap
            yield Source(name, data[: cap + 1], size=len(data), cap=cap, top="", label=name)
