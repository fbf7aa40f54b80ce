"""The school's full export: one ZIP of CSV files with a Dutch LEESMIJ.txt, for the IB in
Administratie and IT on the command line; audited; safe against formula injection; only the
school's own data."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from sqlalchemy import select

from plugin import course_requests
from plugin.auth import Role
from plugin.extensions import db
from plugin.models import AuditEvent, PlatformContext, StaffRole
from tests.factories import (
    GroupFactory,
    PupilFactory,
    StaffFactory,
    ToetsFactory,
    administer,
    enrol,
    record_result,
)


@pytest.fixture
def ib(login, school):
    staff = StaffFactory(school=school, role=StaffRole.IB, display_name="Juf Demi Jansen")
    login(role=Role.IB, school=school, staff=staff, name=staff.display_name)
    return staff


@pytest.fixture
def data(school, other_school):
    group = GroupFactory(school=school, name="Groep 5A")
    adam = PupilFactory(school=school, display_name="Adam Jansen", key="LL-1")
    hostile = PupilFactory(school=school, display_name='=HYPERLINK("http://x";"klik")')
    admin = administer(group, ToetsFactory())
    for pupil, score in ((adam, 151.5), (hostile, 140.0)):
        enrol(pupil, group)
        record_result(pupil, admin, score)
    stranger = PupilFactory(school=other_school, display_name="Zoë Andereschool")
    enrol(stranger, GroupFactory(school=other_school))
    return {"adam": adam, "group": group}


def _open(body: bytes) -> dict[str, list[list[str]]]:
    archive = zipfile.ZipFile(io.BytesIO(body))
    files = {}
    for name in archive.namelist():
        text = archive.read(name).decode("utf-8")
        if name.endswith(".csv"):
            assert text.startswith("\ufeff")
            files[name] = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
        else:
            files[name] = text
    return files


def test_the_ib_downloads_everything_as_a_zip_with_a_dutch_readme(client, ib, school, data):
    response = client.get("/administratie/privacy/export.zip")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    files = _open(response.data)
    assert "Nooit bewaard en dus ook niet in deze export" in files["LEESMIJ.txt"]
    names = ("leerlingen.csv", "groepen.csv", "groepsindeling.csv", "resultaten.csv",
             "doelen.csv", "logboek.csv", "antwoorden.csv", "anonieme_aantallen.csv")  # fmt: skip
    for name in names:
        assert name in files
        assert name in files["LEESMIJ.txt"]
    pupils = {row[1]: row for row in files["leerlingen.csv"][1:]}
    assert set(pupils) == {"Adam Jansen", '\'=HYPERLINK("http://x";"klik")'}
    assert pupils["Adam Jansen"][5] == "LL-1"
    results = files["resultaten.csv"]
    assert results[0][:3] == ["leerling_id", "afname_id", "toets"]
    assert sorted(row[8] for row in results[1:]) == ["140,0", "151,5"]
    everything = repr(files)
    assert "Andereschool" not in everything
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "school_exported")
    ).one()
    assert (event.actor_staff_id, event.school_id) == (ib.id, school.id)
    assert "Jansen" not in repr(event.detail)


def test_the_export_holds_what_waits_under_koppelingen(client, ib, school, other_school, data):
    """Course links, waiting course requests (with who asked) and unmatched roster accounts are
    the school's data too; another school's are not in it."""
    course = PlatformContext(school_id=school.id, issuer="https://lms", context_id="c-5a",
                             title="Rekenen 5A", group_id=data["group"].id)  # fmt: skip
    db.session.add(course)
    db.session.flush()
    course_requests.replace_unmatched(course, ["Iemand Anders"])
    course_requests.request_course(school.id, "https://lms", "c-new", "5B", "Taal 5B", "t-9",
                                   "Meester Onbekend", "m@school.example", None)  # fmt: skip
    course_requests.request_course(other_school.id, "https://lms", "c-x", None, "Hun cursus",
                                   "t-x", "Juf Elders", None, None)  # fmt: skip
    files = _open(client.get("/administratie/privacy/export.zip").data)
    for name in ("cursuskoppelingen.csv", "cursusaanvragen.csv", "niet_gekoppelde_accounts.csv"):
        assert name in files["LEESMIJ.txt"]
    (link,) = files["cursuskoppelingen.csv"][1:]
    assert (link[0], link[4]) == (str(course.id), "Rekenen 5A")
    (asked,) = files["cursusaanvragen.csv"][1:]
    assert (asked[4], asked[9], asked[10]) == ("Taal 5B", "Meester Onbekend", "m@school.example")
    assert files["niet_gekoppelde_accounts.csv"][1:] == [
        [str(course.id), "Iemand Anders", files["niet_gekoppelde_accounts.csv"][1][2]]
    ]
    assert "Juf Elders" not in repr(files)


def test_only_the_ib_exports(client, login, school):
    login(role=Role.LEERKRACHT, school=school, staff=StaffFactory(school=school))
    assert client.get("/administratie/privacy/export.zip").status_code == 403


def test_it_exports_from_the_command_line(app, school, data, tmp_path):
    db.session.commit()
    target = tmp_path / "export.zip"
    result = app.test_cli_runner().invoke(
        args=["privacy", "export", "--school", school.name, str(target)]
    )
    assert result.exit_code == 0, result.output
    assert "staat in" in result.output
    assert "Adam Jansen" in repr(_open(target.read_bytes())["leerlingen.csv"])
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "school_exported" in actions
    unknown = app.test_cli_runner().invoke(
        args=["privacy", "export", "--school", "Bestaat Niet", str(target)]
    )
    assert unknown.exit_code != 0
    assert "Er is geen school met de naam Bestaat Niet" in unknown.output
