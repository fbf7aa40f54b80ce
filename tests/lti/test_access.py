"""The school, not the course, decides access: a course named like a group shows nobody until an
IB links it, a pending or refused launch writes one audit row (ids only) and nothing else but
the request for the IB, the IB list takes effect at the next request, and a launch is matched
only to the school's own people."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from lti import claims
from plugin.auth import Role
from plugin.extensions import db
from plugin.models import (
    AccessRequest,
    AuditEvent,
    CourseRequest,
    Enrolment,
    Group,
    GroupMember,
    PlatformContext,
    Pupil,
    School,
    StaffMember,
    StaffRole,
    TeacherGroup,
)
from plugin.periods import school_year_of
from tests.conftest import session_stamp
from tests.factories import GroupFactory, PupilFactory, StaffFactory, enrol
from tests.lti.conftest import ISSUER, import_teacher, lands_on_dashboard

DOMAIN = (School, Group, Pupil, Enrolment, GroupMember, StaffMember, TeacherGroup,
          PlatformContext, AccessRequest)  # fmt: skip


def _rows() -> dict:
    """Every row of every table a launch could touch (the audit log apart)."""
    rows = {}
    for model in DOMAIN:
        columns = list(model.__table__.columns)
        rows[model.__name__] = sorted(map(tuple, db.session.execute(select(*columns)).all()),
                                      key=repr)  # fmt: skip
    return rows


def _audit() -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def _principal(client) -> dict | None:
    with client.session_transaction() as session:
        return session.get("principal")


@pytest.fixture
def real_group(school):
    """The colleague's Groep 5 with its pupils."""
    group = GroupFactory(school=school, name="Groep 5", school_year=school_year_of(date.today()))
    for name in ("Thijs Vos", "Noor Bakker", "Sem de Vries"):
        enrol(PupilFactory(school=school, display_name=name), group)
    return group


def _approve(app, school, request_id: int, group_id: int):
    """An IB of the school links the course (in another browser)."""
    ib = StaffFactory(school=school, role=StaffRole.IB)
    browser = app.test_client()
    with browser.session_transaction() as session:
        session["principal"] = {
            "role": "ib",
            "school_id": school.id,
            "display_name": "IB",
            "staff_id": ib.id,
            "session_version": ib.session_version,
        }
        session.update(session_stamp())
    response = browser.post(f"/administratie/koppelingen/aanvraag/{request_id}",
                            data={"group": str(group_id)})  # fmt: skip
    assert response.status_code == 303


def test_a_new_course_named_like_a_group_shows_no_pupil_until_an_ib_approves(
    app, launcher, lti_claims, school, real_group
):
    before = _rows()

    response = launcher(lti_claims)  # an unknown teacher's new course "Groep 5"

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Deze cursus wacht op je intern begeleider" in page
    assert "Groep 5 (2026)" in page  # says which course waits
    assert "Thijs Vos" not in page
    assert _principal(launcher.client) is None  # nobody is signed in
    assert _rows() == before  # nothing else was written …
    (event,) = _audit()  # … but exactly one audit row, with ids only
    assert (event.action, event.school_id) == ("course_link_requested", school.id)
    request = db.session.scalars(select(CourseRequest)).one()  # the request the IB will see
    assert (request.title, request.label, request.context_id) == (
        "Groep 5 (2026)", "Groep 5", "course-5a",
    )  # fmt: skip
    (who,) = request.requesters  # a teacher the school does not know yet: as the platform said
    assert (who.staff_id, who.name, who.email, who.platform_user_id) == (
        None, "Anne de Leerkracht", "anne@school.example", "teacher-42",
    )  # fmt: skip
    assert event.detail == {"request": request.id, "staff_id": None}

    _approve(app, school, request.id, real_group.id)
    landed = launcher(lti_claims)

    assert lands_on_dashboard(landed)
    principal = _principal(launcher.client)
    link = db.session.get(TeacherGroup, (principal["staff_id"], real_group.id))
    assert link.source == "roster"  # an instructor of the course the IB linked
    dashboard = launcher.client.get("/dashboard").get_data(as_text=True)
    assert "Groep 5" in dashboard


def test_a_known_teachers_pending_launch_writes_one_audit_row_and_the_approval_shows_at_once(
    app, launcher, lti_claims, school, real_group
):
    mine = import_teacher(school, "anne@school.example", group_name="Groep 6")
    launcher(lti_claims | {claims.CONTEXT: claims_context("own")})  # binds her account
    db.session.commit()
    before, audit_before = _rows(), len(_audit())

    response = launcher(lti_claims)

    assert response.status_code == 200
    assert "Naar je groepen" in response.get_data(as_text=True)  # she keeps her own group
    assert _rows() == before
    assert len(_audit()) == audit_before + 1
    dashboard = launcher.client.get("/dashboard").get_data(as_text=True)
    assert "Groep 6" in dashboard
    assert "Groep 5" not in dashboard
    assert launcher.client.get(f"/rapportages/groep/{real_group.id}").status_code == 404

    (event,) = [e for e in _audit() if e.action == "course_link_requested"]
    request = db.session.scalars(select(CourseRequest)).one()
    assert event.detail == {"request": request.id, "staff_id": mine.teacher.id}
    (who,) = request.requesters  # known to the school: an id, her name is looked up
    assert (who.staff_id, who.name, who.email) == (mine.teacher.id, None, None)
    _approve(app, school, request.id, real_group.id)

    dashboard = launcher.client.get("/dashboard").get_data(as_text=True)  # no new launch
    assert "Groep 5" in dashboard
    assert db.session.get(TeacherGroup, (mine.teacher.id, real_group.id)).source == "approved"


