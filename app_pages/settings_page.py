"""设置: current values (secrets never shown) and a form for organizers to change them."""

from typing import Any

import pandas as pd
import streamlit as st

from app_pages import common, model_card
from pipelines import auth, config, settings_io

user, current, engine = common.open_page(auth.SETTINGS, "设置")

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
model_card.render(current.classifier_version)

# The settings this form changes and each widget's key, left column then right; labels, bounds, choices and
# help come from the settings table (pipelines/config.py).
LEFT = {
    "embedder": "set_embedder",
    "st_model_dir": "set_st_dir",
    "embedding_model": "set_embedding_model",
    "classifier_version": "set_classifier_version",
    "misfile_threshold": "set_misfile",
    "call_year": "set_year",
    "online_deadline": "set_deadline",
    "login_max_failures": "set_login_max",
    "login_lockout_minutes": "set_lockout_minutes",
}
RIGHT = {
    "llm_base_url": "set_llm_url",
    "llm_model": "set_llm_model",
    "llm_timeout_s": "set_llm_timeout",
    "llm_concurrency": "set_llm_concurrency",
    "llm_samples": "set_llm_samples",
    "max_cases_per_category": "set_max_cases",
    "session_hours": "set_session_hours",
}
SWITCHES = {"blind_review": "set_blind", "hide_ai_scores_until_reviewed": "set_hide_ai"}


def widget(place: Any, name: str, key: str, version_choices: list[str]) -> Any:
    """One input for setting ``name``, chosen by its type and metadata, showing the current value."""
    meta = config.setting_meta(name)
    value = getattr(current, name)
    label, help_text = meta["label"], meta["help"] or None
    if name == "classifier_version":  # choices are the trained versions on disk
        index = version_choices.index(value) if value in version_choices else 0
        return place.selectbox(
            label,
            version_choices,
            index=index,
            format_func=lambda v: v or "最新版本",
            key=key,
            help=help_text,
        )
    if meta["choices"]:
        choices = list(meta["choices"])
        index = choices.index(value) if value in choices else 0
        return place.selectbox(label, choices, index=index, key=key, help=help_text)
    if isinstance(value, bool):
        return place.toggle(label, value, key=key, help=help_text)
    if isinstance(value, int | float):
        low, high = (None if b is None else type(value)(b) for b in (meta["minimum"], meta["maximum"]))
        return place.number_input(label, low, high, value, key=key, help=help_text)
    return place.text_input(label, value, key=key, help=help_text)


st.subheader("修改")
version_choices = ["", *(v.version for v in versions)]
with st.form("settings_form"):
    left, right = st.columns(2)
    changes = {name: widget(left, name, key, version_choices) for name, key in LEFT.items()}
    changes |= {name: widget(right, name, key, version_choices) for name, key in RIGHT.items()}
    changes |= {name: widget(st, name, key, version_choices) for name, key in SWITCHES.items()}
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
