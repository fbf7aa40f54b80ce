"""Deep Linking 2.0: the teacher picks a page of the tool, the tool answers the platform with a
signed ``LtiDeepLinkingResponse`` holding one ``ltiResourceLink``.

The choices are the pages that exist in this installation (dashboard, each visible group's
report, the instructions), found by endpoint, so the picker never offers a dead link. No item
carries a ``custom`` object: Moodle 4.1+ fails on an empty one, and the page is in the URL.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any

import jwt
from flask import current_app, url_for
from sqlalchemy import select

from lti import claims, keys
from lti.context import LaunchContext
from lti.state import store
from plugin.auth import Principal, visible_group_ids
from plugin.extensions import db
from plugin.models import Group
from plugin.periods import school_year_of

RECORD_TTL = 60 * 60


@dataclass(frozen=True)
class Choice:
    key: str
    title: str
    path: str


def remember_request(ctx: LaunchContext) -> None:
    """Keep the platform's deep-linking settings until the teacher has chosen."""
    store.set("dl:" + ctx.launch_id, {
        "settings": dict(ctx.deep_linking or {}), "issuer": ctx.issuer,
        "client_id": ctx.client_id, "deployment_id": ctx.deployment_id,
    }, RECORD_TTL)  # fmt: skip


def pending_request(launch_id: str | None) -> dict | None:
    return store.get("dl:" + launch_id) if launch_id else None


def _endpoint(name: str) -> bool:
    return name in current_app.view_functions


def choices(principal: Principal, today) -> list[Choice]:
    """The pages a tile may open, by the endpoints that exist."""
    found: list[Choice] = []
    if _endpoint("dashboard.index"):
        found.append(
            Choice("dashboard", "Leerling in beeld — overzicht", url_for("dashboard.index"))
        )
    if _endpoint("reports.group"):
        groups = db.session.scalars(
            select(Group)
            .where(Group.id.in_(visible_group_ids(principal)),
                   Group.school_year == school_year_of(today))
            .order_by(Group.leerjaar, Group.name)
        )  # fmt: skip
        for group in groups:
            path = url_for("reports.group", group_id=group.id)
            found.append(Choice(f"group-{group.id}", f"Groepsrapport {group.name}", path))
    if _endpoint("instructions.index"):
        found.append(Choice("instructions", "Instructies", url_for("instructions.index")))
    return found


def response_token(request: dict, choice: Choice) -> str:
    """The signed LtiDeepLinkingResponse for ``choice``."""
    now = int(time.time())
    item: dict[str, Any] = {
        "type": "ltiResourceLink",
        "title": choice.title,
        "url": current_app.config["PUBLIC_BASE_URL"] + choice.path,
    }
    body: dict[str, Any] = {
        "iss": request["client_id"], "aud": request["issuer"], "iat": now, "exp": now + 300,
        "nonce": secrets.token_urlsafe(16),
        claims.DEPLOYMENT_ID: request["deployment_id"],
        claims.MESSAGE_TYPE: claims.DEEP_LINKING_RESPONSE, claims.VERSION: claims.LTI_VERSION,
        claims.DL_CONTENT_ITEMS: [item],
    }  # fmt: skip
    data = request["settings"].get("data")
    if data:
        body[claims.DL_DATA] = data
    key = keys.current_key()
    return jwt.encode(body, key.private_pem, algorithm="RS256", headers={"kid": key.kid})
