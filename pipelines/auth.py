"""Accounts, roles and permission checks.

Passwords are stored only as Argon2id hashes (argon2-cffi, OWASP parameters). Every action of the workbench
calls ``require(user, permission)`` in ``pipelines/``, so hiding a button in the UI is never the only guard.
Roles: 评审专家 (reviewer) scores cases, 组织者 (organizer) runs the call, 分析员 (analyst) reads and analyses.
A password someone else chose (an organizer creating or resetting an account) is temporary: its owner must
change it when signing in. Demo accounts keep a flag while they still use the README's published password.
Every login — successful, failed or refused — goes to the audit trail; throttling is in ``pipelines.login``.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from pipelines import login, sessions, store
from pipelines.config import Settings, get_settings
from pipelines.store import AuditRow, UserRow, utcnow

# username, role, password, unit, display name — demo only: the README publishes these passwords, so the
# accounts are flagged in the UI until the password is changed or the account disabled
DEMO_ACCOUNTS: tuple[tuple[str, str, str, str, str], ...] = (
    ("admin", "organizer", "admin-2026", "", "组织者（演示）"),
    ("reviewer1", "reviewer", "review-2026", "中国建材时报社", "评审专家甲（演示）"),
    ("reviewer2", "reviewer", "review-2026", "", "评审专家乙（演示）"),
    ("analyst", "analyst", "analyst-2026", "", "分析员（演示）"),
)
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
    must_change_password: bool = False  # signed in with a temporary password: only 修改密码 is open
    demo: bool = False  # a demo account still using its published password

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


def require(user: User | None, permission: str | None) -> User:
    """Raise ``PermissionDenied`` unless ``user`` holds ``permission`` (None: any active account).

    Returns:
        The same user, so callers can write ``user = require(user, REVIEW)``.
    """
    action = PERMISSION_LABELS.get(permission, permission) if permission else "继续"
    if user is None:
        raise PermissionDenied(f"请先登录后再{action}。")
    if not user.active:
        raise PermissionDenied(f"账号「{user.username}」已停用，无法{action}；请联系组织者。")
    if permission is not None and not user.can(permission):
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


def to_user(row: UserRow) -> User:
    return User(
        row.id,
        row.username,
        row.role,
        row.display_name,
        row.unit,
        row.active,
        row.must_change_password,
        row.demo,
    )


def check_new_password(password: str, username: str = "") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"密码至少需要 {MIN_PASSWORD_LENGTH} 个字符，请换一个更长的密码。")
    if username and password.strip().casefold() == username.strip().casefold():
        raise AccountError("密码不能与用户名相同，请换一个密码。")


def create_user(
    engine: Engine,
    actor: User,
    username: str,
    role: str,
    password: str | None = None,
    unit: str = "",
    display_name: str = "",
    temporary: bool | None = None,
    demo: bool = False,
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
        temporary: the owner must change the password at first login; default: only a generated password.
        demo: a demo account with a published password (flagged until the password changes).

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
    check_new_password(password)
    with store.session_scope(engine) as session:
        if session.scalar(select(UserRow.id).where(UserRow.username == username)) is not None:
            raise AccountError(f"用户名「{username}」已存在，请换一个用户名。")
        row = UserRow(
            username=username,
            role=role,
            unit=unit.strip(),
            display_name=display_name.strip(),
            password_hash=hash_password(password),
            must_change_password=bool(generated) if temporary is None else temporary,
            demo=demo,
        )
        session.add(row)
        session.flush()
        session.add(
            AuditRow(username=actor.username, action="create_user", detail={"user": username, "role": role})
        )
        return NewAccount(to_user(row), generated)


def authenticate(
    engine: Engine, username: str, password: str, client: str = "", settings: Settings | None = None
) -> User:
    """Check a username and password, with throttling; every outcome is written to the audit trail.

    Args:
        engine: the store.
        username: as typed.
        password: as typed.
        client: the client's address when known ('' = no per-client throttle).
        settings: lockout limits; defaults to the process settings.

    Raises:
        LoginFailed: wrong credentials (the message does not reveal which part was wrong), a disabled
            account, or a lock in force (the account's, after too many wrong passwords, or the client's).
    """
    settings = settings or get_settings()
    name, now = username.strip(), utcnow()
    with store.session_scope(engine) as session:
        lock = login.active_lock(session, name, client, now)
        row = None if lock else session.scalar(select(UserRow).where(UserRow.username == name))
        if lock is not None:
            action, detail, message = (
                "login_refused",
                {"reason": f"{lock.scope}_locked"},
                lock.message(name, now),
            )
        elif row is None or not row.password_hash or not verify_password(row.password_hash, password):
            if row is None or not row.password_hash:
                verify_password(_DUMMY_HASH, password)  # same cost as a real check: no enumeration by timing
            failure = login.record_failure(session, name, client, settings, now)
            action, detail, message = "login_failed", {"failures": failure.failures}, WRONG_CREDENTIALS
            if failure.lock is not None:
                detail["locked"] = failure.lock.scope
                message = f"{WRONG_CREDENTIALS[:-1]}。{failure.lock.message(name, now)}"
            elif 0 < settings.login_max_failures - failure.failures <= 3:
                left = settings.login_max_failures - failure.failures
                message = f"{WRONG_CREDENTIALS[:-1]}；再错 {left} 次该账号将被临时锁定。"
        elif not row.active:
            action, detail = "login_refused", {"reason": "disabled"}
            message = f"账号「{row.username}」已停用，请联系组织者。"
        else:
            login.record_success(session, name)
            if _HASHER.check_needs_rehash(row.password_hash):
                row.password_hash = hash_password(password)
            action, detail, message = "login", {}, ""
        session.add(AuditRow(username=name[:64], action=action, detail={"client": client, **detail}))
        user = to_user(row) if row is not None and not message else None
    if user is None:
        raise LoginFailed(message)
    return user


WRONG_CREDENTIALS = "用户名或密码错误，请重新输入；忘记密码请联系组织者重置。"


def change_password(
    engine: Engine, user: User, current: str, new: str, confirm: str, keep_session: str | None = None
) -> User:
    """The signed-in user replaces their own password (ends a temporary or demo password); every other
    session of the account ends (``keep_session``: the token of the session that made the change).

    Raises:
        AccountError: wrong current password, new passwords that differ, or a weak or unchanged password.
    """
    require(user, None)
    if new != confirm:
        raise AccountError("两次输入的新密码不一致，请重新输入。")
    if new == current:
        raise AccountError("新密码不能与当前密码相同。")
    check_new_password(new, user.username)
    if new in {password for _name, _role, password, _unit, _label in DEMO_ACCOUNTS}:
        raise AccountError("这是 README 中公开的演示密码，请换一个只有您知道的密码。")
    with store.session_scope(engine) as session:
        row = row_or_error(session, user.username)
        if not verify_password(row.password_hash, current):
            raise AccountError("当前密码不正确，请重新输入。")
        row.password_hash = hash_password(new)
        row.must_change_password = row.demo = False
        session.add(AuditRow(username=user.username, action="change_password", detail={}))
        changed = to_user(row)
    sessions.revoke_user(engine, user.id, keep=keep_session)
    return changed


def get_user(engine: Engine, user_id: int) -> User | None:
    """The account with this id, or None (deleted)."""
    with store.session_scope(engine) as session:
        row = session.get(UserRow, user_id)
        return None if row is None else to_user(row)


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
            return to_user(row)
    return None


def row_or_error(session: Session, username: str) -> UserRow:
    row = session.scalar(select(UserRow).where(UserRow.username == username))
    if row is None:
        raise AccountError(f"找不到账号「{username}」，请检查用户名。")
    return row
