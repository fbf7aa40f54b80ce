"""Roster sync over NRPS: a client-credentials service token signed with the tool's key, paged
memberships, pupils added and marked as left (never deleted), teachers linked by roster."""

from __future__ import annotations

import json
from datetime import date

import jwt
import pytest
import requests
from sqlalchemy import select

from lti import claims, keys, nrps
from plugin.extensions import db
from plugin.models import Enrolment, Pupil, StaffMember, TeacherGroup
from plugin.periods import school_year_of
from tests.factories import GroupFactory, PupilFactory, enrol
from tests.lti.conftest import ISSUER

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

    def post(url, data, timeout):
        seen["token_requests"].append((url, data))
        return _response({"access_token": "service-token", "token_type": "Bearer"})

    def get(url, headers, timeout):
        seen["member_requests"].append((url, headers))
        return pages[url]

    monkeypatch.setattr(nrps.requests, "post", post)
    monkeypatch.setattr(nrps.requests, "get", get)
    return seen


@pytest.fixture
def group(school):
    return GroupFactory(school=school, name="Groep 5", school_year=school_year_of(date.today()))


def test_roster_adds_pupils_marks_leavers_and_links_teachers(
    registration, group, school, platform_services
):
    stayed = PupilFactory(school=school, lti_subject="pupil-1", display_name="Sam")
    left = PupilFactory(school=school, lti_subject="pupil-3", display_name="Gone")
    old = PupilFactory(school=school, lti_subject="pupil-9", display_name="Moved away")
    for pupil in (stayed, left, old):
        enrol(pupil, group)

    result = nrps.sync_roster(registration, group, MEMBERS_URL, date(2026, 11, 23))

    assert result == nrps.RosterResult(pupils_added=1, pupils_left=2, teachers_linked=1)
    noor = db.session.scalars(select(Pupil).where(Pupil.lti_subject == "pupil-2")).one()
    assert db.session.scalars(select(Enrolment).where(Enrolment.pupil_id == noor.id)).one()
    assert (stayed.left_on, left.left_on, old.left_on) == (
        None, date(2026, 11, 23), date(2026, 11, 23),
    )  # fmt: skip
    assert db.session.get(Pupil, old.id) is not None  # marked, never deleted
    teacher = db.session.scalars(select(StaffMember)).one()
    link = db.session.get(TeacherGroup, (teacher.id, group.id))
    assert link.source == "roster"


def test_service_token_request_is_a_signed_client_assertion(registration, group, platform_services):
    nrps.sync_roster(registration, group, MEMBERS_URL, date.today())
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


def test_teacher_launch_with_nrps_syncs_the_roster_once(launcher, lti_claims, platform_services):
    lti_claims[claims.NRPS] = {"context_memberships_url": MEMBERS_URL, "service_versions": ["2.0"]}
    assert launcher(lti_claims).status_code == 302
    assert launcher(lti_claims).status_code == 302
    assert len(platform_services["token_requests"]) == 1  # throttled
    names = set(db.session.scalars(select(Pupil.display_name)))
    assert names == {"Sam", "Noor"}


def test_a_platform_that_does_not_answer_never_blocks_the_launch(launcher, lti_claims, monkeypatch):
    def down(*args, **kwargs):
        raise requests.ConnectionError("platform down")

    monkeypatch.setattr(nrps.requests, "post", down)
    lti_claims[claims.NRPS] = {"context_memberships_url": MEMBERS_URL}
    assert launcher(lti_claims).status_code == 302
    assert db.session.scalars(select(Pupil)).first() is None
