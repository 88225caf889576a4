"""设置: current values (secrets never shown) and a form for organizers to change them."""

import pandas as pd
import streamlit as st

from app_pages import common
from pipelines import auth, settings_io

user = common.require_user(auth.SETTINGS)
engine = common.engine()
st.title("设置")
common.show_flash()
current = common.settings()

st.subheader("当前设置")
st.dataframe(pd.DataFrame(settings_io.settings_rows(current)), hide_index=True, key="settings_current")
versions = settings_io.list_model_versions()
st.subheader("分类模型版本")
if versions:
    st.dataframe(
        pd.DataFrame([{"版本": v.version, "创建时间": v.created_at, "指标": v.summary} for v in versions]),
        hide_index=True,
        key="settings_versions",
    )
else:
    st.info("models/classifier/ 下还没有训练好的分类模型（运行 python -m pipelines train 生成）。")

st.subheader("修改")
version_choices = ["", *(v.version for v in versions)]
with st.form("settings_form"):
    left, right = st.columns(2)
    changes = {
        "embedder": left.selectbox(
            settings_io.LABELS["embedder"],
            settings_io.EMBEDDERS,
            index=settings_io.EMBEDDERS.index(current.embedder)
            if current.embedder in settings_io.EMBEDDERS
            else 0,
            key="set_embedder",
        ),
        "st_model_dir": left.text_input(
            settings_io.LABELS["st_model_dir"], current.st_model_dir, key="set_st_dir"
        ),
        "embedding_model": left.text_input(
            settings_io.LABELS["embedding_model"], current.embedding_model, key="set_embedding_model"
        ),
        "classifier_version": left.selectbox(
            settings_io.LABELS["classifier_version"],
            version_choices,
            index=version_choices.index(current.classifier_version)
            if current.classifier_version in version_choices
            else 0,
            format_func=lambda v: v or "最新版本",
            key="set_classifier_version",
        ),
        "misfile_threshold": left.number_input(
            settings_io.LABELS["misfile_threshold"],
            0.0,
            1.0,
            float(current.misfile_threshold),
            0.01,
            key="set_misfile",
        ),
        "llm_base_url": right.text_input(
            settings_io.LABELS["llm_base_url"], current.llm_base_url, key="set_llm_url"
        ),
        "llm_model": right.text_input(
            settings_io.LABELS["llm_model"], current.llm_model, key="set_llm_model"
        ),
        "llm_timeout_s": right.number_input(
            settings_io.LABELS["llm_timeout_s"],
            1.0,
            600.0,
            float(current.llm_timeout_s),
            key="set_llm_timeout",
        ),
        "llm_concurrency": right.number_input(
            settings_io.LABELS["llm_concurrency"],
            1,
            64,
            int(current.llm_concurrency),
            key="set_llm_concurrency",
        ),
        "llm_samples": right.number_input(
            settings_io.LABELS["llm_samples"], 1, 10, int(current.llm_samples), key="set_llm_samples"
        ),
        "call_year": left.number_input(
            settings_io.LABELS["call_year"], 2000, 2100, current.call_year, key="set_year"
        ),
        "online_deadline": left.text_input(
            settings_io.LABELS["online_deadline"], current.online_deadline, key="set_deadline"
        ),
        "max_cases_per_category": right.number_input(
            settings_io.LABELS["max_cases_per_category"],
            1,
            50,
            current.max_cases_per_category,
            key="set_max_cases",
        ),
        "blind_review": st.toggle(settings_io.LABELS["blind_review"], current.blind_review, key="set_blind"),
        "hide_ai_scores_until_reviewed": st.toggle(
            settings_io.LABELS["hide_ai_scores_until_reviewed"],
            current.hide_ai_scores_until_reviewed,
            key="set_hide_ai",
        ),
        "login_max_failures": left.number_input(
            settings_io.LABELS["login_max_failures"], 3, 100, current.login_max_failures, key="set_login_max"
        ),
        "login_lockout_minutes": left.number_input(
            settings_io.LABELS["login_lockout_minutes"],
            1.0,
            1440.0,
            float(current.login_lockout_minutes),
            key="set_lockout_minutes",
        ),
        "session_hours": right.number_input(
            settings_io.LABELS["session_hours"],
            0.25,
            720.0,
            float(current.session_hours),
            key="set_session_hours",
        ),
    }
    st.caption("大模型密钥不在页面显示或修改，请通过环境变量 OPENAI_API_KEY 提供。")
    submitted = st.form_submit_button("保存设置", type="primary", key="settings_submit")
if submitted:
    outcome = common.attempt(settings_io.save_settings, engine, user, changes)
    if outcome is not None:
        if not outcome.changed:
            common.flash("没有需要保存的改动。")
        else:
            common.flash("已保存：" + "、".join(settings_io.LABELS.get(k, k) for k in outcome.changed))
        if outcome.overridden_by_env:
            names = "、".join(f"WORKBENCH_{k.upper()}" for k in outcome.overridden_by_env)
            st.session_state["settings_env_warning"] = (
                f"以下设置仍被环境变量覆盖，需管理员取消后才会生效：{names}"
            )
        st.rerun()
if warning := st.session_state.pop("settings_env_warning", None):
    st.warning(common.md(warning))
