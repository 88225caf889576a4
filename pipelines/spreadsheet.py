"""One rule for every spreadsheet cell the workbench writes (OWASP CSV/Excel injection guidance).

Applicant and LLM text may start with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return; Excel and
LibreOffice would run such a cell as a formula (``=HYPERLINK(...)``). Such text gets a leading quote (``'``)
so it stays visible text. Numbers are left as numbers.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` unchanged unless it is text a spreadsheet would read as a formula; then ``"'" + value``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and column names are safe to write to a spreadsheet."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(safe_cell)
    safe.columns = [safe_cell(c) if isinstance(c, str) else c for c in safe.columns]
    return safe
