"""The extractor on forms built at run time, one test per feature real forms use."""

from __future__ import annotations

import hashlib

import pytest

from pipelines.intake.extract import extract_bytes
from pipelines.schema import Contact, PreviousApplication
from tests.test_extract_build import (
    build_docx,
    cell,
    legacy_checkbox,
    pair_rows,
    para,
    row,
    run,
    symbol,
    table,
    text_box,
    w14_checkbox,
)

NARRATIVE = "本平台于2023年上线，面向全国行业用户提供资讯与数据服务，已形成稳定的用户群体和运营机制。"


TITLE_ROW = row(cell("案例名称"), cell("某平台"))  # a form with only unticked boxes would be a blank template


def extract(body: str, name: str = "form.docx", strict: bool = False):
    return extract_bytes(build_docx(body, strict=strict), name)


def basic_rows(**overrides: str) -> str:
    values = {
        "案例名称": "行业数据服务平台",
        "申报单位（全称）": "中国某某报社",
        "实施单位": "中国某某报社",
        "申报类别": "☑数智技术应用类 ☐内容供给创新类",
        "上线时间": "2024年5月",
    }
    values.update(overrides)
    return pair_rows(*values.items())


def test_label_synonyms_map_to_fields():
    body = table(
        pair_rows(
            ("项目名称", "垦区云"),
            ("申报主体", "中国农垦传媒中心"),
            ("承建单位", "农垦科技公司"),
            ("参评项目", "☑全媒体传播建设类"),
            ("投入运营时间", "2023.06"),
            ("运营状态", "正常运营"),
            ("案例概述", NARRATIVE),
            ("创新之处", "首创。"),
            ("实施成效", "用户增长。"),
            ("示范价值", "可复制。"),
            ("具体做法", "一是。"),
        ),
        columns=2,
    )
    submission = extract(body)
    assert (submission.title, submission.unit, submission.implementer) == (
        "垦区云",
        "中国农垦传媒中心",
        "农垦科技公司",
    )
    assert (submission.declared_category, submission.launch_date, submission.status) == (
        1,
        "2023-06",
        "正常运营",
    )
    assert list(submission.sections) == ["案例简介", "创新点", "取得成效", "推广价值", "主要做法"]
    assert submission.text.startswith(NARRATIVE)


def test_recommender_is_never_the_applicant():
    body = table(
        pair_rows(("案例名称", "某案例"), ("推荐单位", "中国某某协会"), ("实施单位", "某报社")), columns=2
    )
    submission = extract(body)
    assert submission.unit == ""
    assert submission.recommender == "中国某某协会"
    assert any("推荐单位不是申报单位" in w for w in submission.warnings)


def test_pairs_anywhere_in_a_row_with_grid_span():
    body = table(
        row(cell("1"), cell("案例名称"), cell("数据服务平台", span=2)),
        row(cell("申报单位"), cell("甲报社"), cell("实施单位"), cell("乙公司")),
        row(cell("上线时间"), cell("2023-09-01"), cell("运行状态"), cell("正常运营")),
    )
    submission = extract(body)
    assert (submission.title, submission.unit, submission.implementer) == ("数据服务平台", "甲报社", "乙公司")
    assert (submission.launch_date, submission.status) == ("2023-09-01", "正常运营")


@pytest.mark.parametrize("continuation", ["", "continue"], ids=["word-bare-vmerge", "wps-continue"])
def test_vertically_merged_group_labels(continuation):
    body = table(
        row(cell("申报单位", vmerge="restart"), cell("名称"), cell("中国某某报社", span=2)),
        row(cell(vmerge=continuation), cell("地址"), cell("北京市", span=2)),
        row(cell("联系人", vmerge="restart"), cell("姓名"), cell("张三", span=2)),
        row(cell(vmerge=continuation), cell("手机"), cell("13812345678", span=2)),
        row(cell(vmerge=continuation), cell("电子邮箱"), cell("zs@example.cn", span=2)),
        row(cell("往年申报情况", vmerge="restart"), cell("年份"), cell("案例名称"), cell("结果")),
        row(cell(vmerge=continuation), cell("2024"), cell("行业数据平台"), cell("未入选")),
        row(cell("主要做法", vmerge="restart"), cell("一是建设平台。", span=3)),
        row(cell(vmerge=continuation), cell("二是打通数据。", span=3)),
    )
    submission = extract(body)
    assert submission.unit == "中国某某报社"
    assert submission.contact == Contact("张三", "13812345678", "zs@example.cn")
    assert submission.previous_applications == [
        PreviousApplication(2024, "行业数据平台", "未入选", "not_selected")
    ]
    assert submission.sections["主要做法"] == "一是建设平台。\n二是打通数据。"
    assert submission.title == ""


