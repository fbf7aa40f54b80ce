"""What the database holds for one school before an import: read in a handful of queries.

The plan compares an EDEXML file against this snapshot in memory, so the number of queries
does not grow with the number of pupils (a board's 10,000-pupil export reads seven result
sets, whatever its size).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, func, select

from plugin.extensions import db
from plugin.models import Enrolment, Group, GroupMember, Pupil, StaffMember, TeacherGroup


@dataclass
class Snapshot:
    groups: dict[int, Row[Any]]
    """Every group of the school in the file's school year, by id."""
    pupils: list[Row[Any]]
    enrolments: dict[int, Row[Any]]
    """The file's school year: pupil id → (id, group_id, leerjaar)."""
    members: set[tuple[int, int]]
    """(subgroup id, pupil id) of the subgroups the import manages in that year."""
    staff: list[Row[Any]]
    links: dict[tuple[int, int], str]
    """(staff id, group id) → source, for groups of that year or earlier."""
    group_names: dict[int, str]
    """Names of the groups ``links`` point at (any of those years), for the preview."""
    latest_imported_year: int | None


def take_snapshot(school_id: int, school_year: int) -> Snapshot:
    groups = db.session.execute(
        select(Group.id, Group.key, Group.name, Group.leerjaar, Group.leerjaar_high,
               Group.is_subgroup)
        .where(Group.school_id == school_id, Group.school_year == school_year)
    ).all()  # fmt: skip
    pupils = db.session.execute(
        select(Pupil.id, Pupil.key, Pupil.eckid, Pupil.first_name, Pupil.infix, Pupil.last_name,
               Pupil.display_name, Pupil.entered_on, Pupil.left_on)
        .where(Pupil.school_id == school_id)
    ).all()  # fmt: skip
    enrolments = db.session.execute(
        select(Enrolment.pupil_id, Enrolment.id, Enrolment.group_id, Enrolment.leerjaar).where(
            Enrolment.school_id == school_id, Enrolment.school_year == school_year
        )
    ).all()
    members = db.session.execute(
        select(GroupMember.group_id, GroupMember.pupil_id)
        .join(Group, Group.id == GroupMember.group_id)
        .where(Group.school_id == school_id, Group.school_year == school_year,
               Group.is_subgroup, Group.key.is_not(None))
    ).all()  # fmt: skip
    staff = db.session.execute(
        select(StaffMember.id, StaffMember.key, StaffMember.eckid, StaffMember.first_name,
               StaffMember.infix, StaffMember.last_name, StaffMember.display_name,
               StaffMember.email)
        .where(StaffMember.school_id == school_id)
    ).all()  # fmt: skip
    links = db.session.execute(
        select(TeacherGroup.staff_id, TeacherGroup.group_id, TeacherGroup.source, Group.name)
        .join(Group, Group.id == TeacherGroup.group_id)
        .where(TeacherGroup.school_id == school_id, Group.school_year <= school_year)
    ).all()  # fmt: skip
    latest = db.session.scalar(
        select(func.max(Group.school_year)).where(
            Group.school_id == school_id, Group.key.is_not(None)
        )
    )
    return Snapshot(
        groups={row.id: row for row in groups},
        pupils=list(pupils),
        enrolments={row.pupil_id: row for row in enrolments},
        members={(row.group_id, row.pupil_id) for row in members},
        staff=list(staff),
        links={(row.staff_id, row.group_id): row.source for row in links},
        group_names={row.group_id: row.name for row in links},
        latest_imported_year=latest,
    )
