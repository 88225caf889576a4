"""Account management for organizers: list, disable or re-enable, reset passwords, lift login locks, the
demo accounts still on published passwords; and the ``user`` command line verb.

Creating an account and checking a password live in ``pipelines.auth``.
"""

from __future__ import annotations

import argparse
import secrets
import sys
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Engine

from pipelines import auth, login, sessions, store
from pipelines.auth import User
from pipelines.store import AuditRow, UserRow, utcnow


def list_users(engine: Engine, actor: User) -> list[User]:
    """All accounts ordered by role then username (organizers only)."""
    auth.require(actor, auth.MANAGE_USERS)
    with store.session_scope(engine) as session:
        rows = session.scalars(select(UserRow).order_by(UserRow.role, UserRow.username))
        return [auth.to_user(row) for row in rows]


def list_reviewers(engine: Engine) -> list[User]:
    """Active reviewer accounts (for progress and agreement tables)."""
    query = (
        select(UserRow).where(UserRow.role == "reviewer", UserRow.active.is_(True)).order_by(UserRow.username)
    )
    with store.session_scope(engine) as session:
        return [auth.to_user(row) for row in session.scalars(query)]


def set_active(engine: Engine, actor: User, username: str, active: bool) -> User:
    """Disable or re-enable an account (organizers only; nobody can disable their own account)."""
    auth.require(actor, auth.MANAGE_USERS)
    if username == actor.username and not active:
        raise auth.AccountError("不能停用自己正在使用的账号。")
    with store.session_scope(engine) as session:
        row = auth.row_or_error(session, username)
        row.active = (
            active  # a disabled demo account is not flagged (lists show active ones) until re-enabled
        )
        session.add(
            AuditRow(
                username=actor.username, action="set_active", detail={"user": username, "active": active}
            )
        )
        changed = auth.to_user(row)
    if not active:
        sessions.revoke_user(engine, changed.id)  # re-enabling later does not bring old sessions back
    return changed


def reset_password(engine: Engine, actor: User, username: str, password: str | None = None) -> str:
    """Set a new password (organizers only); returns the generated one when none was given, else ``""``."""
    auth.require(actor, auth.MANAGE_USERS)
    generated = "" if password else secrets.token_urlsafe(12)
    auth.check_new_password(password or generated)
    with store.session_scope(engine) as session:
        row = auth.row_or_error(session, username)
        row.password_hash = auth.hash_password(password or generated)
        row.must_change_password, row.demo = True, False  # the organizer knows it: the owner must change it
        login.unlock(session, username)
        session.add(AuditRow(username=actor.username, action="reset_password", detail={"user": username}))
        user_id = row.id
    sessions.revoke_user(engine, user_id)
    return generated


def unlock(engine: Engine, actor: User, username: str) -> bool:
    """Lift a login lock before it runs out (organizers only); True when the account was locked."""
    auth.require(actor, auth.MANAGE_USERS)
    with store.session_scope(engine) as session:
        auth.row_or_error(session, username)
        was_locked = login.unlock(session, username)
        session.add(AuditRow(username=actor.username, action="unlock", detail={"user": username}))
    return was_locked


def locked_accounts(engine: Engine, actor: User) -> dict[str, datetime]:
    """Account name → end of its login lock (UTC), for the locks in force (organizers only)."""
    auth.require(actor, auth.MANAGE_USERS)
    with store.session_scope(engine) as session:
        return login.locked_accounts(session, utcnow())


def demo_accounts(engine: Engine) -> list[str]:
    """Active accounts that still use a published demo password."""
    query = select(UserRow.username).where(UserRow.demo.is_(True), UserRow.active.is_(True))
    with store.session_scope(engine) as session:
        return sorted(session.scalars(query))


def add_cli(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("user", help="账号管理：user add / user list")
    verbs = parser.add_subparsers(dest="user_verb", metavar="add|list")
    add = verbs.add_parser("add", help="创建账号")
    add.add_argument("--username", required=True, help="用户名（OIDC 登录时填邮箱）")
    add.add_argument("--role", required=True, choices=sorted(auth.ROLE_LABELS), help="角色")
    add.add_argument("--unit", default="", help="所在单位（用于回避同单位案例）")
    add.add_argument("--password", default=None, help="初始密码；不填则随机生成并显示一次")
    add.add_argument("--display-name", default="", help="显示名")
    add.set_defaults(func=_cli_add)
    listing = verbs.add_parser("list", help="列出账号")
    listing.set_defaults(func=_cli_list)


def _cli_add(args: argparse.Namespace) -> int:
    try:
        account = auth.create_user(
            store.get_engine(),
            auth.SYSTEM,
            args.username,
            args.role,
            args.password,
            args.unit,
            args.display_name,
        )
    except auth.AccountError as error:
        print(f"创建账号失败：{error.message}", file=sys.stderr)
        return 1
    print(f"已创建{account.user.role_label}账号「{account.user.username}」。")
    if account.generated_password:
        print(f"初始密码（只显示这一次，请转交本人并提醒修改）：{account.generated_password}")
    return 0


def _cli_list(_args: argparse.Namespace) -> int:
    for user in list_users(store.get_engine(), auth.SYSTEM):
        state = "" if user.active else "（已停用）"
        print(f"{user.username}\t{user.role_label}\t{user.unit}\t{user.display_name}{state}")
    return 0
