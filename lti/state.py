"""Short-lived launch state shared by every app process: Redis when ``REDIS_URL`` is set,
else the database (table ``lti_launch_state``).

The OIDC login may be served by one process and the launch by another, so nothing here may
live in process memory. ``pop`` is atomic on both backends: a nonce can be used once only.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select

from lti.models import LaunchState
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


store = StateStore()


def purge_expired_state() -> int:
    """Delete expired launch state and sign-out records; the count deleted. Every login purges
    too; run this (``flask lti purge-state``, or from the job queue) on a schedule so a quiet
    installation keeps no stale rows either."""
    from plugin.sessions import purge_revoked

    return store.purge_expired() + purge_revoked()
