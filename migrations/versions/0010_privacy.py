"""privacy: audit rows hold ids, never names

Revision ID: 0010_privacy
Revises: 0010_launch

``audit_event`` gains ``pupil_id`` (the pupil an event is about, for the log's pupil filter)
and ``actor_pupil_id`` (a pupil who acted, at a launch); neither is a foreign key, so both
outlive an erasure. ``actor_label`` held "role: name"; existing rows keep only the role (the
log looks names up from ``actor_staff_id`` when it is shown). Events about a pupil get their
``pupil_id`` from their object (or, for a changed score, its pupil).
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0010_privacy"
down_revision = "0010_launch"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("actor_pupil_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("pupil_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_audit_event_school_pupil", ["school_id", "pupil_id"])
    conn = op.get_bind()
    conn.execute(
        sa.text("UPDATE audit_event SET pupil_id = object_id WHERE object_type = 'pupil'")
    )
    changed = conn.execute(
        sa.text("SELECT id, detail FROM audit_event WHERE action = 'result_changed'")
    ).all()
    for event_id, detail in changed:
        detail = json.loads(detail) if isinstance(detail, str) else detail or {}
        if isinstance(detail.get("pupil_id"), int):
            conn.execute(
                sa.text("UPDATE audit_event SET pupil_id = :pupil WHERE id = :id"),
                {"pupil": detail["pupil_id"], "id": event_id},
            )
    before_colon = (
        "split_part(actor_label, ': ', 1)"
        if conn.dialect.name == "postgresql"
        else "substr(actor_label, 1, instr(actor_label, ': ') - 1)"
    )
    conn.execute(
        sa.text(
            f"UPDATE audit_event SET actor_label = {before_colon}"  # noqa: S608 - no input
            " WHERE actor_label LIKE '%: %'"
        )
    )


def downgrade():
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_event_school_pupil")
        batch_op.drop_column("pupil_id")
        batch_op.drop_column("actor_pupil_id")
