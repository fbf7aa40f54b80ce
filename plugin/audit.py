"""Writing audit events. Every view of a pupil's results goes through :func:`record_event`.

Only actions of :class:`plugin.audit_actions.AuditAction` are accepted (each has a Dutch label
and sentence). A row holds ids, never names: the actor is a staff or pupil id plus a role, and
the names are looked up when the log is shown (:mod:`plugin.admin.audit_log`).
"""

from __future__ import annotations

from typing import Any

from flask import g, has_request_context, session

from plugin.audit_actions import AuditAction, audit_action
from plugin.extensions import db
from plugin.models import AuditEvent

CLI_ACTOR = "cli"
JOB_ACTOR = "job"
ANONYMOUS_ACTOR = "anonymous"


def record_event(
    action: AuditAction | str,
    object_type: str = "",
    object_id: int | None = None,
    *,
    school_id: int | None = None,
    **detail: Any,
) -> AuditEvent:
    """Add an audit event for the signed-in user (flushed, committed with the request).

    Outside a request (CLI commands) the actor is the command line. Raises
    :class:`~plugin.audit_actions.UnknownAuditAction` for an action without a label.
    """
    action = audit_action(action)
    actor = _actor()
    event = AuditEvent(
        school_id=school_id if school_id is not None else actor.get("school_id"),
        actor_staff_id=actor.get("staff_id"),
        actor_pupil_id=actor.get("pupil_id"),
        actor_label=actor["label"],
        action=action.value,
        object_type=object_type,
        object_id=object_id,
        pupil_id=about_pupil(object_type, object_id, detail),
        detail=detail,
    )
    db.session.add(event)
    db.session.flush()
    return event


def about_pupil(object_type: str, object_id: int | None, detail: dict[str, Any]) -> int | None:
    """The pupil an event is about: its object, or the ``pupil_id`` of its detail."""
    if object_type == "pupil":
        return object_id
    pupil_id = detail.get("pupil_id")
    return pupil_id if isinstance(pupil_id, int) else None


def _actor() -> dict[str, Any]:
    if not has_request_context():
        return {"label": CLI_ACTOR}
    principal = g.get("principal")
    data = principal.__dict__ if principal is not None else session.get("principal")
    if not data:
        return {"label": ANONYMOUS_ACTOR}
    return {
        "school_id": data.get("school_id"),
        "staff_id": data.get("staff_id"),
        "pupil_id": data.get("pupil_id") if data.get("staff_id") is None else None,
        "label": str(data.get("role") or ANONYMOUS_ACTOR)[: AuditEvent.actor_label.type.length],
    }
