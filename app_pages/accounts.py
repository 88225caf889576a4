"""账号管理: organizers create accounts, disable or re-enable them, reset passwords and lift login locks."""

import pandas as pd
import streamlit as st

from app_pages import common
from pipelines import accounts, auth

user, _, engine = common.open_page(auth.MANAGE_USERS, "账号管理")
md = common.md
users = common.attempt(accounts.list_users, engine, user)
locked = common.attempt(accounts.locked_accounts, engine, user)
if users is None or locked is None:
    st.stop()
if handout := st.session_state.pop("account_handout", None):
    st.info(md(handout))


def state(account: auth.User) -> str:
    notes = ["正常" if account.active else "已停用"]
    if account.username in locked:
        notes.append("登录已锁定")
    if account.active and account.demo:
        notes.append("演示账号（密码已公开）")
    if account.must_change_password:
        notes.append("临时密码（首次登录须修改）")
    return "，".join(notes)


st.dataframe(
    pd.DataFrame(
        [
            {
                "用户名": u.username,
                "显示名": u.display_name,
                "角色": u.role_label,
                "单位": u.unit,
                "状态": state(u),
            }
            for u in users
        ]
    ),
    hide_index=True,
    key="accounts_table",
)
if demo := [u.username for u in users if u.active and u.demo]:
    st.warning(f"演示账号仍在使用 README 中公开的密码：{md('、'.join(demo))}。正式使用前请停用或重置密码。")

st.subheader("新建账号")
with st.form("account_form", clear_on_submit=True):
    username = st.text_input("用户名（OIDC 登录时填邮箱）", key="account_username")
    display_name = st.text_input("显示名", key="account_display_name")
    role = st.selectbox("角色", list(auth.ROLE_LABELS), format_func=auth.ROLE_LABELS.get, key="account_role")
    unit = st.text_input("所在单位（评审专家必填，用于回避本单位案例）", key="account_unit")
    password = st.text_input(
        "初始密码（留空则自动生成；本人首次登录时须修改）", type="password", key="account_password"
    )
    created = st.form_submit_button("创建", type="primary", key="account_submit")
if created:
    account = common.attempt(
        auth.create_user, engine, user, username, role, password or None, unit, display_name, temporary=True
    )
    if account is not None:
        common.flash(f"已创建{account.user.role_label}账号「{account.user.username}」。")
        if account.generated_password:
            st.session_state["account_handout"] = (
                f"「{account.user.username}」的初始密码：{account.generated_password}（只显示这一次，请转交本人）"
            )
        st.rerun()

st.subheader("停用 / 启用 / 重置密码 / 解锁")
names = [u.username for u in users]
target = st.selectbox("账号", names, key="account_target")
chosen = next(u for u in users if u.username == target)
toggle_col, reset_col, unlock_col = st.columns(3)
toggle_label = "启用" if not chosen.active else "停用"
if toggle_col.button(toggle_label, key="account_toggle") and common.attempt(
    accounts.set_active, engine, user, target, not chosen.active
):
    common.flash(f"已{toggle_label}「{target}」。")
    st.rerun()
if reset_col.button("重置密码", key="account_reset"):
    new_password = common.attempt(accounts.reset_password, engine, user, target)
    if new_password:
        st.session_state["account_handout"] = (
            f"「{target}」的新密码：{new_password}（只显示这一次，请转交本人；首次登录时须修改）"
        )
        st.rerun()
unlock = unlock_col.button("解锁登录", key="account_unlock", disabled=target not in locked)
if unlock and common.attempt(accounts.unlock, engine, user, target):
    common.flash(f"已解锁「{target}」的登录。")
    st.rerun()
