"""The synthetic demo: deterministic, and shaped like a real Dutch primary school."""

from datetime import date
from statistics import mean

import pytest
from sqlalchemy import func, select

from plugin.demo_data import load_demo_data
from plugin.demo_reference import MOMENT_MEANS
from plugin.extensions import db
from plugin.models import (
    Administration,
    Enrolment,
    Group,
    ItemResponse,
    Level,
    MigrationState,
    Pupil,
    Result,
    School,
    SchoolGoal,
    Subject,
    Test,
)

TODAY = date(2027, 2, 10)  # in the midden period of school year 2026-2027


@pytest.fixture
def demo():
    load_demo_data(seed=7, today=TODAY)


def _fingerprint():
    return (
        db.session.execute(select(School.name).order_by(School.name)).scalars().all(),
        db.session.execute(select(Pupil.display_name).order_by(Pupil.id)).scalars().all(),
        db.session.execute(select(Result.ability_score, Result.level).order_by(Result.id)).all(),
    )


def test_the_generator_is_deterministic():
    savepoint = db.session.begin_nested()
    load_demo_data(seed=7, today=TODAY)
    first = _fingerprint()
    savepoint.rollback()
    load_demo_data(seed=7, today=TODAY)
    assert _fingerprint() == first
    assert len(first[2]) > 5000


def test_another_seed_gives_other_pupils():
    savepoint = db.session.begin_nested()
    load_demo_data(seed=7, today=TODAY)
    first = _fingerprint()
    savepoint.rollback()
    load_demo_data(seed=8, today=TODAY)
    assert _fingerprint()[1] != first[1]


def test_every_demo_school_is_marked_synthetic_and_one_is_still_migrating(demo):
    schools = db.session.scalars(select(School)).all()
    assert len(schools) >= 2
    assert all(school.is_synthetic for school in schools)
    migrating = [s for s in schools if s.migration_state is not MigrationState.DONE]
    assert len(migrating) == 1
    results_there = db.session.scalar(
        select(func.count(Result.id))
        .join(Pupil, Pupil.id == Result.pupil_id)
        .where(Pupil.school_id == migrating[0].id)
    )
    assert results_there == 0


def test_current_groups_hold_20_to_30_pupils_and_one_is_a_combination(demo):
    sizes = db.session.execute(
        select(Group.name, Group.leerjaar_high, func.count(Enrolment.id))
        .join(Enrolment, Enrolment.group_id == Group.id)
        .join(School, School.id == Group.school_id)
        .where(Group.school_year == 2026, School.migration_state == MigrationState.DONE)
        .group_by(Group.id, Group.name, Group.leerjaar_high)
    ).all()
    assert all(20 <= size <= 30 for _, _, size in sizes), sizes
    assert sum(1 for _, high, _ in sizes if high) == 1


def test_scores_follow_the_demo_scale_with_growth_that_flattens(demo):
    rows = db.session.execute(
        select(Result.leerjaar, Test.moment, Result.ability_score)
        .join(Test, Test.id == Result.test_id)
        .join(Subject, Subject.id == Test.subject_id)
        .where(Subject.code == "rekenen-wiskunde", Result.leerjaar == Test.level)
    ).all()
    by_moment: dict[str, list[float]] = {}
    for leerjaar, moment, score in rows:
        by_moment.setdefault(f"{moment}{leerjaar}", []).append(score)
    for code, scores in by_moment.items():
        assert abs(mean(scores) - MOMENT_MEANS[code]) < 8, code
    early = mean(by_moment["E3"]) - mean(by_moment["M3"])
    late = mean(by_moment["E7"]) - mean(by_moment["M7"])
    assert early > 2 * late > 0


def test_levels_are_spread_over_all_five_bands(demo):
    counts = dict(
        db.session.execute(select(Result.level, func.count()).group_by(Result.level)).all()
    )
    total = sum(counts.values())
    for level in Level:
        assert 0.12 < counts[level] / total < 0.30, (level, counts)


def test_three_school_years_of_history_and_some_missing_tests(demo):
    years = db.session.scalars(select(Result.school_year).distinct()).all()
    assert sorted(years) == [2023, 2024, 2025, 2026]
    pupils_tested = db.session.scalar(select(func.count(func.distinct(Result.pupil_id))))
    assert pupils_tested > 300
    per_pupil_subject_moment = db.session.execute(
        select(Result.pupil_id, Result.school_year, Test.moment, func.count())
        .join(Test, Test.id == Result.test_id)
        .group_by(Result.pupil_id, Result.school_year, Test.moment)
    ).all()
    assert any(count < 4 for *_, count in per_pupil_subject_moment), "nobody was ever absent"


def test_one_group_has_taken_nothing_in_the_running_period(demo):
    current_groups = db.session.execute(
        select(Group.id, func.count(Administration.id))
        .join(School, School.id == Group.school_id)
        .outerjoin(
            Administration,
            (Administration.group_id == Group.id) & (Administration.school_year == 2026),
        )
        .where(Group.school_year == 2026, School.migration_state == MigrationState.DONE)
        .group_by(Group.id)
    ).all()
    empty = [group for group, count in current_groups if count == 0]
    assert 1 <= len(empty) <= 2  # one per school with results
    assert len(empty) < len(current_groups)


def test_paper_tests_have_item_responses_and_goals_exist(demo):
    assert db.session.scalar(select(func.count(ItemResponse.id))) > 1000
    assert db.session.scalar(select(func.count(SchoolGoal.id))) >= 6
