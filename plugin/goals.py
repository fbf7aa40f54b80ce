"""Goals (*doelen*): the school's goals and its state against them, the one home of both.

Shares of groep 8 pupils at the reference levels, and the median growth against growth goals
(:mod:`plugin.growth`). Used by the IB dashboard, the school report and Administratie. The
share counts groep 8 pupils' midden (M8) results of subjects that count for a reference domain,
against the cut scores in ``reference_level_cut``; it is compared with the school's current goal,
the national average and the Inspectorate's signaling value for
the school's schoolweging (all three are data, never constants in code).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, Select, bindparam, case, func, literal, or_, select, union_all

from plugin import reference_cache
from plugin.db import prepared
from plugin.extensions import db
from plugin.growth import school_growth_by_domain
from plugin.models import (
    Administration,
    GoalIndicator,
    GoalSource,
    Group,
    Moment,
    ReferenceIndicator,
    ReferenceLevelCut,
    Result,
    ResultAggregate,
    School,
    SchoolGoal,
    SignalingValue,
    Subject,
    Test,
)

DOMAINS = ("lezen", "taalverzorging", "rekenen")
INDICATORS = (ReferenceIndicator.F1, ReferenceIndicator.F2_S1)
YEARS_FOR_INSPECTORATE = 3
"""The Inspectorate judges the average over the last three end-of-school tests."""

_SOURCE_LABELS = {
    GoalSource.SIGNALERINGSWAARDE: _l("the Inspectorate's signalling value"),
    GoalSource.LANDELIJK: _l("the national average"),
    GoalSource.AMBITIE: _l("the school's own ambition"),
}


def source_label(source: GoalSource) -> str:
    """What a goal's target is based on, as the IB reads it in Administratie."""
    return str(_SOURCE_LABELS[GoalSource(source)])


@dataclass(frozen=True)
class Share:
    reached: int
    total: int

    @property
    def percentage(self) -> float | None:
        return 100.0 * self.reached / self.total if self.total else None


@dataclass
class DomainState:
    domain: str
    indicator: ReferenceIndicator
    by_year: dict[int, Share]
    goal: float | None
    signaling: float | None
    national: float | None

    @property
    def recent(self) -> Share | None:
        """Pooled share of the last three school years with results."""
        years = sorted(self.by_year)[-YEARS_FOR_INSPECTORATE:]
        if not years:
            return None
        return Share(
            sum(self.by_year[y].reached for y in years), sum(self.by_year[y].total for y in years)
        )

    @property
    def meets_goal(self) -> bool | None:
        share = self.recent
        if share is None or share.percentage is None or self.goal is None:
            return None
        return share.percentage >= self.goal

    @property
    def meets_signaling(self) -> bool | None:
        share = self.recent
        if share is None or share.percentage is None or self.signaling is None:
            return None
        return share.percentage >= self.signaling


YEARS_SHOWN = 5
"""The reference shares are read for the last five school years (the Inspectorate pools three):
a page never reads the school's whole history."""


def reference_shares(
    school_id: int, up_to_year: int | None = None
) -> dict[tuple[str, ReferenceIndicator], dict[int, Share]]:
    """Per domain and indicator, per school year: groep 8 pupils at or above the cut (SQL), for
    the :data:`YEARS_SHOWN` school years up to ``up_to_year`` (default: the school's latest
    school year with an administration)."""
    rows = db.session.execute(
        _reference_shares_query(up_to_year is None),
        {"school_id": school_id, "up_to_year": up_to_year},
    )
    shares: dict = {}
    for row in rows:
        key = (row.reference_domain, ReferenceIndicator(row.indicator))
        shares.setdefault(key, {})[row.school_year] = Share(int(row.reached), int(row.total))
    return shares


