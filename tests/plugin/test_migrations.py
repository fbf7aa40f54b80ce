"""The migrations build exactly the schema the models describe."""

import json

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from plugin.db import Base
from plugin.extensions import db


@pytest.mark.no_db  # its own connection, outside the per-test transaction
def test_migrations_match_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


@pytest.mark.no_db
def test_the_access_migration_takes_back_what_course_owners_decided(tmp_path):
    """Course links made by the old name rule become requests for the IB; links an IB made
    stay (approved, or refused for "no group"); teacher links made by launches and rosters
    of such courses go; import and approved links stay."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from tests.conftest import fresh_database, make_app

    with fresh_database("lib_mig", tmp_path / "mig.sqlite") as url:
        app = make_app(url)
        with app.app_context():
            upgrade(revision="0005")
            with db.engine.begin() as conn:
                _old_data(conn)
            upgrade(revision="0008_access")
            with db.engine.connect() as conn:
                links = conn.execute(sa.text("SELECT staff_id, source FROM teacher_group")).all()
                contexts = conn.execute(
                    sa.text(
                        "SELECT context_id, group_id, approved_at IS NOT NULL,"
                        " approved_by_staff_id, refused_at IS NOT NULL"
                        " FROM platform_context ORDER BY context_id"
                    )
                ).all()
                requests = conn.execute(
                    sa.text(
                        "SELECT school_id, actor_label, detail FROM audit_event"
                        " WHERE action = 'course_link_requested'"
                    )
                ).all()
            db.session.remove()
            db.engine.dispose()
    assert sorted(links) == [(3, "approved"), (4, "import")]
    assert [tuple(row) for row in contexts] == [
        ("by-ib", 1, True, 5, False),
        ("no-group", None, False, None, True),
    ]
    (request,) = requests
    detail = request.detail
    detail = detail if isinstance(detail, dict) else json.loads(detail)
    assert (request.school_id, request.actor_label) == (1, "migratie")
    assert (detail["context"], detail["title"], detail["suggested_group_id"]) == (
        "by-name", "Groep 5", 1,
    )  # fmt: skip


def _old_data(conn) -> None:
    """Rows as the schema of revision 0005 holds them after launches under the old rule."""
    import sqlalchemy as sa

    def run(sql: str, **params) -> None:
        conn.execute(sa.text(sql), params)

    run("INSERT INTO school (id, name, migration_state, midden_start_month, midden_end_month,"
        " eind_start_month, eind_end_month, is_synthetic)"
        " VALUES (1, 'S', 'done', 12, 2, 5, 7, false)")  # fmt: skip
    run("INSERT INTO school_group (id, school_id, name, school_year, leerjaar, is_subgroup)"
        " VALUES (1, 1, 'Groep 5', 2026, 5, false)")  # fmt: skip
    for staff_id in range(1, 6):
        run("INSERT INTO staff_member (id, school_id, display_name, role, session_version)"
            " VALUES (:id, 1, 'T', 'leerkracht', 0)", id=staff_id)  # fmt: skip
    for staff_id, source in ((1, "launch"), (2, "roster"), (3, "approved"), (4, "import")):
        run("INSERT INTO teacher_group (staff_id, group_id, school_id, source)"
            " VALUES (:id, 1, 1, :source)", id=staff_id, source=source)  # fmt: skip
    for context_id, group in (("by-name", 1), ("by-ib", 1), ("no-group", None)):
        run("INSERT INTO platform_context (school_id, issuer, context_id, label, title, group_id)"
            " VALUES (1, 'https://lms', :context, 'G5', 'Groep 5', :group)",
            context=context_id, group=group)  # fmt: skip
    for context_id, new in (("by-ib", 1), ("no-group", None)):
        run("INSERT INTO audit_event (school_id, actor_staff_id, actor_label, action, object_type,"
            " object_id, detail) SELECT 1, 5, 'ib: X', 'context_relinked', 'platform_context',"
            " id, :detail FROM platform_context WHERE context_id = :context",
            detail=json.dumps({"old": 1, "new": new}), context=context_id)  # fmt: skip


PERSONAL = ("Anne de Leerkracht", "anne@school.example", "teacher-42", "Iemand Anders", "p-3",
            "Juf Ibo")  # fmt: skip


@pytest.mark.no_db
def test_the_privacy_requests_migration_moves_personal_data_out_of_the_audit_log(tmp_path):
    """Revision 0012: undecided course requests and the newest unmatched roster accounts move
    to their own tables; the old audit rows keep ids and counts only."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from tests.conftest import fresh_database, make_app

    with fresh_database("lib_mig12", tmp_path / "mig12.sqlite") as url:
        app = make_app(url)
        with app.app_context():
            upgrade(revision="0011_retention")
            with db.engine.begin() as conn:
                _audit_rows_before_0012(conn)
            upgrade(revision="0012_privacy_requests")
            with db.engine.connect() as conn:
                details = conn.execute(
                    sa.text("SELECT action, detail FROM audit_event ORDER BY id")
                ).all()
                requests = conn.execute(
                    sa.text("SELECT id, context_id, title, suggested_group_id FROM course_request")
                ).all()
                requesters = conn.execute(
                    sa.text("SELECT staff_id, platform_user_id, name, email FROM course_requester"
                            " ORDER BY id")
                ).all()  # fmt: skip
                accounts = conn.execute(
                    sa.text("SELECT platform_context_id, name FROM unmatched_account")
                ).all()
            db.session.remove()
            db.engine.dispose()
    logged = [(a, d if isinstance(d, dict) else json.loads(d)) for a, d in details]
    (request,) = requests
    assert tuple(request)[1:] == ("waiting", "Groep 5", 1)
    assert [tuple(r) for r in requesters] == [
        (None, "teacher-42", "Anne de Leerkracht", "anne@school.example"),
        (2, "teacher-7", None, None),
    ]
    assert [tuple(a) for a in accounts] == [(1, "Iemand Anders")]  # the newest sync's list
    assert logged == [
        ("course_link_requested", {"request": request.id, "staff_id": None}),
        ("course_link_requested", {"request": request.id, "staff_id": 2}),
        ("course_link_requested", {"request": None, "staff_id": None}),  # decided since
        ("launch_refused", {"reason": "course_refused", "staff_id": None}),
        ("roster_sync", {"course": 1, "added": 0, "unresolved": 2}),
        ("roster_sync", {"course": 1, "added": 0, "unresolved": 1}),
        ("ib_appointed", {"via": "administratie"}),
    ]
    assert not [n for n in PERSONAL if n in repr(logged)]


