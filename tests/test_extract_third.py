"""Kinds found in the third form set (``data/eval/fresh3_forms``, tuned on after one blind measurement) and
kinds a next writer is likely to bring, each on documents written here with other wording, units and layouts.

Refusals: a list of several cases (汇总表), a notice whose headings are not the form's sections, a work
summary or report with the form's section names as headings, a template whose narrative cells hold bracketed
instructions and whose attachment list holds only numbers, a contacts-only table, a news report, a page of the
call text, an English document. Acceptances kept beside them: a real but sparse form, a form with one row of
values under a header row, a contacts grid, a previous-applications table.

Fields: an English label cell between the label and the value, an English translation under a unit, notes in a
column of their own, remarks after a unit (stamp, code, phone), the category read twice or one option per line
or row, a circled number beside a legend, labels naming two fields (申报/实施单位), values pasted from the web
(no-break and zero-width spaces) and hard line breaks inside values, unusual category wording.
"""

from __future__ import annotations

import pytest

from tests.test_extract_build import cell, fields, pair_rows, para, read, refused, row, table

NARRATIVE = "平台汇聚全省气象观测数据，面向农户推送分镇分时的灾害预警，累计服务种植大户一万二千余户，预警到达率九成以上。"
BOXES = "□全媒体传播建设类  □内容供给创新类  □运营服务创新类  □数智技术应用类  □体制机制创新类  □国际传播能力建设类"


def basic_rows(**overrides: str) -> str:
    values = {
        "项目名称": "“田间天气”智能预警平台",
        "申报主体": "中国农业气象报社",
        "承建单位": "农业气象报社数据中心",
        "所属类别": BOXES.replace("□数智", "☑数智"),
        "投用时间": "2024年4月",
    } | overrides
    return pair_rows(*values.items())


# -- refusals: a list of several cases --------------------------------------------------------------------


def summary_list(rows: list[tuple[str, ...]]) -> str:
    header = row(*(cell(text) for text in ("编号", "项目名称", "申报主体", "所属类别", "投用时间", "负责人")))
    body = "".join(row(*(cell(text) for text in values)) for values in rows)
    return para("2026年度推荐案例名单", center=True) + table(header + body, columns=6)


def test_a_list_of_several_cases_one_per_row_is_not_a_form():
    error = refused(
        summary_list(
            [
                ("1", "“田间天气”智能预警平台", "中国农业气象报社", "数智技术应用类", "2024年4月", "孙立"),
                ("2", "“渔港之声”广播矩阵", "中国渔业报社", "全媒体传播建设类", "2023年8月", "钱芳"),
                ("3", "林区防火短视频课堂", "中国林业传媒中心", "内容供给创新类", "2025年1月", "周洋"),
            ]
        )
    )
    assert error.code == "not_a_form"
    assert "汇总表" in error.message and "3 个案例" in error.message


def test_one_row_of_values_under_a_header_row_is_still_a_form():
    header = row(*(cell(text) for text in ("项目名称", "申报主体", "承建单位", "投用时间")))
    values = row(
        *(cell(text) for text in ("“田间天气”智能预警平台", "中国农业气象报社", "数据中心", "2024年4月"))
    )
    body = table(header + values, columns=4) + table(pair_rows(("案例简介", NARRATIVE)), columns=2)
    submission = read(body)
    assert (submission.title, submission.unit, submission.launch_date) == (
        "“田间天气”智能预警平台",
        "中国农业气象报社",
        "2024-04",
    )


def test_a_signing_date_or_a_note_under_a_long_cover_line_is_not_part_of_the_value():
    body = "".join(
        para(text)
        for text in (
            "申报主体：中国农业气象报社农业气象大数据应用与服务中心",
            "2026年3月",
            "项目名称：“田间天气”智能预警平台",
            "申报单位：中国农业气象报社农业气象大数据应用与服务中心",
            "（加盖公章）",
            "所属类别：数智技术应用类",
        )
    )
    assert read(body).unit == "中国农业气象报社农业气象大数据应用与服务中心"


def test_a_contacts_grid_and_a_previous_applications_table_keep_the_form():
    contacts = row(cell("联系人"), cell("姓名"), cell("职务"), cell("手机")) + "".join(
        row(cell("", vmerge="continue"), cell(name), cell("主任"), cell(phone))
        for name, phone in (("孙立", "13800001111"), ("钱芳", "13900002222"))
    )
    previous = row(cell("往年申报情况", span=4)) + row(cell("年份"), cell("案例名称"), cell("结果"), cell(""))
    previous += row(cell("2024"), cell("“田间天气”一期"), cell("未入选"), cell(""))
    previous += row(cell("2025"), cell("“田间天气”二期"), cell("入选"), cell(""))
    body = table(basic_rows(), columns=2) + table(contacts + previous, columns=4)
    body += table(pair_rows(("案例简介", NARRATIVE)), columns=2)
    submission = read(body)
    assert fields(submission) == (
        "“田间天气”智能预警平台",
        "中国农业气象报社",
        "农业气象报社数据中心",
        4,
        "2024-04",
    )


