"""The queue that carries jobs to the worker: Huey.

Why Huey: it is small, well kept, and has both storages this tool needs — a SQLite file for
the embedded default (no extra service; the web process and ``flask jobs worker`` share it on
one machine) and Redis when ``REDIS_URL`` is set (several processes or machines) — plus
retries and periodic tasks in the same package. RQ would need Redis even for the default.

Only a job's id travels through the queue; the job itself is a database row
(:class:`plugin.models.Job`). A job is sent to the queue only after the transaction that
created it has committed, so a worker never looks for a row that is not there yet.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, current_app
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey
from sqlalchemy import event
from sqlalchemy.orm import Session

QUEUE_KEY = "lib_jobs_queue"
TASK_KEY = "lib_jobs_execute"
PENDING_KEY = "lib_jobs_to_send"


def namespace(app: Flask) -> str:
    """One queue per database: test servers, a developer's own run and a second installation
    on the same machine never take each other's jobs."""
    digest = hashlib.sha256(app.config["SQLALCHEMY_DATABASE_URI"].encode()).hexdigest()
    return f"lib-{digest[:10]}"


def create_queue(app: Flask) -> Huey:
    name = namespace(app)
    backend = app.config.get("JOBS_BACKEND") or (
        "redis" if app.config.get("REDIS_URL") else "sqlite"
    )
    if backend == "redis":
        return RedisHuey(name, url=app.config["REDIS_URL"], results=False)
    if backend == "memory":  # tests: the suite runs queued jobs itself (drain)
        return MemoryHuey(name, results=False)
    folder = Path(app.instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name, filename=str(folder / f"{name}-queue.sqlite"), results=False)


def queue() -> Huey:
    return current_app.extensions[QUEUE_KEY]


def send_after_commit(session: Session, job_id: int) -> None:
    """Remember to put ``job_id`` on the queue once ``session`` commits."""
    task = current_app.extensions[TASK_KEY]
    session.info.setdefault(PENDING_KEY, []).append((task, job_id))


@event.listens_for(Session, "after_commit")
def _send_pending(session: Session) -> None:
    for task, job_id in session.info.pop(PENDING_KEY, ()):
        task(job_id)  # calling a Huey task puts it on its queue


@event.listens_for(Session, "after_rollback")
def _forget_pending(session: Session) -> None:
    session.info.pop(PENDING_KEY, None)
