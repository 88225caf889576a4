"""Login throttling: wrong-password counters per account and per client address, kept in the database.

After ``settings.login_max_failures`` wrong passwords in a row an account is locked for
``settings.login_lockout_minutes``: only that account (the key is the name as typed, so a name locks whether
an account exists or not, and the answer never tells which names exist). A client address with
``login_client_max_failures`` failures within ``login_client_window_minutes`` waits the same period. The
counters live in the store, so a lock holds across browser sessions, restarts and server processes.
``auth.authenticate`` uses this module and writes every outcome to the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import DateTime, Integer, String, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from pipelines.config import Settings
from pipelines.store import Base

ACCOUNT = "account"
CLIENT = "client"


class LoginThrottleRow(Base):
    """Failures counted under one key (``account:<name>`` or ``client:<address>``) and any lock in force."""

    __tablename__ = "login_throttle"
    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[datetime] = mapped_column(DateTime)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


@dataclass(frozen=True)
class Lock:
    """A lock in force: on an account or on a client address, until a moment (UTC)."""

    scope: str  # ACCOUNT | CLIENT
    until: datetime

    def message(self, username: str, now: datetime) -> str:
        minutes = max(1, round((self.until - now).total_seconds() / 60))
        if self.scope == ACCOUNT:
            return (
                f"账号「{username}」因连续多次密码错误已被临时锁定，请约 {minutes} 分钟后再试；"
                "如需立即使用，请联系组织者在“账号管理”中解锁或重置密码。"
            )
        return f"此客户端登录失败次数过多，已暂停登录约 {minutes} 分钟，请稍后再试。"


@dataclass(frozen=True)
class Failure:
    """What one wrong password changed: failures now counted on the account, and a lock it started."""

    failures: int
    lock: Lock | None


def _key(scope: str, value: str) -> str:
    return f"{scope}:{value.strip()[:150]}"


def active_lock(session: Session, username: str, client: str, now: datetime) -> Lock | None:
    """The lock that refuses this login now (the account's first), or None."""
    for scope, value in ((ACCOUNT, username), (CLIENT, client)):
        if not value:
            continue
        row = session.get(LoginThrottleRow, _key(scope, value))
        if row is not None and row.locked_until is not None and row.locked_until > now:
            return Lock(scope, row.locked_until)
    return None


def _bump(session: Session, key: str, now: datetime, window: timedelta | None) -> LoginThrottleRow:
    """Add one failure under ``key`` atomically (an UPDATE, so parallel attempts are all counted)."""
    row = session.get(LoginThrottleRow, key)
    if row is not None and window is not None and row.window_start < now - window:
        row.failures, row.window_start = 0, now
        session.flush()
    changed = session.execute(
        update(LoginThrottleRow)
        .where(LoginThrottleRow.key == key)
        .values(failures=LoginThrottleRow.failures + 1)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount == 0:
        try:
            with session.begin_nested():
                session.add(LoginThrottleRow(key=key, failures=1, window_start=now))
        except IntegrityError:  # another process created it first: count on that row
            return _bump(session, key, now, window)
    row = session.get(LoginThrottleRow, key, populate_existing=True)
    assert row is not None
    return row


def record_failure(
    session: Session, username: str, client: str, settings: Settings, now: datetime
) -> Failure:
    """Count a wrong password against the account name and the client; lock whichever reached its limit."""
    lockout = timedelta(minutes=settings.login_lockout_minutes)
    lock = None
    if client:
        window = timedelta(minutes=settings.login_client_window_minutes)
        row = _bump(session, _key(CLIENT, client), now, window)
        if row.failures >= settings.login_client_max_failures:
            row.failures, row.window_start, row.locked_until = 0, now, now + lockout
            lock = Lock(CLIENT, row.locked_until)
    row = _bump(session, _key(ACCOUNT, username), now, None)
    failures = row.failures
    if failures >= settings.login_max_failures:
        row.failures, row.window_start, row.locked_until = 0, now, now + lockout
        lock = Lock(ACCOUNT, row.locked_until)
    return Failure(failures, lock)


def record_success(session: Session, username: str) -> None:
    """A correct password ends the account's run of failures (a client's count keeps its window)."""
    row = session.get(LoginThrottleRow, _key(ACCOUNT, username))
    if row is not None:
        row.failures = 0


def unlock(session: Session, username: str) -> bool:
    """Lift an account's lock and forget its failures; True when it was locked."""
    row = session.get(LoginThrottleRow, _key(ACCOUNT, username))
    if row is None:
        return False
    was_locked = row.locked_until is not None
    row.failures, row.locked_until = 0, None
    return was_locked


def locked_accounts(session: Session, now: datetime) -> dict[str, datetime]:
    """Account name → end of its lock, for every lock in force."""
    rows = session.scalars(
        select(LoginThrottleRow).where(
            LoginThrottleRow.key.startswith(f"{ACCOUNT}:"), LoginThrottleRow.locked_until > now
        )
    )
    return {row.key.split(":", 1)[1]: row.locked_until for row in rows if row.locked_until}
