"""Carrying out a :class:`~plugin.imports.results.plan.ResultsPlan`: bulk writes, one
transaction.

Groups of past years ("Groep 5 (historie)"), the pupils' places in them, the afnames and the
results are each written with one executemany per batch of rows, never a flush per result;
ids are read back once per table. Every changed score gets an audit row (old → new) and the
import one row with its counts; the school's data migration becomes *bezig* (in progress) with
its first imported history. The caller owns the transaction: the command line commits, the job
runner commits with the job; any error rolls back everything.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, text, tuple_, update

from plugin.audit import record_event
from plugin.db import Base
from plugin.extensions import db
from plugin.imports.apply import Actor, Progress, _analyze_after, _Tracker
from plugin.imports.results.migration import follow_import
from plugin.imports.results.plan import HISTORY_GROUP, ResultsPlan
from plugin.models import Administration, AuditEvent, Enrolment, Group, Result, School

BATCH = 1000


def _postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _copy(table: str, columns: tuple[str, ...], rows) -> None:
    """PostgreSQL: stream ``rows`` (tuples in ``columns`` order) into ``table`` with COPY, in
    the session's transaction. An executemany sends one statement per row (pipelined, still
    ~0.5 ms each); COPY writes 50,000 results in about a second."""
    connection = db.session.connection().connection.driver_connection
    names = ", ".join(columns)  # fixed identifiers of this module, never user input
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _insert(tracker: _Tracker, phase: str, table, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows``: COPY on PostgreSQL, an executemany per batch on SQLite."""
    if not rows:
        return
    if not _postgres():
        tracker.run(phase, insert(table), rows)
        return
    columns = tuple(rows[0])
    for start in range(0, len(rows), BATCH * 10):
        batch = rows[start : start + BATCH * 10]
        _copy(table.name, columns, ([row[c] for c in columns] for row in batch))
        tracker.done += len(batch)
        if tracker.report:
            tracker.report(min(tracker.done, tracker.total), tracker.total, phase)


def apply_results(
    plan: ResultsPlan, *, progress: Progress | None = None, actor: Actor | None = None,
    source: str = "file",
) -> AuditEvent:  # fmt: skip
    """Write ``plan``; flushes, never commits. Returns the import's audit event."""
    total = len(plan.inserts) + len(plan.updates) + len(plan.enrolments) + len(plan.administrations)
    tracker = _Tracker(total, progress)
    groups = _history_groups(plan)
    _enrol(plan, groups, tracker)
    admins = _administrations(plan, groups, tracker)
    _insert_results(plan, groups, admins, tracker)
    _update_results(plan, tracker)
    event = _audit(plan, actor, source)
    _changes_audited(plan, event)
    _notes(plan, groups, admins)
    if plan.inserts or plan.updates:
        follow_import(db.session.get(School, plan.school_id), event.actor_staff_id,
                      event.actor_label)  # fmt: skip
    db.session.flush()
    db.session.expire_all()  # the bulk writes bypassed the identity map
    return event


def _history_groups(plan: ResultsPlan) -> dict[tuple[int, int], int]:
    """(school year, leerjaar) → id of the history group, created where missing."""
    wanted = {(year, leerjaar) for (_pupil, year), leerjaar in plan.enrolments.items()}
    if not wanted:
        return {}
    names = {HISTORY_GROUP.format(leerjaar=lj): lj for _y, lj in wanted}
    years = sorted({year for year, _lj in wanted})

    def existing() -> dict[tuple[int, int], int]:
        rows = db.session.execute(
            select(Group.id, Group.school_year, Group.name).where(
                Group.school_id == plan.school_id, Group.school_year.in_(years),
                Group.name.in_(sorted(names)),
            )
        )  # fmt: skip
        return {(r.school_year, names[r.name]): r.id for r in rows}

    found = existing()
    missing = [
        {"school_id": plan.school_id, "school_year": year, "leerjaar": lj,
         "name": HISTORY_GROUP.format(leerjaar=lj), "is_subgroup": False}
        for year, lj in sorted(wanted - set(found))
    ]  # fmt: skip
    if missing:
        db.session.execute(insert(Group.__table__), missing)
        found = existing()
    return found


def _group_id(ref: tuple, groups: dict[tuple[int, int], int]) -> int:
    return ref[1] if ref[0] == "id" else groups[(ref[1], ref[2])]


def _enrol(plan: ResultsPlan, groups, tracker: _Tracker) -> None:
    rows = [
        {"school_id": plan.school_id, "pupil_id": pupil_id, "school_year": year,
         "group_id": groups[(year, leerjaar)], "leerjaar": leerjaar}
        for (pupil_id, year), leerjaar in sorted(plan.enrolments.items())
    ]  # fmt: skip
    _insert(tracker, "enrolments", Enrolment.__table__, rows)


def _administrations(plan: ResultsPlan, groups, tracker: _Tracker) -> dict[tuple, int]:
    """(group id, test id, school year) → afname id, created (finished) where missing."""
    wanted = {
        (_group_id(ref, groups), test_id, year): day
        for (ref, test_id, year), day in plan.administrations.items()
    }
    found = _existing_administrations(list(wanted))
    now = datetime.now(UTC)
    missing = [
        {"group_id": g, "test_id": t, "school_year": y, "taken_on": day, "completed_at": now}
        for (g, t, y), day in sorted(wanted.items()) if (g, t, y) not in found
    ]  # fmt: skip
    _insert(tracker, "afnames", Administration.__table__, missing)
    if missing:
        found = _existing_administrations(list(wanted))
    _analyze_after(len(missing), "administration")
    return found


