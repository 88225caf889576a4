"""Application forms (.docx, and .doc/.wps through LibreOffice) → ``Submission``.

The steps, each in its own module: refuse what is not a Word document (``refusals.check_container``),
convert .doc/.wps (``convert``), read the package and body (``docx_xml``), read labelled entries by scope
(``scope``), assemble the fields (``assemble``), hold text and media to their own limits and refuse documents
that are not filled forms (``refusals``). A picture-only document is read by OCR (``scan``). Bad files raise
``IntakeError`` with a stable code and a Chinese message naming the file.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

from pipelines.config import Settings, get_settings
from pipelines.intake.assemble import assemble
from pipelines.intake.collect import Assembled
from pipelines.intake.convert import convert_legacy
from pipelines.intake.docx_body import Body
from pipelines.intake.docx_xml import read_images, read_package
from pipelines.intake.refusals import (
    check_container,
    check_content,
    check_listing,
    check_size,
    check_sizes,
    form_keys,
    images_only_error,
    is_form,
    media_note,
    other_kind,
    picture_only,
)
from pipelines.intake.scan import SCAN_WARNING, ImageReader, default_image_reader, scanned_body
from pipelines.intake.scope import FormReader
from pipelines.schema import IntakeError, Submission
from pipelines.vocabulary import CATEGORY_NAMES


def _read(body: Body, file_name: str) -> tuple[FormReader, Submission, Assembled]:
    reader = FormReader()
    reader.feed(body)
    return reader, *assemble(reader, file_name)


def _read_scan(data: bytes, body: Body, file_name: str, image_reader: ImageReader | None) -> Submission:
    if image_reader is None:
        raise images_only_error(body, file_name, "本系统的文字识别（OCR）不可用，无法读取图片中的文字。")
    scanned = scanned_body(read_images(data, file_name), image_reader)
    reader, submission, assembled = _read(scanned, file_name)
    form = is_form(form_keys(reader.entries), len(submission.declared_categories))
    if not (form and assembled.filled):
        raise images_only_error(body, file_name, "图片中未能识别出申报表的栏目和内容。")
    submission.from_scan = True
    submission.warnings.insert(0, SCAN_WARNING)
    return submission


def extract_bytes(
    data: bytes,
    file_name: str,
    settings: Settings | None = None,
    image_reader: ImageReader | None = None,
) -> Submission:
    """Read one application form given as bytes.

    Args:
        data: the file's bytes.
        file_name: the name to record and to show in messages.
        settings: limits and the call year; defaults to ``get_settings()``.
        image_reader: reads the text lines of a picture, for picture-only forms; None = the bundled OCR.

    Returns:
        The submission, with ``content_hash`` = sha256 of ``data`` (the file as submitted).

    Raises:
        IntakeError: for anything that is not a readable, filled form (codes in ``pipelines.intake.refusals``
            and ``corrupt_docx``, ``legacy_word``, ``images_only``).
    """
    settings = settings or get_settings()
    legacy = check_container(data, file_name, settings)
    docx_data = convert_legacy(data, file_name, settings.convert_timeout_s) if legacy else data
    body = read_package(docx_data, file_name)
    check_sizes(docx_data, body, file_name, settings)
    reader, submission, assembled = _read(body, file_name)
    if picture_only(body, submission):
        image_reader = image_reader or default_image_reader(settings)
        submission = _read_scan(docx_data, body, file_name, image_reader)
    else:
        check_listing(reader.several_cases, file_name)
        other = other_kind(reader.all_text)
        keys, declared = form_keys(reader.entries), len(submission.declared_categories)
        form = is_form(keys, declared, other, len(submission.sections), bool(submission.unit))
        check_content(body, form, assembled.filled, file_name, settings.call_year)
    if legacy:
        submission.warnings.insert(
            0, "本申报表是旧版 .doc/.wps 格式，已自动转换为 .docx 读取，请核对各栏内容。"
        )
    if note := media_note(body, settings):
        submission.warnings.append(note)
    submission.media_count, submission.media_bytes = body.media_count, body.media_bytes
    submission.content_hash = hashlib.sha256(data).hexdigest()
    return submission


def extract_file(path: Path, settings: Settings | None = None) -> Submission:
    """Read one application form from disk (the size is checked before the file is read).

    Args:
        path: the .docx (or .doc/.wps) file.
        settings: limits; defaults to ``get_settings()``.

    Returns:
        The submission; ``file_name`` is the file's base name.

    Raises:
        IntakeError: see ``extract_bytes``.
    """
    settings = settings or get_settings()
    path = Path(path)
    if not path.name.startswith("~$"):
        check_size(path.stat().st_size, path.name, settings)
    return extract_bytes(path.read_bytes(), path.name, settings)


# ------------------------------------------------------------------------------------------------ CLI


def _record(name: str, submission: Submission | None, error: IntakeError | None) -> dict:
    if error is not None:
        record = {"file": name, "ok": False, "error": error.to_dict()}
        if error.code == "lock_file":
            record["skipped"] = True
        return record
    data = submission.to_dict() if submission is not None else {}
    data.pop("file_name", None)
    return {"file": name, "ok": True, **data}


def _print_table(records: list[dict]) -> None:
    print("文件\t状态\t案例名称\t申报单位\t申报类别\t上线时间\t提示")
    for record in records:
        if record["ok"]:
            category = record["declared_category"]
            print(
                "\t".join(
                    [
                        record["file"],
                        "成功",
                        record["title"] or "（未找到）",
                        record["unit"] or "（未找到）",
                        CATEGORY_NAMES.get(category, "未确定") if category else "未确定",
                        record["launch_date"] or "未知",
                        f"{len(record['warnings'])} 条",
                    ]
                )
            )
        else:
            state = "跳过" if record.get("skipped") else "失败"
            print(f"{record['file']}\t{state}\t{record['error']['message']}")


def _cli_extract(args: argparse.Namespace) -> int:
    from pipelines.intake.archive import iter_sources
    from pipelines.intake.bundle import BatchCounts, cli_ocr, read_batch

    missing = [str(path) for path in args.paths if not Path(path).exists()]
    if missing:
        print(f"找不到以下文件或目录：{'、'.join(missing)}。请检查路径。", file=sys.stderr)
        return 2
    settings = get_settings()
    records, counts = [], BatchCounts()
    for result in read_batch(
        list(iter_sources(args.paths, settings)), settings, extract_bytes, *cli_ocr(settings)
    ):
        record = _record(result.name, result.submission, result.error) | result.attachment_fields()
        if args.json:
            print(json.dumps(record, ensure_ascii=False), flush=True)
        records.append(record)
        counts.add(result)
    if not args.json:
        _print_table(records)
    print(counts.summary(), file=sys.stderr)  # never reads as success when no form was read
    return 0


def add_cli(subparsers: argparse._SubParsersAction) -> None:
    """Register ``extract FILE_OR_DIR... [--json]``."""
    parser = subparsers.add_parser(
        "extract", help="读取申报表 .docx/.doc/.wps（目录、zip 压缩包亦可），输出字段"
    )
    parser.add_argument("paths", nargs="+", type=Path, metavar="FILE_OR_DIR", help="申报表文件、目录或 zip")
    parser.add_argument("--json", action="store_true", help="每个文件输出一行 JSON")
    parser.set_defaults(func=_cli_extract)
