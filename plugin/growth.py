"""Growth: the one home of the growth model, and of the query that finds each result's previous
result (reports, the school report's growth and the IB dashboard's growth goals all use it).

The model, in plain numbers (pure functions):

A pupil's growth between two tests is judged against the growth of pupils who *started at a
similar score*, not against the national average growth. With national means ``m`` and
standard deviations ``s`` of both tests, a pupil who started ``z = (prev - m_prev) / s_prev``
standard deviations from the mean is expected to end at ``m_cur + STABILITY * z * s_cur``:
pupils far from the mean are expected to drift back a little (regression to the mean).
The expected growth is that end score minus the start score; :func:`judge_growth`
compares the real growth with it, within half a growth standard deviation being
*naar verwachting*.

``STABILITY`` (0.9) is an assumption of this open model, documented here and in the report
pages; a publisher's real growth norms can replace it.

The data: :func:`scored_results` returns every result of a set of pupils with the previous
result in the same subject (``LAG`` over the pupil's results, by school year and moment) and the
national reference of both tests; :func:`to_score` turns a row into a :class:`Score`.
:func:`school_growth_by_domain` measures a school's median growth at its latest moment of this
school year or the one before, over the pupils enrolled then (never the school's whole history).
"""

from __future__ import annotations

import enum
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, and_, bindparam, case, exists, func, select

from plugin.db import prepared
from plugin.extensions import db
from plugin.levels import Cuts, derive_level
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
    moment_code,
)
from plugin.periods import school_year_label


class GrowthJudgement(enum.StrEnum):
    ABOVE = "boven"
    AS_EXPECTED = "naar"
    BELOW = "onder"


def judge_growth(
    growth: float, typical_growth: float, growth_sd: float, band: float = 0.5
) -> GrowthJudgement:
    """Compare a pupil's growth with the typical growth of pupils who started at a similar
    score: within ``band`` standard deviations is *naar verwachting*."""
    spread = max(growth_sd, 1.0)
    z = (growth - typical_growth) / spread
    if z > band:
        return GrowthJudgement.ABOVE
    if z < -band:
        return GrowthJudgement.BELOW
    return GrowthJudgement.AS_EXPECTED


STABILITY = 0.9
"""How strongly a pupil's position against the mean carries over to the next test."""

STALLED_SHARE = 0.5
"""Growth stalls below this share of the expected growth (and always at zero or less)."""


@dataclass(frozen=True)
class Norm:
    """The national reference of one test: mean, spread and growth spread."""

    mean: float
    sd: float
    growth_sd: float | None = None


def expected_growth(prev_score: float, prev: Norm, cur: Norm) -> float:
    z = (prev_score - prev.mean) / prev.sd if prev.sd else 0.0
    return cur.mean + STABILITY * z * cur.sd - prev_score


def growth_sd(prev: Norm, cur: Norm) -> float:
    """The spread of growth: the reference's own value, else a quarter of the test's SD."""
    if cur.growth_sd:
        return cur.growth_sd
    return max(cur.sd / 4, 1.0)


def judge(prev_score: float, score: float, prev: Norm, cur: Norm) -> GrowthJudgement:
    growth = score - prev_score
    return judge_growth(growth, expected_growth(prev_score, prev, cur), growth_sd(prev, cur))


def is_stalled(growth: float | None, expected: float | None) -> bool:
    """Flag a pupil whose growth stalls: no growth at all, or less than half of what pupils
    who started at the same score grow. Milder shortfalls show as *onder verwachting* only."""
    if growth is None:
        return False
    if growth <= 0:
        return True
    return expected is not None and expected > 0 and growth < STALLED_SHARE * expected


def median(values: Iterable[float | None]) -> float | None:
    """Median in Python: SQLite has no percentile function, so the aggregation stops at an
    already narrowed list (one group, one moment) and the middle is taken here."""
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


# --- each result with its previous result ---------------------------------------------------


def moment_rank(column):
    """Order of the moments within a school year: begin, midden, eind."""
    return case((column == Moment.B.value, 0), (column == Moment.M.value, 1), else_=2)


@dataclass(frozen=True)
class Score:
    """One result with the previous result in the same subject and the growth judgement."""

    subject_id: int
    school_year: int
    moment: Moment
    test_level: int
    score: float
    level: Level | None
    raw_score: int | None
    deviating: bool
    national_mean: float | None
    band: tuple[float, float] | None
    prev_score: float | None
    prev_code: str | None
    judgement: GrowthJudgement | None
    expected_growth: float | None = None

    @property
    def code(self) -> str:
        return moment_code(self.moment, self.test_level)

    @property
    def growth(self) -> float | None:
        return None if self.prev_score is None else round(self.score - self.prev_score, 1)

    @property
    def stalled(self) -> bool:
        return is_stalled(self.growth, self.expected_growth)