def test_merged_value_cells_are_read_once():
    body = table(
        row(cell("案例名称"), cell("平台", vmerge="restart")),
        row(cell("申报单位"), cell(vmerge="")),
        columns=2,
    )
    submission = extract(body)
    assert submission.title == "平台"
    assert submission.unit == ""


def test_vertical_and_spaced_labels():
    body = table(
        row(cell("案", "例", "名", "称"), cell("某平台")),
        row(cell("申 报 单 位"), cell("甲报社")),
        row(cell("实\u3000施\u3000单\u3000位"), cell("乙公司")),
        row(cell("案\n例\n简\n介"), cell(NARRATIVE)),
        columns=2,
    )
    submission = extract(body)
    assert (submission.title, submission.unit, submission.implementer) == ("某平台", "甲报社", "乙公司")
    assert submission.sections["案例简介"] == NARRATIVE


def test_hint_text_in_value_cells_is_removed_with_a_warning():
    body = table(
        pair_rows(("案例名称", "某平台"), ("申报单位", "（请填写全称）")),
        row(cell("案例简介"), cell("（请简要介绍案例背景和主要内容，300字以内）", NARRATIVE)),
        row(cell("创新点"), cell("（请填写创新点）本案例首创行业数据大模型。")),
        row(cell("推广价值"), cell("单击或点击此处输入文字。")),
        columns=2,
    )
    submission = extract(body)
    assert submission.unit == ""
    assert submission.sections["案例简介"] == NARRATIVE
    assert submission.sections["创新点"] == "本案例首创行业数据大模型。"
    assert "推广价值" not in submission.sections
    hints = [w for w in submission.warnings if "提示文字" in w]
    assert len(hints) == 4
    assert any("「案例简介」" in w and "请简要介绍" in w for w in hints)


def test_single_cell_heading_and_answer_sections():
    body = table(
        row(cell("案例名称"), cell("某平台", span=3)),
        row(cell("一、案例简介（300字以内）", NARRATIVE, span=4)),
        row(cell("二、主要做法（不超过1500字）", span=4)),
        row(cell("一是建设平台。", "二是打通数据。", span=4)),
        row(cell("创新点：首创行业数据大模型。", span=4)),
    )
    submission = extract(body)
    assert submission.sections == {
        "案例简介": NARRATIVE,
        "主要做法": "一是建设平台。\n二是打通数据。",
        "创新点": "首创行业数据大模型。",
    }
    limits = {count.label: count.limit for count in submission.word_counts}
    assert limits == {"案例简介": 300, "主要做法": 1500, "创新点": None}


def test_cover_page_label_value_paragraphs():
    body = "".join(
        [
            para("2026年中国行业媒体高质量发展创新案例申报书"),
            para("案例名称：“银龄课堂”：为老服务直播平台"),
            para("申报单位（盖章）：中国老年生活报社"),
            para("实施主体： 中国老年生活报社"),
            para("申报类别：", "■运营服务创新类"),
            para("上线时间：2022年10月"),
            para("联 系 人：赵淑芬\t联系电话：010-84026719\t电子邮箱: zhao@example.cn"),
            para("填报日期：2026年  月  日"),
            para("一、案例简介"),
            para(NARRATIVE),
        ]
    )
    submission = extract(body)
    assert submission.title == "“银龄课堂”：为老服务直播平台"
    assert (submission.unit, submission.implementer) == ("中国老年生活报社", "中国老年生活报社")
    assert (submission.declared_category, submission.launch_date) == (3, "2022-10")
    assert submission.contact == Contact("赵淑芬", "010-84026719", "zhao@example.cn")
    assert submission.sections == {"案例简介": NARRATIVE}