def _audit_rows_before_0012(conn) -> None:
    """What the log held at revision 0011: names, e-mail and platform accounts in details."""
    import sqlalchemy as sa

    def run(sql: str, **params) -> None:
        conn.execute(sa.text(sql), params)

    run("INSERT INTO school (id, name, migration_state, midden_start_month, midden_end_month,"
        " eind_start_month, eind_end_month, is_synthetic)"
        " VALUES (1, 'S', 'done', 12, 2, 5, 7, false)")  # fmt: skip
    run("INSERT INTO school_group (id, school_id, name, school_year, leerjaar, is_subgroup)"
        " VALUES (1, 1, 'Groep 5', 2026, 5, false)")  # fmt: skip
    for staff_id in (1, 2):
        run("INSERT INTO staff_member (id, school_id, display_name, role, session_version)"
            " VALUES (:id, 1, 'Juf Ibo', 'ib', 0)", id=staff_id)  # fmt: skip
    run("INSERT INTO platform_context (id, school_id, issuer, context_id, title, group_id)"
        " VALUES (1, 1, 'https://lms', 'linked', 'Rekenen', 1)")  # fmt: skip
    anne = {"issuer": "https://lms", "label": "G5", "title": "Groep 5", "sub": "teacher-42",
            "name": "Anne de Leerkracht", "email": "anne@school.example",
            "staff_id": None}  # fmt: skip
    rows = [
        ("course_link_requested", anne | {"context": "waiting", "suggested_group_id": 1}),
        ("course_link_requested", anne | {"context": "waiting", "sub": "teacher-7",
                                          "name": "Juf Ibo", "email": None, "staff_id": 2}),
        ("course_link_requested", anne | {"context": "linked"}),
        ("launch_refused", {"reason": "course_refused", "issuer": "https://lms",
                            "context": "linked", "title": "Rekenen", "sub": "teacher-42",
                            "name": "Anne de Leerkracht", "staff_id": None}),
        ("roster_sync", {"course": 1, "added": 0, "unresolved": [
            {"user_id": "p-9", "name": "Oud Account"}, {"user_id": "p-3", "name": "X"}]}),
        ("roster_sync", {"course": 1, "added": 0, "unresolved": [
            {"user_id": "p-3", "name": "Iemand Anders"}]}),
        ("ib_appointed", {"name": "Juf Ibo", "via": "administratie"}),
    ]  # fmt: skip
    for action, detail in rows:
        run("INSERT INTO audit_event (school_id, actor_label, action, object_type, detail)"
            " VALUES (1, 'leerkracht', :action, 'school', :detail)",
            action=action, detail=json.dumps(detail))  # fmt: skip


