"""Kinds found in the fourth form set (``data/eval/fresh4_forms``, tuned on after two blind measurements) and
kinds a next writer is likely to bring, each on documents written here with other wording, units and layouts.

Fourth-set kinds: a label with a bracketed note inside it (上线（实施）时间：), English-only label cells, a
bracketed instruction naming what a section should hold (（包括…）) in a blank template, bracketed remarks after
a unit's name, numbered boxes beside a legend (1□ 2■), a mark glued to the next option, 名称 beside a group
cell of the case (案例信息 | 名称), an options grid under a category paragraph with the marks in the row below,
a unit's name ending on a short line of its own, a tab-split line of labels with the line of values under it.

Next-writer kinds: tracked changes left in (forms edited by several people), old Word formatting (labels and
values split over many runs, spaces inside labels), basic information after the narrative, a cover letter
before the form, a trial and a formal launch both given, only a trial launch given.
"""

from __future__ import annotations

import pytest

from tests.test_extract_build import cell, pair_rows, para, read, refused, row, table

NARRATIVE = (
    "栏目围绕港口航运安全组织短视频科普，全年推出一百二十期，覆盖船员及家属四十余万人，事故投诉率下降三成。"
)
BOXES = "□全媒体传播建设类  □内容供给创新类  □运营服务创新类  □数智技术应用类  □体制机制创新类  □国际传播能力建设类"
LEGEND = "（1.全媒体传播建设类 2.内容供给创新类 3.运营服务创新类 4.数智技术应用类 5.体制机制创新类 6.国际传播能力建设类）"


def form(*pairs: tuple[str, str], narrative: bool = True) -> str:
    rows = pair_rows(*pairs) + (pair_rows(("案例简介", NARRATIVE)) if narrative else "")
    return table(rows, columns=2)


# -- fourth-set kinds ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "value", "key", "expected"),
    [
        ("投用（上线）时间：", "2023.11", "launch_date", "2023-11"),
        ("项目（案例）名称：", "“船讯通”航运服务号", "title", "“船讯通”航运服务号"),
        ("承建（运营）单位：", "航运报社新媒体部", "implementer", "航运报社新媒体部"),
    ],
)
def test_a_label_with_a_bracketed_note_inside(label, value, key, expected):
    body = (
        "".join(
            para(text)
            for text in (
                "项目名称：“船讯通”航运服务号",
                "申报主体：中国航运报社",
                f"{label}{value}",
                "所属类别：运营服务创新类",
            )
        )
        + para("案例简介")
        + para(NARRATIVE)
    )
    assert getattr(read(body), key) == expected


def test_english_only_label_cells_with_chinese_values():
    body = table(
        pair_rows(
            ("Project Title", "“船讯通”航运服务号"),
            ("Applicant Organization", "中国航运报社"),
            ("Category", "3 (Operation and Service Innovation)"),
            ("Online Date", "2023年11月"),
            ("Summary", NARRATIVE),
        ),
        columns=2,
    )
    submission = read(body)
    assert (submission.title, submission.unit, submission.declared_category, submission.launch_date) == (
        "“船讯通”航运服务号",
        "中国航运报社",
        3,
        "2023-11",
    )


def test_an_english_table_without_chinese_values_is_still_not_a_form():
    body = table(
        pair_rows(("Project Title", "Harbour News"), ("Applicant", "Harbour Press"), ("Summary", "x " * 50))
    )
    assert refused(body).code in ("not_a_form", "blank_template", "no_text")


@pytest.mark.parametrize(
    "hint", ["（包括项目背景、实施过程、取得成效）", "（应包含建设内容和推广价值）", "(涵盖背景与做法)"]
)
def test_a_blank_template_whose_narrative_holds_what_it_should_include(hint):
    body = table(
        pair_rows(
            ("项目名称", "（请填写）"),
            ("申报主体（盖章）", ""),
            ("所属类别", BOXES),
            ("投用时间", "　　年　　月"),
        )
        + pair_rows(("案例介绍（1500字以内）", hint)),
        columns=2,
    )
    assert refused(body).code == "blank_template"


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("航运报社新媒体部（报社内设机构，承担日常运营）", "航运报社新媒体部"),
        ("中国航运报社（印章）", "中国航运报社"),
        ("远洋传媒科技有限公司（受申报单位委托建设）", "远洋传媒科技有限公司"),
        ("海事传媒集团(有限公司)", "海事传媒集团(有限公司)"),  # part of the name
        ("远洋传媒（天津市）", "远洋传媒（天津市）"),
        ("远洋传媒科技有限公司（筹）", "远洋传媒科技有限公司（筹）"),
        ("远洋传媒（北京）有限公司", "远洋传媒（北京）有限公司"),
    ],
)
def test_bracketed_remarks_after_a_name_are_dropped_and_names_with_brackets_kept(written, expected):
    submission = read(
        form(("项目名称", "“船讯通”航运服务号"), ("申报主体", "中国航运报社"), ("承建单位", written))
    )
    assert submission.implementer == expected


