"""Shared by app.py and the pages: cached factories, the signed-in user, error display, highlighted text.

Not a page itself. Nothing here decides anything: permissions and rules live in ``pipelines/``.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import TypeVar

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine

from pipelines import auth, store
from pipelines.auth import User
from pipelines.config import Settings, get_settings
from pipelines.review import queue
from pipelines.review.case_view import Segment
from pipelines.review.decisions import ReviewError
from pipelines.settings_io import SettingsError

T = TypeVar("T")
CASE_PAGE = "app_pages/case_detail.py"
QUEUE_PAGE = "app_pages/review_queue.py"
HIGHLIGHT_COLORS = {
    "same": "#ffd7a8",
    "political": "#f8c9c9",
    "innovation": "#cfe3ff",
    "effectiveness": "#c9f0d0",
    "typicality": "#ead5ff",
}
CATEGORY_COLOR = "#fff3a0"


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    """One engine (connection pool) per database URL for the whole server; sessions are opened per call."""
    return store.get_engine(url)


def settings() -> Settings:
    return get_settings()


def engine() -> Engine:
    return _engine(settings().database_url)


@st.cache_data(max_entries=64, show_spinner=False)
def _queue_frame(
    _engine: Engine, user: User, settings: Settings, year: int, version: tuple[int, ...]
) -> pd.DataFrame:
    return queue.queue_frame(_engine, user, settings, year)


def queue_frame(user: User) -> pd.DataFrame:
    """The user's whole queue, rebuilt only when the data changed (keyed by user, settings and data version)."""
    current = settings()
    return _queue_frame(engine(), user, current, current.call_year, queue.data_version(engine()))


def current_user() -> User | None:
    """The signed-in account, re-read from the store on every run (a disabled account is out at once)."""
    if settings().oidc_enabled:
        if not st.user.is_logged_in:
            return None
        return auth.user_for_identity(engine(), st.user.get("email"), st.user.get("preferred_username"))
    user_id = st.session_state.get("user_id")
    if user_id is None:
        return None
    user = auth.get_user(engine(), user_id)
    if user is None or not user.active:
        st.session_state.pop("user_id", None)
        return None
    return user


def require_user() -> User:
    user = current_user()
    if user is None:
        st.warning("请先登录。")
        st.stop()
    return user


def sign_out() -> None:
    """Forget this browser session's login and everything it had entered."""
    st.session_state.clear()
    if settings().oidc_enabled:
        st.logout()


def attempt(action: Callable[..., T], *args: object, **kwargs: object) -> T | None:
    """Run a pipelines call; show its Chinese message instead of a traceback when it refuses."""
    try:
        return action(*args, **kwargs)
    except (auth.PermissionDenied, auth.AccountError, ReviewError, SettingsError) as error:
        st.error(error.message)
        return None


def flash(message: str) -> None:
    """A success message that survives the rerun that follows a save."""
    st.session_state["flash"] = message


def show_flash() -> None:
    message = st.session_state.pop("flash", None)
    if message:
        st.success(message)


def open_case(case_id: int) -> None:
    """Go to the case page for ``case_id`` (kept in the URL so a reload stays on it)."""
    st.session_state["case_id"] = case_id
    st.switch_page(CASE_PAGE, query_params={"case": str(case_id)})


def segments_html(segments: Sequence[Segment]) -> str:
    """Escaped HTML with highlighted segments as ``<mark>`` (colour by evidence kind)."""
    parts = []
    for segment in segments:
        text = html.escape(segment.text).replace("\n", "<br>")
        color = HIGHLIGHT_COLORS.get(segment.tag or "")
        if color is None and segment.tag and segment.tag.startswith("category"):
            color = CATEGORY_COLOR
        parts.append(f'<mark style="background:{color}">{text}</mark>' if color else text)
    return '<div style="line-height:1.8">' + "".join(parts) + "</div>"
