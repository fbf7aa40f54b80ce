"""Schoolrapport queries: dwarsdoorsnede, trendanalyse and median growth per group.

Counts and averages are grouped in SQL. Medians need a percentile function that SQLite lacks,
so those queries return the scores of one school year and moment already sorted, and
:func:`plugin.growth.median` takes the middle of each group's list in Python. Growth comes
from :mod:`plugin.growth`, levels from :mod:`plugin.levels`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import and_, func, select

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
    rows = db.session.execute(
        select(Administration.school_year, Test.moment)
        .join(Test, Test.id == Administration.test_id)
        .join(Group, Group.id == Administration.group_id)
        .where(Group.school_id == school_id, has_results())
        .group_by(Administration.school_year, Test.moment)
        .order_by(Administration.school_year, moment_rank(Test.moment))
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
    level = level_expr().label("level")
    rows = db.session.execute(
        select(
            Administration.group_id, Group.name, Group.leerjaar, Test.subject_id,
            Result.ability_score, level, NationalReference.mean.label("national"),
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
        .order_by(Administration.group_id, Test.subject_id, Result.ability_score)
    )  # fmt: skip
    cells: dict[tuple[int, int], Cell] = defaultdict(Cell)
    lists: dict[tuple[int, int], list[float]] = defaultdict(list)
    # The national mean: per level the mean of the known values, weighted by the level's count.
    national: dict[tuple[int, int, str | None], list] = defaultdict(lambda: [0, 0.0, 0])
    groups: dict[int, GroupRow] = {}
    for row in rows:
        key = (row.group_id, row.subject_id)
        cell = cells[key]
        cell.count += 1
        if row.level:
            cell.levels[Level(row.level)] += 1
        part = national[(*key, row.level)]
        part[0] += 1
        if row.national is not None:
            part[1] += row.national
            part[2] += 1
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


def add_growth(
    cells: dict[tuple[int, int], Cell], school_id: int, school_year: int, moment: Moment
) -> None:
    """Median growth per group and subject into the (group, subject) cells of this moment."""
    growths: dict[tuple[int, int], list[float]] = defaultdict(list)
    rows = school_growth_rows(school_id, school_year, moment)
    for group_id, subject_id, grown, judgement in rows:
        if grown is None:
            continue
        key = (group_id, subject_id)
        growths[key].append(grown)
        if judgement is not None:
            cells.setdefault(key, Cell()).growth_counts[judgement] += 1
    for key, values in growths.items():
        cells.setdefault(key, Cell()).median_growth = median(values)


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
        select(
            Test.subject_id, Result.leerjaar, Result.school_year,
            func.count(Result.id).label("n"), func.avg(Result.ability_score).label("mean"),
            func.avg(NationalReference.mean).label("national"),
        )
        .join(Test, Test.id == Result.test_id)
        .join(Administration, Administration.id == Result.administration_id)
        .join(Group, Group.id == Administration.group_id)
        .outerjoin(NationalReference, _national_join())
        .where(
            Group.school_id == school_id, Test.moment == moment,
            Group.school_year.between(school_year - TREND_YEARS + 1, school_year),
            Result.school_year.between(school_year - TREND_YEARS + 1, school_year),
        )
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
