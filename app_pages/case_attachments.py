"""案例详情 → 附件 tab: the application's proof materials, shown and searchable.

Attachment names and texts are applicant text: shown with ``st.text`` and in tables, never as Markdown.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine

from pipelines.config import Settings
from pipelines.intake.attachment_evidence import figure_evidence
from pipelines.intake.attachment_store import case_attachments, preview, search_attachments
from pipelines.review.case_view import CaseView

KIND_LABELS = {"pdf": "PDF", "image": "图片", "video": "视频", "word": "Word 文档", "other": "其他"}
VIDEO_TYPES = {"mp4": "video/mp4", "mov": "video/quicktime"}


def _measure(row) -> str:  # noqa: ANN001 (AttachmentRow)
    if row.pages is not None:
        return f"{row.pages} 页"
    if row.duration_s is not None:
        size = f"，{row.width}×{row.height}" if row.width and row.height else ""
        return f"{row.duration_s:.1f} 秒{size}"
    if row.width and row.height:
        return f"{row.width}×{row.height}"
    return ""


def render(engine: Engine, view: CaseView, settings: Settings) -> None:
    """Draw the 附件 tab for one case (call inside the tab)."""
    if view.blind:
        st.info("盲评模式下不向评审专家展示附件（证书、说明等材料通常写有申报单位）。")
        return
    found = case_attachments(engine, view.id, view.submission.attachments)
    if found.missing:
        st.warning("附件清单中列出、但没有随申报表提交的材料：")
        st.text("、".join(found.missing))
    if not found.rows:
        st.info("这个案例没有随申报表一起导入的附件。")
        return
    if found.pending_ocr:
        st.info(
            f"正在后台识别图片和扫描件中的文字，还有 {found.pending_ocr} 个附件待识别，稍后刷新即可搜索。"
        )
    table = pd.DataFrame(
        {
            "文件": [row.name for row in found.rows],
            "类型": [KIND_LABELS.get(row.kind, row.kind) for row in found.rows],
            "格式": [row.format for row in found.rows],
            "大小（KB）": [round(row.size / 1024, 1) for row in found.rows],
            "页数/时长": [_measure(row) for row in found.rows],
            "列入附件清单": ["是" if row.listed else "否" for row in found.rows],
            "格式符合要求": ["是" if row.allowed else "否" for row in found.rows],
            "问题": [row.error or "" for row in found.rows],
        }
    )
    st.dataframe(table, hide_index=True, key=f"attachments_table_{view.id}")
    query = st.text_input("在附件文字中搜索（多个词用空格分开）", key=f"attachments_search_{view.id}")
    if query.strip():
        hits = search_attachments(engine, view.id, query)
        st.caption(f"{len(hits)} 个附件含有所搜的词：" if hits else "没有附件含有这些词。")
        for hit in hits:
            st.text(f"{hit.name}：{hit.snippet}")
    claim = st.text_input(
        "核对申报表中的说法：粘贴一句含数字的描述，查找附件中是否写有相同的数字",
        key=f"attachments_claim_{view.id}",
    )
    for item in figure_evidence(engine, view.id, claim) if claim.strip() else []:
        if item.found:
            st.success(f"附件中写有相同的数字（{len(item.places)} 处）：")
        else:
            st.warning("附件中没有找到这个数字：")
        st.text(item.figure)
        for place in item.places:
            st.text(f"{place.name}：{place.snippet}")
    for number, row in enumerate(found.rows, start=1):
        with st.expander(
            f"附件 {number}：{KIND_LABELS.get(row.kind, row.kind)}（{_measure(row) or row.format}）"
        ):
            st.text(row.name)
            if row.error:
                st.error("无法查看：")
                st.text(row.error)
            shown = preview(settings, row)
            if row.kind == "image" and shown:
                st.image(shown[0])
            elif row.kind == "pdf" and shown:
                st.image(shown, caption=[f"第 {page} 页" for page in range(1, len(shown) + 1)])
            elif row.kind == "video" and shown and row.format in VIDEO_TYPES:
                st.video(shown[0], format=VIDEO_TYPES[row.format])
            if row.text:
                st.text(row.text)
