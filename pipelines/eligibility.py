"""The call's eligibility conditions as rules: reason code, severity, Chinese message and evidence.

Single-case rules read one ``Submission``; the per-unit limit needs the whole batch; the two repeat rules
(conditions 四 and 五) turn the duplicate detector's matches into findings; a misfiled category comes from
the classifier. The machine only flags: an organizer confirms or dismisses every finding.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import PurePath
from typing import TYPE_CHECKING

from pipelines.config import Settings, get_settings
from pipelines.intake.dates import read_launch
from pipelines.schema import CategorySuggestion, DuplicateMatch, Finding, Submission
from pipelines.units import group_units, match_units
from pipelines.vocabulary import FLAGS, NOT_ONLINE_STATUSES, SEVERITY_ORDER, category_label, rule_text

if TYPE_CHECKING:
    from pipelines.intake.attachments import AttachmentInfo

# A finding quotes at most this many of the detector's or classifier's reasons: enough to judge, short to read
REASONS_QUOTED = 3


def _date_after_deadline(date: str, deadline: str) -> bool | None:
    """True/False when the date is precise enough to tell; None for a year equal to the deadline's year."""
    if len(date) == 4:
        if date == deadline[:4]:
            return None
        return date > deadline[:4]
    return date > deadline[: len(date)]


def check_online(submission: Submission, settings: Settings) -> list[Finding]:
    """Condition 一: online by the deadline and running, not 在建/计划中.

    The launch status read at intake (``Submission.launch_status``, or read again from the launch and status
    text for submissions stored before it existed) decides; the sentence that says it is the evidence.
    """
    launch = read_launch(submission.launch_raw, submission.status)
    status = submission.launch_status or launch.status
    evidence = submission.launch_evidence or launch.evidence
    date = submission.launch_date or launch.date
    deadline = settings.online_deadline
    if status in NOT_ONLINE_STATUSES:
        planned = f"，计划上线时间 {date}" if date else ""
        late = "（晚于截止日期）" if date and _date_after_deadline(date, deadline) else ""
        message = (
            f"申报表写明案例{status}{planned}{late}：“{evidence}”，"
            f"不符合“{deadline}前已完成上线并正常运营”的要求。"
        )
        return [Finding("not_online", "blocker", message, evidence)]
    if not date:
        message = "未能从申报表读出上线时间，请人工核实案例是否已于截止日前上线。"
        return [Finding("launch_unknown", "check", message, evidence)]
    after = _date_after_deadline(date, deadline)
    if after:
        message = f"上线时间 {date} 晚于 {deadline}，不符合申报条件（一）：“{evidence}”。"
        return [Finding("not_online", "blocker", message, evidence)]
    findings = []
    if after is None:
        message = f"上线时间只写到年份（{date}），请核实是否在 {deadline} 前上线。"
        findings.append(Finding("launch_unknown", "check", message, evidence))
    if status == "试运行":
        message = f"运行状态为试运行/测试：“{evidence}”，请核实是否已“正常运营”。"
        findings.append(Finding("not_online", "check", message, evidence))
    return findings


def check_implementer(submission: Submission) -> list[Finding]:
    """Condition 二: the applicant and the implementer must be the same."""
    if not submission.implementer.strip():
        return [Finding("applicant_implementer_mismatch", "info", "未填写实施单位，默认与申报单位一致。")]
    match = match_units(submission.unit, submission.implementer)
    evidence = f"申报单位：{submission.unit}；实施单位：{submission.implementer}"
    if not match.same:
        message = f"申报单位与实施单位不一致：{match.reason}。申报主体与实施主体必须统一。"
        return [Finding("applicant_implementer_mismatch", "blocker", message, evidence)]
    if match.relation == "contains":
        return [Finding("applicant_implementer_mismatch", "check", match.reason, evidence)]
    if match.relation == "abbreviation":
        return [Finding("applicant_implementer_mismatch", "info", match.reason, evidence)]
    return []


def check_categories(submission: Submission) -> list[Finding]:
    declared = submission.declared_categories
    if not declared:
        return [Finding("no_category", "check", "申报表未勾选申报类别，请联系申报单位确认。")]
    if len(declared) > 1:
        names = "、".join(category_label(c) for c in declared)
        return [
            Finding("multiple_categories", "check", f"勾选了多个申报类别（{names}），每个案例只能申报一类。")
        ]
    return []


def check_formats(
    submission: Submission, settings: Settings, files: Sequence[AttachmentInfo] | None = None
) -> list[Finding]:
    """Material rule 四（三）: the form is Word (.docx), attachments pdf/jpg/mp4/mov.

    With the application's files (``files``, as read from the batch) the rule is applied to them, by their
    content, and empty, unreadable and listed-but-missing files are named too; without them, to the names
    typed in the form's 附件清单.
    """
    findings = []
    if PurePath(submission.file_name).suffix.lower() != ".docx":
        findings.append(
            Finding("form_not_word", "blocker", "申报表须为 Word（.docx）文档。", submission.file_name)
        )
    if files is not None:
        return findings + check_attachments(submission, files, settings)
    allowed = {f".{ext.lower()}" for ext in settings.allowed_attachment_types}
    bad = [name for name in submission.attachments if PurePath(name).suffix.lower() not in allowed]
    if bad:
        formats = "、".join(settings.allowed_attachment_types)
        message = f"附件格式不符合要求（只接受 {formats}）：{'、'.join(bad)}。请申报单位转换格式后重新提交。"
        findings.append(Finding("bad_attachment_format", "check", message, "；".join(bad)))
    return findings


