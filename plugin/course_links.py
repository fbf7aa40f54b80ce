"""Course links: which school group a platform course stands for, as an IB decided.

A course owner names the course and decides who is in it, so neither links anything by itself.
A launch from a course nobody decided on yet is a *request* (:mod:`plugin.course_requests`: a
request row for the IB and one audit row with ids only). An IB links the course to a group of
the school (or to a new group the IB names) or refuses it; only then is a
:class:`PlatformContext` row written, and the request goes.

Teacher links that a course brings (the IB's approval for the requesting teachers, the
instructors on the course's roster) remember the course (``via_context_id``): re-linking or
refusing the course takes them away again. Every decision is audited and raises the session
version of everyone whose access changed. Its audit row holds ids only (the course link, the
groups, the request it settled): a course's title and label are typed in the platform and often
name a teacher ("Groep 7 juf Demi"), so the log looks them up when it is shown.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import gettext as _
from sqlalchemy import delete, select

from plugin import course_requests
from plugin.access import AccessError, bump_session
from plugin.audit import record_event
from plugin.extensions import db
from plugin.models import (
    Group,
    PlatformContext,
    StaffMember,
    TeacherGroup,
    TeacherSource,
)


def school_group(school_id: int, raw_id: str | None) -> Group:
    """A group of this school chosen in a form (Dutch error for anything else)."""
    group_id = int(raw_id) if (raw_id or "").isdigit() else -1
    group = db.session.scalars(
        select(Group).where(Group.id == group_id, Group.school_id == school_id)
    ).one_or_none()
    if group is None:
        raise AccessError(_("Choose one of the school's groups."))
    return group


def new_group(school_id: int, year: int, name: str | None, raw_leerjaar: str | None) -> Group:
    """A group the IB names (for a school without an import): never one a course invented."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise AccessError(_("Give the new group a name of at most 100 characters."))
    leerjaar = int(raw_leerjaar) if (raw_leerjaar or "").isdigit() else 0
    if not 1 <= leerjaar <= 8:
        raise AccessError(_("Choose the leerjaar (1 to 8) of the new group."))
    taken = db.session.scalars(
        select(Group.id).where(
            Group.school_id == school_id, Group.school_year == year, Group.name == name
        )
    ).first()  # fmt: skip
    if taken is not None:
        raise AccessError(_("The school already has a group %(name)s this school year; choose "
                            "it from the list.", name=name))  # fmt: skip
    group = Group(school_id=school_id, name=name, school_year=year, leerjaar=leerjaar)
    db.session.add(group)
    db.session.flush()
    record_event("group_created", "group", group.id, school_id=school_id, leerjaar=leerjaar)
    return group


def approve_pending(school_id: int, request_id: int, group: Group, by_staff_id: int | None):
    """Link a requested course to ``group``; the teachers who asked may see the group."""
    request = course_requests.pending_request(school_id, request_id)
    requesters = course_requests.requesting_staff(request)
    context = _decide(request, requested_by_staff_id=requesters[0].id if requesters else None)
    return _link(context, group, by_staff_id, requesters, request=request_id)


def refuse_pending(school_id: int, request_id: int) -> PlatformContext:
    """Refuse a requested course: its launches show no group until an IB links it after all."""
    request = course_requests.pending_request(school_id, request_id)
    context = _decide(request, refused_at=datetime.now(UTC))
    record_event("course_link_refused", "platform_context", context.id, school_id=school_id,
                 request=request_id)  # fmt: skip
    return context


def _decide(request, **values) -> PlatformContext:
    """The course-link row for a request; the request (and who asked) goes."""
    context = PlatformContext(
        school_id=request.school_id, issuer=request.issuer, context_id=request.context_id,
        label=request.label, title=request.title, **values,
    )  # fmt: skip
    db.session.add(context)
    db.session.flush()
    course_requests.settle(request.school_id, request.issuer, request.context_id)
    return context


