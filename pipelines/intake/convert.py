"""Legacy Word and WPS files (.doc/.wps) converted to .docx with LibreOffice headless, when it is installed.

The conversion runs in a temporary folder with its own LibreOffice profile (so parallel conversions and a
running desktop LibreOffice do not interfere) and a timeout. Without LibreOffice, or when it cannot read the
file, the file is refused with ``legacy_word`` and the advice to save it as .docx.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from pipelines.schema import IntakeError

# The main stream of a Word 97-2003 or WPS document, as named in the compound file's directory (UTF-16).
_DOCUMENT_STREAMS = ("WordDocument".encode("utf-16-le"), "WpsDocument".encode("utf-16-le"))
_SAVE_AS = "请用 Word 或 WPS 打开后“另存为” Word 文档（.docx），请另存为 .docx 后重新提交。"


def soffice_path() -> str | None:
    """The LibreOffice executable (``soffice`` or ``libreoffice``) on PATH, or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def _refuse(file_name: str, reason: str) -> IntakeError:
    return IntakeError(
        "legacy_word", f"文件「{file_name}」是旧版 Word/WPS 格式（.doc/.wps），{reason}{_SAVE_AS}", file_name
    )


def convert_legacy(data: bytes, file_name: str, timeout_s: float) -> bytes:
    """Convert a .doc/.wps file's bytes to .docx bytes.

    Args:
        data: the legacy file (an OLE compound file).
        file_name: shown in the message.
        timeout_s: how long LibreOffice may take.

    Returns:
        The .docx bytes.

    Raises:
        IntakeError: ``legacy_word`` when LibreOffice is missing, fails or times out.
    """
    if not any(stream in data for stream in _DOCUMENT_STREAMS):
        raise _refuse(file_name, "文件中找不到 Word/WPS 正文，自动转换失败（文件可能已损坏）。")
    soffice = soffice_path()
    if soffice is None:
        raise _refuse(file_name, "本系统未安装 LibreOffice，无法自动转换。")
    with tempfile.TemporaryDirectory(prefix="intake-convert-") as folder:
        work = Path(folder)
        source = work / "form.doc"
        source.write_bytes(data)
        command = [
            soffice,
            "--headless",
            "--norestore",
            "--nologo",
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--convert-to",
            "docx",
            "--outdir",
            str(work / "out"),
            str(source),
        ]
        # Its own process group, so a timeout ends LibreOffice's helper processes too.
        process = subprocess.Popen(  # noqa: S603
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise _refuse(file_name, f"自动转换超过 {timeout_s:g} 秒仍未完成。") from None
        converted = work / "out" / "form.docx"
        if not converted.exists() or converted.stat().st_size == 0:
            raise _refuse(file_name, "自动转换失败（文件可能已损坏）。")
        return converted.read_bytes()
