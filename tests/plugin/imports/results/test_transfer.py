"""Overstap: one pupil's record exported at one school and imported at the next.

The pupil's reports at the receiving school show exactly the results and levels of the sending
school; the sending school's own identifiers are not carried over; the same file twice
changes nothing; both sides are audited.
"""

from __future__ import annotations

import html
import io
import json
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from plugin.auth import Role
from plugin.db import Base
from plugin.extensions import db
from plugin.imports import transfer
from plugin.models import AuditEvent, Enrolment, Group, Pupil, Result, School, StaffRole
from reports.services import pupil_histories
from tests.factories import StaffFactory


def report(pupil: Pupil) -> list[tuple]:
    """What the leerlingrapport shows: per subject every score with level and growth."""
    return [
        (h.subject.code, s.school_year, s.code, s.score, s.level, s.raw_score, s.deviating,
         s.prev_score, s.judgement)
        for h in pupil_histories(pupil) for s in h.scores
    ]  # fmt: skip


def sign_in_ib(login, school: School):
    staff = StaffFactory(school=school, role=StaffRole.IB)
    login(role=Role.IB, school=school, staff=staff)
    return staff


@pytest.fixture
def demo():
    from plugin.demo_data import load_demo_data

    load_demo_data(seed=7, today=date.today())  # the import checks dates against today
    schools = {s.name: s for s in db.session.scalars(select(School))}
    return schools["OBS De Regenboog (fictief)"], schools["CBS Het Kompas (fictief)"]


def _pupil_with_history(school: School) -> Pupil:
    """A pupil of ``school`` with results in at least three school years."""
    pupil_id = db.session.scalar(
        select(Result.pupil_id).join(Pupil, Pupil.id == Result.pupil_id)
        .where(Pupil.school_id == school.id)
        .group_by(Result.pupil_id)
        .having(func.count(func.distinct(Result.school_year)) >= 3)
        .order_by(Result.pupil_id).limit(1)
    )  # fmt: skip
    return db.session.get(Pupil, pupil_id)


def test_a_pupil_moved_between_demo_schools_shows_identical_reports(client, login, demo):
    sending, receiving = demo
    pupil = _pupil_with_history(sending)
    before = report(pupil)
    assert len(before) >= 6
    # One result was taken with accommodations; its note travels with it.
    deviating = db.session.scalars(select(Result).where(Result.pupil_id == pupil.id)).first()
    deviating.deviating = True
    notes = Base.metadata.tables["pupil_administration"]
    db.session.execute(notes.insert().values(
        administration_id=deviating.administration_id, pupil_id=pupil.id, absent=False,
        deviating=True, note="extra tijd"))  # fmt: skip
    before = report(pupil)

    sign_in_ib(login, sending)
    download = client.get(f"/administratie/overstap/export?leerling={pupil.id}&vorm=json")
    assert download.status_code == 200
    assert download.mimetype == "application/json"
    data = download.get_data()
    record = json.loads(data)
    assert (record["format"], record["version"]) == ("leerling-in-beeld/overstap", 1)
    assert pupil.key not in data.decode()  # the sending school's own key is not carried
    assert "extra tijd" in data.decode()
    printable = client.get(f"/administratie/overstap/export?leerling={pupil.id}")
    assert pupil.display_name in html.unescape(printable.get_data(as_text=True))

    sign_in_ib(login, receiving)
    group = db.session.scalar(
        select(Group).where(Group.school_id == receiving.id, ~Group.is_subgroup)
        .order_by(Group.school_year.desc(), Group.leerjaar.desc()).limit(1)
    )  # fmt: skip
    form = {"file": (io.BytesIO(data), "overstap.json"), "group": group.id}
    check = client.post("/administratie/overstap", content_type="multipart/form-data", data=form)
    assert check.status_code == 200
    page = html.unescape(check.get_data(as_text=True))
    assert f"{len(before)} nieuw" in page
    namesakes = select(func.count(Pupil.id)).where(
        Pupil.school_id == receiving.id, Pupil.display_name == pupil.display_name
    )
    assert db.session.scalar(namesakes) == 0
    hidden = re.search(r'name="data" value="([^"]*)"', check.get_data(as_text=True))[1]
    done = client.post("/administratie/overstap/inlezen",
                       data={"data": html.unescape(hidden), "group": group.id})  # fmt: skip
    assert done.status_code == 303
    new_id = int(done.location.rsplit("/", 1)[1])
    arrived = db.session.get(Pupil, new_id)
    assert arrived.school_id == receiving.id
    assert arrived.key is None  # the receiving school's administration gives its own key
    assert arrived.display_name == pupil.display_name
    assert report(arrived) == before
    enrolled = db.session.scalar(select(Enrolment).where(
        Enrolment.pupil_id == arrived.id, Enrolment.school_year == group.school_year))  # fmt: skip
    assert enrolled.group_id == group.id
    note = db.session.execute(select(notes.c.note).where(notes.c.pupil_id == arrived.id)).one()
    assert note.note == "extra tijd"
    wanted = ["pupil_record_exported", "pupil_record_imported"]
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.in_(wanted))
    ).all()
    assert sorted(set(actions)) == ["pupil_record_exported", "pupil_record_imported"]
    assert client.get(f"/rapportages/leerling/{arrived.id}").status_code == 200


