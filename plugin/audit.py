"""Writing audit events. Every view of a pupil's results goes through :func:`record_event`."""

from __future__ import annotations

from typing import Any

from flask import g, has_request_context, session

from plugin.extensions import db
from plugin.models import AuditEvent


def record_event(
    action: str,
    object_type: str = "",
    object_id: int | None = None,
    *,
    school_id: int | None = None,
    **detail: Any,
) -> AuditEvent:
    """Add an audit event for the signed-in user (flushed, committed with the request).

    Outside a request (CLI commands) the actor is the command line.
    """
    actor = _actor()
    event = AuditEvent(
        school_id=school_id if school_id is not None else actor.get("school_id"),
        actor_staff_id=actor.get("staff_id"),
        actor_label=actor.get("label", ""),
        action=action,
        object_type=object_type,
        object_id=object_id,
        detail=detail,
    )
    db.session.add(event)
    db.session.flush()
    return event


def _actor() -> dict[str, Any]:
    if not has_request_context():
        return {"label": "cli"}
    principal = g.get("principal")
    data = principal.__dict__ if principal is not None else session.get("principal")
    if not data:
        return {"label": "anonymous"}
    label = f"{data.get('role')}: {data.get('display_name', '')}"
    return {
        "school_id": data.get("school_id"),
        "staff_id": data.get("staff_id"),
        # A staff name may fill its own column (200): the label must still fit in its one.
        "label": label[: AuditEvent.actor_label.type.length],
    }
