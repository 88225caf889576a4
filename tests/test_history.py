from __future__ import annotations

import json

import pandas as pd
import pytest

from pipelines import store
from pipelines.intake.history import HistoryError, import_history, read_table


def test_csv_with_chinese_headers_and_gbk(tmp_path):
    path = tmp_path / "往年.csv"
    frame = pd.DataFrame(
        {
            "年份": ["2024", "2025"],
            "案例名称": ["甲", "乙"],
            "申报单位": ["中国建材时报社", "中国铁道时讯报社"],
            "类别": ["数智技术应用类", "2"],
            "结果": ["入选", "未入选"],
            "案例内容": ["正文一", "正文二"],
        }
    )
    frame.to_csv(path, index=False, encoding="gbk")
    cases = read_table(path)
    assert [(c.year, c.category, c.outcome) for c in cases] == [
        (2024, 4, "awarded"),
        (2025, 2, "not_selected"),
    ]
    assert cases[0].id == read_table(path)[0].id  # stable ids without an id column


def test_xlsx_and_jsonl_into_the_store(tmp_path, engine):
    xlsx = tmp_path / "list.xlsx"
    pd.DataFrame(
        [{"year": 2024, "title": "t", "unit": "u", "category": 1, "outcome": "入选", "text": "x"}]
    ).to_excel(xlsx, index=False)
    jsonl = tmp_path / "h.jsonl"
    record = {"id": "H9", "year": 2025, "title": "t2", "unit": "u2", "category": 6, "outcome": "not_selected"}
    jsonl.write_text(
        json.dumps({**record, "sections": {"案例简介": "简介"}}, ensure_ascii=False), encoding="utf-8"
    )
    written, problems = import_history(engine, [xlsx, jsonl])
    assert (written, problems) == (2, [])
    stored = {c.id: c for c in store.list_past_cases(engine)}
    assert stored["H9"].text == "简介" and stored["H9"].category == 6


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("年份,案例名称,申报单位,结果\n2024,甲,乙,也许\n", "无法识别评审结果「也许」"),
        ("年份,案例名称,申报单位\n2024,甲,乙\n", "缺少列：outcome"),
        ("年份,案例名称,申报单位,结果,类别\n2024,甲,乙,入选,第七类\n", "无法识别类别「第七类」"),
    ],
)
def test_bad_lists_give_chinese_errors_and_store_nothing(tmp_path, engine, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(HistoryError, match=message):
        read_table(path)
    written, problems = import_history(engine, [path])
    assert written == 0 and "bad.csv" in problems[0]
    assert store.list_past_cases(engine) == []
