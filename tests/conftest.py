"""Shared fixtures: one app and one migrated database per run; every test rolls back.

The database is SQLite (a temporary file) unless ``TEST_DATABASE_URL`` points at PostgreSQL;
then a fresh, uniquely named database is created for this run and dropped at the end, so
nothing is left behind and parallel runs do not meet.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask, g, has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_sqlalchemy.session import Session as FlaskSession

from plugin import create_app
from plugin.auth import Principal, Role
from plugin.config import normalise_database_url
from plugin.extensions import db

pytest_plugins = ["tests.factories"]
TEST_FERNET_KEY = "dGVzdC1vbmx5LWZlcm5ldC1rZXktMzItYnl0ZXMhIT0="  # 32 bytes, tests only


def _backend() -> str:
    return "postgresql" if os.environ.get("TEST_DATABASE_URL") else "sqlite"


@contextmanager
def fresh_database(prefix: str, sqlite_path: Path) -> Iterator[str]:
    """A database of its own: a SQLite file, or (with ``TEST_DATABASE_URL``) a uniquely named
    PostgreSQL database, created here and dropped afterwards so nothing is left behind."""
    server_url = os.environ.get("TEST_DATABASE_URL")
    if not server_url:
        yield f"sqlite:///{sqlite_path}"
        return
    server_url = normalise_database_url(server_url)
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield (
            sa.engine.make_url(server_url).set(database=name).render_as_string(hide_password=False)
        )
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    with fresh_database("lib_test", tmp_path_factory.mktemp("db") / "test.sqlite") as url:
        yield url


class IsolatedClient(FlaskClient):
    """Each request starts with an empty ``g`` and the test's setup committed, as in production.

    The tests keep an app context pushed (for factories and queries); Flask reuses it for the
    client's requests, so without this the signed-in principal or the locale cached on ``g`` by
    one request would leak into the next.
    """

    def open(self, *args, **kwargs):
        # What the test set up is committed before the user acts, as in real life: a request
        # that rolls back (a refusal) must not take the test's data with it.
        if has_app_context():
            db.session.commit()
        saved = dict(g.__dict__) if g else None
        if saved is not None:
            g.__dict__.clear()
        try:
            return super().open(*args, **kwargs)
        finally:
            if saved is not None:
                g.__dict__.clear()
                g.__dict__.update(saved)


def make_app(database_url: str, **extra) -> Flask:
    app = _create(database_url, **extra)
    app.test_client_class = IsolatedClient
    return app


def _create(database_url: str, **extra) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
            "LTI_KEY_ENCRYPTION_KEYS": TEST_FERNET_KEY,
            "PUBLIC_BASE_URL": "http://localhost",
            "WTF_CSRF_ENABLED": False,
            "REDIS_URL": None,
            "JOBS_BACKEND": "memory",
            "JOBS_RETRY_DELAY": 0,
            # Not instance/help-videos: what make help-videos recorded there is no test's input.
            "HELP_VIDEO_DIR": str(Path(__file__).resolve().parent / "no-help-videos"),
            **extra,
        }
    )


@pytest.fixture(scope="session")
def app(database_url: str) -> Iterator[Flask]:
    app = make_app(database_url)
    with app.app_context():
        upgrade()
    yield app  # no context stays pushed: each test pushes its own (see db_session)
    with app.app_context():
        db.engine.dispose()


class ConnectionBoundSession(FlaskSession):
    """Flask-SQLAlchemy's session picks an engine per model and ignores ``bind``; in tests every
    statement must go through the test's one connection (and its outer transaction)."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if self.bind is not None:
            return self.bind
        return super().get_bind(mapper, clause=clause, bind=bind, **kwargs)


