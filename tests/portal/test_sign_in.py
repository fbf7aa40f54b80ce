"""Signing in from a portal tile through the demo identity provider: each role lands where an
LTI launch would land them, with the school's own access."""

from __future__ import annotations

from sqlalchemy import select

from plugin.extensions import db
from plugin.models import AuditEvent
from tests.portal.conftest import row_counts


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_teacher_lands_on_their_dashboard(client, browser, demo_school):
    school = demo_school.school
    response = browser.sign_in(f"leerkracht:{school.id}", "?school=99XA")
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"
    page = client.get("/dashboard")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Juf Demi Jansen (fictief)" in text
    assert "Groep 5" in text
    [event] = _events("portal_sign_in")
    assert event.school_id == school.id
    assert event.detail["role"] == "leerkracht"
    assert event.actor_staff_id == demo_school.teacher.id


def test_ib_gets_the_school_wide_pages(client, browser, demo_school):
    response = browser.sign_in(f"ib:{demo_school.school.id}")
    assert response.headers["Location"] == "/dashboard"
    assert client.get("/administratie/").status_code == 200


def test_teacher_does_not_get_the_ib_pages(client, browser, demo_school):
    browser.sign_in(f"leerkracht:{demo_school.school.id}")
    assert client.get("/administratie/").status_code == 403


def test_pupil_gets_the_pupil_page(client, browser, demo_school):
    response = browser.sign_in(f"leerling:{demo_school.school.id}")
    assert response.headers["Location"] == "/dashboard"
    page = client.get("/dashboard")
    assert page.status_code == 200
    assert "Lotte D." in page.get_data(as_text=True)
    group = demo_school.group.id
    assert client.get(f"/rapportages/groep/{group}").status_code in (403, 404)


def test_deep_link_lands_on_the_page_asked_for(client, browser, demo_school):
    target = f"/rapportages/groep/{demo_school.group.id}"
    response = browser.sign_in(f"leerkracht:{demo_school.school.id}", f"?school=99XA&next={target}")
    assert response.headers["Location"] == target


def test_next_to_another_site_is_ignored(client, browser, demo_school):
    response = browser.sign_in(f"leerkracht:{demo_school.school.id}",
                               "?next=//evil.example/phish")  # fmt: skip
    assert response.headers["Location"] == "/dashboard"


def test_sign_in_creates_nobody_and_binds_nothing(browser, demo_school):
    before = row_counts()
    browser.sign_in(f"leerkracht:{demo_school.school.id}")
    after = row_counts()
    assert {k: after[k] - before[k] for k in after if after[k] != before[k]} == {"audit_event": 1}
    assert demo_school.teacher.lti_subject is None


def test_sign_out_offers_the_providers_end_session(client, browser, demo_school):
    browser.sign_in(f"leerkracht:{demo_school.school.id}")
    page = client.post("/afmelden", headers={"Origin": "http://localhost"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "http://localhost/demo/idp/logout?client_id=" in text
    assert client.get("/dashboard").status_code == 401


def test_landing_page_offers_sign_in_through_the_school(client):
    text = client.get("/").get_data(as_text=True)
    assert 'href="/login"' in text
    assert "Inloggen via je school" in text
