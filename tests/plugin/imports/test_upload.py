"""The IB's upload in Administratie: preview, confirm, cancel; IB of the school only."""

from __future__ import annotations

import html
import io
import re

import pytest
from sqlalchemy import func, select

from plugin.auth import Role
from plugin.db import Base
from plugin.extensions import db
from plugin.imports.models import ImportUpload, UploadState
from plugin.models import AuditEvent, Pupil, StaffRole
from tests.factories import SchoolFactory, StaffFactory
from tests.plugin.imports.conftest import SENSITIVE, read


@pytest.fixture
def ib(login, zz_school):
    staff = StaffFactory(school=zz_school, role=StaffRole.IB)
    login(role=Role.IB, school=zz_school, staff=staff)
    return staff


def upload(client, data: bytes, name: str = "export.xml"):
    return client.post("/administratie/import", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")  # fmt: skip


def digest_of(page: str) -> str:
    return re.search(r'name="digest" value="([0-9a-f]{64})"', page)[1]


def test_the_upload_page_says_what_is_stored_and_what_never_is(client, ib):
    page = client.get("/administratie/import").get_data(as_text=True)
    assert "EDEXML" in page
    assert "ParnasSys" in page
    assert "BSN" in page
    assert "nooit" in page.lower()
    assert 'enctype="multipart/form-data"' in page
    assert 'href="/administratie/import"' in client.get("/administratie/").get_data(as_text=True)


def test_upload_preview_then_confirm_applies_exactly_that(client, ib, zz_school, drain_jobs):
    response = upload(client, read("edexml-2.1-full.xml"))
    assert response.status_code == 303
    preview = client.get(response.location)
    page = html.unescape(preview.get_data(as_text=True))
    assert preview.status_code == 200
    assert "5 nieuwe leerlingen" in page
    assert "Gradje van 't Hof" in page
    assert db.session.scalar(select(func.count(Pupil.id))) == 0  # nothing applied yet
    confirmed = client.post(response.location + "/toepassen", data={"digest": digest_of(page)})
    assert confirmed.status_code == 303
    queued = client.get(response.location).get_data(as_text=True)
    assert "wordt doorgevoerd" in queued
    assert 'id="import-bar"' in queued
    assert "/taken/" in queued
    assert db.session.scalar(select(func.count(Pupil.id))) == 0  # the job has not run yet
    assert drain_jobs() == 1
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Pupil.id))) == 5
    upload_row = db.session.scalar(select(ImportUpload))
    assert upload_row.state is UploadState.APPLIED
    assert upload_row.payload is None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "structure_imported"))
    assert event.actor_staff_id == ib.id
    assert event.detail["counts"]["pupils_new"] == 5
    assert "Gradje" not in str(event.detail)  # counts, no names
    assert "Ingelezen" in client.get(response.location).get_data(as_text=True)


def test_a_changed_school_since_the_preview_shows_the_preview_again(
    client, ib, import_file, zz_school, drain_jobs
):
    response = upload(client, read("edexml-2.1-full.xml"))
    digest = digest_of(client.get(response.location).get_data(as_text=True))
    import_file(zz_school, "edexml-2.0-minimal.xml")  # meanwhile, IT imported another file
    confirmed = client.post(response.location + "/toepassen", data={"digest": digest})
    assert confirmed.location.endswith(response.location)
    assert drain_jobs() == 0  # nothing was queued
    assert db.session.scalar(select(func.count(Pupil.id))) == 2  # the upload was not applied
    page = client.get(confirmed.location).get_data(as_text=True)
    assert "veranderd" in page


def test_a_refused_file_lists_its_problems_and_keeps_nothing(client, ib):
    data = read("edexml-2.1-full.xml").replace(b'key="L002"', b'key="L001"')
    response = upload(client, data)
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert "niet ingelezen" in page
    assert 'leerling key="L001"' in page
    assert "regel" in page
    assert db.session.scalar(select(func.count(ImportUpload.id))) == 0


