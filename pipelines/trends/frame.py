"""Trends across years: what each year's cases are about, and how that moves.

Every analysis is a pure function on a *cases frame*, a ``pandas.DataFrame`` with one row per case:

========================  ==========================================================================
column                    meaning
========================  ==========================================================================
``id``                    case id (past case id, ``S<submission id>`` for this year's submissions)
``year``                  year of the call (int)
``category``              category 1–6 (nullable ``Int64``; ``<NA>`` = not known)
``outcome``               ``awarded`` | ``not_selected`` | ``pending`` (this year's cases, not yet decided)
``unit``                  applicant as written
``title``, ``text``       case title and narrative
``category_source``       where the category comes from: history | reviewers | classifier | declared | none
``declared_previous``     tuple of titles the form declares under 往年申报情况 (may be empty)
``flagged_repeat_of``     id of the earlier case the duplicate detector matched (``""`` if none)
``category_name``         short category name (``未定类别`` when unknown)
``outcome_label``         入选 | 未入选 | 本届申报
``unit_group``            one display name per organisation (full name and abbreviations merged)
========================  ==========================================================================

``cases_frame`` builds it from ``TrendCase`` records; ``load_cases`` (store) and ``load_sample`` (the sample
data) are thin loaders. ``build_report`` runs every analysis at once for the page and the command line.

Text features: jieba tokens (domain dictionary, stop words removed, at least two characters, no bare
numbers) and phrases of 2–3 consecutive tokens within one clause (clauses end at punctuation)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from pipelines.config import RUNTIME_DIR
from pipelines.text import normalize
from pipelines.units import unit_groups
from pipelines.vocabulary import OUTCOME_LABELS, SHORT_NAMES

if TYPE_CHECKING:
    pass


DEFAULT_OUT = RUNTIME_DIR / "trends"
OUTCOMES: dict[str, str] = {**OUTCOME_LABELS, "pending": "本届申报"}
UNKNOWN_CATEGORY = "未定类别"
CASE_COLUMNS = (
    "id",
    "year",
    "category",
    "outcome",
    "unit",
    "title",
    "text",
    "category_source",
    "declared_previous",
    "flagged_repeat_of",
)
DIRECTION_LABELS = {"rising": "上升", "falling": "下降", "flat": "无显著变化"}
CATEGORY_SOURCE_LABELS = {
    "history": "往年结果",
    "reviewers": "评审专家改定",
    "classifier": "分类模型建议",
    "declared": "申报表勾选",
    "none": "未定",
    "": "",
}

# Clauses end at punctuation, so phrases never run across two clauses.


class TrendError(ValueError):
    """Data the trend analysis cannot use; the message is Chinese and says what to fix."""


@dataclass
class TrendCase:
    """One case as the trend analysis sees it (see the module docstring for the fields)."""

    id: str
    year: int
    category: int | None
    outcome: str
    unit: str
    title: str
    text: str
    category_source: str = ""
    declared_previous: tuple[str, ...] = ()  # titles declared under 往年申报情况
    flagged_repeat_of: str = ""  # id of the earlier case the duplicate detector matched


# ------------------------------------------------------------------------------------------ the frame


def category_name(category: object) -> str:
    """Short name of a category id (``未定类别`` for a missing or unknown id)."""
    if category is None or pd.isna(category):
        return UNKNOWN_CATEGORY
    return SHORT_NAMES.get(int(category), UNKNOWN_CATEGORY)


def _check_case(case: TrendCase) -> None:
    where = f"案例「{case.title or case.id}」（{case.id}）"
    if case.outcome not in OUTCOMES:
        raise TrendError(f"{where}的结果「{case.outcome}」无法识别，应为 awarded、not_selected 或 pending。")
    if not isinstance(case.year, int | np.integer) or not 1990 <= int(case.year) <= 2100:
        raise TrendError(f"{where}的年份「{case.year}」不是有效年份，请填写四位数年份。")
    if case.category is not None and int(case.category) not in SHORT_NAMES:
        raise TrendError(f"{where}的类别「{case.category}」不在 1–6 之间，请核对类别。")


def cases_frame(cases: Iterable[TrendCase]) -> pd.DataFrame:
    """The cases frame of the module docstring, with derived columns added.

    Args:
        cases: trend cases; ids must be unique.

    Returns:
        One row per case, columns as documented in the module docstring (an empty frame keeps them).

    Raises:
        TrendError: an unknown outcome or category, an invalid year, or a repeated id.
    """
    cases = list(cases)
    for case in cases:
        _check_case(case)
    repeated = [case_id for case_id, n in Counter(c.id for c in cases).items() if n > 1]
    if repeated:
        raise TrendError(f"案例编号重复：{'、'.join(repeated[:5])}。每个案例需要唯一编号，请检查导入的数据。")
    frame = pd.DataFrame([[getattr(c, name) for name in CASE_COLUMNS] for c in cases], columns=CASE_COLUMNS)
    frame["year"] = frame["year"].astype(int)
    frame["category"] = frame["category"].astype("Int64")
    frame["category_name"] = frame["category"].map(category_name).astype(str)
    frame["outcome_label"] = frame["outcome"].map(OUTCOMES).astype(str)
    groups = unit_groups(frame["unit"].tolist())
    frame["unit_group"] = frame["unit"].map(groups).astype(str)
    return frame


def filter_cases(
    frame: pd.DataFrame,
    years: Sequence[int] | None = None,
    categories: Sequence[int | None] | None = None,
    outcomes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The rows of ``frame`` matching every given filter (``None`` = no filter; ``None`` in categories = 未定).

    Returns:
        A copy with the matching rows, index reset.
    """
    mask = pd.Series(True, index=frame.index)
    if years is not None:
        mask &= frame["year"].isin(list(years))
    if categories is not None:
        known = [c for c in categories if c is not None]
        mask &= frame["category"].isin(known).fillna(False).astype(bool) | (
            frame["category"].isna() & (None in categories)
        )
    if outcomes is not None:
        mask &= frame["outcome"].isin(list(outcomes))
    return frame[mask].reset_index(drop=True)