def test_free_form_document_with_headings_and_no_table():
    body = "".join(
        [
            para("“智慧工地”融媒体服务平台", style="Title"),
            para("一、案例简介", style="1"),
            para(NARRATIVE),
            para("二、主要做法", style="1"),
            para("（一）建设背景", style="2"),
            para("行业需要统一平台。"),
            para("（二）实施路径"),
            para("分三期建设。"),
            para("三、团队建设", style="1"),
            para("团队共二十人。"),
            para("四、推广价值", style="1"),
            para("可在各行业推广。"),
        ]
    )
    submission = extract(body)
    assert list(submission.sections) == ["案例简介", "主要做法", "团队建设", "推广价值"]
    assert (
        submission.sections["主要做法"] == "（一）建设背景\n行业需要统一平台。\n（二）实施路径\n分三期建设。"
    )
    assert submission.title == "“智慧工地”融媒体服务平台"
    assert any("已取文档标题" in w for w in submission.warnings)


def test_free_form_numbered_headings_without_styles():
    body = "".join(
        [
            para("案例名称：某平台"),
            para("一、案例简介"),
            para(NARRATIVE),
            para("二、团队介绍"),
            para("团队共二十人。"),
            para("（一）分工"),
        ]
    )
    submission = extract(body)
    assert submission.sections == {"案例简介": NARRATIVE, "团队介绍": "团队共二十人。\n（一）分工"}


def _sdt(content: str, placeholder: bool = False) -> str:
    flag = "<w:showingPlcHdr/>" if placeholder else ""
    return (
        f'<w:sdt><w:sdtPr><w:alias w:val="x"/>{flag}</w:sdtPr><w:sdtContent>{content}</w:sdtContent></w:sdt>'
    )


def test_content_controls_at_body_row_cell_and_run_level_keep_cells_aligned():
    body = _sdt(para("案例名称：某平台")) + table(
        _sdt(row(cell("申报单位"), cell("甲报社"))),
        "<w:tr>" + _sdt(cell("实施单位")) + _sdt(cell("乙公司")) + "</w:tr>",
        "<w:tr>" + cell("上线时间") + _sdt(cell("单击或点击此处输入日期。"), placeholder=True) + "</w:tr>",
        row(cell("运行状态"), cell(para(_sdt(run("正常")), run("运营")))),
        columns=2,
    )
    submission = extract(body)
    assert (submission.title, submission.unit, submission.implementer) == ("某平台", "甲报社", "乙公司")
    assert submission.launch_raw == ""
    assert submission.status == "正常运营"


def test_placeholder_text_of_empty_run_controls_is_ignored():
    body = table(
        row(cell("案例名称"), cell(para(_sdt(run("单击或点击此处输入文字。"), placeholder=True)))),
        row(cell("申报单位"), cell("甲报社")),
        columns=2,
    )
    submission = extract(body)
    assert submission.title == ""
    assert not any("提示文字" in w for w in submission.warnings)


def test_tracked_insertions_kept_and_deletions_left_out():
    revision = 'w:id="1" w:author="a" w:date="2026-03-01T00:00:00Z"'
    value = para(
        run("全国"),
        f"<w:del {revision}><w:r><w:delText>建材</w:delText></w:r></w:del>",
        f"<w:ins {revision}>{run('行业')}</w:ins>",
        f"<w:moveFrom {revision}>{run('旧文')}</w:moveFrom>",
        f"<w:moveTo {revision}>{run('数据平台')}</w:moveTo>",
    )
    deleted_row = f"<w:tr><w:trPr><w:del {revision}/></w:trPr>{cell('申报单位')}{cell('已删除单位')}</w:tr>"
    body = table(
        row(cell("案例名称"), cell(value)), deleted_row, row(cell("申报单位"), cell("甲报社")), columns=2
    )
    submission = extract(body)
    assert submission.title == "全国行业数据平台"
    assert submission.unit == "甲报社"


def test_smart_tags_custom_xml_and_hyperlinks_are_read_through():
    value = para(
        f'<w:smartTag w:uri="urn:schemas-microsoft-com:office:smarttags" w:element="place">{run("北京")}</w:smartTag>',
        f'<w:customXml w:element="unit">{run("某某")}</w:customXml>',
        f"<w:hyperlink>{run('报社')}</w:hyperlink>",
    )
    submission = extract(table(row(cell("申报单位"), cell(value)), columns=2))
    assert submission.unit == "北京某某报社"


