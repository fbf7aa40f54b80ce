"""Carrying out an :class:`~plugin.imports.plan.ImportPlan`: bulk writes, one transaction.

Every write is an executemany of the plan's rows (inserts, updates by primary key, deletes),
never a query per pupil; new rows' ids are read back once per table by key. The caller owns
the transaction: the command line commits after this returns, a request through the unit of
work, a job through the job runner; any error rolls everything back, so a school never has
half an import. Names that two groups trade within one import go through a temporary name,
and an ECK iD that moves to another record is released first, so no unique constraint trips
halfway.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, bindparam, delete, insert, select, text, update

from plugin.audit import record_event
from plugin.extensions import db
from plugin.imports.plan import ImportPlan
from plugin.models import (
    AuditEvent,
    Enrolment,
    Group,
    GroupMember,
    Pupil,
    School,
    StaffMember,
    StaffRole,
    TeacherGroup,
    TeacherSource,
)

Progress = Callable[[int, int, str], None]
BATCH = 1000


@dataclass(frozen=True)
class Actor:
    """Who applied the import, for the audit log when there is no request (a job)."""

    staff_id: int | None
    label: str


class _Tracker:
    def __init__(self, total: int, report: Progress | None) -> None:
        self.done, self.total, self.report = 0, max(total, 1), report

    def run(self, phase: str, statement, rows: list[dict[str, Any]]) -> None:
        """Execute ``statement`` for ``rows`` in batches, reporting progress after each."""
        for start in range(0, len(rows), BATCH):
            batch = rows[start : start + BATCH]
            db.session.execute(statement, batch)
            self.done += len(batch)
            if self.report:
                self.report(min(self.done, self.total), self.total, phase)


def apply_import(
    plan: ImportPlan, *, progress: Progress | None = None, actor: Actor | None = None
) -> AuditEvent:
    """Write ``plan``; flushes, never commits. Returns the import's audit event."""
    tracker = _Tracker(plan.total_rows, progress)
    school_id, year = plan.school_id, plan.school_year
    _groups(plan, tracker)
    groups = _ids(Group, school_id, Group.school_year == year)
    _pupils(plan, tracker)
    pupils = _ids(Pupil, school_id)
    _analyze_after(len(plan.group_inserts) + len(plan.pupil_inserts), "school_group", "pupil")
    _enrolments(plan, tracker, groups, pupils)
    # The report pages look pupils up by school and year: plan them on the new rows at once.
    _analyze_after(len(plan.enrol_inserts) + len(plan.member_inserts), "enrolment", "group_member")
    _staff(plan, tracker)
    staff = _ids(StaffMember, school_id)
    _analyze_after(len(plan.staff_inserts), "staff_member")
    _links(plan, tracker, groups, staff)
    school = db.session.get(School, school_id)
    school.structure_imported_at = datetime.now(UTC)
    if plan.set_brin:
        school.brin = plan.brin
    db.session.flush()
    event = _audit(plan, actor)
    db.session.expire_all()  # the bulk writes bypassed the identity map
    return event


ANALYZE_AFTER_ROWS = 100


def _analyze_after(inserted: int, *tables: str) -> None:
    """PostgreSQL: refresh the planner's statistics of tables that just grew a lot.

    The foreign-key checks of the next inserts (enrolments → pupils) are planned from the
    statistics; on a table that was empty they pick a scan over every pupil of the school
    per row (measured: 23 s instead of 1 s for a first import of 10,000 pupils). ANALYZE may
    run inside the transaction and sees its own rows; without the right to, PostgreSQL only
    warns.
    """
    if inserted < ANALYZE_AFTER_ROWS or db.session.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        db.session.execute(text(f"ANALYZE {table}"))  # a fixed table name, no user input


def _ids(model, school_id: int, *conditions) -> dict[str, int]:
    """Key → id of the school's keyed rows (one query, after the inserts)."""
    rows = db.session.execute(
        select(model.key, model.id).where(
            model.school_id == school_id, model.key.is_not(None), *conditions
        )
    )
    return dict(rows.all())


def _with(rows: Iterable[dict[str, Any]], **extra: Any) -> list[dict[str, Any]]:
    return [{**row, **extra} for row in rows]