def check_attachments(
    submission: Submission, files: Sequence[AttachmentInfo], settings: Settings
) -> list[Finding]:
    """The application's files: formats the call does not allow, files that cannot be read, listed but missing."""
    from pipelines.intake.attachments import match_listed

    findings = []
    bad = [f"{_base(info.name)}（{info.format or '未知格式'}）" for info in files if not info.allowed]
    if bad:
        formats = "、".join(settings.allowed_attachment_types)
        message = f"附件格式不符合要求（只接受 {formats}）：{'、'.join(bad)}。请申报单位转换格式后重新提交。"
        findings.append(Finding("bad_attachment_format", "check", message, "；".join(bad)))
    broken = [info.error for info in files if info.error]
    if broken:
        message = f"有 {len(broken)} 个附件是空文件、已损坏或超过大小上限，无法查看：" + "；".join(broken)
        findings.append(Finding("attachment_unreadable", "check", message, "；".join(broken)))
    _matched, missing = match_listed(submission.attachments, [info.name for info in files])
    if missing:
        message = f"附件清单中列出、但没有随申报表提交的材料：{'、'.join(missing)}。请联系申报单位补交。"
        findings.append(Finding("attachment_missing", "check", message, "；".join(missing)))
    return findings


def _base(name: str) -> str:
    return PurePath(name.replace("\\", "/")).name


def check_submission(
    submission: Submission, settings: Settings | None = None, files: Sequence[AttachmentInfo] | None = None
) -> list[Finding]:
    """All single-case rules for one submission (``files``: its stored attachments, when known)."""
    settings = settings or get_settings()
    findings = (
        check_online(submission, settings)
        + check_implementer(submission)
        + check_categories(submission)
        + check_formats(submission, settings, files)
    )
    return sort_findings(findings)


def check_unit_limits(
    cases: Sequence[tuple[str, Submission]], settings: Settings | None = None
) -> dict[str, Finding]:
    """Condition 三: at most N cases per declared category per unit across the batch.

    Args:
        cases: (case id, submission) for the whole batch.

    Returns:
        case id -> over-limit finding, for every case of a unit/category group over the limit.
    """
    limit = (settings or get_settings()).max_cases_per_category
    unit_group = group_units([submission.unit for _, submission in cases])
    groups: dict[tuple[int, int], list[str]] = defaultdict(list)
    names: dict[tuple[int, int], set[str]] = defaultdict(set)
    for case_id, submission in cases:
        if submission.declared_category is not None and submission.unit.strip():
            key = (unit_group[submission.unit], submission.declared_category)
            groups[key].append(case_id)
            names[key].add(submission.unit.strip())
    found = {}
    for key, ids in groups.items():
        if len(ids) <= limit:
            continue
        written = "、".join(sorted(names[key]))
        message = (
            f"同一单位（{written}）在「{category_label(key[1])}」申报了 {len(ids)} 个案例，"
            f"超过每类 {limit} 个的上限。"
        )
        for case_id in ids:
            others = [other for other in ids if other != case_id]
            found[case_id] = Finding("over_limit", "check", message, f"同组案例：{'、'.join(ids)}", others)
    return found


def findings_from_matches(
    matches: Sequence[DuplicateMatch], settings: Settings | None = None
) -> list[Finding]:
    """Conditions 四 and 五 (and in-batch duplicates) from the duplicate detector's matches."""
    settings = settings or get_settings()
    findings = []
    for match in matches:
        kind = FLAGS.get(match.verdict)
        if kind is None or not kind.verdict:
            continue
        severity = kind.severity
        reason = "；".join(match.reasons[:REASONS_QUOTED])
        if match.verdict == "resubmission_needs_iteration" and match.obvious_iteration is False:
            reason = f"未见明显迭代更新。{reason}"
        message = (
            f"{rule_text(match.verdict, settings)}：与 {match.other_id} 相似度 {match.score:.2f}。{reason}"
        )
        findings.append(Finding(match.verdict, severity, message, reason, [match.other_id]))  # type: ignore[arg-type]
    return findings


def finding_from_category(suggestion: CategorySuggestion, declared: int | None) -> list[Finding]:
    """A possibly misfiled category, or a classifier/LLM disagreement that needs a human look."""
    findings = []
    if suggestion.misfiled and declared is not None:
        suggested = suggestion.suggested_category or suggestion.category
        message = (
            f"申报类别为「{category_label(declared)}」，模型认为更可能是「{category_label(suggested)}」。"
        )
        findings.append(Finding("misfiled", "check", message, "；".join(suggestion.reasons[:REASONS_QUOTED])))
    if suggestion.llm_category is not None and suggestion.llm_category != suggestion.category:
        message = (
            f"大模型第二意见为「{category_label(suggestion.llm_category)}」，与分类模型"
            f"「{category_label(suggestion.category)}」不一致，请人工确认。"
        )
        findings.append(Finding("category_disagreement", "check", message, suggestion.llm_reason))
    return findings


def sort_findings(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: SEVERITY_ORDER[f.severity])
