"""``GET /ready``: 200 only when the database (at this version's schema), Redis (when
configured) and the job queue answer; otherwise 503 naming each part that does not, by label
only (the endpoint is public: no hosts, ports, file names or error texts)."""

from __future__ import annotations

import os
import shutil

import pytest
from huey import SqliteHuey

from plugin.extensions import db
from plugin.jobs import queue as job_queue
from tests.browser.live import free_port
from tests.conftest import make_app

DOWN_DATABASE = "postgresql://nobody@127.0.0.1:1/none"


def _ready(app):
    response = app.test_client().get("/ready")
    with app.app_context():
        db.engine.dispose()  # no connection left open to the shared test database
    return response.status_code, response.get_json(), response.get_data(as_text=True)


def test_ready_when_database_and_queue_answer(client):
    response = client.get("/ready")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ready",
        "checks": {"database": "ok", "redis": "not configured", "jobs": "ok"},
    }
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


@pytest.mark.no_db
def test_a_database_that_does_not_answer_is_named_without_its_address():
    status, body, text = _ready(make_app(DOWN_DATABASE))
    assert status == 503
    assert body["status"] == "not ready"
    assert body["failing"] == ["database"]
    assert body["checks"]["database"] == "unavailable"
    assert "127.0.0.1" not in text
    assert "nobody" not in text


@pytest.mark.no_db
def test_a_database_without_this_versions_migrations_is_not_ready(tmp_path):
    """After an upgrade the new code must not serve the old schema: until `flask setup`."""
    status, body, _ = _ready(make_app(f"sqlite:///{tmp_path / 'fresh.sqlite'}"))
    assert status == 503
    assert body["failing"] == ["database"]
    assert body["checks"]["database"] == "schema mismatch"


@pytest.mark.no_db
def test_redis_that_does_not_answer_is_named_without_its_address(database_url):
    port = free_port()  # nothing listens there
    app = make_app(database_url, REDIS_URL=f"redis://127.0.0.1:{port}/0")
    status, body, text = _ready(app)
    assert status == 503
    assert body["failing"] == ["redis"]
    assert body["checks"] == {"database": "ok", "redis": "unavailable", "jobs": "ok"}
    assert str(port) not in text


@pytest.mark.no_db
def test_a_job_queue_on_redis_that_does_not_answer_fails_both(database_url):
    port = free_port()
    app = make_app(database_url, REDIS_URL=f"redis://127.0.0.1:{port}/0", JOBS_BACKEND="redis")
    status, body, _ = _ready(app)
    assert status == 503
    assert body["failing"] == ["redis", "jobs"]


@pytest.mark.no_db
def test_a_job_queue_file_that_cannot_be_opened_is_named(database_url, tmp_path):
    """The embedded default's queue is a SQLite file under instance/; make it unopenable."""
    app = make_app(database_url)
    queue_file = tmp_path / "queue.sqlite"
    huey = SqliteHuey("ready-test", filename=str(queue_file), results=False)
    app.extensions[job_queue.QUEUE_KEY] = huey
    assert _ready(app)[0] == 200
    huey.storage.close()
    for leftover in tmp_path.glob("queue.sqlite*"):
        leftover.unlink()
    queue_file.mkdir()  # a directory where the file should be: sqlite cannot open it
    try:
        status, body, text = _ready(app)
    finally:
        shutil.rmtree(queue_file)
    assert status == 503
    assert body["failing"] == ["jobs"]
    assert body["checks"] == {"database": "ok", "redis": "not configured", "jobs": "unavailable"}
    assert "queue.sqlite" not in text


@pytest.mark.no_db
@pytest.mark.skipif(not os.environ.get("TEST_REDIS_URL"), reason="TEST_REDIS_URL is not set")
def test_ready_with_redis_and_the_job_queue_on_it(database_url):
    app = make_app(database_url, REDIS_URL=os.environ["TEST_REDIS_URL"], JOBS_BACKEND="redis")
    status, body, _ = _ready(app)
    assert (status, body["checks"]) == (200, {"database": "ok", "redis": "ok", "jobs": "ok"})
