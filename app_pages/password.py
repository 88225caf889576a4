"""修改密码: for every signed-in user; the only page open while a temporary password is in use."""

import streamlit as st

from app_pages import common
from pipelines import auth

user, _, engine = common.open_page(None, "修改密码")  # any signed-in user
if user.must_change_password:
    st.warning("您正在使用组织者设置的临时密码。请先设置只有您知道的新密码，然后才能使用工作台。")
elif user.demo:
    st.warning("这是演示账号，密码已在 README 中公开。请改成只有您知道的密码，或请组织者停用本账号。")

with st.form("password_form", clear_on_submit=True):
    current = st.text_input("当前密码", type="password", key="password_current")
    new = st.text_input(
        f"新密码（至少 {auth.MIN_PASSWORD_LENGTH} 个字符）", type="password", key="password_new"
    )
    confirm = st.text_input("再次输入新密码", type="password", key="password_confirm")
    submitted = st.form_submit_button("修改密码", type="primary", key="password_submit")
if submitted:
    token = st.session_state.get("session_token")
    changed = common.attempt(auth.change_password, engine, user, current, new, confirm, keep_session=token)
    if changed is not None:
        common.flash("密码已修改；您在其他浏览器中的登录已全部退出。")
        st.rerun()
