"""Names and Role Provisioning Service: sync a linked course's roster from the platform.

The tool asks the platform's token endpoint for a service token with a client-credentials JWT
signed by the tool's key (RFC 7523, as LTI Advantage prescribes), then pages through the
context's memberships.

A roster is the course owner's word, so it counts only for a course an IB linked (or the
import vouched for), and only as far as the school has not decided itself:

- learner accounts are matched to the school's pupils: by the account, then by ECK iD (the LIS
  ``person_sourcedid`` when it is one), then by name among the linked group's pupils that have
  no account yet (exactly one match). Pupils have no e-mail in this tool (the administration's
  export carries none and the tool stores none), so e-mail is not a way here. What stays
  unmatched is listed for the IB (Administratie → Koppelingen);
- only a group without an import gets pupils from a roster; an imported group's pupils come
  from the import, so unmatched accounts are not added there;
- leaving: never on the word of one course among several. Only for a group without an import
  whose one linked course this is, a pupil of the group (not from the import) who is no longer
  on the roster, or is Inactive/Deleted there, gets ``left_on``; pupils are never deleted;
- instructors get a ``roster`` teacher link that remembers the course; an instructor no longer
  on the roster loses it.
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
from sqlalchemy import func, select

from lti import claims, identity, keys
from lti.models import Registration
from lti.provisioning import enrol_once
from plugin import course_links, outbound
from plugin.access import bump_session
from plugin.extensions import db
from plugin.inputs import clean_text
from plugin.models import (
    Enrolment,
    Group,
    GroupMember,
    PlatformContext,
    Pupil,
    StaffMember,
    TeacherGroup,
    TeacherSource,
)

log = logging.getLogger(__name__)
MAX_PAGES = 50


class RosterError(Exception):
    """The platform's token or membership service did not answer usefully."""


@dataclass(frozen=True)
class RosterResult:
    pupils_added: int
    pupils_left: int
    teachers_linked: int
    pupils_matched: int = 0
    """Pupils of the school newly bound to their platform account (by ECK iD or name)."""
    unresolved: tuple[dict, ...] = ()
    """Learner accounts matched to no pupil (``user_id``, ``name``), for the IB."""


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
        response = outbound.post(registration.auth_token_url, data=data)
        response.raise_for_status()
        token = response.json()["access_token"]
        if not isinstance(token, str) or not token:
            raise ValueError("access_token is not a string")
        return token
    except (requests.RequestException, ValueError, KeyError, TypeError) as error:
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
            response = outbound.get(url, headers=headers)
            response.raise_for_status()
            page = response.json().get("members", [])
        except (requests.RequestException, ValueError, AttributeError) as error:
            raise RosterError(f"memberships from {url}: {error}") from error
        members.extend(page if isinstance(page, list) else [])
        url = response.links.get("next", {}).get("url")
        if not url:
            break
    return [clean for member in members if (clean := clean_member(member)) is not None]


def clean_member(member: Any) -> dict[str, Any] | None:
    """A membership as the roster logic may trust it: ``user_id`` 1–255 characters; names,
    e-mail and sourcedid strings that fit their columns (or None); ``roles`` strings;
    ``status`` a string. Anything else the platform sent is dropped here, at the boundary."""
    if not isinstance(member, dict):
        return None
    user_id = clean_text(member.get("user_id"), 256)
    if user_id is None or len(user_id) > 255:
        return None
    roles = member.get("roles") if isinstance(member.get("roles"), list) else []
    status = member.get("status", "Active")
    return {
        "user_id": user_id,
        "name": clean_text(member.get("name"), 200),
        "given_name": clean_text(member.get("given_name"), 100),
        "family_name": clean_text(member.get("family_name"), 100),
        "email": clean_text(member.get("email"), 254),
        "lis_person_sourcedid": clean_text(member.get("lis_person_sourcedid"), 255),
        "roles": [role for role in roles if isinstance(role, str)],
        "status": status if isinstance(status, str) else "Inactive",
    }


def _is(member: dict, *roles: str) -> bool:
    return bool(claims.role_names(list(member.get("roles") or [])) & set(roles))


def _active(member: dict) -> bool:
    return member.get("status", "Active") == "Active"


def _name(member: dict) -> str:
    name = member.get("name") or " ".join(
        str(member.get(part) or "") for part in ("given_name", "family_name")
    )
    return " ".join(str(name).split())


def apply_roster(
    course: PlatformContext, group: Group, issuer: str, members: list[dict], today: date
) -> RosterResult:
    """Bring the school's data in line with ``members`` as far as a roster may (see above)."""
    if course.group_id != group.id or course.school_id != group.school_id:
        raise RosterError(f"course {course.id} is not linked to group {group.id}")
    learners = {str(m["user_id"]): m for m in members if _is(m, claims.ROLE_LEARNER) and _active(m)}
    pupils, matched, unresolved = _match_pupils(group, learners)
    added = 0
    if not group.is_managed_by_import and not group.is_subgroup:
        for sub in unresolved:
            name = (_name(learners[sub]) or "Leerling")[:255]
            pupils[sub] = Pupil(school_id=group.school_id, lti_subject=sub, display_name=name)
            db.session.add(pupils[sub])
            added += 1
        db.session.flush()
        for pupil in pupils.values():
            if pupil.key is None:
                pupil.left_on = None  # back on the roster of the group's one course
            enrol_once(pupil, group)
        unresolved = []
    left = _mark_leavers(course, group, set(learners), today)
    linked = _sync_teachers(course, group, issuer, members)
    db.session.flush()
    lost = tuple({"user_id": sub, "name": _name(learners[sub])} for sub in unresolved)
    return RosterResult(added, left, linked, matched, lost)


