"""A valid launch signs the user in with the right role, school and group."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from lti import claims
from plugin.auth import Role
from plugin.extensions import db
from plugin.models import AuditEvent, Group, PlatformContext, Pupil, StaffMember, TeacherGroup
from plugin.periods import school_year_of
from tests.factories import GroupFactory


def _principal(client) -> dict:
    with client.session_transaction() as session:
        return session.get("principal")


def test_teacher_launch_links_existing_group_of_current_year(launcher, lti_claims, school):
    year = school_year_of(date.today())
    group = GroupFactory(school=school, name="Groep 5", school_year=year, leerjaar=5)
    GroupFactory(school=school, name="Groep 5", school_year=year - 1, leerjaar=5)

    response = launcher(lti_claims)

    assert response.status_code == 302
    principal = _principal(launcher.client)
    assert principal["role"] == Role.LEERKRACHT.value
    assert principal["school_id"] == school.id
    staff = db.session.get(StaffMember, principal["staff_id"])
    assert (staff.display_name, staff.email) == ("Anne de Leerkracht", "anne@school.example")
    link = db.session.get(TeacherGroup, (staff.id, group.id))
    assert link is not None
    assert link.source == "launch"
    context = db.session.scalars(select(PlatformContext)).one()
    assert context.group_id == group.id
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "launch")).one()
    assert event.school_id == school.id


def test_unknown_group_is_created_with_leerjaar_from_its_name(launcher, lti_claims, school):
    lti_claims[claims.CONTEXT] = {"id": "c-77", "label": "7B", "title": "Klas 7B"}
    assert launcher(lti_claims).status_code == 302
    group = db.session.scalars(select(Group).where(Group.school_id == school.id)).one()
    year = school_year_of(date.today())
    assert (group.name, group.leerjaar, group.school_year) == ("7B", 7, year)


def test_second_launch_reuses_group_and_staff(launcher, lti_claims, school):
    launcher(lti_claims)
    launcher(lti_claims)
    assert db.session.scalar(select(func.count(Group.id))) == 1
    assert db.session.scalar(select(func.count(StaffMember.id))) == 1


def test_launch_sets_locale_and_lands_on_a_page(launcher, lti_claims):
    lti_claims[claims.LAUNCH_PRESENTATION] = {"locale": "en-GB"}
    response = launcher(lti_claims)
    with launcher.client.session_transaction() as session:
        assert session["locale"] == "en-GB"
    page = launcher.client.get(response.headers["Location"])
    assert page.status_code == 200


def test_learner_launch_creates_pupil_enrolled_in_group(launcher, lti_claims, school):
    lti_claims[claims.ROLES] = [claims.ROLE_LEARNER]
    lti_claims["sub"] = "pupil-7"
    assert launcher(lti_claims).status_code == 302
    principal = _principal(launcher.client)
    assert principal["role"] == Role.LEERLING.value
    pupil = db.session.get(Pupil, principal["pupil_id"])
    assert pupil.lti_subject == "pupil-7"
    assert pupil.school_id == school.id


def test_institution_administrator_is_ib(launcher, lti_claims):
    lti_claims[claims.ROLES] = [claims.ROLE_INSTITUTION_ADMIN, claims.ROLE_INSTRUCTOR]
    launcher(lti_claims)
    assert _principal(launcher.client)["role"] == Role.IB.value


def test_a_teacher_with_custom_rol_ib_on_their_own_activity_stays_a_teacher(launcher, lti_claims):
    """In Moodle every editing teacher can type custom parameters: they never make an IB."""
    lti_claims[claims.CUSTOM] = {"rol": "ib"}
    launcher(lti_claims)
    assert _principal(launcher.client)["role"] == Role.LEERKRACHT.value
    lti_claims[claims.ROLES] = [claims.ROLE_LEARNER]
    lti_claims["sub"] = "pupil-8"
    launcher(lti_claims)
    assert _principal(launcher.client)["role"] == Role.LEERLING.value


def test_ib_roles_are_configurable_per_registration(launcher, lti_claims, registration):
    registration.ib_roles = [claims.SYSTEM + "SysAdmin"]
    lti_claims[claims.ROLES] = [claims.ROLE_INSTITUTION_ADMIN, claims.ROLE_INSTRUCTOR]
    lti_claims[claims.CUSTOM] = {"rol": "ib"}
    launcher(lti_claims)
    assert _principal(launcher.client)["role"] == Role.LEERKRACHT.value
    lti_claims[claims.ROLES] = [claims.SYSTEM + "SysAdmin"]
    launcher(lti_claims)
    assert _principal(launcher.client)["role"] == Role.IB.value


def test_context_of_another_school_is_never_linked(launcher, lti_claims, other_school):
    year = school_year_of(date.today())
    foreign = GroupFactory(school=other_school, name="Groep 5", school_year=year)
    launcher(lti_claims)
    assert db.session.get(Group, foreign.id).school_id == other_school.id
    context = db.session.scalars(select(PlatformContext)).one()
    assert context.group_id != foreign.id


def test_staff_account_of_another_school_is_refused_not_crossed(
    launcher, lti_claims, registration, other_school
):
    from lti import services

    services.add_deployment(registration, "deployment-2", other_school)
    assert launcher(lti_claims).status_code == 302
    response = launcher(lti_claims | {claims.DEPLOYMENT_ID: "deployment-2"})
    assert response.status_code == 403
    assert b"refused-title" in response.data
    staff = db.session.scalars(select(StaffMember)).one()
    assert staff.school_id != other_school.id


def test_login_by_form_post_as_moodle_sends_it(client, registration):
    from tests.lti.conftest import CLIENT_ID, ISSUER, LAUNCH_URL

    form = {"iss": ISSUER, "login_hint": "2", "target_link_uri": LAUNCH_URL,
            "client_id": CLIENT_ID, "lti_message_hint": "{\"cmid\":7}"}  # fmt: skip
    response = client.post("/lti/login", data=form)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(ISSUER + "/auth?")
    assert "lti_message_hint=" in location
    assert "redirect_uri=http%3A%2F%2Flocalhost%2Flti%2Flaunch" in location
