"""From a valid launch to what the school decided: who launched, which group the course stands
for, and what the launch may do.

The school decides, never the course: a course's name, its custom parameters and its
membership are typed by the course owner. So a launch

- recognises the person (:mod:`lti.identity`); IB is the platform's institution role or the
  school's IB list, and the launch never writes the list;
- finds the course's link (:class:`PlatformContext`); a course nobody decided on yet is
  *pending*. It is linked at launch only when the school's import already links the launching
  teacher to the current-year group the course names (that widens nothing); otherwise the
  launch is recorded as a request for an IB (:mod:`plugin.course_requests`) and writes nothing
  else;
- lets an instructor of a linked course see its group (a ``roster`` teacher link that
  remembers the course), as the course's roster would.

Outcomes (:class:`Outcome`): LINKED and NO_COURSE land on the tool; PENDING and REFUSED show a
Dutch page saying what waits for whom; NO_ACCESS when the person may see nothing at all. A
launch that lets nobody in (:attr:`Admission.principal` None, or a person without any access)
writes exactly one audit row (ids only) and nothing else, apart from the request it leaves for
the IB when the course is pending.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import bindparam, func, select

from lti import identity
from lti.context import LaunchContext
from plugin import course_links, course_requests
from plugin.auth import Principal, Role, staff_principal, staff_role
from plugin.db import prepared
from plugin.extensions import db
from plugin.models import (
    Enrolment,
    Group,
    PlatformContext,
    Pupil,
    School,
    StaffMember,
    StaffRole,
    TeacherGroup,
    TeacherSource,
)
from plugin.periods import school_year_of

OtherSchool = identity.OtherSchool


class Outcome(enum.StrEnum):
    LINKED = "linked"
    NO_COURSE = "no_course"
    PENDING = "pending"
    REFUSED = "refused"
    NO_ACCESS = "no_access"


@dataclass(frozen=True)
class Admission:
    outcome: Outcome
    principal: Principal | None
    """Signed in when set: also for a pending course, where the person keeps their own access."""
    audit_action: str
    audit_detail: dict = field(default_factory=dict)
    course: PlatformContext | None = None
    group: Group | None = None
    """The linked course's group when it is of the current school year (roster sync)."""
    course_name: str | None = None
    """The course's title (or label, or id) for the page of a launch that opens nothing."""

    @property
    def lands(self) -> bool:
        return self.principal is not None and self.outcome in (Outcome.LINKED, Outcome.NO_COURSE)


def _normal(name: str | None) -> str:
    return re.sub(r"\s+", " ", (name or "")).strip().lower()


def _course(ctx: LaunchContext, staff_id: int | None = None) -> tuple | None:
    """The course's row: the course, its group and (for ``staff_id``) the person's link to
    that group, in one query. The caller keeps the row while it works: that keeps the group
    and the link in the session (its identity map holds objects weakly), so later lookups of
    them ask the database nothing."""
    if not ctx.context_id:
        return None
    params = {"iss": ctx.issuer, "context": ctx.context_id, "staff": staff_id}
    return db.session.execute(_course_query(staff_id is not None), params).first()


@prepared
def _course_query(with_link: bool):
    query = (
        select(PlatformContext, Group)
        .outerjoin(Group, Group.id == PlatformContext.group_id)
        .where(PlatformContext.issuer == bindparam("iss"),
               PlatformContext.context_id == bindparam("context"))
    )  # fmt: skip
    if with_link:
        query = query.add_columns(TeacherGroup).outerjoin(
            TeacherGroup,
            (TeacherGroup.group_id == PlatformContext.group_id)
            & (TeacherGroup.staff_id == bindparam("staff")),
        )
    return query


LAUNCH_STAMP = timedelta(hours=1)
"""``last_launch_at`` is kept to the hour: most launches write nothing to the course."""


def _stamp_launch(course: PlatformContext, now: datetime) -> None:
    last = course.last_launch_at
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=UTC)  # SQLite gives naive UTC back
    if last is None or now - last >= LAUNCH_STAMP:
        course.last_launch_at = now


