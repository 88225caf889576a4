"""Field reading by scope on forms of our own making (not the fresh evaluation set): several label：value pairs
in one cell or paragraph, signature and opinion blocks, readings that disagree, label synonyms in free layouts,
and the launch status as the eligibility rule needs it."""

from __future__ import annotations

import pytest

from pipelines.config import Settings
from pipelines.eligibility import check_submission
from pipelines.intake.extract import extract_bytes
from pipelines.schema import Submission
from tests.test_extract_build import build_docx, cell, pair_rows, para, row, table

NARRATIVE = "平台面向沿海渔民和港口企业提供分钟级气象预警，覆盖十二个沿海省份，累计服务用户三十万人次。"
CATEGORY = "☐内容供给创新类 ☑数智技术应用类"


def read(body: str, settings: Settings | None = None) -> Submission:
    return extract_bytes(build_docx(body), "表.docx", settings or Settings())


def fields(submission: Submission) -> tuple:
    return (submission.title, submission.unit, submission.implementer, submission.launch_date)


def narrative_row() -> str:
    return row(cell("案例简介"), cell(NARRATIVE))


# -- several label：value pairs in one cell or paragraph --------------------------------------------------


def test_pairs_in_one_cell_are_each_bounded_by_the_next_label():
    body = table(
        row(cell("案例名称：海洋气象智能服务平台")),
        row(cell("申报单位：中国海洋气象报社 实施单位：海洋气象科技有限公司 联系人：林涛 电话：13900001111")),
        row(cell("上线时间：2024年6月；运行状态：正常运营")),
        narrative_row(),
        columns=2,
    )
    submission = read(body)
    assert fields(submission) == (
        "海洋气象智能服务平台",
        "中国海洋气象报社",
        "海洋气象科技有限公司",
        "2024-06",
    )
    assert (submission.contact.name, submission.contact.phone) == ("林涛", "13900001111")
    assert submission.status == "正常运营"


def test_pairs_in_neighbouring_cells_of_one_row():
    body = table(
        row(cell("案例名称：海洋气象智能服务平台"), cell("上线时间：2023年11月")),
        row(
            cell("申报单位：中国海洋气象报社", "联系人：林涛"),
            cell("实施单位：海洋气象科技有限公司", "电话：13900001111"),
        ),
        narrative_row(),
        columns=2,
    )
    submission = read(body)
    assert fields(submission) == (
        "海洋气象智能服务平台",
        "中国海洋气象报社",
        "海洋气象科技有限公司",
        "2023-11",
    )
    assert submission.contact.phone == "13900001111"


def test_a_value_cell_ends_where_the_next_label_starts():
    body = table(
        pair_rows(
            ("案例名称", "海洋气象智能服务平台"),
            ("申报单位", "中国海洋气象报社    实施单位：海洋气象科技有限公司"),
        ),
        narrative_row(),
        columns=2,
    )
    assert read(body).implementer == "海洋气象科技有限公司"
    assert read(body).unit == "中国海洋气象报社"


def test_one_paragraph_with_several_pairs_and_full_width_separators():
    body = para(
        "项目名称：海洋气象智能服务平台；报送单位：中国海洋气象报社；承办单位：海洋气象科技有限公司。"
    )
    body += para("上线时间：二〇二四年六月") + para("一、案例简介") + para(NARRATIVE)
    submission = read(body)
    assert fields(submission) == (
        "海洋气象智能服务平台",
        "中国海洋气象报社",
        "海洋气象科技有限公司",
        "2024-06",
    )


# -- signature, stamp and opinion blocks ---------------------------------------------------------------------


def test_opinion_and_signature_labels_never_overwrite_a_field():
    body = table(
        pair_rows(
            ("案例名称", "海洋气象智能服务平台"),
            ("申报单位", "中国海洋气象报社"),
            ("实施单位", "中国海洋气象报社"),
        ),
        row(
            cell("申报单位意见（盖章）："), cell("同意申报。", "主要负责人签字：", "（盖章）", "2026年3月1日")
        ),
        narrative_row(),
        columns=2,
    )
    body += para("申报单位（盖章）：") + para("主要负责人签字：") + para("日期：2026年3月2日")
    submission = read(body)
    assert fields(submission)[:3] == ("海洋气象智能服务平台", "中国海洋气象报社", "中国海洋气象报社")
    assert submission.sections == {"案例简介": NARRATIVE}
    assert not any("写法不一致" in warning for warning in submission.warnings)


def test_a_unit_written_at_the_stamp_fills_only_an_empty_field():
    body = table(
        pair_rows(("案例名称", "海洋气象智能服务平台"), ("实施单位", "中国海洋气象报社")), narrative_row()
    )
    body += para("申报单位（盖章）：中国海洋气象报社")
    assert read(body).unit == "中国海洋气象报社"


