"""reports at board scale: an index for every lookup a page makes by pupil, group or school

- ``item_response (pupil_id, administration_id)``: a pupil's paper tests (pupil report,
  category analysis) without scanning every item response of the board;
- ``enrolment (school_id, school_year)``: the pupils of a school in one school year (school
  report growth, IB dashboard growth goals);
- ``administration (group_id, school_year)``: a group's or school's administrations of one
  school year (dashboard, test moments of the school report).

Revision ID: 0010_reports_indexes
Revises: 0009_hardening
"""

from alembic import op

revision = "0010_reports_indexes"
down_revision = "0009_hardening"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_item_response_pupil", "item_response", ["pupil_id", "administration_id"]),
    ("ix_enrolment_school_year", "enrolment", ["school_id", "school_year"]),
    ("ix_administration_group_year", "administration", ["group_id", "school_year"]),
)


def upgrade():
    for name, table, columns in INDEXES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.create_index(name, columns, unique=False)


def downgrade():
    for name, table, _columns in reversed(INDEXES):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_index(name)
