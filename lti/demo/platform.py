"""The demo platform's side of LTI: its registration with the tool, its users and id_tokens."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import date

import jwt
from flask import current_app
from sqlalchemy import select

from lti import claims, keys, services
from lti.demo import CLIENT_ID, ISSUER, endpoints, issuer
from lti.models import Registration
from lti.state import store
from plugin.extensions import db
from plugin.models import School

HINT_TTL = 10 * 60


@dataclass(frozen=True)
class DemoUser:
    key: str
    label: str
    name: str
    roles: tuple[str, ...]
    context: str | None = None
    custom: tuple[tuple[str, str], ...] = ()


USERS = {
    "leerkracht": DemoUser("leerkracht", "leerkracht", "Juf Demi Jansen (fictief)",
                           (claims.ROLE_INSTRUCTOR,), context="Groep 5"),
    "ib": DemoUser("ib", "intern begeleider", "Meester Ibo de Vries (fictief)",
                   (claims.ROLE_INSTRUCTOR, claims.ROLE_INSTITUTION_ADMIN)),
    "leerling": DemoUser("leerling", "leerling", "Lotte Demo (fictief)",
                         (claims.ROLE_LEARNER,), context="Groep 5"),
}  # fmt: skip


def course_name(school: School, default: str) -> str:
    """The demo course of the teacher's class: a platform fed by the school's administration
    names a class's course after the class, so the demo platform names it after the group the
    school's data lists for the demo teacher this year (else ``default``). This only names the
    course; whether it links is the tool's ordinary rule (the import must say she teaches it)."""
    from plugin.models import Group, StaffMember, TeacherGroup, TeacherSource
    from plugin.periods import school_year_of

    name = db.session.scalars(
        select(Group.name)
        .join(TeacherGroup, TeacherGroup.group_id == Group.id)
        .join(StaffMember, StaffMember.id == TeacherGroup.staff_id)
        .where(StaffMember.school_id == school.id,
               StaffMember.email == f"leerkracht.{school.id}@demo.invalid",
               TeacherGroup.source == TeacherSource.IMPORT.value,
               Group.school_year == school_year_of(date.today()))
        .order_by(Group.leerjaar, Group.name)
    ).first()  # fmt: skip
    return name or default


def demo_schools() -> list[School]:
    return list(db.session.scalars(select(School).where(School.is_synthetic).order_by(School.name)))


def deployment_id(school: School) -> str:
    return f"demo-school-{school.id}"


def ensure_registered(school: School) -> None:
    """Register the demo platform with the tool (idempotent) and deploy it for ``school``.

    The demo is this installation's own platform: when the tool's public address changed
    (``PORT=8080 make run``), its endpoints move along. That is the only registration whose
    URLs change here; an outside platform's never do (see ``services.upsert_registration``)."""
    base = endpoints()
    urls = {"auth_login_url": base + "/auth", "auth_token_url": base + "/token",
            "jwks_url": base + "/jwks"}  # fmt: skip
    registration = db.session.scalars(
        select(Registration).where(Registration.issuer == ISSUER,
                                   Registration.client_id == CLIENT_ID)
    ).first()  # fmt: skip
    if registration is None:
        registration = services.upsert_registration(
            issuer=ISSUER, client_id=CLIENT_ID, name="Demoplatform (fictief)", **urls
        )
    for field, url in urls.items():
        setattr(registration, field, url)
    services.add_deployment(registration, deployment_id(school), school)
    keys.ensure_key(keys.DEMO_PLATFORM)  # made by `flask setup`; this page commits it otherwise


def login_start_params(school: School, user: DemoUser, launch_url: str) -> dict[str, str]:
    """The third-party initiated login request the platform sends to the tool."""
    hint = secrets.token_urlsafe(16)
    store.set("demo-hint:" + hint, {"school_id": school.id, "user": user.key}, HINT_TTL)
    return {
        "iss": issuer(),
        "login_hint": hint,
        "target_link_uri": launch_url,
        "client_id": CLIENT_ID,
        "lti_deployment_id": deployment_id(school),
    }


def id_token(hint: dict, nonce: str, target_link_uri: str) -> str:
    """A signed id_token for the user the login hint stands for."""
    school = db.session.get(School, hint["school_id"])
    user = USERS[hint["user"]]
    now = int(time.time())
    body = {
        "iss": issuer(), "aud": CLIENT_ID, "sub": f"demo-{user.key}-{school.id}",
        "iat": now, "exp": now + 300, "nonce": nonce, "name": user.name,
        "given_name": user.name.split()[1], "family_name": user.name.split(" (")[0].split()[-1],
        "email": f"{user.key}.{school.id}@demo.invalid",
        claims.MESSAGE_TYPE: claims.RESOURCE_LINK_REQUEST, claims.VERSION: claims.LTI_VERSION,
        claims.DEPLOYMENT_ID: deployment_id(school), claims.TARGET_LINK_URI: target_link_uri,
        claims.RESOURCE_LINK: {"id": f"demo-tile-{school.id}", "title": "Leerling in beeld"},
        claims.ROLES: list(user.roles),
        claims.LAUNCH_PRESENTATION: {"locale": "nl-NL", "document_target": "window"},
        claims.TOOL_PLATFORM: {"guid": f"demo-{school.id}", "name": "Demoplatform (fictief)"},
    }  # fmt: skip
    if user.context:
        course = course_name(school, user.context)
        body[claims.CONTEXT] = {
            "id": f"demo-{school.id}-{course.lower().replace(' ', '-').replace('/', '-')}",
            "label": course, "title": f"{course} — {school.name}",
            "type": [claims.CONTEXT_TYPE_COURSE],
        }  # fmt: skip
    if user.custom:
        body[claims.CUSTOM] = dict(user.custom)
    key = keys.current_key(keys.DEMO_PLATFORM)
    return jwt.encode(body, key.private_pem, algorithm="RS256", headers={"kid": key.kid})


def valid_redirect(uri: str | None) -> bool:
    return uri == current_app.config["PUBLIC_BASE_URL"] + "/lti/launch"
