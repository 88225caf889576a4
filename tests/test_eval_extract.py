"""The extraction evaluation command on a small folder of forms built here, in both manifest formats."""

from __future__ import annotations

import json

from tests.test_extract_build import build_docx, pair_rows, para, table
from tools.eval.eval_extract import evaluate, main


def _form(title: str, unit: str) -> bytes:
    return build_docx(
        table(pair_rows(("案例名称", title), ("申报单位", unit), ("上线时间", "2024年5月")), columns=2)
    )


def test_fresh_format_counts_fields_and_refusals(tmp_path, capsys):
    (tmp_path / "a.docx").write_bytes(_form("甲平台", "甲报社"))
    (tmp_path / "b.docx").write_bytes(_form("乙平台", "乙报社"))
    (tmp_path / "c.docx").write_bytes(build_docx(para("Dear Sir,") + para("Best regards.")))
    (tmp_path / "d.docx").write_bytes(_form("丁平台", "丁报社"))
    manifest = {
        "a.docx": {"ok": True, "title": "甲平台", "unit": "甲报社", "launch_date": "2024-05", "layout": "x"},
        "b.docx": {"ok": True, "title": "乙平台", "unit": "别的报社", "launch_date": "2024-05"},
        "c.docx": {"ok": False, "reason": "English letter"},
        "d.docx": {"ok": False, "reason": "should have been refused"},
    }
    (tmp_path / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    report = evaluate(tmp_path)
    assert (report.right["title"], report.right["unit"], report.total["unit"]) == (2, 1, 2)
    assert (report.forms, report.forms_all_right, report.refusals_expected, report.refused) == (2, 1, 2, 1)
    assert main([str(tmp_path), "--details"]) == 0
    out = capsys.readouterr().out
    assert "unit                  1/2    50.0%" in out
    assert "应拒收的文件 2 个，拒收 1 个" in out
    assert "b.docx\tunit\t期望 '别的报社'\t得到 '乙报社'" in out


def test_sample_format_checks_refusal_codes(tmp_path):
    (tmp_path / "S1.docx").write_bytes(_form("甲平台", "甲报社"))
    (tmp_path / "X1.docx").write_bytes(b"")
    manifest = {
        "forms": {"S1.docx": {"expected": {"title": "甲平台", "declared_category": None}}},
        "bad_files": {
            "X1.docx": {"expected_error": "empty_file"},
            "Z.zip": {"expected_error": "corrupt_archive"},
        },
    }
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    report = evaluate(tmp_path)
    assert (report.forms_all_right, report.refused_with_code, report.codes_named) == (1, 1, 1)