@prepared
def _reference_shares_query(latest: bool) -> Select:
    """The statement of :func:`reference_shares`, built once per process with its values as
    parameters (school_id, up_to_year): building it cost more than running it. Two shapes:
    up to the chosen school year, or (``latest``) up to the school's latest school year with
    an administration. (One statement with COALESCE(chosen, latest) hid the year from the
    planner and doubled the query's time.)"""
    school_id = bindparam("school_id")
    if latest:
        last = (
            select(func.max(Administration.school_year))
            .join(Group, Group.id == Administration.group_id)
            .where(Group.school_id == school_id)
            .scalar_subquery()
        )
    else:
        last = bindparam("up_to_year", type_=Integer)
    first = last - (YEARS_SHOWN - 1)
    results = (
        select(
            Subject.reference_domain, ReferenceLevelCut.indicator, Result.school_year,
            case((Result.ability_score >= ReferenceLevelCut.min_score, 1), else_=0)
            .label("reached"),
            literal(1).label("total"),
        )
        .join(Test, Test.id == Result.test_id)
        .join(Subject, Subject.id == Test.subject_id)
        .join(ReferenceLevelCut, ReferenceLevelCut.subject_id == Subject.id)
        .join(Administration, Administration.id == Result.administration_id)
        .join(Group, Group.id == Administration.group_id)
        .where(
            Group.school_id == school_id, Result.leerjaar == 8, Test.moment == Moment.M,
            Subject.reference_domain.is_not(None),
            Group.school_year.between(first, last), Result.school_year.between(first, last),
        )
    )  # fmt: skip
    removed = (  # the anonymous counts of pupils removed after the retention period
        select(
            Subject.reference_domain, ReferenceLevelCut.indicator, ResultAggregate.school_year,
            case((ReferenceLevelCut.indicator == ReferenceIndicator.F1,
                  ResultAggregate.reached_1f), else_=ResultAggregate.reached_2f_1s),
            ResultAggregate.count,
        )
        .join(Test, Test.id == ResultAggregate.test_id)
        .join(Subject, Subject.id == Test.subject_id)
        .join(ReferenceLevelCut, ReferenceLevelCut.subject_id == Subject.id)
        .where(
            ResultAggregate.school_id == school_id, ResultAggregate.leerjaar == 8,
            Test.moment == Moment.M, Subject.reference_domain.is_not(None),
            ResultAggregate.school_year.between(first, last),
        )
    )  # fmt: skip
    both = union_all(results, removed).subquery()
    return (
        select(
            both.c.reference_domain, both.c.indicator, both.c.school_year,
            func.sum(both.c.reached).label("reached"), func.sum(both.c.total).label("total"),
        ).group_by(both.c.reference_domain, both.c.indicator, both.c.school_year)
    )  # fmt: skip


def current_goals(school_id: int) -> dict[tuple[str, GoalIndicator], SchoolGoal]:
    """The school's goals in force (not superseded), the newest school year winning."""
    goals = db.session.scalars(
        select(SchoolGoal)
        .where(SchoolGoal.school_id == school_id, SchoolGoal.superseded_at.is_(None))
        .order_by(SchoolGoal.school_year, SchoolGoal.id)
    )
    return {(goal.domain, goal.indicator): goal for goal in goals}


def signaling_for(school: School) -> dict[ReferenceIndicator, SignalingValue]:
    """The signaling value per indicator for the school's schoolweging band; the school's own
    corrections win over the installation's table."""
    weging = school.schoolweging
    rows = db.session.scalars(
        select(SignalingValue)
        .where(or_(SignalingValue.school_id == school.id, SignalingValue.school_id.is_(None)))
        .order_by(SignalingValue.school_id.is_(None), SignalingValue.weging_from)
    )
    found: dict[ReferenceIndicator, SignalingValue] = {}
    for row in rows:
        in_band = weging is None or row.weging_from <= weging < row.weging_to
        if in_band or (weging == row.weging_to == 100):
            found.setdefault(ReferenceIndicator(row.indicator), row)
    return found


def goal_states(
    school: School, goals: dict | None = None, up_to_year: int | None = None
) -> list[DomainState]:
    """Every domain × indicator with its shares per year, goal, signaling value and average
    (``goals``: the school's :func:`current_goals`, when the caller has them already)."""
    shares = reference_shares(school.id, up_to_year)
    goals = current_goals(school.id) if goals is None else goals
    signaling = signaling_for(school)
    states = []
    for domain in DOMAINS:
        for indicator in INDICATORS:
            goal = goals.get((domain, GoalIndicator(indicator.value)))
            value = signaling.get(indicator)
            states.append(
                DomainState(
                    domain=domain, indicator=indicator, by_year=shares.get((domain, indicator), {}),
                    goal=goal.target if goal else None,
                    signaling=value.percentage if value else None,
                    national=value.national_average if value else None,
                )
            )  # fmt: skip
    return states


@dataclass(frozen=True)
class GrowthGoalState:
    """A median-growth goal of one domain against the school's measured median growth."""

    domain: str
    goal: float
    measured: float | None
    moment_label: str | None

    @property
    def meets_goal(self) -> bool | None:
        return None if self.measured is None else self.measured >= self.goal


def growth_goal_states(
    school: School,
    school_year: int,
    goals: dict | None = None,
    subjects: list[Subject] | None = None,
) -> list[GrowthGoalState]:
    """The growth goals against the school's median growth at its latest moment of
    ``school_year`` or the year before."""
    goals = current_goals(school.id) if goals is None else goals
    targets = {
        domain: goal.target
        for (domain, indicator), goal in goals.items()
        if indicator is GoalIndicator.MEDIAN_GROWTH
    }
    if not targets:
        return []
    if subjects is None:
        subjects = reference_cache.subjects()
    measured, label = school_growth_by_domain(school, subjects, school_year)
    return [
        GrowthGoalState(domain, goal, measured.get(domain), label)
        for domain, goal in sorted(targets.items(), key=lambda item: DOMAINS.index(item[0]))
    ]
