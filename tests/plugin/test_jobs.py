"""Background jobs: queued only after their transaction commits, all-or-nothing, retried and
then visibly failed, followed by the person who started them, and run by a real worker."""

from __future__ import annotations

import signal
import time

import pytest
from click.testing import CliRunner
from flask import Blueprint
from flask_migrate import upgrade
from sqlalchemy import func, select

from plugin import jobs
from plugin.auth import Role
from plugin.extensions import db
from plugin.jobs.cli import drain
from plugin.models import AuditEvent, Job, JobFile, JobState, School
from tests.conftest import make_app
from tests.factories import StaffFactory

CALLS: list[str] = []


def _echo(context: jobs.JobContext) -> dict:
    """Writes a school named after the payload, reports progress, returns a summary."""
    CALLS.append(context.kind)
    context.progress(1, 2, "halverwege")
    db.session.add(School(name=context.payload["name"]))
    db.session.flush()
    return {"bytes": len(context.data())}


def _flaky(context: jobs.JobContext) -> dict:
    CALLS.append(context.kind)
    db.session.add(School(name=f"kwijt-{len(CALLS)}"))
    db.session.flush()
    raise RuntimeError("the platform did not answer")


def _refusing(context: jobs.JobContext) -> dict:
    db.session.add(School(name="nooit"))
    db.session.flush()
    raise jobs.JobRefused("Regel 3: de leerling bestaat niet.")


@pytest.fixture(autouse=True)
def handlers(app):
    CALLS.clear()
    jobs.register_job(app, "test_echo", _echo)
    jobs.register_job(app, "test_flaky", _flaky)
    jobs.register_job(app, "test_refusing", _refusing)


def _names() -> set[str]:
    return set(db.session.scalars(select(School.name)))


def test_a_job_runs_only_after_its_transaction_commits_and_keeps_no_upload(app):
    job = jobs.enqueue("test_echo", {"name": "Uit de taak"}, data=b"<EDEX/>")
    assert drain() == 0  # not committed yet: nothing on the queue
    db.session.commit()
    assert drain() == 1
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert (job.state, job.attempts, job.result) == (JobState.DONE, 1, {"bytes": 7})
    assert "Uit de taak" in _names()
    assert db.session.get(JobFile, job.id) is None  # the upload is gone once done


def test_a_job_of_a_rolled_back_transaction_is_never_queued(app):
    jobs.enqueue("test_echo", {"name": "Teruggedraaid"})
    db.session.rollback()
    db.session.commit()
    assert drain() == 0
    assert CALLS == []


def test_a_failing_job_is_retried_then_fails_visibly_and_leaves_nothing(app):
    job = jobs.enqueue("test_flaky", data=b"file")
    db.session.commit()
    drain()
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert len(CALLS) == 1 + app.config["JOBS_RETRIES"]
    assert job.state is JobState.FAILED
    assert "flask jobs" in job.error
    assert not any(name.startswith("kwijt") for name in _names())
    assert db.session.get(JobFile, job.id) is not None  # kept a day so IT can retry it
    output = CliRunner().invoke(app.cli, ["jobs"], obj=None).output
    assert "test_flaky" in output
    assert "failed" in output


def test_a_refused_job_fails_at_once_with_its_dutch_message(app):
    job = jobs.enqueue("test_refusing")
    db.session.commit()
    drain()
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert (job.state, job.attempts) == (JobState.FAILED, 1)
    assert job.error == "Regel 3: de leerling bestaat niet."
    assert "nooit" not in _names()


def test_the_starter_and_the_schools_ib_follow_a_job_others_get_an_audited_404(
    client, login, school, other_school
):
    starter = StaffFactory(school=school)
    job = jobs.enqueue("test_echo", {"name": "Gevolgd"}, school_id=school.id,
                       staff_id=starter.id)  # fmt: skip
    db.session.commit()
    drain()
    login(role=Role.LEERKRACHT, school=school, staff=starter)
    body = client.get(f"/taken/{job.id}").get_json()
    assert (body["state"], body["result"]) == ("done", {"bytes": 0})
    login(role=Role.IB, school=school, staff=StaffFactory(school=school))
    assert client.get(f"/taken/{job.id}").status_code == 200
    for role, where in ((Role.LEERKRACHT, school), (Role.IB, other_school)):
        login(role=role, school=where, staff=StaffFactory(school=where))
        before = db.session.scalar(select(func.count(AuditEvent.id)))
        assert client.get(f"/taken/{job.id}").status_code == 404
        assert db.session.scalar(select(func.count(AuditEvent.id))) == before + 1