def test_text_boxes_are_read_once_from_choice_or_fallback():
    body = para(text_box("案例名称：浮动文本框里的名称", "申报单位：甲报社")) + table(
        pair_rows(("实施单位", "乙公司")), columns=2
    )
    submission = extract(body)
    assert submission.title == "浮动文本框里的名称"
    assert submission.unit == "甲报社"
    fallback_only = para(
        '<w:r><mc:AlternateContent><mc:Choice Requires="wps"/><mc:Fallback><w:pict><v:shape><v:textbox>'
        f"<w:txbxContent>{para('案例名称：旧式文本框')}</w:txbxContent></v:textbox></v:shape></w:pict>"
        "</mc:Fallback></mc:AlternateContent></w:r>"
    )
    assert extract(fallback_only).title == "旧式文本框"


CATEGORY_LINE = (
    "{a}全媒体传播建设类  {b}内容供给创新类  {b}运营服务创新类\n{b}数智技术应用类  {b}体制机制创新类"
)


@pytest.mark.parametrize("tick", ["☑", "■", "√", "✓", "☒", "✔"])
@pytest.mark.parametrize("empty", ["□", "☐"])
def test_unicode_tick_marks_before_an_option(tick, empty):
    value = CATEGORY_LINE.format(a=empty, b=empty).replace(f"{empty}数智", f"{tick}数智")
    submission = extract(table(TITLE_ROW, row(cell("申报类别"), cell(*value.split("\n"))), columns=2))
    assert submission.declared_category == 4
    assert submission.declared_categories == [4]


@pytest.mark.parametrize(
    "value, expected",
    [
        ("1.全媒体传播建设类  2.内容供给创新类√  3.运营服务创新类", 2),
        ("（一）口全媒体传播建设类 （二）☑内容供给创新类", 2),
        ("数智技术应用类", 4),
        ("四", 4),
        ("☐全媒体传播建设类 ☐内容供给创新类", None),
    ],
)
def test_other_category_writings(value, expected):
    submission = extract(table(TITLE_ROW, row(cell("申报类别"), cell(value)), columns=2))
    assert submission.declared_category == expected


def test_several_ticked_categories_give_none_and_a_warning():
    value = "☑全媒体传播建设类 ☑内容供给创新类 ☐运营服务创新类"
    submission = extract(table(TITLE_ROW, row(cell("申报类别"), cell(value)), columns=2))
    assert submission.declared_category is None
    assert submission.declared_categories == [1, 2]
    assert any("多个申报类别" in w for w in submission.warnings)


def test_no_ticked_category_warns():
    submission = extract(
        table(TITLE_ROW, row(cell("申报类别"), cell("☐全媒体传播建设类 ☐内容供给创新类")), columns=2)
    )
    assert submission.declared_categories == []
    assert any("都未勾选" in w for w in submission.warnings)


def _category_cell(marks: list[str]) -> str:
    names = ["全媒体传播建设类", "内容供给创新类", "运营服务创新类", "数智技术应用类"]
    return cell(para(*(item for mark, name in zip(marks, names, strict=True) for item in (mark, run(name)))))


@pytest.mark.parametrize(
    "font, ticked, empty",
    [("Wingdings", "F0FE", "F0A8"), ("Wingdings 2", "F052", "F0A3"), ("Wingdings", "F0FC", "F06F")],
)
def test_wingdings_symbol_tick_boxes(font, ticked, empty):
    marks = [symbol(font, empty), symbol(font, empty), symbol(font, ticked), symbol(font, empty)]
    submission = extract(table(TITLE_ROW, row(cell("申报类别"), _category_cell(marks)), columns=2))
    assert submission.declared_category == 3


def test_wingdings_characters_typed_as_text():
    marks = [
        run("¨", font="Wingdings"),
        run("þ", font="Wingdings"),
        run("¨", font="Wingdings"),
        run("£", "Wingdings 2"),
    ]
    submission = extract(table(TITLE_ROW, row(cell("申报类别"), _category_cell(marks)), columns=2))
    assert submission.declared_category == 2


@pytest.mark.parametrize("value, ticked", [("1", True), ("true", True), ("0", False), ("false", False)])
def test_w14_checkbox_controls(value, ticked):
    checkbox = w14_checkbox(True).replace('w14:val="1"', f'w14:val="{value}"')
    marks = [w14_checkbox(False), checkbox, w14_checkbox(False), w14_checkbox(False)]
    submission = extract(table(TITLE_ROW, row(cell("申报类别"), _category_cell(marks)), columns=2))
    assert submission.declared_categories == ([2] if ticked else [])


