"""LTI services: managing registrations, and turning a launch into a signed-in user.

Every select and write of the LTI domain lives here; callers commit.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import bindparam, select
from werkzeug.exceptions import HTTPException

from lti import claims
from lti.context import LaunchContext
from lti.models import Deployment, Registration
from lti.registration_checks import (  # re-exported: callers use services.X
    URL_FIELDS,
    RegistrationError,
    check_registration_fields,
    default_page_origins,
    origin_of,
    valid_deployment_id,
    valid_page_origins,
    valid_school_name,
)
from plugin.auth import Role
from plugin.db import prepared
from plugin.extensions import db
from plugin.inputs import clean_text
from plugin.models import School

log = logging.getLogger(__name__)

REGISTRATION_FIELDS = ("issuer", "client_id", "name", "auth_login_url", "auth_token_url",
                       "auth_audience", "jwks_url", "ib_roles", "page_origins")  # fmt: skip
__all__ = [
    "RegistrationError", "check_registration_fields", "default_page_origins", "origin_of",
    "valid_deployment_id", "valid_page_origins", "valid_school_name",
]  # fmt: skip


class RegistrationConflict(RegistrationError):
    """A registration or deployment exists and would be moved or overwritten: refused, with a
    Dutch message that names the command IT uses to do it on purpose."""


# --- registrations -----------------------------------------------------------------------


def school_named(name: str) -> School:
    """The school with this name, created when there is none."""
    name = valid_school_name(name)
    school = db.session.scalars(select(School).where(School.name == name)).first()
    if school is None:
        school = School(name=name)
        db.session.add(school)
        db.session.flush()
    return school


GUARDED_FIELDS = ("auth_login_url", "auth_token_url", "auth_audience", "jwks_url")
"""Where the platform's keys and tokens come from: whoever may change them may launch as
anyone of the registration's schools, so an existing registration keeps them."""


def upsert_registration(**fields: Any) -> Registration:
    """Create the registration for (issuer, client_id), or update an existing one's name and
    IB roles; an existing one's keys and URLs never change here (:class:`RegistrationConflict`).
    """
    _check_fields(fields)
    registration = db.session.scalars(
        select(Registration).where(
            Registration.issuer == fields["issuer"], Registration.client_id == fields["client_id"]
        )
    ).first()
    if registration is None:
        registration = Registration(issuer=fields["issuer"], client_id=fields["client_id"])
        registration.page_origins = default_page_origins(fields["issuer"],
                                                         fields["auth_login_url"])  # fmt: skip
        db.session.add(registration)
    else:
        _refuse_overwrite(registration, fields)
    for key in REGISTRATION_FIELDS:
        if fields.get(key) is not None:
            setattr(registration, key, fields[key])
    db.session.flush()
    return registration


def _check_fields(fields: dict[str, Any]) -> None:
    """Every field well-formed (Dutch RegistrationError otherwise); page origins normalised."""
    from flask_babel import gettext as _

    check_registration_fields(**{name: fields.get(name) for name in URL_FIELDS})
    if fields.get("auth_audience") is not None:
        origin_of(fields["auth_audience"], "auth_audience")
    client_id = fields.get("client_id")
    if not isinstance(client_id, str) or not clean_text(client_id, 255) or len(client_id) > 255:
        raise RegistrationError(_("client_id of 1 to 255 characters is required."))
    if fields.get("page_origins") is not None:
        fields["page_origins"] = valid_page_origins(fields["page_origins"])
    name = fields.get("name")
    if name is not None and (not isinstance(name, str) or len(name) > 200):
        raise RegistrationError(_("name must be text of at most 200 characters."))


def _refuse_overwrite(registration: Registration, fields: dict[str, Any]) -> None:
    changed = [
        key
        for key in GUARDED_FIELDS
        if fields.get(key) is not None and fields[key] != getattr(registration, key)
    ]
    if changed:
        raise RegistrationConflict(
            _("The registration of %(issuer)s (client %(client)s) already exists with other "
              "addresses (%(fields)s); they are not overwritten. To change them on purpose, IT "
              "removes the registration (flask --app wsgi lti remove-platform --issuer "
              "%(issuer)s --client-id %(client)s) and registers it again.",
              issuer=registration.issuer, client=registration.client_id,
              fields=", ".join(changed))
        )  # fmt: skip


