"""Signed, expiring sessions that survive a browser reload, and end on sign-out.

A token is ``<id>.<expires>.<nonce>.<signature>``: the signature is an HMAC-SHA256 over the rest with a
secret generated once per database (``app_secrets``; never in the source tree), so a forged or altered
token is refused before the store is asked. The store keeps, per session, the account, the expiry and a
SHA-256 of the nonce (never the token itself); signing out revokes the row, so a copied token is dead at
once. The pages keep the token in a cookie (``COOKIE``), set from the browser after signing in.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from datetime import datetime, timedelta

from sqlalchemy import DateTime, ForeignKey, String, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from pipelines import store
from pipelines.config import Settings, get_settings
from pipelines.store import Base, utcnow

COOKIE = "wb_session"
SECRET_NAME = "session_hmac"


class SessionRow(Base):
    __tablename__ = "sessions"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    nonce_hash: Mapped[str] = mapped_column(String(64))
    client: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class SecretRow(Base):
    __tablename__ = "app_secrets"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


_secrets: dict[str, bytes] = {}
_secrets_lock = threading.Lock()


def _secret(engine: Engine) -> bytes:
    """The signing secret of this database, created on first use (a race keeps the first one written)."""
    url = engine.url.render_as_string(hide_password=False)
    with _secrets_lock:
        if url not in _secrets:
            with store.session_scope(engine) as session:
                row = session.get(SecretRow, SECRET_NAME)
                value = row.value if row else ""
            if not value:
                try:
                    with store.session_scope(engine) as session:
                        value = secrets.token_hex(32)
                        session.add(SecretRow(name=SECRET_NAME, value=value))
                except IntegrityError:
                    with store.session_scope(engine) as session:
                        value = session.get(SecretRow, SECRET_NAME).value  # type: ignore[union-attr]
            _secrets[url] = bytes.fromhex(value)
        return _secrets[url]


def _sign(engine: Engine, payload: str) -> str:
    return hmac.new(_secret(engine), payload.encode(), hashlib.sha256).hexdigest()


def _digest(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def issue(engine: Engine, user_id: int, settings: Settings | None = None, client: str = "") -> str:
    """Start a session for ``user_id``; returns the token to keep in the browser."""
    settings = settings or get_settings()
    session_id, nonce = secrets.token_hex(16), secrets.token_urlsafe(24)
    expires = utcnow().replace(microsecond=0) + timedelta(hours=settings.session_hours)
    with store.session_scope(engine) as session:
        session.add(
            SessionRow(
                id=session_id,
                user_id=user_id,
                nonce_hash=_digest(nonce),
                client=client[:64],
                expires_at=expires,
            )
        )
    payload = f"{session_id}.{int(_epoch(expires))}.{nonce}"
    return f"{payload}.{_sign(engine, payload)}"


def _epoch(moment: datetime) -> float:
    return (moment - datetime(1970, 1, 1)).total_seconds()


def _parse(engine: Engine, token: str | None) -> tuple[str, datetime, str] | None:
    """(session id, expiry, nonce) of a well-formed, correctly signed token; None otherwise."""
    parts = (token or "").split(".")
    if len(parts) != 4 or not parts[1].isdigit():
        return None
    payload, signature = ".".join(parts[:3]), parts[3]
    if not hmac.compare_digest(_sign(engine, payload), signature):
        return None
    return parts[0], datetime(1970, 1, 1) + timedelta(seconds=int(parts[1])), parts[2]


def resolve(engine: Engine, token: str | None) -> int | None:
    """The account id of a valid session token: signed, not expired, not revoked; None otherwise."""
    parsed = _parse(engine, token)
    if parsed is None:
        return None
    session_id, expires, nonce = parsed
    now = utcnow()
    if expires <= now:
        return None
    with store.session_scope(engine) as session:
        row = session.get(SessionRow, session_id)
        if row is None or row.revoked_at is not None or row.expires_at <= now:
            return None
        if not hmac.compare_digest(row.nonce_hash, _digest(nonce)):
            return None
        return row.user_id


def revoke(engine: Engine, token: str | None) -> bool:
    """End the session behind ``token`` (sign-out); True when a live session was ended."""
    parsed = _parse(engine, token)
    if parsed is None:
        return False
    with store.session_scope(engine) as session:
        changed = session.execute(
            update(SessionRow)
            .where(SessionRow.id == parsed[0], SessionRow.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
        return changed.rowcount > 0


def revoke_user(engine: Engine, user_id: int, keep: str | None = None) -> int:
    """End every live session of an account (password reset), except the one behind ``keep``."""
    kept = _parse(engine, keep)
    query = update(SessionRow).where(SessionRow.user_id == user_id, SessionRow.revoked_at.is_(None))
    if kept is not None:
        query = query.where(SessionRow.id != kept[0])
    with store.session_scope(engine) as session:
        return session.execute(query.values(revoked_at=utcnow())).rowcount
