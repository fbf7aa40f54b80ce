"""How far a running job is, readable by the web processes while the job's own transaction is
still open (its rows are invisible until it commits, and on SQLite it holds the write lock).

Redis when ``REDIS_URL`` is set (several machines); otherwise a small JSON file per job under
the instance folder (one machine: the embedded default).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from flask import current_app

from plugin.extensions import get_redis
from plugin.jobs.queue import namespace

TTL_SECONDS = 24 * 3600


def _key(job_id: int) -> str:
    return f"{namespace(current_app)}:progress:{job_id}"


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "jobs" / namespace(current_app)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def write(job_id: int, done: int, total: int, phase: str) -> None:
    data = json.dumps({"done": done, "total": total, "phase": phase})
    redis = get_redis()
    if redis is not None:
        redis.set(_key(job_id), data, ex=TTL_SECONDS)
        return
    folder = _folder()
    # Write then rename: a reader never sees half a file.
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".progress-")
    with os.fdopen(handle, "w") as file:
        file.write(data)
    os.replace(temporary, folder / f"{job_id}.json")


def read(job_id: int) -> dict[str, Any] | None:
    redis = get_redis()
    if redis is not None:
        raw = redis.get(_key(job_id))
        return json.loads(raw) if raw else None
    try:
        return json.loads((_folder() / f"{job_id}.json").read_text())
    except (FileNotFoundError, ValueError):
        return None


def clear(job_id: int) -> None:
    redis = get_redis()
    if redis is not None:
        redis.delete(_key(job_id))
        return
    (_folder() / f"{job_id}.json").unlink(missing_ok=True)
