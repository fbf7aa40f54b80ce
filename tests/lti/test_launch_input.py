"""What a platform sends is cleaned or refused at the boundary: odd names never break a
launch, an over-long user id is refused, and a roster with junk entries still syncs."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from lti import claims, nrps
from plugin.extensions import db
from plugin.models import Pupil, StaffMember
from plugin.periods import school_year_of
from tests.factories import GroupFactory
from tests.lti.conftest import ISSUER, lands_on_dashboard
from tests.lti.test_nrps import _response

MEMBERS_URL = ISSUER + "/nrps/course-5a"


def test_nul_bytes_and_control_characters_in_names_are_dropped(launcher, lti_claims, imported):
    lti_claims |= {"name": "Anne\x00 de\x1b Leerkracht", "email": "anne\x00@school.example"}
    lti_claims[claims.CONTEXT] = {"id": "c\x00-1", "label": "Groep\x00 5", "title": "G\x005"}
    assert lands_on_dashboard(launcher(lti_claims))
    staff = db.session.scalars(select(StaffMember)).one()
    assert "\x00" not in staff.display_name
    assert "\x00" not in (staff.email or "")


@pytest.mark.parametrize("sub", ["x" * 256, "a\x00b", "", 3.5, ["list"], True])
def test_a_platform_user_id_that_cannot_be_stored_is_refused(launcher, lti_claims, sub):
    response = launcher(lti_claims | {"sub": sub})
    assert response.status_code == 400
    assert db.session.scalars(select(StaffMember)).first() is None


def test_a_user_id_of_255_characters_is_accepted(launcher, lti_claims, imported):
    assert lands_on_dashboard(launcher(lti_claims | {"sub": "s" * 255}))


@pytest.mark.parametrize("length", [189, 195, 200])
def test_a_staff_name_that_fills_its_column_still_fits_the_audit_label(
    app, school, login, client, length
):
    """However long the name, the audit row stores the role and the staff id, never the name
    (the log looks names up when it is shown), so every audited step still fits."""
    from plugin.audit import record_event
    from plugin.auth import Role
    from tests.factories import StaffFactory

    staff = StaffFactory(school=school, display_name="N" * length)
    login(role=Role.LEERKRACHT, school=school, staff=staff, name="N" * length)
    with app.test_request_context(), client.session_transaction() as session:
        from flask import session as request_session

        request_session.update(session)
        event = record_event("launch", "school", school.id)
    assert (event.actor_label, event.actor_staff_id) == ("leerkracht", staff.id)


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
    from tests.lti.test_nrps import link_course

    group = GroupFactory(school=school, name="Groep 5", school_year=school_year_of(date.today()))
    nrps.sync_roster(registration, link_course(group), group, MEMBERS_URL, date.today())
    pupils = {p.lti_subject: p.display_name for p in db.session.scalars(select(Pupil))}
    assert set(pupils) == {"pupil-1", "pupil-3", "pupil-4"}
    assert pupils["pupil-4"] == "Ada"
    assert all(isinstance(name, str) and name for name in pupils.values())
