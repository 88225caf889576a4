"""Exports: results and reviews as Excel, and a Word 评审意见汇总 per batch (call year).

Exports apply the same visibility rules as the pages: a reviewer exports only what the queue shows them
(their own reviews, others' only for cases they have scored, the applicant hidden under blind review);
organizers and analysts also get every saved version and the flags with their handling. Every spreadsheet
cell goes through ``pipelines.spreadsheet.safe_frame`` (applicant text never becomes a live formula).
The command line ``python -m pipelines export results OUT.xlsx [--format docx]`` writes the same files.
"""

from __future__ import annotations

import argparse
import io
import sys
from datetime import datetime
from pathlib import Path

import pandas as pd
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from sqlalchemy.engine import Engine

from pipelines import auth, store
from pipelines.auth import User
from pipelines.config import Settings, get_settings
from pipelines.review import blind, flags, queue
from pipelines.review import decisions as review
from pipelines.review.decisions import Review
from pipelines.spreadsheet import safe_cell, safe_frame
from pipelines.vocabulary import CRITERIA, category_label

CJK_FONT = "宋体"
LATIN_FONT = "Times New Roman"
CALL_NAME = "中国行业媒体高质量发展创新案例"
# Excel column widths: fitted to the longest text among the first rows, in Excel width units per character
# (1.6 covers full-width Chinese), capped so a long text column wraps instead of stretching the sheet
WIDTH_SAMPLE_ROWS = 200
CHARS_TO_WIDTH = 1.6
MAX_COLUMN_WIDTH = 60
RESULT_COLUMNS = [
    "id",
    "title",
    "unit",
    "declared",
    "suggested",
    "confidence",
    "flags",
    "ai_total",
    "llm_total",
]
RESULT_COLUMNS += ["n_reviews", "decisions", "mean_total"]


def results_table(engine: Engine, user: User, year: int, settings: Settings | None = None) -> pd.DataFrame:
    """One row per current case: categories, flags, AI scores and the reviews ``user`` may see."""
    auth.require(user, auth.EXPORT)
    frame = queue.build_queue(engine, user, queue.QueueFilter(), settings, year)
    table = frame[RESULT_COLUMNS].rename(columns=queue.QUEUE_COLUMNS)
    table["置信度"] = table["置信度"].round(3)
    for column in ("AI总分", "大模型总分", "专家平均分"):
        table[column] = table[column].round(1)
    return table


def _review_record(r: Review, titles: dict[int, str]) -> dict[str, object]:
    return {
        "案例编号": r.submission_id,
        "案例名称": titles.get(r.submission_id, ""),
        "评审专家": r.reviewer,
        "版本": r.version,
        "最终类别": category_label(r.final_category) if r.final_category else "",
        **{label: r.scores.get(key) for key, label in CRITERIA.items()},
        "总分": None if r.total is None else round(r.total, 1),
        "评审结论": r.decision,
        "评审意见": r.comments,
        "声明回避": "是" if r.conflict_of_interest else "",
        "打分时已见AI评分": "是" if r.saw_ai_scores else "否",
        "保存时间": r.created_at,
    }


def reviews_table(
    engine: Engine,
    user: User,
    year: int,
    settings: Settings | None = None,
    all_versions: bool = False,
    titles: dict[int, str] | None = None,
) -> pd.DataFrame:
    """The newest review per reviewer and case that ``user`` may see (every version with ``all_versions``).

    ``titles`` (case id → title as the user may see it) saves rebuilding the queue when already at hand.
    """
    auth.require(user, auth.EXPORT)
    if titles is None:
        frame = queue.build_queue(engine, user, queue.QueueFilter(), settings, year)
        titles = dict(zip(frame["id"], frame["title"], strict=True))
    if all_versions:
        reviews = review.all_review_versions(engine, user, year)
    else:
        reviews = review.visible_latest_reviews(engine, user, year)
    records = [_review_record(r, titles) for r in reviews]
    columns = ["案例编号", "案例名称", "评审专家", "版本", "最终类别", *CRITERIA.values(), "总分", "评审结论"]
    columns += ["评审意见", "声明回避", "打分时已见AI评分", "保存时间"]
    return pd.DataFrame(records, columns=columns)


def flags_table(engine: Engine, user: User, year: int) -> pd.DataFrame:
    """Every machine flag of the year with the organizer's handling (organizers and analysts)."""
    rows = [
        {
            "案例编号": f.submission_id,
            "案例名称": f.title,
            "问题": f.label,
            "严重程度": f.severity_label,
            "说明": f.message,
            "证据": f.evidence,
            "相关案例": "、".join(f.related_ids),
            "处理": f.state.label if f.state else "待处理",
            "处理人": f.state.username if f.state else "",
            "处理说明": f.state.note if f.state else "",
        }
        for f in flags.flag_table(engine, user, year)
    ]
    columns = [
        "案例编号",
        "案例名称",
        "问题",
        "严重程度",
        "说明",
        "证据",
        "相关案例",
        "处理",
        "处理人",
        "处理说明",
    ]
    return pd.DataFrame(rows, columns=columns)


def export_excel(engine: Engine, user: User, year: int, settings: Settings | None = None) -> bytes:
    """An .xlsx workbook: 结果汇总, 评审意见, and for organizers/analysts 评审历史 and 问题标记."""
    results = results_table(engine, user, year, settings)
    titles = dict(zip(results["编号"], results["案例名称"], strict=True))
    sheets = {"结果汇总": results, "评审意见": reviews_table(engine, user, year, settings, titles=titles)}
    if user.can(auth.VIEW_ALL_REVIEWS):
        sheets["评审历史"] = reviews_table(engine, user, year, settings, all_versions=True, titles=titles)
    if user.can(auth.DASHBOARD):
        sheets["问题标记"] = flags_table(engine, user, year)
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            safe_frame(frame).to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            sheet.freeze_panes = "A2"
            for column_cells in sheet.columns:
                longest = max(len(str(cell.value or "")) for cell in column_cells[:WIDTH_SAMPLE_ROWS])
                width = min(MAX_COLUMN_WIDTH, 4 + CHARS_TO_WIDTH * longest)
                sheet.column_dimensions[column_cells[0].column_letter].width = width
    return buffer.getvalue()


