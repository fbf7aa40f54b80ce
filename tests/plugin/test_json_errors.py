"""A JSON client gets its errors as JSON, 500 and 503 included (the scoring grid must tell a
server error from being offline); a browser still gets the Dutch page."""

from __future__ import annotations

import pytest
from flask import Blueprint
from flask_migrate import upgrade
from sqlalchemy.exc import OperationalError

from plugin.extensions import db
from tests.conftest import make_app


@pytest.fixture
def failing_app(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'json.sqlite'}", PROPAGATE_EXCEPTIONS=False)
    bp = Blueprint("json_test", __name__)

    @bp.post("/boom")
    def boom():
        raise RuntimeError("a bug")

    @bp.post("/database-down")
    def database_down():
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    app.register_blueprint(bp)
    with app.app_context():
        upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.mark.no_db
@pytest.mark.parametrize(("path", "status"), [("/boom", 500), ("/database-down", 503),
                                              ("/does-not-exist", 404)])  # fmt: skip
def test_json_requests_get_json_errors(failing_app, path, status):
    response = failing_app.test_client().post(path, json={"value": "+"})
    assert response.status_code == status
    assert response.mimetype == "application/json"
    assert response.get_json()["error"]  # a Dutch sentence the grid can show
    assert response.get_json()["status"] == status


@pytest.mark.no_db
def test_a_client_that_accepts_only_json_gets_json(failing_app):
    response = failing_app.test_client().post("/boom", headers={"Accept": "application/json"})
    assert response.mimetype == "application/json"


@pytest.mark.no_db
def test_browsers_still_get_the_dutch_error_page(failing_app):
    response = failing_app.test_client().post("/boom", headers={"Accept": "text/html,*/*"})
    assert response.status_code == 500
    assert response.mimetype == "text/html"
    assert "Er ging iets mis" in response.get_data(as_text=True)
