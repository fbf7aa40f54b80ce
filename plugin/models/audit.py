"""Append-only audit log (AVG): who viewed or exported which pupil, score edits, goal and role
changes, migration runs, and refused access attempts. The IB of the school can read it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, event, func
from sqlalchemy.orm import Mapped, mapped_column

from plugin.db import Base


class AuditEvent(Base):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id", ondelete="RESTRICT"))
    actor_staff_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_member.id", ondelete="SET NULL")
    )
    actor_label: Mapped[str] = mapped_column(String(200), default="")
    """The actor's role (``ib``, ``leerkracht``, ``leerling``, ``cli``, ``job``), never a name:
    names are looked up when the log is shown."""
    actor_pupil_id: Mapped[int | None]
    """The pupil who acted (a pupil's launch); an id only, no foreign key: it outlives erasure."""
    action: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str] = mapped_column(String(40), default="")
    object_id: Mapped[int | None]
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    pupil_id: Mapped[int | None]
    """The pupil the event is about (its object, or the pupil of a changed score), so the log
    can be filtered by pupil; an id only, no foreign key: it outlives erasure."""

    __table_args__ = (
        Index("ix_audit_event_school_time", "school_id", "occurred_at"),
        # The log's filter by action.
        Index("ix_audit_event_school_action", "school_id", "action"),
        Index("ix_audit_event_school_pupil", "school_id", "pupil_id"),
    )


class AuditLogIsAppendOnly(RuntimeError):
    pass


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _refuse_change(mapper, connection, target) -> None:  # noqa: ARG001
    raise AuditLogIsAppendOnly("audit events cannot be changed or deleted")