def test_disagreeing_readings_are_a_warning_with_both_values():
    cover = para("案例名称：海洋气象服务平台") + para("申报单位：中国海洋气象报社")
    body = cover + table(
        pair_rows(
            ("案例名称", "海洋气象智能服务平台"), ("申报单位", "中国海洋气象报社"), ("实施单位", "同上")
        ),
        narrative_row(),
        columns=2,
    )
    body += para("申报单位意见：同意推荐") + para("申报单位（盖章）：海洋气象传媒集团")
    submission = read(body)
    assert (submission.title, submission.unit, submission.implementer) == (
        "海洋气象服务平台",
        "中国海洋气象报社",
        "中国海洋气象报社",
    )
    title_warning = next(w for w in submission.warnings if w.startswith("「案例名称」"))
    assert "「海洋气象服务平台」" in title_warning and "「海洋气象智能服务平台」" in title_warning
    unit_warning = next(w for w in submission.warnings if w.startswith("「申报单位」"))
    assert "「海洋气象传媒集团」（申报单位，签章处）" in unit_warning
    assert "已采用「中国海洋气象报社」" in unit_warning


# -- label synonyms in free layouts --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title_label", "unit_label", "implementer_label"),
    [
        ("项目名称", "申报单位", "实施单位"),
        ("案例题目", "报送单位", "实施主体"),
        ("申报案例", "申报主体", "承办单位"),
        ("案例名称", "申报单位名称", "执行单位"),
    ],
)
def test_synonyms_as_headings_without_a_table(title_label, unit_label, implementer_label):
    body = para(title_label, style="Heading1") + para("“潮汐”海洋气象服务平台")
    body += para(unit_label, style="Heading1") + para("中国海洋气象报社")
    body += para(f"{implementer_label}：海洋气象科技有限公司") + para("上线时间：2022年")
    body += para("二、主要做法", style="Heading1") + para(NARRATIVE)
    submission = read(body)
    assert fields(submission) == (
        "“潮汐”海洋气象服务平台",
        "中国海洋气象报社",
        "海洋气象科技有限公司",
        "2022",
    )
    assert submission.sections == {"主要做法": NARRATIVE}


def test_labels_separated_from_their_values_by_spaces_only():
    body = para("项目名称    海洋气象智能服务平台") + para("申报单位\t中国海洋气象报社")
    body += (
        para("实施单位  海洋气象科技有限公司")
        + para("上线时间  2024年6月")
        + para("一、案例简介")
        + para(NARRATIVE)
    )
    assert fields(read(body)) == (
        "海洋气象智能服务平台",
        "中国海洋气象报社",
        "海洋气象科技有限公司",
        "2024-06",
    )


# -- dates and the launch status ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "date", "status"),
    [
        ("2024年", "2024", "已上线"),
        ("2023年3月—2024年5月", "2023-03", "已上线"),
        ("二〇二三年十一月八日", "2023-11-08", "已上线"),
        ("2025年10月上线试运行", "2025-10", "试运行"),
        ("在建，预计2026年8月上线", "2026-08", "在建"),
        ("计划于2026年第二季度上线", "2026", "计划中"),
    ],
)
def test_launch_dates_and_statuses(written, date, status):
    body = table(
        pair_rows(("案例名称", "某平台"), ("申报单位", "某报社"), ("上线时间", written)), narrative_row()
    )
    submission = read(body)
    assert (submission.launch_date, submission.launch_status) == (date, status)


def test_a_planned_launch_after_the_deadline_is_a_finding_with_its_sentence():
    status = "平台主体功能已完成开发。目前在建，预计2026年8月正式上线。"
    body = table(
        pair_rows(
            ("案例名称", "某平台"),
            ("申报单位", "某报社"),
            ("实施单位", "某报社"),
            ("申报类别", CATEGORY),
            ("上线时间", "2026年8月"),
            ("运行状态", status),
        ),
        narrative_row(),
        columns=2,
    )
    submission = read(body)
    assert (submission.launch_status, submission.launch_date) == ("在建", "2026-08")
    assert submission.launch_evidence == "目前在建，预计2026年8月正式上线。"
    findings = [f for f in check_submission(submission, Settings()) if f.code == "not_online"]
    assert [(f.severity, f.evidence) for f in findings] == [("blocker", "目前在建，预计2026年8月正式上线。")]
    assert "晚于截止日期" in findings[0].message


def test_trial_operation_is_a_check_not_a_blocker():
    body = table(
        pair_rows(
            ("案例名称", "某平台"), ("申报单位", "某报社"), ("实施单位", "某报社"), ("上线时间", "2025年6月")
        ),
        row(cell("运行状态"), cell("☐正常运营 ☑试运行 ☐在建")),
        narrative_row(),
        columns=2,
    )
    submission = read(body)
    assert (submission.status, submission.launch_status) == ("试运行", "试运行")
    findings = {f.code: f.severity for f in check_submission(submission, Settings())}
    assert findings["not_online"] == "check"


def test_launch_read_from_the_narrative_when_the_form_has_no_launch_field():
    body = table(
        pair_rows(("案例名称", "某平台"), ("申报单位", "某报社"), ("实施单位", "某报社")),
        row(cell("案例简介"), cell("平台于2023年9月正式上线，服务沿海渔民三十万人次。")),
        columns=2,
    )
    submission = read(body)
    assert submission.launch_date == "2023-09"
    assert any("已从正文" in warning and "2023-09" in warning for warning in submission.warnings)


