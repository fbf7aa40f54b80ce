"""Queries and writes for instructions: content documents, tests, administrations and the
preparation checklist. Every function flushes; the view commits."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from instructions.models import AcceptedAnswer, ContentDocument, PreparationTick
from plugin.auth import Principal, visible_group_ids
from plugin.extensions import db
from plugin.models import Administration, Group, Subject, Test, TestItem, TestMode


def subjects() -> list[Subject]:
    return list(db.session.scalars(select(Subject).order_by(Subject.position, Subject.name)))


def subject_by_code(code: str) -> Subject | None:
    return db.session.scalar(select(Subject).where(Subject.code == code))


def subject_tests(mode: TestMode | None = None) -> dict[Subject, list[Test]]:
    """Every test, grouped per subject in the order of the school year (M3, E3, M4 …)."""
    query = select(Test).join(Test.subject).order_by(Subject.position, Test.level, Test.moment)
    if mode is not None:
        query = query.where(Test.mode == mode)
    grouped: dict[Subject, list[Test]] = {}
    for test in db.session.scalars(query):
        grouped.setdefault(test.subject, []).append(test)
    order = {"M": 0, "E": 1, "B": -1}
    for tests in grouped.values():
        tests.sort(key=lambda t: (t.level, order[t.moment.value]))
    return grouped


def test_by_code(code: str) -> Test | None:
    return db.session.scalar(select(Test).where(Test.code == code))


def document(slug: str, kind: str | None = None) -> ContentDocument | None:
    query = select(ContentDocument).where(ContentDocument.slug == slug)
    if kind:
        query = query.where(ContentDocument.kind == kind)
    return db.session.scalar(query)


def documents(kind: str) -> list[ContentDocument]:
    query = select(ContentDocument).where(ContentDocument.kind == kind)
    return list(db.session.scalars(query.order_by(ContentDocument.position, ContentDocument.slug)))


def administration_instructions(test: Test) -> ContentDocument | None:
    return document(f"afname-{test.code}", "administration")


# --- administrations -------------------------------------------------------------------------


def visible_groups(principal: Principal) -> list[Group]:
    """The principal's groups of the most recent school year they have groups in."""
    groups = list(
        db.session.scalars(
            select(Group)
            .where(Group.id.in_(visible_group_ids(principal)))
            .order_by(Group.school_year.desc(), Group.leerjaar, Group.name)
        )
    )
    latest = groups[0].school_year if groups else None
    return [group for group in groups if group.school_year == latest]


def administration(administration_id: int) -> Administration | None:
    """Loaded without any access check: views pass it through ``load_group_or_404``."""
    return db.session.get(Administration, administration_id)


def paper_test(test_id: int) -> Test | None:
    test = db.session.get(Test, test_id)
    return test if test is not None and test.mode is TestMode.PAPER else None


def paper_administrations(group_ids: list[int]) -> list[Administration]:
    query = (
        select(Administration)
        .join(Administration.test)
        .join(Test.subject)
        .where(Administration.group_id.in_(group_ids), Test.mode == TestMode.PAPER)
        .order_by(Administration.taken_on.desc(), Subject.position)
    )
    return list(db.session.scalars(query))


def test_administrations(test: Test, group_ids: list[int]) -> list[Administration]:
    """This school year's administrations of ``test`` in the given groups (their checklists)."""
    if not group_ids:
        return []
    query = (
        select(Administration)
        .join(Administration.group)
        .where(
            Administration.test_id == test.id,
            Administration.group_id.in_(group_ids),
            Administration.school_year == Group.school_year,
        )
        .order_by(Group.name)
    )
    return list(db.session.scalars(query))


def find_or_create_administration(group: Group, test: Test, today: date) -> Administration:
    """The group's administration of ``test`` this school year, created when there is none."""
    query = select(Administration).where(
        Administration.group_id == group.id,
        Administration.test_id == test.id,
        Administration.school_year == group.school_year,
    )
    existing = db.session.scalar(query)
    if existing is not None:
        return existing
    administration = Administration(
        group_id=group.id, test_id=test.id, school_year=group.school_year, taken_on=today
    )
    try:
        with db.session.begin_nested():
            db.session.add(administration)
    except IntegrityError:  # a colleague created it a moment ago
        return db.session.scalar(query)
    return administration


# --- preparation checklist -------------------------------------------------------------------


def ticks(administration: Administration) -> dict[str, PreparationTick]:
    rows = db.session.scalars(
        select(PreparationTick).where(PreparationTick.administration_id == administration.id)
    )
    return {row.step: row for row in rows}


def set_tick(
    administration: Administration, step: str, done: bool, principal: Principal
) -> PreparationTick | None:
    """Tick (or untick) ``step``; ticking twice keeps the first tick (who and when)."""
    current = ticks(administration).get(step)
    if not done:
        if current is not None:
            db.session.execute(delete(PreparationTick).where(PreparationTick.id == current.id))
        return None
    if current is not None:
        return current
    tick = PreparationTick(
        administration_id=administration.id,
        step=step,
        staff_id=principal.staff_id,
        ticked_by=principal.display_name,
    )
    try:
        with db.session.begin_nested():
            db.session.add(tick)
    except IntegrityError:  # ticked by a colleague at the same moment
        return ticks(administration).get(step)
    return tick


def answer_key(test: Test) -> list[tuple[TestItem, list[str]]]:
    """The test's items in order, each with its accepted variants."""
    variants: dict[int, list[str]] = {}
    query = select(AcceptedAnswer).join(TestItem).where(TestItem.test_id == test.id)
    for row in db.session.scalars(query.order_by(AcceptedAnswer.answer)):
        variants.setdefault(row.item_id, []).append(row.answer)
    items = db.session.scalars(
        select(TestItem).where(TestItem.test_id == test.id).order_by(TestItem.number)
    )
    return [(item, variants.get(item.id, [])) for item in items]
