"""1EdTech certification's awkward-but-valid launches: each gives a sensible page, never an
error (short role names, several roles, unknown or empty role, no name/email, no context)."""

from __future__ import annotations

from sqlalchemy import func, select

from lti import claims
from plugin.auth import Role
from plugin.extensions import db
from plugin.models import Group, StaffMember
from tests.lti.conftest import DROP, landed


def _role(client) -> str | None:
    with client.session_transaction() as session:
        return (session.get("principal") or {}).get("role")


def _lands(response, client) -> None:
    landed(response, client)


def test_short_role_names(launcher, lti_claims, imported):
    _lands(launcher(lti_claims | {claims.ROLES: ["Instructor"]}), launcher.client)
    assert _role(launcher.client) == Role.LEERKRACHT.value
    lti_claims |= {"sub": "pupil-1", claims.ROLES: ["Learner"]}
    _lands(launcher(lti_claims), launcher.client)
    assert _role(launcher.client) == Role.LEERLING.value


def test_several_roles(launcher, lti_claims, imported):
    roles = [claims.ROLE_LEARNER, claims.ROLE_INSTRUCTOR, claims.MEMBERSHIP + "Mentor"]
    _lands(launcher(lti_claims | {claims.ROLES: roles}), launcher.client)
    assert _role(launcher.client) == Role.LEERKRACHT.value


def test_unknown_role_gets_a_friendly_refusal(launcher, lti_claims):
    response = launcher(lti_claims | {claims.ROLES: [claims.MEMBERSHIP + "Mentor"]})
    assert response.status_code == 403
    assert b"refused-title" in response.data
    assert _role(launcher.client) is None
    assert db.session.scalar(select(func.count(StaffMember.id))) == 0


def test_empty_role_gets_a_friendly_refusal(launcher, lti_claims):
    for roles in ([""], []):
        response = launcher(lti_claims | {claims.ROLES: roles})
        assert response.status_code == 403
        assert b"refused-title" in response.data


IB = {claims.ROLES: [claims.ROLE_INSTITUTION_ADMIN, claims.ROLE_INSTRUCTOR], claims.CONTEXT: DROP}


def test_no_name_or_email(launcher, lti_claims):
    _lands(launcher(lti_claims | IB | {"name": DROP, "email": DROP}), launcher.client)
    staff = db.session.scalars(select(StaffMember)).one()
    assert staff.display_name == "Medewerker"
    assert staff.email is None


def test_given_and_family_name_make_the_display_name(launcher, lti_claims):
    body = lti_claims | IB | {"name": DROP, "given_name": "Piet", "family_name": "Bakker"}
    _lands(launcher(body), launcher.client)
    assert db.session.scalars(select(StaffMember)).one().display_name == "Piet Bakker"


def test_no_context_claim(launcher, lti_claims, imported):
    _lands(launcher(lti_claims | {claims.CONTEXT: DROP}), launcher.client)
    assert _role(launcher.client) == Role.LEERKRACHT.value
    assert db.session.scalar(select(func.count(Group.id))) == 1  # the imported one, no other


def test_an_unknown_teacher_without_context_gets_a_page_saying_so(launcher, lti_claims):
    response = launcher(lti_claims | {claims.CONTEXT: DROP})
    assert response.status_code == 200
    assert "Je ziet nog geen leerlingen" in response.get_data(as_text=True)
    assert _role(launcher.client) is None
    assert db.session.scalar(select(func.count(StaffMember.id))) == 0