def test_same_as_the_applicant_with_a_remark():
    submission = read(
        form(("项目名称", "“船讯通”"), ("申报主体", "中国航运报社"), ("承建单位", "同申报单位（不单设法人）"))
    )
    assert submission.implementer == "中国航运报社"


@pytest.mark.parametrize(
    ("boxes", "expected"),
    [("1□ 2□ 3■ 4□ 5□ 6□", 3), ("■一 □二 □三 □四 □五 □六", 1), ("1.□  2.□  3.□  4.□  5.√  6.□", 5)],
)
def test_numbered_boxes_beside_a_legend(boxes, expected):
    body = (
        "".join(
            para(text)
            for text in (
                "项目名称：“船讯通”航运服务号",
                "申报主体：中国航运报社",
                f"所属类别：{boxes}",
                LEGEND,
                "投用时间：2023年",
            )
        )
        + para("案例简介")
        + para(NARRATIVE)
    )
    assert read(body).declared_category == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("全媒体传播建设类   内容供给创新类   √数智技术应用类   体制机制创新类", 4),
        ("全媒体传播建设类  ✔内容供给创新类  运营服务创新类", 2),
        ("全媒体传播建设类 内容供给创新类√  运营服务创新类", 2),  # glued after: still the one before
    ],
)
def test_a_mark_glued_to_an_option_belongs_to_it(line, expected):
    assert (
        read(
            form(("项目名称", "“船讯通”"), ("申报主体", "中国航运报社"), ("所属类别", line))
        ).declared_category
        == expected
    )


def test_name_beside_a_group_cell_of_the_case():
    body = table(
        row(cell("项目\n概况", vmerge="restart"), cell("名　称"), cell("“船讯通”航运服务号"))
        + row(cell("", vmerge="continue"), cell("投用时间"), cell("2023年11月"))
        + row(cell("单位\n情况", vmerge="restart"), cell("申报主体"), cell("中国航运报社"))
        + row(cell("", vmerge="continue"), cell("名称"), cell("航运报社新媒体部"))
        + row(cell("案例简介"), cell(NARRATIVE, span=2)),
        columns=3,
    )
    submission = read(body)
    assert (submission.title, submission.unit, submission.launch_date) == (
        "“船讯通”航运服务号",
        "中国航运报社",
        "2023-11",
    )


def test_an_options_grid_under_a_category_paragraph_with_marks_below():
    names = [
        "全媒体传播建设类",
        "内容供给创新类",
        "运营服务创新类",
        "数智技术应用类",
        "体制机制创新类",
        "国际传播能力建设类",
    ]
    grid = table(
        row(*(cell(name) for name in names)) + row(*(cell("√" if i == 1 else "") for i in range(6))),
        columns=6,
    )
    body = (
        table(
            pair_rows(
                ("项目名称", "“船讯通”航运服务号"), ("申报主体", "中国航运报社"), ("投用时间", "2023年")
            ),
            columns=2,
        )
        + para("所属类别（在所选类别下方打√）")
        + grid
        + para("案例简介")
        + para(NARRATIVE)
    )
    assert read(body).declared_category == 2


@pytest.mark.parametrize(
    ("first", "rest"), [("远洋航运", "传媒集团"), ("中国航运报", "有限公司"), ("海事", "新闻中心")]
)
def test_a_unit_name_ending_on_a_short_line_of_its_own(first, rest):
    body = (
        "".join(
            para(text)
            for text in (
                "项目名称",
                "“船讯通”航运服务号",
                "申报主体",
                first,
                rest,
                "承建单位",
                "航运报社新媒体部",
                "投用时间",
                "2023.11",
            )
        )
        + para("案例简介")
        + para(NARRATIVE)
    )
    submission = read(body)
    assert (submission.unit, submission.implementer) == (first + rest, "航运报社新媒体部")


def test_a_tab_split_line_of_labels_and_the_line_of_values_under_it():
    body = (
        para("项目名称\t申报主体\t承建单位\t所属类别\t投用时间")
        + para("“船讯通”航运服务号\t中国航运报社\t航运报社新媒体部\t运营服务创新类\t2023年11月")
        + para("案例简介")
        + para(NARRATIVE)
    )
    submission = read(body)
    assert (
        submission.title,
        submission.unit,
        submission.implementer,
        submission.declared_category,
        submission.launch_date,
    ) == ("“船讯通”航运服务号", "中国航运报社", "航运报社新媒体部", 3, "2023-11")