@pytest.mark.parametrize(
    "state, ticked",
    [
        ("<w:checked/>", True),
        ('<w:checked w:val="1"/>', True),
        ('<w:checked w:val="0"/>', False),
        ('<w:checked w:val="false"/>', False),
        ('<w:default w:val="1"/>', True),
        ('<w:default w:val="0"/>', False),
        ('<w:default w:val="1"/><w:checked w:val="0"/>', False),
    ],
)
def test_legacy_formcheckbox_fields(state, ticked):
    off = legacy_checkbox('<w:default w:val="0"/>')
    marks = [off, off, off, legacy_checkbox(state)]
    submission = extract(table(TITLE_ROW, row(cell("申报类别"), _category_cell(marks)), columns=2))
    assert submission.declared_categories == ([4] if ticked else [])


def test_status_tick_boxes_give_the_ticked_option():
    body = table(basic_rows(运行状态="☐正常运营 ☑在建 ☐计划中"), columns=2)
    assert extract(body).status == "在建"


def test_category_found_outside_a_labelled_field():
    body = table(pair_rows(("案例名称", "某平台")), columns=2) + para("☐内容供给创新类 ☑国际传播能力建设类")
    submission = extract(body)
    assert submission.declared_category == 6
    assert any("未找到「申报类别」栏" in w for w in submission.warnings)


def test_strict_ooxml_namespaces():
    submission = extract(table(basic_rows(), columns=2), strict=True)
    assert (submission.title, submission.unit, submission.declared_category) == (
        "行业数据服务平台",
        "中国某某报社",
        4,
    )


def test_launch_still_being_built_keeps_raw_text_and_status():
    submission = extract(table(basic_rows(上线时间="在建，预计2026年6月上线"), columns=2))
    assert submission.launch_date == "2026-06"
    assert submission.launch_raw == "在建，预计2026年6月上线"
    assert submission.status == "在建"


def test_unreadable_launch_date_warns():
    submission = extract(table(basic_rows(上线时间="近期"), columns=2))
    assert submission.launch_date is None
    assert any("无法识别为日期" in w for w in submission.warnings)


def test_implementer_written_as_same_as_applicant():
    submission = extract(table(basic_rows(实施单位="同申报单位"), columns=2))
    assert submission.implementer == "中国某某报社"


def test_contact_in_one_cell():
    body = table(basic_rows(联系人="王五（新媒体部） 13900001111 wangwu@example.cn"), columns=2)
    assert extract(body).contact == Contact("王五（新媒体部）", "13900001111", "wangwu@example.cn")


@pytest.mark.parametrize(
    "value, expected",
    [
        (
            "2024年申报《行业数据平台》，未入选",
            [PreviousApplication(2024, "行业数据平台", "未入选", "not_selected")],
        ),
        (
            "2024年《A平台》入选；2025年申报“B平台”，未获评",
            [
                PreviousApplication(2024, "A平台", "入选", "awarded"),
                PreviousApplication(2025, "B平台", "未获评", "not_selected"),
            ],
        ),
        ("无", []),
    ],
)
def test_previous_applications_written_as_text(value, expected):
    submission = extract(table(basic_rows(往年申报情况=value), columns=2))
    assert submission.previous_applications == expected
    assert not any("往年申报情况" in w for w in submission.warnings)


def test_previous_applications_in_a_nested_table():
    nested = table(
        row(cell("年份"), cell("案例名称"), cell("结果")), row(cell("2025"), cell("数据平台"), cell("入选"))
    )
    body = table(TITLE_ROW, row(cell("往年申报情况"), cell(nested)), columns=2)
    submission = extract(body)
    assert submission.previous_applications == [PreviousApplication(2025, "数据平台", "入选", "awarded")]


def test_previous_application_table_after_a_label_row():
    body = table(
        row(cell("往年申报情况", span=3)),
        row(cell("年份"), cell("案例名称"), cell("结果")),
        row(cell("2024"), cell("数据平台"), cell("未入选")),
        row(cell("案例名称"), cell("新平台", span=2)),
        columns=3,
    )
    submission = extract(body)
    assert submission.previous_applications == [
        PreviousApplication(2024, "数据平台", "未入选", "not_selected")
    ]
    assert submission.title == "新平台"


