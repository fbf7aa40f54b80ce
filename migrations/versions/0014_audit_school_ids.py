"""privacy: a moved deployment's audit rows name the schools by id, not by name

Revision ID: 0014_audit_school_ids
Revises: 0013_audit_titles

``deployment_moved`` (IT moving a platform deployment to another school, ``flask lti
move-deployment``) kept the two schools' names in its detail as ``old`` and ``new``. Every other
row of the log holds ids and the Logboek looks names up when it is shown; these rows now do the
same, with ``from_school`` and ``to_school`` (ids). The sentence no longer says "to this school"
in the log of the school the deployment left.

This migration replaces the names of existing rows by the ids of the schools with those names;
a name no school has any more is dropped (the Logboek reads "een verwijderde school"). Every
other key stays. Like 0013_audit_titles, it is a one-time rewrite of the append-only log, works
on SQLite and PostgreSQL alike (the detail is read and written as JSON through SQLAlchemy), and
its downgrade changes nothing.
"""
import json

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0014_audit_school_ids'
down_revision = '0013_audit_titles'
branch_labels = None
depends_on = None


AUDIT = sa.table(
    "audit_event", sa.column("id", sa.Integer), sa.column("action", sa.String),
    sa.column("detail", sa.JSON),
)
SCHOOL = sa.table("school", sa.column("id", sa.Integer), sa.column("name", sa.String))
RENAMED = {"old": "from_school", "new": "to_school"}


def _detail(raw) -> dict:
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return {}
    return raw if isinstance(raw, dict) else {}


def upgrade():
    conn = op.get_bind()
    events = conn.execute(
        sa.select(AUDIT.c.id, AUDIT.c.detail).where(AUDIT.c.action == "deployment_moved")
        .order_by(AUDIT.c.id)
    ).all()
    if not events:
        return
    school_ids = {name: id_ for id_, name in conn.execute(sa.select(SCHOOL.c.id, SCHOOL.c.name))}
    for event in events:
        detail = _detail(event.detail)
        if not any(key in detail for key in RENAMED):
            continue
        kept = {k: v for k, v in detail.items() if k not in RENAMED}
        for key, new_key in RENAMED.items():
            school_id = school_ids.get(detail.get(key))
            if school_id is not None:
                kept[new_key] = school_id
        conn.execute(AUDIT.update().where(AUDIT.c.id == event.id).values(detail=kept))


def downgrade():
    pass  # the ids stay: the Logboek looks the names up