def test_a_contacts_only_table_is_not_a_form():
    header = row(cell("单位"), cell("姓名"), cell("职务"), cell("联系电话"))
    rows = "".join(
        row(cell(unit), cell(name), cell("主任"), cell(phone))
        for unit, name, phone in (
            ("中国农业气象报社", "孙立", "13800001111"),
            ("中国渔业报社", "钱芳", "13900002222"),
        )
    )
    error = refused(para("案例征集工作联络员名单", center=True) + table(header + rows, columns=4))
    assert error.code == "not_a_form"


# -- refusals: headings that are not the form's, section names in another kind of document ----------------


def test_a_notice_whose_headings_are_not_the_forms_sections_is_not_a_form():
    body = "".join(
        para(text)
        for text in (
            "关于报送2026年度融合创新案例的通知",
            "各有关单位：",
            "一、报送范围",
            "各行业报刊社及其新媒体平台均可报送。",
            "二、申报类别",
            "分为全媒体传播建设类、内容供给创新类、运营服务创新类、数智技术应用类、体制机制创新类、国际传播能力建设类。",
            "三、报送要求",
            "请于5月31日前将申报表电子版发送至指定邮箱，并寄送盖章纸质件。",
            "四、工作安排",
            "6月组织专家评审，7月公布结果。",
        )
    )
    assert refused(body).code == "not_a_form"


def test_a_work_summary_with_the_forms_section_names_as_headings_is_not_a_form():
    body = "".join(
        para(text)
        for text in (
            "农业气象报社融媒体中心2025年度工作总结",
            "一、基本情况",
            "中心现有采编人员三十二人，运营微信公众号、视频号和客户端各一个。",
            "二、主要做法",
            "全年策划专题报道十二组，完成客户端改版，建立选题会商机制。",
            "三、取得成效",
            "全网阅读量较上年增长四成，两件作品获省级奖项。",
            "四、存在问题",
            "人才结构仍需优化。",
        )
    )
    assert refused(body).code == "not_a_form"


def test_a_sparse_free_layout_form_with_the_case_name_as_its_title_is_read():
    body = "".join(
        [
            para("“田间天气”智能预警平台", style="Title"),
            para("一、案例简介", style="1"),
            para(NARRATIVE),
            para("二、推广价值", style="1"),
            para("可在各产粮大省复制。"),
        ]
    )
    submission = read(body)
    assert submission.title == "“田间天气”智能预警平台"
    assert set(submission.sections) == {"案例简介", "推广价值"}


def test_a_news_report_about_a_case_is_not_a_form():
    body = "".join(
        para(text)
        for text in (
            "“田间天气”平台入选年度行业媒体融合创新案例",
            "本报讯（记者 孙立）日前，由中国农业气象报社申报的“田间天气”智能预警平台入选年度创新案例。",
            "该平台2024年4月上线，累计服务种植大户一万二千余户。报社负责人表示，将继续完善平台功能。",
        )
    )
    assert refused(body).code == "not_a_form"


def test_a_page_of_the_call_text_is_refused():
    body = "".join(
        para(text)
        for text in (
            "三、申报材料",
            "申报表须包括以下内容：",
            "案例简介（300字以内）",
            "主要做法（1500字以内）",
            "创新点（800字以内）",
            "取得成效（附数据，800字以内）",
            "推广价值（500字以内）",
            "四、评审标准",
            "坚持政治性、创新性、实效性、示范性相统一。",
        )
    )
    assert refused(body).code in ("not_a_form", "blank_template")


def test_an_english_document_is_not_a_form():
    body = "".join(
        para(text)
        for text in (
            "Briefing: Trends in Sector Media, 2026",
            "Case title: examples from agriculture and fisheries media are discussed below.",
            "Applicant organisations launched several platforms in 2024 and 2025.",
        )
    )
    assert refused(body).code == "not_a_form"


def test_a_template_with_bracketed_instructions_and_an_empty_numbered_list_is_blank():
    body = table(
        pair_rows(
            ("项目名称", ""),
            ("申报主体", ""),
            ("所属类别", BOXES),
            ("案例简介", "（围绕项目背景和建设内容进行阐述）"),
            ("主要做法", "（结合具体举措描述实施过程）"),
            ("取得成效", "（列举用户规模、传播数据等）"),
            ("附件目录", "1、\n2、\n3、"),
        ),
        columns=2,
    )
    assert refused(body).code == "blank_template"


