import pandas as pd

from pipelines.spreadsheet import safe_cell, safe_frame


def test_formula_text_is_quoted_and_other_values_kept() -> None:
    for text in ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]:
        assert safe_cell(text) == "'" + text
    assert safe_cell("融媒体中心") == "融媒体中心"
    assert safe_cell(-3) == -3 and safe_cell(2.5) == 2.5 and safe_cell(None) is None


def test_frame_cells_and_headers_are_safe() -> None:
    frame = pd.DataFrame({"=title": ["=1+1", "正常"], "score": [-1, 2]})
    safe = safe_frame(frame)
    assert list(safe.columns) == ["'=title", "score"]
    assert safe["'=title"].tolist() == ["'=1+1", "正常"]
    assert safe["score"].tolist() == [-1, 2]
    assert frame["=title"].tolist() == ["=1+1", "正常"]  # the input is not changed
