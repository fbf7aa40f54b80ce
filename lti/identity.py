"""Who a platform account is, as the school knows them.

A platform account (issuer + ``sub``) is matched to the school's staff in this order:

1. the staff row already bound to this account;
2. a row the school made (by its EDEXML import, or by putting an e-mail on the IB list) that is
   not bound to any platform account yet, with the account's ECK iD, when the platform supplies
   one (LTI has no claim for it; a platform fed by the school's administration can put it in
   the LIS ``person_sourcedid``, recognised by its ``https://ketenid.nl/`` form);
3. such a row with the account's e-mail address, compared without case, when exactly one row
   of the deployment's school has it.

An account that launched before the school's import existed has a row of its own; when the
import then brings a matching row, the account moves to the imported row (*adoption*): the old
row keeps its history but loses the binding and the e-mail, and whatever the school had given it
(its IB-list place, teacher links) moves along. Nothing here reads a course or a custom
parameter. :func:`match_staff` only reads; :func:`apply_match` writes, and only for a launch
that is let in.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, func, select

from plugin.access import bump_session
from plugin.db import prepared
from plugin.extensions import db
from plugin.models import StaffMember, StaffRole, TeacherGroup


class OtherSchool(Exception):
    """The platform account already belongs to staff of another school."""


@dataclass(frozen=True)
class StaffMatch:
    staff: StaffMember | None
    """The school's row for this person; None when the school does not know them."""
    bind: bool = False
    """``staff`` is not bound to a platform account yet and becomes bound to this one."""
    adopt_from: StaffMember | None = None
    """A row made by earlier launches whose binding moves to ``staff``."""


def match_staff(
    school_id: int, issuer: str, sub: str, eckid: str | None, email: str | None
) -> StaffMatch:
    """Find the person (read only); :class:`OtherSchool` when the account is another
    school's."""
    bound = db.session.scalars(_bound_query(), {"iss": issuer, "sub": sub}).first()
    if bound is not None and bound.school_id != school_id:
        raise OtherSchool(f"staff {bound.id} belongs to school {bound.school_id}")
    if bound is not None and (bound.key is not None or bound.eckid is not None):
        return StaffMatch(bound)
    candidate = _unbound(school_id, eckid, email)
    if candidate is None:
        return StaffMatch(bound)
    return StaffMatch(candidate, bind=True, adopt_from=bound)


@prepared
def _bound_query():
    return select(StaffMember).where(
        StaffMember.lti_issuer == bindparam("iss"), StaffMember.lti_subject == bindparam("sub")
    )


def _unbound(school_id: int, eckid: str | None, email: str | None) -> StaffMember | None:
    unbound = select(StaffMember).where(
        StaffMember.school_id == school_id, StaffMember.lti_subject.is_(None)
    )
    if eckid:
        found = db.session.scalars(unbound.where(StaffMember.eckid == eckid)).first()
        if found is not None:
            return found
    if email and email.strip():
        found = db.session.scalars(
            unbound.where(func.lower(StaffMember.email) == email.strip().lower()).limit(2)
        ).all()
        if len(found) == 1:
            return found[0]
    return None


def apply_match(
    match: StaffMatch, school_id: int, issuer: str, sub: str, name: str, email: str | None
) -> StaffMember:
    """Write what the match means: a new row, a binding, an adoption; names and e-mail a
    launch may fill in (an imported row keeps the administration's)."""
    staff = match.staff
    if staff is None:
        staff = StaffMember(school_id=school_id, lti_issuer=issuer, lti_subject=sub,
                            role=StaffRole.LEERKRACHT, display_name="Medewerker")  # fmt: skip
        db.session.add(staff)
    if match.adopt_from is not None:
        _adopt(match.adopt_from, staff)
    if match.bind:
        staff.lti_issuer, staff.lti_subject = issuer, sub
    if staff.key is None:
        staff.display_name = (name or staff.display_name or "Medewerker")[:200]
    staff.email = staff.email or email
    db.session.flush()
    return staff


def _adopt(old: StaffMember, new: StaffMember) -> None:
    old.lti_issuer, old.lti_subject, old.email = None, None, None
    db.session.flush()  # the binding is unique: free it before the new row takes it
    if old.role is StaffRole.IB:
        old.role, new.role = StaffRole.LEERKRACHT, StaffRole.IB
    for link in db.session.scalars(select(TeacherGroup).where(TeacherGroup.staff_id == old.id)):
        if db.session.get(TeacherGroup, (new.id, link.group_id)) is None:
            db.session.add(TeacherGroup(staff_id=new.id, group_id=link.group_id,
                                        school_id=link.school_id, source=link.source,
                                        via_context_id=link.via_context_id))  # fmt: skip
        db.session.delete(link)
    bump_session(old)
    bump_session(new)
