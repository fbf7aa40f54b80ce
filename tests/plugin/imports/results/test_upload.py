"""The IB's results upload in Administratie → Datamigratie: preview, confirm, a job with progress,
summary; the migration state follows it and the IB closes it; IB of the school only."""

from __future__ import annotations

import html
import io
import re

import pytest
from sqlalchemy import func, select

from plugin.auth import Role
from plugin.extensions import db
from plugin.imports.models import UploadState
from plugin.imports.results.models import ResultsUpload
from plugin.models import AuditEvent, MigrationState, Result, StaffRole
from tests.factories import StaffFactory
from tests.plugin.imports.results.conftest import csv_bytes, xlsx_bytes

ROWS = ("L0001,Rekenen-Wiskunde,M5,2025-2026,M,27-01-2026,141.5",
        "L0002,Rekenen-Wiskunde,M5,2025-2026,M,27-01-2026,150",
        "L0003,Rekenen-Wiskunde,M4,2024-2025,M,28-01-2025,120")  # fmt: skip


@pytest.fixture
def ib(login, world):
    staff = StaffFactory(school=world.school, role=StaffRole.IB)
    login(role=Role.IB, school=world.school, staff=staff)
    return staff


def upload(client, data: bytes, name: str = "resultaten.csv"):
    return client.post("/administratie/datamigratie", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")  # fmt: skip


def digest_of(page: str) -> str:
    return re.search(r'name="digest" value="([0-9a-f]{64})"', page)[1]


def results() -> int:
    return db.session.scalar(select(func.count(Result.id)))


def test_the_page_documents_the_columns_and_offers_the_template(client, ib):
    page = client.get("/administratie/datamigratie").get_data(as_text=True)
    for column in ("leerlingnummer", "vakgebied", "toets", "schooljaar", "afnamemoment",
                   "vaardigheidsscore", "aantal goed", "niveau"):  # fmt: skip
        assert f"<code>{column}</code>" in page
    assert 'enctype="multipart/form-data"' in page
    assert "Niet begonnen" in page
    template = client.get("/administratie/datamigratie/sjabloon.csv")
    assert template.status_code == 200
    assert template.mimetype == "text/csv"
    text = template.get_data(as_text=True)
    assert text.startswith("\ufeffleerlingnummer;vakgebied;toets;schooljaar;afnamemoment;")
    index = client.get("/administratie/").get_data(as_text=True)
    assert 'href="/administratie/datamigratie"' in index
    assert '<select id="state"' not in index  # the manual drop-down is gone


def test_upload_preview_confirm_job_and_summary(client, ib, world, drain_jobs):
    header = "Leerlingnummer;Naam;Vakgebied;Toets;Schooljaar;Afnamemoment;Afnamedatum;VS"
    data = csv_bytes(*(r.replace(",", ";").replace(";Rekenen", ";Fictief;Rekenen", 1)
                       for r in ROWS), header=header)  # fmt: skip
    response = upload(client, data)
    assert response.status_code == 303
    page = html.unescape(client.get(response.location).get_data(as_text=True))
    assert "3 resultaten voor 3 leerlingen, 2 jaar, 1 vakgebied; 3 nieuw, 0 al aanwezig" in page
    assert "Genegeerde kolommen (niet opgeslagen): Naam" in page
    assert results() == 0
    stored = db.session.scalar(select(ResultsUpload))
    assert b"Fictief" not in stored.payload  # only the format's columns are kept
    confirmed = client.post(response.location + "/toepassen", data={"digest": digest_of(page)})
    assert confirmed.status_code == 303
    queued = client.get(response.location).get_data(as_text=True)
    assert 'id="import-bar"' in queued
    assert "/taken/" in queued
    assert drain_jobs() == 1
    db.session.expire_all()
    assert results() == 3
    row = db.session.scalar(select(ResultsUpload))
    assert (row.state, row.payload) == (UploadState.APPLIED, None)
    done = html.unescape(client.get(response.location).get_data(as_text=True))
    assert "Resultaten ingelezen" in done
    assert "3 nieuw" in done
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "results_imported"))
    assert event.actor_staff_id == ib.id
    db.session.refresh(world.school)
    assert world.school.migration_state is MigrationState.IN_PROGRESS


