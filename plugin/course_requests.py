"""What Administratie → Koppelingen lists for the IB: courses waiting for a decision, and the
platform accounts the last roster sync of a linked course could not match.

A launch from a course nobody decided on yet records a :class:`CourseRequest` (the course's
issuer, id, title and label) and who asked (:class:`CourseRequester`), and writes one audit row
``course_link_requested`` that holds ids only. The request goes when the course is decided:
an IB links or refuses it, or a launch links it because the school's import says so
(:func:`settle`). A roster sync replaces the course's :class:`UnmatchedAccount` rows
(:func:`replace_unmatched`); unlinking the course removes them. Functions flush, never commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, delete, insert, select
from sqlalchemy.orm import selectinload

from plugin.extensions import db
from plugin.models import (
    CourseRequest,
    CourseRequester,
    PlatformContext,
    StaffMember,
    UnmatchedAccount,
)

REQUESTED = "course_link_requested"


@dataclass
class Requester:
    name: str
    email: str | None


@dataclass
class PendingCourse:
    """A course that launched into the school and waits for an IB's decision."""

    request_id: int
    """The handle Administratie posts back."""
    issuer: str
    context_id: str
    title: str | None
    label: str | None
    first_at: datetime
    last_at: datetime
    suggested_group_id: int | None = None
    requesters: list[Requester] = field(default_factory=list)


def _insert_new(model, values: dict, unique: list[str]) -> None:
    """INSERT … ON CONFLICT DO NOTHING: two launches from one new course at the same moment
    must not fail one of them on the unique constraint."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as upsert
    else:  # pragma: no cover - the two databases we run on
        db.session.execute(insert(model).values(**values))
        return
    db.session.execute(upsert(model).values(**values).on_conflict_do_nothing(index_elements=unique))


def request_course(
    school_id: int, issuer: str, context_id: str, label: str | None, title: str | None,
    sub: str, name: str | None, email: str | None, staff_id: int | None,
) -> CourseRequest:  # fmt: skip
    """Record that ``sub`` launched from an undecided course: one request per course, one
    requester per account; a staff member the school knows is kept as an id only."""
    now = datetime.now(UTC)
    key = {"school_id": school_id, "issuer": issuer, "context_id": context_id}
    _insert_new(CourseRequest, key | {"label": label, "title": title, "first_at": now,
                                      "last_at": now}, list(key))  # fmt: skip
    request = db.session.scalars(select(CourseRequest).filter_by(**key)).one()
    request.label, request.title, request.last_at = label, title, now
    _insert_new(
        CourseRequester,
        {"request_id": request.id, "platform_user_id": sub, "requested_at": now},
        ["request_id", "platform_user_id"],
    )
    requester = db.session.scalars(
        select(CourseRequester).filter_by(request_id=request.id, platform_user_id=sub)
    ).one()
    requester.requested_at, requester.staff_id = now, staff_id
    known = staff_id is not None
    requester.name = None if known else (name or "")[:255] or None
    requester.email = None if known else (email or "")[:254] or None
    db.session.flush()
    return request


def _undecided() -> ColumnElement[bool]:
    """True for a request whose course has no course-link row (nobody decided yet)."""
    decided = select(PlatformContext.id).where(
        PlatformContext.issuer == CourseRequest.issuer,
        PlatformContext.context_id == CourseRequest.context_id,
    )
    return ~decided.exists()


def pending_courses(school_id: int) -> list[PendingCourse]:
    """The school's courses waiting for a decision, newest request first."""
    requests = db.session.scalars(
        select(CourseRequest)
        .options(selectinload(CourseRequest.requesters))
        .where(CourseRequest.school_id == school_id, _undecided())
        .order_by(CourseRequest.last_at.desc(), CourseRequest.id.desc())
    ).all()
    staff_ids = {r.staff_id for request in requests for r in request.requesters if r.staff_id}
    staff = {
        row.id: row
        for row in db.session.scalars(
            select(StaffMember).where(StaffMember.id.in_(staff_ids),
                                      StaffMember.school_id == school_id)
        )
    } if staff_ids else {}  # fmt: skip
    courses = []
    for request in requests:
        course = PendingCourse(
            request_id=request.id, issuer=request.issuer, context_id=request.context_id,
            title=request.title, label=request.label, first_at=request.first_at,
            last_at=request.last_at, suggested_group_id=request.suggested_group_id,
        )  # fmt: skip
        for row in request.requesters:
            person = staff.get(row.staff_id) if row.staff_id else None
            who = (Requester(person.display_name, person.email) if person is not None
                   else Requester(row.name or "", row.email))  # fmt: skip
            if who.name and who not in course.requesters:
                course.requesters.append(who)
        courses.append(course)
    return courses


def pending_request(school_id: int, request_id: int) -> CourseRequest:
    """The school's undecided request ``request_id``; LookupError otherwise."""
    request = db.session.scalars(
        select(CourseRequest).where(
            CourseRequest.id == request_id, CourseRequest.school_id == school_id, _undecided()
        )
    ).one_or_none()
    if request is None:
        raise LookupError(request_id)
    return request


def requesting_staff(request: CourseRequest) -> list[StaffMember]:
    """The staff rows of the people whose launches asked (known to the school by now)."""
    found: dict[int, StaffMember] = {}
    for row in request.requesters:
        staff = None
        if row.platform_user_id:
            staff = db.session.scalars(
                select(StaffMember).where(
                    StaffMember.lti_issuer == request.issuer,
                    StaffMember.lti_subject == row.platform_user_id,
                )
            ).first()
        if staff is None and row.staff_id:
            staff = db.session.get(StaffMember, row.staff_id)
        if staff is not None and staff.school_id == request.school_id:
            found.setdefault(staff.id, staff)
    return list(found.values())


def settle(school_id: int, issuer: str, context_id: str) -> None:
    """The course is decided: its request goes, and who asked with it (ON DELETE CASCADE)."""
    db.session.execute(
        delete(CourseRequest).where(
            CourseRequest.school_id == school_id, CourseRequest.issuer == issuer,
            CourseRequest.context_id == context_id,
        )
    )  # fmt: skip


# --- roster accounts that matched no pupil ---------------------------------------------------


def replace_unmatched(course: PlatformContext, names: list[str]) -> None:
    """The accounts the course's roster sync just could not match (the previous list goes)."""
    forget_unmatched(course.id)
    now = datetime.now(UTC)
    db.session.add_all(
        UnmatchedAccount(school_id=course.school_id, platform_context_id=course.id,
                         name=(name or "?")[:255], seen_at=now)
        for name in names
    )  # fmt: skip
    db.session.flush()


def forget_unmatched(course_id: int) -> None:
    """The course's unmatched accounts go (it was unlinked, or a new sync lists its own)."""
    db.session.execute(
        delete(UnmatchedAccount).where(UnmatchedAccount.platform_context_id == course_id)
    )


def unmatched_names(school_id: int) -> dict[int, list[str]]:
    """Per course of the school: the names its last roster sync could not match."""
    rows = db.session.execute(
        select(UnmatchedAccount.platform_context_id, UnmatchedAccount.name)
        .where(UnmatchedAccount.school_id == school_id)
        .order_by(UnmatchedAccount.platform_context_id, UnmatchedAccount.name)
    )
    names: dict[int, list[str]] = {}
    for course_id, name in rows:
        names.setdefault(course_id, []).append(name)
    return names
