"""Dashboard queries: which tests each visible group has taken in the current test period.

A fixed number of queries, whatever the number of groups: the groups, the subjects, the
tests of the year's two periods, the group's administrations (with the pupils scored so far in
unfinished scorings) and the group sizes are each one select.
"""

from __future__ import annotations

import calendar
import enum
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, bindparam, distinct, exists, func, or_, select

from plugin import reference_cache
from plugin.auth import Principal, Role, visible_group_ids
from plugin.db import prepared
from plugin.extensions import db
from plugin.models import (
    Administration,
    Enrolment,
    Group,
    ItemResponse,
    Moment,
    PlatformContext,
    School,
)
from plugin.periods import current_period, school_year_of, upcoming_period
from plugin.reference_cache import SubjectInfo, TestInfo

PERIOD_MOMENTS = (Moment.M, Moment.E)


class Status(enum.StrEnum):
    DONE = "done"
    SCORING = "scoring"
    TODO = "todo"
    OVERDUE = "overdue"
    NONE = "none"
    """No test of this subject exists for the group's leerjaar at this moment."""


def period_end(school: School, school_year: int, moment: Moment) -> date:
    """Last day of the school's period for ``moment`` in ``school_year``."""
    month = school.midden_end_month if moment is Moment.M else school.eind_end_month
    year = school_year if month >= 8 else school_year + 1
    return date(year, month, calendar.monthrange(year, month)[1])


@dataclass
class Cell:
    status: Status
    tests: list[TestInfo] = field(default_factory=list)
    """The tests the group should take (one per leerjaar of a combination group)."""
    overdue: list[str] = field(default_factory=list)
    """Codes of tests of an earlier period of this school year that were never taken."""
    scored: list[tuple[str, int, int]] = field(default_factory=list)
    """While scoring: (test code, pupils with a scored item, pupils in the group)."""


@dataclass
class Overview:
    school: School
    school_year: int
    moment: Moment
    running: bool
    subjects: list[SubjectInfo]
    groups: list[Group]
    cells: dict[tuple[int, int], Cell]
    roster_failed: list[Group] = field(default_factory=list)
    """Groups whose linked course's class list could not be fetched at its last roster sync."""

    @property
    def anything_taken(self) -> bool:
        return any(c.status in (Status.DONE, Status.SCORING) for c in self.cells.values())


def overview(principal: Principal, today: date) -> Overview:
    school = db.session.get(School, principal.school_id)
    year = school_year_of(today)
    moment = upcoming_period(school, today)
    params = {"school_id": principal.school_id, "staff_id": principal.staff_id, "year": year}
    rows = db.session.execute(
        _groups_query(principal.role, principal.staff_id is not None), params
    ).all()
    groups = [group for group, _failed in rows]
    subjects = reference_cache.subjects()
    tests = reference_cache.tests(PERIOD_MOMENTS)
    taken, scored = _administrations([g.id for g in groups], year)
    sizes = _group_sizes([g.id for g in groups], year)
    cells = {}
    for group in groups:
        for subject in subjects:
            cell = _cell(school, year, today, moment, group, subject, tests, taken)
            if cell.status is Status.SCORING:
                cell.scored = [
                    (t.moment_code, scored.get((group.id, t.id), 0), _size(sizes, group, t))
                    for t in cell.tests if (group.id, t.id) in taken
                ]  # fmt: skip
            cells[(group.id, subject.id)] = cell
    failed = [group for group, roster_failed in rows if roster_failed]
    return Overview(school, year, moment, current_period(school, today) is not None,
                    subjects, groups, cells, failed)  # fmt: skip


@prepared
def _groups_query(role: Role, has_staff: bool):
    """The groups of this school year the principal may see, by :func:`visible_group_ids`
    itself (built once per role, the principal's ids as parameters)."""
    shape = Principal(role=role, school_id=bindparam("school_id"), display_name="",
                      staff_id=bindparam("staff_id") if has_staff else None)  # fmt: skip
    return (
        select(Group, _roster_failed())
        .where(Group.id.in_(visible_group_ids(shape)), Group.school_year == bindparam("year"))
        .order_by(Group.leerjaar, Group.name)
    )


