"""instructions tables

Revision ID: 0003
Revises: 0002
"""

from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "content_pack",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("checksum", sa.String(length=64), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column(
            "loaded_at", sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_pack")),
        sa.UniqueConstraint("name", name=op.f("uq_content_pack_name")),
    )
    op.create_table(
        "content_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("subject_code", sa.String(length=40), nullable=True),
        sa.Column("test_code", sa.String(length=40), nullable=True),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("pack_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pack_id"], ["content_pack.id"],
            name=op.f("fk_content_document_pack_id_content_pack"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_document")),
        sa.UniqueConstraint("slug", name=op.f("uq_content_document_slug")),
    )
    op.create_table(
        "accepted_answer",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("answer", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"], ["test_item.id"],
            name=op.f("fk_accepted_answer_item_id_test_item"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("item_id", "answer", name=op.f("pk_accepted_answer")),
    )
    op.create_table(
        "preparation_tick",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("administration_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=60), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("ticked_by", sa.String(length=200), nullable=False),
        sa.Column(
            "ticked_at", sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["administration_id"], ["administration.id"],
            name=op.f("fk_preparation_tick_administration_id_administration"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff_member.id"],
            name=op.f("fk_preparation_tick_staff_id_staff_member"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_preparation_tick")),
        sa.UniqueConstraint(
            "administration_id", "step", name=op.f("uq_preparation_tick_administration_id_step")
        ),
    )


def downgrade():
    op.drop_table("preparation_tick")
    op.drop_table("accepted_answer")
    op.drop_table("content_document")
    op.drop_table("content_pack")
