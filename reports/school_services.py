"""Schoolrapport queries: dwarsdoorsnede, trendanalyse and median growth per group.

Counts and averages are grouped in SQL. Medians need a percentile function that SQLite lacks,
so those queries return the scores of one school year and moment already sorted, and
:func:`plugin.growth.median` takes the middle of each group's list in Python. Growth comes
from :mod:`plugin.growth`, levels from :mod:`plugin.levels`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import (
    Float,
    Select,
    and_,
    bindparam,
    case,
    exists,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)

from plugin.db import prepared
from plugin.extensions import db
from plugin.growth import (
    GrowthJudgement,
    has_results,
    median,
    moment_rank,
    school_growth_rows,
)
from plugin.levels import level_sql
from plugin.models import (
    Administration,
    Group,
    Level,
    Moment,
    NationalReference,
    Result,
    ResultAggregate,
    Test,
)
from reports.services import LEVELS


def _national_join():
    return and_(
        NationalReference.subject_id == Test.subject_id,
        NationalReference.moment == Test.moment,
        NationalReference.level == Test.level,
    )


def level_expr():
    """The stored level, else the level derived from the national cuts (in SQL)."""
    return func.coalesce(Result.level, level_sql(Result.ability_score, NationalReference))


def school_moments(school_id: int) -> list[tuple[int, Moment]]:
    """(school year, moment) pairs at which the school has results, oldest first: read from the
    school's administrations (a few per group and year), each asked whether it has a result."""
    rows = db.session.execute(_school_moments_query(), {"school_id": school_id})
    return [(row.school_year, Moment(row.moment)) for row in rows]


@prepared
def _school_moments_query() -> Select:
    """The statement of :func:`school_moments`, built once per process with its values as
    parameters (as every statement of the school report: building a statement and its cache
    key cost more than running it)."""
    return (
        select(Administration.school_year, Test.moment)
        .join(Test, Test.id == Administration.test_id)
        .join(Group, Group.id == Administration.group_id)
        .where(Group.school_id == bindparam("school_id"), or_(has_results(), _has_removed_counts()))
        .group_by(Administration.school_year, Test.moment)
        .order_by(Administration.school_year, moment_rank(Test.moment))
    )


def _has_removed_counts():
    """The administration has counts left of pupils removed after the retention period."""
    return exists().where(
        ResultAggregate.group_id == Administration.group_id,
        ResultAggregate.test_id == Administration.test_id,
        ResultAggregate.school_year == Administration.school_year,
    )


JUDGEMENTS = tuple(GrowthJudgement)


@dataclass
class Cell:
    """One group in one subject at one moment."""

    count: int = 0
    levels: dict[Level, int] = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))
    national_mean: float | None = None
    median: float | None = None
    median_growth: float | None = None
    growth_counts: dict[GrowthJudgement, int] = field(
        default_factory=lambda: dict.fromkeys(JUDGEMENTS, 0)
    )

    def share(self, level: Level) -> float | None:
        return self.levels[level] / self.count if self.count else None


@dataclass(frozen=True)
class GroupRow:
    """A group as the school report lists it."""

    id: int
    name: str
    leerjaar: int | None


def cross_section(
    school_id: int, school_year: int, moment: Moment
) -> tuple[dict[tuple[int, int], Cell], list[GroupRow]]:
    """Dwarsdoorsnede: per (group id, subject id) the level counts, national mean and median,
    and the school year's groups that have results (by leerjaar and name). One query: the
    scores of one school year and moment (a few hundred rows), counted here."""
    rows = db.session.execute(
        _cross_section_query(),
        {"school_id": school_id, "school_year": school_year, "moment": moment},
    )
    cells: dict[tuple[int, int], Cell] = defaultdict(Cell)
    lists: dict[tuple[int, int], list[float]] = defaultdict(list)
    # The national mean: per level the mean of the known values, weighted by the level's count.
    national: dict[tuple[int, int, str | None], list] = defaultdict(lambda: [0, 0.0, 0])
    groups: dict[int, GroupRow] = {}
    for row in rows:
        key = (row.group_id, row.subject_id)
        cell = cells[key]
        cell.count += row.n
        if row.level:
            cell.levels[Level(row.level)] += row.n
        part = national[(*key, row.level)]
        part[0] += row.n
        if row.national is not None:
            part[1] += row.national * row.n
            part[2] += row.n
        if row.ability_score is not None:  # removed pupils count, but have no score
            lists[key].append(row.ability_score)
        if row.group_id not in groups:
            groups[row.group_id] = GroupRow(row.group_id, row.name, row.leerjaar)
    weighted: dict[tuple[int, int], list[tuple[int, float]]] = defaultdict(list)
    for (group_id, subject_id, _level), (n, total, known) in national.items():
        if known:
            weighted[(group_id, subject_id)].append((n, total / known))
    for key, parts in weighted.items():
        cells[key].national_mean = sum(n * v for n, v in parts) / sum(n for n, _ in parts)
    for key, values in lists.items():
        cells[key].median = median(values)
    ordered = sorted(groups.values(), key=lambda g: (g.leerjaar is None, g.leerjaar or 0, g.name))
    return dict(cells), ordered


