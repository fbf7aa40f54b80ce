"""The built-in demo platform goes through the real login, signed id_token and launch."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lti.models import Registration
from plugin.auth import Role
from plugin.extensions import db
from plugin.models import PlatformContext, TeacherGroup
from tests.conftest import make_app
from tests.factories import SchoolFactory
from tests.lti.conftest import import_teacher, lands_on_dashboard
from tests.lti.forms import forms


@pytest.fixture
def demo_school():
    """A demo school as the demo data makes it: Juf Demi imported (by the e-mail the demo
    platform sends) as the teacher of this year's Groep 5."""
    school = SchoolFactory(name="OBS Demo (fictief)", is_synthetic=True)
    imported = import_teacher(school, f"leerkracht.{school.id}@demo.invalid",
                              display_name="Juf Demi Jansen (fictief)")  # fmt: skip
    return school, imported.group


def demo_launch(client, school, user: str):
    """Click through the demo platform like a browser; the final launch response."""
    start = client.post("/demo/start", data={"school": school.id, "user": user})
    assert start.status_code == 302
    login = client.get(start.headers["Location"])
    assert login.status_code == 302
    auth = client.get(login.headers["Location"])
    assert auth.status_code == 200
    (form,) = [f for f in forms(auth.data) if "id_token" in f["fields"]]
    assert form["action"] == "http://localhost/lti/launch"
    return client.post("/lti/launch", data=form["fields"])


def _principal(client) -> dict:
    with client.session_transaction() as session:
        return session["principal"]


def test_index_lists_demo_schools_only(client, demo_school, school):
    page = client.get("/demo/")
    assert page.status_code == 200
    assert b"OBS Demo (fictief)" in page.data
    assert school.name.encode() not in page.data


def test_teacher_of_groep_5_lands_linked_to_the_demo_group(client, demo_school):
    school, group = demo_school
    response = demo_launch(client, school, "leerkracht")
    assert lands_on_dashboard(response)
    principal = _principal(client)
    assert principal["role"] == Role.LEERKRACHT.value
    assert principal["synthetic"] is True
    assert db.session.get(TeacherGroup, (principal["staff_id"], group.id)).source == "import"
    context = db.session.scalars(select(PlatformContext)).one()
    assert context.group_id == group.id  # the import says she teaches the group it names


@pytest.mark.parametrize(("user", "role"), [("ib", Role.IB), ("leerling", Role.LEERLING)])
def test_ib_and_pupil(client, demo_school, user, role):
    assert lands_on_dashboard(demo_launch(client, demo_school[0], user))
    assert _principal(client)["role"] == role.value


def test_registers_itself_once(client, demo_school):
    demo_launch(client, demo_school[0], "leerkracht")
    demo_launch(client, demo_school[0], "ib")
    registration = db.session.scalars(select(Registration)).one()
    assert registration.issuer == "https://demo.leerling-in-beeld.invalid"
    assert registration.jwks_url == "http://localhost/demo/jwks"
    assert len(registration.deployments) == 1


def test_refuses_a_real_school_and_a_foreign_redirect(client, demo_school, school):
    assert client.post("/demo/start", data={"school": school.id, "user": "ib"}).status_code == 400
    start = client.post("/demo/start", data={"school": demo_school[0].id, "user": "ib"})
    login = client.get(start.headers["Location"])
    evil = login.headers["Location"].replace(
        "redirect_uri=http%3A%2F%2Flocalhost%2Flti%2Flaunch", "redirect_uri=https%3A%2F%2Fevil"
    )
    assert client.get(evil).status_code == 400


@pytest.mark.no_db
def test_demo_routes_do_not_exist_when_disabled(database_url):
    app = make_app(database_url, DEMO_PLATFORM=False)
    assert "demo.index" not in app.view_functions
    with app.app_context():
        try:
            assert app.test_client().get("/demo/").status_code == 404
        finally:
            db.session.remove()
            db.engine.dispose()


@pytest.mark.no_db
def test_production_has_no_demo_routes(database_url):
    app = make_app(database_url, APP_ENV="production", PUBLIC_BASE_URL="https://lvs.example")
    assert app.config["DEMO_PLATFORM"] is False
    assert not [rule.rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/demo")]


def test_the_demo_course_is_named_after_the_group_the_school_lists_for_the_teacher(client):
    """A demo school without a Groep 5 (the teacher teaches Groep 4): the demo platform names
    the course "Groep 4", and it links by the ordinary rule."""
    school = SchoolFactory(name="IKC Demo (fictief)", is_synthetic=True)
    group = import_teacher(school, f"leerkracht.{school.id}@demo.invalid", group_name="Groep 4",
                           display_name="Juf Demi Jansen (fictief)").group  # fmt: skip
    assert lands_on_dashboard(demo_launch(client, school, "leerkracht"))
    context = db.session.scalars(select(PlatformContext)).one()
    assert (context.label, context.group_id) == ("Groep 4", group.id)


def test_without_the_schools_data_the_demo_teacher_waits_like_anyone(client):
    school = SchoolFactory(name="OBS Leeg (fictief)", is_synthetic=True)
    response = demo_launch(client, school, "leerkracht")
    assert response.status_code == 200
    assert "wacht op je intern begeleider" in response.get_data(as_text=True)
    assert db.session.scalars(select(PlatformContext)).first() is None


def test_on_another_address_the_demo_keeps_its_issuer_and_the_teacher_her_account(
    client, app, demo_school, monkeypatch
):
    """``PORT=8080 make run`` on the same database: the demo's endpoints move along, its
    issuer (and so the teacher's bound account) stays (tests/browser/test_make_run_port.py
    launches through it end to end)."""
    school, _group = demo_school
    assert lands_on_dashboard(demo_launch(client, school, "leerkracht"))
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "http://localhost:8080")
    start = client.post("/demo/start", data={"school": school.id, "user": "leerkracht"})
    assert start.headers["Location"].startswith("http://localhost:8080/lti/login?")
    assert "iss=https%3A%2F%2Fdemo.leerling-in-beeld.invalid" in start.headers["Location"]
    registration = db.session.scalars(select(Registration)).one()
    assert registration.jwks_url == "http://localhost:8080/demo/jwks"
    assert registration.issuer == "https://demo.leerling-in-beeld.invalid"
