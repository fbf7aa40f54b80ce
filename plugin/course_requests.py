"""Requests for course links, kept in the audit log until an IB decides.

A launch from a course nobody decided on yet writes one audit row ``course_link_requested``
(the course's issuer, id, title and label, and who launched) and nothing else: the request
*is* that row. A course is *undecided* while no :class:`PlatformContext` row exists for it, so
the IB's list (Administratie → Koppelingen) is the undecided requests, grouped per course. The
newest roster-sync row per course (with the accounts it could not match) is read the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, select

from plugin.extensions import db
from plugin.models import AuditEvent, PlatformContext, StaffMember

REQUESTED = "course_link_requested"
PENDING_LIMIT = 2000
"""At most this many request rows are read for the list (the newest); a school has a few."""

_ISSUER = AuditEvent.detail["issuer"].as_string()
_CONTEXT = AuditEvent.detail["context"].as_string()


@dataclass
class Requester:
    name: str
    email: str | None
    staff_id: int | None


@dataclass
class PendingCourse:
    """A course that launched into the school and waits for an IB's decision."""

    event_id: int
    """The newest request row: the handle Administratie posts back."""
    issuer: str
    context_id: str
    title: str | None
    label: str | None
    first_at: datetime
    last_at: datetime
    suggested_group_id: int | None = None
    requesters: list[Requester] = field(default_factory=list)


def request_detail(
    issuer: str, context_id: str, label: str | None, title: str | None,
    sub: str, name: str, email: str | None, staff_id: int | None,
) -> dict:  # fmt: skip
    """The audit detail of a request: what the IB needs to decide, nothing more."""
    return {"issuer": issuer, "context": context_id, "label": label, "title": title,
            "sub": sub, "name": name, "email": email, "staff_id": staff_id}  # fmt: skip


def undecided() -> ColumnElement[bool]:
    """True for a request row whose course nobody decided on yet (no course-link row)."""
    decided = select(PlatformContext.id).where(
        PlatformContext.issuer == _ISSUER, PlatformContext.context_id == _CONTEXT
    )
    return ~decided.exists()


def pending_courses(school_id: int) -> list[PendingCourse]:
    """The school's courses waiting for a decision, newest request first."""
    rows = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.school_id == school_id, AuditEvent.action == REQUESTED, undecided())
        .order_by(AuditEvent.id.desc())
        .limit(PENDING_LIMIT)
    )
    courses: dict[tuple[str, str], PendingCourse] = {}
    for event in rows:
        detail = event.detail or {}
        key = (str(detail.get("issuer")), str(detail.get("context")))
        course = courses.get(key)
        if course is None:
            course = courses[key] = PendingCourse(
                event_id=event.id, issuer=key[0], context_id=key[1], title=detail.get("title"),
                label=detail.get("label"), first_at=event.occurred_at, last_at=event.occurred_at,
            )  # fmt: skip
        course.first_at = event.occurred_at
        course.suggested_group_id = course.suggested_group_id or detail.get("suggested_group_id")
        who = Requester(detail.get("name") or "", detail.get("email"), detail.get("staff_id"))
        if who.name and who not in course.requesters:
            course.requesters.append(who)
    return list(courses.values())


def pending_rows(school_id: int, event_id: int) -> list[AuditEvent]:
    """Every undecided request row of the course that request ``event_id`` is about."""
    event = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.id == event_id, AuditEvent.school_id == school_id,
            AuditEvent.action == REQUESTED, undecided(),
        )
    ).one_or_none()  # fmt: skip
    if event is None:
        raise LookupError(event_id)
    detail = event.detail or {}
    return list(
        db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.school_id == school_id, AuditEvent.action == REQUESTED,
                str(detail.get("issuer")) == _ISSUER, str(detail.get("context")) == _CONTEXT,
            ).order_by(AuditEvent.id)
        )
    )  # fmt: skip


def requesting_staff(school_id: int, rows: list[AuditEvent]) -> list[StaffMember]:
    """The staff rows of the teachers whose launches asked (known to the school by now)."""
    found: dict[int, StaffMember] = {}
    for row in rows:
        detail = row.detail or {}
        staff = None
        if detail.get("sub"):
            staff = db.session.scalars(
                select(StaffMember).where(
                    StaffMember.lti_issuer == detail.get("issuer"),
                    StaffMember.lti_subject == detail["sub"],
                )
            ).first()
        if staff is None and detail.get("staff_id"):
            staff = db.session.get(StaffMember, detail["staff_id"])
        if staff is not None and staff.school_id == school_id:
            found.setdefault(staff.id, staff)
    return list(found.values())


def last_roster_syncs(school_id: int, limit: int = 500) -> dict[int, AuditEvent]:
    """The newest roster-sync row per linked course (with what it could not match)."""
    rows = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.school_id == school_id, AuditEvent.action == "roster_sync")
        .order_by(AuditEvent.id.desc())
        .limit(limit)
    )
    latest: dict[int, AuditEvent] = {}
    for row in rows:
        course = (row.detail or {}).get("course")
        if isinstance(course, int):
            latest.setdefault(course, row)
    return latest
