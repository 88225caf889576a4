"""Shared by app.py and the pages: cached factories, the signed-in user and their session, error display,
and the one rule for untrusted text.

Untrusted text — anything an applicant wrote (titles, units, form text, file names), anything a model wrote
(reasons, evidence, flag messages) and anything typed by users (comments, notes, names) — reaches a page
only through ``md()`` (for elements that render Markdown: title, markdown, caption, info/warning/error,
expander labels), through ``segments_html()`` (the highlighter: every character that HTML or Markdown could
read as markup becomes an entity), or through text-only elements (``st.dataframe``, ``st.text``, widget
options). Only our own fixed strings are Markdown. Not a page itself; rules live in ``pipelines/``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import NamedTuple, TypeVar

import pandas as pd
import streamlit as st
import streamlit.components.v2 as components
from sqlalchemy.engine import Engine

from pipelines import auth, sessions, store
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
DASH = "—"
# Markdown (CommonMark, GFM autolinks, Streamlit's :color[…] and :icon: directives, $math$) and HTML syntax
# characters: backslash-escaped for Markdown, turned into character references inside our HTML
_MARKDOWN_SYNTAX = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~:$&/=\"'@])")
_HTML_ENTITIES = {ord(c): f"&#{ord(c)};" for c in "&<>\"'`*_{}[]()#+-.!|~:$\\/=@"}
_COOKIE_JS = """
export default function(component) {
  const { data } = component;
  if (!data || !data.name) return;
  const secure = window.location.protocol === "https:" ? "; Secure" : "";
  document.cookie = `${data.name}=${data.value}; Max-Age=${data.max_age}; Path=/; SameSite=Strict${secure}`;
}
"""
_session_cookie = components.component("workbench_session_cookie", js=_COOKIE_JS)


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


def client_address() -> str:
    """The browser's address ('' when unknown, e.g. on localhost): the connection's, or behind a trusted
    reverse proxy (``login_trust_forwarded_for``) the last X-Forwarded-For entry, the one the proxy added."""
    if settings().login_trust_forwarded_for:
        forwarded = st.context.headers.get("X-Forwarded-For")
        if isinstance(forwarded, str) and forwarded.split(",")[-1].strip():
            return forwarded.split(",")[-1].strip()[:64]
    address = st.context.ip_address
    return address if isinstance(address, str) else ""


def browser_cookie(name: str) -> str | None:
    """A cookie the browser sent when this Streamlit session opened (None when absent)."""
    value = st.context.cookies.get(name)
    return value if isinstance(value, str) else None


def current_user() -> User | None:
    """The signed-in account, re-read from the store on every run (a disabled account is out at once).

    A browser that reloads arrives with a new Streamlit session; its session cookie signs it in again while
    the session is valid (signed, not expired, not ended by signing out or by a password reset).
    """
    if settings().oidc_enabled:
        if not st.user.is_logged_in:
            return None
        return auth.user_for_identity(engine(), st.user.get("email"), st.user.get("preferred_username"))
    user_id = st.session_state.get("user_id")
    token = st.session_state.get("session_token")
    if user_id is None:
        token = browser_cookie(sessions.COOKIE)
        user_id = sessions.resolve(engine(), token)
        if user_id is None:
            return None
        st.session_state["user_id"], st.session_state["session_token"] = user_id, token
    elif token and sessions.resolve(engine(), token) != user_id:
        user_id = None  # signed out in another tab, or the password was reset
    user = None if user_id is None else auth.get_user(engine(), user_id)
    if user is None or not user.active:
        for key in ("user_id", "session_token"):
            st.session_state.pop(key, None)
        st.session_state["cookie_clear"] = True
        return None
    return user


def sign_in(user: User) -> None:
    """Start a signed session for ``user`` in this browser (kept in a cookie, so a reload stays signed in)."""
    st.session_state["user_id"] = user.id
    st.session_state["session_token"] = sessions.issue(engine(), user.id, settings(), client_address())
    st.session_state.pop("cookie_clear", None)


def sync_session_cookie() -> None:
    """Keep the browser's session cookie in step: set while signed in, cleared after signing out."""
    token = st.session_state.get("session_token")
    if token:
        data = {"name": sessions.COOKIE, "value": token, "max_age": int(settings().session_hours * 3600)}
    elif st.session_state.get("cookie_clear"):
        data = {"name": sessions.COOKIE, "value": "", "max_age": 0}
    else:
        return
    _session_cookie(data=data, key="session_cookie")


