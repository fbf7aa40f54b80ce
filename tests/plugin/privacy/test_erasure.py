"""Erasure of one pupil on request: the IB sees what goes, confirms, and afterwards no row
anywhere holds the pupil's name or keys; the audit log keeps ids only and says so."""

from __future__ import annotations

import json
import zlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from instructions.models import PupilAdministration
from lti.models import LaunchState
from plugin import course_requests
from plugin.auth import Role
from plugin.extensions import db
from plugin.imports.models import ImportUpload, UploadState
from plugin.models import (
    AuditEvent,
    Enrolment,
    GroupMember,
    ItemResponse,
    Job,
    JobFile,
    JobState,
    PlatformContext,
    Pupil,
    Result,
    StaffRole,
    TestItem,
    UnmatchedAccount,
)
from tests.factories import (
    GroupFactory,
    PupilFactory,
    StaffFactory,
    ToetsFactory,
    administer,
    enrol,
    record_result,
)
from tests.plugin.privacy.scan import traces

NEEDLES = ("Zoë Uniek-Naam", "Uniek-Naam", "LL-ZOE-KEY-77", "zoe-eck-id-123", "sub-zoe-4711")


@pytest.fixture
def ib(login, school):
    staff = StaffFactory(school=school, role=StaffRole.IB, display_name="Juf Demi Jansen")
    login(role=Role.IB, school=school, staff=staff, name=staff.display_name)
    return staff


@pytest.fixture
def zoe(school, other_school):
    """A pupil with something in every place a pupil's data can be."""
    pupil = PupilFactory(
        school=school, display_name="Zoë Uniek-Naam", first_name="Zoë", last_name="Uniek-Naam",
        key="LL-ZOE-KEY-77", eckid="zoe-eck-id-123", lti_subject="sub-zoe-4711",
    )  # fmt: skip
    group = GroupFactory(school=school, name="Groep 5A")
    enrol(pupil, group)
    reading = GroupFactory(school=school, name="Leesgroep", leerjaar=None, is_subgroup=True)
    db.session.add(GroupMember(group_id=reading.id, pupil_id=pupil.id, school_id=school.id))
    test = ToetsFactory()
    item = TestItem(test_id=test.id, number=1, correct_answer="b")
    db.session.add(item)
    db.session.flush()
    admin = administer(group, test)
    record_result(pupil, admin, 140.0)
    db.session.add(ItemResponse(administration_id=admin.id, pupil_id=pupil.id, item_id=item.id,
                                correct=True, given_answer="b"))  # fmt: skip
    db.session.add(PupilAdministration(administration_id=admin.id, pupil_id=pupil.id,
                                       deviating=True, note="extra tijd"))  # fmt: skip
    mention = {"leerlingen": [{"key": "LL-ZOE-KEY-77", "achternaam": "Uniek-Naam"}]}
    db.session.add(ImportUpload(school_id=school.id, state=UploadState.PENDING,
                                payload=zlib.compress(json.dumps(mention).encode())))  # fmt: skip
    db.session.add(ImportUpload(school_id=school.id, state=UploadState.PENDING,
                                payload=zlib.compress(b'{"leerlingen": []}')))  # fmt: skip
    job = Job(kind="import_edexml", school_id=school.id)
    db.session.add(job)
    # A results import at another school that named her key when it refused its file.
    refused = Job(
        kind="import_results",
        school_id=other_school.id,
        state=JobState.FAILED,
        error="rij 4, kolom A: Leerling LL-ZOE-KEY-77 hoort bij een andere school.",
    )
    db.session.add(refused)
    db.session.flush()
    db.session.add(JobFile(job_id=job.id, content=b"<leerling key='LL-ZOE-KEY-77'/>"))
    course = PlatformContext(school_id=school.id, issuer="https://lms.example",
                             context_id="course-5a", group_id=group.id)  # fmt: skip
    db.session.add(course)
    db.session.flush()
    # A roster sync listed her platform account before the import's ECK iD matched it.
    course_requests.replace_unmatched(course, ["Zoë Uniek-Naam", "zoë  uniek-naam", "Bram Blijft"])
    # A sign-in in progress: the platform's login hint is her account.
    db.session.add(LaunchState(key="state:zoe", value={"login": {"login_hint": "sub-zoe-4711"}},
                               expires_at=datetime.now(UTC) + timedelta(minutes=10)))  # fmt: skip
    db.session.flush()
    return pupil


def _count(model, **where) -> int:
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return db.session.scalar(query)


def test_the_confirmation_page_lists_what_will_be_removed_and_is_audited(client, ib, zoe):
    response = client.get(f"/administratie/privacy/leerling/{zoe.id}/verwijderen")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Alle gegevens van Zoë Uniek-Naam verwijderen" in page
    for label in ("Resultaten", "Antwoorden per opgave", "Notities bij hoe een toets",
                  "Plaatsen in een groep", "Uploads die nog niet zijn ingelezen",
                  "Platformaccounts op naam van de leerling",
                  "Aanmeldgegevens van de laatste minuten"):  # fmt: skip
        assert label in page
    assert _count(Pupil, id=zoe.id) == 1
    assert db.session.scalars(select(AuditEvent.action)).all() == ["erasure_reviewed"]


