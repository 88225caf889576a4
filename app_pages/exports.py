"""导出: results and reviews as Excel, and the Word 评审意见汇总 of the batch."""

from functools import partial

import streamlit as st

from app_pages import common
from pipelines import auth, config
from pipelines.review import export

user, settings, engine = common.open_page(auth.EXPORT, "导出")
year = int(
    st.number_input(
        "申报年度",
        min_value=config.EARLIEST_YEAR,
        max_value=config.LATEST_YEAR,
        value=settings.call_year,
        key="export_year",
    )
)
if user.can(auth.VIEW_ALL_REVIEWS):
    st.caption("Excel 含：结果汇总、评审意见（每位专家最新版本）、评审历史（全部版本）、问题标记及处理。")
else:
    st.caption("导出内容与您在评审队列中能看到的一致：本人的评审意见，以及您已评案例的其他专家意见。")

excel_col, word_col = st.columns(2)
excel_col.download_button(
    "下载 Excel（评审结果）",
    data=partial(export.export_excel, engine, user, year, settings),
    file_name=f"{year}年评审结果.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="export_excel",
    type="primary",
    on_click="ignore",
)
word_col.download_button(
    "下载 Word（评审意见汇总）",
    data=partial(export.export_word, engine, user, year, settings),
    file_name=f"{year}年评审意见汇总.docx",
    mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    key="export_word",
    on_click="ignore",
)
st.subheader("结果预览")
preview = common.attempt(export.results_table, engine, user, year, settings)
if preview is not None:
    st.dataframe(preview, hide_index=True, key="export_preview")
