"""The classifier's model card on a page: figures side by side and the reliability diagram (Altair)."""

import altair as alt
import streamlit as st

from pipelines.classify.card_view import model_card_view


def render(version: str | None = None) -> None:
    """Show the card of ``version`` (the version in use by default)."""
    view = model_card_view(version or None)
    if view is None:
        return
    st.subheader(f"模型卡：{view.version}" + ("（当前使用）" if view.active else ""))
    st.caption(
        f"训练数据：{view.training_sources}；{view.calibration}。{view.promotion_reason}。"
        "“有把握”= 预测集合只含一个类别，此时页面只显示一个类别，否则显示两个。"
    )
    st.dataframe(view.figures, key="model_card_figures")
    if view.reliability.empty:
        return
    points = alt.Chart(view.reliability).mark_line(point=True)
    diagonal = (
        alt.Chart(view.reliability.assign(对角=view.reliability["平均概率"]))
        .mark_line(strokeDash=[4, 4], color="gray")
        .encode(x="平均概率:Q", y="对角:Q")
    )
    chart = points.encode(
        x=alt.X("平均概率:Q", scale=alt.Scale(domain=[0, 1]), title="最高概率（分箱平均）"),
        y=alt.Y("准确率:Q", scale=alt.Scale(domain=[0, 1]), title="实际准确率"),
        color=alt.Color("评估:N", title="评估"),
        tooltip=["评估", "区间", "平均概率", "准确率", "件数"],
    )
    st.altair_chart(diagonal + chart, width="stretch", key="model_card_reliability")
    st.caption("可靠性图：点落在虚线上表示“概率 = 实际准确率”；低于虚线表示过于自信。")
