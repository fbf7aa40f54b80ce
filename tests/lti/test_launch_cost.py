"""What a launch costs the database: login + launch + landing page in at most 9 SQL statements
and one commit per request (two requests: the launch answers with the dashboard itself; the
login's registration, the subjects, tests and the platforms that may frame the page are
reference data this process keeps, :mod:`plugin.reference_cache`), and a returning teacher's
launch writes only what must change (the login's state, taking it, the audit row), nothing
about people or courses that stayed the same.

Counted on an installation of its own (no outer test transaction: real commits), with
SQLAlchemy's ``before_cursor_execute`` and the connection's ``commit`` event. Transaction
control (SQLite's ``BEGIN IMMEDIATE``, which takes the write lock) is counted apart: PostgreSQL
sends none of it as a statement.
"""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from lti import claims
from plugin.extensions import db
from tests.lti.conftest import (
    CLIENT_ID,
    DEPLOYMENT_ID,
    ISSUER,
    complete,
    import_teacher,
    sign,
    start_login,
)

pytestmark = pytest.mark.no_db
CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.IGNORECASE)
BOUND = 9


@contextmanager
def counting(app):
    """Statements (without transaction control) and commits per request, by request."""
    seen: dict[str, list] = {"statements": [], "commits": []}

    def statement(conn, cursor, text, *args):  # noqa: ARG001
        if not CONTROL.match(text):
            seen["statements"].append(" ".join(text.split()))

    def commit(conn):  # noqa: ARG001
        seen["commits"].append(1)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine, "commit", commit)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", statement)
        event.remove(engine, "commit", commit)


def _launch_steps(client):
    """Login, then the launch answered with the landing page (a generator: count between
    them)."""
    login = start_login(client)
    assert login["response"].status_code == 302
    yield "login"
    body = {
        "iss": ISSUER, "aud": CLIENT_ID, "sub": "moodle-7", "name": "Anne de Leerkracht",
        "email": "anne@school.example", claims.MESSAGE_TYPE: claims.RESOURCE_LINK_REQUEST,
        claims.VERSION: "1.3.0", claims.DEPLOYMENT_ID: DEPLOYMENT_ID,
        claims.TARGET_LINK_URI: "http://localhost/lti/launch",
        claims.RESOURCE_LINK: {"id": "tile"}, claims.ROLES: [claims.ROLE_INSTRUCTOR],
        claims.CONTEXT: {"id": "groep-6-course", "label": "Groep 6", "title": "Groep 6"},
    }  # fmt: skip
    token = sign(complete(body, login["nonce"]))
    launch = client.post("/lti/launch", data={"id_token": token, "state": login["state"]})
    assert launch.status_code == 200, launch.get_data(as_text=True)
    assert "Groep 6" in launch.get_data(as_text=True)
    yield "launch"


def _measure(app) -> dict[str, dict]:
    client = app.test_client()
    per_request = {}
    with counting(app) as seen:
        for step in _launch_steps(client):
            per_request[step] = {"statements": list(seen["statements"]),
                                 "commits": len(seen["commits"])}  # fmt: skip
            seen["statements"].clear()
            seen["commits"].clear()
    return per_request


@pytest.fixture
def teacher_of_groep_6(installation):
    """The school's import says Anne teaches Groep 6; her course is named after it."""
    app, ids = installation
    with app.app_context():
        from plugin.models import School

        import_teacher(db.session.get(School, ids["school"]), "anne@school.example",
                       group_name="Groep 6", display_name="Anne de Leerkracht")  # fmt: skip
        db.session.commit()
    return app


def test_a_launch_costs_at_most_9_statements_and_one_commit_per_request(teacher_of_groep_6):
    app = teacher_of_groep_6
    first = _measure(app)  # binds her account, links the course by the import
    assert [first[step]["commits"] for step in first] == [1, 1]

    again = _measure(app)
    assert [again[step]["commits"] for step in again] == [1, 1]
    total = sum(len(again[step]["statements"]) for step in again)
    assert total <= BOUND, {step: again[step]["statements"] for step in again}


def test_a_returning_teachers_launch_writes_only_what_changed(teacher_of_groep_6):
    app = teacher_of_groep_6
    _measure(app)
    again = _measure(app)
    writes = [s.split(" (")[0].split(" SET")[0].split(" WHERE")[0]
              for step in again for s in again[step]["statements"]
              if not s.startswith("SELECT")]  # fmt: skip
    if app.config["REDIS_URL"] is None:  # launch state in the database (the default)
        assert writes == ["INSERT INTO lti_launch_state", "DELETE FROM lti_launch_state",
                          "INSERT INTO audit_event"]  # fmt: skip
    else:
        assert writes == ["INSERT INTO audit_event"]


def test_a_login_purges_nothing(teacher_of_groep_6):
    """Expired launch state is purged by the job worker every quarter of an hour."""
    app = teacher_of_groep_6
    login = _measure(app)["login"]["statements"]
    assert not [s for s in login if s.startswith("DELETE")]
    from plugin.jobs import queue_of

    names = {task.__name__ for task in queue_of(app)._registry._periodic_tasks}
    assert "purge_launch_state" in names
