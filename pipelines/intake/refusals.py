"""What is not a readable application form, refused with a stable code and a Chinese message naming the file.

Before parsing: lock files, empty files, files over the size cap, encrypted and legacy Word files, other
formats renamed to .docx (``check_container``). After reading: text over the text limit and embedded media
over the media limit (``check_sizes``), empty documents, documents without any form label (a letter, a
notice), unfilled templates (labels without values) and picture-only documents (``check_content``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from pipelines.config import Settings
from pipelines.intake.docx_body import Body
from pipelines.intake.english_labels import english_label, has_chinese
from pipelines.intake.rows import Entry
from pipelines.schema import IntakeError, Submission
from pipelines.vocabulary import SECTION_NAMES, form_title

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTION_STREAMS = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))
_MB = 1024 * 1024
IMAGES_ONLY_MAX_TEXT = 1000
IMAGES_ONLY_MAX_NARRATIVE = 20  # characters of narrative text that make it a text form
# Labels that show a document is an application form: the case's name, or two of its other fields, or the
# form's own narrative sections unless the document's title names another kind of document and no other field
# is there. A unit name or contact details alone do not (a letter or a meeting reply slip has them too); a
# category label counts when it declares one or two categories, not when it lists them all (the call text).
# Headings that are not the form's sections (三、申报方式 in a notice) are not form labels; the form's section
# names alone (基本情况, 主要做法, 取得成效) are also the headings of a work summary or a report.
FORM_KEYS = frozenset(("unit", "implementer", "launch", "status", "previous"))
_SECTION_COMPANIONS = FORM_KEYS | {"category", "contact", "contact.name", "contact.phone", "recommender"}
_MAX_DECLARED = 2
_TITLE_LINES = 3
_OTHER_KIND_RE = re.compile(
    r"总结|通知|通报|纪要|简报|讲话|发言|汇报|述职|新闻稿|综述|工作报告|情况报告|调研报告"
)


def _sniff_kind(data: bytes) -> str:
    head = data[:2048].lstrip()
    lowered = head.lower()
    if head.startswith(b"%PDF"):
        return "PDF 文件"
    if head.startswith(b"{\\rtf"):
        return "RTF 文档（常见于另存为 .doc 的文件）"
    if b"<html" in lowered or b"mime-version" in lowered:
        return "网页文件（HTML/MHT）"
    if head.startswith(b"<?xml") or head.startswith(b"<"):
        return "XML 文件（如 Word 2003 XML）"
    if head.startswith((b"\xff\xd8\xff", b"\x89PNG", b"GIF8", b"BM")):
        return "图片"
    if head.startswith((b"Rar!", b"7z\xbc\xaf")):
        return "压缩包（RAR/7z）"
    for encoding in ("utf-8", "gb18030"):
        try:
            data[:4096].decode(encoding)
            return "纯文本文件"
        except UnicodeDecodeError:
            continue
    return "无法识别的格式"


def check_size(size: int, file_name: str, settings: Settings) -> None:
    """Raise ``too_large`` when ``size`` (bytes) is over ``settings.max_file_mb`` (text and media together)."""
    if size > settings.max_file_mb * _MB:
        raise IntakeError(
            "too_large",
            f"文件「{file_name}」超过 {settings.max_file_mb:g} MB 的大小上限（正文与嵌入的图片、音视频合计）。"
            "请压缩文中图片（或把图片、视频作为附件单独提交）后再上传。",
            file_name,
        )


def check_container(data: bytes, file_name: str, settings: Settings) -> bool:
    """Reject what is not a readable Word document before parsing it.

    Args:
        data: the file's bytes.
        file_name: shown in the message.
        settings: for the size limits.

    Returns:
        True for a legacy Word/WPS file (.doc/.wps, to be converted), False for a .docx package.

    Raises:
        IntakeError: lock_file, empty_file, too_large, encrypted or not_word.
    """
    if Path(file_name).name.startswith("~$"):
        raise IntakeError(
            "lock_file",
            f"文件「{file_name}」是 Word 打开文档时生成的临时锁文件（以 ~$ 开头），不是申报表，已跳过。",
            file_name,
        )
    if not data:
        raise IntakeError(
            "empty_file",
            f"文件「{file_name}」是空文件（0 字节），可能上传或复制时出错。请重新导出申报表后再上传。",
            file_name,
        )
    check_size(len(data), file_name, settings)
    if data.startswith(OLE_MAGIC):
        if any(stream in data for stream in _ENCRYPTION_STREAMS):
            raise IntakeError(
                "encrypted",
                f"文件「{file_name}」设置了打开密码，系统无法读取。请在 Word 中取消密码（文件 → 信息 → 保护文档 → "
                "用密码进行加密，清空密码）后重新保存，再上传。",
                file_name,
            )
        return True
    if not data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        raise IntakeError(
            "not_word",
            f"文件「{file_name}」不是 Word 文档（实际是{_sniff_kind(data)}）。申报表须为 Word 文档格式（.docx），"
            "请提交用 Word 填写的申报表。",
            file_name,
        )
    return False


def check_sizes(data: bytes, body: Body, file_name: str, settings: Settings) -> None:
    """The text limit for the document without its media, the media limit for the embedded media.

    Raises:
        IntakeError: ``too_large`` (text) or ``media_too_large``.
    """
    text_bytes = len(data) - body.media_bytes
    if text_bytes > settings.max_text_mb * _MB:
        raise IntakeError(
            "too_large",
            f"文件「{file_name}」除去图片等媒体后仍有 {text_bytes / _MB:.1f} MB，超过正文 {settings.max_text_mb:g} MB "
            "的上限，不像正常的申报表。请删除嵌入的大型对象后重新保存再上传。",
            file_name,
        )
    if body.media_bytes > settings.max_media_mb * _MB:
        raise IntakeError(
            "media_too_large",
            f"文件「{file_name}」中嵌入的图片、音视频等媒体共 {body.media_count} 个、{body.media_bytes / _MB:.1f} MB，"
            f"超过 {settings.max_media_mb:g} MB 的媒体上限。请压缩图片，或把视频、大图作为附件单独提交。",
            file_name,
        )


def media_note(body: Body, settings: Settings) -> str:
    """A warning for a form with large embedded media (1 MB or more), else ``""``."""
    if body.media_bytes < _MB:
        return ""
    return (
        f"文中嵌入图片等媒体 {body.media_count} 个，共 {body.media_bytes / _MB:.1f} MB，"
        f"按媒体上限 {settings.max_media_mb:g} MB 单独计算，不计入正文大小。"
    )


def picture_only(body: Body, submission: Submission) -> bool:
    """A document whose content is pictures: hardly any text and no narrative."""
    narrative = sum(len(text) for text in submission.sections.values())
    return (
        bool(body.image_count)
        and narrative < IMAGES_ONLY_MAX_NARRATIVE
        and body.text_chars < IMAGES_ONLY_MAX_TEXT
    )


def images_only_error(body: Body, file_name: str, detail: str) -> IntakeError:
    """The refusal of a picture-only document that OCR could not read as a form."""
    return IntakeError(
        "images_only",
        f"文件「{file_name}」的内容几乎都是图片（共 {body.image_count} 张），{detail}"
        "请提交文字版申报表：直接在 Word 中填写，不要粘贴扫描件或截图。",
        file_name,
    )


def form_keys(entries: Iterable[Entry]) -> set[str]:
    """The field keys of the labels found; a section counts only under one of the form's section names, and
    English-only labels only beside an English case name or applicant (read only with a Chinese value)."""
    entries = [entry for entry in entries if entry.key != "section" or entry.label in SECTION_NAMES]
    named = [entry for entry in entries if entry.key in ("title", "unit") and english_label(entry.raw_label)]
    if not any(has_chinese(entry.lines) for entry in named):
        entries = [entry for entry in entries if not english_label(entry.raw_label)]
    return {entry.key for entry in entries}


def other_kind(texts: list[str]) -> bool:
    """Whether the document's title (its first lines) names another kind of document than an application
    (``2025年度工作总结``, ``关于…的通知``, ``情况汇报``, ``会议纪要``)."""
    opening = [text for text in texts if text.strip()][:_TITLE_LINES]
    return any(_OTHER_KIND_RE.search(text) and "申报" not in text for text in opening)


def is_form(
    keys: set[str], declared: int, other: bool = False, sections: int = 0, unit: bool = False
) -> bool:
    """Whether the labels found make an application form (see ``FORM_KEYS``).

    Args:
        keys: the field keys of the labels found (``form_keys``).
        declared: how many categories the category field declares.
        other: the document's title names another kind of document (``other_kind``).
        sections: how many of the form's sections hold text. Without any field label, one is not enough (a
            page of the call text lists the section names, and the text after the last one reads as its
            content) unless a unit is named on the cover (``unit``); none is an unfilled template.
        unit: a unit was found, on the cover if not under a label.
    """
    fields = len(keys & FORM_KEYS) + ("category" in keys and 1 <= declared <= _MAX_DECLARED)
    if "title" in keys or fields >= 2:
        return True
    if "section" not in keys:
        return False
    if keys & _SECTION_COMPANIONS:
        return True
    return not other and (sections != 1 or unit)


def check_listing(several_cases: int, file_name: str) -> None:
    """Refuse a list of several cases (a 汇总表: one case per table row under 案例名称 | 申报单位 | …).

    Raises:
        IntakeError: ``not_a_form``.
    """
    if several_cases:
        raise IntakeError(
            "not_a_form",
            f"文件「{file_name}」是列有 {several_cases + 1} 个案例的汇总表或名单（表格中每行一个案例），"
            "不是单个案例的申报表。请为每个案例分别填写并提交一份申报表。",
            file_name,
        )


def check_content(body: Body, form: bool, filled: bool, file_name: str, call_year: int) -> None:
    """Refuse a document that is not a filled application form.

    Args:
        body: the document body (for its text size).
        form: whether its labels make it a form (``is_form``).
        filled: whether any field or section holds a value (``Assembled.filled``).
        file_name: shown in the message.
        call_year: names the form in the message.

    Raises:
        IntakeError: ``empty_document``, ``not_a_form`` or ``blank_template``.
    """
    title = form_title(call_year)
    if body.text_chars == 0 and not body.image_count:
        raise IntakeError(
            "empty_document",
            f"文件「{file_name}」能打开，但是一份空白文档，没有任何文字。请填写《{title}》后重新提交。",
            file_name,
        )
    if not form:
        raise IntakeError(
            "not_a_form",
            f"文件「{file_name}」能打开，但没有找到申报表的栏目（如案例名称、上线时间、案例简介），"
            "至多只有单位名称、联系人之类各种材料都有的栏目，不是申报表（可能是信函、通知、回执或其他材料）。"
            f"请确认提交的是《{title}》。",
            file_name,
        )
    if not filled:
        raise IntakeError(
            "blank_template",
            f"文件「{file_name}」是未填写的申报表：只有栏目，各栏都没有填写内容（或只有填写提示）。"
            "请填写完整后重新提交。",
            file_name,
        )
