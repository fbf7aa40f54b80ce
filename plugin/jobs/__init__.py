"""Jobs: work that runs outside the request (imports, roster syncs, purges, retention).

A domain registers a handler for a kind of job in its ``init_app``; a view or command calls
:func:`enqueue`, which adds a :class:`plugin.models.Job` row (and the uploaded file, if any)
to the current transaction. When that transaction commits, the job's id goes onto the queue
(:mod:`plugin.jobs.queue`); ``flask jobs worker`` picks it up and runs the handler in one
transaction (:mod:`plugin.jobs.runner`). The page that started it polls ``/taken/<id>``.

Periodic work (purges) is registered with :func:`register_periodic` and run by the same worker.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Flask
from huey import Huey, crontab

from plugin.extensions import db
from plugin.jobs import queue as _queue
from plugin.jobs import runner
from plugin.jobs.runner import JobContext, JobRefused
from plugin.models import Job, JobFile, JobState

__all__ = ["JobContext", "JobRefused", "enqueue", "init_app", "register_job", "register_periodic"]

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Create the app's queue and its one task that runs jobs by id."""
    huey = _queue.create_queue(app)

    @huey.task(retries=app.config["JOBS_RETRIES"], retry_delay=app.config["JOBS_RETRY_DELAY"],
               context=True, name="run_job")  # fmt: skip
    def run_job(job_id: int, task=None) -> None:
        runner.run(app, job_id, final=not task or task.retries == 0)

    app.extensions[_queue.QUEUE_KEY] = huey
    app.extensions[_queue.TASK_KEY] = run_job

    from plugin.jobs import cli, views

    cli.register(app)
    app.register_blueprint(views.bp)
    register_periodic(app, "purge_job_files", purge_job_files, minute="17")
    register_periodic(app, "requeue_stale_jobs", requeue_stale_jobs, minute="*/10")


def queue_of(app: Flask) -> Huey:
    """The app's queue (for the worker command and tests)."""
    return app.extensions[_queue.QUEUE_KEY]


def register_job(app: Flask, kind: str, handler: runner.Handler) -> None:
    """Let jobs of ``kind`` be run by ``handler(context) -> summary``. The handler only
    flushes; the runner commits its work together with the job's outcome."""
    runner.handlers(app)[kind] = handler


def register_periodic(app: Flask, name: str, handler: Callable[[], Any], **schedule: str) -> None:
    """Run ``handler()`` in an app context on a cron-like schedule (e.g. ``minute="*/15"``);
    the handler commits its own work."""
    huey = app.extensions[_queue.QUEUE_KEY]

    def periodic() -> None:
        with app.app_context():
            try:
                handler()
            finally:
                db.session.remove()

    huey.periodic_task(crontab(**schedule), name=name)(periodic)


def enqueue(
    kind: str,
    payload: dict[str, Any] | None = None,
    *,
    school_id: int | None = None,
    staff_id: int | None = None,
    data: bytes | None = None,
) -> Job:
    """Add a job to the current transaction; it is queued when the transaction commits."""
    payload = dict(payload or {}) | ({"has_file": True} if data is not None else {})
    job = Job(kind=kind, payload=payload, school_id=school_id,
              created_by_staff_id=staff_id, state=JobState.QUEUED)  # fmt: skip
    db.session.add(job)
    db.session.flush()
    if data is not None:
        db.session.add(JobFile(job_id=job.id, content=data))
        db.session.flush()
    _queue.send_after_commit(db.session(), job.id)
    return job


def purge_job_files() -> int:
    """Delete the uploads of jobs that failed longer ago than ``JOB_FILE_RETENTION_HOURS``
    (kept that long so IT can retry them); finished jobs lose theirs at once."""
    from datetime import UTC, datetime, timedelta

    from flask import current_app
    from sqlalchemy import delete, select

    hours = current_app.config["JOB_FILE_RETENTION_HOURS"]
    cutoff = datetime.now(UTC) - timedelta(hours=hours)
    old = select(Job.id).where(Job.state == JobState.FAILED, Job.finished_at < cutoff)
    count = db.session.execute(delete(JobFile).where(JobFile.job_id.in_(old))).rowcount
    db.session.commit()
    return count


def stale_cutoff():
    """Jobs RUNNING since before this lost their worker (killed, machine restarted): a job
    never runs that long (``JOBS_STALE_MINUTES``)."""
    from datetime import UTC, datetime, timedelta

    from flask import current_app

    return datetime.now(UTC) - timedelta(minutes=current_app.config["JOBS_STALE_MINUTES"])


def is_stale(job: Job) -> bool:
    from datetime import UTC

    started = job.started_at
    if job.state is not JobState.RUNNING or started is None:
        return False
    if started.tzinfo is None:  # SQLite gives naive UTC back
        started = started.replace(tzinfo=UTC)
    return started < stale_cutoff()


def requeue(job: Job) -> None:
    """Queue ``job`` again once the current transaction commits."""
    job.state, job.error = JobState.QUEUED, None
    _queue.send_after_commit(db.session(), job.id)


def requeue_stale_jobs() -> int:
    """The periodic sweep: a job left RUNNING by a worker that died is queued again (its work
    was never committed: a job commits its work with its outcome), or failed with a Dutch
    message once it used up its attempts; how many were found."""
    from datetime import UTC, datetime

    from flask import current_app
    from flask_babel import gettext as _
    from sqlalchemy import select

    stale = db.session.scalars(
        select(Job).where(Job.state == JobState.RUNNING, Job.started_at < stale_cutoff())
    ).all()
    for job in stale:
        if job.attempts > current_app.config["JOBS_RETRIES"]:
            job.state, job.finished_at = JobState.FAILED, datetime.now(UTC)
            job.error = _("The job was interrupted several times (its worker stopped) and has "
                          "stopped. Nothing of it was saved. Ask your IT administrator to look at "
                          "'flask jobs'.")  # fmt: skip
        else:
            requeue(job)
        log.warning("job %s (%s) was left running by a stopped worker", job.id, job.kind)
    db.session.commit()
    return len(stale)
