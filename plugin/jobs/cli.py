"""``flask jobs``: what IT sees of background work, and the worker that does it."""

from __future__ import annotations

import click
from flask import Flask
from flask_babel import gettext as _
from sqlalchemy import select

from plugin.extensions import db
from plugin.jobs import queue
from plugin.models import Job, JobFile, JobState, School


def register(app: Flask) -> None:
    @app.cli.group("jobs", invoke_without_command=True)
    @click.option("--limit", default=30, show_default=True, help="How many recent jobs.")
    @click.pass_context
    def jobs(context: click.Context, limit: int) -> None:
        """Background jobs: without a subcommand, list the most recent ones."""
        if context.invoked_subcommand is None:
            _list(limit)

    @jobs.command("worker")
    @click.option("--workers", default=2, show_default=True, help="Worker threads.")
    def worker(workers: int) -> None:
        """Run queued and periodic jobs until stopped (Ctrl+C or SIGTERM)."""
        consumer = queue.queue().create_consumer(
            workers=workers, worker_type="thread", periodic=True, check_worker_health=True
        )
        click.echo(_("Job worker started (%(count)s threads).", count=workers))
        consumer.run()

    @jobs.command("run-pending")
    def run_pending() -> None:
        """Run every job that is waiting now, in this process, then stop."""
        count = drain()
        click.echo(_("%(count)s queued tasks run.", count=count))

    @jobs.command("retry")
    @click.argument("job_id", type=click.IntRange(1, 2**31 - 1))
    def retry(job_id: int) -> None:
        """Queue a failed job again (its uploaded file is kept for a day after it failed), or
        one left running by a worker that stopped."""
        from plugin.jobs import is_stale, requeue

        job = db.session.get(Job, job_id)
        if job is None or not (job.state is JobState.FAILED or is_stale(job)):
            raise click.ClickException(
                _("There is no failed or stalled job with number %(id)s.", id=job_id)
            )
        if job.payload.get("has_file") and db.session.get(JobFile, job_id) is None:
            raise click.ClickException(
                _("The uploaded file of this job has been removed; upload it again.")
            )
        requeue(job)
        db.session.commit()
        click.echo(_("Job %(id)s is queued again.", id=job_id))


def _list(limit: int) -> None:
    from plugin.jobs import is_stale

    rows = db.session.execute(
        select(Job, School.name)
        .outerjoin(School, School.id == Job.school_id)
        .order_by(Job.id.desc())
        .limit(limit)
    ).all()
    if not rows:
        click.echo(_("No jobs yet."))
        return
    for job, school in rows:
        line = f"{job.id:>6}  {job.created_at:%Y-%m-%d %H:%M}  {job.kind:<20} {job.state.value:<9}"
        line += f" {job.attempts}x  {school or '-'}"
        click.echo(line)
        if is_stale(job):
            click.echo("        " + _("Stalled: running for too long, its worker probably "
                                      "stopped. It is queued again automatically; now: flask "
                                      "--app wsgi jobs retry %(id)s", id=job.id))  # fmt: skip
        if job.error:
            click.echo(f"        {job.error}")


def drain(max_tasks: int = 10_000) -> int:
    """Run the tasks waiting in the queue (and due retries) in this process; how many ran."""
    huey = queue.queue()
    count = 0
    while count < max_tasks:
        task = huey.dequeue()
        if task is None:
            due = huey.read_schedule()
            if not due:
                break
            for scheduled in due:
                huey.enqueue(scheduled)
            continue
        try:
            huey.execute(task)
        except Exception:  # noqa: BLE001, S112 - the runner recorded it; go on with the others
            continue
        finally:
            count += 1
    return count