def add_deployment(registration: Registration, deployment_id: str, school: School) -> Deployment:
    """Link a deployment to ``school``; one that belongs to another school is never moved here
    (:class:`RegistrationConflict`; ``lti move-deployment`` does that on purpose)."""
    found = _deployment(registration, deployment_id)
    if found is None:
        found = Deployment(registration=registration, deployment_id=deployment_id,
                           school_id=school.id)  # fmt: skip
        db.session.add(found)
    elif found.school_id != school.id:
        raise RegistrationConflict(
            _("Deployment %(deployment)s of %(issuer)s belongs to %(school)s and is not moved. "
              "To move it on purpose, IT runs: flask --app wsgi lti move-deployment --issuer "
              "%(issuer)s --client-id %(client)s --deployment-id %(deployment)s --school "
              "\"%(target)s\"", deployment=deployment_id, issuer=registration.issuer,
              client=registration.client_id, school=found.school.name, target=school.name)
        )  # fmt: skip
    db.session.flush()
    return found


def _deployment(registration: Registration, deployment_id: str) -> Deployment | None:
    return db.session.scalars(
        select(Deployment).where(
            Deployment.registration_id == registration.id,
            Deployment.deployment_id == deployment_id,
        )
    ).first()


def move_deployment(issuer: str, client_id: str, deployment_id: str, school_name: str) -> tuple:
    """Move a deployment to another existing school on purpose (IT), audited in both schools'
    logs. Nothing else moves: the old school's people and courses stay with the old school, so
    their accounts are refused in the new one until the new school's data knows them."""
    registration = db.session.scalars(
        select(Registration).where(
            Registration.issuer == issuer, Registration.client_id == client_id
        )
    ).first()
    found = _deployment(registration, deployment_id) if registration else None
    if found is None:
        raise RegistrationError(_("No deployment %(deployment)s for %(issuer)s (client "
                                  "%(client)s).", deployment=deployment_id, issuer=issuer,
                                  client=client_id))  # fmt: skip
    target = db.session.scalars(select(School).where(School.name == school_name.strip())).first()
    if target is None:
        raise RegistrationError(_("No school named %(name)s.", name=school_name))
    old = found.school
    if old.id != target.id:
        from plugin.audit import record_event

        for school_id in (old.id, target.id):
            record_event("deployment_moved", "lti_deployment", found.id, school_id=school_id,
                         issuer=issuer, client=client_id, deployment=deployment_id,
                         from_school=old.id, to_school=target.id)  # fmt: skip
        found.school_id = target.id
        db.session.flush()
    return old, target


def all_registrations() -> list[Registration]:
    return list(db.session.scalars(select(Registration).order_by(Registration.issuer)))


def remove_registration(issuer: str, client_id: str | None) -> int:
    query = select(Registration).where(Registration.issuer == issuer)
    if client_id:
        query = query.where(Registration.client_id == client_id)
    found = list(db.session.scalars(query))
    for registration in found:
        db.session.delete(registration)
    db.session.flush()
    return len(found)


def export_registrations() -> list[dict[str, Any]]:
    """Every registration as JSON-ready data (no keys: those stay in this database)."""
    return [
        {key: getattr(reg, key) for key in REGISTRATION_FIELDS}
        | {
            "deployments": [
                {"deployment_id": dep.deployment_id, "school": dep.school.name}
                for dep in reg.deployments
            ]
        }
        for reg in all_registrations()
    ]


def import_registrations(data: Any) -> int:
    """Create or update every registration in ``data`` (as ``export`` writes it); a problem
    names the entry (1-based) and nothing is kept (the caller rolls back)."""
    from flask_babel import gettext as _

    if not isinstance(data, list):
        raise RegistrationError(_("The file must hold a JSON list of registrations."))
    for number, item in enumerate(data, start=1):
        try:
            _import_one(item)
        except RegistrationError as error:
            raise type(error)(_("Registration %(number)d: %(error)s", number=number,
                                error=error)) from error  # fmt: skip
    return len(data)


def _import_one(item: Any) -> None:
    from flask_babel import gettext as _

    if not isinstance(item, dict):
        raise RegistrationError(_("each registration must be a JSON object."))
    deployments = item.get("deployments") or []
    if not isinstance(deployments, list):
        raise RegistrationError(_("deployments must be a list."))
    ib_roles = item.get("ib_roles")
    if ib_roles is not None and not (
        isinstance(ib_roles, list) and all(isinstance(r, str) and len(r) <= 255 for r in ib_roles)
    ):
        raise RegistrationError(_("ib_roles must be a list of role URIs."))
    registration = upsert_registration(**{k: item.get(k) for k in REGISTRATION_FIELDS})
    for dep in deployments:
        if not isinstance(dep, dict):
            raise RegistrationError(_("each deployment needs a deployment_id and a school."))
        deployment_id = valid_deployment_id(dep.get("deployment_id"))
        add_deployment(registration, deployment_id, school_named(dep.get("school")))