@pytest.mark.no_db
def test_the_audit_titles_migration_strips_course_titles_and_group_names(tmp_path):
    """Revision 0013: decisions on course links kept the course's title and label (typed in the
    platform, often with a teacher's name) and a new group its name; afterwards they keep ids
    only, and every other row and key is left as it was."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from tests.conftest import fresh_database, make_app

    with fresh_database("lib_mig13", tmp_path / "mig13.sqlite") as url:
        app = make_app(url)
        with app.app_context():
            upgrade(revision="0012_privacy_requests")
            with db.engine.begin() as conn:
                _audit_rows_before_0013(conn)
            upgrade(revision="0013_audit_titles")
            with db.engine.connect() as conn:
                details = conn.execute(
                    sa.text("SELECT action, object_id, detail FROM audit_event ORDER BY id")
                ).all()
            db.session.remove()
            db.engine.dispose()
    logged = [(a, o, d if isinstance(d, dict) else json.loads(d)) for a, o, d in details]
    assert logged == [
        ("group_created", 1, {"leerjaar": 7}),
        ("course_link_approved", 1, {"old": None, "new": 1, "teachers": [2]}),
        ("course_link_refused", 2, {}),
        ("course_link_refused", 1, {"old": 1}),
        ("context_relinked", 1, {"old": None, "new": 1}),
        ("view_group_report", 1, {"title": "kept: not a course decision"}),
    ]
    assert "juf Demi" not in repr(logged)


def _audit_rows_before_0013(conn) -> None:
    """What the log held at revision 0012: titles, labels and group names in details."""
    import sqlalchemy as sa

    def run(sql: str, **params) -> None:
        conn.execute(sa.text(sql), params)

    run("INSERT INTO school (id, name, migration_state, midden_start_month, midden_end_month,"
        " eind_start_month, eind_end_month, is_synthetic)"
        " VALUES (1, 'S', 'done', 12, 2, 5, 7, false)")  # fmt: skip
    rows = [
        ("group_created", "group", {"name": "Groep 7 juf Demi", "leerjaar": 7}),
        ("course_link_approved", "platform_context",
         {"old": None, "new": 1, "title": "Groep 7 juf Demi", "teachers": [2]}),
        ("course_link_refused", "platform_context",
         {"title": "Rekenen juf Demi", "label": "R juf Demi"}),
        ("course_link_refused", "platform_context", {"old": 1, "title": "Groep 7 juf Demi"}),
        ("context_relinked", "platform_context", {"old": None, "new": 1}),
        ("view_group_report", "group", {"title": "kept: not a course decision"}),
    ]  # fmt: skip
    for number, (action, kind, detail) in enumerate(rows):
        run("INSERT INTO audit_event (school_id, actor_label, action, object_type, object_id,"
            " detail) VALUES (1, 'ib', :action, :kind, :object, :detail)",
            action=action, kind=kind, object=2 if number == 2 else 1,
            detail=json.dumps(detail))  # fmt: skip


@pytest.mark.no_db
def test_the_audit_school_ids_migration_names_moved_deployments_schools_by_id(tmp_path):
    """Revision 0014: a moved deployment kept both schools' names; afterwards their ids, and a
    name no school has any more is dropped. Other rows are left as they were."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from tests.conftest import fresh_database, make_app

    with fresh_database("lib_mig14", tmp_path / "mig14.sqlite") as url:
        app = make_app(url)
        with app.app_context():
            upgrade(revision="0013_audit_titles")
            with db.engine.begin() as conn:
                for number, name in ((1, "OBS De Regenboog"), (2, "CBS Het Kompas")):
                    conn.execute(sa.text(
                        "INSERT INTO school (id, name, migration_state, midden_start_month,"
                        " midden_end_month, eind_start_month, eind_end_month, is_synthetic)"
                        " VALUES (:id, :name, 'done', 12, 2, 5, 7, false)"
                    ), {"id": number, "name": name})  # fmt: skip
                rows = [
                    ("deployment_moved", {"deployment": "1", "old": "OBS De Regenboog",
                                          "new": "CBS Het Kompas"}),
                    ("deployment_moved", {"deployment": "2", "old": "OBS Opgeheven",
                                          "new": "OBS De Regenboog"}),
                    ("view_group_report", {"old": "kept: not a moved deployment"}),
                ]  # fmt: skip
                for action, detail in rows:
                    conn.execute(sa.text(
                        "INSERT INTO audit_event (school_id, actor_label, action, object_type,"
                        " object_id, detail) VALUES (1, 'cli', :action, 'lti_deployment', 1,"
                        " :detail)"
                    ), {"action": action, "detail": json.dumps(detail)})  # fmt: skip
            upgrade(revision="0014_audit_school_ids")
            with db.engine.connect() as conn:
                details = (
                    conn.execute(sa.text("SELECT detail FROM audit_event ORDER BY id"))
                    .scalars()
                    .all()
                )
            db.session.remove()
            db.engine.dispose()
    logged = [d if isinstance(d, dict) else json.loads(d) for d in details]
    assert logged == [
        {"deployment": "1", "from_school": 1, "to_school": 2},
        {"deployment": "2", "to_school": 1},
        {"old": "kept: not a moved deployment"},
    ]
