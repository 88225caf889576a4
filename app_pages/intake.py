"""材料导入: upload many .docx forms or a .zip, see what was read per file, then run the analysis."""

import pandas as pd
import streamlit as st

from app_pages import common
from pipelines import analysis_job, auth, store
from pipelines.intake import ingest
from pipelines.intake.ocr_queue import ocr_progress, start_ocr_worker

user, settings, engine = common.open_page(auth.INGEST, "材料导入")  # checked before the intake log is read

st.caption(f"导入到 {settings.call_year} 年度（在“设置”中修改申报年度）。")
uploads = st.file_uploader(
    "选择申报表（.docx）和附件（pdf、jpg、mp4、mov），可多选；或打包的 .zip（每个案例一个文件夹或一个 zip）",
    accept_multiple_files=True,
    key="intake_files",
    help="其他格式（.doc、.wps 等）也可以选中，系统会逐个说明无法读取的原因；附件格式不符也会列出。",
)
analyse = st.checkbox("导入后立即分析（类别、资格、查重、评分）", value=True, key="intake_analyse")

if st.button("开始导入", key="intake_start", type="primary", disabled=not uploads):
    files = [(upload.name, upload.getvalue()) for upload in uploads]
    bar = st.progress(0.0, text="正在读取…")

    def read_progress(done: int, total: int, name: str) -> None:
        bar.progress(done / max(total, 1), text=f"正在读取 {done}/{total}：{name}")

    report = ingest.ingest_uploads(
        engine, files, settings.call_year, user.username, read_progress, settings, actor=user
    )
    rows = [
        {
            "文件": item.file_name,
            "结果": ingest.OUTCOME_LABELS.get(item.outcome, item.outcome),
            "案例编号": item.submission_id,
            "错误代码": item.code,
            "说明": item.message or "；".join(item.warnings),
        }
        for item in report.items
    ]
    st.session_state["intake_rows"] = rows
    st.session_state["intake_summary"], st.session_state["intake_ok"] = report.summary(), report.ok
    start_ocr_worker(engine, settings)  # images and scans are read in the background; the page stays usable
    if analyse and report.stored_ids:  # analysed in the background too: progress below, the page stays usable
        analysis_job.start_analysis(engine, report.stored_ids, settings)
        st.session_state["intake_watch"] = True
        st.session_state.pop("intake_analysis_error", None)
    bar.empty()


@st.fragment(run_every=1.0)
def analysis_status() -> None:
    """The background analysis's progress, redrawn every second; the whole page once it has finished."""
    job = analysis_job.analysis_job(engine)
    if job is None or not st.session_state.get("intake_watch"):
        return
    if job.running:
        st.progress(
            job.share,
            text=f"正在后台分析（{job.label}），已用 {job.seconds:.0f} 秒。可以离开本页继续工作，"
            "分析完成后结果会出现在评审队列中。",
        )
        return
    st.session_state["intake_watch"] = False
    if job.error:
        st.session_state["intake_analysis_error"] = job.error
    else:
        st.session_state["intake_summary"] += f"\n\n{job.summary}（用时 {job.seconds:.0f} 秒）"
    st.rerun()


if st.session_state.get("intake_watch"):
    analysis_status()

if "intake_rows" in st.session_state:
    (st.success if st.session_state.get("intake_ok") else st.error)(
        common.md(st.session_state["intake_summary"])
    )
    rows = pd.DataFrame(st.session_state["intake_rows"])
    st.dataframe(rows, hide_index=True, key="intake_result_table")
    failed = rows[rows["错误代码"] != ""]
    if not failed.empty:
        st.warning(f"{len(failed)} 个文件未能读取，请按“说明”处理后重新上传。")
    if problem := st.session_state.get("intake_analysis_error"):
        st.error(
            "申报表已入库，但自动分析没有完成，评审队列中暂时看不到类别、查重和评分。"
            f"请联系管理员查看原因后运行 python -m pipelines analyze。（{common.md(problem)}）"
        )

if (ocr := ocr_progress(engine)).pending:
    st.info(
        f"后台正在识别附件（图片、扫描件）中的文字：已完成 {ocr.done} 个，还有 {ocr.pending} 个，可以继续导入。"
    )

with st.expander("最近的导入记录"):
    log = store.intake_log(engine, limit=200)
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "时间": row.created_at,
                    "文件": row.file_name,
                    "结果": ingest.OUTCOME_LABELS.get(row.outcome, row.outcome),
                    "说明": row.message,
                    "操作人": row.created_by,
                }
                for row in log
            ]
        ),
        hide_index=True,
        key="intake_log_table",
    )