def require_user(permission: str | None = None) -> User:
    """The signed-in user holding ``permission``; otherwise a Chinese message and the page stops."""
    user = current_user()
    if user is None:
        st.warning("请先登录。")
        st.stop()
    try:
        return auth.require(user, permission)
    except auth.PermissionDenied as error:
        st.error(md(error.message + "请从左侧菜单选择您可以使用的页面。"))
        st.stop()
        raise  # unreachable: st.stop() ends the run


class Page(NamedTuple):
    """What every page starts from: the signed-in user, the settings in force and the store."""

    user: User
    settings: Settings
    engine: Engine


def open_page(permission: str | None, title: str | None, *, show_messages: bool = True) -> Page:
    """Every page's first lines: check the user holds ``permission`` (else the page stops), then the title and
    the message a save left for this run.

    Args:
        permission: an ``auth`` permission; None = any signed-in user.
        title: the page title; None when the page sets its own later (e.g. the case's name).
        show_messages: False when the page shows the saved message at a place of its own.

    Returns:
        The user, settings and engine for the rest of the page.
    """
    user = require_user(permission)  # before anything is read or written
    if title is not None:
        st.title(title)
    if show_messages:
        show_flash()
    return Page(user, settings(), engine())


def sign_out() -> None:
    """End the session on the server (a copied cookie is dead too) and forget everything entered here."""
    token = st.session_state.get("session_token")
    user_id = st.session_state.get("user_id")
    if token and sessions.revoke(engine(), token) and user_id is not None:
        user = auth.get_user(engine(), user_id)
        store.audit(engine(), user.username if user else "", "logout", client=client_address())
    st.session_state.clear()
    st.session_state["cookie_clear"] = True
    if settings().oidc_enabled:
        st.logout()


def md(value: object) -> str:
    """Untrusted text made inert for any element that renders Markdown: no link, image, emphasis, heading,
    HTML, directive or formula survives; the text reads the same (escapes are not shown)."""
    escaped = _MARKDOWN_SYNTAX.sub(r"\\\1", "" if value is None else str(value))
    return escaped.replace("\\<", "&lt;").replace("\\>", "&gt;")  # no "<tag" left even in the source


def html_text(value: object) -> str:
    """Untrusted text for our own HTML: every markup character as a character reference, line breaks as <br>."""
    text = ("" if value is None else str(value)).translate(_HTML_ENTITIES)
    return re.sub(r"\r\n|\r|\n", "<br>", text)


def with_dashes(frame: pd.DataFrame, digits: int = 3, keep: tuple[str, ...] = ()) -> pd.DataFrame:
    """A copy for display: missing values (too few ratings, nothing saved yet) as "—" instead of None/NaN;
    numbers rounded to ``digits``. Columns in ``keep`` stay as they are (e.g. for a progress bar)."""
    shown = frame.copy()
    for column in shown.columns:
        if column in keep:
            continue
        values = shown[column]
        if pd.api.types.is_float_dtype(values):
            shown[column] = values.map(lambda v: DASH if pd.isna(v) else f"{v:.{digits}f}")
        elif values.isna().any():
            shown[column] = values.astype(object).where(values.notna(), DASH).astype(str)
    return shown


def attempt(action: Callable[..., T], *args: object, **kwargs: object) -> T | None:
    """Run a pipelines call; show its Chinese message instead of a traceback when it refuses."""
    try:
        return action(*args, **kwargs)
    except (auth.PermissionDenied, auth.AccountError, ReviewError, SettingsError) as error:
        st.error(md(error.message))
        return None


def flash(message: str) -> None:
    """A success message that survives the rerun that follows a save."""
    st.session_state["flash"] = message


def show_flash() -> None:
    message = st.session_state.pop("flash", None)
    if message:
        st.success(md(message))


def open_case(case_id: int) -> None:
    """Go to the case page for ``case_id`` (kept in the URL so a reload stays on it)."""
    st.session_state["case_id"] = case_id
    st.switch_page(CASE_PAGE, query_params={"case": str(case_id)})


def segments_html(segments: Sequence[Segment]) -> str:
    """Escaped HTML with highlighted segments as ``<mark>`` (colour by evidence kind)."""
    parts = []
    for segment in segments:
        text = html_text(segment.text)
        color = HIGHLIGHT_COLORS.get(segment.tag or "")
        if color is None and segment.tag and segment.tag.startswith("category"):
            color = CATEGORY_COLOR
        parts.append(f'<mark style="background:{color}">{text}</mark>' if color else text)
    return '<div style="line-height:1.8">' + "".join(parts) + "</div>"
