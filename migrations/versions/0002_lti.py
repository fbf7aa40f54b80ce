"""lti tables

Revision ID: 0002
Revises: 0001
"""

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    pass  # filled in by the lti package's schema; empty until it has tables


def downgrade():
    pass
