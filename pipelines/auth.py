"""Accounts, roles and permission checks.

Passwords are stored only as Argon2id hashes (argon2-cffi, OWASP parameters). Every action of the workbench
calls ``require(user, permission)`` in ``pipelines/``, so hiding a button in the UI is never the only guard.
Roles: 评审专家 (reviewer) scores cases, 组织者 (organizer) runs the call, 分析员 (analyst) reads and analyses.
"""

from __future__ import annotations

import argparse
import re
import secrets
import sys
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from pipelines import store
from pipelines.store import AuditRow, UserRow

ROLE_LABELS: dict[str, str] = {"reviewer": "评审专家", "organizer": "组织者", "analyst": "分析员"}

VIEW_QUEUE = "view_queue"
REVIEW = "review"
VIEW_ALL_REVIEWS = "view_all_reviews"
INGEST = "ingest"
FLAGS = "flags"
DASHBOARD = "dashboard"
EXPORT = "export"
SETTINGS = "settings"
MANAGE_USERS = "manage_users"
TRENDS = "trends"

PERMISSION_LABELS: dict[str, str] = {
    VIEW_QUEUE: "查看评审队列",
    REVIEW: "提交或修改评审意见",
    VIEW_ALL_REVIEWS: "查看全部评审专家的意见",
    INGEST: "导入申报材料",
    FLAGS: "确认或排除问题标记",
    DASHBOARD: "查看组织者看板",
    EXPORT: "导出评审结果",
    SETTINGS: "修改系统设置",
    MANAGE_USERS: "管理账号",
    TRENDS: "查看趋势分析",
}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "reviewer": frozenset({VIEW_QUEUE, REVIEW, EXPORT}),
    "organizer": frozenset(
        {VIEW_QUEUE, VIEW_ALL_REVIEWS, INGEST, FLAGS, DASHBOARD, EXPORT, SETTINGS, MANAGE_USERS, TRENDS}
    ),
    "analyst": frozenset({VIEW_QUEUE, VIEW_ALL_REVIEWS, DASHBOARD, EXPORT, TRENDS}),
}

# OWASP's Argon2id recommendation (19 MiB, 2 passes, 1 lane): about 50 ms per hash on the target machine.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
_DUMMY_HASH = _HASHER.hash("不存在的账号")
_USERNAME = re.compile(r"^[A-Za-z0-9_.@\-]{2,64}$")
MIN_PASSWORD_LENGTH = 8


