from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from pipelines import accounts, auth, sessions, store
from pipelines.__main__ import main as cli
from pipelines.config import Settings
from pipelines.login import LoginThrottleRow
from pipelines.store import utcnow


def _organizer(engine) -> auth.User:
    return auth.create_user(engine, auth.SYSTEM, "org", "organizer", "org-password-1").user


def test_password_is_stored_only_as_argon2_hash(engine):
    auth.create_user(engine, auth.SYSTEM, "wang", "reviewer", "s3cret-pass", unit="中国建材时报社")
    with store.session_scope(engine) as session:
        row = session.scalar(select(store.UserRow).where(store.UserRow.username == "wang"))
    assert row.password_hash.startswith("$argon2id$")
    assert "s3cret-pass" not in row.password_hash
    user = auth.authenticate(engine, "wang", "s3cret-pass")
    assert (user.username, user.role, user.unit) == ("wang", "reviewer", "中国建材时报社")


def test_wrong_password_unknown_user_and_disabled_account_fail_with_chinese_message(engine):
    org = _organizer(engine)
    auth.create_user(engine, org, "li", "reviewer", "correct-horse")
    with pytest.raises(auth.LoginFailed, match="用户名或密码错误"):
        auth.authenticate(engine, "li", "wrong-horse")
    with pytest.raises(auth.LoginFailed, match="用户名或密码错误"):
        auth.authenticate(engine, "nobody", "correct-horse")
    accounts.set_active(engine, org, "li", False)
    with pytest.raises(auth.LoginFailed, match="已停用"):
        auth.authenticate(engine, "li", "correct-horse")


def test_only_organizers_create_accounts(engine):
    org = _organizer(engine)
    reviewer = auth.create_user(engine, org, "zhao", "reviewer", "password-1").user
    analyst = auth.create_user(engine, org, "qian", "analyst", "password-2").user
    for actor in (reviewer, analyst):
        with pytest.raises(auth.PermissionDenied, match="无权管理账号"):
            auth.create_user(engine, actor, "sneaky", "organizer", "password-3")
    assert [u.username for u in accounts.list_users(engine, org)] == ["qian", "org", "zhao"]


def test_bad_account_data_is_rejected(engine):
    org = _organizer(engine)
    with pytest.raises(auth.AccountError, match="已存在"):
        auth.create_user(engine, org, "org", "reviewer", "password-9")
    with pytest.raises(auth.AccountError, match="角色"):
        auth.create_user(engine, org, "sun", "admin", "password-9")
    with pytest.raises(auth.AccountError, match="至少需要 8 个字符"):
        auth.create_user(engine, org, "sun", "reviewer", "short")
    with pytest.raises(auth.AccountError, match="用户名"):
        auth.create_user(engine, org, "有 空格", "reviewer", "password-9")
    with pytest.raises(auth.AccountError, match="自己"):
        accounts.set_active(engine, org, "org", False)


def test_generated_password_works_once_handed_out(engine):
    org = _organizer(engine)
    account = auth.create_user(engine, org, "zhou", "reviewer")
    assert len(account.generated_password) >= 12
    assert auth.authenticate(engine, "zhou", account.generated_password).username == "zhou"
    new_password = accounts.reset_password(engine, org, "zhou")
    with pytest.raises(auth.LoginFailed):
        auth.authenticate(engine, "zhou", account.generated_password)
    assert auth.authenticate(engine, "zhou", new_password).username == "zhou"


def test_role_permissions():
    reviewer = auth.User(1, "r", "reviewer")
    analyst = auth.User(2, "a", "analyst")
    organizer = auth.User(3, "o", "organizer")
    assert auth.require(reviewer, auth.REVIEW) is reviewer
    with pytest.raises(auth.PermissionDenied, match="分析员「a」无权提交或修改评审意见"):
        auth.require(analyst, auth.REVIEW)
    with pytest.raises(auth.PermissionDenied, match="无权确认或排除问题标记"):
        auth.require(reviewer, auth.FLAGS)
    with pytest.raises(auth.PermissionDenied, match="请先登录"):
        auth.require(None, auth.VIEW_QUEUE)
    with pytest.raises(auth.PermissionDenied, match="已停用"):
        auth.require(auth.User(4, "x", "organizer", active=False), auth.VIEW_QUEUE)
    assert organizer.can(auth.SETTINGS) and not reviewer.can(auth.SETTINGS)
    assert not reviewer.can(auth.VIEW_ALL_REVIEWS) and analyst.can(auth.VIEW_ALL_REVIEWS)


def test_oidc_identity_maps_to_existing_active_account_only(engine):
    org = _organizer(engine)
    auth.create_user(engine, org, "expert@example.org", "reviewer", "password-1")
    auth.create_user(engine, org, "liu", "analyst", "password-2")
    assert auth.user_for_identity(engine, "expert@example.org").username == "expert@example.org"
    assert auth.user_for_identity(engine, "liu@other.org", "liu").username == "liu"
    assert auth.user_for_identity(engine, "stranger@example.org", "stranger") is None
    assert auth.user_for_identity(engine, None, None) is None
    accounts.set_active(engine, org, "liu", False)
    assert auth.user_for_identity(engine, "liu@other.org", "liu") is None