# -- next-writer kinds --------------------------------------------------------------------------------------


def tracked(deleted: str, inserted: str) -> str:
    return (
        f'<w:del w:id="1" w:author="甲"><w:r><w:delText>{deleted}</w:delText></w:r></w:del>'
        f'<w:ins w:id="2" w:author="乙"><w:r><w:t>{inserted}</w:t></w:r></w:ins>'
    )


def test_tracked_changes_left_in_a_form_edited_by_several_people():
    body = table(
        row(cell("项目名称"), cell(para(tracked("“船讯”服务号", "“船讯通”航运服务号"))))
        + row(cell("申报主体"), cell(para("中国", tracked("海运", "航运"), "报社")))
        + pair_rows(
            ("所属类别", BOXES.replace("□运营", "☑运营")), ("投用时间", "2023年11月"), ("案例简介", NARRATIVE)
        ),
        columns=2,
    )
    submission = read(body)
    assert (submission.title, submission.unit) == ("“船讯通”航运服务号", "中国航运报社")


def test_old_word_formatting_with_labels_and_values_split_over_runs():
    body = (
        para("项", "目", "名 称", "：", "“船讯通”", "航运", "服务号")
        + para("申　报　主　体", "：", "中国航运", "报社")
        + para("所属类别", "：", "运营服务", "创新类")
        + para("投用时间", "：", "2023", "年", "11", "月")
        + para("案例简介")
        + para(NARRATIVE)
    )
    submission = read(body)
    assert (submission.title, submission.unit, submission.declared_category, submission.launch_date) == (
        "“船讯通”航运服务号",
        "中国航运报社",
        3,
        "2023-11",
    )


def test_basic_information_after_the_narrative():
    body = (
        para("一、案例简介")
        + para(NARRATIVE)
        + para("二、主要做法")
        + para(NARRATIVE)
        + para("附：基本信息")
        + table(
            pair_rows(
                ("项目名称", "“船讯通”航运服务号"),
                ("申报主体", "中国航运报社"),
                ("所属类别", "运营服务创新类"),
                ("投用时间", "2023年"),
            ),
            columns=2,
        )
    )
    submission = read(body)
    assert (submission.title, submission.unit, submission.declared_category, submission.launch_date) == (
        "“船讯通”航运服务号",
        "中国航运报社",
        3,
        "2023",
    )


def test_a_cover_letter_before_the_form():
    letter = (
        para("关于推荐“船讯通”航运服务号参评的函", center=True)
        + para("中国行业报刊协会：")
        + para("我单位经研究，推荐远洋传媒科技有限公司承建的项目参评。该项目于2021年3月立项。特此函告。")
        + para("中国航运集团宣传部")
        + para("2026年2月10日")
        + para('<w:r><w:br w:type="page"/></w:r>')
    )
    body = letter + form(
        ("项目名称", "“船讯通”航运服务号"),
        ("申报主体", "中国航运报社"),
        ("承建单位", "航运报社新媒体部"),
        ("所属类别", BOXES.replace("□运营", "☑运营")),
        ("投用时间", "2023年11月"),
    )
    submission = read(body)
    assert (submission.title, submission.unit, submission.implementer, submission.launch_date) == (
        "“船讯通”航运服务号",
        "中国航运报社",
        "航运报社新媒体部",
        "2023-11",
    )


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        ((("试运行时间", "2023年5月"), ("正式上线时间", "2023年9月")), "2023-09"),
        ((("正式上线时间", "2024年1月"), ("试运行时间", "2023年10月")), "2024-01"),
        ((("投用时间", "2023年5月试运行，2023年9月正式上线"),), "2023-09"),
        ((("投用时间", "试运行：2024.03；正式运行：2024.08"),), "2024-08"),
    ],
)
def test_a_trial_and_a_formal_launch_both_given_the_formal_one_counts(pairs, expected):
    body = form(("项目名称", "“船讯通”航运服务号"), ("申报主体", "中国航运报社"), *pairs)
    assert read(body).launch_date == expected


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        ((("试运行时间", "2025年6月"),), "2025-06"),
        ((("投用时间", "2025年3月起试运行"),), "2025-03"),
        ((("上线时间", "试运行（自2024年12月起）"),), "2024-12"),
    ],
)
def test_only_a_trial_launch_given_the_trial_start_counts(pairs, expected):
    body = form(("项目名称", "“船讯通”航运服务号"), ("申报主体", "中国航运报社"), *pairs)
    assert read(body).launch_date == expected
