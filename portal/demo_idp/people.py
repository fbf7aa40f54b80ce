"""Who can sign in at the demo identity provider: per demo school its teacher, its IB, a pupil
with an ECK iD, and a supply teacher the school never imported (to see a refusal). Claims are
named as Entree Federatie names them."""

from __future__ import annotations

from sqlalchemy import select

from plugin.extensions import db
from plugin.models import Pupil, School, StaffMember

ROLES = ("leerkracht", "ib", "leerling", "invaller")


def _staff_claims(school: School, staff: StaffMember | None, role: str) -> dict:
    if staff is None:  # the supply teacher: the school's administration does not list them
        return {"givenName": "Sam", "sn": "Invaller (fictief)",
                "eduPersonAffiliation": ["employee"],
                "mail": f"invaller.{school.id}@demo.invalid"}  # fmt: skip
    return {"givenName": staff.first_name or "", "sn": staff.last_name or "",
            "eduPersonAffiliation": ["employee"], "mail": staff.email,
            **({"eckId": staff.eckid} if staff.eckid else {})}  # fmt: skip


def _school_claims(school: School) -> dict:
    return {"nlEduPersonHomeOrganizationId": school.brin or "",
            "nlEduPersonHomeOrganization": school.name}  # fmt: skip


def person(key: str) -> dict | None:
    """``"<role>:<school id>"`` as the provider's user: its label and its claims."""
    role, _, school_id = str(key or "").partition(":")
    if role not in ROLES or not school_id.isdigit() or len(school_id) > 9:
        return None
    school = db.session.get(School, int(school_id))
    if school is None or not school.is_synthetic:
        return None
    claims = {"sub": f"demo-{role}-{school.id}", "uid": f"demo{role}{school.id}@demo"}
    if role == "leerling":
        pupil = db.session.scalars(
            select(Pupil).where(Pupil.school_id == school.id, Pupil.eckid.is_not(None),
                                Pupil.left_on.is_(None)).order_by(Pupil.id)
        ).first()  # fmt: skip
        if pupil is None:
            return None
        claims |= {"givenName": pupil.first_name or "", "sn": pupil.last_name or "",
                   "eduPersonAffiliation": ["student"], "eckId": pupil.eckid}  # fmt: skip
        label = pupil.display_name
    else:
        staff = None
        if role != "invaller":
            staff = db.session.scalars(
                select(StaffMember).where(StaffMember.school_id == school.id,
                                          StaffMember.email == f"{role}.{school.id}@demo.invalid")
            ).first()  # fmt: skip
            if staff is None:
                return None
        claims |= _staff_claims(school, staff, role)
        label = staff.display_name if staff else "Sam Invaller (fictief)"
    return {"key": f"{role}:{school.id}", "role": role, "label": label, "school": school.name,
            "claims": claims | _school_claims(school)}  # fmt: skip


def people() -> list[dict]:
    """Everyone of every demo school, school by school."""
    schools = db.session.scalars(
        select(School).where(School.is_synthetic).order_by(School.name)
    ).all()  # fmt: skip
    found = (person(f"{role}:{school.id}") for school in schools for role in ROLES)
    return [p for p in found if p is not None]