def _match_pupils(group: Group, learners: dict[str, dict]) -> tuple[dict, int, list[str]]:
    """Pupils by account, then ECK iD, then (unique) name in the group; and what is left."""
    school_id = group.school_id
    pupils: dict[str, Pupil] = {
        pupil.lti_subject: pupil
        for pupil in db.session.scalars(
            select(Pupil).where(Pupil.school_id == school_id, Pupil.lti_subject.in_(learners))
        )
    }
    unbound = select(Pupil).where(Pupil.school_id == school_id, Pupil.lti_subject.is_(None))
    matched = 0
    eckids = {claims.eckid_or_none(m.get("lis_person_sourcedid")): sub
              for sub, m in learners.items() if sub not in pupils}  # fmt: skip
    eckids.pop(None, None)
    if eckids:
        for pupil in db.session.scalars(unbound.where(Pupil.eckid.in_(list(eckids)))):
            pupils[eckids[pupil.eckid]] = pupil
            pupil.lti_subject = eckids[pupil.eckid]
            matched += 1
    by_name = _unbound_in_group_by_name(group, unbound)
    for sub, member in learners.items():
        candidates = by_name.get(_name(member).lower(), []) if sub not in pupils else []
        if len(candidates) == 1 and candidates[0].lti_subject is None:
            pupils[sub] = candidates[0]
            candidates[0].lti_subject = sub
            matched += 1
    db.session.flush()
    return pupils, matched, [sub for sub in learners if sub not in pupils]


def _unbound_in_group_by_name(group: Group, unbound) -> dict[str, list[Pupil]]:
    if group.is_subgroup:
        in_group = select(GroupMember.pupil_id).where(GroupMember.group_id == group.id)
    else:
        in_group = select(Enrolment.pupil_id).where(
            Enrolment.group_id == group.id, Enrolment.school_year == group.school_year
        )
    names: dict[str, list[Pupil]] = {}
    for pupil in db.session.scalars(unbound.where(Pupil.id.in_(in_group))):
        full = " ".join(p for p in (pupil.first_name, pupil.infix, pupil.last_name) if p)
        for name in {" ".join(pupil.display_name.split()).lower(), full.lower()} - {""}:
            names.setdefault(name, []).append(pupil)
    return names


def _mark_leavers(course: PlatformContext, group: Group, on_roster: set[str], today) -> int:
    if group.is_managed_by_import or group.is_subgroup:
        return 0  # the import says who left
    courses = db.session.scalar(
        select(func.count(PlatformContext.id)).where(PlatformContext.group_id == group.id)
    )
    if courses != 1:
        return 0  # one course among several does not know the whole group
    leaving = db.session.scalars(
        select(Pupil).join(Enrolment, Enrolment.pupil_id == Pupil.id).where(
            Enrolment.group_id == group.id, Enrolment.school_year == group.school_year,
            Pupil.key.is_(None), Pupil.lti_subject.is_not(None), Pupil.left_on.is_(None),
            Pupil.lti_subject.not_in(on_roster),
        )
    ).all()  # fmt: skip
    for pupil in leaving:
        pupil.left_on = today
    return len(leaving)


def _sync_teachers(course: PlatformContext, group: Group, issuer: str, members: list[dict]) -> int:
    """Roster links for the course's active instructors; none for those no longer on it."""
    instructors = {str(m["user_id"]): m for m in members
                   if _is(m, claims.ROLE_INSTRUCTOR) and _active(m)}  # fmt: skip
    linked = 0
    for sub, member in instructors.items():
        eckid = claims.eckid_or_none(member.get("lis_person_sourcedid"))
        try:
            match = identity.match_staff(group.school_id, issuer, sub, eckid, member.get("email"))
        except identity.OtherSchool:
            continue  # an account of another school never crosses over
        staff = identity.apply_match(match, group.school_id, issuer, sub, _name(member),
                                     member.get("email"))  # fmt: skip
        linked += course_links.give_course_teacher(course, staff, TeacherSource.ROSTER)
    gone = db.session.execute(
        select(TeacherGroup, StaffMember)
        .join(StaffMember, StaffMember.id == TeacherGroup.staff_id)
        .where(TeacherGroup.via_context_id == course.id,
               TeacherGroup.source == TeacherSource.ROSTER.value)
    ).all()  # fmt: skip
    for link, staff in gone:
        if staff.lti_issuer != issuer or staff.lti_subject not in instructors:
            db.session.delete(link)
            bump_session(staff)
    return linked


def sync_roster(
    registration: Registration, course: PlatformContext, group: Group, url: str, today: date
) -> RosterResult:
    return apply_roster(course, group, registration.issuer, fetch_members(registration, url),
                        today)  # fmt: skip
