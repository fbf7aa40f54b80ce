"""Readiness: may a load balancer send users to this process? (``GET /ready``)

``/health`` only asks whether the database answers. ``/ready`` asks what serving needs:

- **database**: it answers *and* its schema is the one this code's migrations end at (after
  an upgrade the new code fails on the old schema until ``flask setup`` has run);
- **redis**: it answers, when ``REDIS_URL`` is configured (launch state, caches, the queue);
- **jobs**: the background job queue (the SQLite queue file, or Redis) can be read.

The endpoint is public, so the answer names parts by label and state only, never a host, URL,
file name or error text; the log gets the error's type.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from alembic.script import ScriptDirectory
from flask import current_app
from huey.storage import RedisStorage
from sqlalchemy import inspect, text

from plugin.extensions import db, get_redis
from plugin.jobs import queue_of

log = logging.getLogger(__name__)

OK = "ok"
NOT_CONFIGURED = "not configured"
UNAVAILABLE = "unavailable"
SCHEMA_MISMATCH = "schema mismatch"
HEADS_KEY = "lib_migration_heads"
VERSION_TABLE = "alembic_version"  # Flask-Migrate's default


@dataclass(frozen=True)
class Readiness:
    """Each part's state: ``ok``, ``not configured`` (fine), or what is wrong."""

    checks: dict[str, str] = field(default_factory=dict)

    @property
    def failing(self) -> list[str]:
        return [part for part, state in self.checks.items() if state not in (OK, NOT_CONFIGURED)]

    @property
    def ready(self) -> bool:
        return not self.failing


def check_readiness() -> Readiness:
    redis_state = _check_redis()
    return Readiness(
        {"database": _check_database(), "redis": redis_state, "jobs": _check_jobs(redis_state)}
    )


def _check_database() -> str:
    try:
        db.session.execute(text("SELECT 1"))
        current = _applied_revisions()
    except Exception as error:  # noqa: BLE001 - any failure means "not ready"
        log.warning("readiness: database unavailable (%s)", type(error).__name__)
        db.session.rollback()
        return UNAVAILABLE
    if current != _migration_heads():
        log.warning("readiness: database schema is not at this version's migrations")
        return SCHEMA_MISMATCH
    return OK


def _applied_revisions() -> set[str]:
    """What the database says it is migrated to (Alembic's version table; none when fresh).
    Read directly: Alembic's MigrationContext logs two INFO lines per call, every probe."""
    if not inspect(db.session.connection()).has_table(VERSION_TABLE):
        return set()
    return set(db.session.scalars(text(f"SELECT version_num FROM {VERSION_TABLE}")))  # noqa: S608


def _migration_heads() -> set[str]:
    """The revisions this code's migrations end at (read from disk once per process)."""
    heads = current_app.extensions.get(HEADS_KEY)
    if heads is None:
        directory = current_app.extensions["migrate"].directory
        heads = set(ScriptDirectory(directory).get_heads())
        current_app.extensions[HEADS_KEY] = heads
    return heads


def _check_redis() -> str:
    client = get_redis()
    if client is None:
        return NOT_CONFIGURED
    try:
        client.ping()
    except Exception as error:  # noqa: BLE001
        log.warning("readiness: redis unavailable (%s)", type(error).__name__)
        return UNAVAILABLE
    return OK


def _check_jobs(redis_state: str) -> str:
    huey = queue_of(current_app)
    if isinstance(huey.storage, RedisStorage) and redis_state == UNAVAILABLE:
        # The queue lives in that Redis; its client has no connect timeout to wait out.
        return UNAVAILABLE
    try:
        huey.pending_count()
    except Exception as error:  # noqa: BLE001
        log.warning("readiness: job queue unavailable (%s)", type(error).__name__)
        return UNAVAILABLE
    return OK
