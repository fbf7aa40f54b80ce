"""Roster sync over NRPS: a client-credentials service token signed with the tool's key, paged
memberships; only for a course the school linked: pupils matched (account, ECK iD, name),
added and marked as left only for a group without an import whose one course it is, teachers
linked by roster."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import jwt
import pytest
import requests
from sqlalchemy import func, select

from lti import claims, keys, nrps
from plugin.auth import Role
from plugin.extensions import db
from plugin.models import (
    AuditEvent,
    Enrolment,
    Job,
    JobState,
    PlatformContext,
    Pupil,
    StaffMember,
    StaffRole,
    TeacherGroup,
    UnmatchedAccount,
)
from plugin.periods import school_year_of
from tests.factories import GroupFactory, PupilFactory, StaffFactory, enrol
from tests.lti.conftest import ISSUER, import_teacher, lands_on_dashboard

MEMBERS_URL = ISSUER + "/nrps/course-5a"


def _response(body: dict, link: str | None = None, status: int = 200) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps(body).encode()
    if link:
        response.headers["Link"] = f'<{link}>; rel="next"'
    return response


@pytest.fixture
def platform_services(monkeypatch):
    """The platform's token and membership endpoints; records what the tool sent."""
    seen: dict = {"token_requests": [], "member_requests": []}
    pages = {
        MEMBERS_URL: _response({"members": [
            {"user_id": "pupil-1", "name": "Sam", "roles": [claims.ROLE_LEARNER]},
            {"user_id": "teacher-42", "name": "Anne", "roles": ["Instructor"]},
        ]}, link=MEMBERS_URL + "?page=2"),
        MEMBERS_URL + "?page=2": _response({"members": [
            {"user_id": "pupil-2", "name": "Noor", "roles": ["Learner"]},
            {"user_id": "pupil-3", "name": "Gone", "roles": ["Learner"], "status": "Inactive"},
        ]}),
    }  # fmt: skip

    def post(url, data):
        seen["token_requests"].append((url, data))
        return _response({"access_token": "service-token", "token_type": "Bearer"})

    def get(url, headers):
        seen["member_requests"].append((url, headers))
        return pages[url]

    monkeypatch.setattr(nrps.outbound, "post", post)
    monkeypatch.setattr(nrps.outbound, "get", get)
    return seen


@pytest.fixture
def group(school):
    return GroupFactory(school=school, name="Groep 5", school_year=school_year_of(date.today()))


def link_course(group, context_id: str = "course-5a") -> PlatformContext:
    """A course an IB linked to ``group``."""
    course = PlatformContext(school_id=group.school_id, issuer=ISSUER, context_id=context_id,
                             group_id=group.id, approved_at=datetime.now(UTC))  # fmt: skip
    db.session.add(course)
    db.session.flush()
    return course


@pytest.fixture
def course(group):
    return link_course(group)


def test_roster_of_a_group_without_import_adds_pupils_marks_leavers_and_links_teachers(
    registration, group, course, school, platform_services
):
    stayed = PupilFactory(school=school, lti_subject="pupil-1", display_name="Sam")
    left = PupilFactory(school=school, lti_subject="pupil-3", display_name="Gone")
    old = PupilFactory(school=school, lti_subject="pupil-9", display_name="Moved away")
    for pupil in (stayed, left, old):
        enrol(pupil, group)

    result = nrps.sync_roster(registration, course, group, MEMBERS_URL, date(2026, 11, 23))

    assert (result.pupils_added, result.pupils_left, result.teachers_linked) == (1, 2, 1)
    noor = db.session.scalars(select(Pupil).where(Pupil.lti_subject == "pupil-2")).one()
    assert db.session.scalars(select(Enrolment).where(Enrolment.pupil_id == noor.id)).one()
    assert (stayed.left_on, left.left_on, old.left_on) == (
        None, date(2026, 11, 23), date(2026, 11, 23),
    )  # fmt: skip
    assert db.session.get(Pupil, old.id) is not None  # marked, never deleted
    teacher = db.session.scalars(select(StaffMember)).one()
    link = db.session.get(TeacherGroup, (teacher.id, group.id))
    assert (link.source, link.via_context_id) == ("roster", course.id)


def test_service_token_request_is_a_signed_client_assertion(
    registration, group, course, platform_services
):
    nrps.sync_roster(registration, course, group, MEMBERS_URL, date.today())
    url, data = platform_services["token_requests"][0]
    assert url == registration.auth_token_url
    assert data["grant_type"] == "client_credentials"
    assert data["scope"] == claims.SCOPE_NRPS
    public = jwt.PyJWK(keys.published_keys()[0])
    assertion = jwt.decode(data["client_assertion"], public, algorithms=["RS256"],
                           audience=registration.auth_token_url)  # fmt: skip
    assert assertion["iss"] == assertion["sub"] == registration.client_id
    _url, headers = platform_services["member_requests"][0]
    assert headers["Authorization"] == "Bearer service-token"
    assert headers["Accept"] == claims.NRPS_MEDIA_TYPE


