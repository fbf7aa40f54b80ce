"""``flask --app wsgi ib``: IT keeps the IB list by e-mail or administration key, in Dutch."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from plugin.extensions import db
from plugin.models import AuditEvent, StaffMember, StaffRole
from tests.factories import StaffFactory


@pytest.fixture
def ib_cli(app, school):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=["ib", *args[:1], "--school", school.name, *args[1:]])


def test_appoint_by_key_list_and_remove(ib_cli, school):
    staff = StaffFactory(school=school, key="LK-7", display_name="Meester Bas", session_version=3)
    result = ib_cli("appoint", "LK-7")
    assert result.exit_code == 0, result.output
    assert "Meester Bas is nu IB van" in result.output
    assert (staff.role, staff.session_version) == (StaffRole.IB, 4)
    assert "Meester Bas" in ib_cli("list").output
    assert "was al IB" in ib_cli("appoint", "LK-7").output
    result = ib_cli("remove", "lk-7@nowhere.example")
    assert result.exit_code == 1
    assert "Geen medewerker van deze school" in result.output
    result = ib_cli("remove", "LK-7")
    assert "geen IB meer" in result.output
    assert "Let op: de IB-lijst" in result.output  # IT may empty the list, and is told so
    assert staff.role is StaffRole.LEERKRACHT
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["ib_appointed", "ib_removed"]


def test_appoint_an_e_mail_nobody_has_yet(ib_cli, school):
    assert ib_cli("appoint", "nieuwe.ib@school.example").exit_code == 0
    staff = db.session.scalars(select(StaffMember)).one()
    assert (staff.email, staff.role, staff.lti_subject) == (
        "nieuwe.ib@school.example", StaffRole.IB, None,
    )  # fmt: skip
    assert "nog niet ingelogd" in ib_cli("list").output


def test_bad_input_is_refused_in_dutch_and_changes_nothing(ib_cli, app, school):
    StaffFactory(school=school, email="dubbel@school.example")
    StaffFactory(school=school, email="Dubbel@school.example")
    db.session.commit()  # the school's data is there before IT types the command
    result = ib_cli("appoint", "dubbel@school.example")
    assert result.exit_code == 1
    assert "Meerdere medewerkers hebben het e-mailadres" in result.output
    assert ib_cli("appoint", "geen-adres").exit_code == 1
    missing = app.test_cli_runner().invoke(args=["ib", "list", "--school", "Bestaat niet"])
    assert "Er is geen school met de naam" in missing.output
    assert db.session.scalars(select(StaffMember.role)).all() == [StaffRole.LEERKRACHT] * 2
