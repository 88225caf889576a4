"""``python -m pipelines trends``: the report's tables and charts written to a folder."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    pass

from pipelines.trends.charts import chart_bytes, report_charts
from pipelines.trends.frame import DEFAULT_OUT, TrendError
from pipelines.trends.load import load_cases, load_sample
from pipelines.trends.report import TrendReport, build_report, excel_bytes, report_tables
from pipelines.trends.terms import SIGNIFICANCE_Q, top_changes

# -------------------------------------------------------------------------------------------- command line


def add_cli(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("trends", help="趋势分析：导出表格（xlsx）与图表（svg/png）")
    parser.add_argument("--from-sample", action="store_true", help="分析 data/sample 中的样例数据而非数据库")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"输出目录（默认 {DEFAULT_OUT}）")
    parser.add_argument("--year", type=int, default=None, help="本届年份（默认取设置中的 call_year）")
    parser.add_argument("--top", type=int, default=10, help="每组年份打印的上升词语个数")
    parser.set_defaults(func=_cli)


def _cli(args: argparse.Namespace) -> int:
    try:
        frame = load_sample() if args.from_sample else _store_frame(args.year)
        if frame.empty:
            raise TrendError(
                "数据库中没有案例。请先用 import-history 导入往年案例、用 ingest 导入本届申报表，或加 --from-sample 分析样例数据。"
            )
        report = build_report(frame, current_year=args.year)
    except TrendError as error:
        print(f"✗ {error}")
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "trends.xlsx").write_bytes(excel_bytes(report_tables(report)))
    for stem, chart in report_charts(report).items():
        for fmt in ("svg", "png"):
            (args.out / f"{stem}.{fmt}").write_bytes(chart_bytes(chart, fmt))
    for note in report.notes:
        print(f"提示：{note}")
    _print_rising(report, args.top)
    print(f"已写出 {args.out / 'trends.xlsx'} 与 {len(report_charts(report)) * 2} 个图表文件（{args.out}）。")
    return 0


def _store_frame(year: int | None) -> pd.DataFrame:
    from pipelines import auth, store

    return load_cases(store.get_engine(), year, user=auth.SYSTEM)


def _print_rising(report: TrendReport, top: int) -> None:
    print(f"案例数：{report.cases.groupby('year').size().to_dict()}")
    columns = {
        "term": "词语",
        "df_from": "起始年案例数",
        "df_to": "比较年案例数",
        "log2_ratio": "log2比",
        "g2": "G²",
        "q": "q值",
    }
    for (year_from, year_to), changes in report.terms.groupby(["year_from", "year_to"]):
        rising = top_changes(changes, "rising", top)[list(columns)].rename(columns=columns)
        print(f"\n{year_from}→{year_to} 显著上升的词语（q < {SIGNIFICANCE_Q}，按 G² 排序，前 {top} 个）：")
        with pd.option_context("display.unicode.east_asian_width", True, "display.precision", 3):
            print(rising.to_string(index=False) if len(rising) else "（无）")
