"""趋势分析: category shares, rising and falling terms, technology/theme mentions, the case map with a unit's
history, this year's clusters; every chart exportable as PNG/SVG and every table as Excel."""

from functools import partial

import pandas as pd
import streamlit as st

from app_pages import common
from pipelines import auth, trends

user, settings, _ = common.open_page(auth.TRENDS, "趋势分析")


@st.cache_data(ttl=300, show_spinner="正在读取案例……")
def _cases(url: str, year: int, role: str, _user: auth.User) -> pd.DataFrame:
    """All cases (cached per database, year and role: what a role may see decides the categories)."""
    return trends.load_cases(common.engine(), year, user=_user)


@st.cache_data(ttl=300, show_spinner="正在计算趋势……")
def _report(
    url: str, year: int, role: str, years: tuple, categories: tuple, outcomes: tuple, _user: auth.User
) -> trends.TrendReport:
    frame = trends.filter_cases(_cases(url, year, role, _user), years, categories, outcomes)
    return trends.build_report(frame, trends.load_terms(), current_year=year)


def _chart(chart, stem: str, key: str, **options) -> dict | None:
    """Show an Altair chart with PNG and SVG download buttons; returns the selection event if any.

    The files are rendered only when a button is clicked (deferred download), so browsing stays fast.
    """
    event = st.altair_chart(chart, key=key, **options)
    png_col, svg_col, _ = st.columns([1, 1, 4])
    for column, fmt, mime in ((png_col, "png", "image/png"), (svg_col, "svg", "image/svg+xml")):
        column.download_button(
            f"下载 {fmt.upper()}",
            partial(trends.chart_bytes, chart, fmt),
            file_name=f"{stem}.{fmt}",
            mime=mime,
            key=f"{key}_{fmt}",
            on_click="ignore",
        )
    return event


PERCENT = st.column_config.NumberColumn(format="percent")


def _category_label(category: int) -> str:
    return trends.UNKNOWN_CATEGORY if category == 0 else trends.category_name(category)


if st.button("刷新数据", key="trends_refresh", help="重新读取数据库（新导入的案例、评审专家改定的类别）"):
    _cases.clear()
    _report.clear()
year = settings.call_year
try:
    cases = _cases(settings.database_url, year, user.role, user)
except trends.TrendError as error:
    st.error(common.md(error))
    st.stop()
if cases.empty:
    st.info(
        "数据库中还没有案例。请先在“材料导入”导入往年案例和本届申报表，或用命令 python -m pipelines import-history 导入。"
    )
    st.stop()

year_col, category_col, outcome_col = st.columns(3)
all_years = sorted(int(y) for y in cases["year"].unique())
years = year_col.multiselect("年份", all_years, default=all_years, key="trends_years")
categories = category_col.multiselect(
    "类别",
    [1, 2, 3, 4, 5, 6, 0],
    default=[1, 2, 3, 4, 5, 6, 0],
    format_func=_category_label,
    key="trends_categories",
)
outcomes = outcome_col.multiselect(
    "结果",
    list(trends.OUTCOMES),
    default=list(trends.OUTCOMES),
    format_func=trends.OUTCOMES.get,
    key="trends_outcomes",
)
filters = (
    settings.database_url,
    year,
    user.role,
    tuple(years),
    tuple(c or None for c in categories),
    tuple(outcomes),
)
try:
    report = _report(*filters, user)
except trends.TrendError as error:
    st.error(common.md(error))
    st.stop()
for note in report.notes:
    st.info(common.md(note))
if report.cases.empty:
    st.stop()
st.caption(
    f"共 {len(report.cases)} 个案例："
    + "，".join(f"{y} 年 {n} 个" for y, n in report.cases.groupby("year").size().items())
    + f"。本届（{year} 年）案例结果未出，类别取评审专家改定、分类模型建议或申报表勾选（依次优先）。"
)

tab_shares, tab_terms, tab_themes, tab_map, tab_units, tab_clusters, tab_export = st.tabs(
    ["类别占比", "词语升降", "技术与主题", "案例地图", "单位历史", "本届聚类", "导出 Excel"]
)

with tab_shares:
    _chart(trends.share_chart(report.shares), "category_shares", "trends_shares_chart")
    st.dataframe(
        report.shares.drop(columns="category").rename(columns=trends.COLUMN_LABELS),
        hide_index=True,
        key="trends_shares_table",
        column_config={name: PERCENT for name in ("占比", trends.COLUMN_LABELS["award_rate"])},
    )
    st.caption("入选率只计已评定（入选或未入选）的案例；本届申报尚未评定，其入选率显示为空。")

