"""The first roster sync of a fresh installation fills the class list (found in a real Moodle
4.5): the tool's key exists from set-up, the sync runs as a job after the launch committed,
and the platform checks the sync's token by fetching ``/lti/jwks`` the way Moodle does — as
another client, seeing only what is committed. Nobody opened ``/lti/jwks`` before.

The installation is a database of its own, migrated as ``flask setup`` does it, without the
test suite's outer transaction: what a request or the job does not commit stays unseen.
"""

from __future__ import annotations

import json
import sqlite3

import jwt
import pytest
import requests
from sqlalchemy import func, select

from lti import claims, nrps
from lti.models import KeyPair
from plugin.extensions import db
from plugin.jobs.cli import drain
from plugin.models import Enrolment, Job, JobState, PlatformContext, Pupil, School
from tests.factories import PupilFactory, enrol
from tests.lti.conftest import (
    CLIENT_ID,
    DEPLOYMENT_ID,
    ISSUER,
    complete,
    lands_on_dashboard,
    sign,
    start_login,
)

pytestmark = pytest.mark.no_db
MEMBERS_URL = ISSUER + "/nrps/groep-5"


def _response(body: dict, status: int = 200) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps(body).encode()
    return response


@pytest.fixture
def moodle(monkeypatch, installation):
    """The platform's token endpoint checks the client assertion as Moodle does: it fetches
    the tool's JWKS over the web (another client of the tool) and verifies the signature."""
    app, _ids = installation
    seen = {"jwks": [], "verified": 0}

    def token(url, data):
        published = app.test_client().get("/lti/jwks")
        seen["jwks"].append(published.status_code)
        if published.status_code != 200:
            return _response({"error": "invalid_client"}, 401)
        assertion = data["client_assertion"]
        kid = jwt.get_unverified_header(assertion)["kid"]
        match = [k for k in published.get_json()["keys"] if k["kid"] == kid]
        if not match:
            return _response({"error": "invalid_client"}, 401)  # Moodle: unknown key
        jwt.decode(assertion, jwt.PyJWK(match[0]), algorithms=["RS256"],
                   audience=ISSUER + "/token")  # fmt: skip
        seen["verified"] += 1
        return _response({"access_token": "moodle-token", "token_type": "Bearer"})

    def members(url, headers):
        assert headers["Authorization"] == "Bearer moodle-token"
        return _response({"members": [
            {"user_id": "moodle-7", "name": "Anne de Leerkracht", "roles": ["Instructor"]},
            {"user_id": "moodle-11", "name": "Sam Jansen", "roles": [claims.ROLE_LEARNER]},
            {"user_id": "moodle-12", "name": "Noor Bakker", "roles": [claims.ROLE_LEARNER]},
        ]})  # fmt: skip

    monkeypatch.setattr(nrps.outbound, "post", token)
    monkeypatch.setattr(nrps.outbound, "get", members)
    return seen


def _teacher_launch(client) -> int:
    login = start_login(client)
    body = {
        "iss": ISSUER, "aud": CLIENT_ID, "sub": "moodle-7", "name": "Anne de Leerkracht",
        claims.MESSAGE_TYPE: claims.RESOURCE_LINK_REQUEST, claims.VERSION: "1.3.0",
        claims.DEPLOYMENT_ID: DEPLOYMENT_ID, claims.TARGET_LINK_URI: "http://localhost/lti/launch",
        claims.RESOURCE_LINK: {"id": "tile"}, claims.ROLES: [claims.ROLE_INSTRUCTOR],
        claims.CONTEXT: {"id": "groep-5", "label": "Groep 5", "title": "Groep 5"},
        claims.NRPS: {"context_memberships_url": MEMBERS_URL, "service_versions": ["2.0"]},
    }  # fmt: skip
    token = sign(complete(body, login["nonce"]))
    return client.post("/lti/launch", data={"id_token": token, "state": login["state"]})


def test_first_roster_sync_of_a_fresh_installation_fills_the_class_list(installation, moodle):
    app, ids = installation
    with app.app_context():
        made_at_setup = db.session.scalars(select(KeyPair.kid)).all()
    assert len(made_at_setup) == 1  # the migration made the tool's key

    launch = _teacher_launch(app.test_client())
    assert lands_on_dashboard(launch)
    assert moodle["jwks"] == []  # the launch itself asks the platform nothing

    with app.app_context():
        assert drain() == 1  # the worker runs the sync after the launch committed
        assert moodle["verified"] == 1
        assert moodle["jwks"] == [200]
        pupils = db.session.scalars(select(Pupil.display_name).order_by(Pupil.display_name))
        assert pupils.all() == ["Noor Bakker", "Sam Jansen"]
        assert db.session.scalar(
            select(func.count()).select_from(Enrolment).where(Enrolment.group_id == ids["group"])
        ) == 2  # fmt: skip
        job = db.session.scalars(select(Job)).one()
        assert job.state is JobState.DONE
        assert db.session.scalars(select(KeyPair.kid)).all() == made_at_setup  # none added
        course = db.session.scalars(select(PlatformContext)).one()
        assert course.roster_synced_at is not None


def test_first_roster_sync_maps_accounts_to_imported_pupils(installation, moodle):
    app, ids = installation
    with app.app_context():
        from plugin.models import Group

        group = db.session.get(Group, ids["group"])
        group.key = "G5"  # the school's import manages this group
        school = db.session.get(School, ids["school"])
        sam = PupilFactory(school=school, key="L1", display_name="Sam Jansen")
        enrol(sam, group)
        db.session.commit()
        sam_id = sam.id

    assert lands_on_dashboard(_teacher_launch(app.test_client()))
    with app.app_context():
        drain()
        assert db.session.get(Pupil, sam_id).lti_subject == "moodle-11"
        assert db.session.scalar(select(func.count()).select_from(Pupil)) == 1  # none added
        assert moodle["verified"] == 1


def test_a_job_asking_the_platform_does_not_hold_the_write_lock(installation, monkeypatch):
    """While the sync waits for the platform, the tool keeps answering: on SQLite the job
    reads in a deferred transaction, so another writer gets the write lock at once."""
    app, _ids = installation
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("sqlite:///"):
        pytest.skip("SQLite's write lock; PostgreSQL has none to hold")
    free = []

    def token(url_, data):
        other = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # "database is locked" at once if the job held it
            other.execute("ROLLBACK")
            free.append(True)
        except sqlite3.OperationalError:
            free.append(False)
        finally:
            other.close()
        raise requests.ConnectionError("platform down")

    monkeypatch.setattr(nrps.outbound, "post", token)
    assert lands_on_dashboard(_teacher_launch(app.test_client()))
    with app.app_context():
        drain()
        assert free
        assert all(free)
        course = db.session.scalars(select(PlatformContext)).one()
        assert course.roster_failed_at is not None
