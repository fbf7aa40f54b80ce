"""The school's data-migration state follows its imports of history.

*niet begonnen* until the first results are imported; *bezig* (in progress) from then on,
until the IB closes the migration in Administratie; *klaar* (done) after that. Reopening sets
it back to *bezig* (a forgotten year turns up). Every change is audited (old → new).
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from plugin.audit import record_event
from plugin.extensions import db
from plugin.models import AuditEvent, MigrationState, School


class MigrationRefused(ValueError):
    """The IB cannot make this change now; the message says why (Dutch)."""


def _change(school: School, state: MigrationState, staff_id=None, label=None, **detail) -> None:
    old = school.migration_state
    if old is state:
        return
    if label is None:
        record_event("migration_state_changed", "school", school.id, school_id=school.id,
                     old=old.value, new=state.value, **detail)  # fmt: skip
    else:
        db.session.add(AuditEvent(
            school_id=school.id, actor_staff_id=staff_id, actor_label=label,
            action="migration_state_changed", object_type="school", object_id=school.id,
            detail={"old": old.value, "new": state.value, **detail}))  # fmt: skip
    school.migration_state = state
    db.session.flush()


def follow_import(school: School, staff_id: int | None, label: str) -> None:
    """An import of history was applied: the migration is under way, unless already closed."""
    if school.migration_state is MigrationState.NOT_STARTED:
        _change(school, MigrationState.IN_PROGRESS, staff_id, label, reason="import")


def imported_history(school_id: int) -> int:
    """How many imports of results the school has applied."""
    return db.session.scalar(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.school_id == school_id, AuditEvent.action == "results_imported"
        )
    ) or 0  # fmt: skip


def close_migration(school: School) -> None:
    """The IB says the history is complete: *klaar*. A school without history of its own
    (new, or starting fresh) may close it without importing anything."""
    _change(school, MigrationState.DONE, reason="closed")


def reopen_migration(school: School) -> None:
    """More history turns up after closing: back to *bezig*."""
    if school.migration_state is not MigrationState.DONE:
        raise MigrationRefused(_("The migration is not closed."))
    _change(school, MigrationState.IN_PROGRESS, reason="reopened")