def test_teacher_launch_from_a_linked_course_syncs_the_roster_once(
    launcher, lti_claims, course, platform_services, drain_jobs, login, school
):
    lti_claims[claims.NRPS] = {"context_memberships_url": MEMBERS_URL, "service_versions": ["2.0"]}
    assert lands_on_dashboard(launcher(lti_claims))
    assert platform_services["token_requests"] == []  # not inside the launch: a job, after it
    assert lands_on_dashboard(launcher(lti_claims))  # one sync waits already: none queued
    drain_jobs()
    assert len(platform_services["token_requests"]) == 1
    assert lands_on_dashboard(launcher(lti_claims))  # synced less than half an hour ago
    drain_jobs()
    assert len(platform_services["token_requests"]) == 1  # throttled
    names = set(db.session.scalars(select(Pupil.display_name)))
    assert names == {"Sam", "Noor"}
    sync = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "roster_sync")).one()
    assert (sync.detail["course"], sync.detail["added"]) == (course.id, 2)
    job = db.session.scalars(select(Job).where(Job.kind == "roster_sync")).one()
    assert (job.state, job.result["added"]) == (JobState.DONE, 2)
    assert course.roster_synced_at is not None
    assert course.roster_failed_at is None


def test_unmatched_accounts_are_listed_for_the_ib_and_the_audit_log_keeps_only_their_number(
    launcher, lti_claims, course, group, platform_services, drain_jobs, login, school, client
):
    group.key = "G5"  # an imported group: accounts that match no pupil stay unmatched
    lti_claims[claims.NRPS] = {"context_memberships_url": MEMBERS_URL}
    assert lands_on_dashboard(launcher(lti_claims))
    drain_jobs()

    sync = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "roster_sync")).one()
    assert (sync.detail["course"], sync.detail["unresolved"]) == (course.id, 2)
    logged = json.dumps([e.detail for e in db.session.scalars(select(AuditEvent))])
    for needle in ("Sam", "Noor", "pupil-1", "pupil-2"):
        assert needle not in logged
    names = db.session.scalars(select(UnmatchedAccount.name).order_by(UnmatchedAccount.name))
    assert names.all() == ["Noor", "Sam"]
    login(role=Role.IB, school=school, staff=StaffFactory(school=school, role=StaffRole.IB))
    page = client.get("/administratie/koppelingen").get_data(as_text=True)
    assert "2 leerlingaccounts niet gekoppeld: Noor, Sam" in page


def test_a_platform_that_does_not_answer_never_blocks_the_launch_and_the_teacher_is_told(
    launcher, lti_claims, course, group, monkeypatch, drain_jobs, client
):
    def down(*args, **kwargs):
        raise requests.ConnectionError("platform down")

    monkeypatch.setattr(nrps.outbound, "post", down)
    lti_claims[claims.NRPS] = {"context_memberships_url": MEMBERS_URL}
    response = launcher(lti_claims)
    assert lands_on_dashboard(response)
    assert "kon niet" not in response.get_data(as_text=True)
    drain_jobs()

    assert db.session.scalars(select(Pupil)).first() is None
    job = db.session.scalars(select(Job).where(Job.kind == "roster_sync")).one()
    assert job.state is JobState.FAILED
    assert job.attempts > 1
    assert course.roster_failed_at is not None
    assert course.roster_synced_at is None
    page = client.get("/dashboard").get_data(as_text=True)
    assert "De klassenlijst van Groep 5 kon niet worden opgehaald" in page
    assert "Groep 5" in page

    # The marker is set only on success: the next launch queues a new sync at once.
    course.roster_queued_at = None  # ... once the waiting time of the failed one has passed
    monkeypatch.setattr(nrps.outbound, "post", lambda url, data: _response({"access_token": "t"}))
    monkeypatch.setattr(nrps.outbound, "get", lambda url, headers: _response({"members": [
        {"user_id": "pupil-1", "name": "Sam", "roles": [claims.ROLE_LEARNER]}]}))  # fmt: skip
    assert lands_on_dashboard(launcher(lti_claims))
    drain_jobs()
    assert db.session.scalars(select(Pupil.display_name)).all() == ["Sam"]
    assert "kon niet" not in client.get("/dashboard").get_data(as_text=True)