def _set_fonts(document: Document) -> None:
    """Chinese text in 宋体 (w:eastAsia), Latin text and digits in Times New Roman, for body and headings."""
    for style_name in ("Normal", "Title", "Heading 1", "Heading 2", "Table Grid"):
        style = document.styles[style_name]
        style.font.name = LATIN_FONT
        r_pr = style.element.get_or_add_rPr()
        fonts = r_pr.get_or_add_rFonts()
        fonts.set(qn("w:eastAsia"), CJK_FONT)
        fonts.set(qn("w:ascii"), LATIN_FONT)
        fonts.set(qn("w:hAnsi"), LATIN_FONT)
    document.styles["Normal"].font.size = Pt(11)


def export_word(engine: Engine, user: User, year: int, settings: Settings | None = None) -> bytes:
    """A .docx 评审意见汇总 for the year's batch: per case its categories, flags and every reviewer's opinion."""
    settings = settings or get_settings()
    results = results_table(engine, user, year, settings)
    titles = dict(zip(results["编号"], results["案例名称"], strict=True))
    reviews = reviews_table(engine, user, year, settings, titles=titles)
    document = Document()
    _set_fonts(document)
    heading = document.add_heading(f"{year}年{CALL_NAME}评审意见汇总", level=0)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    reviewers = reviews["评审专家"].nunique()
    stamp = datetime.now().strftime("%Y-%m-%d %H:%M")
    document.add_paragraph(
        f"案例 {len(results)} 件，评审专家 {reviewers} 位，生成时间 {stamp}，导出人 {user.label}。"
    )
    by_case = {sid: group for sid, group in reviews.groupby("案例编号")}
    for _, case in results.iterrows():
        document.add_heading(f"{case['编号']}. {case['案例名称']}", level=1)
        if not blind.is_blind_for(user, settings):
            document.add_paragraph(f"申报单位：{case['申报单位']}")
        suggested = f"；模型建议：{case['建议类别']}" if case["建议类别"] else ""
        document.add_paragraph(f"申报类别：{case['申报类别']}{suggested}")
        if case["问题标记"]:
            document.add_paragraph(f"问题标记：{case['问题标记']}")
        _review_table(document, by_case.get(case["编号"]))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _review_table(document: Document, reviews: pd.DataFrame | None) -> None:
    if reviews is None or reviews.empty:
        document.add_paragraph("尚无评审意见。")
        return
    headers = ["评审专家", "评审结论", "总分", "最终类别", "评审意见"]
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, header in zip(table.rows[0].cells, headers, strict=True):
        cell.text = header
    for _, row in reviews.iterrows():
        cells = table.add_row().cells
        conclusion = "回避" if row["声明回避"] else row["评审结论"]
        total = "" if pd.isna(row["总分"]) else f"{row['总分']:.1f}"
        for cell, value in zip(
            cells, [row["评审专家"], conclusion, total, row["最终类别"], row["评审意见"]], strict=True
        ):
            cell.text = str(safe_cell(str(value or "")))  # a table copied into a spreadsheet stays text
    scored = reviews[reviews["声明回避"] == ""]
    if not scored.empty:
        counts = scored["评审结论"].value_counts()
        summary = "，".join(f"{d}{counts[d]}票" for d in review.DECISIONS if d in counts)
        document.add_paragraph(f"平均总分 {scored['总分'].mean():.1f}；{summary}。")


FORMATS = {"xlsx": export_excel, "docx": export_word}


def add_cli(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("export", help="导出评审结果：export results OUT.xlsx [--format docx]")
    parser.add_argument("what", choices=["results"], help="导出内容（results = 评审结果）")
    parser.add_argument(
        "out", type=Path, help="输出文件（.xlsx 评审结果；--format docx 时为 Word 评审意见汇总）"
    )
    parser.add_argument(
        "--format", choices=sorted(FORMATS), default=None, help="xlsx（默认）或 docx；不填时按文件扩展名判断"
    )
    parser.add_argument("--year", type=int, default=None, help="申报年度（默认取设置中的 call_year）")
    parser.set_defaults(func=_cli_export)


def _cli_export(args: argparse.Namespace) -> int:
    settings = get_settings()
    year = args.year or settings.call_year
    kind = args.format or ("docx" if args.out.suffix.lower() == ".docx" else "xlsx")
    if args.out.is_dir():
        print(
            f"导出失败：「{args.out}」是一个文件夹，请给出文件名，例如 {args.out / f'{year}年评审结果.{kind}'}。",
            file=sys.stderr,
        )
        return 1
    engine = store.get_engine(settings.database_url)
    cases = len(store.list_submissions(engine, year))
    data = FORMATS[kind](engine, auth.SYSTEM, year, settings)
    try:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_bytes(data)
    except OSError as error:
        print(
            f"导出失败：无法写入「{args.out}」（{error.strerror or error}），请换一个有写权限的位置。",
            file=sys.stderr,
        )
        return 1
    what = "Word 评审意见汇总" if kind == "docx" else "Excel 评审结果"
    print(f"已导出 {year} 年度 {cases} 件案例的{what}：{args.out}")
    if not cases:
        print(f"提示：数据库中没有 {year} 年度的案例（请检查 DATABASE_URL 与申报年度）。", file=sys.stderr)
    return 0
