"""What a user sees without a launch, and when things go wrong: Dutch, no stack traces."""

import pytest
from flask import Blueprint

from tests.conftest import make_app


def test_landing_page_explains_the_tool_in_dutch(client):
    response = client.get("/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="nl">' in page
    assert "via de tegel in het schoolplatform" in page
    assert 'href="#main"' in page  # skip link
    assert "<main" in page


def test_english_is_available_as_a_second_language(client):
    page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "opens from the tile in your school platform" in page


def test_unknown_page_gives_a_dutch_404(client):
    response = client.get("/bestaat-niet")
    assert response.status_code == 404
    assert "Pagina niet gevonden" in response.get_data(as_text=True)


def test_pages_may_only_be_framed_by_known_origins(client):
    response = client.get("/")
    assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_health_reports_the_database(client):
    assert client.get("/health").get_json() == {"status": "ok"}


@pytest.fixture
def broken_app(tmp_path):
    """An app whose one extra view fails, to see what a user gets."""
    app = make_app(f"sqlite:///{tmp_path / 'broken.sqlite'}")
    bp = Blueprint("broken", __name__)

    @bp.get("/kapot")
    def kapot():
        raise RuntimeError("secret internal detail")

    app.register_blueprint(bp)
    return app


@pytest.mark.no_db
def test_an_unexpected_error_shows_a_dutch_page_without_a_stack_trace(broken_app):
    response = broken_app.test_client().get("/kapot")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Er ging iets mis" in page
    assert "secret internal detail" not in page
    assert "Traceback" not in page


@pytest.mark.no_db
def test_a_database_that_is_down_gives_503_in_dutch():
    app = make_app("postgresql://nobody@127.0.0.1:1/none")
    client = app.test_client()
    assert client.get("/health").status_code == 503
    bp_app = make_app("postgresql://nobody@127.0.0.1:1/none")
    bp = Blueprint("needs_db", __name__)

    @bp.get("/leerlingen")
    def pupils():
        from sqlalchemy import select

        from plugin.extensions import db
        from plugin.models import Pupil

        return str(db.session.scalars(select(Pupil)).all())

    bp_app.register_blueprint(bp)
    response = bp_app.test_client().get("/leerlingen")
    assert response.status_code == 503
    assert "niet bereikbaar" in response.get_data(as_text=True)
