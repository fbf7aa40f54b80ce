"""What the rest of the app learns from a launch: a small frozen :class:`LaunchContext`.

Only this module reads claims; views and services see the dataclass.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lti import claims
from plugin.inputs import clean_text


@dataclass(frozen=True)
class LaunchContext:
    issuer: str
    client_id: str
    deployment_id: str
    message_type: str
    user_sub: str
    user_name: str
    user_email: str | None
    roles: tuple[str, ...]
    user_eckid: str | None = None
    """The ECK iD, only from a claim the platform sets (LIS ``person_sourcedid``)."""
    context_id: str | None = None
    context_label: str | None = None
    context_title: str | None = None
    resource_link_id: str | None = None
    target_link_uri: str | None = None
    locale: str | None = None
    custom: Mapping[str, str] = field(default_factory=dict)
    nrps_url: str | None = None
    deep_linking: Mapping[str, Any] | None = None
    launch_id: str = ""

    @property
    def is_deep_linking(self) -> bool:
        return self.message_type == claims.DEEP_LINKING_REQUEST


def _text(value: Any, limit: int = 255) -> str | None:
    """A claim as text the database can hold: control characters (NUL) removed, cut to the
    column's length (a platform's long or odd name must not break the launch)."""
    return clean_text(value, limit)


def _name(body: Mapping[str, Any]) -> str:
    name = _text(body.get("name"), 200)
    if name:
        return name
    parts = [_text(body.get(key), 100) for key in ("given_name", "family_name")]
    return " ".join(part for part in parts if part) or ""


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def from_claims(body: Mapping[str, Any], client_id: str, launch_id: str = "") -> LaunchContext:
    """Build the context from a validated id_token body."""
    context = _dict(body.get(claims.CONTEXT))
    presentation = _dict(body.get(claims.LAUNCH_PRESENTATION))
    custom = {
        str(key)[:100]: clean_text(str(value), 255) or ""
        for key, value in _dict(body.get(claims.CUSTOM)).items()
        if isinstance(value, str | int | float) and not isinstance(value, bool)
    }
    roles = body.get(claims.ROLES) or []
    return LaunchContext(
        issuer=body["iss"],
        client_id=client_id,
        deployment_id=str(body.get(claims.DEPLOYMENT_ID, "")),
        message_type=str(body.get(claims.MESSAGE_TYPE, "")),
        user_sub=str(body["sub"]),
        user_name=_name(body),
        user_email=_text(body.get("email"), 254),
        roles=tuple(role for role in roles if isinstance(role, str)),
        user_eckid=claims.eckid_or_none(_dict(body.get(claims.LIS)).get("person_sourcedid")),
        context_id=_text(context.get("id")),
        context_label=_text(context.get("label"), 100),
        context_title=_text(context.get("title")),
        resource_link_id=_text(_dict(body.get(claims.RESOURCE_LINK)).get("id")),
        target_link_uri=_text(body.get(claims.TARGET_LINK_URI), 2000),
        locale=_text(presentation.get("locale"), 20),
        custom=custom,
        nrps_url=_text(_dict(body.get(claims.NRPS)).get("context_memberships_url"), 2000),
        deep_linking=dict(_dict(body.get(claims.DEEP_LINKING_SETTINGS))) or None,
        launch_id=launch_id,
    )
