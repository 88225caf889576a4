"""登录: username + password, or the organisation's identity provider (OIDC) when configured."""

import streamlit as st

from app_pages import common
from pipelines import auth

st.title("案例评审工作台")
st.caption("中国行业媒体高质量发展创新案例 · AI 辅助评审")
case = st.query_params.get("case")
if case and case.isdigit():
    st.session_state["pending_case"] = case  # a reloaded case link opens again after signing in

if common.settings().oidc_enabled:
    if st.user.is_logged_in:
        identity = st.user.get("email") or st.user.get("preferred_username") or "（未知身份）"
        st.error(
            f"身份「{common.md(identity)}」尚未开通工作台账号。请联系组织者创建用户名为该邮箱的账号后再登录。"
        )
        st.button("退出统一身份认证", key="oidc_logout", on_click=st.logout)
    else:
        st.button("使用统一身份认证登录", key="oidc_login", type="primary", on_click=st.login)
    st.stop()

with st.form("login_form"):
    username = st.text_input("用户名", key="login_username")
    password = st.text_input("密码", type="password", key="login_password")
    submitted = st.form_submit_button("登录", type="primary", key="login_submit")
if submitted:
    try:
        user = auth.authenticate(common.engine(), username, password, common.client_address())
    except auth.LoginFailed as error:
        st.error(common.md(error.message))
    else:
        common.sign_in(user)
        st.rerun()
