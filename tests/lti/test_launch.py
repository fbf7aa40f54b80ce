"""A valid launch signs the user in with the right role, school and group."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from lti import claims
from plugin.auth import Role
from plugin.extensions import db
from plugin.models import (
    AuditEvent,
    Enrolment,
    Group,
    PlatformContext,
    Pupil,
    StaffMember,
    TeacherGroup,
)
from plugin.periods import school_year_of
from tests.factories import GroupFactory
from tests.lti.conftest import lands_on_dashboard


def _principal(client) -> dict:
    with client.session_transaction() as session:
        return session.get("principal")


def test_a_course_named_like_her_imported_group_links_for_its_imported_teacher(
    launcher, lti_claims, school, imported
):
    year = school_year_of(date.today())
    GroupFactory(school=school, name="Groep 5", school_year=year - 1, leerjaar=5)

    response = launcher(lti_claims)

    assert lands_on_dashboard(response)
    principal = _principal(launcher.client)
    assert principal["role"] == Role.LEERKRACHT.value
    assert principal["school_id"] == school.id
    assert principal["staff_id"] == imported.teacher.id  # matched by e-mail, any case
    staff = db.session.get(StaffMember, principal["staff_id"])
    assert (staff.lti_issuer, staff.lti_subject) == ("https://platform.example", "teacher-42")
    assert staff.display_name == "Anne de Leerkracht"
    links = db.session.scalars(select(TeacherGroup)).all()
    assert [(link.group_id, link.source) for link in links] == [(imported.group.id, "import")]
    context = db.session.scalars(select(PlatformContext)).one()
    assert (context.group_id, context.approved_by_staff_id) == (imported.group.id, None)
    assert context.approved_at is not None
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert actions == {"launch", "course_linked_by_import"}


def test_a_course_name_never_creates_a_group(launcher, lti_claims, school):
    lti_claims[claims.CONTEXT] = {"id": "c-77", "label": "7B", "title": "Klas 7B"}
    response = launcher(lti_claims)
    assert response.status_code == 200
    assert "wacht op je intern begeleider" in response.get_data(as_text=True)
    assert db.session.scalars(select(Group)).first() is None
    assert db.session.scalars(select(PlatformContext)).first() is None


def test_second_launch_reuses_group_and_staff(launcher, lti_claims, imported):
    launcher(lti_claims)
    launcher(lti_claims)
    assert db.session.scalar(select(func.count(Group.id))) == 1
    assert db.session.scalar(select(func.count(StaffMember.id))) == 1


def test_launch_sets_locale_and_lands_on_a_page(launcher, lti_claims, imported):
    lti_claims[claims.LAUNCH_PRESENTATION] = {"locale": "en-GB"}
    response = launcher(lti_claims)
    with launcher.client.session_transaction() as session:
        assert session["locale"] == "en-GB"
    assert lands_on_dashboard(response)
    assert '<html lang="en">' in response.get_data(as_text=True)  # the page in her language


def test_learner_of_a_linked_course_without_import_becomes_a_pupil_of_its_group(
    launcher, lti_claims, school
):
    group = GroupFactory(school=school, name="Groep 5", school_year=school_year_of(date.today()))
    db.session.add(PlatformContext(school_id=school.id, issuer=lti_claims["iss"],
                                   context_id="course-5a", group_id=group.id))  # fmt: skip
    lti_claims[claims.ROLES] = [claims.ROLE_LEARNER]
    lti_claims["sub"] = "pupil-7"
    assert lands_on_dashboard(launcher(lti_claims))
    principal = _principal(launcher.client)
    assert principal["role"] == Role.LEERLING.value
    pupil = db.session.get(Pupil, principal["pupil_id"])
    assert (pupil.lti_subject, pupil.school_id) == ("pupil-7", school.id)
    enrolment = db.session.scalars(select(Enrolment).where(Enrolment.pupil_id == pupil.id)).one()
    assert enrolment.group_id == group.id


def test_learner_of_a_course_nobody_linked_creates_no_pupil(launcher, lti_claims, school):
    GroupFactory(school=school, name="Groep 5", school_year=school_year_of(date.today()))
    lti_claims[claims.ROLES] = [claims.ROLE_LEARNER]
    assert lands_on_dashboard(launcher(lti_claims))
    assert _principal(launcher.client)["role"] == Role.LEERLING.value
    assert db.session.scalars(select(Pupil)).first() is None


def test_institution_administrator_is_ib(launcher, lti_claims):
    lti_claims[claims.ROLES] = [claims.ROLE_INSTITUTION_ADMIN, claims.ROLE_INSTRUCTOR]
    launcher(lti_claims)
    assert _principal(launcher.client)["role"] == Role.IB.value


def test_a_teacher_with_custom_rol_ib_on_their_own_activity_stays_a_teacher(
    launcher, lti_claims, imported
):
    """In Moodle every editing teacher can type custom parameters: they never make an IB."""
    lti_claims[claims.CUSTOM] = {"rol": "ib"}
    launcher(lti_claims)
    assert _principal(launcher.client)["role"] == Role.LEERKRACHT.value
    lti_claims[claims.ROLES] = [claims.ROLE_LEARNER]
    lti_claims["sub"] = "pupil-8"
    launcher(lti_claims)
    assert _principal(launcher.client)["role"] == Role.LEERLING.value


def test_ib_roles_are_configurable_per_registration(launcher, lti_claims, registration, imported):
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
    assert db.session.scalars(select(PlatformContext)).first() is None
    assert db.session.scalars(select(TeacherGroup)).first() is None
    assert db.session.get(Group, foreign.id).school_id == other_school.id


def test_staff_account_of_another_school_is_refused_not_crossed(
    launcher, lti_claims, registration, other_school, imported
):
    from lti import services

    services.add_deployment(registration, "deployment-2", other_school)
    assert lands_on_dashboard(launcher(lti_claims))
    response = launcher(lti_claims | {claims.DEPLOYMENT_ID: "deployment-2"})
    assert response.status_code == 403
    assert b"refused-title" in response.data
    staff = db.session.scalars(select(StaffMember)).one()
    assert staff.school_id != other_school.id
    refusal = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "launch_refused")
    ).one()  # the platform signed it: someone really tried, and the school can see it
    assert (refusal.school_id, refusal.detail["reason"]) == (other_school.id, "other_school")


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