def _current_group(course: PlatformContext | None, year: int) -> Group | None:
    if course is None or course.group_id is None:
        return None
    group = db.session.get(Group, course.group_id)
    return group if group is not None and group.school_year == year else None


def _group_the_import_gives(staff: StaffMember, ctx: LaunchContext, year: int) -> Group | None:
    """The one current-year group the course names that the import says ``staff`` teaches."""
    wanted = {_normal(ctx.context_label), _normal(ctx.context_title)} - {""}
    if not wanted:
        return None
    groups = db.session.scalars(
        select(Group)
        .join(TeacherGroup, TeacherGroup.group_id == Group.id)
        .where(
            TeacherGroup.staff_id == staff.id, TeacherGroup.source == TeacherSource.IMPORT.value,
            Group.school_year == year, func.lower(Group.name).in_(wanted),
        )
        .limit(2)
    ).all()  # fmt: skip
    return groups[0] if len(groups) == 1 else None


def _has_groups(staff: StaffMember | None) -> bool:
    if staff is None or staff.id is None:
        return False
    found = db.session.scalars(
        select(TeacherGroup.group_id).where(TeacherGroup.staff_id == staff.id).limit(1)
    ).first()
    return found is not None


def admit(school: School, ctx: LaunchContext, role: Role, today: date) -> Admission:
    """What this launch means for the school (``role`` as the platform's roles map it)."""
    if role is Role.LEERLING:
        return _admit_pupil(school, ctx, today)
    return _admit_staff(school, ctx, role is Role.IB, today)


def _admit_staff(school: School, ctx: LaunchContext, ib_by_platform: bool, today) -> Admission:
    match = identity.match_staff(school.id, ctx.issuer, ctx.user_sub, ctx.user_eckid,
                                 ctx.user_email)  # fmt: skip
    known = match.staff
    people = [person for person in (known, match.adopt_from) if person is not None]
    role = staff_role(any(p.role is StaffRole.IB for p in people), ib_by_platform)
    year = school_year_of(today)
    row = _course(ctx, known.id if known is not None else None)
    course = row[0] if row is not None else None
    by_import = None
    if ctx.context_id and course is None and known is not None:
        by_import = _group_the_import_gives(known, ctx, year)
    outcome = _outcome(school, ctx, course, by_import)
    may_enter = role is Role.IB or outcome is Outcome.LINKED or any(_has_groups(p) for p in people)
    if not may_enter:
        principal = _principal(school, known, role, ib_by_platform) if known else None
        return _not_admitted(school, ctx, outcome, principal, known)
    staff = identity.apply_match(match, school.id, ctx.issuer, ctx.user_sub, ctx.user_name,
                                 ctx.user_email)  # fmt: skip
    principal = _principal(school, staff, role, ib_by_platform)
    if outcome in (Outcome.PENDING, Outcome.REFUSED):
        return _not_admitted(school, ctx, outcome, principal, staff)
    if by_import is not None:
        course = PlatformContext(
            school_id=school.id,
            issuer=ctx.issuer,
            context_id=ctx.context_id,
            label=ctx.context_label,
            title=ctx.context_title,
            last_launch_at=datetime.now(UTC),
        )  # label, title and stamp in its one INSERT (no UPDATE after it)
        db.session.add(course)
        course_links.link_by_import(course, by_import, staff)
    if course is not None:
        course.label, course.title = ctx.context_label, ctx.context_title  # written if changed
        _stamp_launch(course, datetime.now(UTC))
        if role is Role.LEERKRACHT:
            course_links.give_course_teacher(course, staff, TeacherSource.ROSTER)
            principal = _principal(school, staff, role, ib_by_platform)  # the version moved
        db.session.flush()
    return Admission(outcome, principal, "launch", _launch_detail(ctx, role), course,
                     _current_group(course, year))  # fmt: skip


def _outcome(school, ctx, course, by_import) -> Outcome:
    if not ctx.context_id:
        return Outcome.NO_COURSE
    if course is not None and course.school_id != school.id:
        return Outcome.REFUSED  # a course of another school's deployment: never cross
    if course is not None:
        return Outcome.LINKED if course.group_id is not None else Outcome.REFUSED
    return Outcome.LINKED if by_import is not None else Outcome.PENDING