class PermissionDenied(Exception):
    """The user may not do this; ``message`` says so in Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class AccountError(ValueError):
    """Invalid account data (duplicate name, unknown role, weak password); Chinese message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class LoginFailed(Exception):
    """Wrong credentials or a disabled account; Chinese message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class User:
    """An account as the rest of the workbench sees it (never carries the password hash)."""

    id: int
    username: str
    role: str
    display_name: str = ""
    unit: str = ""
    active: bool = True

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    @property
    def label(self) -> str:
        return self.display_name or self.username

    def can(self, permission: str) -> bool:
        return self.active and permission in ROLE_PERMISSIONS.get(self.role, frozenset())


# The command line acts as a trusted local administrator (whoever can run it can read the database anyway).
SYSTEM = User(id=0, username="cli", role="organizer", display_name="命令行")


@dataclass(frozen=True)
class NewAccount:
    user: User
    generated_password: str = ""  # set only when the password was generated; hand it out once


def require(user: User | None, permission: str) -> User:
    """Raise ``PermissionDenied`` unless ``user`` holds ``permission``.

    Returns:
        The same user, so callers can write ``user = require(user, REVIEW)``.
    """
    action = PERMISSION_LABELS.get(permission, permission)
    if user is None:
        raise PermissionDenied(f"请先登录后再{action}。")
    if not user.active:
        raise PermissionDenied(f"账号「{user.username}」已停用，无法{action}；请联系组织者。")
    if not user.can(permission):
        allowed = "、".join(ROLE_LABELS[r] for r, perms in ROLE_PERMISSIONS.items() if permission in perms)
        raise PermissionDenied(f"{user.role_label}「{user.username}」无权{action}（仅限{allowed}）。")
    return user


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _to_user(row: UserRow) -> User:
    return User(row.id, row.username, row.role, row.display_name, row.unit, row.active)


def _check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"密码至少需要 {MIN_PASSWORD_LENGTH} 个字符，请换一个更长的密码。")


def create_user(
    engine: Engine,
    actor: User,
    username: str,
    role: str,
    password: str | None = None,
    unit: str = "",
    display_name: str = "",
) -> NewAccount:
    """Create an account (organizers only).

    Args:
        engine: the store.
        actor: who creates the account; must hold ``MANAGE_USERS``.
        username: login name (letters, digits, ``_ . @ -``; an e-mail address works for OIDC mapping).
        role: ``reviewer`` | ``organizer`` | ``analyst``.
        password: initial password; generated when None.
        unit: the reviewer's own unit, used for conflict-of-interest checks.
        display_name: name shown in the UI.

    Returns:
        The account, plus the generated password when none was given.
    """
    require(actor, MANAGE_USERS)
    username = username.strip()
    if not _USERNAME.match(username):
        raise AccountError(f"用户名「{username}」无效：请用 2–64 个英文字母、数字或 _ . @ - 字符。")
    if role not in ROLE_LABELS:
        raise AccountError(
            f"角色「{role}」无效：请选择 reviewer（评审专家）、organizer（组织者）或 analyst（分析员）。"
        )
    generated = "" if password else secrets.token_urlsafe(12)
    password = password or generated
    _check_new_password(password)
    with store.session_scope(engine) as session:
        if session.scalar(select(UserRow.id).where(UserRow.username == username)) is not None:
            raise AccountError(f"用户名「{username}」已存在，请换一个用户名。")
        row = UserRow(
            username=username,
            role=role,
            unit=unit.strip(),
            display_name=display_name.strip(),
            password_hash=hash_password(password),
        )
        session.add(row)
        session.flush()
        session.add(
            AuditRow(username=actor.username, action="create_user", detail={"user": username, "role": role})
        )
        return NewAccount(_to_user(row), generated)


def authenticate(engine: Engine, username: str, password: str) -> User:
    """Check a username and password.

    Raises:
        LoginFailed: wrong credentials (the message does not reveal which part was wrong) or a disabled account.
    """
    with store.session_scope(engine) as session:
        row = session.scalar(select(UserRow).where(UserRow.username == username.strip()))
        if row is None or not row.password_hash:
            verify_password(_DUMMY_HASH, password)  # same cost as a real check: no user enumeration by timing
            raise LoginFailed("用户名或密码错误，请重新输入；忘记密码请联系组织者重置。")
        if not verify_password(row.password_hash, password):
            raise LoginFailed("用户名或密码错误，请重新输入；忘记密码请联系组织者重置。")
        if not row.active:
            raise LoginFailed(f"账号「{row.username}」已停用，请联系组织者。")
        if _HASHER.check_needs_rehash(row.password_hash):
            row.password_hash = hash_password(password)
        return _to_user(row)


def get_user(engine: Engine, user_id: int) -> User | None:
    """The account with this id, or None (deleted)."""
    with store.session_scope(engine) as session:
        row = session.get(UserRow, user_id)
        return None if row is None else _to_user(row)


def user_for_identity(engine: Engine, email: str | None, username: str | None = None) -> User | None:
    """Map a signed-in OIDC identity to an existing active account.

    The account's username must equal the identity's e-mail address or its preferred username; nothing is
    created automatically (organizers decide who reviews).
    """
    candidates = [value.strip() for value in (email, username) if value and value.strip()]
    if not candidates:
        return None
    with store.session_scope(engine) as session:
        rows = {
            row.username: row
            for row in session.scalars(select(UserRow).where(UserRow.username.in_(candidates)))
        }
    for candidate in candidates:
        row = rows.get(candidate)
        if row is not None and row.active:
            return _to_user(row)
    return None


def list_users(engine: Engine, actor: User) -> list[User]:
    """All accounts ordered by role then username (organizers only)."""
    require(actor, MANAGE_USERS)
    with store.session_scope(engine) as session:
        rows = session.scalars(select(UserRow).order_by(UserRow.role, UserRow.username))
        return [_to_user(row) for row in rows]


def list_reviewers(engine: Engine) -> list[User]:
    """Active reviewer accounts (for progress and agreement tables)."""
    query = (
        select(UserRow).where(UserRow.role == "reviewer", UserRow.active.is_(True)).order_by(UserRow.username)
    )
    with store.session_scope(engine) as session:
        return [_to_user(row) for row in session.scalars(query)]


def set_active(engine: Engine, actor: User, username: str, active: bool) -> User:
    """Disable or re-enable an account (organizers only; nobody can disable their own account)."""
    require(actor, MANAGE_USERS)
    if username == actor.username and not active:
        raise AccountError("不能停用自己正在使用的账号。")
    with store.session_scope(engine) as session:
        row = _row_or_error(session, username)
        row.active = active
        session.add(
            AuditRow(
                username=actor.username, action="set_active", detail={"user": username, "active": active}
            )
        )
        return _to_user(row)


def reset_password(engine: Engine, actor: User, username: str, password: str | None = None) -> str:
    """Set a new password (organizers only); returns the generated one when none was given, else ``""``."""
    require(actor, MANAGE_USERS)
    generated = "" if password else secrets.token_urlsafe(12)
    _check_new_password(password or generated)
    with store.session_scope(engine) as session:
        row = _row_or_error(session, username)
        row.password_hash = hash_password(password or generated)
        session.add(AuditRow(username=actor.username, action="reset_password", detail={"user": username}))
    return generated


def _row_or_error(session: Session, username: str) -> UserRow:
    row = session.scalar(select(UserRow).where(UserRow.username == username))
    if row is None:
        raise AccountError(f"找不到账号「{username}」，请检查用户名。")
    return row


def add_cli(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("user", help="账号管理：user add / user list")
    verbs = parser.add_subparsers(dest="user_verb", metavar="add|list")
    add = verbs.add_parser("add", help="创建账号")
    add.add_argument("--username", required=True, help="用户名（OIDC 登录时填邮箱）")
    add.add_argument("--role", required=True, choices=sorted(ROLE_LABELS), help="角色")
    add.add_argument("--unit", default="", help="所在单位（用于回避同单位案例）")
    add.add_argument("--password", default=None, help="初始密码；不填则随机生成并显示一次")
    add.add_argument("--display-name", default="", help="显示名")
    add.set_defaults(func=_cli_add)
    listing = verbs.add_parser("list", help="列出账号")
    listing.set_defaults(func=_cli_list)


def _cli_add(args: argparse.Namespace) -> int:
    try:
        account = create_user(
            store.get_engine(), SYSTEM, args.username, args.role, args.password, args.unit, args.display_name
        )
    except AccountError as error:
        print(f"创建账号失败：{error.message}", file=sys.stderr)
        return 1
    print(f"已创建{account.user.role_label}账号「{account.user.username}」。")
    if account.generated_password:
        print(f"初始密码（只显示这一次，请转交本人并提醒修改）：{account.generated_password}")
    return 0


def _cli_list(_args: argparse.Namespace) -> int:
    for user in list_users(store.get_engine(), SYSTEM):
        state = "" if user.active else "（已停用）"
        print(f"{user.username}\t{user.role_label}\t{user.unit}\t{user.display_name}{state}")
    return 0