@pytest.fixture(autouse=True)
def db_session(request, app: Flask):
    """Run each test inside one outer transaction that is rolled back afterwards.

    The app's commits become SAVEPOINT releases (join_transaction_mode), so views behave as
    in production while nothing survives the test.
    """
    if "no_db" in request.keywords:
        yield None
        return
    context = app.app_context()  # a fresh ``g`` for every test
    context.push()
    connection = db.engine.connect()
    transaction = connection.begin()
    original = db.session
    db.session = db._make_scoped_session(
        {
            "class_": ConnectionBoundSession,
            "bind": connection,
            "join_transaction_mode": "create_savepoint",
        }
    )
    try:
        yield db.session
    finally:
        db.session.remove()
        db.session = original
        transaction.rollback()
        connection.close()
        context.pop()


@pytest.fixture(autouse=True)
def fresh_reference_cache():
    """Each test starts without the reference snapshots of the one before: its rollback of the
    outer transaction is not a session event, so it would not drop them."""
    from plugin import reference_cache

    reference_cache.clear()


@pytest.fixture(autouse=True)
def fresh_rate_limits(app: Flask):
    """Each test starts with empty rate-limit counters (the limits themselves stay on)."""
    from plugin.limits import EXTENSION_KEY

    app.extensions[EXTENSION_KEY].reset()


@pytest.fixture
def drain_jobs():
    """Run the background jobs queued so far (after committing what the test set up), the way
    the worker would; returns how many queue tasks ran."""
    from plugin.jobs.cli import drain

    def _drain() -> int:
        db.session.commit()
        return drain()

    return _drain


@pytest.fixture
def client(app: Flask):
    return app.test_client()


@pytest.fixture
def login(client):
    """Sign a test client in as a principal, the way a finished LTI launch does.

    This goes through the app factory's session machinery in the test process only; the
    running app has no such back door.
    """

    def _login(**kwargs) -> Principal:
        return sign_in_client(client, **kwargs)

    return _login


def session_stamp() -> dict:
    """What ``plugin.sessions.start`` adds at sign-in (an id and the moment), for tests that
    write a session by hand."""
    return {"sid": uuid.uuid4().hex, "signed_in_at": int(time.time())}


def sign_in_client(
    client,
    *,
    role: Role,
    school,
    staff=None,
    pupil=None,
    name: str = "Test",
    synthetic=False,
    ib_by_platform: bool | None = None,
) -> Principal:
    """What a finished launch leaves in the session (see the ``login`` fixture)."""
    # As after a launch: an IB is IB by the platform's institution role unless the test
    # says otherwise, and the session carries the staff member's current version.
    principal = Principal(
        role=role,
        school_id=school.id,
        display_name=name,
        staff_id=staff.id if staff else None,
        pupil_id=pupil.id if pupil else None,
        synthetic=synthetic,
        session_version=staff.session_version if staff else -1,
        ib_by_platform=role is Role.IB if ib_by_platform is None else ib_by_platform,
    )
    with client.session_transaction() as session:
        data = dict(principal.__dict__)
        data["role"] = role.value
        session["principal"] = data
        session.update(session_stamp())
    return principal


def pytest_report_header(config) -> str:
    return f"database backend: {_backend()}"


def pytest_terminal_summary(terminalreporter) -> None:
    if _backend() == "postgresql":
        terminalreporter.write_line("Database backend: PostgreSQL (TEST_DATABASE_URL).")
    elif os.environ.get("LIB_POSTGRES_NEXT"):
        terminalreporter.write_line("Database backend: SQLite. The PostgreSQL run follows.")
    else:
        terminalreporter.write_line(
            "Database backend: SQLite. PostgreSQL skipped: TEST_DATABASE_URL is not set."
        )


ROOT = Path(__file__).resolve().parent.parent


def pytest_sessionstart(session) -> None:
    """Compile the catalogues when a .po is newer than its .mo (``make`` does this too)."""
    from babel.messages import mofile, pofile

    for po_path in (ROOT / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as f:
            catalogue = pofile.read_po(f)
        with mo_path.open("wb") as f:
            mofile.write_mo(f, catalogue)
