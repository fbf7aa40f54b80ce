"""Speed: the number of queries per page does not grow with the size of the group or school.

Each page is loaded for a small school (1 group of 5 pupils, 1 subject) and a school four
times as large in every direction that matters (4 groups of 20 pupils, 2 subjects); the
statements sent to the database are counted with SQLAlchemy's ``before_cursor_execute``. The
school has a median-growth goal, so the IB dashboard measures growth too. ``SAVEPOINT`` and
``RELEASE`` are not counted: they are the test's own transaction (each test rolls back), which
the running app never sends.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from plugin.auth import Role
from plugin.extensions import db
from plugin.models import (
    GoalIndicator,
    ItemResponse,
    Moment,
    NationalReference,
    SchoolGoal,
    StaffRole,
    TestItem,
)
from tests.factories import (
    GroupFactory,
    PupilFactory,
    SchoolFactory,
    StaffFactory,
    SubjectFactory,
    ToetsFactory,
    administer,
    enrol,
    link_teacher,
    record_result,
)


@contextmanager
def counting():
    statements: list[str] = []

    def count(conn, cursor, statement, *args):  # noqa: ARG001
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE SAVEPOINT")):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def build(groups: int, pupils: int, subjects: int):
    school = SchoolFactory()
    teacher = StaffFactory(school=school)
    ib = StaffFactory(school=school, role=StaffRole.IB)
    db.session.add(SchoolGoal(school_id=school.id, school_year=2025, domain="rekenen",
                              indicator=GoalIndicator.MEDIAN_GROWTH, target=8.0))  # fmt: skip
    made = []
    for s in range(subjects):
        subject = SubjectFactory(reference_domain="rekenen")
        tests = {}
        for moment, mean in ((Moment.M, 140), (Moment.E, 150)):
            db.session.add(NationalReference(
                subject_id=subject.id, moment=moment, level=5, mean=mean, sd=10, p20=mean - 8,
                p40=mean - 3, p60=mean + 3, p80=mean + 8, growth_sd=4,
            ))  # fmt: skip
            tests[moment] = ToetsFactory(subject=subject, moment=moment, level=5)
        items = [TestItem(test_id=tests[Moment.E].id, number=n, correct_answer="A",
                          domain=f"D{n % 3}") for n in range(1, 10)]  # fmt: skip
        db.session.add_all(items)
        db.session.flush()
        for g in range(groups):
            group = made[g] if s else GroupFactory(school=school, school_year=2025, leerjaar=5)
            if not s:
                made.append(group)
                link_teacher(teacher, group)
            mid, end = administer(group, tests[Moment.M]), administer(group, tests[Moment.E])
            for p in range(pupils):
                if not s:
                    enrol(PupilFactory(school=school), group)
                pupil_id = _pupils(group)[p]
                record_result(_Pupil(pupil_id), mid, 130 + p)
                record_result(_Pupil(pupil_id), end, 141 + p)
                db.session.add_all([ItemResponse(administration_id=end.id, pupil_id=pupil_id,
                                                 item_id=i.id, correct=bool((p + i.number) % 2))
                                    for i in items])  # fmt: skip
    db.session.flush()
    return school, teacher, ib, made


class _Pupil:
    def __init__(self, pupil_id: int):
        self.id = pupil_id


def _pupils(group) -> list[int]:
    from sqlalchemy import select

    from plugin.models import Enrolment

    return list(
        db.session.scalars(
            select(Enrolment.pupil_id).where(Enrolment.group_id == group.id).order_by(Enrolment.id)
        )
    )


PAGES = [
    (Role.LEERKRACHT, "/rapportages/groep/{group}"),
    (Role.LEERKRACHT, "/rapportages/groep/{group}/export.csv"),
    (Role.LEERKRACHT, "/rapportages/groep/{group}/categorieen"),
    (Role.LEERKRACHT, "/rapportages/leerling/{pupil}"),
    (Role.LEERKRACHT, "/rapportages/leerling/{pupil}/export.csv"),
    (Role.LEERKRACHT, "/rapportages/leerling/{pupil}/ouderrapport"),
    (Role.LEERKRACHT, "/rapportages/groep/{group}/categorieen.csv"),
    (Role.IB, "/administratie/"),
    (Role.IB, "/rapportages/school?jaar=2025&moment=E"),
    (Role.IB, "/rapportages/school/export.csv?jaar=2025&moment=E"),
    (Role.IB, "/dashboard"),
    (Role.LEERKRACHT, "/dashboard"),
]


def _count(client, login, size, role, url) -> int:
    school, teacher, ib, groups = build(*size)
    login(role=role, school=school, staff=teacher if role is Role.LEERKRACHT else ib)
    url = url.format(group=groups[0].id, pupil=_pupils(groups[0])[0])
    client.get(url)  # warm: the chart cache and lazy imports
    with counting() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


@pytest.mark.parametrize(("role", "url"), PAGES)
def test_query_count_does_not_grow_with_size(client, login, app, monkeypatch, role, url):
    monkeypatch.setitem(app.config, "DASHBOARD_TODAY", "2026-06-01")
    small = _count(client, login, (1, 5, 1), role, url)
    large = _count(client, login, (4, 20, 2), role, url)
    assert small == large, f"{url}: {small} queries for the small school, {large} for 4×"
    # Everything included: the session check (staff version and sign-out in one query), the
    # page's data, its audit row and the platforms that may frame the page.
    assert small <= 12, f"{url}: {small} queries"
