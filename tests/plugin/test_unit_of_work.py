"""One unit of work per request: commit once after a success, roll back on any error; and the
embedded SQLite default takes writers from several threads without "database is locked"."""

from __future__ import annotations

import ast
import threading
from pathlib import Path

import pytest
from flask import Blueprint, abort
from flask_migrate import upgrade
from sqlalchemy import func, select

from plugin.extensions import db
from plugin.models import School
from tests.conftest import make_app

ROOT = Path(__file__).resolve().parents[2]
VIEW_MODULES = sorted(
    path
    for package in ("plugin", "lti", "reports", "instructions")
    for path in (ROOT / package).rglob("*.py")
    if path.name.startswith("views")
)


def test_there_are_view_modules_to_check():
    assert len(VIEW_MODULES) >= 8


@pytest.mark.parametrize("path", VIEW_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_view_module_commits_by_itself(path):
    """The request commits in one place (plugin.unit_of_work); a view never calls commit()."""
    tree = ast.parse(path.read_text())
    commits = [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "commit"
    ]
    assert commits == []


@pytest.fixture
def uow_app(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'uow.sqlite'}")
    bp = Blueprint("uow_test", __name__)

    @bp.post("/maak/<name>")
    def create(name: str):
        # Read, then write: the shape of every real view (load, then audit).
        db.session.scalar(select(func.count(School.id)))
        db.session.add(School(name=name))
        db.session.flush()
        return "ok"

    @bp.post("/maak-en-faal/<name>")
    def create_then_fail(name: str):
        db.session.add(School(name=name))
        db.session.flush()
        raise RuntimeError("after the write")

    @bp.post("/maak-en-weiger/<name>")
    def create_then_refuse(name: str):
        db.session.add(School(name=name))
        db.session.flush()
        abort(400)

    app.register_blueprint(bp)
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


def _names(app) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(select(School.name)))


@pytest.mark.no_db
def test_a_successful_request_is_committed_and_a_failing_one_leaves_nothing(uow_app):
    client = uow_app.test_client()
    assert client.post("/maak/Bewaard").status_code == 200
    assert client.post("/maak-en-faal/Kwijt").status_code == 500
    assert client.post("/maak-en-weiger/Geweigerd").status_code == 400
    assert _names(uow_app) == {"Bewaard"}


@pytest.mark.no_db
def test_sqlite_takes_many_concurrent_writers_without_locking_errors(uow_app):
    """Eight threads write at once (a staff room saving scores): every write is stored."""
    statuses: list[int] = []

    def writer(number: int) -> None:
        client = uow_app.test_client()
        for index in range(15):
            statuses.append(client.post(f"/maak/school-{number}-{index}").status_code)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 120
    with uow_app.app_context():
        assert db.session.scalar(select(func.count(School.id))) == 120