def _snapshot(group) -> dict:
    """Everything a roster could change about a group and its school."""
    pupils = db.session.execute(
        select(Pupil.id, Pupil.lti_subject, Pupil.left_on, Pupil.display_name).order_by(Pupil.id)
    ).all()
    enrolments = db.session.execute(select(Enrolment.pupil_id, Enrolment.group_id)).all()
    links = db.session.execute(select(TeacherGroup.staff_id, TeacherGroup.group_id)).all()
    return {"pupils": pupils, "enrolments": sorted(enrolments), "links": sorted(links),
            "contexts": db.session.scalars(select(PlatformContext.id)).all()}  # fmt: skip


def test_roster_sync_from_an_unapproved_course_changes_no_group(
    launcher, lti_claims, school, group, platform_services
):
    """A teacher's new course named "Groep 5" with roster sync on: nobody of the real Groep 5
    is marked as left, nobody is added, and the platform is not even asked."""
    for n in range(9):
        enrol(PupilFactory(school=school, lti_subject=f"real-{n}"), group)
    import_teacher(school, "anne@school.example", group_name="Groep 6")
    lti_claims[claims.NRPS] = {"context_memberships_url": MEMBERS_URL}
    before = _snapshot(group)

    response = launcher(lti_claims)

    assert response.status_code == 200  # the waiting page, signed in to her own group
    assert "wacht op je intern begeleider" in response.get_data(as_text=True)
    assert platform_services["token_requests"] == []
    assert _snapshot(group) == before
    with pytest.raises(nrps.RosterError):
        nrps.apply_roster(link_course(GroupFactory(school=school)), group, ISSUER, [], date.today())


def _member(user_id, name, roles=("Learner",), **extra) -> dict:
    return {"user_id": user_id, "name": name, "roles": list(roles)} | extra


def test_an_imported_groups_roster_matches_pupils_and_adds_or_removes_nobody(school, registration):
    group = GroupFactory(school=school, name="Groep 5", key="G5",
                         school_year=school_year_of(date.today()))  # fmt: skip
    eck = "https://ketenid.nl/201703/abc"
    by_eck = PupilFactory(school=school, key="L1", eckid=eck, display_name="Thijs Vos")
    by_name = PupilFactory(school=school, key="L2", first_name="Gradje", infix="van 't",
                           last_name="Hof", display_name="Gradje van 't Hof")  # fmt: skip
    absent = PupilFactory(school=school, key="L3", display_name="Noor Bakker")
    for pupil in (by_eck, by_name, absent):
        enrol(pupil, group)
    members = [
        _member("p-1", "T. Vos", lis_person_sourcedid=eck),
        _member("p-2", "gradje  van 't hof"),
        _member("p-3", "Iemand Anders"),
    ]

    result = nrps.apply_roster(link_course(group), group, ISSUER, members, date.today())

    assert (result.pupils_added, result.pupils_left, result.pupils_matched) == (0, 0, 2)
    assert result.unresolved == ({"user_id": "p-3", "name": "Iemand Anders"},)
    assert (by_eck.lti_subject, by_name.lti_subject, absent.lti_subject) == ("p-1", "p-2", None)
    assert absent.left_on is None  # leaving comes from the import
    assert db.session.scalar(select(func.count(Pupil.id))) == 3


def test_two_pupils_with_the_same_name_stay_unresolved(school, group):
    for _ in range(2):
        enrol(PupilFactory(school=school, display_name="Sem de Vries"), group)
    group.key = "G5"  # an imported group: nothing is added for what stays unresolved
    result = nrps.apply_roster(link_course(group), group, ISSUER,
                               [_member("p-1", "Sem de Vries")], date.today())  # fmt: skip
    assert result.pupils_matched == 0
    assert [u["user_id"] for u in result.unresolved] == ["p-1"]
    assert db.session.scalars(select(Pupil.lti_subject)).all() == [None, None]


def test_one_course_among_several_never_marks_a_pupil_as_left(school, group):
    pupil = PupilFactory(school=school, lti_subject="pupil-1")
    enrol(pupil, group)
    reading = link_course(group, "course-lezen")
    link_course(group, "course-rekenen")
    result = nrps.apply_roster(reading, group, ISSUER, [], date.today())
    assert (result.pupils_left, pupil.left_on) == (0, None)


def test_an_instructor_who_left_the_roster_loses_the_roster_link(school, group, course):
    nrps.apply_roster(course, group, ISSUER, [_member("t-1", "Anne", ["Instructor"])],
                      date.today())  # fmt: skip
    teacher = db.session.scalars(select(StaffMember)).one()
    version = teacher.session_version
    assert db.session.get(TeacherGroup, (teacher.id, group.id)) is not None
    nrps.apply_roster(course, group, ISSUER, [], date.today())
    assert db.session.get(TeacherGroup, (teacher.id, group.id)) is None
    assert teacher.session_version > version  # their next request sees it
