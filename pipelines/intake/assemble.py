"""Collected entries → ``Submission``: fields, launch date and status, categories, sections, warnings.

Every warning is shown to the organizer with the form: missing fields, readings that disagree (with both
values), several or no ticked categories, undated launch text, hint text left in the form, word counts over
the limits written in the labels.
"""

from __future__ import annotations

import re

from pipelines.intake.collect import Assembled, collect
from pipelines.intake.dates import Launch, read_launch
from pipelines.intake.field_values import (
    NONE_WORDS,
    SAME_AS_UNIT_RE,
    cover_fallback,
    parse_previous,
    read_attachments,
    read_contact,
    read_declared,
)
from pipelines.intake.options import ticked_option
from pipelines.intake.scope import FormReader
from pipelines.intake.wordcount import count_words
from pipelines.schema import Submission, WordCount
from pipelines.vocabulary import CATEGORY_NAMES, FIELD_LABELS, SECTION_NAMES

REQUIRED_FIELDS = ("title", "unit", "implementer", "launch")
_LAUNCH_SENTENCE_RE = re.compile(
    r"[^。；;！？\n]*?(?:\d{4}|[〇零一二三四五六七八九]{4})\s*年[^。；;！？\n]{0,12}?"
    r"(?:正式上线|上线|开通|投入使用|投入运营|正式运营|正式发布|上架)[^。；;！？\n]*"
)


def field_name(key: str) -> str:
    """The canonical Chinese label of a field key (``unit`` → 申报单位)."""
    return FIELD_LABELS[key][0]


def assemble(reader: FormReader, file_name: str) -> tuple[Submission, Assembled]:
    """Build the submission from what the reader collected.

    Args:
        reader: a ``FormReader`` that has been fed the document body.
        file_name: recorded in the submission.

    Returns:
        The submission with its warnings (``content_hash`` is left to the caller), and the collected values.
    """
    assembled = collect(reader.entries)
    values = assembled.values
    submission = Submission(file_name=file_name)
    warnings: list[str] = []
    submission.title = values.get("title", "")
    submission.unit = values.get("unit", "")
    cover_title, cover_unit = (
        cover_fallback(reader) if not (submission.title and submission.unit) else ("", "")
    )
    if not submission.title and cover_title:
        submission.title = cover_title
        warnings.append(f"未找到「案例名称」栏，已取文档标题「{cover_title}」作为案例名称，请核对。")
    if not submission.unit and cover_unit:
        submission.unit = cover_unit
        warnings.append(f"未找到「申报单位」栏，已取封面上的「{cover_unit}」作为申报单位，请核对。")
    submission.recommender = values.get("recommender", "")
    implementer = values.get("implementer", "")
    if SAME_AS_UNIT_RE.fullmatch(implementer):
        implementer = submission.unit
    elif implementer.strip("。.") in NONE_WORDS:  # 无, /, —: no implementer of its own
        implementer = ""
    submission.implementer = implementer
    submission.contact = read_contact(values)
    previous_lines = assembled.lines.get("previous", [])
    submission.previous_applications = parse_previous(previous_lines)
    submission.attachments = read_attachments(assembled.lines.get("attachments", []))
    ticked, boxes, in_field = read_declared(assembled, reader)
    submission.declared_categories = ticked
    submission.declared_category = ticked[0] if len(ticked) == 1 else None
    submission.sections = {label: text for label, text in assembled.sections.items() if text}
    submission.text = "\n\n".join(submission.sections.values())
    submission.word_counts = [
        WordCount(label, count_words(text), assembled.limits.get(label))
        for label, text in submission.sections.items()
    ]
    warnings.extend(_launch(submission, values))
    warnings.extend(_warnings(submission, assembled, ticked, boxes, in_field, previous_lines))
    submission.warnings = warnings
    return submission, assembled


