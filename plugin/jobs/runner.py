"""Running one job in the worker: one transaction for the job's work and its outcome.

The handler's writes and the job's ``done`` state are committed together, so an import is
all or nothing. A :class:`JobRefused` (bad input) fails the job at once with its Dutch message;
any other error is logged (without personal data), retried by the queue, and after the last
attempt the job is ``failed`` with a general Dutch message that `flask jobs` shows IT.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app
from flask_babel import gettext as _
from sqlalchemy import delete

from plugin.extensions import db
from plugin.jobs import progress
from plugin.models import Job, JobFile, JobState

log = logging.getLogger(__name__)

HANDLERS_KEY = "lib_jobs_handlers"


class JobRefused(Exception):
    """The job's input cannot be used; ``str(error)`` is a Dutch message for its owner."""


@dataclass(frozen=True)
class JobContext:
    """What a handler knows of its job."""

    job_id: int
    kind: str
    school_id: int | None
    staff_id: int | None
    payload: dict[str, Any]

    def data(self) -> bytes:
        """The uploaded file the job works on (empty when there is none)."""
        row = db.session.get(JobFile, self.job_id)
        return row.content if row is not None else b""

    def progress(self, done: int, total: int, phase: str = "") -> None:
        """Report how far the job is (shown while it runs; costs no database write)."""
        progress.write(self.job_id, done, total, phase)


Handler = Callable[[JobContext], dict[str, Any] | None]


def handlers(app: Flask) -> dict[str, Handler]:
    return app.extensions.setdefault(HANDLERS_KEY, {})


def run(app: Flask, job_id: int, *, final: bool) -> None:
    """Run job ``job_id``; ``final`` says this is its last attempt."""
    with app.app_context():
        context = _start(job_id)
        if context is None:
            return
        handler = handlers(current_app)[context.kind]
        try:
            result = handler(context)
        except JobRefused as refusal:
            db.session.rollback()
            _end(job_id, JobState.FAILED, error=str(refusal), keep_file=False)
        except Exception:
            db.session.rollback()
            log.exception("job %s (%s) failed", job_id, context.kind)
            state = JobState.FAILED if final else JobState.RETRYING
            _end(job_id, state, error=_generic_error(final), keep_file=True)
            raise  # the queue retries it
        else:
            _end(job_id, JobState.DONE, result=result or {}, keep_file=False)
        finally:
            db.session.remove()


def _start(job_id: int) -> JobContext | None:
    job = db.session.get(Job, job_id)
    if job is None or job.state in (JobState.DONE, JobState.FAILED):
        db.session.rollback()
        return None
    job.state, job.attempts = JobState.RUNNING, job.attempts + 1
    job.started_at = datetime.now(UTC)
    context = JobContext(job.id, job.kind, job.school_id, job.created_by_staff_id,
                         dict(job.payload or {}))  # fmt: skip
    db.session.commit()
    return context


def _end(job_id: int, state: JobState, *, result=None, error=None, keep_file: bool) -> None:
    """Record the outcome; with DONE this commit also holds the handler's work."""
    job = db.session.get(Job, job_id)
    job.state, job.result, job.error = state, result, error
    if state in (JobState.DONE, JobState.FAILED):
        job.finished_at = datetime.now(UTC)
    if not keep_file:
        db.session.execute(delete(JobFile).where(JobFile.job_id == job_id))
    db.session.commit()
    if state is not JobState.RETRYING:
        progress.clear(job_id)


def _generic_error(final: bool) -> str:
    if final:
        return _(
            "The job failed several times and has stopped. Nothing of it was saved. Try again "
            "later; if it keeps failing, ask your IT administrator to look at 'flask jobs'."
        )
    return _("The job failed and will be tried again shortly. Nothing of it was saved yet.")
