"""pupil status per administration: absent (afwezig) and deviating administration

Revision ID: 0007_classroom_pupil_status
Revises: 0007_import_uploads
"""

from alembic import op
import sqlalchemy as sa

revision = "0007_classroom_pupil_status"
down_revision = "0007_import_uploads"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "pupil_administration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("administration_id", sa.Integer(), nullable=False),
        sa.Column("pupil_id", sa.Integer(), nullable=False),
        sa.Column("absent", sa.Boolean(), nullable=False),
        sa.Column("deviating", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["administration_id"], ["administration.id"],
            name=op.f("fk_pupil_administration_administration_id_administration"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pupil_id"], ["pupil.id"],
            name=op.f("fk_pupil_administration_pupil_id_pupil"), ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pupil_administration")),
        sa.UniqueConstraint(
            "administration_id", "pupil_id",
            name=op.f("uq_pupil_administration_administration_id_pupil_id"),
        ),
    )


def downgrade():
    op.drop_table("pupil_administration")