def _launch(submission: Submission, values: dict[str, str]) -> list[str]:
    """Launch date and status from the launch and status fields, else from a sentence of the narrative."""
    submission.launch_raw = values.get("launch", "")
    written_status = values.get("status", "")
    ticked = ticked_option(written_status)
    status = written_status if ticked is None else ticked
    launch = read_launch(submission.launch_raw, status)
    warnings = []
    if launch.date is None and (found := _LAUNCH_SENTENCE_RE.search(submission.text)):
        sentence = found.group().strip()
        from_text = read_launch(sentence)
        if from_text.date is not None:
            evidence = launch.evidence or from_text.evidence
            launch = Launch(from_text.date, launch.status or from_text.status, evidence)
            where = "「上线时间」栏没有写日期" if submission.launch_raw else "未找到「上线时间」栏"
            warnings.append(f"{where}，已从正文“{sentence[:60]}”读出上线时间 {launch.date}，请核对。")
    submission.launch_date = launch.date
    submission.launch_status = launch.status
    submission.launch_evidence = launch.evidence
    submission.status = status or (launch.status if launch.status in ("在建", "计划中", "试运行") else "")
    return warnings


def _disagreements(assembled: Assembled) -> list[str]:
    warnings = []
    for key, readings in assembled.disagreements().items():
        written = "；".join(f"「{r.value}」（{r.label}{'，签章处' if r.weak else ''}）" for r in readings)
        chosen = assembled.values[key]
        warnings.append(
            f"「{field_name(key)}」有 {len(readings)} 处写法不一致：{written}。已采用「{chosen}」，请核对。"
        )
    return warnings


def _warnings(
    submission: Submission,
    assembled: Assembled,
    ticked: list[int],
    boxes: bool,
    in_field: bool,
    previous_lines: list[str],
) -> list[str]:
    warnings = []
    present = {
        "title": submission.title,
        "unit": submission.unit,
        "implementer": submission.implementer,
        "launch": submission.launch_raw or submission.launch_date,
    }
    for key in REQUIRED_FIELDS:
        if not present[key]:
            warnings.append(f"未找到「{field_name(key)}」或该栏为空，请核对申报表。")
    warnings.extend(_disagreements(assembled))
    if not submission.unit and submission.recommender:
        warnings.append(
            f"只填写了推荐单位「{submission.recommender}」，推荐单位不是申报单位，请补充申报单位。"
        )
    if len(ticked) > 1:
        names = "、".join(CATEGORY_NAMES[c] for c in ticked)
        warnings.append(f"勾选了多个申报类别（{names}），每个案例只能申报一个类别，请确认。")
    elif not ticked:
        detail = "类别栏的方框都未勾选" if boxes else "未找到申报类别"
        warnings.append(f"{detail}，请确认申报类别。")
    elif not in_field:
        warnings.append(f"未找到「申报类别」栏，按文中勾选的「{CATEGORY_NAMES[ticked[0]]}」处理，请核对。")
    if submission.launch_raw and submission.launch_date is None and not submission.launch_status:
        warnings.append(f"上线时间「{submission.launch_raw}」无法识别为日期，请核对。")
    if not (submission.contact.name or submission.contact.phone or submission.contact.email):
        warnings.append("未找到联系人信息。")
    if (
        previous_lines
        and not submission.previous_applications
        and not all("".join(line.split()).strip("。.") in NONE_WORDS for line in previous_lines)
    ):
        warnings.append("往年申报情况未写明年份，无法识别，请核对。")
    for label in SECTION_NAMES:
        if label not in submission.sections:
            warnings.append(f"未找到「{label}」部分或该部分为空。")
    for count in submission.word_counts:
        if count.over_limit:
            warnings.append(f"「{count.label}」共 {count.count} 字，超过 {count.limit} 字的限制。")
    for label, hint in assembled.hints:
        warnings.append(f"「{label}」栏内留有填写提示文字，已忽略：{hint[:40]}")
    return warnings
