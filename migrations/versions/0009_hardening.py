"""hardening: platforms' page origins; the tool's private keys encrypted at rest; revoked
sessions

Revision ID: 0009_hardening
Revises: 0008_access

Existing registrations get the origins of their issuer and login URL as page origins (what
frame-ancestors allowed before). Existing private keys are encrypted with the first key of
LTI_KEY_ENCRYPTION_KEYS (the app's setting; ``flask db upgrade`` runs inside the app).
"""

import json
from urllib.parse import urlsplit

import sqlalchemy as sa
from alembic import op

revision = "0009_hardening"
down_revision = "0008_access"
branch_labels = None
depends_on = None


def _origin(url):
    parts = urlsplit(url or "")
    if parts.scheme in {"http", "https"} and parts.netloc and "@" not in parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return None


def upgrade():
    op.create_table(
        "revoked_session",
        sa.Column("session_id", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_revoked_session")),
    )
    with op.batch_alter_table("revoked_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_revoked_session_expires_at"), ["expires_at"])
    with op.batch_alter_table("lti_registration", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("page_origins", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, issuer, auth_login_url FROM lti_registration"))
    for row_id, issuer, login_url in list(rows):
        origins = list(dict.fromkeys(o for o in (_origin(issuer), _origin(login_url)) if o))
        conn.execute(
            sa.text("UPDATE lti_registration SET page_origins = :origins WHERE id = :id"),
            {"origins": json.dumps(origins), "id": row_id},
        )
    _encrypt_private_keys(conn)


def _encrypt_private_keys(conn):
    from flask import current_app, has_app_context

    if not has_app_context():
        return  # plain keys stay readable; `flask lti reencrypt-keys` encrypts them
    from lti.key_encryption import encrypt, is_encrypted

    keys = current_app.config["LTI_KEY_ENCRYPTION_KEYS"]
    for row_id, stored in list(conn.execute(sa.text("SELECT id, private_pem FROM lti_key"))):
        if not is_encrypted(stored):
            conn.execute(
                sa.text("UPDATE lti_key SET private_pem = :pem WHERE id = :id"),
                {"pem": encrypt(stored, keys), "id": row_id},
            )


def downgrade():
    op.drop_table("revoked_session")
    with op.batch_alter_table("lti_registration", schema=None) as batch_op:
        batch_op.drop_column("page_origins")
