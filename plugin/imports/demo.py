"""A fictitious "next export" of a demo school, so a newcomer can try the upload.

A fixed example file cannot fit a demo school: its pupils, BRIN and school year (which moves
with the date) are generated, and a file that does not list the school's pupils would mark
them all as left. So in development the upload page offers this export instead: the demo
school's structure as it is now (pupils, groups, teachers with their keys), written as EDEXML
2.1, with a few deterministic changes a real export would bring — one pupil left, one
renamed, one moved, two new, and a new reading subgroup. Only for synthetic schools.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy import select

from plugin.extensions import db
from plugin.imports.edexml_writer import write_edexml
from plugin.imports.plan import normalise_brin
from plugin.imports.records import EdexFile, EdexGroup, EdexLink, EdexPupil, EdexTeacher
from plugin.models import (
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
from plugin.periods import school_year_of

SURNAMES = dict(zip("ABCDEGHJKLMNPRSTVWZ", (
    "Aksoy", "Bakker", "Claassen", "Dekker", "Evers", "Gerritsen", "Hendriks", "Janssen",
    "Koster", "Lammers", "Mulder", "Nijhuis", "Peters", "Ramdin", "Smit", "Tromp", "Visser",
    "Willems", "Zijlstra"), strict=True))  # fmt: skip
NEWCOMERS = (("Fleur", None, "Dekker"), ("Mats", "van", "Leeuwen"))


def demo_export(school: School, today: date, changes: bool = True) -> bytes:
    """The school's structure of this school year as EDEXML, with a few changes."""
    edex = current_structure(school, school_year_of(today))
    if changes:
        edex = _with_changes(edex)
    comment = f"Fictieve voorbeeldexport van {school.name}: synthetische demogegevens"
    return write_edexml(edex, comment=comment)


def current_structure(school: School, year: int) -> EdexFile:
    groups = db.session.execute(
        select(Group).where(Group.school_id == school.id, Group.school_year == year,
                            Group.key.is_not(None)).order_by(Group.name)
    ).scalars().all()  # fmt: skip
    keys = {group.id: group.key for group in groups}
    members: dict[int, list[str]] = {}
    for group_id, pupil_id in db.session.execute(
        select(GroupMember.group_id, GroupMember.pupil_id).where(GroupMember.group_id.in_(keys))
    ):
        members.setdefault(pupil_id, []).append(keys[group_id])
    rows = db.session.execute(
        select(Pupil, Enrolment.group_id, Enrolment.leerjaar)
        .join(Enrolment, (Enrolment.pupil_id == Pupil.id) & (Enrolment.school_year == year))
        .where(Pupil.school_id == school.id, Pupil.key.is_not(None), Pupil.left_on.is_(None))
        .order_by(Pupil.key)
    ).all()  # fmt: skip
    pupils = [
        EdexPupil(p.key, p.eckid, p.first_name, p.infix, p.last_name,
                  str(leerjaar) if leerjaar else None, keys.get(group_id),
                  tuple(sorted(members.get(p.id, ()))), p.entered_on, None, 0)
        for p, group_id, leerjaar in rows
    ]  # fmt: skip
    return EdexFile("2.1", year, normalise_brin(school.brin), tuple(_group(g) for g in groups),
                    tuple(pupils), tuple(_teachers(school.id, keys)))  # fmt: skip


def _group(group: Group) -> EdexGroup:
    if group.is_subgroup:
        return EdexGroup(group.key, group.name, None, True, 0)
    code = "C" if group.leerjaar_high else str(group.leerjaar) if group.leerjaar else "N"
    return EdexGroup(group.key, group.name, code, False, 0)


def _teachers(school_id: int, group_keys: dict[int, str]) -> list[EdexTeacher]:
    links: dict[int, list[EdexLink]] = {}
    for staff_id, group_id, is_subgroup in db.session.execute(
        select(TeacherGroup.staff_id, TeacherGroup.group_id, Group.is_subgroup)
        .join(Group, Group.id == TeacherGroup.group_id)
        .where(TeacherGroup.group_id.in_(group_keys),
               TeacherGroup.source == TeacherSource.IMPORT.value)
        .order_by(Group.name)
    ):  # fmt: skip
        links.setdefault(staff_id, []).append(EdexLink(group_keys[group_id], is_subgroup, ()))
    staff = db.session.scalars(
        select(StaffMember).where(StaffMember.school_id == school_id, StaffMember.key.is_not(None))
        .order_by(StaffMember.key)
    )  # fmt: skip
    return [
        EdexTeacher(s.key, s.eckid, s.first_name, s.infix, s.last_name, s.email,
                    ("IB",) if s.role is StaffRole.IB else ("LRK",),
                    tuple(links.get(s.id, ())), 0)
        for s in staff
    ]  # fmt: skip


def _with_changes(edex: EdexFile) -> EdexFile:
    pupils = list(edex.pupils)
    groups = [group for group in edex.groups if not group.is_subgroup]
    if len(pupils) < 8 or len(groups) < 2:
        return edex
    _leaver, renamed, mover = pupils[0], pupils[1], pupils[2]
    initial = (renamed.last_name or "V")[0]
    pupils[1] = replace(renamed, last_name=SURNAMES.get(initial, "Visser"))
    target = next(g for g in groups if g.key != mover.group_key)
    pupils[2] = replace(mover, group_key=target.key, jaargroep=target.jaargroep
                        if target.jaargroep != "C" else mover.jaargroep)  # fmt: skip
    reading = EdexGroup("DEMO-LEESGROEP", "Leesgroep plus (fictief)", None, True, 0)
    for index in range(3, 7):
        pupils[index] = replace(pupils[index], subgroup_keys=(reading.key,))
    home = next((g for g in groups if g.name == "Groep 5"), groups[0])
    for number, (first, infix, last) in enumerate(NEWCOMERS, start=1):
        pupils.append(EdexPupil(f"DEMO-NIEUW-{edex.school_year}-{number}", None, first, infix,
                                last, home.jaargroep, home.key, (), None, None, 0))  # fmt: skip
    if reading.key in {group.key for group in edex.groups}:
        reading = None
    return replace(edex, pupils=tuple(pupils[1:]),
                   groups=edex.groups + ((reading,) if reading else ()))  # fmt: skip
