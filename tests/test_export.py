from __future__ import annotations

import io
import os
import subprocess
import sys

import docx
import openpyxl
import pandas as pd
import pytest
from docx.oxml.ns import qn

from pipelines import auth, store
from pipelines.config import PROJ_ROOT, Settings
from pipelines.review import decisions as review
from pipelines.review import export, flag_actions
from pipelines.review.decisions import ReviewInput
from tests import crafted, workbench_data

SETTINGS = Settings(hide_ai_scores_until_reviewed=True)
BLIND = Settings(blind_review=True, hide_ai_scores_until_reviewed=True)
KEYS = ("political", "innovation", "effectiveness", "typicality")


@pytest.fixture
def seeded(engine):
    data = workbench_data.seed(engine)
    review.save_review(
        engine, data.wang, data.energy, ReviewInput(2, dict.fromkeys(KEYS, 70), "待定", "数据扎实")
    )
    review.save_review(
        engine,
        data.wang,
        data.energy,
        ReviewInput(2, dict.fromkeys(KEYS, 88), "推荐", "复核后上调：成效突出"),
    )
    review.save_review(
        engine, data.li, data.building, ReviewInput(3, dict.fromkeys(KEYS, 40), "不推荐", "重复申报")
    )
    flag_actions.record_flag_action(
        engine, data.org, data.building, "past_awardee_repeat", "confirmed", "H2024-07"
    )
    return data


def _sheets(content: bytes) -> dict[str, pd.DataFrame]:
    return pd.read_excel(io.BytesIO(content), sheet_name=None)


def test_organizer_excel_has_results_reviews_history_and_flags(engine, seeded):
    sheets = _sheets(export.export_excel(engine, seeded.org, 2026, SETTINGS))
    assert list(sheets) == ["结果汇总", "评审意见", "评审历史", "问题标记"]
    results = sheets["结果汇总"].set_index("编号")
    assert len(results) == 4
    assert (
        results.loc[seeded.energy, "评审结论"] == "推荐×1" and results.loc[seeded.energy, "专家平均分"] == 88
    )
    assert results.loc[seeded.building, "申报单位"] == "中国建材时报社"
    assert results.loc[seeded.building, "建议类别"] == "3 运营服务创新类"
    reviews = sheets["评审意见"]
    assert sorted(zip(reviews["评审专家"], reviews["版本"], reviews["评审结论"], strict=True)) == [
        ("li", 1, "不推荐"),
        ("wang", 2, "推荐"),
    ]
    assert list(reviews.loc[reviews["评审专家"] == "wang", "评审意见"]) == ["复核后上调：成效突出"]
    history = sheets["评审历史"]
    assert list(history.loc[history["评审专家"] == "wang", "评审结论"]) == ["待定", "推荐"]
    flags = sheets["问题标记"]
    handled = flags[flags["处理"] == "已确认"]
    assert list(handled["问题"]) == ["往年已入选"] and list(handled["处理人"]) == ["org"]


def test_reviewer_exports_only_what_they_may_see(engine, seeded):
    sheets = _sheets(export.export_excel(engine, seeded.wang, 2026, BLIND))
    assert list(sheets) == ["结果汇总", "评审意见"]
    assert set(sheets["结果汇总"]["申报单位"]) == {"（盲评隐藏）"}
    assert list(sheets["评审意见"]["评审专家"]) == ["wang"]  # li's review of another case stays hidden
    results = sheets["结果汇总"].set_index("编号")
    assert results["AI总分"].notna().tolist() == [True, False, False, False]  # only the case wang scored


def test_analyst_may_export_and_anonymous_may_not(engine, seeded):
    assert len(export.results_table(engine, seeded.analyst, 2026, SETTINGS)) == 4
    with pytest.raises(auth.PermissionDenied):
        export.results_table(engine, None, 2026, SETTINGS)


def test_word_summary_per_batch_with_cjk_font(engine, seeded):
    document = docx.Document(io.BytesIO(export.export_word(engine, seeded.org, 2026, SETTINGS)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "2026年中国行业媒体高质量发展创新案例评审意见汇总" in text
    assert "案例 4 件，评审专家 2 位" in text
    assert f"{seeded.energy}. “碳路观察”数据新闻品牌" in text and "申报单位：能源观察报" in text
    assert "平均总分 88.0；推荐1票。" in text and "尚无评审意见。" in text
    cells = [[c.text for c in row.cells] for table in document.tables for row in table.rows]
    assert ["wang", "推荐", "88.0", "2 内容供给创新类", "复核后上调：成效突出"] in cells
    fonts = document.styles["Normal"].element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "宋体"


def test_word_summary_hides_applicant_from_blind_reviewer(engine, seeded):
    document = docx.Document(io.BytesIO(export.export_word(engine, seeded.wang, 2026, BLIND)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "申报单位" not in text and "中国建材时报社" not in text


def _cli_export(tmp_path, sqlite_url, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKBENCH_")}
    env["DATABASE_URL"] = sqlite_url
    command = [sys.executable, "-m", "pipelines", "export", "results", *args]
    return subprocess.run(command, cwd=PROJ_ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_cli_export_of_crafted_text_has_no_live_formula_and_keeps_the_text(engine, sqlite_url, tmp_path):
    case = crafted.seed_crafted(engine)
    store.save_submission(engine, workbench_data.submission(90, "上一届的案例", "中国某报社", 1), 2025)
    out = tmp_path / "结果.xlsx"
    done = _cli_export(tmp_path, sqlite_url, str(out))
    assert done.returncode == 0, done.stderr
    assert "已导出 2026 年度 5 件案例的Excel 评审结果" in done.stdout
    workbook = openpyxl.load_workbook(out)
    assert workbook.sheetnames == ["结果汇总", "评审意见", "评审历史", "问题标记"]
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    texts = {c.value for c in cells if isinstance(c.value, str)}
    for shown in (crafted.TITLE, crafted.FORMULA_UNIT, crafted.COMMENT, f"=2*3 已核实 {crafted.LINK}"):
        assert "'" + shown in texts, shown
    results = workbook["结果汇总"]
    ids = [row[0].value for row in results.iter_rows(min_row=2)]
    assert case.case_id in ids and len(ids) == 5  # the call year of the settings only
    assert "上一届的案例" not in texts


def test_cli_export_docx_and_bad_output_path(engine, sqlite_url, tmp_path):
    crafted.seed_crafted(engine)
    out = tmp_path / "汇总.bin"
    done = _cli_export(tmp_path, sqlite_url, str(out), "--format", "docx")
    assert done.returncode == 0, done.stderr
    document = docx.Document(str(out))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "评审意见汇总" in text and crafted.TITLE in text  # paragraphs are text to Word
    cells = [c.text for table in document.tables for row in table.rows for c in row.cells]
    assert "'" + crafted.COMMENT in cells  # a table pasted into a spreadsheet must not become formulas
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]
    refused = _cli_export(tmp_path, sqlite_url, str(tmp_path))
    assert refused.returncode == 1 and "是一个文件夹" in refused.stderr


def test_every_exported_cell_is_safe_for_every_role(engine):
    case = crafted.seed_crafted(engine)
    for user in (case.seeded.org, case.seeded.li, case.seeded.analyst):
        workbook = openpyxl.load_workbook(io.BytesIO(export.export_excel(engine, user, 2026, SETTINGS)))
        formulas = [
            c.coordinate for s in workbook for row in s.iter_rows() for c in row if c.data_type == "f"
        ]
        assert formulas == [], user.username
