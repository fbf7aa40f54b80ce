"""What a platform sends is cleaned or refused at the boundary: odd names never break a
launch, an over-long user id is refused, and a roster with junk entries still syncs."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from lti import claims, nrps
from plugin.extensions import db
from plugin.models import AuditEvent, Pupil, StaffMember
from plugin.periods import school_year_of
from tests.factories import GroupFactory
from tests.lti.conftest import ISSUER
from tests.lti.test_nrps import _response

MEMBERS_URL = ISSUER + "/nrps/course-5a"


def test_nul_bytes_and_control_characters_in_names_are_dropped(launcher, lti_claims):
    lti_claims |= {"name": "Anne\x00 de\x1b Leerkracht", "email": "anne\x00@school.example"}
    lti_claims[claims.CONTEXT] = {"id": "c\x00-1", "label": "Groep\x00 5", "title": "G\x005"}
    assert launcher(lti_claims).status_code == 302
    staff = db.session.scalars(select(StaffMember)).one()
    assert staff.display_name == "Anne de Leerkracht"
    assert "\x00" not in (staff.email or "")


@pytest.mark.parametrize("sub", ["x" * 256, "a\x00b", "", 3.5, ["list"], True])
def test_a_platform_user_id_that_cannot_be_stored_is_refused(launcher, lti_claims, sub):
    response = launcher(lti_claims | {"sub": sub})
    assert response.status_code == 400
    assert db.session.scalars(select(StaffMember)).first() is None


def test_a_user_id_of_255_characters_is_accepted(launcher, lti_claims):
    assert launcher(lti_claims | {"sub": "s" * 255}).status_code == 302


@pytest.mark.parametrize("length", [189, 195, 200, 250])
def test_a_long_staff_name_can_launch_again_and_again(launcher, lti_claims, length):
    """The audit label is "leerkracht: " + the name: it must still fit its 200 characters."""
    lti_claims["name"] = "N" * length
    for _ in range(2):
        assert launcher(lti_claims).status_code == 302
    labels = db.session.scalars(select(AuditEvent.actor_label)).all()
    assert labels
    assert all(len(label) <= 200 for label in labels)


@pytest.fixture
def junk_roster(monkeypatch):
    members = [
        {"user_id": "pupil-1", "name": {"given": "Sam"}, "roles": [claims.ROLE_LEARNER]},
        {"user_id": "pupil-2", "name": 42, "roles": "Learner"},
        {"user_id": "pupil-3", "name": ["Noor"], "roles": [claims.ROLE_LEARNER, 7]},
        {"user_id": "pupil-4", "name": "Ada\x00", "roles": [claims.ROLE_LEARNER]},
        {"user_id": "p" * 300, "name": "Too long id", "roles": [claims.ROLE_LEARNER]},
        {"user_id": {"id": 1}, "name": "Odd id", "roles": [claims.ROLE_LEARNER]},
        {"user_id": "teacher-9", "name": None, "roles": ["Instructor"], "status": 5},
        "not a member",
        None,
    ]
    monkeypatch.setattr(nrps.outbound, "post",
                        lambda url, data: _response({"access_token": "t"}))  # fmt: skip
    monkeypatch.setattr(nrps.outbound, "get",
                        lambda url, headers: _response({"members": members}))  # fmt: skip


def test_a_roster_with_names_that_are_not_strings_still_syncs(registration, school, junk_roster):
    group = GroupFactory(school=school, name="Groep 5", school_year=school_year_of(date.today()))
    nrps.sync_roster(registration, group, MEMBERS_URL, date.today())
    pupils = {p.lti_subject: p.display_name for p in db.session.scalars(select(Pupil))}
    assert set(pupils) == {"pupil-1", "pupil-3", "pupil-4"}
    assert pupils["pupil-4"] == "Ada"
    assert all(isinstance(name, str) and name for name in pupils.values())