def test_a_refused_file_lists_every_problem_and_keeps_nothing(client, ib):
    rows = [["leerlingnummer", "vakgebied", "toets", "schooljaar", "vaardigheidsscore"],
            ["L0001", "Rekenen-Wiskunde", "M5", "2025-2026", "=1+1"],
            ["X0001", "Rekenen-Wiskunde", "M5", "2025-2026", 140]]  # fmt: skip
    response = upload(client, xlsx_bytes(rows), "resultaten.xlsx")
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    assert "rij 2, kolom E (vaardigheidsscore): De cel bevat een formule" in page
    assert db.session.scalar(select(func.count(ResultsUpload.id))) == 0


def test_the_job_reports_progress(client, ib, drain_jobs, monkeypatch):
    from plugin.jobs import progress

    reported = []
    monkeypatch.setattr(progress, "write", lambda job_id, *args: reported.append(args))
    response = upload(client, csv_bytes(*ROWS))
    page = client.get(response.location).get_data(as_text=True)
    client.post(response.location + "/toepassen", data={"digest": digest_of(page)})
    drain_jobs()
    assert reported
    assert reported[-1][0] == reported[-1][1]  # done == total at the end


def test_a_changed_school_before_confirming_shows_the_preview_again(client, ib, world):
    response = upload(client, csv_bytes(*ROWS))
    digest = digest_of(client.get(response.location).get_data(as_text=True))
    from plugin.imports.results.apply import apply_results
    from plugin.imports.results.uploads import plan_file, read_results

    apply_results(plan_file(world.school, read_results(csv_bytes(ROWS[0])),
                            __import__("datetime").date.today()))  # fmt: skip
    page = client.post(response.location + "/toepassen", data={"digest": digest},
                       follow_redirects=True)  # fmt: skip
    assert "veranderd sinds het voorbeeld" in page.get_data(as_text=True)
    assert db.session.scalar(select(ResultsUpload)).state is UploadState.PENDING


def test_the_ib_closes_and_reopens_the_migration_audited(client, ib, world):
    client.post("/administratie/migratie", data={"action": "close"})
    assert world.school.migration_state is MigrationState.DONE
    assert "Afgesloten" in client.get("/administratie/datamigratie").get_data(as_text=True)
    client.post("/administratie/migratie", data={"action": "reopen"})
    assert world.school.migration_state is MigrationState.IN_PROGRESS
    changes = db.session.scalars(
        select(AuditEvent.detail).where(AuditEvent.action == "migration_state_changed")
        .order_by(AuditEvent.id)
    ).all()  # fmt: skip
    assert [(c["old"], c["new"]) for c in changes] == [("not_started", "done"),
                                                       ("done", "in_progress")]  # fmt: skip
    page = client.post("/administratie/migratie", data={"action": "weg"}, follow_redirects=True)
    assert "afsluiten of heropenen" in page.get_data(as_text=True)


def test_a_teacher_and_another_schools_ib_cannot_reach_it(client, login, ib, world):
    response = upload(client, csv_bytes(*ROWS))
    location = response.location
    login(role=Role.LEERKRACHT, school=world.school, staff=StaffFactory(school=world.school))
    assert client.get("/administratie/datamigratie").status_code == 403
    assert upload(client, csv_bytes(*ROWS)).status_code == 403
    other_ib = StaffFactory(school=world.other, role=StaffRole.IB)
    login(role=Role.IB, school=world.other, staff=other_ib)
    assert client.get(location).status_code == 404
    assert client.post(location + "/toepassen", data={"digest": "0" * 64}).status_code == 404
    assert results() == 0