def test_a_sparse_form_with_one_narrative_section_filled_is_read():
    body = table(
        pair_rows(
            ("项目名称", "“田间天气”智能预警平台"),
            ("申报主体", ""),
            ("案例简介", NARRATIVE),
            ("主要做法", "（结合具体举措描述实施过程）"),
        ),
        columns=2,
    )
    submission = read(body)
    assert submission.title == "“田间天气”智能预警平台"
    assert submission.sections == {"案例简介": NARRATIVE}


# -- fields: what stands beside a value -------------------------------------------------------------------


def test_an_english_label_cell_between_the_label_and_the_value():
    rows = "".join(
        row(cell(chinese), cell(english), cell(value))
        for chinese, english, value in (
            ("项目名称", "Project Title", "“田间天气”智能预警平台"),
            ("申报主体", "Applying Organisation", "中国农业气象报社"),
            ("承建单位", "Executing Unit", "农业气象报社数据中心"),
            ("所属类别", "Category", BOXES.replace("□数智", "☑数智")),
            ("投用时间", "Launch", "2024年4月"),
        )
    )
    assert fields(read(table(rows, columns=3))) == (
        "“田间天气”智能预警平台",
        "中国农业气象报社",
        "农业气象报社数据中心",
        4,
        "2024-04",
    )


def test_an_english_translation_under_a_unit_name_is_dropped():
    body = table(basic_rows(申报主体="中国农业气象报社\nChina Agricultural Meteorology News"), columns=2)
    body = body.replace("China", "</w:t></w:r></w:p><w:p><w:r><w:t>China")
    assert read(body).unit == "中国农业气象报社"


def test_notes_in_a_column_of_their_own_are_not_part_of_the_value():
    rows = row(cell("栏目"), cell("内容"), cell("填写要求"))
    rows += "".join(
        row(cell(label), cell(value), cell(note))
        for label, value, note in (
            ("项目名称", "“田间天气”智能预警平台", "不超过25字"),
            ("申报主体", "中国农业气象报社", "应与公章一致"),
            ("承建单位", "农业气象报社数据中心", "如与申报主体不同，须说明关系：报社下属中心"),
            ("所属类别", "数智技术应用类", "六类中选一类"),
            ("投用时间", "2024年4月", "请填写到月"),
        )
    )
    assert fields(read(table(rows, columns=3))) == (
        "“田间天气”智能预警平台",
        "中国农业气象报社",
        "农业气象报社数据中心",
        4,
        "2024-04",
    )


@pytest.mark.parametrize(
    "written",
    [
        "中国农业气象报社（盖章）        登记号：NQ-2026-011",
        "中国农业气象报社  电话：010-66887766",
        "中国农业气象报社 0571-88886666",
        "中国农业气象报社（联系电话：13800001111）",
        "中国农业气象报社，地址：北京市海淀区",
    ],
)
def test_remarks_after_a_unit_name_are_dropped(written):
    assert read(table(basic_rows(申报主体=written), columns=2)).unit == "中国农业气象报社"


# -- fields: the category --------------------------------------------------------------------------------


def test_a_category_named_on_the_cover_and_ticked_in_the_table():
    cover = (
        para("项目名称：“田间天气”智能预警平台")
        + para("所属类别：数智技术应用类")
        + para("申报主体：中国农业气象报社")
    )
    assert read(cover + table(basic_rows(), columns=2)).declared_category == 4


def test_options_one_per_line_with_the_mark_at_the_start_of_the_chosen_line():
    options = "\n".join(
        ("✔ " if index == 2 else "    ") + name for index, name in enumerate(BOXES.replace("□", "").split())
    )
    body = table(basic_rows(所属类别=options).replace("\n", "</w:t></w:r></w:p><w:p><w:r><w:t>"), columns=2)
    assert read(body).declared_category == 3


def test_options_one_per_row_with_the_mark_in_a_cell_before_the_name():
    names = ["（一）全媒体传播建设类", "（二）内容供给创新类", "（三）运营服务创新类", "（四）数智技术应用类"]
    option_rows = "".join(
        row(
            cell("所属类别", vmerge="restart") if index == 0 else cell("", vmerge="continue"),
            cell("✓" if index == 1 else ""),
            cell(name),
        )
        for index, name in enumerate(names)
    )
    rows = "".join(
        row(cell(label), cell(value, span=2))
        for label, value in (("项目名称", "某平台"), ("申报主体", "甲报社"))
    )
    body = table(rows + option_rows + row(cell("投用时间"), cell("2024年4月", span=2)), columns=3)
    assert read(body).declared_category == 2