def test_a_pupil_with_an_eck_id_is_matched_and_the_same_file_twice_changes_nothing(world):
    sending = world.pupils[0]
    from plugin.imports.results.apply import apply_results
    from plugin.imports.results.uploads import plan_file, read_results
    from tests.plugin.imports.results.conftest import csv_bytes

    apply_results(plan_file(world.school, read_results(csv_bytes(
        "L0001,Rekenen-Wiskunde,M5,2025-2026,M,27-01-2026,141.5",
        "L0001,Rekenen-Wiskunde,M4,2024-2025,M,28-01-2025,120"),
    ), date(2026, 3, 2)))  # fmt: skip
    record = json.loads(transfer.dumps(transfer.export_record(sending, date(2026, 3, 2))))
    from tests.factories import GroupFactory, PupilFactory, enrol

    group = GroupFactory(school=world.other, school_year=2025, leerjaar=5)
    same = PupilFactory(school=world.other, eckid=sending.eckid, key="ANDERS-1")
    enrol(same, group, 5)
    plan = transfer.plan_transfer(world.other, record, None, date(2026, 3, 2))
    assert plan.matched_pupil_id == same.id
    transfer.apply_transfer(plan, date(2026, 3, 2))
    count = db.session.scalar(select(func.count(Result.id)).where(Result.pupil_id == same.id))
    assert count == 2
    again = transfer.plan_transfer(world.other, record, None, date(2026, 3, 2))
    _pupil, results = transfer.apply_transfer(again, date(2026, 3, 2))
    assert (results.counts["new"], results.counts["unchanged"]) == (0, 2)
    assert db.session.scalar(
        select(func.count(Result.id)).where(Result.pupil_id == same.id)
    ) == 2  # fmt: skip
    assert db.session.get(Pupil, same.id).key == "ANDERS-1"  # its own key stays


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"not json", "Dit is geen overstapbestand"),
     (b'{"format": "leerling-in-beeld/overstap", "version": 9}', "formaatversie 9"),
     (b'{"format": "leerling-in-beeld/overstap", "version": 1, "pupil": {}, "results": []}',
      "geen geldige naam")],
)  # fmt: skip
def test_a_wrong_file_is_refused_in_dutch(client, login, world, data, message):
    sign_in_ib(login, world.school)
    response = client.post("/administratie/overstap", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(data), "x.json")})  # fmt: skip
    assert response.status_code == 422
    assert message in html.unescape(response.get_data(as_text=True))


def test_an_unmatched_pupil_needs_a_group_and_another_schools_pupil_is_not_exported(
    client, login, world
):
    sign_in_ib(login, world.school)
    assert client.get(
        f"/administratie/overstap/export?leerling={world.stranger.id}&vorm=json"
    ).status_code == 404  # fmt: skip
    record = transfer.export_record(world.pupils[1], date(2026, 3, 2))
    record["pupil"]["eckid"] = "https://ketenid.nl/onbekend"
    form = {"file": (io.BytesIO(json.dumps(record).encode()), "x.json")}
    response = client.post("/administratie/overstap", content_type="multipart/form-data", data=form)
    assert response.status_code == 422
    assert "Kies de groep" in response.get_data(as_text=True)