def _groups(plan: ImportPlan, tracker: _Tracker) -> None:
    renamed = [{"id": g["id"], "name": f"~import {g['id']}"} for g in plan.group_updates
               if "name" in g]  # fmt: skip
    tracker.run("groups", update(Group), plan.group_asides + renamed)
    tracker.run("groups", update(Group), plan.group_updates)
    rows = _with(plan.group_inserts, school_id=plan.school_id, school_year=plan.school_year)
    tracker.run("groups", insert(Group.__table__), rows)


def _pupils(plan: ImportPlan, tracker: _Tracker) -> None:
    released = [{"id": pupil_id, "eckid": None} for pupil_id in plan.pupil_eckid_releases]
    tracker.run("pupils", update(Pupil), released)
    tracker.run("pupils", update(Pupil), plan.pupil_updates)
    leavers = [{"id": pupil_id, "left_on": plan.today} for pupil_id in plan.leavers]
    tracker.run("pupils", update(Pupil), leavers)
    tracker.run(
        "pupils", insert(Pupil.__table__), _with(plan.pupil_inserts, school_id=plan.school_id)
    )


def _enrolments(plan: ImportPlan, tracker: _Tracker, groups, pupils) -> None:
    moved = [{"id": enrolment_id, "group_id": groups[group], "leerjaar": leerjaar}
             for enrolment_id, group, leerjaar in plan.enrol_updates]  # fmt: skip
    tracker.run("enrolments", update(Enrolment), moved)
    new = [{"school_id": plan.school_id, "pupil_id": pupils[pupil], "group_id": groups[group],
            "school_year": plan.school_year, "leerjaar": leerjaar}
           for pupil, group, leerjaar in plan.enrol_inserts]  # fmt: skip
    tracker.run("enrolments", insert(Enrolment.__table__), new)
    table = GroupMember.__table__
    gone = [{"g": group_id, "p": pupil_id} for group_id, pupil_id in plan.member_deletes]
    tracker.run("enrolments", delete(table).where(
        and_(table.c.group_id == bindparam("g"), table.c.pupil_id == bindparam("p"))
    ), gone)  # fmt: skip
    members = [{"group_id": groups[group], "pupil_id": pupils[pupil], "school_id": plan.school_id}
               for group, pupil in plan.member_inserts]  # fmt: skip
    tracker.run("enrolments", insert(table), members)


def _staff(plan: ImportPlan, tracker: _Tracker) -> None:
    released = [{"id": staff_id, "eckid": None} for staff_id in plan.staff_eckid_releases]
    tracker.run("teachers", update(StaffMember), released)
    tracker.run("teachers", update(StaffMember), plan.staff_updates)
    rows = _with(plan.staff_inserts, school_id=plan.school_id, role=StaffRole.LEERKRACHT)
    tracker.run("teachers", insert(StaffMember.__table__), rows)


def _links(plan: ImportPlan, tracker: _Tracker, groups, staff) -> None:
    table = TeacherGroup.__table__
    gone = [{"s": staff_id, "g": group_id} for staff_id, group_id in plan.link_deletes]
    tracker.run("teachers", delete(table).where(
        and_(table.c.staff_id == bindparam("s"), table.c.group_id == bindparam("g"),
             table.c.source == TeacherSource.IMPORT.value)
    ), gone)  # fmt: skip
    new = [{"staff_id": staff[s], "group_id": groups[g], "school_id": plan.school_id,
            "source": TeacherSource.IMPORT.value} for s, g in plan.link_inserts]  # fmt: skip
    tracker.run("teachers", insert(table), new)
    bumped = sorted(plan.bump_staff)
    for start in range(0, len(bumped), BATCH):
        db.session.execute(
            update(StaffMember)
            .where(StaffMember.id.in_(bumped[start : start + BATCH]))
            .values(session_version=StaffMember.session_version + 1)
        )


def _audit(plan: ImportPlan, actor: Actor | None) -> AuditEvent:
    """One event per import: counts, school year and version; never a name."""
    detail = {"school_year": plan.school_year, "version": plan.version,
              "counts": {kind: n for kind, n in sorted(plan.counts.items()) if n}}  # fmt: skip
    if actor is None:
        return record_event("structure_imported", "school", plan.school_id,
                            school_id=plan.school_id, **detail)  # fmt: skip
    event = AuditEvent(
        school_id=plan.school_id, actor_staff_id=actor.staff_id, actor_label=actor.label,
        action="structure_imported", object_type="school", object_id=plan.school_id,
        detail=detail,
    )  # fmt: skip
    db.session.add(event)
    db.session.flush()
    return event
