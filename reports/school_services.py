"""Schoolrapport queries: dwarsdoorsnede, trendanalyse and median growth per group.

Counts and averages are grouped in SQL. Medians need a percentile function that SQLite lacks,
so those queries return the scores of one school year and moment already sorted, and
:func:`reports.growth.median` takes the middle of each group's list in Python.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import and_, case, exists, func, select

from plugin.extensions import db
from plugin.levels import GrowthJudgement
from plugin.models import (
    Administration,
    Enrolment,
    Group,
    Level,
    Moment,
    NationalReference,
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
    """(school year, moment) pairs at which the school has results, oldest first: read from the
    school's administrations (a few per group and year), each asked whether it has a result."""
    rows = db.session.execute(
        select(Administration.school_year, Test.moment)
        .join(Test, Test.id == Administration.test_id)
        .join(Group, Group.id == Administration.group_id)
        .where(Group.school_id == school_id, _has_results())
        .group_by(Administration.school_year, Test.moment)
        .order_by(Administration.school_year, moment_rank(Test.moment))
    )
    return [(row.school_year, Moment(row.moment)) for row in rows]


def _has_results():
    return exists().where(Result.administration_id == Administration.id)


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
            Administration.group_id, Group.name, Group.leerjaar, Group.school_year,
            Test.subject_id, Result.ability_score, level,
            NationalReference.mean.label("national"),
        )
        .select_from(Result)
        .join(Test, Test.id == Result.test_id)
        .join(Administration, Administration.id == Result.administration_id)
        .join(Group, Group.id == Administration.group_id)
        .outerjoin(NationalReference, _national_join())
        .where(
            Group.school_id == school_id,
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
        if row.school_year == school_year and row.group_id not in groups:
            groups[row.group_id] = GroupRow(row.group_id, row.name, row.leerjaar)
    weighted: dict[tuple[int, int], list[tuple[int, float]]] = defaultdict(list)
    for (group_id, subject_id, _level), (n, total, known) in national.items():
        if known:
            weighted[(group_id, subject_id)].append((n, total / known))
    for key, parts in weighted.items():
        cells[key].national_mean = sum(n * v for n, v in parts) / sum(n for n, _ in parts)
    for key, values in lists.items():
        cells[key].median = growth.median(values)
    ordered = sorted(groups.values(), key=lambda g: (g.leerjaar is None, g.leerjaar or 0, g.name))
    return dict(cells), ordered


def _growth_rows(school_id: int, school_year: int, moment: Moment):
    """(group, subject, scored result) for every result of the school at this moment.

    Bounded by the pupils enrolled at the school in ``school_year`` (and their own results):
    never the school's whole history."""
    pupils = select(Enrolment.pupil_id).where(
        Enrolment.school_id == school_id, Enrolment.school_year == school_year
    )
    scored = scored_results(None, pupils)
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


def school_growth_by_domain(
    school: School, subjects: list[Subject]
) -> tuple[dict[str, float], str | None]:
    """The school's median growth per reference domain at its latest moment with results.

    One query: the latest moment (from the school's administrations) and, outer-joined to it,
    the scored results of the pupils enrolled that school year at that moment.
    """
    latest = (
        select(Administration.school_year, Test.moment)
        .join(Test, Test.id == Administration.test_id)
        .join(Group, Group.id == Administration.group_id)
        .where(Group.school_id == school.id, _has_results())
        .order_by(Administration.school_year.desc(), moment_rank(Test.moment).desc())
        .limit(1)
        .cte("latest")
    )
    pupils = (
        select(Enrolment.pupil_id)
        .join(latest, Enrolment.school_year == latest.c.school_year)
        .where(Enrolment.school_id == school.id)
    )
    scored = scored_results(None, pupils)
    rows = list(
        db.session.execute(
            select(latest.c.school_year.label("latest_year"), latest.c.moment.label("latest"),
                   scored)
            .select_from(latest)
            .outerjoin(scored, and_(scored.c.school_year == latest.c.school_year,
                                    scored.c.moment == latest.c.moment))
        )
    )  # fmt: skip
    if not rows:
        return {}, None
    domains = {s.id: s.reference_domain for s in subjects if s.reference_domain is not None}
    growths: dict[str, list[float]] = defaultdict(list)
    for row in rows:
        if row.pupil_id is None or row.subject_id not in domains:
            continue
        score = to_score(row)
        if score.growth is not None:
            growths[domains[row.subject_id]].append(score.growth)
    label = f"{Moment(rows[0].latest).value} {school_year_label(rows[0].latest_year)}"
    return {domain: growth.median(values) for domain, values in growths.items()}, label


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
