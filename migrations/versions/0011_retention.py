"""retention: anonymous counts of removed pupils' results (result_aggregate)

Revision ID: 0011_retention
Revises: 0010_privacy

When the retention period of a pupil ends, their results become counts per group, test, school
year, leerjaar and level (with the sum of the scores and how many reached 1F and 2F/1S), so the
school report's totals for past years stay the same. No pupil id, name or single score.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_retention"
down_revision = "0010_privacy"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "result_aggregate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("test_id", sa.Integer(), nullable=False),
        sa.Column("school_year", sa.Integer(), nullable=False),
        sa.Column("leerjaar", sa.SmallInteger(), nullable=False),
        sa.Column("level", sa.String(length=3), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("score_sum", sa.Float(), nullable=False),
        sa.Column("reached_1f", sa.Integer(), nullable=False),
        sa.Column("reached_2f_1s", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["school_group.id"],
                                name=op.f("fk_result_aggregate_group_id_school_group"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"],
                                name=op.f("fk_result_aggregate_school_id_school"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["test_id"], ["test.id"],
                                name=op.f("fk_result_aggregate_test_id_test"),
                                ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_result_aggregate")),
        sa.UniqueConstraint("group_id", "test_id", "school_year", "leerjaar", "level",
                            name=op.f("uq_result_aggregate_group_id_test_id_school_year_leerjaar_level")),
    )  # fmt: skip
    with op.batch_alter_table("result_aggregate", schema=None) as batch_op:
        batch_op.create_index("ix_result_aggregate_school_year", ["school_id", "school_year"])


def downgrade():
    op.drop_table("result_aggregate")
