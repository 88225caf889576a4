"""The pages on a shared server, through app.py with AppTest: untrusted text never becomes a live link or
image, 10 wrong passwords lock only the attacked account (audited, with Chinese messages), sessions survive a
reload through the session cookie and end on sign-out, temporary and demo passwords, and the smaller items
(related-case label, "—" on the board, queue width)."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace

import pytest
from sqlalchemy import select
from streamlit.runtime import context as st_context
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import UnknownElement

from pipelines import accounts, auth, sessions, store
from pipelines.review import decisions as review
from pipelines.store import AuditRow
from tests import crafted, test_pages, workbench_data
from tests.test_pages import APP, _ok, _on_page, _signed_in, _table, _texts

app_env = test_pages.app_env  # the same fixtures: this test's database and a config file in tmp_path
seeded = test_pages.seeded

LIVE_LINK = re.compile(r"(?<!\\)\]\((?!\s*#)")  # "](" not escaped: a Markdown link or image
LIVE_HTML = re.compile(r"(?<!\\)<\s*(img|a|script|iframe)\b", re.I)


def _walk(node):
    for child in getattr(node, "children", {}).values():
        yield child
        yield from _walk(child)


def _rendered_markdown(at: AppTest) -> list[tuple[str, str]]:
    """(kind, Markdown body) of every element whose text the browser renders as Markdown."""
    bodies = []
    for element in _walk(at._tree):
        kind = type(element).__name__
        proto = getattr(element, "proto", None)
        if kind in {
            "Markdown",
            "Caption",
            "Title",
            "Header",
            "Subheader",
            "Info",
            "Warning",
            "Error",
            "Success",
        }:
            bodies.append((kind, str(element.value)))
        elif kind == "Expander" or (proto is not None and hasattr(proto, "expandable")):
            bodies.append(("Expander", str(getattr(element, "label", ""))))
        elif kind == "Tab":
            bodies.append(("Tab", str(element.label)))
        elif kind == "Metric":
            bodies.append(("Metric", f"{element.label} {element.value}"))
    return bodies


def _assert_nothing_live(at: AppTest) -> int:
    bodies = _rendered_markdown(at)
    for kind, body in bodies:
        assert not LIVE_LINK.search(body), (kind, body)
        if "<mark" in body or body.startswith('<div style="line-height'):  # our highlighter's HTML
            assert "<img" not in body and "<a " not in body and "](" not in body, body
            continue
        assert not LIVE_HTML.search(body) and "<img" not in body and "http://evil" not in body, (kind, body)
    return len(bodies)


def test_a_case_full_of_links_images_and_html_renders_none_of_them_live(app_env):
    case = crafted.seed_crafted(app_env)
    for user in (case.seeded.org, case.seeded.li):  # li has reviewed: sees the AI scores too
        at = _ok(_on_page(_signed_in(user), "case_detail.py", case=case.case_id))
        checked = _assert_nothing_live(at)
        assert checked > 30
        texts = _texts(at)
        assert crafted.LINK in texts and crafted.HTML in texts and crafted.IMAGE in texts  # shown as text
        assert any(crafted.LINK in re.sub(r"\\(.)", r"\1", t.value) for t in at.title)
        highlighted = [m.value for m in at.markdown if m.value.startswith("<div")]
        assert any("&#91;点此&#93;&#40;http&#58;&#47;&#47;evil&#41;" in h for h in highlighted)
    for page in ("review_queue.py", "dashboard.py", "exports.py"):
        _assert_nothing_live(_ok(_on_page(_signed_in(case.seeded.org), page)))


def test_related_case_notice_is_labelled_as_related_not_as_a_duplicate(app_env):
    case = crafted.seed_crafted(app_env)
    at = _ok(_on_page(_signed_in(case.seeded.org), "case_detail.py", case=case.case_id))
    texts = _texts(at)
    assert "**同单位相关案例** · 提示" in texts
    assert "本批重复" not in texts and "本批次重复" not in texts
    queue = _ok(_on_page(at, "review_queue.py"))
    queue.multiselect(key="queue_flags").set_value(["duplicate"])
    _ok(queue.run())
    assert case.case_id not in set(queue.dataframe(key="queue_table").value["编号"])


def _login(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    return _ok(at.button(key="login_submit").click().run())


def test_ten_wrong_passwords_lock_only_that_account_and_every_attempt_is_audited(seeded, app_env):
    at = _ok(AppTest.from_file(APP, default_timeout=60).run())
    for attempt in range(1, 11):
        _login(at, "wang", f"guess-{attempt}")
        assert "用户名或密码错误" in _texts(at)
    assert "已被临时锁定" in _texts(at) and "约 15 分钟" in _texts(at)
    # A new browser session with the right password: still locked (the lock is in the database)
    again = _login(
        _ok(AppTest.from_file(APP, default_timeout=60).run()), "wang", workbench_data.PASSWORDS["wang"]
    )
    assert "账号「wang」因连续多次密码错误已被临时锁定" in _texts(again)
    assert [t.value for t in again.title] == ["案例评审工作台"]
    # Only the attacked account: li signs in
    other = _login(
        _ok(AppTest.from_file(APP, default_timeout=60).run()), "li", workbench_data.PASSWORDS["li"]
    )
    assert [t.value for t in other.title] == ["评审队列"]
    board = _ok(_on_page(_signed_in(seeded.org), "dashboard.py"))
    trail = _table(board, "用户", "操作", "详情")
    assert len(trail[(trail["用户"] == "wang") & (trail["操作"] == "登录失败")]) == 10
    refused = trail[(trail["用户"] == "wang") & (trail["操作"] == "登录被拒绝")]
    assert list(refused["详情"]) == ["原因=账号已锁定"]
    assert len(trail[(trail["用户"] == "li") & (trail["操作"] == "登录成功")]) == 1
    # An organizer lifts the lock on 账号管理
    page = _ok(_on_page(_signed_in(seeded.org), "accounts.py"))
    assert "登录已锁定" in _table(page, "用户名", "状态").set_index("用户名").loc["wang", "状态"]
    page.selectbox(key="account_target").set_value("wang")
    _ok(page.run())
    _ok(page.button(key="account_unlock").click().run())
    assert "已解锁「wang」的登录" in _texts(page)
    unlocked = _login(
        _ok(AppTest.from_file(APP, default_timeout=60).run()), "wang", workbench_data.PASSWORDS["wang"]
    )
    assert [t.value for t in unlocked.title] == ["评审队列"]


class _Browser:
    """What a browser sends when a Streamlit session opens: its cookies and address (AppTest has no browser,
    so the test plays its part through Streamlit's client context)."""

    def __init__(self, monkeypatch, address: str = "", forwarded_for: str = "") -> None:
        self.cookies: dict[str, str] = {}
        self.address = address
        headers = [("X-Forwarded-For", forwarded_for)] if forwarded_for else []
        client = SimpleNamespace(cookies=self.cookies, headers=headers, remote_ip=None)
        monkeypatch.setattr(st_context, "_get_client_context", lambda: client)
        self.client = client

    def open(self) -> AppTest:
        """A new page load (a reload): a fresh Streamlit session with the cookies set so far."""
        self.client.remote_ip = self.address or None
        return _ok(AppTest.from_file(APP, default_timeout=60).run())

    def keep_cookies(self, at: AppTest) -> None:
        """Apply what the page's session-cookie element told the browser to store."""
        for element in _walk(at._tree):
            if (
                isinstance(element, UnknownElement)
                and element.proto.component_name == "workbench_session_cookie"
            ):
                data = json.loads(element.proto.json)
                if data["max_age"] > 0:
                    self.cookies[data["name"]] = data["value"]
                else:
                    self.cookies.pop(data["name"], None)


def test_reload_keeps_the_user_signed_in_until_sign_out_ends_the_session(seeded, app_env, monkeypatch):
    browser = _Browser(monkeypatch)
    at = _login(browser.open(), "li", workbench_data.PASSWORDS["li"])
    browser.keep_cookies(at)
    token = browser.cookies[sessions.COOKIE]
    reloaded = browser.open()
    assert [t.value for t in reloaded.title] == ["评审队列"]
    assert reloaded.session_state["user_id"] == seeded.li.id
    copied = dict(browser.cookies)
    _ok(reloaded.button(key="sign_out").click().run())
    assert [t.value for t in reloaded.title] == ["案例评审工作台"]
    browser.keep_cookies(reloaded)
    assert sessions.COOKIE not in browser.cookies
    assert [t.value for t in browser.open().title] == ["案例评审工作台"]
    browser.cookies.update(copied)  # a copy of the old cookie is dead too: the session ended on the server
    assert [t.value for t in browser.open().title] == ["案例评审工作台"]
    assert sessions.resolve(app_env, token) is None
    session_id, expires, nonce, _signature = token.split(".")
    forged = f"{session_id}.{int(expires) + 86400}.{nonce}.{_signature}"
    browser.cookies[sessions.COOKIE] = forged
    assert [t.value for t in browser.open().title] == ["案例评审工作台"]
    with store.session_scope(app_env) as session:
        actions = list(session.scalars(select(AuditRow.action).where(AuditRow.username == "li")))
    assert actions == ["login", "logout"]


def test_client_address_is_throttled_across_account_names(seeded, app_env, monkeypatch):
    monkeypatch.setenv("WORKBENCH_LOGIN_CLIENT_MAX_FAILURES", "12")
    from pipelines import config

    config.get_settings.cache_clear()
    browser = _Browser(monkeypatch, address="203.0.113.9")
    at = browser.open()
    for attempt in range(12):
        _login(at, f"name{attempt}", "wrong-password")
    assert "此客户端登录失败次数过多" in _texts(at)
    refused = _login(browser.open(), "li", workbench_data.PASSWORDS["li"])
    assert "此客户端登录失败次数过多" in _texts(refused)
    elsewhere = _Browser(monkeypatch, address="198.51.100.7")
    assert [t.value for t in _login(elsewhere.open(), "li", workbench_data.PASSWORDS["li"]).title] == [
        "评审队列"
    ]


def test_behind_a_trusted_proxy_the_forwarded_client_is_throttled_not_the_proxy(seeded, monkeypatch):
    monkeypatch.setenv("WORKBENCH_LOGIN_CLIENT_MAX_FAILURES", "10")
    monkeypatch.setenv("WORKBENCH_LOGIN_TRUST_FORWARDED_FOR", "true")
    from pipelines import config

    config.get_settings.cache_clear()
    attacker = _Browser(monkeypatch, address="10.0.0.2", forwarded_for="1.1.1.1, 203.0.113.9")
    at = attacker.open()
    for attempt in range(10):
        _login(at, f"name{attempt}", "wrong-password")
    assert "此客户端登录失败次数过多" in _texts(at)
    colleague = _Browser(monkeypatch, address="10.0.0.2", forwarded_for="198.51.100.7")  # same proxy
    assert [t.value for t in _login(colleague.open(), "li", workbench_data.PASSWORDS["li"]).title] == [
        "评审队列"
    ]


def test_temporary_password_must_be_changed_at_first_login(seeded, app_env):
    account = auth.create_user(app_env, seeded.org, "expert02", "reviewer", "temp-pass-123", temporary=True)
    at = _login(_ok(AppTest.from_file(APP, default_timeout=60).run()), "expert02", "temp-pass-123")
    assert [t.value for t in at.title] == ["修改密码"]
    assert "临时密码" in _texts(at)
    with pytest.raises(ValueError):
        at.switch_page("app_pages/review_queue.py")  # nothing else is open yet
    at.text_input(key="password_current").input("temp-pass-123")
    at.text_input(key="password_new").input("expert02")
    at.text_input(key="password_confirm").input("expert02")
    _ok(at.button(key="password_submit").click().run())
    assert "密码不能与用户名相同" in _texts(at)
    for key, value in (
        ("current", "temp-pass-123"),
        ("new", "mine-only-2026"),
        ("confirm", "mine-only-2026"),
    ):
        at.text_input(key=f"password_{key}").input(value)
    _ok(at.button(key="password_submit").click().run())
    assert "密码已修改" in _texts(at)
    assert not auth.get_user(app_env, account.user.id).must_change_password
    assert [t.value for t in _ok(_on_page(at, "review_queue.py")).title] == [
        "评审队列"
    ]  # the workbench is open


def test_demo_accounts_are_flagged_until_changed_or_disabled(app_env):
    from pipelines.seed import seed_accounts

    seed_accounts(app_env)
    admin = _login(_ok(AppTest.from_file(APP, default_timeout=60).run()), "admin", "admin-2026")
    assert "这是演示账号，密码已在 README 中公开" in _texts(admin)
    assert "演示账号仍在使用公开密码：admin、analyst、reviewer1、reviewer2" in _texts(admin)
    org = auth.get_user(app_env, admin.session_state["user_id"])
    accounts.set_active(app_env, org, "reviewer2", False)
    page = _ok(_on_page(admin, "password.py"))
    for key, value in (("current", "admin-2026"), ("new", "review-2026"), ("confirm", "review-2026")):
        page.text_input(key=f"password_{key}").input(value)
    _ok(page.button(key="password_submit").click().run())
    assert "公开的演示密码" in _texts(page)
    for key, value in (
        ("current", "admin-2026"),
        ("new", "only-admin-knows"),
        ("confirm", "only-admin-knows"),
    ):
        page.text_input(key=f"password_{key}").input(value)
    _ok(page.button(key="password_submit").click().run())
    texts = _texts(page)
    assert "这是演示账号" not in texts
    assert "演示账号仍在使用公开密码：analyst、reviewer1。" in texts
    assert accounts.demo_accounts(app_env) == ["analyst", "reviewer1"]


def test_board_shows_a_dash_with_a_note_where_fewer_than_two_ratings_exist(seeded, app_env):
    keys = ("political", "innovation", "effectiveness", "typicality")
    review.save_review(
        app_env, seeded.li, seeded.ocean, review.ReviewInput(2, dict.fromkeys(keys, 80), "推荐")
    )
    at = _ok(_on_page(_signed_in(seeded.org), "dashboard.py"))
    agreement = _table(at, "专家之间α")
    assert set(agreement["专家之间α"]) == {"—"} and set(agreement["专家与离线评分α"]) == {"—"}
    scores = _table(at, "标准化平均分")
    assert list(scores["标准化平均分"]) == ["—"]
    for frame in at.dataframe:
        shown = frame.value.astype(str)
        assert not shown.isin(["None", "nan", "NaN", "NaT"]).any().any()
    assert "可配对的评分不足" in _texts(at)