def scored_results(
    subject_id: int | ColumnElement | None,
    pupil_ids: Select,
    up_to_year: int | ColumnElement | None = None,
    subjects: Select | None = None,
):
    """A subquery: results of ``pupil_ids`` with the previous result (LAG) per subject; with
    ``up_to_year`` only results up to that school year (the previous result of each is still
    found: it lies before)."""
    window = {
        "partition_by": (Result.pupil_id, Test.subject_id),
        "order_by": (Result.school_year, moment_rank(Test.moment)),
    }
    query = (
        select(
            Result.pupil_id, Test.subject_id, Result.school_year, Test.moment,
            Test.level.label("test_level"), Result.ability_score.label("score"),
            Result.level.label("result_level"), Result.raw_score, Result.deviating,
            NationalReference.mean, NationalReference.sd, NationalReference.growth_sd,
            NationalReference.p20, NationalReference.p40, NationalReference.p60,
            NationalReference.p80,
            func.lag(Result.ability_score).over(**window).label("prev_score"),
            func.lag(Test.moment).over(**window).label("prev_moment"),
            func.lag(Test.level).over(**window).label("prev_level"),
            func.lag(NationalReference.mean).over(**window).label("prev_mean"),
            func.lag(NationalReference.sd).over(**window).label("prev_sd"),
        )
        .join(Test, Test.id == Result.test_id)
        .outerjoin(
            NationalReference,
            and_(
                NationalReference.subject_id == Test.subject_id,
                NationalReference.moment == Test.moment,
                NationalReference.level == Test.level,
            ),
        )
        .where(Result.pupil_id.in_(pupil_ids))
    )  # fmt: skip
    if subject_id is not None:
        query = query.where(Test.subject_id == subject_id)
    if subjects is not None:  # LAG runs per subject: leaving other subjects out changes nothing
        query = query.where(Test.subject_id.in_(subjects))
    if up_to_year is not None:
        query = query.where(Result.school_year <= up_to_year)
    return query.subquery()


def to_score(row) -> Score:
    """Turn a row of :func:`scored_results` into a :class:`Score` (level, growth, judgement)."""
    has_ref = row.mean is not None
    cuts = Cuts(row.p20, row.p40, row.p60, row.p80) if has_ref else None
    level = row.result_level or (derive_level(row.score, cuts) if cuts else None)
    judgement = expected = None
    if row.prev_score is not None and has_ref and row.prev_mean is not None:
        prev, cur = (
            Norm(row.prev_mean, row.prev_sd),
            Norm(row.mean, row.sd, row.growth_sd),
        )
        judgement = judge(row.prev_score, row.score, prev, cur)
        expected = expected_growth(row.prev_score, prev, cur)
    prev_code = moment_code(row.prev_moment, row.prev_level) if row.prev_moment else None
    return Score(
        subject_id=row.subject_id, school_year=row.school_year, moment=Moment(row.moment),
        test_level=row.test_level, score=row.score, level=Level(level) if level else None,
        raw_score=row.raw_score, deviating=bool(row.deviating), national_mean=row.mean,
        band=(row.p20, row.p80) if has_ref else None, prev_score=row.prev_score,
        prev_code=prev_code, judgement=judgement, expected_growth=expected,
    )  # fmt: skip


def growth_columns(scored) -> tuple:
    """The columns of a :func:`scored_results` subquery that :func:`growth_and_judgement`
    reads: a school-wide query fetches hundreds of rows, and converting the twenty columns
    of each was a third of the school report's time in the database driver."""
    c = scored.c
    return (c.subject_id, c.score, c.prev_score, c.mean, c.sd, c.growth_sd, c.prev_mean,
            c.prev_sd)  # fmt: skip


def growth_and_judgement(row) -> tuple[float | None, GrowthJudgement | None]:
    """Only the growth and its judgement of a :func:`scored_results` row (what a school-wide
    aggregation needs; :func:`to_score` gives the same values, and everything else)."""
    if row.prev_score is None:
        return None, None
    grown = round(row.score - row.prev_score, 1)
    if row.mean is None or row.prev_mean is None:
        return grown, None
    prev, cur = Norm(row.prev_mean, row.prev_sd), Norm(row.mean, row.sd, row.growth_sd)
    return grown, judge(row.prev_score, row.score, prev, cur)


