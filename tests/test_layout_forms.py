"""The layout generator of the second intake pass writes forms the extractor reads right, every layout of every
round, and documents it refuses (a regression check over all kinds at once; the kinds are tested one by one in
``tests/test_extract_layouts.py``)."""

from __future__ import annotations

import zipfile

import docx

from tools.eval.eval_extract import FIELDS, evaluate
from tools.eval.layout_forms import LAYOUTS, ROUND_THREE, ROUND_TWO, generate


def test_every_generated_layout_is_read_right_and_the_refusals_refused(tmp_path):
    layouts = len(LAYOUTS) + len(ROUND_TWO) + len(ROUND_THREE)
    manifest = generate(tmp_path, 2 * layouts, seed=101)
    report = evaluate(tmp_path)
    assert report.forms == 2 * layouts
    assert {key: report.right[key] for key in FIELDS} == {key: report.total[key] for key in FIELDS}, (
        report.mismatches
    )
    assert report.refused == report.refusals_expected == 3
    assert {info["layout"] for info in manifest.values() if "layout" in info} == set(
        LAYOUTS | ROUND_TWO | ROUND_THREE
    )


def test_generated_packages_open_in_python_docx(tmp_path):
    generate(tmp_path, len(LAYOUTS), seed=3, rounds="one")
    for path in sorted(tmp_path.glob("*.docx")):
        assert zipfile.is_zipfile(path)
        docx.Document(str(path))  # raises on a broken package
