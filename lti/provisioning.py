"""From a valid launch to a signed-in user: the group, the staff member or pupil, the links.

Group rule: a context links to the school's group *of the current school year* whose name equals
the context's label or title (case and spaces ignored), so imported and demo groups connect
("Groep 5"). Otherwise a group is created, named after the label (or title); its leerjaar is
the first number 1–8 in that name ("5B" → 5, "Groep 6/7" → 6 with 7 as second leerjaar), and 1
when there is none (groep 1 takes no tests, so nothing wrong is reported; the IB re-links or
corrects it). A context already linked (by a launch or by the IB) keeps its group while that
group is of the current school year.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from sqlalchemy import func, select

from lti.context import LaunchContext
from plugin.auth import Principal, Role
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
)
from plugin.periods import school_year_of

_LEERJAAR = re.compile(r"(?<!\d)([1-8])(?:\s*/\s*([1-8]))?(?!\d)")


def _normal(name: str | None) -> str:
    return re.sub(r"\s+", " ", (name or "")).strip().lower()


def leerjaar_from_name(name: str) -> tuple[int, int | None]:
    """The leerjaar (and second leerjaar of a combination group) a group name suggests."""
    match = _LEERJAAR.search(name or "")
    if not match:
        return 1, None
    low = int(match.group(1))
    high = int(match.group(2)) if match.group(2) else None
    return low, high if high and high > low else None


def _group_by_name(school: School, ctx: LaunchContext, year: int) -> Group | None:
    wanted = {_normal(ctx.context_label), _normal(ctx.context_title)} - {""}
    if not wanted:
        return None
    groups = db.session.scalars(
        select(Group).where(
            Group.school_id == school.id,
            Group.school_year == year,
            func.lower(Group.name).in_(wanted),
        )
    ).all()
    return groups[0] if groups else None


def _create_group(school: School, ctx: LaunchContext, year: int) -> Group:
    name = (ctx.context_label or ctx.context_title or ctx.context_id or "Groep")[:100]
    low, high = leerjaar_from_name(f"{ctx.context_label or ''} {ctx.context_title or ''}")
    group = Group(
        school_id=school.id, name=name, school_year=year, leerjaar=low, leerjaar_high=high
    )
    db.session.add(group)
    db.session.flush()
    return group


def resolve_group(school: School, ctx: LaunchContext, today: date) -> Group | None:
    """The group this launch's context stands for (created when needed), or None without a
    context."""
    if not ctx.context_id:
        return None
    year = school_year_of(today)
    link = db.session.scalars(
        select(PlatformContext).where(
            PlatformContext.issuer == ctx.issuer, PlatformContext.context_id == ctx.context_id
        )
    ).first()
    if link is not None and link.school_id != school.id:
        return None  # a context of another school's deployment: never cross schools
    group = db.session.get(Group, link.group_id) if link and link.group_id else None
    if group is None or group.school_year != year:
        group = _group_by_name(school, ctx, year) or _create_group(school, ctx, year)
    if link is None:
        link = PlatformContext(school_id=school.id, issuer=ctx.issuer, context_id=ctx.context_id)
        db.session.add(link)
    link.label, link.title = ctx.context_label, ctx.context_title
    link.group_id, link.last_launch_at = group.id, datetime.now(UTC)
    db.session.flush()
    return group


class OtherSchool(Exception):
    """The platform account already belongs to staff of another school."""


def _staff(school: School, ctx: LaunchContext, role: Role) -> StaffMember:
    staff = db.session.scalars(
        select(StaffMember).where(
            StaffMember.lti_issuer == ctx.issuer, StaffMember.lti_subject == ctx.user_sub
        )
    ).first()
    if staff is not None and staff.school_id != school.id:
        # One platform account is one staff record: never let it cross into a second school.
        raise OtherSchool(f"staff {staff.id} belongs to school {staff.school_id}")
    if staff is None:
        staff = StaffMember(school_id=school.id, lti_issuer=ctx.issuer, lti_subject=ctx.user_sub)
        db.session.add(staff)
    staff.display_name = ctx.user_name or staff.display_name or "Medewerker"
    staff.email = ctx.user_email or staff.email
    staff.role = StaffRole.IB if role is Role.IB else StaffRole.LEERKRACHT
    db.session.flush()
    return staff


def _link_teacher(staff: StaffMember, group: Group) -> None:
    if db.session.get(TeacherGroup, (staff.id, group.id)) is None:
        db.session.add(
            TeacherGroup(
                staff_id=staff.id, group_id=group.id, school_id=group.school_id, source="launch"
            )  # fmt: skip
        )
        db.session.flush()


def _pupil(school: School, ctx: LaunchContext, group: Group | None) -> Pupil:
    pupil = db.session.scalars(
        select(Pupil).where(Pupil.school_id == school.id, Pupil.lti_subject == ctx.user_sub)
    ).first()
    if pupil is None:
        pupil = Pupil(school_id=school.id, lti_subject=ctx.user_sub, display_name="Leerling")
        db.session.add(pupil)
    pupil.display_name = (ctx.user_name or pupil.display_name)[:120]
    pupil.left_on = None
    db.session.flush()
    if group is not None:
        enrolled = db.session.scalars(
            select(Enrolment).where(
                Enrolment.pupil_id == pupil.id, Enrolment.school_year == group.school_year
            )
        ).first()
        if enrolled is None:
            db.session.add(
                Enrolment(school_id=school.id, pupil_id=pupil.id, group_id=group.id,
                          school_year=group.school_year, leerjaar=group.leerjaar)
            )  # fmt: skip
            db.session.flush()
    return pupil


def provision(
    school: School, ctx: LaunchContext, role: Role, today: date
) -> tuple[Principal, Group | None]:
    """Create or update the user (and group links) for a launch: the principal to sign in,
    and the launch's group (None without a context)."""
    group = resolve_group(school, ctx, today)
    if role is Role.LEERLING:
        pupil = _pupil(school, ctx, group)
        principal = Principal(role=role, school_id=school.id, display_name=pupil.display_name,
                              pupil_id=pupil.id, synthetic=school.is_synthetic)  # fmt: skip
        return principal, group
    staff = _staff(school, ctx, role)
    if group is not None:
        _link_teacher(staff, group)
    principal = Principal(role=role, school_id=school.id, display_name=staff.display_name,
                          staff_id=staff.id, synthetic=school.is_synthetic)  # fmt: skip
    return principal, group
