"""案例评审工作台 — the router: page config, login gate, pages chosen by role, run.

Pages live in ``app_pages/`` and stay thin; every rule (who may see or change what) is enforced in
``pipelines/``. A page the user's role may not open is still routed, hidden from the menu, and answers with
a Chinese message instead of a silent redirect; an address no page has gets a Chinese 页面不存在 page.
Start with ``make run`` or ``streamlit run app.py``.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import streamlit as st

from app_pages import common
from pipelines import accounts, auth

APP_DIR = Path(__file__).parent
# (file in app_pages/, title, icon, permission that opens the page; None = every signed-in user)
PAGES = [
    ("review_queue.py", "评审队列", ":material/format_list_bulleted:", auth.VIEW_QUEUE),
    ("case_detail.py", "案例详情", ":material/description:", auth.VIEW_QUEUE),
    ("intake.py", "材料导入", ":material/upload_file:", auth.INGEST),
    ("dashboard.py", "组织者看板", ":material/dashboard:", auth.DASHBOARD),
    ("trends.py", "趋势分析", ":material/trending_up:", auth.TRENDS),
    ("exports.py", "导出", ":material/download:", auth.EXPORT),
    ("settings_page.py", "设置", ":material/settings:", auth.SETTINGS),
    ("accounts.py", "账号管理", ":material/group:", auth.MANAGE_USERS),
    ("password.py", "修改密码", ":material/password:", None),
]
ADDRESSES = {Path(name).stem for name, *_ in PAGES} | {"login"}


def page_not_found() -> None:
    st.title("页面不存在")
    st.warning("您打开的地址不是工作台的页面，可能是链接有误或页面已改名。请从左侧菜单选择页面，或回到首页。")
    if st.button("回到首页", key="not_found_home", type="primary"):
        st.switch_page(navigation_pages[0])


def unknown_address(only: str | None, title: str) -> list[st.Page]:
    """A hidden page at the address the browser asked for when no page has it, instead of Streamlit's
    English "Page not found" dialog: the login form (or 修改密码) when that is the ``only`` page open, else
    页面不存在. Nothing when the address is known or not a plain page name."""
    path = urlparse(st.context.url or "").path.strip("/")
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    if base and (path == base or path.startswith(f"{base}/")):
        path = path[len(base) :].strip("/")
    name = path.split("/")[0]
    if not name or name in ADDRESSES or not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", name):
        return []
    if only is not None:
        return [st.Page(f"app_pages/{only}", title=title, url_path=name)]
    return [st.Page(page_not_found, title="页面不存在", url_path=name, visibility="hidden")]


st.set_page_config(page_title="案例评审工作台", page_icon=":material/fact_check:", layout="wide")
user = common.current_user()
available = [page for page in PAGES if (APP_DIR / "app_pages" / page[0]).exists()]
if user is None or user.must_change_password:
    # Every page's address leads to the login form (or, with a temporary password, to 修改密码), so a
    # reloaded link (…/case_detail?case=12) keeps its address and opens that page afterwards.
    only = "login.py" if user is None else "password.py"
    title = "登录" if user is None else "修改密码"
    navigation_pages = [st.Page(f"app_pages/{only}", title=title, default=True)]
    navigation_pages += [
        st.Page(f"app_pages/{only}", title=title, url_path=Path(name).stem)
        for name, *_ in available
        if name != only
    ]
    position = "hidden"
else:
    only, title = None, ""
    navigation_pages = [
        st.Page(
            f"app_pages/{name}",
            title=title,
            icon=icon,
            default=index == 0,
            visibility="visible" if permission is None or user.can(permission) else "hidden",
        )
        for index, (name, title, icon, permission) in enumerate(available)
    ]
    position = "sidebar"
navigation = st.navigation(navigation_pages + unknown_address(only, title), position=position)
if user is not None:
    with st.sidebar:
        st.markdown(f"**{common.md(user.label)}** · {user.role_label}")
        if user.unit:
            st.caption(common.md(user.unit))
        if user.demo:
            st.warning("这是演示账号，密码已在 README 中公开：请立即在“修改密码”中改成只有您知道的密码。")
        if user.can(auth.MANAGE_USERS) and (demo := accounts.demo_accounts(common.engine())):
            st.warning(
                f"演示账号仍在使用公开密码：{common.md('、'.join(demo))}。正式使用前请在“账号管理”中停用或重置密码。"
            )
        st.button("退出登录", key="sign_out", on_click=common.sign_out)
    pending = st.session_state.pop("pending_case", None)
    if pending and not user.must_change_password:
        common.open_case(int(pending))
common.sync_session_cookie()
navigation.run()