def platform_origins(school_id: int | None = None) -> list[str]:
    """Page origins of the registered platforms (CSP frame-ancestors and form-action): of
    every platform, or only of those deployed for ``school_id``."""
    origins = set()
    for stored in db.session.scalars(_origins_query(school_id is not None), {"school": school_id}):
        origins.update(safe_origins(stored))
    return sorted(origins)


def safe_origins(stored) -> list[str]:
    """A registration's stored page origins that may be written into a CSP header."""
    return [o for o in stored or () if isinstance(o, str) and _SAFE_ORIGIN.match(o)]


@prepared
def _origins_query(of_school: bool):
    query = select(Registration.page_origins)
    if of_school:
        query = query.where(
            Registration.id.in_(
                select(Deployment.registration_id).where(
                    Deployment.school_id == bindparam("school")
                )
            )
        )
    return query


_SAFE_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.\-\[\]:]+$")
"""What may be written into a CSP header (no spaces, quotes or semicolons)."""


def deployment_for(ctx: LaunchContext) -> Deployment | None:
    return db.session.scalars(
        select(Deployment)
        .join(Registration)
        .where(
            Registration.issuer == ctx.issuer,
            Registration.client_id == ctx.client_id,
            Deployment.deployment_id == ctx.deployment_id,
        )
    ).first()


# --- roles -------------------------------------------------------------------------------


def map_role(ctx: LaunchContext, registration: Registration) -> Role | None:
    """IB (an institution role configured on the registration), else teacher, else pupil,
    else None.

    Only what the platform's administrator controls can make an IB. Custom parameters and
    course names are typed by course owners (in Moodle every editing teacher sets them), so
    they never widen a role.
    """
    names = claims.role_names(list(ctx.roles))
    teacher = bool(names & {claims.ROLE_INSTRUCTOR, claims.ROLE_INSTITUTION_INSTRUCTOR})
    if names & set(registration.ib_roles or ()):
        return Role.IB
    if teacher:
        return Role.LEERKRACHT
    if names & {
        claims.ROLE_LEARNER,
        claims.ROLE_INSTITUTION_STUDENT,
        claims.ROLE_INSTITUTION_LEARNER,
    }:
        return Role.LEERLING
    return None


# --- where a launch lands, what the tool tells platforms ---------------------------------


def landing_url(ctx: LaunchContext) -> str:
    """A deep-linked page of this tool when the launch targets one; else the dashboard."""
    from flask import current_app, url_for

    if ctx.is_deep_linking and "lti.deep_link" in current_app.view_functions:
        return url_for("lti.deep_link")
    target = urlsplit(ctx.target_link_uri or "")
    path = target.path or "/"
    base_path = urlsplit(current_app.config["PUBLIC_BASE_URL"]).path.rstrip("/")
    if path.startswith(base_path):
        path = path[len(base_path) :] or "/"
    adapter = current_app.url_map.bind("localhost")
    try:
        endpoint, _args = adapter.match(path, method="GET")
    except HTTPException:
        endpoint = None
    if endpoint and not endpoint.startswith(("lti.", "demo.", "static", "core.")):
        return path + (f"?{target.query}" if target.query else "")
    if "dashboard.index" in current_app.view_functions:
        return url_for("dashboard.index")
    return url_for("core.index")


def tool_configuration(public_url: Callable[..., str]) -> dict[str, Any]:
    """The tool's URLs and settings, as an administrator registering it by hand needs them."""
    launch = public_url("lti.launch")
    return {
        "title": "Leerling in beeld",
        "description": "Leerlingvolgsysteem voor het primair onderwijs (LTI 1.3).",
        "oidc_initiation_url": public_url("lti.oidc_login"),
        "target_link_uri": launch,
        "redirect_uris": [launch],
        "jwks_uri": public_url("lti.jwks"),
        "dynamic_registration": "flask --app wsgi lti registration-url --school NAME "
        "prints a one-time registration URL to paste into the platform",
        "deep_linking_url": launch,
        "domain": urlsplit(launch).netloc,
        "scopes": [claims.SCOPE_NRPS],
        "claims": ["iss", "sub", "name", "given_name", "family_name", "email"],
        "messages": [claims.RESOURCE_LINK_REQUEST, claims.DEEP_LINKING_REQUEST],
        "public_key_type": "JWK Set URL",
    }


def _has_endpoint(name: str) -> bool:
    from flask import current_app

    return name in current_app.view_functions


ROSTER_INTERVAL = timedelta(minutes=30)
"""After a roster sync succeeded, launches queue none for this long."""
ROSTER_WAIT = timedelta(minutes=10)
"""A queued sync that has not run by then (a stopped worker) may be queued again."""
ROSTER_JOB = "roster_sync"