def test_a_circled_number_beside_a_legend_of_the_six_options():
    legend = "类别编号：①全媒体传播建设类 ②内容供给创新类 ③运营服务创新类 ④数智技术应用类 ⑤体制机制创新类 ⑥国际传播能力建设类"
    rows = row(cell("项目名称"), cell("某平台"), cell("所属类别（填编号）"), cell("⑤"))
    rows += row(cell(legend, span=4)) + row(cell("申报主体"), cell("甲报社", span=3))
    assert read(table(rows, columns=4)).declared_category == 5


@pytest.mark.parametrize(
    ("written", "expected"), [("内容创新类", 2), ("数智化技术应用类", 4), ("国际传播类", 6)]
)
def test_shortened_category_names(written, expected):
    assert read(table(basic_rows(所属类别=written), columns=2)).declared_category == expected


# -- fields: labels naming two fields, pasted and converted text ------------------------------------------


def test_a_label_naming_both_units_fills_the_implementer_too():
    body = table(
        pair_rows(("项目名称", "某平台"), ("申报及实施单位", "中国渔业报社"), ("投用时间", "2023年8月")),
        columns=2,
    )
    submission = read(body)
    assert (submission.unit, submission.implementer) == ("中国渔业报社", "中国渔业报社")
    inline = read(
        para("项目名称：某平台") + para("申报/实施单位：中国渔业报社") + para("上线/运行时间：2023年8月")
    )
    assert (inline.unit, inline.implementer, inline.launch_date) == (
        "中国渔业报社",
        "中国渔业报社",
        "2023-08",
    )


def test_values_pasted_from_a_web_page_with_no_break_and_zero_width_spaces():
    body = "".join(
        para(text)
        for text in (
            "项目名称\u00a0：\u00a0“田间天气”智能预警平台",
            "申报主体\u200b：中国农业气象报社\u00a0\u00a0",
            "承建单位：\u00a0农业气象报社数据中心",
            "所属类别：数智技术应用类",
            "投用时间：2024年4月",
            "案例简介：",
            NARRATIVE,
        )
    )
    assert fields(read(body)) == (
        "“田间天气”智能预警平台",
        "中国农业气象报社",
        "农业气象报社数据中心",
        4,
        "2024-04",
    )


def broken_cell(*parts: str) -> str:
    """A cell whose one paragraph holds ``parts`` separated by hard line breaks (w:br)."""
    runs = "<w:br/>".join(f"<w:t>{part}</w:t>" for part in parts)
    return cell(f"<w:p><w:r>{runs}</w:r></w:p>")


def test_a_hard_line_break_inside_a_value():
    body = table(
        row(cell("项目名称"), broken_cell("“田间天气”智能", "预警平台"))
        + row(cell("申报主体"), cell("中国农业气象报社"))
        + row(cell("承建单位"), broken_cell("中国农业气象报社", "数据中心")),
        columns=2,
    )
    submission = read(body)
    assert submission.title == "“田间天气”智能预警平台"
    assert submission.implementer == "中国农业气象报社数据中心"


def test_a_converted_form_with_one_line_per_paragraph_and_values_broken_over_lines():
    body = "".join(
        para(text)
        for text in (
            "项目名称：“田间天气”面向种植大户的分镇分时灾害天气智能预警",
            "服务平台",
            "申报主体：中国农业气象报社",
            "所属类别：数智技术应用类",
            "投用时间：2024年4",
            "月",
            "案例简介：",
            NARRATIVE,
        )
    )
    submission = read(body)
    assert (submission.title, submission.unit, submission.launch_date) == (
        "“田间天气”面向种植大户的分镇分时灾害天气智能预警服务平台",
        "中国农业气象报社",
        "2024-04",
    )


# -- English-only labels with Chinese values ----------------------------------------------------------------


def test_a_form_with_english_labels_and_chinese_values_is_read():
    lines = (
        "Project Title: “渔港之声”应急广播矩阵",
        "Applicant Organization: 中国渔业报社",
        "Implementing Unit: 渔业报社广播中心",
        "Case Category: 1 (All-Media Communication)",
        "Date of Launch: 2023-08",
        "Introduction:",
        "矩阵覆盖沿海十二个渔港，台风季累计播发预警两千余条。",
    )
    body = table(row(broken_cell(*lines[:5])) + row(cell(lines[5], lines[6])), columns=1)
    submission = read(body)
    assert fields(submission) == ("“渔港之声”应急广播矩阵", "中国渔业报社", "渔业报社广播中心", 1, "2023-08")
    assert "矩阵覆盖" in submission.sections["案例简介"]


def test_an_english_letter_with_label_like_lines_is_not_a_form():
    body = "".join(
        para(text)
        for text in (
            "Dear colleagues,",
            "Project title: a study of regional broadcasting",
            "Applicant: to be confirmed",
            "Category: 3",
            "Launch date: 2024",
            "Summary:",
            "We write to invite you to a seminar on sector media.",
        )
    )
    assert refused(body).code == "not_a_form"
