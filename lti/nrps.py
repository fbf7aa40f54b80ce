"""Names and Role Provisioning Service: sync a group's roster from the platform.

The tool asks the platform's token endpoint for a service token with a client-credentials JWT
signed by the tool's key (RFC 7523, as LTI Advantage prescribes), then pages through the
context's memberships. Learners become (or stay) pupils of the group; a pupil of the group
who is no longer on the roster, or is marked Inactive/Deleted there, gets ``left_on`` set —
pupils are never deleted (their results stay for the school's history). Instructors are linked
to the group with source "roster".
"""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass
from datetime import date
from typing import Any

import jwt
import requests
from sqlalchemy import select

from lti import claims, keys
from lti.models import Registration
from plugin.extensions import db
from plugin.models import Enrolment, Group, Pupil, StaffMember, StaffRole, TeacherGroup

log = logging.getLogger(__name__)
TIMEOUT = 10
MAX_PAGES = 50


class RosterError(Exception):
    """The platform's token or membership service did not answer usefully."""


@dataclass(frozen=True)
class RosterResult:
    pupils_added: int
    pupils_left: int
    teachers_linked: int


def client_assertion(registration: Registration) -> str:
    key = keys.current_key()
    now = int(time.time())
    body = {
        "iss": registration.client_id, "sub": registration.client_id,
        "aud": registration.auth_audience or registration.auth_token_url,
        "iat": now, "exp": now + 300, "jti": secrets.token_urlsafe(16),
    }  # fmt: skip
    return jwt.encode(body, key.private_pem, algorithm="RS256", headers={"kid": key.kid})


def service_token(registration: Registration, scopes: list[str]) -> str:
    data = {
        "grant_type": "client_credentials",
        "client_assertion_type": claims.CLIENT_ASSERTION_TYPE,
        "client_assertion": client_assertion(registration),
        "scope": " ".join(scopes),
    }
    try:
        response = requests.post(registration.auth_token_url, data=data, timeout=TIMEOUT)
        response.raise_for_status()
        return response.json()["access_token"]
    except (requests.RequestException, ValueError, KeyError) as error:
        raise RosterError(
            f"no service token from {registration.auth_token_url}: {error}"
        ) from error


def fetch_members(registration: Registration, url: str) -> list[dict[str, Any]]:
    """Every member of the context, following ``Link: rel="next"`` pages."""
    headers = {
        "Authorization": "Bearer " + service_token(registration, [claims.SCOPE_NRPS]),
        "Accept": claims.NRPS_MEDIA_TYPE,
    }
    members: list[dict[str, Any]] = []
    for _page in range(MAX_PAGES):
        try:
            response = requests.get(url, headers=headers, timeout=TIMEOUT)
            response.raise_for_status()
            members.extend(response.json().get("members", []))
        except (requests.RequestException, ValueError, AttributeError) as error:
            raise RosterError(f"memberships from {url}: {error}") from error
        url = response.links.get("next", {}).get("url")
        if not url:
            break
    return [member for member in members if isinstance(member, dict) and member.get("user_id")]


def _is(member: dict, *roles: str) -> bool:
    return bool(claims.role_names(list(member.get("roles") or [])) & set(roles))


def _active(member: dict) -> bool:
    return member.get("status", "Active") == "Active"


def apply_roster(group: Group, issuer: str, members: list[dict], today: date) -> RosterResult:
    """Bring the group's pupils and teacher links in line with ``members``."""
    learners = {m["user_id"]: m for m in members if _is(m, claims.ROLE_LEARNER) and _active(m)}
    added = 0
    for sub, member in learners.items():
        added += _ensure_pupil(group, str(sub), member)
    left = 0
    enrolled = db.session.scalars(
        select(Pupil).join(Enrolment, Enrolment.pupil_id == Pupil.id).where(
            Enrolment.group_id == group.id, Pupil.lti_subject.is_not(None), Pupil.left_on.is_(None)
        )
    )  # fmt: skip
    for pupil in enrolled:
        if pupil.lti_subject not in learners:
            pupil.left_on = today
            left += 1
    linked = sum(
        _link_teacher(group, issuer, str(m["user_id"]), m)
        for m in members
        if _is(m, claims.ROLE_INSTRUCTOR) and _active(m)
    )
    db.session.flush()
    return RosterResult(added, left, linked)


def _ensure_pupil(group: Group, sub: str, member: dict) -> int:
    pupil = db.session.scalars(
        select(Pupil).where(Pupil.school_id == group.school_id, Pupil.lti_subject == sub)
    ).first()
    created = pupil is None
    if created:
        pupil = Pupil(school_id=group.school_id, lti_subject=sub, display_name="Leerling")
        db.session.add(pupil)
    pupil.display_name = (member.get("name") or pupil.display_name)[:120]
    pupil.left_on = None
    db.session.flush()
    has_year = db.session.scalars(
        select(Enrolment.id).where(
            Enrolment.pupil_id == pupil.id, Enrolment.school_year == group.school_year
        )
    ).first()
    if has_year is None:
        db.session.add(
            Enrolment(school_id=group.school_id, pupil_id=pupil.id, group_id=group.id,
                      school_year=group.school_year, leerjaar=group.leerjaar)
        )  # fmt: skip
    return int(created)


def _link_teacher(group: Group, issuer: str, sub: str, member: dict) -> int:
    staff = db.session.scalars(
        select(StaffMember).where(StaffMember.lti_issuer == issuer, StaffMember.lti_subject == sub)
    ).first()
    if staff is None:
        staff = StaffMember(school_id=group.school_id, lti_issuer=issuer, lti_subject=sub,
                            display_name=member.get("name") or "Medewerker",
                            role=StaffRole.LEERKRACHT)  # fmt: skip
        db.session.add(staff)
        db.session.flush()
    if staff.school_id != group.school_id or db.session.get(TeacherGroup, (staff.id, group.id)):
        return 0
    db.session.add(TeacherGroup(staff_id=staff.id, group_id=group.id, school_id=group.school_id,
                                source="roster"))  # fmt: skip
    return 1


def sync_roster(registration: Registration, group: Group, url: str, today: date) -> RosterResult:
    return apply_roster(group, registration.issuer, fetch_members(registration, url), today)
