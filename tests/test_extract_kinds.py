"""Kinds of layout the extractor used to miss, each on forms of our own making (wording and units differ from
any evaluation set): tables nested in a cell, filled-block tick marks, launch labels known by their shape,
a category value followed by another label in the same text, the 附件 annex mark above a form, and documents
whose only labels are the ones every material has (a meeting reply slip)."""

from __future__ import annotations

import pytest

from pipelines.intake.options import read_categories, ticked_option
from tests.test_extract_build import cell, fields, pair_rows, para, read, refused, row, table

NARRATIVE = "专栏围绕矿山安全生产组织蹲点采访，推出系列报道四十二篇，带动一线职工参与线索征集两千余条。"
CATEGORIES = "□全媒体传播建设类  □内容供给创新类  {mark}运营服务创新类  □数智技术应用类  □体制机制创新类"


# -- a table nested in a cell -----------------------------------------------------------------------------


def inner_table() -> str:
    return table(
        pair_rows(
            ("项目名称", "“安全矿工”融媒专栏"),
            ("申报主体", "中国矿业安全报社"),
            ("承建单位", "矿安新媒体科技有限公司"),
            ("所属类别", CATEGORIES.format(mark="☑")),
            ("投用时间", "2022年10月"),
        ),
        columns=2,
    )


def test_a_table_nested_beside_a_heading_cell_is_read_row_by_row():
    body = para("行业媒体创新案例申报表", center=True) + table(
        row(cell("概", "况"), cell(inner_table())),
        row(cell("案例简介"), cell(NARRATIVE)),
        columns=2,
    )
    submission = read(body)
    assert fields(submission) == (
        "“安全矿工”融媒专栏",
        "中国矿业安全报社",
        "矿安新媒体科技有限公司",
        3,
        "2022-10",
    )
    assert submission.sections["案例简介"] == NARRATIVE


def test_a_table_nested_under_a_heading_in_the_same_cell_keeps_its_fields():
    # 基本情况 is also a name of the narrative section; here it only heads the inner table.
    body = table(
        row(cell("基本情况", inner_table())),
        row(cell("案例简介", NARRATIVE)),
        columns=1,
    )
    submission = read(body)
    assert submission.title == "“安全矿工”融媒专栏"
    assert submission.launch_date == "2022-10"
    assert submission.sections["案例简介"] == NARRATIVE


def test_a_label_beside_a_nested_table_gives_its_meaning_to_the_inner_rows():
    unit_table = table(pair_rows(("名称", "中国矿业安全报社"), ("电话", "010-66001234")), columns=2)
    body = table(
        pair_rows(("案例名称", "矿山安全云课堂")),
        row(cell("申报单位"), cell(unit_table)),
        pair_rows(("上线时间", "2021年"), ("案例简介", NARRATIVE)),
        columns=2,
    )
    submission = read(body)
    assert (submission.title, submission.unit, submission.launch_date) == (
        "矿山安全云课堂",
        "中国矿业安全报社",
        "2021",
    )


# -- tick marks ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mark", ["▇", "█", "▉", "◾", "⬛"])
def test_a_filled_block_is_a_tick(mark):
    assert read_categories(CATEGORIES.format(mark=mark)) == ([3], True)
    assert ticked_option(f"□在建  {mark}正常运营  □试运行") == "正常运营"
    body = table(
        pair_rows(
            ("案例名称", "矿山安全云课堂"),
            ("申报类别", CATEGORIES.format(mark=mark)),
            ("案例简介", NARRATIVE),
        ),
        columns=2,
    )
    assert read(body).declared_category == 3


# -- launch labels known by their shape -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "value", "expected"),
    [
        ("平台启用日期", "2023年3月8日", "2023-03-08"),
        ("系统投入运行时间", "2020.11", "2020-11"),
        ("项目周期", "2022年4月—2024年6月", "2022-04"),
        ("栏目开播日期", "2019年", "2019"),
        ("启动时间", "二〇二一年九月", "2021-09"),
        ("实施起止时间", "2023/5/1至今", "2023-05-01"),
    ],
)
def test_launch_labels_not_listed_are_read_by_their_shape(label, value, expected):
    in_table = table(
        pair_rows(("案例名称", "矿山安全云课堂"), (label, value), ("案例简介", NARRATIVE)), columns=2
    )
    assert read(in_table).launch_date == expected
    free = (
        para("案例名称：矿山安全云课堂") + para(f"{label}：{value}") + para("一、案例简介") + para(NARRATIVE)
    )
    assert read(free).launch_date == expected


