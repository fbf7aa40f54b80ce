"""launch: the tool's signing key made at set-up; a course's roster sync state

Revision ID: 0010_launch
Revises: 0010_results_import

The tool's key is created here (and by ``flask setup``), never inside a request: a key made in
a launch's open transaction is invisible to the platform that fetches ``/lti/jwks`` to check
the roster sync's token (the first sync of a fresh installation failed that way in Moodle).
It is encrypted with the first key of LTI_KEY_ENCRYPTION_KEYS (``flask db upgrade`` runs
inside the app); without the app, ``flask setup`` makes it.

``platform_context`` learns when its roster sync was queued, last succeeded and last failed:
the launch queues a sync only when none succeeded in the last half hour and none is waiting,
and the teacher's page says when the class list could not be fetched.
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0010_launch"
down_revision = "0010_results_import"
branch_labels = None
depends_on = None

COLUMNS = ("roster_queued_at", "roster_synced_at", "roster_failed_at")


def upgrade():
    with op.batch_alter_table("platform_context", schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.add_column(sa.Column(column, sa.DateTime(timezone=True), nullable=True))
    _create_tool_key(op.get_bind())


def _create_tool_key(conn):
    from flask import current_app, has_app_context

    if not has_app_context() or not current_app.config.get("LTI_KEY_ENCRYPTION_KEYS"):
        return  # `flask setup` makes the key
    found = conn.execute(
        sa.text("SELECT id FROM lti_key WHERE purpose = 'tool' AND retired_at IS NULL")
    ).first()
    if found is not None:
        return
    from lti.key_encryption import encrypt
    from lti.keys import new_key_material

    kid, pem, jwk = new_key_material("tool")
    conn.execute(
        sa.text(
            "INSERT INTO lti_key (purpose, kid, private_pem, public_jwk) "
            "VALUES ('tool', :kid, :pem, :jwk)"
        ),
        {"kid": kid, "pem": encrypt(pem, current_app.config["LTI_KEY_ENCRYPTION_KEYS"]),
         "jwk": json.dumps(jwk)},
    )  # fmt: skip


def downgrade():
    with op.batch_alter_table("platform_context", schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.drop_column(column)