def case_text(frame: pd.DataFrame) -> list[str]:
    """Title and narrative of each case, one string per row."""
    return (frame["title"].fillna("") + "\n" + frame["text"].fillna("")).tolist()


# -------------------------------------------------------------------------------------- counts, shares


def category_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Cases per year × category × outcome.

    Returns:
        Columns year, category, category_name, outcome, outcome_label, cases, share_of_year (of all cases
        of the year) and share_in_category (of the cases of that year and category).
    """
    keys = ["year", "category", "category_name", "outcome", "outcome_label"]
    counts = frame.groupby(keys, dropna=False).size().rename("cases").reset_index()
    counts["share_of_year"] = counts["cases"] / counts.groupby("year")["cases"].transform("sum")
    in_category = counts.groupby(["year", "category_name"])["cases"].transform("sum")
    counts["share_in_category"] = counts["cases"] / in_category
    return counts.sort_values(keys, ignore_index=True)


def category_shares(frame: pd.DataFrame) -> pd.DataFrame:
    """Each category's share of the year's cases, and its award rate.

    Returns:
        Columns year, category, category_name, cases, share (sums to 1 within a year), awarded, decided
        (awarded + not selected) and award_rate (awarded / decided; NaN when nothing is decided yet).
    """
    keys = ["year", "category", "category_name"]
    grouped = frame.assign(
        awarded=frame["outcome"].eq("awarded"), decided=frame["outcome"].isin(["awarded", "not_selected"])
    ).groupby(keys, dropna=False)
    shares = grouped.agg(cases=("id", "size"), awarded=("awarded", "sum"), decided=("decided", "sum"))
    shares = shares.reset_index()
    shares["share"] = shares["cases"] / shares.groupby("year")["cases"].transform("sum")
    shares["award_rate"] = shares["awarded"] / shares["decided"].where(shares["decided"] > 0)
    columns = ["year", "category", "category_name", "cases", "share", "awarded", "decided", "award_rate"]
    return shares[columns].sort_values(keys, ignore_index=True)


cached_normalize = lru_cache(maxsize=16384)(
    normalize
)  # the same narratives are read several times per report


@lru_cache(maxsize=16384)
def clean_text(text: str) -> str:
    """Normalised, lower-case text (cached)."""
    return cached_normalize(text).lower()