def test_without_the_tick_nothing_is_removed(client, ib, zoe):
    response = client.post(f"/administratie/privacy/leerling/{zoe.id}/verwijderen", data={})
    assert response.status_code == 400
    assert "Vink het vakje aan" in response.get_data(as_text=True)
    assert _count(Pupil, id=zoe.id) == 1
    assert _count(Result, pupil_id=zoe.id) == 1


def test_erasure_leaves_no_trace_of_the_pupil_anywhere(client, ib, zoe, school):
    other = PupilFactory(school=school, display_name="Bram Blijft")
    enrol(other, GroupFactory(school=school))
    client.get(f"/rapportages/leerling/{zoe.id}")  # an audited view before the erasure
    assert traces(*NEEDLES)  # the scan sees the pupil before
    pupil_id = zoe.id
    response = client.post(f"/administratie/privacy/leerling/{pupil_id}/verwijderen",
                           data={"begrepen": "ja"})  # fmt: skip
    assert response.status_code == 303
    page = client.get("/administratie/privacy").get_data(as_text=True)
    assert "Alle gegevens van de leerling zijn verwijderd" in page
    assert "Zoë" not in page
    assert traces(*NEEDLES) == []
    for model in (Result, ItemResponse, PupilAdministration, Enrolment, GroupMember):
        assert _count(model, pupil_id=pupil_id) == 0
    assert _count(Pupil, id=other.id) == 1
    assert _count(ImportUpload) == 1  # the upload that does not mention her stays
    assert _count(JobFile) == 0
    erased = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "pupil_erased")).one()
    assert (erased.object_id, erased.pupil_id, erased.actor_staff_id) == (pupil_id, pupil_id, ib.id)
    assert erased.detail["removed"]["result"] == 1
    assert erased.detail["removed"]["pending_uploads"] == 2
    assert erased.detail["removed"]["unmatched_account"] == 2  # her name, however written
    assert erased.detail["removed"]["lti_launch_state"] == 1
    assert erased.detail["removed"]["job_messages"] == 1
    assert db.session.scalars(select(Job.error).where(Job.error.is_not(None))).all() == [
        "Het bestand is geweigerd. De melding noemde een leerling van wie de gegevens "
        "inmiddels zijn verwijderd."
    ]
    assert db.session.scalars(select(UnmatchedAccount.name)).all() == ["Bram Blijft"]
    log = client.get("/administratie/logboek").get_data(as_text=True)
    assert (
        "Juf Demi Jansen verwijderde op verzoek alle gegevens van een verwijderde leerling" in log
    )
    assert "Juf Demi Jansen bekeek het leerlingrapport van een verwijderde leerling" in log


def test_only_the_ib_of_the_school_erases(client, login, school, other_school, zoe):
    login(role=Role.LEERKRACHT, school=school, staff=StaffFactory(school=school))
    url = f"/administratie/privacy/leerling/{zoe.id}/verwijderen"
    assert client.post(url, data={"begrepen": "ja"}).status_code == 403
    stranger = StaffFactory(school=other_school, role=StaffRole.IB)
    login(role=Role.IB, school=other_school, staff=stranger)
    assert client.post(url, data={"begrepen": "ja"}).status_code == 404
    assert client.get(url).status_code == 404
    assert _count(Pupil, id=zoe.id) == 1
    denied = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "access_denied"))
    assert [(e.school_id, e.object_id) for e in denied] == [(other_school.id, zoe.id)] * 2


def test_choosing_a_pupil_leads_to_the_confirmation(client, ib, zoe):
    response = client.get("/administratie/privacy/kies", query_string={"leerling": zoe.id})
    assert response.status_code == 303
    assert response.location.endswith(f"/administratie/privacy/leerling/{zoe.id}/verwijderen")
    assert client.get("/administratie/privacy/kies").status_code == 303


def test_the_erased_pupils_own_session_ends_at_their_next_click(app, client, ib, zoe, school):
    """Sessions are signed cookies (no row to delete): a pupil who is gone is signed out."""
    from tests.conftest import sign_in_client

    pupil_browser = app.test_client()
    sign_in_client(pupil_browser, role=Role.LEERLING, school=school, pupil=zoe,
                   name=zoe.display_name)  # fmt: skip
    assert pupil_browser.get("/digibord/").status_code == 200
    client.post(f"/administratie/privacy/leerling/{zoe.id}/verwijderen", data={"begrepen": "ja"})
    assert pupil_browser.get("/digibord/").status_code == 401
    with pupil_browser.session_transaction() as session:
        assert "principal" not in session  # her name is no longer in the cookie either
