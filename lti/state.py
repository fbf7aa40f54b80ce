"""Short-lived launch state shared by every app process: Redis when ``REDIS_URL`` is set,
else the database (table ``lti_launch_state``).

The OIDC login may be served by one process and the launch by another, so nothing here may
live in process memory. ``pop`` is atomic on both backends: a nonce can be used once only.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, insert, select

from lti.models import LaunchState
from plugin.db import prepared
from plugin.extensions import db, get_redis

PREFIX = "lib:lti:"


class StateStore:
    """Key → JSON value with an expiry."""

    def set(self, key: str, value: Any, ttl: int) -> None:
        redis = get_redis()
        if redis is not None:
            redis.set(PREFIX + key, json.dumps(value), ex=max(int(ttl), 1))
            return
        expires = datetime.now(UTC) + timedelta(seconds=ttl)
        row = db.session.get(LaunchState, key)
        if row is None:
            db.session.add(LaunchState(key=key, value=value, expires_at=expires))
        else:
            row.value, row.expires_at = value, expires
        db.session.flush()

    def add(self, key: str, value: Any, ttl: int) -> None:
        """Store a value under a new, random key (one INSERT: nothing to look up first)."""
        redis = get_redis()
        if redis is not None:
            redis.set(PREFIX + key, json.dumps(value), ex=max(int(ttl), 1))
            return
        expires = datetime.now(UTC) + timedelta(seconds=ttl)
        db.session.execute(_add_query(), {"key": key, "value": value, "expires_at": expires})

    def take(self, key: str) -> Any:
        """Return and delete the value in one statement (None when absent or expired): only
        the process whose delete removed the row gets it."""
        redis = get_redis()
        if redis is not None:
            raw = redis.getdel(PREFIX + key)
            return None if raw is None else json.loads(raw)
        row = db.session.execute(_take_query(), {"key": key}).first()
        if row is None:
            return None
        expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=UTC)
        return row.value if expires > datetime.now(UTC) else None

    def discard(self, key: str) -> bool:
        """Delete ``key`` in one step; True only for the one caller whose delete removed it
        (the value was read before: a state is used once, by one process)."""
        redis = get_redis()
        if redis is not None:
            return bool(redis.delete(PREFIX + key))
        result = db.session.execute(delete(LaunchState).where(LaunchState.key == key))
        return result.rowcount == 1

    def get(self, key: str) -> Any:
        redis = get_redis()
        if redis is not None:
            raw = redis.get(PREFIX + key)
            return None if raw is None else json.loads(raw)
        row = db.session.execute(
            select(LaunchState.value).where(
                LaunchState.key == key, LaunchState.expires_at > datetime.now(UTC)
            )
        ).first()
        return None if row is None else row[0]

    def pop(self, key: str) -> Any:
        """Return and delete the value in one step (None when absent or expired)."""
        redis = get_redis()
        if redis is not None:
            raw = redis.getdel(PREFIX + key)
            return None if raw is None else json.loads(raw)
        value = self.get(key)
        if value is None:
            return None
        # Only the process whose DELETE removes the row may use the value.
        result = db.session.execute(delete(LaunchState).where(LaunchState.key == key))
        return value if result.rowcount == 1 else None

    def purge_expired(self) -> int:
        if get_redis() is not None:
            return 0
        result = db.session.execute(
            delete(LaunchState).where(LaunchState.expires_at <= datetime.now(UTC))
        )
        return result.rowcount

    def forget(self, needles: list[str], remove: bool) -> int:
        """How many values mention one of ``needles`` (a pupil's platform account or ECK iD,
        as a login hint does for a few minutes); removed when ``remove`` (erasure)."""
        redis = get_redis()
        if redis is not None:
            found = [key for key in redis.scan_iter(match=PREFIX + "*", count=500)
                     if _mentions(redis.get(key), needles)]  # fmt: skip
            if remove and found:
                redis.delete(*found)
            return len(found)
        rows = db.session.execute(select(LaunchState.key, LaunchState.value)).all()
        found = [key for key, value in rows if _mentions(json.dumps(value), needles)]
        if remove and found:
            db.session.execute(delete(LaunchState).where(LaunchState.key.in_(found)))
        return len(found)


def _mentions(raw: str | bytes | None, needles: list[str]) -> bool:
    if raw is None:
        return False
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    return any(needle in text or json.dumps(needle)[1:-1] in text for needle in needles)


@prepared
def _add_query():
    return insert(LaunchState)


@prepared
def _take_query():
    return (
        delete(LaunchState)
        .where(LaunchState.key == bindparam("key"))
        .returning(LaunchState.value, LaunchState.expires_at)
    )


store = StateStore()


def purge_expired_state() -> int:
    """Delete expired launch state and sign-out records; the count deleted. The job worker
    runs it every quarter of an hour (:func:`purge_periodically`; ``flask lti purge-state``
    by hand); a login never purges (that was a write on every login)."""
    from plugin.sessions import purge_revoked

    return store.purge_expired() + purge_revoked()


def purge_periodically() -> int:
    """The periodic job: purge and commit (registered in :func:`lti.init_app`)."""
    count = purge_expired_state()
    db.session.commit()
    return count