def decided_courses(school_id: int) -> list[PlatformContext]:
    return list(
        db.session.scalars(
            select(PlatformContext)
            .where(PlatformContext.school_id == school_id)
            .order_by(PlatformContext.title, PlatformContext.id)
        )
    )


def decided_course(school_id: int, context_id: int) -> PlatformContext:
    context = db.session.scalars(
        select(PlatformContext).where(
            PlatformContext.id == context_id, PlatformContext.school_id == school_id
        )
    ).one_or_none()
    if context is None:
        raise LookupError(context_id)
    return context


def relink(context: PlatformContext, group: Group, by_staff_id: int | None) -> PlatformContext:
    """Link a decided course (linked elsewhere, or refused) to ``group``."""
    if context.group_id == group.id:
        return context
    _drop_course_teachers(context)
    course_requests.forget_unmatched(context.id)  # that roster was matched to the old group
    requester = (
        db.session.get(StaffMember, context.requested_by_staff_id)
        if context.requested_by_staff_id
        else None
    )
    return _link(context, group, by_staff_id, [requester] if requester else [])


def unlink(context: PlatformContext) -> PlatformContext:
    """Take a course's link away (a refusal from now on), with the teacher links it brought."""
    if context.group_id is None:
        return context
    _drop_course_teachers(context)
    course_requests.forget_unmatched(context.id)
    record_event("course_link_refused", "platform_context", context.id,
                 school_id=context.school_id, old=context.group_id)  # fmt: skip
    context.group_id, context.refused_at = None, datetime.now(UTC)
    db.session.flush()
    return context


def link_by_import(context: PlatformContext, group: Group, staff: StaffMember) -> None:
    """A launch by a teacher the import links to the group the course names: the school's own
    data already decided, so the course is linked (it widens nothing)."""
    context.group_id, context.approved_at = group.id, datetime.now(UTC)
    context.requested_by_staff_id = staff.id
    db.session.flush()
    course_requests.settle(context.school_id, context.issuer, context.context_id)
    record_event("course_linked_by_import", "platform_context", context.id,
                 school_id=context.school_id, group=group.id, teacher=staff.id)  # fmt: skip


def _link(
    context, group, by_staff_id, teachers: list[StaffMember], request: int | None = None
) -> PlatformContext:
    if group.school_id != context.school_id:
        raise AccessError(_("Choose one of the school's groups."))
    old = context.group_id
    context.group_id, context.refused_at = group.id, None
    context.approved_at, context.approved_by_staff_id = datetime.now(UTC), by_staff_id
    for staff in teachers:
        give_course_teacher(context, staff, TeacherSource.APPROVED)
    db.session.flush()
    detail = {"old": old, "new": group.id, "teachers": [staff.id for staff in teachers]}
    if request is not None:  # the course request this decision settled
        detail["request"] = request
    record_event("course_link_approved", "platform_context", context.id,
                 school_id=context.school_id, **detail)  # fmt: skip
    return context


def give_course_teacher(
    context: PlatformContext, staff: StaffMember, source: TeacherSource
) -> bool:
    """Let ``staff`` see the course's group because of this course; False if they already do."""
    if context.group_id is None or staff.school_id != context.school_id:
        return False
    if db.session.get(TeacherGroup, (staff.id, context.group_id)) is not None:
        return False
    db.session.add(TeacherGroup(staff_id=staff.id, group_id=context.group_id,
                                school_id=context.school_id, source=source.value,
                                via_context_id=context.id))  # fmt: skip
    bump_session(staff)
    db.session.flush()
    return True


def _drop_course_teachers(context: PlatformContext) -> None:
    staff_ids = list(
        db.session.scalars(
            select(TeacherGroup.staff_id).where(TeacherGroup.via_context_id == context.id)
        )
    )
    if not staff_ids:
        return
    db.session.execute(delete(TeacherGroup).where(TeacherGroup.via_context_id == context.id))
    for staff in db.session.scalars(select(StaffMember).where(StaffMember.id.in_(staff_ids))):
        bump_session(staff)
    db.session.flush()
