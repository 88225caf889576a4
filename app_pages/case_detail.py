"""案例详情: the form with its evidence, the machine's suggestions, and the reviewer's own form.

Applicant and model text is shown through ``common.md`` / ``common.segments_html`` or text-only tables.
"""

import pandas as pd
import streamlit as st

from app_pages import case_attachments, case_claims, common
from pipelines import auth
from pipelines.review import case_view, flag_actions, queue
from pipelines.review import decisions as review
from pipelines.review.decisions import ReviewInput
from pipelines.vocabulary import CATEGORY_IDS, CRITERIA, SCORE_MAX, SCORE_MIN, SEVERITY_ICONS, category_label

user, settings, engine = common.open_page(auth.VIEW_QUEUE, None, show_messages=False)  # flash shown below
md = common.md

requested = st.query_params.get("case") or st.session_state.get("case_id")
if requested is None or not str(requested).isdigit():
    st.title("案例详情")
    st.info("请先在评审队列中选择一个案例，或输入案例编号。")
    typed = st.number_input("案例编号", min_value=1, step=1, value=None, key="case_typed_id")
    if typed and st.button("打开", key="case_open_typed"):
        common.open_case(int(typed))
    st.stop()

case_id = int(requested)
st.session_state["case_id"] = case_id
st.query_params["case"] = str(case_id)
view = case_view.case_view(engine, user, case_id, settings)
if view is None:
    st.error(f"找不到编号为 {case_id} 的案例，它可能已被删除。请回到评审队列重新选择。")
    st.stop()
sub = view.submission


def go_to(target: int | None) -> None:
    if target is not None:
        st.session_state["case_id"] = target
        st.query_params["case"] = str(target)


if "queue_order" in st.session_state:  # the order the user last saw in the queue
    order, done = st.session_state["queue_order"], st.session_state.get("queue_done", [])
else:
    order, done = queue.default_order(engine, user, settings.call_year)
next_id = queue.next_case_id(order, case_id)
next_open = queue.next_case_id(order, case_id, skip=done)

back, forward, forward_open, _ = st.columns([1, 1, 1, 3])
if back.button("← 返回队列", key="case_back"):
    st.switch_page(common.QUEUE_PAGE)
forward.button("下一件 →", key="case_next", disabled=next_id is None, on_click=go_to, args=(next_id,))
if user.can(auth.REVIEW):
    forward_open.button(
        "下一件未评 →", key="case_next_open", disabled=next_open is None, on_click=go_to, args=(next_open,)
    )

st.title(md(sub.title) or "（未读出案例名称）", anchor=False)
version_note = "" if view.is_current else "（旧版本，已被新版本取代）"
st.caption(f"编号 {view.id} · 第 {view.version} 版{version_note} · {view.year} 年申报")
if len(view.versions) > 1:
    st.caption(
        "同一文件的各版本："
        + "，".join(f"编号{i}（第{v}版{'，当前' if c else ''}）" for i, v, c in view.versions)
    )

content_col, form_col = st.columns([3, 2], gap="large")