@pytest.fixture
def sqlite_queue_app(tmp_path):
    """An app with the embedded default: a SQLite database and a SQLite queue file."""
    app = make_app(f"sqlite:///{tmp_path / 'jobs.sqlite'}", JOBS_BACKEND="sqlite")
    app.instance_path = str(tmp_path / "instance")
    jobs.register_job(app, "test_echo", _echo)
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.mark.no_db
def test_a_real_worker_runs_a_job_a_web_request_queued(sqlite_queue_app):
    """The web process queues, a worker (Huey's consumer) runs it, the page sees it done."""
    app = sqlite_queue_app
    bp = Blueprint("start_job", __name__)

    @bp.post("/start")
    def start():
        return {"id": jobs.enqueue("test_echo", {"name": "Door de werker"}).id}

    app.register_blueprint(bp)
    job_id = app.test_client().post("/start").get_json()["id"]
    with app.app_context():
        consumer = jobs.queue_of(app).create_consumer(workers=1, worker_type="thread")
        saved = {
            sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
        }
        consumer.start()  # worker threads of its own; returns at once (and sets signal handlers)
        try:
            deadline = time.monotonic() + 20
            state = None
            while time.monotonic() < deadline and state != JobState.DONE:
                time.sleep(0.1)
                db.session.rollback()
                state = db.session.scalar(select(Job.state).where(Job.id == job_id))
        finally:
            consumer.stop(graceful=True)
            for sig, handler in saved.items():
                signal.signal(sig, handler)
        assert state == JobState.DONE
        assert db.session.scalar(select(School.id).where(School.name == "Door de werker"))


def test_the_job_worker_command_exists(app):
    result = CliRunner().invoke(app.cli, ["jobs", "--help"])
    assert {"worker", "retry", "run-pending"} <= set(result.output.split())


def test_the_upload_of_a_failed_job_is_purged_after_the_retention_time(app):
    job = jobs.enqueue("test_flaky", data=b"an export with a BSN in it")
    db.session.commit()
    drain()
    assert db.session.get(JobFile, job.id) is not None
    app.config["JOB_FILE_RETENTION_HOURS"] = 0
    try:
        assert jobs.purge_job_files() == 1
    finally:
        app.config["JOB_FILE_RETENTION_HOURS"] = 24
    assert db.session.get(JobFile, job.id) is None


def _left_running(minutes_ago: int, attempts: int = 1) -> Job:
    """A job whose worker was killed while it ran: RUNNING, started long ago, nothing saved."""
    from datetime import UTC, datetime, timedelta

    job = Job(
        kind="test_echo",
        payload={"name": "Na de herstart"},
        state=JobState.RUNNING,
        attempts=attempts,
        started_at=datetime.now(UTC) - timedelta(minutes=minutes_ago),
    )
    db.session.add(job)  # fmt: skip
    db.session.commit()
    return job


def test_a_job_whose_worker_was_killed_is_shown_to_it_and_queued_again(app):
    stalled, busy = _left_running(minutes_ago=120), _left_running(minutes_ago=5)
    output = CliRunner().invoke(app.cli, ["jobs"], obj=None).output
    assert f"jobs retry {stalled.id}" in output  # IT sees it, and what to do
    assert f"jobs retry {busy.id}" not in output  # still within its time

    assert jobs.requeue_stale_jobs() == 1
    assert drain() == 1
    db.session.expire_all()
    assert db.session.get(Job, stalled.id).state is JobState.DONE
    assert "Na de herstart" in _names()
    assert db.session.get(Job, busy.id).state is JobState.RUNNING


def test_flask_jobs_retry_takes_a_stalled_job_and_refuses_a_running_one(app):
    stalled, busy = _left_running(minutes_ago=120), _left_running(minutes_ago=5)
    result = CliRunner().invoke(app.cli, ["jobs", "retry", str(stalled.id)], obj=None)
    assert result.exit_code == 0, result.output
    assert CliRunner().invoke(app.cli, ["jobs", "retry", str(busy.id)], obj=None).exit_code == 1
    assert drain() == 1
    db.session.expire_all()
    assert db.session.get(Job, stalled.id).state is JobState.DONE


def test_a_job_killed_again_and_again_fails_visibly(app):
    job = _left_running(minutes_ago=120, attempts=1 + app.config["JOBS_RETRIES"])
    jobs.requeue_stale_jobs()
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert job.state is JobState.FAILED
    assert "flask jobs" in job.error
    assert drain() == 0
