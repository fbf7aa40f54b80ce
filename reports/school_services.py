"""Schoolrapport queries: dwarsdoorsnede, trendanalyse and median growth per group.

Counts and averages are grouped in SQL. Medians need a percentile function that SQLite lacks,
so those queries return the scores of one school year and moment already sorted, and
:func:`reports.growth.median` takes the middle of each group's list in Python.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import and_, case, func, select

from plugin.extensions import db
from plugin.levels import GrowthJudgement
from plugin.models import (
    Administration,
    Enrolment,
    Group,
    Level,
    Moment,
    NationalReference,
    Pupil,
    Result,
    School,
    Subject,
    Test,
)
from plugin.periods import school_year_label
from reports import growth
from reports.services import LEVELS, moment_rank, scored_results, to_score


def _national_join():
    return and_(
        NationalReference.subject_id == Test.subject_id,
        NationalReference.moment == Test.moment,
        NationalReference.level == Test.level,
    )


def level_expr():
    """The stored level, else the level derived from the national cuts (in SQL)."""
    score, ref = Result.ability_score, NationalReference
    derived = case(
        (ref.p80.is_(None), None),
        (score >= ref.p80, Level.I.value), (score >= ref.p60, Level.II.value),
        (score >= ref.p40, Level.III.value), (score >= ref.p20, Level.IV.value),
        else_=Level.V.value,
    )  # fmt: skip
    return func.coalesce(Result.level, derived)


def school_moments(school_id: int) -> list[tuple[int, Moment]]:
    """(school year, moment) pairs at which the school has results, oldest first."""
    rows = db.session.execute(
        select(Result.school_year, Test.moment)
        .join(Test, Test.id == Result.test_id)
        .join(Administration, Administration.id == Result.administration_id)
        .join(Group, Group.id == Administration.group_id)
        .where(Group.school_id == school_id)
        .group_by(Result.school_year, Test.moment)
        .order_by(Result.school_year, moment_rank(Test.moment))
    )
    return [(row.school_year, Moment(row.moment)) for row in rows]


@dataclass
class Cell:
    """One group in one subject at one moment."""

    count: int = 0
    levels: dict[Level, int] = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))
    national_mean: float | None = None
    median: float | None = None
    median_growth: float | None = None
    growth_counts: dict[GrowthJudgement, int] = field(
        default_factory=lambda: dict.fromkeys(GrowthJudgement, 0)
    )

    def share(self, level: Level) -> float | None:
        return self.levels[level] / self.count if self.count else None


def cross_section(school_id: int, school_year: int, moment: Moment) -> dict[tuple[int, int], Cell]:
    """Dwarsdoorsnede: per (group id, subject id) the level counts, national mean and median."""
    base = (
        select()
        .select_from(Result)
        .join(Test, Test.id == Result.test_id)
        .join(Administration, Administration.id == Result.administration_id)
        .join(Group, Group.id == Administration.group_id)
        .where(
            Group.school_id == school_id,
            Result.school_year == school_year,
            Test.moment == moment,
        )
    )
    level = level_expr().label("level")
    counted = db.session.execute(
        base.add_columns(
            Administration.group_id, Test.subject_id, level,
            func.count(Result.id).label("n"), func.avg(NationalReference.mean).label("national"),
        )
        .outerjoin(NationalReference, _national_join())
        .group_by(Administration.group_id, Test.subject_id, level)
    )  # fmt: skip
    cells: dict[tuple[int, int], Cell] = defaultdict(Cell)
    national: dict[tuple[int, int], list[tuple[int, float]]] = defaultdict(list)
    for row in counted:
        cell = cells[(row.group_id, row.subject_id)]
        cell.count += row.n
        if row.level:
            cell.levels[Level(row.level)] += row.n
        if row.national is not None:
            national[(row.group_id, row.subject_id)].append((row.n, row.national))
    for key, parts in national.items():
        cells[key].national_mean = sum(n * v for n, v in parts) / sum(n for n, _ in parts)
    scores = db.session.execute(
        base.add_columns(Administration.group_id, Test.subject_id, Result.ability_score).order_by(
            Administration.group_id, Test.subject_id, Result.ability_score
        )
    )
    lists: dict[tuple[int, int], list[float]] = defaultdict(list)
    for row in scores:
        lists[(row.group_id, row.subject_id)].append(row.ability_score)
    for key, values in lists.items():
        cells[key].median = growth.median(values)
    return dict(cells)


def _growth_rows(school_id: int, school_year: int, moment: Moment):
    """(group, subject, scored result) for every result of the school at this moment."""
    scored = scored_results(None, select(Pupil.id).where(Pupil.school_id == school_id))
    rows = db.session.execute(
        select(Enrolment.group_id, scored)
        .join(
            Enrolment,
            and_(Enrolment.pupil_id == scored.c.pupil_id, Enrolment.school_year == school_year),
        )
        .where(scored.c.school_year == school_year, scored.c.moment == moment.value)
    )
    for row in rows:
        yield row.group_id, row.subject_id, to_score(row)


def add_growth(
    cells: dict[tuple[int, int], Cell], school_id: int, school_year: int, moment: Moment
) -> None:
    """Median growth per group and subject into the (group, subject) cells of this moment."""
    growths: dict[tuple[int, int], list[float]] = defaultdict(list)
    for group_id, subject_id, score in _growth_rows(school_id, school_year, moment):
        if score.growth is None:
            continue
        key = (group_id, subject_id)
        growths[key].append(score.growth)
        if score.judgement is not None:
            cells.setdefault(key, Cell()).growth_counts[score.judgement] += 1
    for key, values in growths.items():
        cells.setdefault(key, Cell()).median_growth = growth.median(values)


def school_growth_by_domain(school: School) -> tuple[dict[str, float], str | None]:
    """The school's median growth per reference domain at its latest moment with results.

    Registered as the dashboard's growth measure, so the IB dashboard can show median-growth
    goals without the core importing the growth model.
    """
    moments = school_moments(school.id)
    if not moments:
        return {}, None
    year, moment = moments[-1]
    domains = dict(
        db.session.execute(
            select(Subject.id, Subject.reference_domain).where(
                Subject.reference_domain.is_not(None)
            )
        ).all()
    )
    growths: dict[str, list[float]] = defaultdict(list)
    for _group, subject_id, score in _growth_rows(school.id, year, moment):
        if score.growth is not None and subject_id in domains:
            growths[domains[subject_id]].append(score.growth)
    label = f"{moment.value} {school_year_label(year)}"
    return {domain: growth.median(values) for domain, values in growths.items()}, label


@dataclass(frozen=True)
class TrendPoint:
    count: int
    mean: float
    national_mean: float | None

    @property
    def difference(self) -> float | None:
        return None if self.national_mean is None else self.mean - self.national_mean


def trend(school_id: int, moment: Moment) -> dict[tuple[int, int], dict[int, TrendPoint]]:
    """Trendanalyse: per (subject id, leerjaar), per school year the mean ability score and the
    mean national reference of the tests taken, at ``moment`` (GROUP BY in SQL)."""
    rows = db.session.execute(
        select(
            Test.subject_id, Result.leerjaar, Result.school_year,
            func.count(Result.id).label("n"), func.avg(Result.ability_score).label("mean"),
            func.avg(NationalReference.mean).label("national"),
        )
        .join(Test, Test.id == Result.test_id)
        .join(Administration, Administration.id == Result.administration_id)
        .join(Group, Group.id == Administration.group_id)
        .outerjoin(NationalReference, _national_join())
        .where(Group.school_id == school_id, Test.moment == moment)
        .group_by(Test.subject_id, Result.leerjaar, Result.school_year)
        .order_by(Test.subject_id, Result.leerjaar, Result.school_year)
    )  # fmt: skip
    points: dict[tuple[int, int], dict[int, TrendPoint]] = defaultdict(dict)
    for row in rows:
        national = float(row.national) if row.national is not None else None
        points[(row.subject_id, row.leerjaar)][row.school_year] = TrendPoint(
            row.n, float(row.mean), national
        )
    return dict(points)


def school_groups(school_id: int, school_year: int) -> list[Group]:
    return list(
        db.session.scalars(
            select(Group)
            .where(Group.school_id == school_id, Group.school_year == school_year)
            .order_by(Group.leerjaar, Group.name)
        )
    )