with content_col:
    tab_form, tab_category, tab_rules, tab_dupes, tab_scores, tab_files = st.tabs(
        ["申报内容", "类别建议", "资格审查", "重复与相似", "AI 评分", "附件"]
    )
    with tab_form:
        previous = "；".join(
            f"{p.year or ''} {p.title} {p.result}".strip() for p in sub.previous_applications
        )
        fields = {
            "申报单位": sub.unit,
            "实施单位": sub.implementer,
            "推荐单位": sub.recommender,
            "申报类别": category_label(sub.declared_category)
            if sub.declared_category
            else "、".join(category_label(c) for c in sub.declared_categories) or "未勾选",
            "上线时间": f"{sub.launch_date or '未读出'}（原文：{sub.launch_raw or '无'}）",
            "运行状态": sub.status,
            "联系人": " ".join(x for x in (sub.contact.name, sub.contact.phone, sub.contact.email) if x),
            "往年申报情况": previous or "无",
            "附件": "、".join(sub.attachments) or "无",
            "文件": sub.file_name,
        }
        st.dataframe(
            pd.DataFrame({"项目": list(fields), "内容": list(fields.values())}),
            hide_index=True,
            key="case_fields",
        )
        for warning in sub.warnings:
            st.warning(md(warning))
        st.caption("高亮：黄色 = 类别依据；红/蓝/绿/紫 = 政治性/创新性/实效性/典型性评分依据（评分可见时）。")
        for section in view.sections:
            limit = f" · {section.word_count}/{section.limit} 字" if section.limit else ""
            over = (
                " ⚠️超出字数限制"
                if section.limit and section.word_count and section.word_count > section.limit
                else ""
            )
            st.markdown(f"**{md(section.label)}**{limit}{over}")
            st.markdown(common.segments_html(section.segments), unsafe_allow_html=True)
        case_claims.render(engine, user, view)

    with tab_category:
        category = view.category
        if category is None:
            st.info("尚未完成类别分析。")
        else:
            top = category.probabilities.get(category.category, 0.0)
            st.metric(
                "模型建议类别", category_label(category.category), f"置信度 {top:.0%}", delta_color="off"
            )
            if category.misfiled:
                suggested = category.suggested_category or category.category
                st.warning(
                    f"可能错报：申报为「{category_label(sub.declared_category)}」，模型建议「{category_label(suggested)}」。"
                )
            if not category.confident and len(category.top2) > 1:
                st.info(
                    "模型把握不大，两个最可能的类别：" + "、".join(category_label(c) for c in category.top2)
                )
            st.bar_chart(case_view.category_probability_frame(category), x="类别", y="概率", horizontal=True)
            for reason in category.reasons:
                st.markdown(f"- {md(reason)}")
            for category_id in category.top2 or [category.category]:
                terms = "、".join(category.terms.get(category_id, []))
                st.markdown(f"**{category_label(category_id)}** 支持词：{md(terms) or '无'}")
                for sentence in category.evidence.get(category_id, []):
                    st.markdown(f"> {md(sentence)}")
            if category.llm_category is not None:
                st.markdown(
                    f"**大模型第二意见**：{category_label(category.llm_category)}。{md(category.llm_reason)}"
                )
            st.caption(f"模型版本：{md(category.model_version) or '未记录'}")

    with tab_rules:
        if not view.flags:
            st.success("未发现不符合申报条件的情况。")
        icons = SEVERITY_ICONS
        for index, flag in enumerate(view.flags):
            state = (
                f"（{flag.state.label}：{md(flag.state.username)} {md(flag.state.note)}）"
                if flag.state
                else ""
            )
            st.markdown(f"{icons.get(flag.severity, '')} **{flag.label}** · {flag.severity_label}{state}")
            st.markdown(md(flag.message))
            if flag.evidence:
                st.caption(f"依据：{md(flag.evidence)}")
            if user.can(auth.FLAGS):
                note = st.text_input("处理说明", key=f"flag_note_{case_id}_{index}")
                confirm, dismiss, _ = st.columns([1, 1, 4])
                for column, action, label in ((confirm, "confirmed", "确认"), (dismiss, "dismissed", "排除")):
                    if column.button(label, key=f"flag_{action}_{case_id}_{index}"):
                        done = common.attempt(
                            flag_actions.record_flag_action,
                            engine,
                            user,
                            case_id,
                            flag.code,
                            action,
                            flag.related_id,
                            note,
                        )
                        if done:
                            common.flash(f"已{label}「{flag.label}」。")
                            st.rerun()

    with tab_dupes:
        if not view.matches:
            st.info("未发现与往年案例或本批次案例的重复。")
        for m_index, match in enumerate(view.matches):
            header = (
                f"{match.kind_label}「{md(match.other_title)}」{match.other_year or ''} {match.other_outcome}"
                f" · 相似度 {match.match.score:.2f} · {match.verdict_label}"
            )
            with st.expander(header, expanded=m_index == 0):
                st.caption(f"对方编号 {md(match.match.other_id)}；单位 {md(match.other_unit) or '未知'}")
                for reason in match.match.reasons:
                    st.markdown(f"- {md(reason)}")
                if match.match.new_text_ratio is not None:
                    verdict = {True: "有明显迭代", False: "未见明显迭代", None: "待判断"}[
                        match.match.obvious_iteration
                    ]
                    st.markdown(f"**新内容占比** {match.match.new_text_ratio:.0%} · 建议判断：{verdict}")
                if match.match.iteration_report:
                    sections, items = case_view.iteration_view(match.match.iteration_report)
                    if not sections.empty:
                        st.dataframe(
                            sections,
                            hide_index=True,
                            key=f"iteration_{case_id}_{m_index}",
                            column_config={"新内容占比": st.column_config.NumberColumn(format="percent")},
                        )
                    for label, text in items:
                        st.markdown(f"**{label}**：{md(text)}")
                if match.match.signals:
                    with st.popover("相似度信号"):
                        st.dataframe(
                            case_view.signal_frame(match.match),
                            hide_index=True,
                            key=f"signals_{case_id}_{m_index}",
                        )
                for pair in match.pairs:
                    st.caption(
                        f"相似度 {pair.similarity:.2f}：本案「{md(pair.this_section)}」↔ 对方「{md(pair.other_section)}」"
                    )
                    left, right = st.columns(2)
                    left.markdown(common.segments_html(pair.this_segments), unsafe_allow_html=True)
                    right.markdown(common.segments_html(pair.other_segments), unsafe_allow_html=True)

    with tab_scores:
        if view.ai_scores_hidden:
            st.info("为避免先入为主，AI 评分将在您提交本案例的评审意见后显示。")
        elif not view.scores:
            st.info("尚无 AI 评分。")
        for s_index, result in enumerate(view.scores):
            name = "大模型评分" if result.scorer == "llm" else "离线评分"
            st.subheader(f"{name}{f'（{md(result.model)}）' if result.model else ''}", anchor=False)
            table = pd.DataFrame(
                {"评审标准": list(CRITERIA.values()), "分数": [result.scores.get(k) for k in CRITERIA]}
            )
            st.dataframe(table, hide_index=True, key=f"ai_scores_{case_id}_{s_index}")
            if result.novelty is not None:
                st.caption(f"新颖度（与往年及本批次的距离）：{result.novelty:.2f}")
            for key, label in CRITERIA.items():
                quotes = result.evidence.get(key, [])
                reason = result.reasons.get(key, "")
                if quotes or reason:
                    st.markdown(f"**{label}** {md(reason)}")
                    for quote in quotes:
                        st.markdown(f"> {md(quote)}")
            st.caption("AI 评分只是线索，结论由评审专家作出。")
    with tab_files:
        case_attachments.render(engine, view, settings)

