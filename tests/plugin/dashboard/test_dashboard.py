"""The dashboard after launch: per role, the period's tests, empty state, migration banner."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from plugin.auth import Role
from plugin.extensions import db
from plugin.models import ItemResponse, MigrationState, Moment, StaffRole, TestItem
from tests.factories import (
    GroupFactory,
    PupilFactory,
    StaffFactory,
    SubjectFactory,
    ToetsFactory,
    administer,
    enrol,
    link_teacher,
)


@pytest.fixture
def setup(app, school, monkeypatch):
    monkeypatch.setitem(app.config, "DASHBOARD_TODAY", "2027-01-15")  # midden period 2026
    school.migration_state = MigrationState.DONE
    reken = SubjectFactory(name="Rekenen", code="dash-rekenen", position=1)
    lezen = SubjectFactory(name="Lezen", code="dash-lezen", position=2)
    tests = {
        (s.code, m, lvl): ToetsFactory(subject=s, moment=m, level=lvl, code=f"{s.code}-{m}{lvl}")
        for s in (reken, lezen) for m in (Moment.M, Moment.E) for lvl in (5, 6)
    }  # fmt: skip
    mine = GroupFactory(school=school, name="Groep 5", school_year=2026, leerjaar=5)
    theirs = GroupFactory(school=school, name="Groep 6", school_year=2026, leerjaar=6)
    GroupFactory(school=school, name="Groep 5 vorig jaar", school_year=2025, leerjaar=5)
    teacher = StaffFactory(school=school)
    link_teacher(teacher, mine)
    ib = StaffFactory(school=school, role=StaffRole.IB)
    return {"tests": tests, "mine": mine, "theirs": theirs, "teacher": teacher, "ib": ib,
            "school": school}  # fmt: skip


def cell(page: str, group, subject_code: str) -> str:
    row = page.split(f'data-group="{group.id}"')[1].split("</tr>")[0]
    return row.split(f'data-subject="{subject_code}"')[1].split("</td>")[0]


def test_teacher_sees_own_groups_with_taken_and_to_do(client, login, setup):
    admin = administer(setup["mine"], setup["tests"][("dash-rekenen", Moment.M, 5)])
    admin.completed_at = datetime(2027, 1, 14, tzinfo=UTC)
    db.session.flush()
    login(role=Role.LEERKRACHT, school=setup["school"], staff=setup["teacher"])
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Groep 5" in page
    assert "Groep 6" not in page
    assert "vorig jaar" not in page
    assert 'data-status="done"' in cell(page, setup["mine"], "dash-rekenen")
    assert "afgenomen" in cell(page, setup["mine"], "dash-rekenen")
    assert "nog te doen" in cell(page, setup["mine"], "dash-lezen")
    assert "De toetsperiode midden van 2026-2027 loopt." in page
    assert "In deze periode is nog geen toets afgenomen." not in page
    assert f'href="/rapportages/groep/{setup["mine"].id}"' in page
    assert "De school en haar doelen" not in page


def test_unfinished_scoring_and_overdue_tests(client, login, setup, app, monkeypatch):
    monkeypatch.setitem(app.config, "DASHBOARD_TODAY", "2027-06-01")  # eind period
    test = setup["tests"][("dash-rekenen", Moment.E, 5)]
    admin = administer(setup["mine"], test)  # not finished
    pupils = [PupilFactory(school=setup["school"]) for _ in range(3)]
    for pupil in pupils:
        enrol(pupil, setup["mine"])
    item = TestItem(test_id=test.id, number=1, correct_answer="A")
    db.session.add(item)
    db.session.flush()
    db.session.add(
        ItemResponse(administration_id=admin.id, pupil_id=pupils[0].id, item_id=item.id,
                     correct=False)
    )  # fmt: skip
    db.session.flush()
    login(role=Role.LEERKRACHT, school=setup["school"], staff=setup["teacher"])
    page = client.get("/dashboard").get_data(as_text=True)
    status = '<span class="status-todo">1 van 3 leerlingen nagekeken</span>'
    assert status in cell(page, setup["mine"], "dash-rekenen")
    assert "M5 niet afgenomen" in cell(page, setup["mine"], "dash-lezen")


def test_empty_state_when_nothing_was_taken(client, login, setup):
    login(role=Role.LEERKRACHT, school=setup["school"], staff=setup["teacher"])
    page = client.get("/dashboard").get_data(as_text=True)
    assert "In deze periode is nog geen toets afgenomen." in page


def test_teacher_without_groups_is_told_how_to_link(client, login, setup):
    lonely = StaffFactory(school=setup["school"])
    login(role=Role.LEERKRACHT, school=setup["school"], staff=lonely)
    page = client.get("/dashboard").get_data(as_text=True)
    assert "nog geen groepen aan jou gekoppeld" in page


def test_ib_sees_every_group_and_the_goals(client, login, setup):
    login(role=Role.IB, school=setup["school"], staff=setup["ib"])
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Groep 5" in page
    assert "Groep 6" in page
    assert "De school en haar doelen" in page
    assert 'id="goal-state"' in page


@pytest.mark.parametrize("state", [MigrationState.NOT_STARTED, MigrationState.IN_PROGRESS])
def test_migration_banner_explains_and_says_whom_to_ask(client, login, setup, state):
    setup["school"].migration_state = state
    db.session.flush()
    login(role=Role.LEERKRACHT, school=setup["school"], staff=setup["teacher"])
    page = client.get("/dashboard").get_data(as_text=True)
    assert 'id="migration-banner"' in page
    assert "blijven de rapporten leeg" in page
    assert "intern begeleider" in page


def test_no_banner_when_the_migration_is_done(client, login, setup):
    login(role=Role.LEERKRACHT, school=setup["school"], staff=setup["teacher"])
    assert 'id="migration-banner"' not in client.get("/dashboard").get_data(as_text=True)


def test_pupil_gets_a_friendly_page_without_results(client, login, setup):
    pupil = PupilFactory(school=setup["school"], display_name="Sanne K.")
    classmate = PupilFactory(school=setup["school"], display_name="Klasgenoot Z.")
    enrol(pupil, setup["mine"])
    enrol(classmate, setup["mine"])
    login(role=Role.LEERLING, school=setup["school"], pupil=pupil, name="Sanne K.")
    response = client.get("/dashboard")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Hoi Sanne K.!" in page
    assert "Klasgenoot" not in page
    assert "Groep 5" not in page
    assert "data-status" not in page


def test_dashboard_needs_a_launch(client):
    assert client.get("/dashboard").status_code == 401


def test_goals_keep_their_decimals_and_name_2f_or_1s_per_domain(client, login, setup):
    from plugin.models import GoalIndicator, SchoolGoal

    for domain, target in (("rekenen", 57.5), ("lezen", 85.0)):
        db.session.add(
            SchoolGoal(school_id=setup["school"].id, school_year=2026, domain=domain,
                       indicator=GoalIndicator.SHARE_2F_1S, target=target)
        )  # fmt: skip
    db.session.flush()
    login(role=Role.IB, school=setup["school"], staff=setup["ib"])
    page = client.get("/dashboard").get_data(as_text=True)
    table = page.split('id="goal-state"')[1].split("</table>")[0]
    rekenen = table.split('data-domain="rekenen" data-indicator="2F/1S"')[1].split("</tr>")[0]
    lezen = table.split('data-domain="lezen" data-indicator="2F/1S"')[1].split("</tr>")[0]
    assert "<td>1S</td>" in rekenen
    assert "57,5 %" in rekenen
    assert "<td>2F</td>" in lezen
    assert "85 %" in lezen
    assert "2F/1S</td>" not in table
