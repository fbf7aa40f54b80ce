"""From verified claims to the school's own decisions: which school, which person, which role.

- The school comes from the BRIN claim: an installation serves only the schools it knows (by
  their BRIN, 4 characters or 6 with the location number).
- Staff (affiliation employee or staff) are matched to the school's imported teachers, or the
  people it put on its IB list, by ECK iD, then by e-mail (exactly one, any case). Pupils
  (student) to the school's imported pupils by ECK iD. Nobody is created from a sign-in, and
  matching writes nothing: an account at the school platform (LTI) binds to the same rows.
- The principal is built as after an LTI launch (:func:`plugin.auth.staff_principal`): groups
  from the school's import and the IB list, the person's ``session_version`` stamped.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select

from plugin.auth import Principal, Role, staff_principal
from plugin.extensions import db
from plugin.imports.plan import normalise_brin
from plugin.models import Pupil, School, StaffMember, StaffRole

STAFF_AFFILIATIONS = {"employee", "staff", "faculty"}
PUPIL_AFFILIATIONS = {"student"}


class NotAdmitted(Exception):
    """Nobody to sign in: ``reason`` labels why (no personal data); ``school`` when known."""

    def __init__(self, reason: str, school: School | None = None):
        super().__init__(reason)
        self.reason, self.school = reason, school


@dataclass(frozen=True)
class Person:
    """What the provider says, under the tool's own field names."""

    subject: str
    brin: str
    affiliations: frozenset[str]
    eckid: str | None = None
    email: str | None = None


def _first(value) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, str | int) and not isinstance(value, bool):
        text = str(value).strip()
        return text[:256] if text else None
    return None


def person_from(claims: dict, names: dict[str, str]) -> Person:
    """Read the configured claim names; a missing BRIN or subject is a refusal."""
    subject = _first(claims.get(names["subject"])) or _first(claims.get("sub"))
    brin = _first(claims.get(names["brin"]))
    raw = claims.get(names["affiliation"])
    values = raw if isinstance(raw, list) else [raw]
    affiliations = frozenset(str(v).strip().lower() for v in values if isinstance(v, str))
    if not subject:
        raise NotAdmitted("no_subject")
    if not brin:
        raise NotAdmitted("no_brin")
    email = _first(claims.get(names["email"]))
    return Person(subject=subject, brin=brin.upper(), affiliations=affiliations,
                  eckid=_first(claims.get(names["eckid"])),
                  email=email if email and "@" in email else None)  # fmt: skip


def school_for(brin: str | None) -> School | None:
    """The school this installation knows by ``brin`` (``11ZZ``, ``11ZZ00`` and ``11ZZ03``
    find a school registered as ``11ZZ03``, else one registered as ``11ZZ``)."""
    text = (brin or "").strip().upper()
    if not 4 <= len(text) <= 8 or not text.isalnum():
        return None
    wanted = [normalise_brin(text), text[:4]]
    for candidate in dict.fromkeys(wanted):
        found = db.session.scalars(
            select(School).where(func.upper(School.brin).in_([candidate, candidate + "00"]))
            .limit(2)
        ).all()  # fmt: skip
        if len(found) == 1:
            return found[0]
    return None


def staff_for(school: School, person: Person) -> StaffMember | None:
    """The school's own row for this person: imported, or on its IB list."""
    made_by_school = select(StaffMember).where(
        StaffMember.school_id == school.id,
        or_(StaffMember.key.is_not(None), StaffMember.role == StaffRole.IB),
    )
    if person.eckid:
        found = db.session.scalars(made_by_school.where(StaffMember.eckid == person.eckid)).first()
        if found is not None:
            return found
    if person.email:
        found = db.session.scalars(
            made_by_school.where(func.lower(StaffMember.email) == person.email.lower()).limit(2)
        ).all()
        if len(found) == 1:
            return found[0]
    return None


def pupil_for(school: School, person: Person) -> Pupil | None:
    if not person.eckid:
        return None
    return db.session.scalars(
        select(Pupil).where(Pupil.school_id == school.id, Pupil.eckid == person.eckid,
                            Pupil.left_on.is_(None))
    ).first()  # fmt: skip


def admit(person: Person, expected_school: School | None = None) -> Principal:
    """The principal to sign in, or :class:`NotAdmitted`."""
    school = school_for(person.brin)
    if school is None:
        raise NotAdmitted("unknown_school", expected_school)
    if expected_school is not None and expected_school.id != school.id:
        raise NotAdmitted("other_school", expected_school)
    if person.affiliations & STAFF_AFFILIATIONS:
        staff = staff_for(school, person)
        if staff is None:
            raise NotAdmitted("not_imported", school)
        return staff_principal(school, staff, ib_by_platform=False)
    if person.affiliations & PUPIL_AFFILIATIONS:
        pupil = pupil_for(school, person)
        if pupil is None:
            raise NotAdmitted("pupil_not_imported", school)
        return Principal(role=Role.LEERLING, school_id=school.id, display_name=pupil.display_name,
                         pupil_id=pupil.id, synthetic=school.is_synthetic)  # fmt: skip
    raise NotAdmitted("affiliation", school)


def school_by_id(school_id) -> School | None:
    return db.session.get(School, school_id) if isinstance(school_id, int) else None
