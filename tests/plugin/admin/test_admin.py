"""Administratie: goals with history, migration state, course links, signaling values, log."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from plugin.auth import Role
from plugin.extensions import db
from plugin.models import (
    AuditEvent,
    GoalIndicator,
    MigrationState,
    PlatformContext,
    ReferenceIndicator,
    SchoolGoal,
    SignalingValue,
    StaffRole,
)
from tests.factories import GroupFactory, SchoolFactory, StaffFactory


@pytest.fixture
def ib(login, school):
    staff = StaffFactory(school=school, role=StaffRole.IB)
    login(role=Role.IB, school=school, staff=staff)
    return staff


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_changing_a_goal_keeps_the_old_one_in_history(client, ib, school):
    form = {"domain": "rekenen", "indicator": "2F/1S", "target": "55", "source": "ambitie"}
    assert client.post("/administratie/doelen", data=form).status_code == 303
    form["target"] = "57,5"
    client.post("/administratie/doelen", data=form)
    goals = db.session.scalars(
        select(SchoolGoal).where(SchoolGoal.school_id == school.id).order_by(SchoolGoal.id)
    ).all()
    assert [(g.target, g.superseded_at is None) for g in goals] == [(55.0, False), (57.5, True)]
    assert goals[1].indicator is GoalIndicator.SHARE_2F_1S
    assert goals[1].set_by_staff_id == ib.id
    assert actions() == ["goal_changed", "goal_changed"]
    page = client.get("/administratie/").get_data(as_text=True)
    assert "57,5" in page
    assert "vervangen op" in page
    assert "geldend" in page
    # What a goal is based on reads as words, in the form and in the history, not as a code.
    assert (
        '<option value="signaleringswaarde">de signaleringswaarde van de inspectie</option>' in page
    )
    assert "<td>de eigen ambitie van de school</td>" in page


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"domain": "rekenen", "indicator": "1F", "target": "veel"}, "moet een getal zijn"),
        ({"domain": "rekenen", "indicator": "1F", "target": "120"}, "moet tussen 0"),
        ({"domain": "gym", "indicator": "1F", "target": "90"}, "Kies een domein"),
        ({"domain": "lezen", "indicator": "alles", "target": "90"}, "Kies waar het doel"),
    ],
)
def test_invalid_goals_are_refused_in_dutch(client, ib, school, form, message):
    response = client.post("/administratie/doelen", data=form, follow_redirects=True)
    assert message in response.get_data(as_text=True)
    assert db.session.scalars(select(SchoolGoal)).all() == []
    assert actions() == []


def test_ib_closes_the_migration_and_it_is_audited(client, ib, school):
    client.post("/administratie/migratie", data={"action": "close"})
    assert school.migration_state is MigrationState.DONE
    event = db.session.scalars(select(AuditEvent)).one()
    assert (event.action, event.detail) == (
        "migration_state_changed", {"old": "not_started", "new": "done", "reason": "closed"}
    )  # fmt: skip
    page = client.post("/administratie/migratie", data={"state": "klaar?"}, follow_redirects=True)
    assert "afsluiten of heropenen" in page.get_data(as_text=True)


def test_relink_a_course_only_to_groups_of_the_own_school(client, ib, school):
    group = GroupFactory(school=school)
    foreign = GroupFactory(school=SchoolFactory())
    context = PlatformContext(school_id=school.id, issuer="https://lms", context_id="c1",
                              title="5B")  # fmt: skip
    db.session.add(context)
    db.session.flush()
    client.post(f"/administratie/koppelingen/{context.id}", data={"group": str(group.id)})
    assert context.group_id == group.id
    page = client.post(
        f"/administratie/koppelingen/{context.id}", data={"group": str(foreign.id)},
        follow_redirects=True,
    ).get_data(as_text=True)  # fmt: skip
    assert "Kies een van de groepen van de school" in page
    assert context.group_id == group.id
    assert actions() == ["course_link_approved"]


def test_a_course_of_another_school_is_not_found(client, ib):
    other = SchoolFactory()
    context = PlatformContext(school_id=other.id, issuer="https://lms", context_id="x")
    db.session.add(context)
    db.session.flush()
    assert client.post(f"/administratie/koppelingen/{context.id}", data={}).status_code == 404
    event = db.session.scalars(select(AuditEvent)).one()
    assert (event.action, event.object_type, event.object_id) == (
        "access_denied", "platform_context", context.id
    )  # fmt: skip


def test_signaling_values_can_be_corrected(client, ib):
    value = SignalingValue(indicator=ReferenceIndicator.F2_S1, weging_from=26, weging_to=30,
                           percentage=54, national_average=59, source="placeholder")  # fmt: skip
    db.session.add(value)
    db.session.flush()
    page = client.get("/administratie/").get_data(as_text=True)
    assert "Signaleringswaarde (%)" in page
    assert "Landelijk gemiddelde (%)" in page
    form = {"percentage": "55,5", "national_average": "59", "source": "Inspectie 2026"}
    client.post(f"/administratie/signaleringswaarden/{value.id}", data=form)
    own = db.session.scalars(
        select(SignalingValue).where(SignalingValue.school_id.is_not(None))
    ).one()
    assert (own.percentage, own.source, own.weging_from) == (55.5, "Inspectie 2026", 26)
    assert value.percentage == 54  # the installation's row is untouched
    page = client.get("/administratie/").get_data(as_text=True)
    assert "55,5" in page
    form["percentage"] = "-3"
    client.post(f"/administratie/signaleringswaarden/{own.id}", data=form)
    assert own.percentage == 55.5
    assert actions() == ["signaling_value_changed"]


def test_a_correction_by_one_school_never_changes_another_schools_values(client, ib, school):
    shared = SignalingValue(indicator=ReferenceIndicator.F1, percentage=85, source="Inspectie")
    other = SchoolFactory()
    foreign = SignalingValue(
        school_id=other.id, indicator=ReferenceIndicator.F1, percentage=80, source="eigen"
    )
    db.session.add_all([shared, foreign])
    db.session.flush()
    form = {"percentage": "90", "national_average": "", "source": "x"}
    assert (
        client.post(f"/administratie/signaleringswaarden/{foreign.id}", data=form).status_code
        == 404
    )
    assert foreign.percentage == 80
    client.post(f"/administratie/signaleringswaarden/{shared.id}", data=form)
    assert shared.percentage == 85
    from plugin.goals import signaling_for

    assert signaling_for(school)[ReferenceIndicator.F1].percentage == 90
    assert signaling_for(other)[ReferenceIndicator.F1].percentage == 80


def test_audit_log_shows_only_the_own_school(client, ib, school):
    from plugin.models import AuditEvent as Event

    other = SchoolFactory()
    db.session.add_all([
        Event(school_id=school.id, action="view_pupil_report", object_type="pupil", object_id=7),
        Event(school_id=other.id, action="secret_other_school", object_type="pupil"),
    ])  # fmt: skip
    db.session.flush()
    page = client.get("/administratie/logboek").get_data(as_text=True)
    assert "bekeek een leerlingrapport" in page
    assert "secret_other_school" not in page


@pytest.mark.parametrize("role", [Role.LEERKRACHT, Role.LEERLING])
@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/administratie/"), ("get", "/administratie/logboek"),
     ("post", "/administratie/doelen"), ("post", "/administratie/migratie"),
     ("post", "/administratie/koppelingen/1"), ("post", "/administratie/signaleringswaarden/1")],
)  # fmt: skip
def test_only_the_ib_reaches_administration(client, login, school, role, method, path):
    login(role=role, school=school, staff=StaffFactory(school=school))
    assert getattr(client, method)(path).status_code == 403


def test_forms_carry_a_csrf_token_and_posts_without_it_are_refused(client, ib, app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    page = client.get("/administratie/").get_data(as_text=True)
    assert page.count('name="csrf_token"') >= 1
    migration = client.get("/administratie/datamigratie").get_data(as_text=True)
    assert migration.count('name="csrf_token"') >= 2
    response = client.post("/administratie/migratie", data={"action": "close"})
    assert response.status_code == 400
    assert actions() == []