def claims_context(name: str) -> dict:
    return {"id": f"course-{name}", "label": "Groep 6", "title": "Groep 6"}


def test_a_refused_course_writes_one_audit_row_and_shows_no_pupils(
    launcher, lti_claims, school, real_group
):
    db.session.add(PlatformContext(school_id=school.id, issuer=ISSUER, context_id="course-5a",
                                   refused_at=datetime.now(UTC)))  # fmt: skip
    before = _rows()
    response = launcher(lti_claims)
    assert response.status_code == 200
    assert "niet aan een groep gekoppeld" in response.get_data(as_text=True)
    assert _rows() == before
    (refusal,) = _audit()
    assert (refusal.action, refusal.detail["reason"]) == ("launch_refused", "course_refused")


PERSONAL = ("Anne de Leerkracht", "anne@school.example", "teacher-42")
"""What the launching teacher's platform says about her (see ``lti_claims``)."""


def _personal_in_audit() -> list:
    return [
        (event.action, event.detail)
        for event in _audit()
        if any(needle in json.dumps(event.detail, ensure_ascii=False) + (event.actor_label or "")
               for needle in PERSONAL)
    ]  # fmt: skip


def test_requests_and_refused_launches_keep_no_name_email_or_account_in_the_audit_log(
    app, launcher, lti_claims, school, real_group, client, login
):
    launcher(lti_claims)  # a course nobody decided on: a request
    launcher(lti_claims)  # asked again: still one request, one requester
    db.session.add(PlatformContext(school_id=school.id, issuer=ISSUER, context_id="course-no",
                                   refused_at=datetime.now(UTC)))  # fmt: skip
    db.session.flush()
    launcher(lti_claims | {claims.CONTEXT: {"id": "course-no", "title": "Geweigerd"}})
    mentor = ["http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"]
    assert launcher(lti_claims | {claims.ROLES: mentor}).status_code == 403

    actions = [event.action for event in _audit()]
    assert actions == ["course_link_requested"] * 2 + ["launch_refused"] * 2
    reasons = [e.detail.get("reason") for e in _audit() if e.action == "launch_refused"]
    assert reasons == ["course_refused", "role"]
    assert _personal_in_audit() == []
    # The IB still sees who asked, from the request itself.
    login(role=Role.IB, school=school, staff=StaffFactory(school=school, role=StaffRole.IB))
    page = client.get("/administratie/koppelingen").get_data(as_text=True)
    assert "Groep 5 (2026)" in page
    assert "Anne de Leerkracht (anne@school.example)" in page
    assert page.count("Anne de Leerkracht") == 1


def test_a_course_name_or_custom_parameter_links_nothing_for_a_teacher_of_another_group(
    launcher, lti_claims, school, real_group
):
    import_teacher(school, "anne@school.example", group_name="Groep 6")
    lti_claims[claims.CUSTOM] = {"groep": "Groep 5", "group_id": str(real_group.id)}
    launcher(lti_claims)
    assert db.session.scalars(select(PlatformContext)).first() is None
    staff_links = db.session.scalars(select(TeacherGroup.group_id)).all()
    assert real_group.id not in staff_links


# --- the IB list ---------------------------------------------------------------------------


IB_ON_PLATFORM = [claims.ROLE_INSTITUTION_ADMIN, claims.ROLE_INSTRUCTOR]


def test_removing_an_ib_takes_effect_at_their_next_request(app, launcher, lti_claims, school):
    ibo = import_teacher(school, "anne@school.example", key="T1", role=StaffRole.IB).teacher
    StaffFactory(school=school, role=StaffRole.IB)  # a colleague, so Ibo is not the last one
    launcher(lti_claims | {claims.CONTEXT: claims_context("ib")})
    client = launcher.client
    assert _principal(client)["role"] == Role.IB.value  # IB by the school's list, not the platform
    assert client.get("/administratie/").status_code == 200

    other = app.test_client()
    with other.session_transaction() as session:
        session["principal"] = {"role": "ib", "school_id": school.id, "display_name": "IB",
                                "ib_by_platform": True}  # fmt: skip
        session.update(session_stamp())
    assert other.post(f"/administratie/toegang/ib/{ibo.id}/verwijderen").status_code == 303

    assert client.get("/administratie/").status_code == 403  # the very next request
    assert _principal(client)["role"] == Role.LEERKRACHT.value
    assert "Schoolrapport" not in client.get("/dashboard").get_data(as_text=True)
    assert [e.action for e in _audit() if e.action.startswith("ib_")] == ["ib_removed"]


