"""评审队列: every case with declared vs suggested category, flags, AI scores and review status."""

import streamlit as st

from app_pages import common
from pipelines import auth
from pipelines.review import blind, queue
from pipelines.vocabulary import CATEGORY_IDS, FLAG_GROUP_LABELS, category_label

DEFAULT_COLUMNS = (
    "id",
    "title",
    "unit",
    "declared",
    "suggested",
    "flags",
    "ai_total",
    "status",
    "mean_total",
)

user, settings, _ = common.open_page(auth.VIEW_QUEUE, "评审队列")

search_col, category_col, flag_col = st.columns([2, 2, 2])
search = search_col.text_input("搜索（名称、单位、编号）", key="queue_search")
categories = category_col.multiselect(
    "类别（申报或建议）", CATEGORY_IDS, format_func=category_label, key="queue_categories", placeholder="全部"
)
flag_groups = flag_col.multiselect(
    "问题标记",
    list(FLAG_GROUP_LABELS),
    format_func=lambda k: FLAG_GROUP_LABELS[k],
    key="queue_flags",
    placeholder="全部",
)
status_col, sort_col, order_col = st.columns([2, 2, 2])
status = status_col.selectbox(
    "评审状态", list(queue.STATUS_LABELS), format_func=queue.STATUS_LABELS.get, key="queue_status"
)
sort_by = sort_col.selectbox(
    "排序", queue.SORTABLE, format_func=lambda k: queue.QUEUE_COLUMNS.get(k, "问题数"), key="queue_sort"
)
descending = order_col.toggle("倒序", key="queue_desc")

frame = queue.filter_queue(
    common.queue_frame(user), queue.QueueFilter(search, categories, flag_groups, status, sort_by, descending)
)
st.session_state["queue_order"] = frame["id"].tolist()
st.session_state["queue_done"] = frame.loc[frame["status"].isin(["已评", "回避"]), "id"].tolist()

shown = [c for c in queue.QUEUE_COLUMNS if not (c == "unit" and blind.is_blind_for(user, settings))]
# Columns shown at first, sized so the table fits a 1400 px window with the menu open; the rest (and columns
# with nothing in them) stay one click away in the table's column menu.
visible = [c for c in DEFAULT_COLUMNS if c in shown and not frame[c].isna().all()]
st.caption(
    f"共 {len(frame)} 件。点选一行打开案例。置信度、大模型总分、评审结论等列可在表格右上角的列菜单中显示。"
)
if settings.hide_ai_scores_until_reviewed and user.can(auth.REVIEW):
    st.caption("为避免先入为主，AI 评分在您提交该案例的评审意见后显示。")
event = st.dataframe(
    frame[shown].rename(columns=queue.QUEUE_COLUMNS),
    key="queue_table",
    hide_index=True,
    width="stretch",
    column_order=[queue.QUEUE_COLUMNS[c] for c in visible],
    on_select="rerun",
    selection_mode="single-row",
    column_config={
        "编号": st.column_config.NumberColumn(width=50),
        "案例名称": st.column_config.TextColumn(width=220),
        "申报单位": st.column_config.TextColumn(width=120),
        "申报类别": st.column_config.TextColumn(width=100),
        "建议类别": st.column_config.TextColumn(width=100),
        "置信度": st.column_config.ProgressColumn("置信度", format="%.2f", min_value=0.0, max_value=1.0),
        "问题标记": st.column_config.TextColumn(width=100),
        "AI总分": st.column_config.NumberColumn(format="%.1f", width=60),
        "大模型总分": st.column_config.NumberColumn(format="%.1f"),
        "评审状态": st.column_config.TextColumn(width=76),
        "专家平均分": st.column_config.NumberColumn(format="%.1f", width=70),
    },
)
if event.selection.rows:
    common.open_case(int(frame.iloc[event.selection.rows[0]]["id"]))

if not frame.empty:
    pick_col, button_col = st.columns([4, 1], vertical_alignment="bottom")
    titles = dict(zip(frame["id"], frame["title"], strict=True))
    chosen = pick_col.selectbox(
        "打开案例", list(titles), format_func=lambda sid: f"{sid} · {titles[sid]}", key="queue_pick"
    )
    if button_col.button("打开", key="queue_open", type="primary"):
        common.open_case(int(chosen))
