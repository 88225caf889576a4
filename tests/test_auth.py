from __future__ import annotations

import pytest
from sqlalchemy import select

from pipelines import accounts, auth, store
from pipelines.__main__ import main as cli


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
