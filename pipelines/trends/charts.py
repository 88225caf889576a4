"""Altair charts of a trend report (the page, the notebook and the command line draw the same charts)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import altair as alt
import pandas as pd

if TYPE_CHECKING:
    pass

from pipelines.trends.frame import DIRECTION_LABELS, TrendError
from pipelines.trends.report import TrendReport
from pipelines.trends.terms import top_changes

# ------------------------------------------------------------------------------------------------ charts

_FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"


def _styled(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    return chart.configure(font=_FONT).configure_legend(labelLimit=240)


def share_chart(shares: pd.DataFrame) -> alt.Chart:
    """Stacked bars: each category's share of the year's cases."""
    data = shares.assign(year=shares["year"].astype(str))
    chart = (
        alt.Chart(data, title="各类别案例占比（按年份）")
        .mark_bar()
        .encode(
            x=alt.X("year:O", title="年份", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("share:Q", title="占当年案例比例", axis=alt.Axis(format="%"), stack="normalize"),
            color=alt.Color("category_name:N", title="类别"),
            tooltip=[
                alt.Tooltip("year:O", title="年份"),
                alt.Tooltip("category_name:N", title="类别"),
                alt.Tooltip("cases:Q", title="案例数"),
                alt.Tooltip("share:Q", title="占比", format=".1%"),
                alt.Tooltip("award_rate:Q", title="入选率", format=".0%"),
            ],
        )
        .properties(width=420, height=300)
    )
    return _styled(chart)


def term_chart(changes: pd.DataFrame, top: int = 12) -> alt.Chart:
    """Horizontal bars of the strongest significant rising and falling terms (log2 ratio)."""
    data = pd.concat([top_changes(changes, "rising", top), top_changes(changes, "falling", top)])
    data = data.assign(direction_label=data["direction"].map(DIRECTION_LABELS))
    pair = f"{int(changes['year_from'].iloc[0])}→{int(changes['year_to'].iloc[0])}" if len(changes) else ""
    chart = (
        alt.Chart(data, title=f"显著上升与下降的词语 {pair}")
        .mark_bar()
        .encode(
            x=alt.X("log2_ratio:Q", title="log2（比较年占比 / 起始年占比）"),
            y=alt.Y("term:N", title=None, sort=alt.EncodingSortField("log2_ratio", order="descending")),
            color=alt.Color(
                "direction_label:N",
                title="方向",
                scale=alt.Scale(domain=["上升", "下降"], range=["#d62728", "#1f77b4"]),
            ),
            tooltip=[
                alt.Tooltip("term:N", title="词语"),
                alt.Tooltip("df_from:Q", title="起始年案例数"),
                alt.Tooltip("df_to:Q", title="比较年案例数"),
                alt.Tooltip("g2:Q", title="G²", format=".1f"),
                alt.Tooltip("q:Q", title="q 值", format=".2g"),
            ],
        )
        .properties(width=420, height=alt.Step(20))
    )
    return _styled(chart)


_MENTION_TOOLTIP = [
    alt.Tooltip("year:O", title="年份"),
    alt.Tooltip("term:N", title="技术/主题"),
    alt.Tooltip("mentions:Q", title="提及案例数"),
    alt.Tooltip("cases:Q", title="案例数"),
    alt.Tooltip("share:Q", title="占比", format=".0%"),
]


def mention_heatmap(mentions: pd.DataFrame) -> alt.LayerChart:
    """Heatmap technology/theme × year, cell = share of cases mentioning it (with the percentage)."""
    data = mentions.assign(
        year=mentions["year"].astype(str), label=(mentions["share"] * 100).round().astype(int)
    )
    order = list(dict.fromkeys(data["term"]))
    base = alt.Chart(data, title="技术与主题提及率（提及案例占当年案例的比例）").encode(
        x=alt.X("year:O", title="年份", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("term:N", title=None, sort=order, axis=alt.Axis(labelOverlap=False, labelLimit=200)),
    )
    cells = base.mark_rect().encode(
        color=alt.Color(
            "share:Q", title="占比", scale=alt.Scale(scheme="blues"), legend=alt.Legend(format="%")
        ),
        tooltip=_MENTION_TOOLTIP,
    )
    text = base.mark_text(fontSize=10).encode(
        text=alt.Text("label:Q", format="d"),
        color=alt.condition("datum.share > 0.5", alt.value("white"), alt.value("black")),
    )
    return _styled((cells + text).properties(width=alt.Step(80), height=alt.Step(20)))


def mention_chart(mentions: pd.DataFrame, terms: Sequence[str] | None = None) -> alt.Chart:
    """Lines: share of cases mentioning each chosen technology/theme per year (all when ``terms`` is None)."""
    data = mentions if terms is None else mentions[mentions["term"].isin(list(terms))]
    chart = (
        alt.Chart(data.assign(year=data["year"].astype(str)), title="技术与主题提及率（按年份）")
        .mark_line(point=True)
        .encode(
            x=alt.X("year:O", title="年份", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("share:Q", title="提及案例占比", axis=alt.Axis(format="%")),
            color=alt.Color("term:N", title="技术/主题"),
            tooltip=_MENTION_TOOLTIP,
        )
        .properties(width=420, height=300)
    )
    return _styled(chart)


def moving_terms(mentions: pd.DataFrame, top: int = 8) -> list[str]:
    """The ``top`` technologies/themes whose share moved most between their lowest and highest year."""
    spread = mentions.groupby("term", sort=False)["share"].agg(lambda s: s.max() - s.min())
    return spread.sort_values(ascending=False, kind="stable").head(top).index.tolist()


MAP_SELECTION = "pick"


def map_chart(cases: pd.DataFrame) -> alt.Chart:
    """Scatter of the case map: colour = category, shape = outcome, hover = title, unit, year.

    Clicking a point selects its ``unit_group`` (selection parameter ``pick``).
    """
    pick = alt.selection_point(name=MAP_SELECTION, fields=["unit_group"], on="click")
    columns = ["id", "x", "y", "title", "unit", "unit_group", "year", "category_name", "outcome_label"]
    data = cases[columns + ["cluster_label"]].assign(year=cases["year"].astype(str))
    chart = (
        alt.Chart(data, title="案例地图（相近的案例靠得更近）")
        .mark_point(filled=True, size=70)
        .encode(
            x=alt.X("x:Q", title=None, axis=alt.Axis(labels=False, ticks=False)),
            y=alt.Y("y:Q", title=None, axis=alt.Axis(labels=False, ticks=False)),
            color=alt.Color("category_name:N", title="类别"),
            shape=alt.Shape("outcome_label:N", title="结果"),
            opacity=alt.condition(pick, alt.value(0.9), alt.value(0.25)),
            tooltip=[
                alt.Tooltip("title:N", title="案例"),
                alt.Tooltip("unit:N", title="单位"),
                alt.Tooltip("year:O", title="年份"),
                alt.Tooltip("category_name:N", title="类别"),
                alt.Tooltip("outcome_label:N", title="结果"),
                alt.Tooltip("cluster_label:N", title="聚类标签"),
            ],
        )
        .add_params(pick)
        .properties(width=560, height=420)
    )
    return _styled(chart)


def chart_bytes(chart: alt.TopLevelMixin, fmt: str) -> bytes:
    """The chart rendered offline as ``png`` (2× scale) or ``svg``.

    Raises:
        TrendError: for another format.
    """
    import vl_convert as vlc

    spec = chart.to_json()
    if fmt == "png":
        return vlc.vegalite_to_png(spec, scale=2)
    if fmt == "svg":
        return vlc.vegalite_to_svg(spec).encode("utf-8")
    raise TrendError(f"不支持的图表格式「{fmt}」，可选 png 或 svg。")


def report_charts(report: TrendReport) -> dict[str, alt.TopLevelMixin]:
    """The report's charts by file stem (term charts: one per pair of consecutive years)."""
    charts: dict[str, alt.TopLevelMixin] = {
        "category_shares": share_chart(report.shares),
        "theme_heatmap": mention_heatmap(report.mentions),
        "theme_mentions": mention_chart(report.mentions, moving_terms(report.mentions)),
        "case_map": map_chart(report.cases),
    }
    for (year_from, year_to), changes in report.terms.groupby(["year_from", "year_to"]):
        charts[f"terms_{year_from}_{year_to}"] = term_chart(changes)
    return charts