def test_cli_user_add_and_list(sqlite_url, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    from pipelines.config import get_settings

    get_settings.cache_clear()
    try:
        assert (
            cli(["user", "add", "--username", "chen", "--role", "reviewer", "--unit", "中国能源观察报社"])
            == 0
        )
        printed = capsys.readouterr().out
        assert "已创建评审专家账号「chen」" in printed
        password = printed.split("：")[-1].strip()
        assert (
            cli(["user", "add", "--username", "chen", "--role", "reviewer", "--password", "password-1"]) == 1
        )
        assert "已存在" in capsys.readouterr().err
        assert cli(["user", "list"]) == 0
        assert "chen\t评审专家\t中国能源观察报社" in capsys.readouterr().out
        assert auth.authenticate(store.get_engine(sqlite_url), "chen", password).username == "chen"
    finally:
        get_settings.cache_clear()
        store.dispose_engines()


LOCKS = Settings(login_max_failures=10, login_lockout_minutes=15, login_client_max_failures=30)


def _audit(engine, username: str) -> list[tuple[str, dict]]:
    with store.session_scope(engine) as session:
        query = select(store.AuditRow).where(store.AuditRow.username == username).order_by(store.AuditRow.id)
        return [(row.action, row.detail) for row in session.scalars(query)]


def _expire_locks(engine) -> None:
    """Let every lock run out (as if the lockout period had passed)."""
    with store.session_scope(engine) as session:
        session.execute(update(LoginThrottleRow).values(locked_until=utcnow() - timedelta(seconds=1)))


def test_ten_wrong_passwords_lock_only_that_account_for_the_set_period(engine):
    org = _organizer(engine)
    auth.create_user(engine, org, "li", "reviewer", "correct-horse")
    auth.create_user(engine, org, "zhao", "reviewer", "battery-staple")
    for attempt in range(1, 10):
        with pytest.raises(auth.LoginFailed, match="用户名或密码错误") as failed:
            auth.authenticate(engine, "li", f"wrong-{attempt}", settings=LOCKS)
        assert ("再错" in failed.value.message) == (attempt >= 7)
    with pytest.raises(auth.LoginFailed, match="已被临时锁定，请约 15 分钟后再试"):
        auth.authenticate(engine, "li", "wrong-10", settings=LOCKS)
    with pytest.raises(auth.LoginFailed, match="已被临时锁定"):
        auth.authenticate(engine, "li", "correct-horse", settings=LOCKS)  # right password, still locked
    assert auth.authenticate(engine, "zhao", "battery-staple", settings=LOCKS).username == "zhao"
    actions = [action for action, _ in _audit(engine, "li")]
    assert actions == ["login_failed"] * 10 + ["login_refused"]
    assert _audit(engine, "li")[9][1] == {"client": "", "failures": 10, "locked": "account"}
    _expire_locks(engine)
    assert auth.authenticate(engine, "li", "correct-horse", settings=LOCKS).username == "li"


def test_lockout_period_is_a_setting_and_unknown_names_lock_alike(engine):
    short = Settings(login_max_failures=3, login_lockout_minutes=2)
    for _ in range(2):
        with pytest.raises(auth.LoginFailed, match="用户名或密码错误"):
            auth.authenticate(engine, "ghost", "x", settings=short)
    with pytest.raises(auth.LoginFailed, match="约 2 分钟"):
        auth.authenticate(engine, "ghost", "x", settings=short)  # no account: same answer, no enumeration


def test_a_success_resets_the_count_and_an_organizer_can_unlock(engine):
    org = _organizer(engine)
    auth.create_user(engine, org, "li", "reviewer", "correct-horse")
    for _ in range(9):
        with pytest.raises(auth.LoginFailed):
            auth.authenticate(engine, "li", "wrong", settings=LOCKS)
    auth.authenticate(engine, "li", "correct-horse", settings=LOCKS)
    for _ in range(10):  # the earlier nine no longer count: ten more are needed
        with pytest.raises(auth.LoginFailed):
            auth.authenticate(engine, "li", "wrong", settings=LOCKS)
    assert set(accounts.locked_accounts(engine, org)) == {"li"}
    assert accounts.unlock(engine, org, "li") is True
    assert auth.authenticate(engine, "li", "correct-horse", settings=LOCKS).username == "li"
    reviewer = auth.authenticate(engine, "li", "correct-horse", settings=LOCKS)
    with pytest.raises(auth.PermissionDenied):
        accounts.unlock(engine, reviewer, "li")


def test_one_client_address_is_throttled_whatever_names_it_tries(engine):
    org = _organizer(engine)
    auth.create_user(engine, org, "li", "reviewer", "correct-horse")
    settings = Settings(login_client_max_failures=12, login_client_window_minutes=15)
    for attempt in range(12):
        with pytest.raises(auth.LoginFailed):
            auth.authenticate(engine, f"name{attempt}", "x", client="203.0.113.9", settings=settings)
    with pytest.raises(auth.LoginFailed, match="此客户端登录失败次数过多"):
        auth.authenticate(engine, "li", "correct-horse", client="203.0.113.9", settings=settings)
    assert auth.authenticate(engine, "li", "correct-horse", client="198.51.100.7", settings=settings)
    assert auth.authenticate(
        engine, "li", "correct-horse", settings=settings
    )  # no address known: no throttle


def test_temporary_passwords_and_changing_ones_own(engine):
    org = _organizer(engine)
    generated = auth.create_user(engine, org, "zhou", "reviewer")
    assert generated.user.must_change_password
    chosen = auth.create_user(engine, org, "wu", "reviewer", "given-by-cli").user
    assert not chosen.must_change_password  # a password the owner chose (e.g. on the command line)
    zhou = auth.authenticate(engine, "zhou", generated.generated_password)
    for current, new, confirm, problem in (
        (generated.generated_password, "new-pass-1", "new-pass-2", "两次输入的新密码不一致"),
        (generated.generated_password, "short", "short", "至少需要 8 个字符"),
        (generated.generated_password, "ZHOU", "ZHOU", "至少需要"),
        (generated.generated_password, "review-2026", "review-2026", "公开的演示密码"),
        ("not-the-password", "new-pass-1", "new-pass-1", "当前密码不正确"),
    ):
        with pytest.raises(auth.AccountError, match=problem):
            auth.change_password(engine, zhou, current, new, confirm)
    changed = auth.change_password(
        engine, zhou, generated.generated_password, "zhou-own-pass", "zhou-own-pass"
    )
    assert not changed.must_change_password
    assert auth.authenticate(engine, "zhou", "zhou-own-pass").username == "zhou"
    accounts.reset_password(engine, org, "zhou")
    assert auth.get_user(engine, zhou.id).must_change_password  # an organizer's new password is temporary


def test_session_tokens_are_signed_expire_and_end_on_revocation(engine):
    org = _organizer(engine)
    token = sessions.issue(engine, org.id, Settings(session_hours=1))
    assert sessions.resolve(engine, token) == org.id
    session_id, expires, nonce, signature = token.split(".")
    assert sessions.resolve(engine, f"{session_id}.{int(expires) + 3600}.{nonce}.{signature}") is None
    assert sessions.resolve(engine, f"{session_id}.{expires}.{nonce}x.{signature}") is None
    assert sessions.resolve(engine, "garbage") is None and sessions.resolve(engine, None) is None
    other = sessions.issue(engine, org.id)
    assert sessions.revoke(engine, token) is True
    assert sessions.resolve(engine, token) is None and sessions.resolve(engine, other) == org.id
    expired = sessions.issue(engine, org.id, Settings(session_hours=1))
    with store.session_scope(engine) as session:
        session.execute(
            update(sessions.SessionRow)
            .where(sessions.SessionRow.id == expired.split(".")[0])
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    assert sessions.resolve(engine, expired) is None
    accounts.reset_password(engine, org, "org", "org-new-pass-1")
    assert sessions.resolve(engine, other) is None  # a password reset ends every session of the account
    with store.session_scope(engine) as session:
        stored = [row.nonce_hash for row in session.scalars(select(sessions.SessionRow))]
    assert all(nonce not in value for value in stored)  # the store never holds a usable token


def test_migration_flags_demo_accounts_still_on_published_passwords(tmp_path):
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine, text

    from pipelines.config import PROJ_ROOT

    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    config = Config()
    config.set_main_option("script_location", str(PROJ_ROOT / "migrations"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        for name, password in (("admin", "admin-2026"), ("analyst", "changed-long-ago")):
            connection.execute(
                text(
                    "INSERT INTO users (username, display_name, role, unit, password_hash, active, created_at)"
                    " VALUES (:u, '', 'organizer', '', :h, 1, '2026-01-01')"
                ),
                {"u": name, "h": auth.hash_password(password)},
            )
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")
        flags = dict(connection.execute(text("SELECT username, demo FROM users")).all())
    assert flags == {"admin": 1, "analyst": 0}
    engine.dispose()


def test_disabling_ends_sessions_and_a_re_enabled_demo_account_is_flagged_again(engine):
    org = _organizer(engine)
    demo = auth.create_user(
        engine, org, "reviewer1", "reviewer", "review-2026", temporary=False, demo=True
    ).user
    token = sessions.issue(engine, demo.id)
    assert accounts.demo_accounts(engine) == ["reviewer1"]
    accounts.set_active(engine, org, "reviewer1", False)
    assert accounts.demo_accounts(engine) == [] and sessions.resolve(engine, token) is None
    accounts.set_active(engine, org, "reviewer1", True)
    assert accounts.demo_accounts(engine) == ["reviewer1"] and sessions.resolve(engine, token) is None
