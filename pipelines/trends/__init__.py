"""Trends across years, computed on a cases frame (see ``frame``); the page, notebook and CLI use these names."""

from pipelines.trends.charts import (
    MAP_SELECTION,
    chart_bytes,
    map_chart,
    mention_chart,
    mention_heatmap,
    moving_terms,
    report_charts,
    share_chart,
    term_chart,
)
from pipelines.trends.clusters import case_map, case_vectors, choose_clusters, cluster_cases, ctfidf_labels
from pipelines.trends.frame import (
    CASE_COLUMNS,
    DIRECTION_LABELS,
    OUTCOMES,
    UNKNOWN_CATEGORY,
    TrendCase,
    TrendError,
    case_text,
    cases_frame,
    category_counts,
    category_name,
    category_shares,
    filter_cases,
)
from pipelines.trends.load import load_cases, load_sample
from pipelines.trends.report import COLUMN_LABELS, TrendReport, build_report, excel_bytes, report_tables
from pipelines.trends.terms import (
    SIGNIFICANCE_Q,
    ThemeTerm,
    clause_tokens,
    doc_terms,
    g2_two_by_two,
    join_tokens,
    load_terms,
    mention_matrix,
    mention_shares,
    term_changes,
    term_trends,
    top_changes,
)
from pipelines.trends.unit_history import RepeatRule, mark_repeats, unit_cases, unit_history
from pipelines.units import unit_groups
