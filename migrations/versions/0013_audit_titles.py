"""privacy: audit rows of course-link decisions and new groups keep ids only (no course titles,
labels or group names)

Revision ID: 0013_audit_titles
Revises: 0012_privacy_requests

Until now ``course_link_approved`` and ``course_link_refused`` kept the course's ``title`` (and a
refused request its ``label``) in their ``detail``, and ``group_created`` the new group's
``name``. A course's title and label are free text typed in the platform and often name a
teacher ("Groep 7 juf Demi"); a group name may too. From now on these rows hold ids only: the
course link is the row's object, the groups are ``old`` / ``new`` (ids), a decision on a
request keeps the request's id, and the Logboek looks the course's title and the group's name
up when it is shown ("een verwijderde cursus" / "een verwijderde groep" once the row is gone).

This migration strips ``title`` and ``label`` from the existing decisions (``context_relinked``,
the older spelling of an approval, included) and ``name`` from ``group_created``; every other key
stays. The audit log is append-only for the application (a listener refuses every UPDATE and
DELETE); this migration, like 0010_privacy and 0012_privacy_requests before it, is a one-time
cleanup that may rewrite it. It works on SQLite and PostgreSQL alike (the detail is read and
written as JSON through SQLAlchemy, never with a dialect's JSON functions). The downgrade
changes nothing: it does not put titles or names back.
"""
import json

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0013_audit_titles'
down_revision = '0012_privacy_requests'
branch_labels = None
depends_on = None


AUDIT = sa.table(
    "audit_event", sa.column("id", sa.Integer), sa.column("action", sa.String),
    sa.column("detail", sa.JSON),
)

STRIPPED = {
    "course_link_approved": ("title", "label"),
    "context_relinked": ("title", "label"),
    "course_link_refused": ("title", "label"),
    "group_created": ("name",),
}
"""Per action, the detail keys that held free text typed by people (and so, often, a name)."""


def _detail(raw) -> dict:
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return {}
    return raw if isinstance(raw, dict) else {}


def upgrade():
    conn = op.get_bind()
    for action, keys in STRIPPED.items():
        events = conn.execute(
            sa.select(AUDIT.c.id, AUDIT.c.detail).where(AUDIT.c.action == action)
            .order_by(AUDIT.c.id)
        ).all()
        for event in events:
            detail = _detail(event.detail)
            if any(key in detail for key in keys):
                kept = {k: v for k, v in detail.items() if k not in keys}
                conn.execute(AUDIT.update().where(AUDIT.c.id == event.id).values(detail=kept))


def downgrade():
    pass  # the titles and names are gone for good