with tab_terms:
    st.caption(
        "以案例为单位比较两年中提及某词的案例比例：对数似然比 G² 检验，Benjamini–Hochberg 校正后 "
        f"q < {trends.SIGNIFICANCE_Q} 才算显著；log2 比值为效应大小（正为上升）。"
    )
    pairs = list(report.terms.groupby(["year_from", "year_to"]).groups) if not report.terms.empty else []
    if pairs:
        pair = st.selectbox(
            "比较年份",
            pairs,
            index=len(pairs) - 1,
            format_func=lambda p: f"{p[0]} → {p[1]}",
            key="trends_pair",
        )
        changes = report.terms[(report.terms["year_from"] == pair[0]) & (report.terms["year_to"] == pair[1])]
        _chart(trends.term_chart(changes), f"terms_{pair[0]}_{pair[1]}", "trends_terms_chart")
        significant = changes[changes["direction"] != "flat"].drop(
            columns=["tokens", "year_from", "year_to", "p"]
        )
        st.dataframe(
            significant.assign(direction=significant["direction"].map(trends.DIRECTION_LABELS)).rename(
                columns=trends.COLUMN_LABELS
            ),
            hide_index=True,
            key="trends_terms_table",
            column_config={
                "起始年占比": PERCENT,
                "比较年占比": PERCENT,
                "log2 比值": st.column_config.NumberColumn(format="%.2f"),
                "G²": st.column_config.NumberColumn(format="%.1f"),
                "q 值（BH）": st.column_config.NumberColumn(format="%.4f"),
            },
        )

with tab_themes:
    st.caption("词表可在 data/trend_terms.yaml 中编辑（同义写法、排除写法），点“刷新数据”后生效。")
    _chart(trends.mention_heatmap(report.mentions), "theme_heatmap", "trends_heatmap_chart")
    names = list(dict.fromkeys(report.mentions["term"]))
    chosen = st.multiselect(
        "折线图中的技术/主题", names, default=trends.moving_terms(report.mentions), key="trends_theme_pick"
    )
    _chart(trends.mention_chart(report.mentions, chosen), "theme_mentions", "trends_mentions_chart")
    by_category = report.mentions_by_category
    category_pick = st.selectbox(
        "按类别查看", sorted(by_category["category_name"].unique()), key="trends_theme_category"
    )
    table = by_category[by_category["category_name"] == category_pick]
    st.dataframe(
        table.pivot(index="term", columns="year", values="share").loc[names].style.format("{:.0%}"),
        key="trends_theme_table",
    )

with tab_map:
    st.caption("相近的案例靠得更近（词语 TF-IDF → LSA → t-SNE）。点击一个点查看该单位的申报历史。")
    event = _chart(
        trends.map_chart(report.cases),
        "case_map",
        "trends_map_chart",
        on_select="rerun",
        selection_mode=trends.MAP_SELECTION,
    )
    picked = ((event or {}).get("selection", {}).get(trends.MAP_SELECTION) or [{}])[0].get("unit_group")
    units = report.units["unit"].tolist()
    # A new click on the map chooses the unit; the select box stays free to change it afterwards.
    if picked in units and picked != st.session_state.get("trends_map_unit"):
        st.session_state["trends_map_unit"] = st.session_state["trends_unit"] = picked
    unit = st.selectbox("单位", units, key="trends_unit")
    history = report.units.set_index("unit").loc[unit]
    metrics = st.columns(4)
    metrics[0].metric("申报数", int(history["applications"]))
    metrics[1].metric("入选数", int(history["awarded"]))
    rate = history["award_rate"]
    metrics[2].metric(
        "入选率（已评定案例）",
        "—" if pd.isna(rate) else f"{rate:.0%}",
        help=f"本届尚未评定的 {int(history['pending'])} 件不计入入选率。" if history["pending"] else None,
    )
    metrics[3].metric("重复申报率", f"{history['repeat_rate']:.0%}")
    st.dataframe(
        trends.unit_cases(report.cases, unit).rename(columns=trends.COLUMN_LABELS),
        hide_index=True,
        key="trends_unit_cases",
    )

with tab_units:
    st.caption(
        "全称与简称合并为同一单位。重复申报：查重结果、申报表自述的往年申报，或与本单位往年案例标题/正文相似。"
    )
    st.dataframe(report.units.rename(columns=trends.COLUMN_LABELS), hide_index=True, key="trends_units_table")

with tab_clusters:
    if report.clusters.empty:
        st.info(f"所选范围内没有 {year} 年的案例可聚类；请在“年份”中加入 {year}。")
    else:
        st.caption(
            "各类别内按内容相近程度分组，标签为该组区分度最高的词语（c-TF-IDF）；轮廓系数越高分组越清晰。"
        )
        st.dataframe(
            report.clusters.rename(columns=trends.COLUMN_LABELS), hide_index=True, key="trends_clusters_table"
        )

with tab_export:
    st.caption("包含类别占比、词语升降、技术与主题提及、单位历史、本届聚类和案例明细（含地图坐标）。")
    st.download_button(
        "下载 Excel",
        partial(trends.excel_bytes, trends.report_tables(report)),
        file_name="趋势分析.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="trends_xlsx",
        on_click="ignore",
    )