with form_col:
    st.subheader("评审意见")
    common.show_flash()
    latest = view.latest_own
    if view.can_review:
        with st.form(f"review_form_{case_id}"):
            default_category = (latest.final_category if latest else None) or sub.declared_category
            final_category = st.selectbox(
                "最终类别",
                CATEGORY_IDS,
                index=CATEGORY_IDS.index(default_category) if default_category in CATEGORY_IDS else None,
                format_func=category_label,
                key=f"review_category_{case_id}",
            )
            scores = {
                key: st.number_input(
                    f"{label}（{SCORE_MIN}–{SCORE_MAX}）",
                    min_value=SCORE_MIN,
                    max_value=SCORE_MAX,
                    step=1,
                    value=None if latest is None or latest.scores[key] is None else int(latest.scores[key]),
                    key=f"review_{key}_{case_id}",
                )
                for key, label in CRITERIA.items()
            }
            decision = st.radio(
                "评审结论",
                review.DECISIONS,
                index=review.DECISIONS.index(latest.decision)
                if latest and latest.decision in review.DECISIONS
                else None,
                horizontal=True,
                key=f"review_decision_{case_id}",
            )
            comments = st.text_area(
                "评审意见", value=latest.comments if latest else "", key=f"review_comments_{case_id}"
            )
            conflict = st.checkbox("我与本案例存在利益关系，申请回避", key=f"review_conflict_{case_id}")
            submitted = st.form_submit_button("保存评审意见", type="primary", key=f"review_submit_{case_id}")
        if submitted:
            entry = ReviewInput(final_category, scores, decision or "", comments, conflict)
            saved = common.attempt(review.save_review, engine, user, case_id, entry, settings)
            if saved:
                common.flash(f"已保存第 {saved.version} 版评审意见（{saved.created_at:%Y-%m-%d %H:%M:%S}）。")
                st.rerun()
    else:
        st.info(md(view.review_block_reason))
        if user.can(auth.REVIEW) and view.is_current and not (latest and latest.conflict_of_interest):
            note = st.text_input("回避说明（可选）", key=f"conflict_note_{case_id}")
            if st.button("记录回避声明", key=f"declare_conflict_{case_id}"):
                entry = ReviewInput(conflict_of_interest=True, comments=note)
                if common.attempt(review.save_review, engine, user, case_id, entry, settings):
                    common.flash("已记录回避声明。")
                    st.rerun()

    def history_frame(reviews: list[review.Review]) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "专家": r.reviewer,
                    "版本": r.version,
                    "时间": r.created_at,
                    "结论": "回避" if r.conflict_of_interest else r.decision,
                    "总分": r.total,
                    "类别": r.final_category,
                    "意见": r.comments,
                }
                for r in reviews
            ]
        )

    if view.own_reviews:
        st.markdown("**我的各版本**")
        st.dataframe(history_frame(view.own_reviews), hide_index=True, key=f"own_history_{case_id}")
    if view.other_reviews is None:
        st.caption("其他专家的意见在您提交本人评审后可见。")
    elif view.other_reviews:
        st.markdown("**其他专家（含历史版本）**")
        st.dataframe(history_frame(view.other_reviews), hide_index=True, key=f"other_history_{case_id}")