@prepared
def _cross_section_query() -> Select:
    """The statement of :func:`cross_section` (parameters: school_id, school_year, moment)."""
    school_id, school_year, moment = (
        bindparam("school_id"), bindparam("school_year"), bindparam("moment"),
    )  # fmt: skip
    level = level_expr().label("level")
    results = (
        select(
            Administration.group_id, Group.name, Group.leerjaar, Test.subject_id,
            Result.ability_score, level, NationalReference.mean.label("national"),
            literal(1).label("n"),
        )
        .select_from(Result)
        .join(Test, Test.id == Result.test_id)
        .join(Administration, Administration.id == Result.administration_id)
        .join(Group, Group.id == Administration.group_id)
        .outerjoin(NationalReference, _national_join())
        .where(
            Group.school_id == school_id,
            Group.school_year == school_year,
            Result.school_year == school_year,
            Test.moment == moment,
        )
    )  # fmt: skip
    both = union_all(results, _removed_cells(school_id, school_year, moment)).subquery()
    return select(both).order_by(both.c.group_id, both.c.subject_id, both.c.ability_score)


def _removed_cells(school_id, school_year, moment):
    """The anonymous counts left of pupils removed after the retention period, shaped like
    the cross-section's result rows (no score; ``n`` results each)."""
    return (
        select(
            ResultAggregate.group_id, Group.name, Group.leerjaar, Test.subject_id,
            null().cast(Float).label("ability_score"),
            func.nullif(ResultAggregate.level, "").label("level"),
            NationalReference.mean.label("national"), ResultAggregate.count.label("n"),
        )
        .join(Test, Test.id == ResultAggregate.test_id)
        .join(Group, Group.id == ResultAggregate.group_id)
        .outerjoin(NationalReference, _national_join())
        .where(
            ResultAggregate.school_id == school_id,
            ResultAggregate.school_year == school_year,
            Test.moment == moment,
        )
    )  # fmt: skip


def add_growth(
    cells: dict[tuple[int, int], Cell], school_id: int, school_year: int, moment: Moment
) -> None:
    """Median growth per group and subject into the (group, subject) cells of this moment."""
    growths: dict[tuple[int, int], list[float]] = defaultdict(list)
    judged: dict[tuple[int, int], Counter] = defaultdict(Counter)
    rows = school_growth_rows(school_id, school_year, moment)
    for group_id, subject_id, grown, judgement in rows:
        if grown is None:
            continue
        key = (group_id, subject_id)
        growths[key].append(grown)
        if judgement is not None:
            judged[key][judgement] += 1
    for key, values in growths.items():
        cell = cells.get(key)
        if cell is None:
            cell = cells[key] = Cell()
        cell.median_growth = median(values)
        for judgement, count in judged[key].items():
            cell.growth_counts[judgement] += count


@dataclass(frozen=True)
class TrendPoint:
    count: int
    mean: float
    national_mean: float | None

    @property
    def difference(self) -> float | None:
        return None if self.national_mean is None else self.mean - self.national_mean


TREND_YEARS = 5
"""The trend shows the chosen school year and the four before it (never the whole history)."""


def trend(
    school_id: int, moment: Moment, school_year: int
) -> dict[tuple[int, int], dict[int, TrendPoint]]:
    """Trendanalyse: per (subject id, leerjaar), per school year the mean ability score and the
    mean national reference of the tests taken, at ``moment``, over the :data:`TREND_YEARS`
    school years up to ``school_year`` (GROUP BY in SQL)."""
    rows = db.session.execute(
        _trend_query(),
        {"school_id": school_id, "moment": moment, "school_year": school_year,
         "first": school_year - TREND_YEARS + 1},
    )  # fmt: skip
    points: dict[tuple[int, int], dict[int, TrendPoint]] = defaultdict(dict)
    for row in rows:
        national = float(row.national) if row.national is not None else None
        points[(row.subject_id, row.leerjaar)][row.school_year] = TrendPoint(
            row.n, float(row.mean), national
        )
    return dict(points)


@prepared
def _trend_query() -> Select:
    """The statement of :func:`trend` (parameters: school_id, moment, first, school_year)."""
    school_id, moment = bindparam("school_id"), bindparam("moment")
    first, school_year = bindparam("first"), bindparam("school_year")
    known = case((NationalReference.mean.is_(None), 0), else_=1)
    results = (
        select(
            Test.subject_id, Result.leerjaar, Result.school_year, literal(1).label("n"),
            Result.ability_score.label("total"), NationalReference.mean.label("national"),
            known.label("known"),
        )
        .join(Test, Test.id == Result.test_id)
        .join(Administration, Administration.id == Result.administration_id)
        .join(Group, Group.id == Administration.group_id)
        .outerjoin(NationalReference, _national_join())
        .where(
            Group.school_id == school_id, Test.moment == moment,
            Group.school_year.between(first, school_year),
            Result.school_year.between(first, school_year),
        )
    )  # fmt: skip
    removed = (  # the anonymous counts of pupils removed after the retention period
        select(
            Test.subject_id, ResultAggregate.leerjaar, ResultAggregate.school_year,
            ResultAggregate.count, ResultAggregate.score_sum,
            NationalReference.mean * ResultAggregate.count, known * ResultAggregate.count,
        )
        .join(Test, Test.id == ResultAggregate.test_id)
        .outerjoin(NationalReference, _national_join())
        .where(
            ResultAggregate.school_id == school_id, Test.moment == moment,
            ResultAggregate.school_year.between(first, school_year),
        )
    )  # fmt: skip
    both = union_all(results, removed).subquery()
    return (
        select(
            both.c.subject_id, both.c.leerjaar, both.c.school_year,
            func.sum(both.c.n).label("n"),
            (func.sum(both.c.total) / func.sum(both.c.n)).label("mean"),
            (func.sum(both.c.national) / func.nullif(func.sum(both.c.known), 0)).label("national"),
        )
        .group_by(both.c.subject_id, both.c.leerjaar, both.c.school_year)
        .order_by(both.c.subject_id, both.c.leerjaar, both.c.school_year)
    )  # fmt: skip
