"""组织者看板: flags to confirm or dismiss, reviewer progress, agreement, scores, disagreements, audit trail."""

import pandas as pd
import streamlit as st

from app_pages import common
from pipelines import auth, config
from pipelines.review import agreement, audit, flag_actions, flags
from pipelines.vocabulary import FLAG_GROUP_LABELS

user, settings, engine = common.open_page(auth.DASHBOARD, "组织者看板")
year = int(
    st.number_input(
        "申报年度",
        min_value=config.EARLIEST_YEAR,
        max_value=config.LATEST_YEAR,
        value=settings.call_year,
        key="board_year",
    )
)

tab_flags, tab_progress, tab_agreement, tab_scores, tab_disagree, tab_audit = st.tabs(
    ["问题标记", "评审进度", "评审一致性", "评分汇总", "分歧最大", "操作记录"]
)

with tab_flags:
    group_col, state_col = st.columns(2)
    group = group_col.selectbox(
        "类型",
        ["all", *FLAG_GROUP_LABELS],
        format_func=lambda k: "全部" if k == "all" else FLAG_GROUP_LABELS[k],
        key="board_flag_group",
    )
    state = state_col.radio("处理状态", ["待处理", "已处理", "全部"], horizontal=True, key="board_flag_state")
    flags = common.attempt(flags.flag_table, engine, user, year, [] if group == "all" else [group]) or []
    if state != "全部":
        flags = [f for f in flags if (f.state is None) == (state == "待处理")]
    st.caption(f"{len(flags)} 条")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "案例编号": f.submission_id,
                    "案例名称": f.title,
                    "问题": f.label,
                    "严重程度": f.severity_label,
                    "说明": f.message,
                    "相关案例": "、".join(f.related_ids),
                    "处理": f"{f.state.label}（{f.state.username}）" if f.state else "待处理",
                    "处理说明": f.state.note if f.state else "",
                }
                for f in flags
            ]
        ),
        hide_index=True,
        key="board_flag_table",
    )
    if flags and user.can(auth.FLAGS):
        st.markdown("**处理一条标记**")
        chosen = st.selectbox(
            "标记",
            range(len(flags)),
            format_func=lambda i: f"{flags[i].submission_id} · {flags[i].title} · {flags[i].label}",
            key="board_flag_pick",
        )
        action = st.radio(
            "处理",
            ["confirmed", "dismissed"],
            format_func=flag_actions.FLAG_ACTION_LABELS.get,
            horizontal=True,
            key="board_flag_action",
        )
        note = st.text_input("处理说明（排除时必填）", key="board_flag_note")
        if st.button("提交处理", key="board_flag_submit", type="primary"):
            flag = flags[chosen]
            done = common.attempt(
                flag_actions.record_flag_action,
                engine,
                user,
                flag.submission_id,
                flag.code,
                action,
                flag.related_id,
                note,
            )
            if done:
                common.flash(f"案例 {flag.submission_id}「{flag.label}」{done.label}。")
                st.rerun()
        if st.button("打开该案例", key="board_flag_open"):
            common.open_case(flags[chosen].submission_id)

with tab_progress:
    progress = common.attempt(agreement.reviewer_progress, engine, user, year)
    if progress is not None:
        st.dataframe(
            common.with_dashes(progress, keep=("完成率",)),
            hide_index=True,
            key="board_progress",
            column_config={
                "完成率": st.column_config.ProgressColumn(
                    "完成率", format="percent", min_value=0, max_value=1
                )
            },
        )

with tab_agreement:
    st.caption(
        "Krippendorff α：1 为完全一致，0 为与随机无异；≥0.8 可靠，0.667–0.8 可作初步结论，更低说明分歧较大。"
        "分数用区间尺度，类别和结论用类别尺度；“专家与 AI”把每条专家评分与同一案例的 AI 建议配对计算。"
    )
    table = common.attempt(agreement.agreement, engine, user, year)
    if table is not None:
        st.dataframe(common.with_dashes(table), hide_index=True, key="board_agreement")
        st.caption(f"{common.DASH}：可配对的评分不足（至少两件案例各有两条以上评分才能计算 α）。")

with tab_scores:
    st.caption(
        "标准化平均分：先把每位专家的分数按其本人的均值和标准差标准化，再求平均，消除“手松手紧”的影响。"
    )
    scores = common.attempt(agreement.case_scores, engine, user, year)
    if scores is not None:
        st.dataframe(common.with_dashes(scores, digits=2), hide_index=True, key="board_case_scores")
        st.caption(f"{common.DASH}：该专家评分少于两条，无法标准化。")
    with st.expander("每条评分（原始分与标准化分）"):
        raw = common.attempt(agreement.review_frame, engine, user, year)
        if raw is not None:
            numeric = raw.select_dtypes("number").columns
            st.dataframe(
                common.with_dashes(raw.drop(columns=["reviewer_id"]).round(dict.fromkeys(numeric, 2)), 2),
                hide_index=True,
                key="board_raw_scores",
            )

with tab_disagree:
    st.caption("分歧度 = 标准化总分的极差 + 结论种类数 − 1（一次“推荐/不推荐”分裂约等于一个标准差的分差）。")
    disagreed = common.attempt(agreement.most_disagreed, engine, user, year)
    if disagreed is not None:
        st.dataframe(common.with_dashes(disagreed, digits=2), hide_index=True, key="board_disagreed")

with tab_audit:
    trail = common.attempt(audit.audit_trail, engine, user)
    if trail is not None:
        st.caption("包括每一次登录：成功、失败（密码错误）和被拒绝（账号锁定、客户端暂停或账号停用）。")
        st.dataframe(common.with_dashes(trail), hide_index=True, key="board_audit")