def _roster_failed():
    """Whether a course linked to the group failed its last roster sync (a column of the
    groups' own select: the landing page costs no extra query)."""
    return (
        exists()
        .where(
            PlatformContext.group_id == Group.id,
            PlatformContext.roster_failed_at.is_not(None),
            or_(PlatformContext.roster_synced_at.is_(None),
                PlatformContext.roster_synced_at < PlatformContext.roster_failed_at),
        )
        .label("roster_failed")
    )  # fmt: skip


def _administrations(
    group_ids: list[int], year: int
) -> tuple[dict[tuple[int, int], bool], dict[tuple[int, int], int]]:
    """(group id, test id) → finished? for the school year's administrations, and for the
    unfinished ones the pupils with at least one scored item (one query)."""
    if not group_ids:
        return {}, {}
    rows = db.session.execute(_administrations_query(), {"group_ids": group_ids, "year": year})
    taken, counts = {}, {}
    for r in rows:
        taken[(r.group_id, r.test_id)] = r.completed_at is not None
        if r.completed_at is None and r.scored:
            counts[(r.group_id, r.test_id)] = int(r.scored)
    return taken, counts


@prepared
def _administrations_query():
    scored = and_(
        ItemResponse.administration_id == Administration.id,
        Administration.completed_at.is_(None),
        ItemResponse.correct.is_not(None),
    )
    return (
        select(
            Administration.group_id, Administration.test_id, Administration.completed_at,
            func.count(distinct(ItemResponse.pupil_id)).label("scored"),
        )
        .outerjoin(ItemResponse, scored)
        .where(Administration.group_id.in_(bindparam("group_ids", expanding=True)),
               Administration.school_year == bindparam("year"))
        .group_by(
            Administration.id, Administration.group_id, Administration.test_id,
            Administration.completed_at,
        )
    )  # fmt: skip


@prepared
def _group_sizes_query():
    return (
        select(Enrolment.group_id, Enrolment.leerjaar, func.count())
        .where(Enrolment.group_id.in_(bindparam("group_ids", expanding=True)),
               Enrolment.school_year == bindparam("year"))
        .group_by(Enrolment.group_id, Enrolment.leerjaar)
    )  # fmt: skip


def _group_sizes(group_ids: list[int], year: int) -> dict[tuple[int, int], int]:
    """(group id, leerjaar) → pupils enrolled this school year."""
    if not group_ids:
        return {}
    rows = db.session.execute(_group_sizes_query(), {"group_ids": group_ids, "year": year})
    return {(group_id, leerjaar): int(n) for group_id, leerjaar, n in rows}


def _size(sizes: dict[tuple[int, int], int], group: Group, test: TestInfo) -> int:
    """The pupils a test is for: its leerjaar's in a combination group, else the whole group."""
    if group.leerjaar_high:
        return sizes.get((group.id, test.level), 0)
    return sum(n for (group_id, _lj), n in sizes.items() if group_id == group.id)


def _expected(
    group: Group, subject: SubjectInfo, moment: Moment, tests: list[TestInfo]
) -> list[TestInfo]:
    levels = range(group.leerjaar, (group.leerjaar_high or group.leerjaar) + 1)
    return [
        t for t in tests if t.subject_id == subject.id and t.moment is moment and t.level in levels
    ]


def _status(group: Group, expected: list[TestInfo], taken, ended: bool) -> Status:
    if not expected:
        return Status.NONE
    states = [taken[(group.id, t.id)] for t in expected if (group.id, t.id) in taken]
    if states and all(states):
        return Status.DONE
    if states:
        return Status.SCORING
    return Status.OVERDUE if ended else Status.TODO


def _cell(school, year, today, moment, group, subject, tests, taken) -> Cell:
    expected = _expected(group, subject, moment, tests)
    ended = today > period_end(school, year, moment)
    cell = Cell(_status(group, expected, taken, ended), expected)
    for other in PERIOD_MOMENTS:
        if other is moment or today <= period_end(school, year, other):
            continue
        missed = _expected(group, subject, other, tests)
        if _status(group, missed, taken, True) is Status.OVERDUE:
            cell.overdue += [t.moment_code for t in missed]
    return cell
