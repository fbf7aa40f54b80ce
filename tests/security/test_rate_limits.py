"""Rate limits: per person for LTI logins and launches (a school shares one NAT address),
registration-code guesses per address, refused attempts per user (the audit log stays
readable). The limits are on in every test."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lti import dynamic_registration
from plugin.auth import Role
from plugin.extensions import db
from plugin.limits import EXTENSION_KEY
from plugin.models import AuditEvent
from tests.factories import StaffFactory
from tests.lti.conftest import start_login

NAT = {"REMOTE_ADDR": "203.0.113.7"}


def test_limits_are_on(app):
    assert app.extensions[EXTENSION_KEY].enabled
    assert app.config["RATELIMIT_ENABLED"] is True


def test_a_whole_school_behind_one_address_can_launch(client, registration):
    """30 teachers start a login twice within a minute from one address: no 429."""
    for teacher in range(30):
        for _ in range(2):
            login = start_login(
                client,
                login_hint=f"teacher-{teacher}",
            )
            assert login["response"].status_code == 302


def test_one_person_is_limited_to_30_logins_a_minute(client, registration):
    statuses = [start_login(client, login_hint="same-person")["response"].status_code
                for _ in range(31)]  # fmt: skip
    assert statuses[:30] == [302] * 30
    assert statuses[30] == 429


def test_the_limit_answers_in_dutch(client, registration):
    for _ in range(30):
        start_login(client, login_hint="same-person")
    response = start_login(client, login_hint="same-person")["response"]
    assert response.status_code == 429
    assert "Te veel pogingen" in response.get_data(as_text=True)


def test_registration_code_guesses_are_limited(client):
    statuses = [client.get("/lti/register", query_string={"code": f"guess-{n}"}).status_code
                for n in range(21)]  # fmt: skip
    assert set(statuses[:20]) == {400}
    assert statuses[20] == 429


def test_a_valid_registration_code_is_not_found_by_guessing(client, school):
    dynamic_registration.create_code(school.name)
    for n in range(25):
        client.get("/lti/register", query_string={"code": f"guess-{n}"})
    assert client.get("/lti/register", query_string={"code": "guess-x"}).status_code == 429


def _refusals() -> int:
    query = select(func.count(AuditEvent.id)).where(AuditEvent.action == "access_denied")
    return db.session.scalar(query)


def test_refused_attempts_cannot_flood_the_audit_log(client, login, school, other_school):
    staff = StaffFactory(school=school)
    login(role=Role.LEERKRACHT, school=school, staff=staff)
    statuses = [client.get(f"/rapportages/groep/{1000 + n}").status_code for n in range(40)]
    assert statuses[:30] == [404] * 30
    assert set(statuses[30:]) == {429}
    assert _refusals() == 30


@pytest.mark.parametrize("count", [5])
def test_a_few_refusals_are_each_audited(client, login, school, count):
    login(role=Role.LEERKRACHT, school=school, staff=StaffFactory(school=school))
    for n in range(count):
        assert client.get(f"/rapportages/groep/{1000 + n}").status_code == 404
    assert _refusals() == count