def test_nothing_sensitive_is_kept_between_preview_and_confirm(client, ib):
    upload(client, read("edexml-2.1-full.xml"))
    payload = db.session.scalar(select(ImportUpload.payload))
    import zlib

    kept = zlib.decompress(payload).decode()
    assert "Gradje" in kept
    for table in Base.metadata.sorted_tables:
        for row in db.session.execute(table.select()):
            for value in row:
                for secret in SENSITIVE:
                    assert secret not in str(value)
    for secret in SENSITIVE:
        assert secret not in kept


def test_cancel_drops_the_upload(client, ib):
    response = upload(client, read("edexml-2.1-full.xml"))
    assert client.post(response.location + "/annuleren").status_code == 303
    assert db.session.scalar(select(func.count(ImportUpload.id))) == 0


def test_a_teacher_cannot_upload_or_see_a_preview(client, login, zz_school, ib):
    response = upload(client, read("edexml-2.1-full.xml"))
    teacher = StaffFactory(school=zz_school)
    login(role=Role.LEERKRACHT, school=zz_school, staff=teacher)
    assert client.get("/administratie/import").status_code == 403
    assert upload(client, read("edexml-2.1-full.xml")).status_code == 403
    assert client.get(response.location).status_code == 403
    assert client.post(response.location + "/toepassen", data={"digest": "x"}).status_code == 403


def test_another_schools_ib_cannot_see_or_apply_the_preview(client, login, ib):
    response = upload(client, read("edexml-2.1-full.xml"))
    other = SchoolFactory(brin="99ZZ")
    login(role=Role.IB, school=other, staff=StaffFactory(school=other, role=StaffRole.IB))
    assert client.get(response.location).status_code == 404
    assert client.post(response.location + "/toepassen", data={"digest": "x"}).status_code == 404
    assert client.post(response.location + "/annuleren").status_code == 404
    assert db.session.scalar(select(func.count(Pupil.id))) == 0
    refused = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "access_denied"))
    assert refused.object_type == "import_upload"


def test_the_demo_download_is_only_for_demo_schools(client, ib, zz_school):
    assert client.get("/administratie/import/voorbeeld.xml").status_code == 404


def test_the_job_reports_progress_while_it_applies(client, ib, drain_jobs, monkeypatch):
    from plugin.jobs import progress

    reported = []
    monkeypatch.setattr(progress, "write", lambda job_id, *args: reported.append(args))
    response = upload(client, read("edexml-2.1-full.xml"))
    digest = digest_of(client.get(response.location).get_data(as_text=True))
    client.post(response.location + "/toepassen", data={"digest": digest})
    drain_jobs()
    assert reported, "no progress was reported"
    done, total, _phase = reported[-1]
    assert (
        done == total == 5 + 4 + 4 + 2 + 4 + 3
    )  # pupils, groups, enrolments, places, staff, links


def test_a_school_changed_before_the_job_ran_fails_it_and_the_ib_looks_again(
    client, ib, zz_school, import_file, drain_jobs
):
    response = upload(client, read("edexml-2.1-full.xml"))
    digest = digest_of(client.get(response.location).get_data(as_text=True))
    client.post(response.location + "/toepassen", data={"digest": digest})
    import_file(zz_school, "edexml-2.0-minimal.xml")  # IT imported before the worker ran
    drain_jobs()
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Pupil.id))) == 2
    page = html.unescape(client.get(response.location).get_data(as_text=True))
    assert "De vorige poging is mislukt" in page
    assert "veranderd" in page
    assert digest_of(page) != digest  # the new preview, to confirm again


def test_an_export_larger_than_the_apps_request_limit_is_still_read(client, ib, app):
    assert app.config["MAX_CONTENT_LENGTH"] < 9_000_000
    big = b"<?xml version='1.0'?><!--" + b"x" * 9_000_000 + b"--><html/>"
    # Encoded here: the test client would spool a body this large to a file it never closes.
    boundary = "edexml-test-boundary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="big.xml"\r\nContent-Type: text/xml\r\n\r\n'
    ).encode()
    body += big + f"\r\n--{boundary}--\r\n".encode()
    response = client.post(
        "/administratie/import", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 422  # read and refused for what it is, not 413
    assert "geen EDEXML-bestand" in html.unescape(response.get_data(as_text=True))