# --- a school's growth ------------------------------------------------------------------------


def has_results():
    """The administration has at least one result (an index lookup per administration)."""
    return exists().where(Result.administration_id == Administration.id)


def school_growth_rows(school_id: int, school_year: int, moment: Moment):
    """(group, subject, growth, judgement) for every result of the school at this moment.

    Bounded by the pupils enrolled at the school in ``school_year`` (and their own results):
    never the school's whole history."""
    rows = db.session.execute(
        _school_growth_query(),
        {"school_id": school_id, "school_year": school_year, "moment": moment.value},
    )
    for row in rows:
        yield (row.group_id, row.subject_id, *growth_and_judgement(row))


@prepared
def _school_growth_query() -> Select:
    """The statement of :func:`school_growth_rows`, built once per process (parameters:
    school_id, school_year, moment; see :func:`_growth_by_domain_query`)."""
    school_id, school_year = bindparam("school_id"), bindparam("school_year")
    pupils = select(Enrolment.pupil_id).where(
        Enrolment.school_id == school_id, Enrolment.school_year == school_year
    )
    scored = scored_results(None, pupils, up_to_year=school_year)
    return (
        select(Enrolment.group_id, *growth_columns(scored))
        .select_from(scored)
        .join(
            Enrolment,
            and_(Enrolment.pupil_id == scored.c.pupil_id, Enrolment.school_year == school_year),
        )
        .where(scored.c.school_year == school_year, scored.c.moment == bindparam("moment"))
    )


def school_growth_by_domain(
    school: School, subjects: list[Subject], school_year: int
) -> tuple[dict[str, float], str | None]:
    """The school's median growth per reference domain at its latest moment with results in
    ``school_year`` or the year before (never further back: the dashboard's growth goals are
    about now).

    One query (:func:`_growth_by_domain_query`).
    """
    rows = list(
        db.session.execute(
            _growth_by_domain_query(),
            {"school_id": school.id, "from_year": school_year - 1, "school_year": school_year},
        )
    )
    if not rows:
        return {}, None
    domains = {s.id: s.reference_domain for s in subjects if s.reference_domain is not None}
    growths: dict[str, list[float]] = defaultdict(list)
    for row in rows:
        if row.growth is not None and row.subject_id in domains:
            growths[domains[row.subject_id]].append(round(row.growth, 1))
    label = f"{Moment(rows[0].latest).value} {school_year_label(rows[0].latest_year)}"
    return {domain: median(values) for domain, values in growths.items()}, label


@prepared
def _growth_by_domain_query() -> Select:
    """The statement of :func:`school_growth_by_domain`, built once per process with its
    values as parameters: building it and computing its cache key cost more than running it.

    The latest moment (from the school's administrations of those two years) and, outer-joined
    to it, the growth of each result of the pupils enrolled that school year that has a
    previous result."""
    school_id, from_year, school_year = (
        bindparam("school_id"), bindparam("from_year"), bindparam("school_year"),
    )  # fmt: skip
    latest = (
        select(Administration.school_year, Test.moment)
        .join(Test, Test.id == Administration.test_id)
        .join(Group, Group.id == Administration.group_id)
        .where(
            Group.school_id == school_id, Group.school_year.between(from_year, school_year),
            Administration.school_year.between(from_year, school_year), has_results(),
        )
        .order_by(Administration.school_year.desc(), moment_rank(Test.moment).desc())
        .limit(1)
        .cte("latest")
    )  # fmt: skip
    pupils = (
        select(Enrolment.pupil_id)
        .join(latest, Enrolment.school_year == latest.c.school_year)
        .where(Enrolment.school_id == school_id)
    )
    # Only subjects that count for a reference domain: the goals are per domain.
    counted = select(Subject.id).where(Subject.reference_domain.is_not(None))
    scored = scored_results(None, pupils, up_to_year=school_year, subjects=counted)
    # Only the growth leaves the database (the dashboard judges no pupil): two columns of
    # the results that have a previous one, not twenty of every result.
    grown = (
        select(scored.c.school_year, scored.c.moment, scored.c.subject_id,
               (scored.c.score - scored.c.prev_score).label("growth"))
        .where(scored.c.prev_score.is_not(None))
        .subquery("grown")
    )  # fmt: skip
    return (
        select(latest.c.school_year.label("latest_year"), latest.c.moment.label("latest"),
               grown.c.subject_id, grown.c.growth)
        .select_from(latest)
        .outerjoin(grown, and_(grown.c.school_year == latest.c.school_year,
                               grown.c.moment == latest.c.moment))
    )  # fmt: skip
