"""factory_boy factories for the core model, bound to the test's rolled-back session."""

from __future__ import annotations

from datetime import date

import factory
import pytest

from plugin.extensions import db
from plugin.models import (
    Administration,
    Enrolment,
    Group,
    Moment,
    Pupil,
    Result,
    School,
    StaffMember,
    StaffRole,
    Subject,
    TeacherGroup,
    Test,
    TestMode,
)


class Base(factory.alchemy.SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


class SchoolFactory(Base):
    class Meta:
        model = School

    name = factory.Sequence(lambda n: f"Testschool {n}")
    schoolweging = 30.0


class GroupFactory(Base):
    class Meta:
        model = Group

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"Groep {n}")
    school_year = 2025
    leerjaar = 5


class PupilFactory(Base):
    class Meta:
        model = Pupil

    school = factory.SubFactory(SchoolFactory)
    display_name = factory.Sequence(lambda n: f"Leerling {n}")


class StaffFactory(Base):
    class Meta:
        model = StaffMember

    school = factory.SubFactory(SchoolFactory)
    display_name = factory.Sequence(lambda n: f"Leerkracht {n}")
    role = StaffRole.LEERKRACHT
    lti_issuer = "https://platform.example"
    lti_subject = factory.Sequence(lambda n: f"staff-{n}")


class SubjectFactory(Base):
    class Meta:
        model = Subject

    code = factory.Sequence(lambda n: f"vak-{n}")
    name = factory.Sequence(lambda n: f"Vak {n}")


class ToetsFactory(Base):
    class Meta:
        model = Test

    subject = factory.SubFactory(SubjectFactory)
    moment = Moment.M
    level = 5
    mode = TestMode.PAPER
    code = factory.Sequence(lambda n: f"toets-{n}")
    name = factory.Sequence(lambda n: f"Toets {n}")


def enrol(pupil: Pupil, group: Group, leerjaar: int | None = None) -> Enrolment:
    enrolment = Enrolment(
        school_id=group.school_id,
        pupil_id=pupil.id,
        group_id=group.id,
        school_year=group.school_year,
        leerjaar=leerjaar or group.leerjaar,
    )
    db.session.add(enrolment)
    db.session.flush()
    return enrolment


def link_teacher(staff: StaffMember, group: Group) -> TeacherGroup:
    link = TeacherGroup(staff_id=staff.id, group_id=group.id, school_id=group.school_id)
    db.session.add(link)
    db.session.flush()
    return link


def administer(group: Group, test: Test, on: date | None = None) -> Administration:
    admin = Administration(
        group_id=group.id, test_id=test.id, school_year=group.school_year,
        taken_on=on or date(group.school_year + 1, 1, 20),
    )  # fmt: skip
    db.session.add(admin)
    db.session.flush()
    return admin


def record_result(pupil: Pupil, admin: Administration, score: float, **extra) -> Result:
    result = Result(
        pupil_id=pupil.id, test_id=admin.test_id, administration_id=admin.id,
        school_year=admin.school_year, leerjaar=extra.pop("leerjaar", 5),
        ability_score=score, **extra,
    )  # fmt: skip
    db.session.add(result)
    db.session.flush()
    return result


@pytest.fixture
def school():
    return SchoolFactory()


@pytest.fixture
def other_school():
    return SchoolFactory()
