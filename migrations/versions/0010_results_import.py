"""results import: a results file (datamigratie) waiting for the IB's confirmation

Between the preview and the confirmation the tool keeps only the format's fields of each row
(never the uploaded file), and drops them once applied or cancelled; a background job applies
the import.

Revision ID: 0010_results_import
Revises: 0010_reports_indexes
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_results_import"
down_revision = "0010_reports_indexes"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "results_upload",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True),
                  server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.Column("state", sa.Enum("pending", "queued", "applied", name="uploadstate",
                                   native_enum=False, length=20), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=True),
        sa.Column("digest", sa.String(length=64), nullable=True),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["job_id"], ["job.id"],
                                name=op.f("fk_results_upload_job_id_job"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"],
                                name=op.f("fk_results_upload_school_id_school"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["staff_id"], ["staff_member.id"],
                                name=op.f("fk_results_upload_staff_id_staff_member"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_results_upload")),
    )  # fmt: skip
    with op.batch_alter_table("results_upload", schema=None) as batch_op:
        batch_op.create_index(
            "ix_results_upload_school_created", ["school_id", "created_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("results_upload", schema=None) as batch_op:
        batch_op.drop_index("ix_results_upload_school_created")
    op.drop_table("results_upload")
