"""Our 2026 申报表: layout, fonts, and an exact round trip through the extractor."""

from __future__ import annotations

import zipfile

import docx
import pytest

from pipelines.__main__ import main
from pipelines.config import Settings
from pipelines.intake.extract import extract_file
from pipelines.intake.template import write_template
from pipelines.schema import Contact, IntakeError, PreviousApplication, Submission
from pipelines.vocabulary import CATEGORY_NAMES, FORM_SECTIONS, form_title

ROUND_TRIP_FIELDS = (
    "title",
    "unit",
    "implementer",
    "declared_category",
    "declared_categories",
    "launch_date",
    "launch_raw",
    "status",
    "contact",
    "previous_applications",
    "sections",
    "attachments",
)


def rich_submission(**changes: object) -> Submission:
    values = Submission(
        file_name="x.docx",
        title="“云小晴”AI气象主播：让天气预报“千县千面”",
        unit="中国气象科普传媒有限公司",
        implementer="华风气象传媒集团有限责任公司",
        declared_category=4,
        declared_categories=[4],
        launch_date="2023-11",
        launch_raw="2023年11月",
        status="正常运营",
        contact=Contact("韩思远", "010-58993216", "hansy@example.cn"),
        previous_applications=[
            PreviousApplication(2024, "气象数字人主播", "未入选", "not_selected"),
            PreviousApplication(2025, "“云小晴”2.0", "入选", "awarded"),
        ],
        sections={
            "案例简介": "“云小晴”于2023年11月上线。\n它为每个县生成个性化播报，覆盖2800个县。",
            "主要做法": "（一）夯实语料基础。整理十年气象节目文稿。\n（二）构建生成链路。成效：每日生成3000条。",
            "创新点": "一是“千县千面”；二是AI主播与预报员协同。",
            "取得成效": "累计播放4.6亿次，用户满意度96%。",
            "推广价值": "可复制到交通、农业等行业媒体。",
            "团队介绍": "团队共二十人，其中技术人员八人。",
        },
        attachments=["播报样片.mp4", "系统架构图.jpg", "证书.pdf"],
    )
    for key, value in changes.items():
        setattr(values, key, value)
    return values


def test_filled_form_round_trips_exactly(tmp_path):
    values = rich_submission()
    path = tmp_path / "filled.docx"
    write_template(path, values)
    extracted = extract_file(path, Settings())
    for name in ROUND_TRIP_FIELDS:
        assert getattr(extracted, name) == getattr(values, name), name
    assert extracted.text == "\n\n".join(values.sections.values())
    limits = {count.label: count.limit for count in extracted.word_counts}
    assert limits == {
        "案例简介": 300,
        "主要做法": 1500,
        "创新点": 800,
        "取得成效": 800,
        "推广价值": 500,
        "团队介绍": None,
    }
    assert extracted.warnings == []


@pytest.mark.parametrize(
    "changes, warning",
    [
        ({"declared_category": None, "declared_categories": [2, 6]}, "多个申报类别"),
        ({"status": "在建", "launch_raw": "在建，预计2026年6月上线", "launch_date": "2026-06"}, None),
        ({"status": "已停止更新", "previous_applications": []}, None),
    ],
)
def test_other_values_round_trip(tmp_path, changes, warning):
    values = rich_submission(**changes)
    path = tmp_path / "filled.docx"
    write_template(path, values)
    extracted = extract_file(path, Settings())
    for name in ROUND_TRIP_FIELDS:
        assert getattr(extracted, name) == getattr(values, name), name
    assert any(warning in w for w in extracted.warnings) if warning else extracted.warnings == []


def test_blank_form_has_every_field_and_is_refused_as_an_unfilled_template(tmp_path):
    path = tmp_path / "blank.docx"
    write_template(path)
    document = docx.Document(str(path))
    text = "\n".join(cell.text for row in document.tables[0].rows for cell in row.cells)
    for label in (
        "案例名称",
        "申报单位（全称）",
        "实施单位",
        "申报类别",
        "上线时间",
        "运行状态",
        "往年申报情况",
        "联系人",
        "联系电话",
        "电子邮箱",
        "案例简介（300字以内）",
        "主要做法（1500字以内）",
        "创新点（800字以内）",
        "取得成效（附数据，800字以内）",
        "推广价值（500字以内）",
        "附件清单",
        "pdf、jpg、jpeg、mp4、mov",
        "申报单位意见（主要负责人签字、盖章）",
        *CATEGORY_NAMES.values(),
    ):
        assert label in text, label
    assert document.paragraphs[0].text == "2026年中国行业媒体高质量发展创新案例申报表"
    with pytest.raises(IntakeError) as caught:
        extract_file(path, Settings())
    assert caught.value.code == "blank_template"
    assert "「blank.docx」是未填写的申报表" in caught.value.message


def test_year_deadline_and_word_limits_come_from_settings_and_vocabulary(tmp_path):
    path = tmp_path / "2027.docx"
    write_template(path, settings=Settings(call_year=2027, online_deadline="2026-12-31"))
    document = docx.Document(str(path))
    cells = "\n".join(cell.text for row in document.tables[0].rows for cell in row.cells)
    paragraphs = "\n".join(p.text for p in document.paragraphs)
    assert document.paragraphs[0].text == form_title(2027) == "2027年中国行业媒体高质量发展创新案例申报表"
    assert "2025、2026年是否申报过本案例" in cells
    assert "须于2026年12月31日前完成上线" in paragraphs
    for section in FORM_SECTIONS:
        assert f"{section.name}（" in cells and f"{section.limit}字以内）" in cells


def test_page_fonts_and_checkbox_controls(tmp_path):
    path = tmp_path / "blank.docx"
    write_template(path)
    document = docx.Document(str(path))
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert round(section.left_margin.cm, 2) == 2.5
    with zipfile.ZipFile(path) as archive:
        styles = archive.read("word/styles.xml").decode()
        body = archive.read("word/document.xml").decode()
    assert 'w:eastAsia="仿宋"' in styles
    assert 'w:eastAsia="宋体"' in body
    assert body.count("<w14:checkbox>") == len(CATEGORY_NAMES) + 4  # six categories, four status options


def test_template_command(tmp_path, capsys):
    out = tmp_path / "forms" / "申报表.docx"
    assert main(["template", str(out)]) == 0
    assert out.exists()
    assert str(out) in capsys.readouterr().out