@pytest.mark.parametrize(
    "written",
    [
        "[ ]内容供给创新类 [√]数智技术应用类",
        "（  ）内容供给创新类（√）数智技术应用类",
        "◇内容供给创新类 ◆数智技术应用类",
        "[ ] 内容供给创新类  [x] 数智技术应用类",  # the check-box convention of plain text
        "内容供给创新类 □  数智技术应用类 ☑  体制机制创新类 □",  # boxes after the options
    ],
)
def test_boxes_typed_as_brackets_or_diamonds(written):
    body = table(pair_rows(("案例名称", "某平台"), ("申报类别", written)), narrative_row(), columns=2)
    assert read(body).declared_categories == [4]


@pytest.mark.parametrize("written", ["同上", "与申报主体一致", "同报送单位", "本单位"])
def test_implementer_written_as_the_applicant(written):
    body = table(
        pair_rows(("案例名称", "某平台"), ("申报单位", "某报社"), ("实施单位", written)), narrative_row()
    )
    assert read(body).implementer == "某报社"


def test_two_digit_years_with_a_month():
    body = table(
        pair_rows(("案例名称", "某平台"), ("申报单位", "某报社"), ("上线时间", "24年5月")), narrative_row()
    )
    assert read(body).launch_date == "2024-05"


def test_bullets_bracketed_labels_and_labels_with_their_english_translation():
    body = para("【案例名称】海洋气象智能服务平台") + para("● 申报单位：中国海洋气象报社")
    body += table(pair_rows(("实施单位 Implementing Organization", "海洋气象科技有限公司")), columns=2)
    body += para("◆上线时间：2024年6月") + para("一、案例简介") + para(NARRATIVE)
    assert fields(read(body)) == (
        "海洋气象智能服务平台",
        "中国海洋气象报社",
        "海洋气象科技有限公司",
        "2024-06",
    )


def test_a_value_wrapped_by_hand_in_its_cell_joins_without_a_space():
    body = table(
        row(cell("案例名称"), cell("海洋气象智能服务平台：", "让渔民出海更安全")),
        row(cell("申报单位"), cell("中国海洋气象", "报社")),
        row(cell("实施单位"), cell("Ocean Weather", "Technology Co.")),
        narrative_row(),
        columns=2,
    )
    submission = read(body)
    assert submission.title == "海洋气象智能服务平台：让渔民出海更安全"
    assert (submission.unit, submission.implementer) == ("中国海洋气象报社", "Ocean Weather Technology Co.")


def test_notes_in_values_and_a_launch_field_without_a_date():
    body = table(
        pair_rows(
            ("案例名称", "海洋气象智能服务平台"),
            ("申报单位", "中国海洋气象报社（以下简称“海洋报”）"),
            ("实施单位", "中国海洋气象报社（与申报单位一致）"),
            ("上线时间", "已正常运营"),
        ),
        row(cell("案例简介"), cell(f"平台于2023年9月正式上线。{NARRATIVE}")),
        columns=2,
    )
    submission = read(body)
    assert fields(submission) == ("海洋气象智能服务平台", "中国海洋气象报社", "中国海洋气象报社", "2023-09")
    assert submission.launch_status == "已上线"
    assert any(w.startswith("「上线时间」栏没有写日期，已从正文") for w in submission.warnings)


def test_a_cover_page_without_labels_gives_the_name_and_the_applicant():
    body = para("附件2") + para("2026年中国行业媒体高质量发展创新案例", center=True)
    body += para("申  报  书", center=True) + para("“潮汐”海洋气象智能服务平台", center=True)
    body += para("中国海洋气象报社（盖章）", center=True) + para("2026年3月", center=True)
    body += para("一、案例简介") + para(NARRATIVE) + para("二、上线时间") + para("2023年11月")
    submission = read(body)
    assert (submission.title, submission.unit) == ("“潮汐”海洋气象智能服务平台", "中国海洋气象报社")
    assert any("已取封面上的「中国海洋气象报社」" in warning for warning in submission.warnings)


def test_cover_lines_never_replace_labelled_fields():
    body = para("海洋气象服务平台", center=True) + para("海洋气象传媒集团", center=True)
    body += table(
        pair_rows(("案例名称", "海洋气象智能服务平台"), ("申报单位", "中国海洋气象报社")), narrative_row()
    )
    assert (read(body).title, read(body).unit) == ("海洋气象智能服务平台", "中国海洋气象报社")


def test_group_headings_on_rows_of_their_own_give_their_meaning_to_the_name_rows_below():
    body = table(
        pair_rows(("案例名称", "海洋气象智能服务平台")),
        row(cell("申报单位信息", span=2)),
        pair_rows(("单位名称", "中国海洋气象报社"), ("联系人", "林涛")),
        row(cell("实施单位信息", span=2)),
        pair_rows(("单位名称", "海洋气象科技有限公司"), ("地址", "北京市")),
        narrative_row(),
        columns=2,
    )
    submission = read(body)
    assert (submission.unit, submission.implementer, submission.contact.name) == (
        "中国海洋气象报社",
        "海洋气象科技有限公司",
        "林涛",
    )
