"""The case page's claims panel: what the case asserts, clause by clause, with kind marks, figures
highlighted, the criteria's findings linking to their claims, and reviewers' "misread" marks.

Claims are applicant text: every piece is escaped (``common.segments_html``, ``common.html_text``,
``common.md``), never rendered as live Markdown or HTML; the only links are anchors to the claims below.
"""

from __future__ import annotations

import streamlit as st
from sqlalchemy.engine import Engine

from app_pages import common
from pipelines import auth
from pipelines.auth import User
from pipelines.claims.marks import MarkError, mark_claim
from pipelines.claims.panel import EFFECT_LABELS, KIND_MARKS, claims_panel
from pipelines.review.case_view import CaseView
from pipelines.vocabulary import CLAIM_KINDS

LEGEND = "　".join(f"{KIND_MARKS[k]} {v}" for k, v in CLAIM_KINDS.items()) + f"　{KIND_MARKS['negated']} 否定"


def _links(numbers: list[int]) -> str:
    return "、".join(f"[第{n}条](#claim-{n})" for n in numbers)


def render(engine: Engine, user: User, view: CaseView) -> None:
    """Show the claims of ``view``'s case beside its text; reviewers and organizers can mark one as misread."""
    panel = claims_panel(engine, view.id, view.submission.text, view.scores)
    with st.expander(f"案例主张（{len(panel.lines)} 条）", expanded=False):
        st.caption(f"{LEGEND}；黄色底纹为数字。主张由机器从原文中切分并判断类型，可能有误。")
        for item in panel.findings:
            cited = "；".join(
                f"{EFFECT_LABELS[effect]}：{_links(numbers)}"
                for effect, numbers in item.cited.items()
                if numbers
            )
            st.markdown(f"**{common.md(item.label)}** {cited or '未引用主张'}  \n{common.md(item.reason)}")
        for line in panel.lines:
            flag = ""
            if line.reviewer_mark and line.reviewer_mark.verdict == "wrong":
                flag = f"　❗{common.html_text(line.reviewer_mark.username)} 标记为识别有误"
            body = common.segments_html(line.segments)
            st.markdown(
                f'<div id="claim-{line.number}"><b>{line.number}.</b> {line.mark} '
                f"<small>{common.html_text(line.label)}</small>{flag}{body}</div>",
                unsafe_allow_html=True,
            )
        if not (user.can(auth.REVIEW) or user.can(auth.FLAGS)) or not panel.lines:
            return
        numbers = [line.number for line in panel.lines]
        chosen = st.selectbox(
            "要标记的主张", numbers, format_func=lambda n: f"第{n}条", key=f"claim_pick_{view.id}"
        )
        note = st.text_input("说明（可选）", key=f"claim_note_{view.id}")
        wrong, withdraw, _ = st.columns([1, 1, 3])
        for column, verdict, label in (
            (wrong, "wrong", "标记为识别有误"),
            (withdraw, "withdrawn", "撤销标记"),
        ):
            if column.button(label, key=f"claim_{verdict}_{view.id}"):
                text = panel.lines[numbers.index(chosen)].claim.text
                try:
                    done = common.attempt(mark_claim, engine, user, view.id, text, verdict, note)
                except MarkError as error:
                    st.error(error.message)
                    done = None
                if done:
                    common.flash(f"已将第{chosen}条主张{done.label}。")
                    st.rerun()