def test_the_founding_of_the_unit_is_not_the_launch():
    body = table(
        pair_rows(
            ("案例名称", "矿山安全云课堂"),
            ("成立时间", "1998年5月"),
            ("案例简介", "专栏面向矿工提供安全培训。"),
        ),
        columns=2,
    )
    submission = read(body)
    assert submission.launch_date is None
    assert any("上线时间" in warning for warning in submission.warnings)


# -- a category value ends at the next label in the same text ---------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "申报类型：三、运营服务创新类\u3000\u3000开通时间：2024 年 9 月",
        "案例类别：运营服务创新类；上线日期：2024年9月",
    ],
)
def test_a_category_value_is_bounded_by_the_next_label(line):
    body = table(
        row(cell("案例名称：矿山安全云课堂")), row(cell(line)), row(cell("案例简介：", NARRATIVE)), columns=1
    )
    submission = read(body)
    assert (submission.declared_category, submission.launch_date) == (3, "2024-09")


# -- the 附件 annex mark above the form ---------------------------------------------------------------------


def test_the_annex_mark_above_a_blank_form_does_not_fill_it():
    body = para("附件") + para("行业媒体创新案例申报书", center=True)
    body += para("项目名称：") + para("承建单位：______________________") + para("上线时间：______年____月")
    body += para("联系人：__________") + para("一、案例简介") + para("（请在此处填写，不超过500字）")
    error = refused(body)
    assert error.code == "blank_template"


def test_the_annex_mark_leaves_the_cover_page_to_the_title_fallback():
    body = para("附件") + para("矿山安全云课堂", center=True) + para("中国矿业安全报社", center=True)
    body += para("一、案例简介") + para(NARRATIVE)
    submission = read(body)
    assert (submission.title, submission.unit) == ("矿山安全云课堂", "中国矿业安全报社")
    assert submission.attachments == []


# -- labels every material has do not make an application ------------------------------------------------


def test_a_filled_registration_slip_is_not_a_form():
    body = para("培 训 报 名 表", center=True) + table(
        pair_rows(
            ("单位名称", "中国矿业安全报社"),
            ("姓名", "赵磊"),
            ("职务", "编辑"),
            ("联系电话", "13800138000"),
            ("到达日期", "2026年4月2日"),
        ),
        columns=2,
    )
    error = refused(body)
    assert error.code == "not_a_form"
    assert "回执" in error.message


def test_two_fields_of_a_form_without_a_narrative_are_still_read():
    body = table(pair_rows(("申报单位", "中国矿业安全报社"), ("上线时间", "2023年1月")), columns=2)
    submission = read(body)
    assert (submission.unit, submission.launch_date) == ("中国矿业安全报社", "2023-01")


# -- sections: umbrella headings and compound labels ------------------------------------------------------


def test_an_umbrella_heading_over_numbered_sections_leaves_each_its_own():
    body = para("项目名称：矿山安全云课堂") + para("启用日期：2021年3月")
    body += para("案例介绍", style="2")
    body += para("（一）项目概况", style="a5") + para(NARRATIVE)
    body += para("（二）工作举措", style="a5") + para("组建蹲点小组，每月深入一线矿井。")
    body += para("（三）推广效果与经济效益", style="a5") + para("报道带动安全培训报名三千人次。")
    sections = read(body).sections
    assert sections["案例简介"] == NARRATIVE
    assert sections["主要做法"] == "组建蹲点小组，每月深入一线矿井。"
    assert sections["取得成效"] == "报道带动安全培训报名三千人次。"


# -- the stamp block and a group's unknown sub-rows never give a name ----------------------------------------


def test_a_signing_date_in_the_stamp_block_is_not_the_unit():
    body = table(
        pair_rows(("案例名称", "矿山安全云课堂"), ("案例简介", NARRATIVE)),
        row(cell("报送单位（盖章）：", "2026年2月3日", span=2)),
        row(cell("报送单位（盖章）：中国矿业安全报社", span=2)),
        columns=2,
    )
    submission = read(body)
    assert submission.unit == "中国矿业安全报社"
    assert not any("写法不一致" in warning for warning in submission.warnings)


def test_a_person_row_under_a_merged_unit_group_is_not_the_unit():
    body = table(
        row(cell("申报单位", vmerge="restart"), cell("法定代表人"), cell("钱卫东")),
        row(cell("", vmerge="continue"), cell("单位名称"), cell("中国矿业安全报社")),
        row(cell("案例名称"), cell("矿山安全云课堂", span=2)),
        row(cell("案例简介"), cell(NARRATIVE, span=2)),
        columns=3,
    )
    submission = read(body)
    assert submission.unit == "中国矿业安全报社"
    assert not any("写法不一致" in warning for warning in submission.warnings)