def test_an_ib_by_the_platforms_role_stays_ib_off_the_list(launcher, lti_claims, school):
    import_teacher(school, "anne@school.example", role=StaffRole.IB)
    launcher(lti_claims | {claims.ROLES: IB_ON_PLATFORM, claims.CONTEXT: claims_context("x")})
    staff = db.session.scalars(select(StaffMember)).one()
    staff.role = StaffRole.LEERKRACHT
    staff.session_version += 1
    assert launcher.client.get("/administratie/").status_code == 200


def test_a_launch_never_writes_the_ib_list(launcher, lti_claims, school):
    import_teacher(school, "anne@school.example")
    launcher(lti_claims | {claims.ROLES: IB_ON_PLATFORM})
    assert _principal(launcher.client)["role"] == Role.IB.value
    assert db.session.scalars(select(StaffMember.role)).one() is StaffRole.LEERKRACHT


def test_a_session_of_someone_the_school_no_longer_has_ends(launcher, lti_claims, imported):
    launcher(lti_claims)
    db.session.delete(imported.teacher)
    assert launcher.client.get("/dashboard").status_code == 401


def test_it_appoints_the_first_ib_by_e_mail_before_they_ever_launched(
    app, launcher, lti_claims, school
):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["ib", "appoint", "--school", school.name, "Anne@school.example"])
    assert result.exit_code == 0, result.output
    assert "is nu IB" in result.output
    launcher(lti_claims | {claims.CONTEXT: claims_context("first")})
    principal = _principal(launcher.client)
    assert principal["role"] == Role.IB.value
    staff = db.session.get(StaffMember, principal["staff_id"])
    assert (staff.lti_subject, staff.display_name) == ("teacher-42", "Anne de Leerkracht")


# --- who the launching account is ----------------------------------------------------------


def test_an_e_mail_matches_only_a_school_row_not_bound_to_another_account(
    launcher, lti_claims, school
):
    taken = import_teacher(school, "anne@school.example").teacher
    taken.lti_issuer, taken.lti_subject = ISSUER, "the-real-anne"
    response = launcher(lti_claims)  # same e-mail, another account
    assert response.status_code == 200
    assert _principal(launcher.client) is None
    assert taken.lti_subject == "the-real-anne"


def test_an_e_mail_never_matches_across_schools(launcher, lti_claims, other_school):
    import_teacher(other_school, "anne@school.example")
    launcher(lti_claims)
    assert _principal(launcher.client) is None


def test_an_e_mail_two_rows_share_matches_neither(launcher, lti_claims, school):
    import_teacher(school, "anne@school.example", key="A")
    import_teacher(school, "ANNE@school.example", key="B", group_name="Groep 6")
    launcher(lti_claims)
    assert _principal(launcher.client) is None


def test_the_eck_id_from_the_platform_comes_before_the_e_mail(launcher, lti_claims, school):
    eck = "https://ketenid.nl/201703/anne"
    import_teacher(school, "anne@school.example", key="A", group_name="Groep 6")
    by_eck = import_teacher(school, "anne.prive@example.org", key="B", eckid=eck).teacher
    launcher(lti_claims | {claims.LIS: {"person_sourcedid": eck}})
    assert _principal(launcher.client)["staff_id"] == by_eck.id


def test_an_account_from_before_the_import_moves_to_the_imported_row(
    launcher, lti_claims, school, real_group
):
    early = StaffFactory(school=school, lti_issuer=ISSUER, lti_subject="teacher-42",
                         email="anne@school.example", role=StaffRole.IB)  # fmt: skip
    db.session.add(TeacherGroup(staff_id=early.id, group_id=real_group.id, school_id=school.id,
                                source="approved"))  # fmt: skip
    imported = import_teacher(school, "anne@school.example", group_name="Groep 6").teacher

    launcher(lti_claims)

    assert _principal(launcher.client)["staff_id"] == imported.id
    assert (imported.lti_subject, imported.role) == ("teacher-42", StaffRole.IB)
    assert (early.lti_subject, early.email, early.role) == (None, None, StaffRole.LEERKRACHT)
    assert db.session.get(TeacherGroup, (imported.id, real_group.id)).source == "approved"
    assert db.session.scalar(select(func.count()).select_from(TeacherGroup)) == 2


def test_a_roster_never_binds_an_account_of_another_school(school, other_school):
    from lti import nrps

    group = GroupFactory(school=school, school_year=school_year_of(date.today()))
    course = PlatformContext(school_id=school.id, issuer=ISSUER, context_id="c",
                             group_id=group.id)  # fmt: skip
    db.session.add(course)
    stranger = StaffFactory(school=other_school, lti_issuer=ISSUER, lti_subject="t-9")
    db.session.flush()
    member = {"user_id": "t-9", "name": "X", "roles": ["Instructor"]}
    assert nrps.apply_roster(course, group, ISSUER, [member], date.today()).teachers_linked == 0
    assert stranger.school_id == other_school.id
