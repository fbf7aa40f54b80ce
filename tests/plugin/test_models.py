"""The model's constraints: what the database itself refuses."""

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from plugin.extensions import db
from plugin.models import (
    AuditEvent,
    AuditLogIsAppendOnly,
    Enrolment,
    Result,
    TeacherGroup,
)
from tests.factories import (
    GroupFactory,
    PupilFactory,
    StaffFactory,
    ToetsFactory,
    administer,
    enrol,
    record_result,
)


def _fails(statement_fn):
    """The database refuses what ``statement_fn`` adds (checked at flush), and nothing stays."""
    savepoint = db.session.begin_nested()

    def attempt():
        statement_fn()
        db.session.flush()

    with pytest.raises(IntegrityError):
        attempt()
    savepoint.rollback()


def test_a_pupil_cannot_be_enrolled_in_a_group_of_another_school(school, other_school):
    pupil = PupilFactory(school=school)
    foreign_group = GroupFactory(school=other_school)
    _fails(
        lambda: db.session.add(
            Enrolment(
                school_id=school.id, pupil_id=pupil.id, group_id=foreign_group.id,
                school_year=2025, leerjaar=5,
            )
        )
    )  # fmt: skip
    _fails(
        lambda: db.session.add(
            Enrolment(
                school_id=other_school.id, pupil_id=pupil.id, group_id=foreign_group.id,
                school_year=2025, leerjaar=5,
            )
        )
    )  # fmt: skip


def test_a_pupil_is_in_one_group_per_school_year(school):
    pupil = PupilFactory(school=school)
    enrol(pupil, GroupFactory(school=school, school_year=2025))
    _fails(lambda: enrol(pupil, GroupFactory(school=school, school_year=2025)))
    enrol(pupil, GroupFactory(school=school, school_year=2026, leerjaar=6))


def test_a_teacher_cannot_be_linked_to_a_group_of_another_school(school, other_school):
    staff = StaffFactory(school=school)
    foreign_group = GroupFactory(school=other_school)
    _fails(
        lambda: db.session.add(
            TeacherGroup(staff_id=staff.id, group_id=foreign_group.id, school_id=school.id)
        )
    )


def test_no_result_without_a_test(school):
    pupil = PupilFactory(school=school)
    admin = administer(GroupFactory(school=school), ToetsFactory())
    _fails(
        lambda: db.session.add(
            Result(
                pupil_id=pupil.id, test_id=None, administration_id=admin.id,
                school_year=2025, leerjaar=5, ability_score=150,
            )
        )
    )  # fmt: skip


def test_one_result_per_pupil_test_and_school_year(school):
    pupil = PupilFactory(school=school)
    admin = administer(GroupFactory(school=school), ToetsFactory())
    record_result(pupil, admin, 150)
    _fails(lambda: record_result(pupil, admin, 151))


def test_group_leerjaren_are_checked(school):
    _fails(lambda: GroupFactory(school=school, leerjaar=9))
    _fails(lambda: GroupFactory(school=school, leerjaar=6, leerjaar_high=5))
    combination = GroupFactory(school=school, leerjaar=5, leerjaar_high=6)
    assert combination.is_combination


def test_deleting_a_group_with_pupils_is_refused_so_nothing_is_lost_by_accident(school):
    group = GroupFactory(school=school)
    enrol(PupilFactory(school=school), group)
    _fails(lambda: db.session.delete(group))


def test_deleting_a_test_with_results_is_refused(school):
    test = ToetsFactory()
    record_result(PupilFactory(school=school), administer(GroupFactory(school=school), test), 140)
    _fails(lambda: db.session.delete(test))


def test_deleting_a_pupil_with_results_is_refused(school):
    pupil = PupilFactory(school=school)
    record_result(pupil, administer(GroupFactory(school=school), ToetsFactory()), 140)
    _fails(lambda: db.session.delete(pupil))


def test_deleting_a_pupil_without_results_removes_only_their_enrolments(school):
    group = GroupFactory(school=school)
    leaving, staying = PupilFactory(school=school), PupilFactory(school=school)
    enrol(leaving, group)
    enrol(staying, group)
    db.session.delete(leaving)
    db.session.flush()
    remaining = db.session.scalars(select(Enrolment.pupil_id)).all()
    assert remaining == [staying.id]


def test_the_audit_log_is_append_only(school):
    event = AuditEvent(school_id=school.id, action="view_pupil_report", object_type="pupil")
    db.session.add(event)
    db.session.flush()
    event.action = "something else"
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()


def test_a_left_pupil_is_kept_with_a_date(school):
    pupil = PupilFactory(school=school, left_on=date(2025, 7, 15))
    assert db.session.scalar(select(func.count()).where(Result.pupil_id == pupil.id)) == 0
    assert db.session.get(type(pupil), pupil.id).left_on == date(2025, 7, 15)
