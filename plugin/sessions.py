"""Session lifetime: an idle timeout, an absolute lifetime, and sign-out that holds.

- Idle: the signed cookie is refreshed on each request and dies after
  ``PERMANENT_SESSION_LIFETIME`` without one (Flask's permanent session).
- Absolute: ``SESSION_ABSOLUTE_LIFETIME`` (10 hours) after the launch the session ends however
  busy it was: the next launch from the platform starts a fresh one.
- Sign-out (*Afmelden*) clears the cookie and records the session's id as revoked (Redis when
  configured, else the database) until its absolute lifetime is over, so a copy of the cookie
  is refused as well.
"""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime, timedelta

from flask import current_app, session
from sqlalchemy import delete, exists, select

from plugin.extensions import db, get_redis
from plugin.models import RevokedSession

SID_KEY = "sid"
STARTED_KEY = "signed_in_at"
REDIS_PREFIX = "lib:revoked-session:"


def start() -> None:
    """Stamp a fresh session: its id and the moment of sign-in."""
    session[SID_KEY] = secrets.token_hex(16)
    session[STARTED_KEY] = int(time.time())


def _remaining() -> int:
    started = session.get(STARTED_KEY)
    lifetime = int(current_app.config["SESSION_ABSOLUTE_LIFETIME"])
    if not isinstance(started, int):
        return 0
    return int(started + lifetime - time.time())


def is_valid() -> bool:
    """The session is within its absolute lifetime and was not signed out."""
    sid = current_id()
    return sid is not None and not _is_revoked(sid)


def current_id() -> str | None:
    """The session's id while it is within its absolute lifetime, else None."""
    sid = session.get(SID_KEY)
    return sid if isinstance(sid, str) and _remaining() > 0 else None


def revoked_in_redis(sid: str) -> bool | None:
    """Whether ``sid`` was signed out, when revocations live in Redis; None when they live in
    the database (ask :func:`revoked_clause` inside a query the request makes anyway)."""
    redis = get_redis()
    return None if redis is None else bool(redis.exists(REDIS_PREFIX + sid))


def revoked_clause(sid: str):
    """A SQL expression: ``sid`` was signed out (revocations in the database)."""
    return exists().where(RevokedSession.session_id == sid)


def _is_revoked(sid: str) -> bool:
    in_redis = revoked_in_redis(sid)
    if in_redis is not None:
        return in_redis
    return bool(db.session.scalar(select(revoked_clause(sid))))


def revoke() -> None:
    """Refuse this session's id from now on (until it would have expired anyway)."""
    sid, remaining = session.get(SID_KEY), _remaining()
    if not isinstance(sid, str) or remaining <= 0:
        return
    redis = get_redis()
    if redis is not None:
        redis.set(REDIS_PREFIX + sid, "1", ex=remaining)
        return
    if db.session.get(RevokedSession, sid) is None:
        expires = datetime.now(UTC) + timedelta(seconds=remaining)
        db.session.add(RevokedSession(session_id=sid, expires_at=expires))
        db.session.flush()


def purge_revoked() -> int:
    """Delete revocations whose session has expired anyway (Redis expires its own keys)."""
    result = db.session.execute(
        delete(RevokedSession).where(RevokedSession.expires_at <= datetime.now(UTC))
    )
    return result.rowcount or 0
