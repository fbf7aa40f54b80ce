"""Sessions end: Afmelden for good, after an absolute lifetime; pages with pupil data are not
cached; headers limit framing and form posts to the user's own school's platforms."""

from __future__ import annotations

import re
import time

import pytest

from lti import services
from plugin.auth import Role
from plugin.extensions import db
from tests.conftest import TEST_FERNET_KEY, make_app
from tests.factories import GroupFactory, StaffFactory, SubjectFactory, link_teacher


@pytest.fixture
def teacher(client, login, school):
    staff = StaffFactory(school=school)
    group = GroupFactory(school=school)
    link_teacher(staff, group)
    SubjectFactory()
    login(role=Role.LEERKRACHT, school=school, staff=staff)
    return group


def test_sign_out_ends_the_session_and_a_copy_of_the_cookie_too(client, teacher):
    copied = client.get_cookie("lib_session").value
    assert client.get("/dashboard").status_code == 200
    page = client.post("/afmelden", headers={"Origin": "http://localhost"})
    assert page.status_code == 200
    assert "Je bent afgemeld" in page.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 401
    client.set_cookie("lib_session", copied)  # a copy kept elsewhere (another tab, a thief)
    assert client.get("/dashboard").status_code == 401


def test_every_signed_in_page_offers_afmelden(client, teacher):
    page = client.get("/dashboard").get_data(as_text=True)
    assert 'action="/afmelden"' in page
    assert ">Afmelden<" in page


def test_a_session_ends_after_its_absolute_lifetime_however_busy(client, teacher, app):
    assert client.get("/dashboard").status_code == 200
    with client.session_transaction() as session:
        session["signed_in_at"] = int(time.time()) - app.config["SESSION_ABSOLUTE_LIFETIME"] - 1
    assert client.get("/dashboard").status_code == 401


def test_idle_timeout_is_shorter_than_the_absolute_lifetime(app):
    assert app.permanent_session_lifetime.total_seconds() <= 3600
    assert app.config["SESSION_ABSOLUTE_LIFETIME"] == 10 * 3600


@pytest.mark.parametrize("url", ["/dashboard", "/rapportages/groep/{group}/export.csv"])
def test_pages_and_files_with_pupil_data_are_not_stored(client, teacher, url):
    response = client.get(url.format(group=teacher.id))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_static_files_may_be_cached(client):
    response = client.get("/static/css/app.css")
    assert "no-store" not in response.headers.get("Cache-Control", "")
    response.close()


def test_permissions_policy_turns_off_what_the_tool_never_uses(client):
    policy = client.get("/").headers["Permissions-Policy"]
    assert "camera=()" in policy
    assert "geolocation=()" in policy
    assert "fullscreen" not in policy  # the digibord mode goes full screen


def test_no_hsts_on_plain_http_development(client):
    assert "Strict-Transport-Security" not in client.get("/").headers


@pytest.mark.no_db
def test_production_sends_hsts(database_url):
    app = make_app(database_url, APP_ENV="production", PUBLIC_BASE_URL="https://lvs.example",
                   LTI_KEY_ENCRYPTION_KEYS=TEST_FERNET_KEY)  # fmt: skip
    with app.app_context():
        try:
            headers = app.test_client().get("/health").headers
        finally:
            db.session.remove()
            db.engine.dispose()
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")


def _directive(response, name: str) -> list[str]:
    return (
        re.search(rf"{name} ([^;]*)", response.headers["Content-Security-Policy"]).group(1).split()
    )


def _platform(issuer: str, school, page_origins=None):
    registration = services.upsert_registration(
        issuer=issuer, client_id="c", auth_login_url=issuer + "/auth",
        auth_token_url=issuer + "/token", jwks_url=issuer + "/jwks", page_origins=page_origins,
    )  # fmt: skip
    services.add_deployment(registration, "d", school)


def test_a_signed_in_page_may_be_framed_only_by_the_platforms_of_the_own_school(
    client, teacher, school, other_school
):
    _platform("https://moodle.own.example", school)
    _platform("https://moodle.other.example", other_school)
    response = client.get("/dashboard")
    for directive in ("frame-ancestors", "form-action"):
        origins = _directive(response, directive)
        assert "https://moodle.own.example" in origins
        assert "https://moodle.other.example" not in origins
        assert "*" not in origins


def test_a_page_before_sign_in_may_be_framed_by_any_registered_platform(client, school,
                                                                       other_school):  # fmt: skip
    _platform("https://moodle.own.example", school)
    _platform("https://moodle.other.example", other_school)
    origins = _directive(client.get("/"), "frame-ancestors")
    assert {"https://moodle.own.example", "https://moodle.other.example"} <= set(origins)


def test_page_origins_differ_from_the_login_host(client, teacher, school):
    """Hosted Canvas: login at sso.canvaslms.com, pages at the school's instructure.com."""
    _platform("https://canvas.instructure.com", school,
              page_origins=["https://school.instructure.com"])  # fmt: skip
    origins = _directive(client.get("/dashboard"), "frame-ancestors")
    assert "https://school.instructure.com" in origins


@pytest.mark.parametrize(
    "headers", [{}, {"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}]
)
def test_another_site_cannot_sign_a_user_out(client, teacher, headers):
    assert client.post("/afmelden", headers=headers).status_code == 403
    assert client.get("/dashboard").status_code == 200


def test_a_signed_in_user_loading_a_static_file_costs_no_query(client, teacher):
    from sqlalchemy import event

    statements = []

    def count(*_args):
        statements.append(1)

    db.session.commit()
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        client.get("/static/css/app.css").close()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert statements == []