def _existing_administrations(keys: list[tuple[int, int, int]]) -> dict[tuple, int]:
    found: dict[tuple, int] = {}
    columns = (Administration.group_id, Administration.test_id, Administration.school_year)
    for start in range(0, len(keys), 300):
        rows = db.session.execute(
            select(Administration.id, *columns).where(
                tuple_(*columns).in_(keys[start : start + 300])
            )
        )
        found.update({(r.group_id, r.test_id, r.school_year): r.id for r in rows})
    return found


def _insert_results(plan: ResultsPlan, groups, admins, tracker: _Tracker) -> None:
    rows = []
    for row in plan.inserts:
        group_id = _group_id(row["group"], groups)
        rows.append({
            "pupil_id": row["pupil_id"], "test_id": row["test_id"],
            "administration_id": admins[(group_id, row["test_id"], row["school_year"])],
            "school_year": row["school_year"], "leerjaar": row["leerjaar"],
            "raw_score": row["raw_score"], "ability_score": row["ability_score"],
            "level": row["level"], "deviating": row["deviating"],
        })  # fmt: skip
    _insert(tracker, "results", Result.__table__, rows)


def _update_results(plan: ResultsPlan, tracker: _Tracker) -> None:
    rows = [{"rid": u["id"], "raw": u["raw_score"], "score": u["ability_score"],
             "lvl": u["level"], "dev": u["deviating"]} for u in plan.updates]  # fmt: skip
    if rows and _postgres():
        # COPY the new values into a temporary table, then one UPDATE … FROM it.
        db.session.execute(text(
            "CREATE TEMPORARY TABLE results_import_update (rid integer, raw smallint, "
            "score double precision, lvl varchar(3), dev boolean) ON COMMIT DROP"))  # fmt: skip
        _copy("results_import_update", ("rid", "raw", "score", "lvl", "dev"),
              ((r["rid"], r["raw"], r["score"], r["lvl"], r["dev"]) for r in rows))  # fmt: skip
        db.session.execute(text(
            "UPDATE result SET raw_score = u.raw, ability_score = u.score, level = u.lvl, "
            "deviating = u.dev FROM results_import_update AS u WHERE result.id = u.rid"
        ))  # fmt: skip
        db.session.execute(text("DROP TABLE results_import_update"))
        tracker.done += len(rows)
        if tracker.report:
            tracker.report(min(tracker.done, tracker.total), tracker.total, "results")
        return
    table = Result.__table__
    statement = (
        update(table)
        .where(table.c.id == bindparam("rid"))
        .values(raw_score=bindparam("raw"), ability_score=bindparam("score"),
                level=bindparam("lvl"), deviating=bindparam("dev"))
    )  # fmt: skip
    tracker.run("results", statement, rows)


def _audit(plan: ResultsPlan, actor: Actor | None, source: str) -> AuditEvent:
    """One event per import: counts only, never a name or a key."""
    detail: dict[str, Any] = {"source": source, "counts": plan.counts,
                              "school_years": sorted(plan.years)}  # fmt: skip
    if actor is None:
        return record_event("results_imported", "school", plan.school_id,
                            school_id=plan.school_id, **detail)  # fmt: skip
    event = AuditEvent(
        school_id=plan.school_id, actor_staff_id=actor.staff_id, actor_label=actor.label,
        action="results_imported", object_type="school", object_id=plan.school_id,
        detail=detail,
    )  # fmt: skip
    db.session.add(event)
    db.session.flush()
    return event


def _changes_audited(plan: ResultsPlan, event: AuditEvent) -> None:
    """Every corrected score: one ``result_changed`` row (old → new), as the same actor."""
    rows = [
        {"school_id": plan.school_id, "actor_staff_id": event.actor_staff_id,
         "actor_label": event.actor_label, "action": "result_changed", "object_type": "result",
         "object_id": u["id"], "pupil_id": u["pupil_id"],
         "detail": {"pupil_id": u["pupil_id"], "import_event": event.id, "old": u["old"],
                    "new": {"raw": u["raw_score"], "score": u["ability_score"],
                            "level": u["level"], "deviating": u["deviating"]}}}
        for u in plan.updates
    ]  # fmt: skip
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(AuditEvent.__table__), rows[start : start + BATCH])


def _notes(plan: ResultsPlan, groups, admins) -> None:
    """Notes on deviating administrations (an overstap carries them): one row per new result
    with a note, in the scoring's table (owned by ``instructions``; reached by name so the
    core does not import it)."""
    table = Base.metadata.tables.get("pupil_administration")
    rows = []
    for row in plan.inserts:
        if row.get("note") and table is not None:
            group_id = _group_id(row["group"], groups)
            rows.append({
                "administration_id": admins[(group_id, row["test_id"], row["school_year"])],
                "pupil_id": row["pupil_id"], "absent": False, "deviating": True,
                "note": str(row["note"])[:200],
            })  # fmt: skip
    if rows:
        db.session.execute(insert(table), rows)