def _not_admitted(school: School, ctx, outcome: Outcome, principal, staff) -> Admission:
    """The one audit row of a launch that opens nothing: a request, or a refusal. The row holds
    ids only; a request's course and who asked are kept for the IB in a :class:`CourseRequest`
    until the course is decided."""
    staff_id = staff.id if staff is not None else None
    course_name = ctx.context_title or ctx.context_label or ctx.context_id
    if outcome is Outcome.PENDING:
        request = course_requests.request_course(
            school.id, ctx.issuer, ctx.context_id or "", ctx.context_label, ctx.context_title,
            ctx.user_sub, ctx.user_name, ctx.user_email, staff_id,
        )  # fmt: skip
        detail = {"request": request.id, "staff_id": staff_id}
        return Admission(outcome, principal, course_requests.REQUESTED, detail,
                         course_name=course_name)  # fmt: skip
    if outcome is not Outcome.REFUSED:
        outcome = Outcome.NO_ACCESS
    reason = "course_refused" if outcome is Outcome.REFUSED else "no_access"
    detail = {"reason": reason, "staff_id": staff_id}
    return Admission(outcome, principal, "launch_refused", detail, course_name=course_name)


def _principal(school: School, staff: StaffMember, role: Role, ib_by_platform: bool) -> Principal:
    # ``role`` may already count an adopted row's IB place (see _admit_staff).
    return replace(staff_principal(school, staff, ib_by_platform), role=role)


def _launch_detail(ctx: LaunchContext, role: Role) -> dict:
    return {"issuer": ctx.issuer, "context": ctx.context_id, "role": role.value}


def _admit_pupil(school: School, ctx: LaunchContext, today: date) -> Admission:
    """A pupil sees no results; the launch only recognises them (by account or ECK iD) and, in
    a linked course of a group without an import, enrols them as the roster would."""
    row = _course(ctx)
    course = row[0] if row is not None else None
    if course is not None and course.school_id != school.id:
        course = None
    group = _current_group(course, school_year_of(today))
    pupil = db.session.scalars(
        select(Pupil).where(Pupil.school_id == school.id, Pupil.lti_subject == ctx.user_sub)
    ).first()
    if pupil is None and ctx.user_eckid:
        pupil = db.session.scalars(
            select(Pupil).where(Pupil.school_id == school.id, Pupil.eckid == ctx.user_eckid,
                                Pupil.lti_subject.is_(None))
        ).first()  # fmt: skip
        if pupil is not None:
            pupil.lti_subject = ctx.user_sub
    if pupil is None and group is not None and not group.is_managed_by_import:
        pupil = Pupil(school_id=school.id, lti_subject=ctx.user_sub,
                      display_name=(ctx.user_name or "Leerling")[:255])  # fmt: skip
        db.session.add(pupil)
        db.session.flush()
        enrol_once(pupil, group)
    db.session.flush()
    principal = Principal(role=Role.LEERLING, school_id=school.id,
                          display_name=pupil.display_name if pupil else ctx.user_name or "",
                          pupil_id=pupil.id if pupil else None,
                          synthetic=school.is_synthetic)  # fmt: skip
    return Admission(Outcome.LINKED if group else Outcome.NO_COURSE, principal, "launch",
                     _launch_detail(ctx, Role.LEERLING), course, group)  # fmt: skip


def enrol_once(pupil: Pupil, group: Group) -> bool:
    """Enrol ``pupil`` in ``group`` unless they already have a group that school year."""
    enrolled = db.session.scalars(
        select(Enrolment.id).where(
            Enrolment.pupil_id == pupil.id, Enrolment.school_year == group.school_year
        )
    ).first()
    if enrolled is not None:
        return False
    db.session.add(Enrolment(school_id=group.school_id, pupil_id=pupil.id, group_id=group.id,
                             school_year=group.school_year, leerjaar=group.leerjaar))  # fmt: skip
    db.session.flush()
    return True