def test_attachment_lines_become_file_names():
    body = table(
        row(cell("案例名称"), cell("某平台")),
        row(cell("附件清单"), cell("1. 用户数据报告.pdf", "（2）平台截图.jpg；演示.mp4", "无")),
        columns=2,
    )
    assert extract(body).attachments == ["用户数据报告.pdf", "平台截图.jpg", "演示.mp4"]


def test_unknown_narrative_section_keeps_its_label():
    long_text = "团队由二十名编辑记者和十名技术人员组成，长期深耕行业报道，具备丰富的平台建设与运营经验，" * 2
    body = table(basic_rows(), row(cell("团队介绍"), cell(long_text)), columns=2)
    assert extract(body).sections == {"团队介绍": long_text}


def test_narrative_lines_with_label_words_stay_in_their_section():
    body = table(
        TITLE_ROW,
        row(cell("主要做法", span=2)),
        row(cell("一是建设平台。", "成效：用户增长明显。", span=2)),
        columns=2,
    )
    assert extract(body).sections == {"主要做法": "一是建设平台。\n成效：用户增长明显。"}


def test_opinion_and_signature_lines_are_not_narrative():
    body = "".join(
        [
            para("案例名称：某平台"),
            para("一、案例简介"),
            para(NARRATIVE),
            para("申报单位意见："),
            para("（单位盖章）"),
            para("2026年 月 日"),
        ]
    )
    assert extract(body).sections == {"案例简介": NARRATIVE}


def test_word_counts_and_over_limit_warning():
    text = "人工智能赋能AI新闻生产，2024年用户增长显著。" * 3
    body = table(TITLE_ROW, row(cell("案例简介（不超过20字）"), cell(text)), columns=2)
    submission = extract(body)
    (count,) = submission.word_counts
    assert (count.label, count.count, count.limit, count.over_limit) == ("案例简介", 63, 20, True)
    assert any("共 63 字，超过 20 字" in w for w in submission.warnings)


def test_missing_fields_and_sections_are_warned():
    submission = extract(table(pair_rows(("案例名称", "某平台")), columns=2))
    for label in ("申报单位", "实施单位", "上线时间", "案例简介", "推广价值"):
        assert any(f"「{label}」" in w for w in submission.warnings), label
    assert any("联系人" in w for w in submission.warnings)


def test_content_hash_and_file_name():
    data = build_docx(table(basic_rows(), columns=2))
    submission = extract_bytes(data, "某单位.docx")
    assert submission.content_hash == hashlib.sha256(data).hexdigest()
    assert submission.file_name == "某单位.docx"


def test_labels_in_a_row_above_their_values():
    body = table(
        row(cell("案例名称"), cell("申报单位"), cell("上线时间")),
        row(cell("某平台"), cell("甲报社"), cell("2024年5月")),
        row(cell("联系人"), cell("电话"), cell("邮箱")),
        row(cell("张三"), cell("13812345678"), cell("zs@example.cn")),
        columns=3,
    )
    submission = extract(body)
    assert (submission.title, submission.unit, submission.launch_date) == ("某平台", "甲报社", "2024-05")
    assert submission.contact == Contact("张三", "13812345678", "zs@example.cn")


def test_category_options_one_per_row_under_a_merged_label():
    body = table(
        row(cell("案例名称"), cell("某平台", span=2)),
        row(cell("申报类别", vmerge="restart"), cell("☐"), cell("全媒体传播建设类")),
        row(cell(vmerge=""), cell("☑"), cell("内容供给创新类")),
        row(cell(vmerge=""), cell("☐"), cell("运营服务创新类")),
        columns=3,
    )
    assert extract(body).declared_categories == [2]


def test_unit_name_alone_or_under_a_group():
    body = table(
        row(cell("单位名称"), cell("甲报社", span=2)),
        row(cell("实施单位", vmerge="restart"), cell("单位名称"), cell("乙公司")),
        row(cell(vmerge=""), cell("地址"), cell("北京市")),
        columns=3,
    )
    submission = extract(body)
    assert (submission.unit, submission.implementer) == ("甲报社", "乙公司")
