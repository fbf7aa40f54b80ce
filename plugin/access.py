"""Who is IB, as the school decides: the school's IB list and requests for IB access.

A staff member is IB when the platform's administrator gave them an institution role the
registration counts as IB, or when they are on the school's IB list (``StaffMember.role`` is IB).
IT keeps the list from the command line (``flask --app wsgi ib ...``), the school's IBs keep it in
Administratie → Toegang, and a teacher may ask to be put on it ("toegang aanvragen"); an IB
decides. A launch never writes the list.

Every change is audited and raises the person's ``session_version`` (:func:`bump_session`), so
it takes effect at their next request, not at their next launch. Functions flush, never commit.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from plugin.audit import record_event
from plugin.auth import Principal, Role
from plugin.extensions import db
from plugin.models import (
    AccessRequest,
    AccessRequestKind,
    Group,
    StaffMember,
    StaffRole,
    TeacherGroup,
)


class AccessError(ValueError):
    """A change the school cannot make as asked; the message is Dutch and shown as is."""


class StaffNotFound(AccessError):
    """Nobody of the school has the key or e-mail asked for."""


def bump_session(staff: StaffMember) -> None:
    """The school changed what ``staff`` may do: their sessions re-derive at the next request."""
    staff.session_version = (staff.session_version or 0) + 1


def find_staff(school_id: int, who: str) -> StaffMember:
    """The school's staff member with this administration key or e-mail (any case)."""
    who = (who or "").strip()
    if not who:
        raise AccessError(_("Give an e-mail address or a key from the school's administration."))
    by_key = db.session.scalars(
        select(StaffMember).where(StaffMember.school_id == school_id, StaffMember.key == who)
    ).first()
    if by_key is not None:
        return by_key
    found = db.session.scalars(
        select(StaffMember)
        .where(StaffMember.school_id == school_id, func.lower(StaffMember.email) == who.lower())
        .limit(2)
    ).all()
    if len(found) > 1:
        raise AccessError(
            _("Several staff members have the e-mail address %(email)s; use their key from the "
              "school's administration.", email=who)
        )  # fmt: skip
    if not found:
        raise StaffNotFound(_("No staff member of this school has the key or e-mail %(who)s.",
                            who=who))  # fmt: skip
    return found[0]


def listed_staff(school_id: int, email: str) -> StaffMember:
    """A staff row made for the IB list by e-mail, for someone who never launched and is not in
    an import yet: their first launch with that e-mail binds it (see ``lti.identity``)."""
    email = email.strip()
    if "@" not in email or len(email) > 254 or " " in email:
        raise AccessError(_("%(email)s is not an e-mail address.", email=email))
    staff = StaffMember(school_id=school_id, display_name=email, email=email,
                        role=StaffRole.LEERKRACHT)  # fmt: skip
    db.session.add(staff)
    db.session.flush()
    return staff


def ib_list(school_id: int) -> list[StaffMember]:
    return list(
        db.session.scalars(
            select(StaffMember)
            .where(StaffMember.school_id == school_id, StaffMember.role == StaffRole.IB)
            .order_by(StaffMember.display_name, StaffMember.id)
        )
    )


def school_staff(school_id: int) -> list[StaffMember]:
    """Everyone the school knows (imported, listed, or launched), by name."""
    return list(
        db.session.scalars(
            select(StaffMember)
            .where(StaffMember.school_id == school_id)
            .order_by(StaffMember.display_name, StaffMember.id)
        )
    )


def visible_groups(principal: Principal) -> list[tuple[Group, str]]:
    """The groups a teacher sees and why (the :class:`TeacherSource`), newest school year
    first; an IB sees every group and gets an empty list here."""
    if principal.staff_id is None or principal.role is not Role.LEERKRACHT:
        return []
    rows = db.session.execute(
        select(Group, TeacherGroup.source)
        .join(TeacherGroup, TeacherGroup.group_id == Group.id)
        .where(TeacherGroup.staff_id == principal.staff_id,
               TeacherGroup.school_id == principal.school_id)
        .order_by(Group.school_year.desc(), Group.leerjaar, Group.name)
    ).all()  # fmt: skip
    return [(group, source) for group, source in rows]


def appoint_ib(staff: StaffMember, via: str) -> bool:
    """Put ``staff`` on the IB list; False when they already were on it."""
    if staff.role is StaffRole.IB:
        return False
    staff.role = StaffRole.IB
    bump_session(staff)
    record_event("ib_appointed", "staff_member", staff.id, school_id=staff.school_id, via=via)
    db.session.flush()
    return True


def remove_ib(staff: StaffMember, via: str, keep_last: bool) -> bool:
    """Take ``staff`` off the IB list; False when they were not on it.

    With ``keep_last`` (Administratie) the last person on the list stays: a school whose IBs
    removed themselves would need IT to get its Administratie back. IT's command line may
    remove the last one on purpose.
    """
    if staff.role is not StaffRole.IB:
        return False
    if keep_last and len(ib_list(staff.school_id)) <= 1:
        raise AccessError(
            _("%(name)s is the last IB on the school's list and stays on it. Appoint another IB "
              "first, or ask IT to change the list.", name=staff.display_name)
        )  # fmt: skip
    staff.role = StaffRole.LEERKRACHT
    bump_session(staff)
    record_event("ib_removed", "staff_member", staff.id, school_id=staff.school_id, via=via)
    db.session.flush()
    return True


def open_request(staff_id: int) -> AccessRequest | None:
    return db.session.scalars(
        select(AccessRequest).where(
            AccessRequest.staff_id == staff_id, AccessRequest.decided_at.is_(None)
        )
    ).first()


def request_ib(staff: StaffMember) -> AccessRequest:
    """Ask for IB access; asking twice keeps the one open request."""
    if staff.role is StaffRole.IB:
        raise AccessError(_("You are already on the school's IB list."))
    existing = open_request(staff.id)
    if existing is not None:
        return existing
    request = AccessRequest(school_id=staff.school_id, staff_id=staff.id,
                            kind=AccessRequestKind.IB)  # fmt: skip
    db.session.add(request)
    db.session.flush()
    record_event("access_requested", "access_request", request.id, school_id=staff.school_id,
                 kind=AccessRequestKind.IB.value)  # fmt: skip
    return request


def open_requests(school_id: int) -> list[tuple[AccessRequest, StaffMember]]:
    rows = db.session.execute(
        select(AccessRequest, StaffMember)
        .join(StaffMember, StaffMember.id == AccessRequest.staff_id)
        .where(AccessRequest.school_id == school_id, AccessRequest.decided_at.is_(None))
        .order_by(AccessRequest.created_at, AccessRequest.id)
    ).all()
    return [(request, staff) for request, staff in rows]


def decide_request(
    school_id: int, request_id: int, approve: bool, by_staff_id: int | None
) -> AccessRequest:
    """An IB's answer to a request of their own school (LookupError for any other)."""
    request = db.session.scalars(
        select(AccessRequest).where(
            AccessRequest.id == request_id, AccessRequest.school_id == school_id
        )
    ).one_or_none()
    if request is None:
        raise LookupError(request_id)
    if request.decided_at is not None:
        raise AccessError(_("This request has already been answered."))
    request.decided_at = datetime.now(UTC)
    request.approved = approve
    request.decided_by_staff_id = by_staff_id
    record_event("access_request_decided", "access_request", request.id, school_id=school_id,
                 approved=approve)  # fmt: skip
    if approve:
        appoint_ib(db.session.get(StaffMember, request.staff_id), via="request")
    db.session.flush()
    return request