def _within(moment: datetime | None, span: timedelta, now: datetime) -> bool:
    if moment is None:
        return False
    if moment.tzinfo is None:  # SQLite gives naive UTC back
        moment = moment.replace(tzinfo=UTC)
    return now - moment < span


def queue_roster_sync(registration: Registration, course, group, ctx: LaunchContext,
                      now: datetime) -> bool:  # fmt: skip
    """Queue a linked course's roster sync as a background job, which runs after this launch
    has committed (the platform may check the token by fetching ``/lti/jwks``, which must see
    committed keys, and a slow platform never delays a launch). At most every half hour after
    a sync that succeeded, and not while one waits; whether queued."""
    from plugin.jobs import enqueue

    if course is None or group is None or course.group_id != group.id or not ctx.nrps_url:
        return False  # only a course the school linked has a roster worth reading
    if _within(course.roster_synced_at, ROSTER_INTERVAL, now) or _within(
        course.roster_queued_at, ROSTER_WAIT, now
    ):
        return False
    course.roster_queued_at = now
    enqueue(ROSTER_JOB, {"registration_id": registration.id, "course_id": course.id,
                         "group_id": group.id, "url": ctx.nrps_url},
            school_id=group.school_id)  # fmt: skip
    return True


class RosterUnavailable(Exception):
    """The platform did not hand over the class list (the job is retried)."""


def run_roster_sync(job) -> dict:
    """The ``roster_sync`` job: fetch the course's members, then apply them (:mod:`lti.nrps`).

    The platform is asked outside any write transaction (on SQLite a waiting job must not hold
    the write lock: the platform may fetch ``/lti/jwks`` meanwhile, and every request would
    wait). Success sets ``roster_synced_at`` (no sync for half an hour), replaces the course's
    unmatched accounts the IB reads (Administratie → Koppelingen) and writes an audit row with
    counts only. A platform that does not answer sets ``roster_failed_at`` in a commit of its
    own (the teacher's page says so) and fails the attempt, so the queue retries it and
    ``flask jobs`` shows it."""
    from datetime import date

    from lti import keys, nrps
    from plugin import course_requests
    from plugin.audit import record_event
    from plugin.db import reading

    payload = job.payload
    failure = None
    with reading():
        found = _roster_objects(payload)
        members = None
        if found is not None:
            try:
                members = nrps.fetch_members(found[2], payload["url"])
            except (nrps.RosterError, keys.NoToolKey) as error:
                failure = error
        db.session.rollback()  # end the read: what follows writes
    if failure is not None:
        _roster_failed(payload, failure)
    found = _roster_objects(payload) if members is not None else None
    if found is None:
        return {"skipped": "unlinked"}  # unlinked (or removed) since the launch: nothing to do
    course, group, registration = found
    result = nrps.apply_roster(course, group, registration.issuer, members, date.today())
    course.roster_synced_at, course.roster_failed_at = datetime.now(UTC), None
    course_requests.replace_unmatched(course, [account["name"] for account in result.unresolved])
    record_event("roster_sync", "group", group.id, school_id=group.school_id, course=course.id,
                 added=result.pupils_added, left=result.pupils_left,
                 matched=result.pupils_matched, teachers=result.teachers_linked,
                 unresolved=len(result.unresolved))  # fmt: skip
    return {"added": result.pupils_added, "left": result.pupils_left,
            "matched": result.pupils_matched, "teachers": result.teachers_linked,
            "unresolved": len(result.unresolved)}  # fmt: skip


def _roster_objects(payload: dict) -> tuple | None:
    """The job's course, group and registration, while the course is still linked to it."""
    from plugin.models import Group, PlatformContext

    course = db.session.get(PlatformContext, payload["course_id"])
    group = db.session.get(Group, payload["group_id"])
    registration = db.session.get(Registration, payload["registration_id"])
    if course is None or group is None or registration is None or course.group_id != group.id:
        return None
    return course, group, registration


def _roster_failed(payload: dict, error: Exception):
    """Record (committed) that the class list could not be fetched, then fail the attempt."""
    from lti import keys
    from plugin.jobs import JobRefused
    from plugin.models import PlatformContext

    course = db.session.get(PlatformContext, payload["course_id"])
    if course is not None:
        course.roster_failed_at = datetime.now(UTC)
    db.session.commit()
    log.warning("roster sync for group %s failed: %s", payload["group_id"], error)
    if isinstance(error, keys.NoToolKey):
        raise JobRefused(_("The tool has no signing key yet. The IT administrator must run "
                           "'flask --app wsgi setup' on the server.")) from error  # fmt: skip
    raise RosterUnavailable(str(error)) from error
