"""案例评审工作台 — the router: page config, login gate, pages chosen by role, run.

Pages live in ``app_pages/`` and stay thin; every rule (who may see or change what) is enforced in
``pipelines/``. Start with ``make run`` or ``streamlit run app.py``.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from app_pages import common
from pipelines import auth

APP_DIR = Path(__file__).parent
# (file in app_pages/, title, icon, permission that opens the page)
PAGES = [
    ("review_queue.py", "评审队列", ":material/format_list_bulleted:", auth.VIEW_QUEUE),
    ("case_detail.py", "案例详情", ":material/description:", auth.VIEW_QUEUE),
    ("intake.py", "材料导入", ":material/upload_file:", auth.INGEST),
    ("dashboard.py", "组织者看板", ":material/dashboard:", auth.DASHBOARD),
    ("trends.py", "趋势分析", ":material/trending_up:", auth.TRENDS),  # added once app_pages/trends.py exists
    ("exports.py", "导出", ":material/download:", auth.EXPORT),
    ("settings_page.py", "设置", ":material/settings:", auth.SETTINGS),
    ("accounts.py", "账号管理", ":material/group:", auth.MANAGE_USERS),
]

st.set_page_config(page_title="案例评审工作台", page_icon=":material/fact_check:", layout="wide")
user = common.current_user()
if user is None:
    # Every page's address leads to the login form, so a reloaded link (…/case_detail?case=12) keeps its
    # address and opens that page once signed in, instead of Streamlit's "page not found".
    login = [st.Page("app_pages/login.py", title="登录", icon=":material/login:", default=True)]
    login += [st.Page("app_pages/login.py", title="登录", url_path=Path(name).stem) for name, *_ in PAGES]
    navigation = st.navigation(login, position="hidden")
else:
    pages = [
        st.Page(f"app_pages/{name}", title=title, icon=icon, default=index == 0)
        for index, (name, title, icon, permission) in enumerate(PAGES)
        if user.can(permission) and (APP_DIR / "app_pages" / name).exists()
    ]
    navigation = st.navigation(pages)
    with st.sidebar:
        st.markdown(f"**{user.label}** · {user.role_label}")
        if user.unit:
            st.caption(user.unit)
        st.button("退出登录", key="sign_out", on_click=common.sign_out)
    pending = st.session_state.pop("pending_case", None)
    if pending:
        common.open_case(int(pending))
navigation.run()
