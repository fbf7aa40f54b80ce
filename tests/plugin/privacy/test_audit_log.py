"""The IB's audit log: rows hold ids, the page reads as Dutch sentences with names looked up at
display time (a bounded number of queries), filters and pages, and an audited CSV export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, func, select

from plugin.audit import record_event
from plugin.audit_actions import AuditAction
from plugin.auth import Role
from plugin.extensions import db
from plugin.models import AuditEvent, Group, PlatformContext, Pupil, StaffRole
from tests.factories import (
    GroupFactory,
    PupilFactory,
    StaffFactory,
    SubjectFactory,
    enrol,
    link_teacher,
)


@pytest.fixture
def ib(login, school):
    staff = StaffFactory(school=school, role=StaffRole.IB, display_name="Juf Demi Jansen")
    login(role=Role.IB, school=school, staff=staff, name=staff.display_name)
    return staff


@pytest.fixture
def adam(school):
    pupil = PupilFactory(school=school, display_name="Adam Jansen", key="LL-ADAM")
    enrol(pupil, GroupFactory(school=school, name="Groep 5A"))
    return pupil


def _event(school, action, object_type="", object_id=None, when=None, **columns) -> AuditEvent:
    row = AuditEvent(
        school_id=school.id, action=action, object_type=object_type, object_id=object_id,
        actor_label=columns.pop("actor_label", "ib"), detail=columns.pop("detail", {}),
        **columns,
    )  # fmt: skip
    if when is not None:
        row.occurred_at = when
    db.session.add(row)
    db.session.flush()
    return row


def _log(client, **args) -> str:
    response = client.get("/administratie/logboek", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_view_reads_as_a_sentence_and_the_row_holds_no_name(client, ib, adam):
    assert client.get(f"/rapportages/leerling/{adam.id}").status_code == 200
    row = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "view_pupil_report")
    ).one()
    assert (row.actor_staff_id, row.actor_label, row.pupil_id) == (ib.id, "ib", adam.id)
    stored = repr([row.actor_label, row.object_type, row.detail])
    assert "Jansen" not in stored
    assert "LL-ADAM" not in stored
    assert "Juf Demi Jansen bekeek het leerlingrapport van Adam Jansen" in _log(client)


def test_names_are_looked_up_now_so_an_erased_pupil_reads_as_removed(client, ib, adam, school):
    _event(school, "view_pupil_report", "pupil", adam.id, actor_staff_id=ib.id, pupil_id=adam.id)
    pupil_id = adam.id
    db.session.execute(Pupil.__table__.delete().where(Pupil.id == pupil_id))
    record_event(AuditAction.PUPIL_ERASED, "pupil", pupil_id, school_id=school.id)
    page = _log(client)
    assert "Adam" not in page
    assert "Juf Demi Jansen bekeek het leerlingrapport van een verwijderde leerling" in page
    assert "verwijderde op verzoek alle gegevens van een verwijderde leerling" in page


def test_a_removed_course_link_or_group_reads_as_removed(client, ib, school):
    group = GroupFactory(school=school, name="Groep 8 meester Bas")
    course = PlatformContext(school_id=school.id, issuer="https://lms", context_id="c-8",
                             title="Groep 8 meester Bas", group_id=None)  # fmt: skip
    db.session.add(course)
    db.session.flush()
    _event(school, "group_created", "group", group.id, actor_staff_id=ib.id,
           detail={"leerjaar": 8})  # fmt: skip
    _event(school, "course_link_approved", "platform_context", course.id, actor_staff_id=ib.id,
           detail={"old": None, "new": group.id, "teachers": []})  # fmt: skip
    page = _log(client)
    assert "Juf Demi Jansen maakte een groep aan: Groep 8 meester Bas" in page
    assert "Juf Demi Jansen koppelde de cursus Groep 8 meester Bas aan een groep" in page
    assert "nieuwe groep: Groep 8 meester Bas" in page
    db.session.execute(PlatformContext.__table__.delete().where(PlatformContext.id == course.id))
    db.session.execute(Group.__table__.delete().where(Group.id == group.id))
    page = _log(client)
    assert "Bas" not in page
    assert "Juf Demi Jansen maakte een groep aan: een verwijderde groep" in page
    assert "Juf Demi Jansen koppelde een verwijderde cursus aan een groep" in page
    assert "nieuwe groep: een verwijderde groep" in page


def test_another_schools_pupil_is_never_named(client, ib, school, other_school):
    stranger = PupilFactory(school=other_school, display_name="Zoë Vreemd")
    _event(school, "access_denied", "pupil", stranger.id, actor_staff_id=ib.id,
           pupil_id=stranger.id)  # fmt: skip
    page = _log(client)
    assert "Zoë" not in page
    assert (
        f"Juf Demi Jansen kreeg geen toegang tot een onbekende leerling (nummer {stranger.id})"
        in page
    )


def test_actors_without_a_staff_member_are_named_by_their_role(client, ib, school, adam):
    _event(school, "structure_imported", "school", school.id, actor_label="cli")
    _event(school, "launch", "school", school.id, actor_label="leerling", actor_pupil_id=adam.id)
    _event(school, "launch", "school", school.id, actor_label="leerkracht")
    page = _log(client)
    assert "De beheerder (opdrachtregel) importeerde leerlingen" in page
    assert "Adam Jansen opende Leerling in beeld" in page
    assert "Een leerkracht opende Leerling in beeld" in page


def test_the_page_shows_details_in_dutch_not_json(client, ib, school, adam):
    group = GroupFactory(school=school, name="Groep 6B")
    SubjectFactory(code="rekenen-wiskunde", name="Rekenen-Wiskunde")
    detail = {"subject": "rekenen-wiskunde", "school_year": 2025, "moment": "M", "pupils": 23}
    _event(school, "view_group_report", "group", group.id, actor_staff_id=ib.id, detail=detail)
    page = _log(client)
    assert "Juf Demi Jansen bekeek het groepsrapport van Groep 6B" in page
    assert "schooljaar: 2025-2026" in page
    assert "vakgebied: Rekenen-Wiskunde" in page  # the subject's name, not its code
    assert "moment: midden" in page
    assert "{&#34;" not in page
    assert '{"' not in page


def test_a_moved_deployment_names_both_schools_in_each_log(client, login, ib, school,
                                                          other_school):  # fmt: skip
    detail = {"issuer": "https://moodle.example", "client": "abc", "deployment": "1",
              "from_school": school.id, "to_school": other_school.id}  # fmt: skip
    for school_id in (school.id, other_school.id):
        _event(db.session.get(type(school), school_id), "deployment_moved", "lti_deployment", 1,
               actor_label="cli", detail=detail)  # fmt: skip
    page = _log(client)
    assert "verplaatste een platformkoppeling van de ene school naar de andere" in page
    assert f"van school: {school.name}" in page
    assert f"naar school: {other_school.name}" in page
    other_ib = StaffFactory(school=other_school, role=StaffRole.IB)
    login(role=Role.IB, school=other_school, staff=other_ib)
    assert f"van school: {school.name}" in _log(client)
    gone = {**detail, "to_school": other_school.id + 1000}  # a school that is gone
    _event(school, "deployment_moved", "lti_deployment", 1, actor_label="cli", detail=gone)
    login(role=Role.IB, school=school, staff=ib)
    assert "naar school: een verwijderde school" in _log(client)


def test_refusal_reasons_and_roster_counts_read_in_dutch(client, ib, school):
    group = GroupFactory(school=school, name="Groep 6B")
    _event(school, "launch_refused", "school", school.id, actor_label="anonymous",
           detail={"reason": "course_refused", "staff_id": None})  # fmt: skip
    _event(school, "launch_refused", "school", school.id, actor_label="anonymous",
           detail={"reason": "something_new"})  # fmt: skip
    _event(school, "roster_sync", "group", group.id, actor_label="job",
           detail={"course": 1, "added": 0, "left": 0, "matched": 3, "teachers": 1,
                   "unresolved": 2})  # fmt: skip
    page = _log(client)
    assert "de IB heeft de cursus niet aan een groep gekoppeld" in page
    assert "course_refused" not in page
    assert "something_new" in page  # a code without words yet is shown as it is
    assert "accounts aan een leerling gekoppeld: 3" in page
    assert "accounts niet gekoppeld: 2" in page


def _count_queries(app, action):
    statements: list[str] = []

    def count(conn, cursor, statement, *args):  # noqa: ARG001
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        action()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def test_names_cost_a_bounded_number_of_queries(app, client, ib, school):
    """One query per kind of name for a whole page: 50 pupils cost what 2 pupils cost."""
    group = GroupFactory(school=school)
    course = PlatformContext(school_id=school.id, issuer="https://lms", context_id="c")
    db.session.add(course)
    db.session.flush()

    def fill(n):
        for _i in range(n):
            pupil = PupilFactory(school=school)
            teacher = StaffFactory(school=school)
            link_teacher(teacher, group)
            _event(school, "view_pupil_report", "pupil", pupil.id, actor_staff_id=teacher.id,
                   pupil_id=pupil.id)  # fmt: skip
            _event(school, "view_group_report", "group", group.id, actor_staff_id=teacher.id)
            _event(school, "course_link_approved", "platform_context", course.id,
                   actor_staff_id=teacher.id,
                   detail={"old": group.id, "new": GroupFactory(school=school).id})  # fmt: skip

    _log(client)  # warm: the reference snapshots (plugin.reference_cache) are read once
    fill(1)
    few = _count_queries(app, lambda: _log(client))
    fill(25)
    many = _count_queries(app, lambda: _log(client))
    assert many == few


def test_filters_by_pupil_user_action_and_dates_and_pages_keep_them(client, ib, school, adam):
    other = PupilFactory(school=school, display_name="Bram Bakker")
    teacher = StaffFactory(school=school, display_name="Meester Kees")
    day = datetime(2026, 3, 10, 12, tzinfo=UTC)
    _event(school, "view_pupil_report", "pupil", adam.id, day, actor_staff_id=ib.id,
           pupil_id=adam.id)  # fmt: skip
    _event(school, "view_pupil_report", "pupil", other.id, day, actor_staff_id=teacher.id,
           pupil_id=other.id)  # fmt: skip
    _event(school, "export_pupil_report", "pupil", other.id, datetime(2026, 4, 1, 9, tzinfo=UTC),
           actor_staff_id=teacher.id, pupil_id=other.id)  # fmt: skip

    def sentences(**args):
        page = _log(client, **args)
        wanted = ("van Adam Jansen", "bekeek het leerlingrapport van Bram",
                  "exporteerde het leerlingrapport van Bram")  # fmt: skip
        return sorted(s for s in wanted if s in page)

    assert sentences(leerling=adam.id) == ["van Adam Jansen"]
    assert sentences(gebruiker=teacher.id) == [
        "bekeek het leerlingrapport van Bram", "exporteerde het leerlingrapport van Bram",
    ]  # fmt: skip
    assert sentences(actie="export_pupil_report") == ["exporteerde het leerlingrapport van Bram"]
    assert sentences(van="2026-03-10", tot="2026-03-10") == [
        "bekeek het leerlingrapport van Bram", "van Adam Jansen",
    ]  # fmt: skip
    assert sentences(van="11-03-2026") == ["exporteerde het leerlingrapport van Bram"]
    for _ in range(60):
        _event(school, "view_pupil_report", "pupil", other.id, day, actor_staff_id=teacher.id,
               pupil_id=other.id)  # fmt: skip
    page = _log(client, gebruiker=teacher.id)
    assert "Pagina 1 van 2 (62 gebeurtenissen)" in page
    assert (
        f"pagina=2&amp;gebruiker={teacher.id}" in page
        or f"gebruiker={teacher.id}&amp;pagina=2" in page
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [({"van": "gisteren"}, "De begindatum is geen datum"),
     ({"actie": "dansen"}, "Kies een handeling"),
     ({"leerling": "abc"}, "De leerling is geen geldige keuze")],
)  # fmt: skip
def test_a_bad_filter_is_explained_in_dutch(client, ib, args, message):
    response = client.get("/administratie/logboek", query_string=args)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_the_export_is_csv_of_the_filtered_log_and_is_itself_audited(client, ib, school, adam):
    hostile = StaffFactory(school=school, display_name='=HYPERLINK("http://x")')
    _event(school, "view_pupil_report", "pupil", adam.id, actor_staff_id=hostile.id,
           pupil_id=adam.id)  # fmt: skip
    _event(school, "goal_changed", "school_goal", 1, actor_staff_id=ib.id)
    response = client.get("/administratie/logboek/export.csv", query_string={"leerling": adam.id})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")),
                           delimiter=";"))  # fmt: skip
    assert rows[0][:5] == ["Wanneer", "Wie", "Rol", "Actie", "Wat er gebeurde"]
    assert len(rows) == 2
    assert rows[1][1].startswith("'=HYPERLINK")
    assert "bekeek het leerlingrapport van Adam Jansen" in rows[1][4]
    exported = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "audit_log_exported")
    ).one()
    assert exported.actor_staff_id == ib.id
    assert exported.detail == {"events": 1, "filter": {"leerling": adam.id}}
    assert "Juf Demi Jansen exporteerde het logboek" in _log(client)


def test_only_the_ib_exports_the_log(client, login, school):
    login(role=Role.LEERKRACHT, school=school, staff=StaffFactory(school=school))
    assert client.get("/administratie/logboek/export.csv").status_code == 403
    assert db.session.scalar(select(func.count(AuditEvent.id))) == 0


@pytest.mark.no_db
def test_the_migration_strips_names_from_existing_rows(tmp_path):
    """Rows written before 0010 said "ib: Demi Jansen": afterwards only the role is left, and
    events about a pupil know their pupil."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from tests.conftest import fresh_database, make_app

    with fresh_database("lib_mig", tmp_path / "mig.sqlite") as url:
        app = make_app(url)
        with app.app_context():
            upgrade(revision="0010_launch")
            with db.engine.begin() as conn:
                conn.execute(sa.text(
                    "INSERT INTO school (id, name, migration_state, midden_start_month,"
                    " midden_end_month, eind_start_month, eind_end_month, is_synthetic)"
                    " VALUES (1, 'S', 'done', 12, 2, 5, 7, false)"
                ))  # fmt: skip
                for label, kind, detail in (
                    ("ib: Demi Jansen", "pupil", "{}"),
                    ("leerkracht: Kees: de Vries", "result", '{"pupil_id": 8}'),
                    ("cli", "school", "{}"),
                ):
                    conn.execute(sa.text(
                        "INSERT INTO audit_event (school_id, actor_label, action, object_type,"
                        " object_id, detail) VALUES (1, :label, 'result_changed', :kind, 7,"
                        " :detail)"
                    ), {"label": label, "kind": kind, "detail": detail})  # fmt: skip
            upgrade(revision="0010_privacy")
            with db.engine.connect() as conn:
                rows = conn.execute(
                    sa.text("SELECT actor_label, pupil_id FROM audit_event ORDER BY id")
                ).all()
            db.session.remove()
            db.engine.dispose()
    assert [tuple(row) for row in rows] == [("ib", 7), ("leerkracht", 8), ("cli", None)]
