"""Every analysis at once (``build_report``) and its tables for export, with Chinese column names."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    pass

from pipelines.spreadsheet import safe_frame
from pipelines.trends.clusters import case_map, case_vectors, cluster_cases
from pipelines.trends.frame import (
    CATEGORY_SOURCE_LABELS,
    DIRECTION_LABELS,
    case_text,
    category_counts,
    category_shares,
)
from pipelines.trends.terms import ThemeTerm, load_terms, mention_shares, term_trends
from pipelines.trends.unit_history import REPEAT_BASIS_LABELS, mark_repeats, unit_history

# ---------------------------------------------------------------------------------------------- report


@dataclass
class TrendReport:
    """Every table of the trend analysis of one cases frame.

    ``cases`` is the input frame plus repeat_of, repeat_similarity, repeat_basis (``mark_repeats``),
    cluster, cluster_label (current year only; NaN/"" otherwise), x and y.
    """

    cases: pd.DataFrame
    counts: pd.DataFrame
    shares: pd.DataFrame
    terms: pd.DataFrame
    mentions: pd.DataFrame
    mentions_by_category: pd.DataFrame
    units: pd.DataFrame
    clusters: pd.DataFrame
    current_year: int | None = None
    notes: list[str] = field(default_factory=list)


def build_report(
    frame: pd.DataFrame,
    themes: Sequence[ThemeTerm] | None = None,
    current_year: int | None = None,
    seed: int = 0,
) -> TrendReport:
    """Run every analysis on ``frame``.

    Args:
        frame: cases frame (possibly filtered).
        themes: technologies and themes; default ``load_terms()``.
        current_year: the year whose cases are clustered; default the latest year in ``frame``.
        seed: seed of the map.

    Returns:
        A ``TrendReport``; ``notes`` says in Chinese what could not be computed (e.g. only one year).
    """
    themes = load_terms() if themes is None else list(themes)
    notes: list[str] = []
    if frame.empty:
        notes.append("所选范围内没有案例，请放宽年份、类别或结果筛选。")
    current_year = current_year or (int(frame["year"].max()) if not frame.empty else None)
    years = sorted(frame["year"].unique())
    if len(years) < 2 and not frame.empty:
        notes.append("所选范围只有一个年份，无法计算词语的升降；请至少选择两个年份。")
    cases = frame.reset_index(drop=True)
    repeats = mark_repeats(cases)
    cases = cases.assign(
        **{c: repeats[c].to_numpy() for c in ("repeat_of", "repeat_similarity", "repeat_basis")}
    )
    vectors = case_vectors(case_text(cases), seed=seed)
    clusters = cluster_cases(cases, current_year or 0, vectors=vectors)
    cases = cases.merge(clusters.assignments.drop(columns="category_name"), on="id", how="left")
    cases = cases.merge(case_map(cases, vectors=vectors, seed=seed), on="id", how="left")
    cases["cluster_label"] = cases["cluster_label"].fillna("")
    return TrendReport(
        cases=cases,
        counts=category_counts(cases),
        shares=category_shares(cases),
        terms=term_trends(cases),
        mentions=mention_shares(cases, themes, by=("year",)),
        mentions_by_category=mention_shares(cases, themes, by=("year", "category_name")),
        units=unit_history(cases),
        clusters=clusters.summary,
        current_year=current_year,
        notes=notes,
    )


# ------------------------------------------------------------------------------------------------ export

COLUMN_LABELS: dict[str, str] = {
    "id": "编号",
    "year": "年份",
    "category": "类别编号",
    "category_name": "类别",
    "outcome": "结果代码",
    "outcome_label": "结果",
    "unit": "申报单位",
    "unit_group": "单位（归并）",
    "title": "案例名称",
    "category_source": "类别来源",
    "cases": "案例数",
    "share": "占比",
    "share_of_year": "占当年比例",
    "share_in_category": "占当年该类别比例",
    "awarded": "入选数",
    "not_selected": "未入选数",
    "pending": "本届申报数",
    "decided": "已评出数",
    "award_rate": "入选率（已评定案例）",
    "term": "词语",
    "tokens": "词数",
    "year_from": "起始年份",
    "year_to": "比较年份",
    "df_from": "起始年案例数",
    "df_to": "比较年案例数",
    "share_from": "起始年占比",
    "share_to": "比较年占比",
    "log2_ratio": "log2 比值",
    "g2": "G²",
    "p": "p 值",
    "q": "q 值（BH）",
    "direction": "方向",
    "group": "类型",
    "mentions": "提及案例数",
    "names": "出现过的写法",
    "applications": "申报数",
    "years": "申报年份",
    "categories": "类别分布",
    "repeats": "重复申报数",
    "repeat_rate": "重复申报率",
    "repeat_of": "重复自",
    "repeat_similarity": "重复相似度",
    "repeat_basis": "重复依据",
    "declared_previous": "自述往年申报",
    "flagged_repeat_of": "查重认定重复自",
    "cluster": "聚类",
    "cluster_label": "聚类标签",
    "label": "标签",
    "size": "案例数",
    "silhouette": "轮廓系数",
    "titles": "案例",
    "x": "x",
    "y": "y",
}


def report_tables(report: TrendReport) -> dict[str, pd.DataFrame]:
    """The report's tables with Chinese sheet and column names, ready for Excel."""
    cases = report.cases.drop(columns=["text", "category", "outcome"]).assign(
        category_source=report.cases["category_source"].map(CATEGORY_SOURCE_LABELS),
        declared_previous=report.cases["declared_previous"].map("；".join),
        repeat_basis=report.cases["repeat_basis"].map(REPEAT_BASIS_LABELS),
    )
    terms = report.terms.assign(direction=report.terms["direction"].map(DIRECTION_LABELS))
    tables = {
        "类别占比": report.shares,
        "年份类别结果": report.counts.drop(columns=["category", "outcome"]),
        "词语升降": terms,
        "技术主题提及": report.mentions,
        "技术主题分类别": report.mentions_by_category,
        "单位历史": report.units,
        "本届聚类": report.clusters,
        "案例": cases,
    }
    return {name: table.rename(columns=COLUMN_LABELS) for name, table in tables.items()}


def excel_bytes(tables: dict[str, pd.DataFrame]) -> bytes:
    """An .xlsx workbook with one sheet per table (sheet names cut to Excel's 31 characters).

    Text cells go through ``pipelines.spreadsheet.safe_frame``: titles and units are applicant text.
    """
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, table in tables.items():
            safe_frame(table).to_excel(writer, sheet_name=name[:31], index=False)
    return buffer.getvalue()
