"""Report queries for one group and one pupil: every select of those pages lives here.

The shape is the same for both: one windowed query (:func:`plugin.growth.scored_results`:
``LAG`` over the pupil's results in a subject, ordered by school year and moment) returns each
score with the previous one and the national reference of both tests, so growth needs no extra
query per pupil. The number of
queries per page is therefore fixed, whatever the size of the group.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, CompoundSelect, Select, and_, bindparam, select, union

from plugin import reference_cache
from plugin.db import prepared
from plugin.extensions import db
from plugin.growth import (
    Score,
    median,
    moment_rank,
    scored_results,
    to_score,
)
from plugin.models import (
    Enrolment,
    Group,
    GroupMember,
    Level,
    Moment,
    NationalReference,
    Pupil,
    Result,
    Subject,
    Test,
    moment_code,
)
from plugin.reference_cache import SubjectInfo

LEVELS = tuple(Level)


def subjects() -> list[SubjectInfo]:
    return reference_cache.subjects()


def group_pupil_ids(group_id: int | ColumnElement) -> CompoundSelect:
    """A class's enrolled pupils, or a subgroup's (samengestelde groep's) members: a group
    from the school's administration has one or the other."""
    return union(
        select(Enrolment.pupil_id).where(Enrolment.group_id == group_id),
        select(GroupMember.pupil_id).where(GroupMember.group_id == group_id),
    )


# --- Groepsrapport -------------------------------------------------------------------------


@dataclass(frozen=True)
class MomentOption:
    subject_id: int
    school_year: int
    moment: Moment


def group_moments(group: Group) -> list[MomentOption]:
    """Subjects and moments (up to the group's school year) at which its pupils have results."""
    rows = db.session.execute(
        _group_moments_query(), {"group_id": group.id, "school_year": group.school_year}
    )
    return [MomentOption(r.subject_id, r.school_year, Moment(r.moment)) for r in rows]


@prepared
def _group_moments_query() -> Select:
    """The statement of :func:`group_moments`, built once per process (see
    :func:`_pupil_history_query`)."""
    return (
        select(Test.subject_id, Result.school_year, Test.moment)
        .join(Test, Test.id == Result.test_id)
        .where(
            Result.pupil_id.in_(group_pupil_ids(bindparam("group_id"))),
            Result.school_year <= bindparam("school_year"),
        )
        .group_by(Test.subject_id, Result.school_year, Test.moment)
        .order_by(Result.school_year, moment_rank(Test.moment))
    )


@dataclass
class PupilLine:
    pupil_id: int
    name: str
    score: Score | None


@dataclass
class GroupReport:
    group: Group
    subject: Subject
    school_year: int
    moment: Moment
    lines: list[PupilLine]
    level_counts: dict[Level, int] = field(default_factory=dict)
    median: float | None = None
    previous_median: float | None = None
    national_mean: float | None = None
    national_band: tuple[float, float] | None = None
    test_code: str | None = None

    @property
    def scored(self) -> list[Score]:
        return [line.score for line in self.lines if line.score is not None]

    @property
    def stalled_count(self) -> int:
        return sum(1 for score in self.scored if score.stalled)


def group_report(group: Group, subject: Subject, school_year: int, moment: Moment) -> GroupReport:
    """Every pupil of ``group`` with their result at (``school_year``, ``moment``)."""
    rows = db.session.execute(
        _group_report_query(),
        {"group_id": group.id, "subject_id": subject.id, "school_year": school_year,
         "moment": moment.value},
    )  # fmt: skip
    lines = [
        PupilLine(r.pid, r.display_name, to_score(r) if r.score is not None else None) for r in rows
    ]
    report = GroupReport(group, subject, school_year, moment, lines)
    _summarise(report)
    return report


@prepared
def _group_report_query() -> Select:
    """The statement of :func:`group_report`, built once per process (see
    :func:`_pupil_history_query`)."""
    pupils = group_pupil_ids(bindparam("group_id"))
    school_year = bindparam("school_year")
    scored = scored_results(bindparam("subject_id"), pupils, up_to_year=school_year)
    return (
        select(Pupil.id.label("pid"), Pupil.display_name, scored)
        .where(Pupil.id.in_(pupils))
        .outerjoin(
            scored,
            and_(
                scored.c.pupil_id == Pupil.id,
                scored.c.school_year == school_year,
                scored.c.moment == bindparam("moment"),
            ),
        )
        .order_by(Pupil.display_name, Pupil.id)
    )


def _summarise(report: GroupReport) -> None:
    scores = report.scored
    counts = Counter(score.level for score in scores if score.level)
    report.level_counts = {level: counts.get(level, 0) for level in LEVELS}
    report.median = median(score.score for score in scores)
    report.previous_median = median(score.prev_score for score in scores)
    if scores:
        # The test most pupils took sets the national comparison (a few may take another level).
        code, _ = Counter(score.code for score in scores).most_common(1)[0]
        typical = next(score for score in scores if score.code == code)
        report.test_code = code
        report.national_mean = typical.national_mean
        report.national_band = typical.band


SORT_KEYS = {
    "naam": lambda line: (line.name.lower(),),
    "score": lambda line: (line.score is None, line.score.score if line.score else 0),
    "niveau": lambda line: (
        line.score is None or line.score.level is None,
        LEVELS.index(line.score.level) if line.score and line.score.level else 0,
    ),
    "groei": lambda line: (
        line.score is None or line.score.growth is None,
        line.score.growth if line.score and line.score.growth is not None else 0,
    ),
}


def sort_lines(lines: list[PupilLine], key: str, descending: bool) -> list[PupilLine]:
    """Sort the table server-side (no script needed); pupils without a score stay last."""
    order = SORT_KEYS.get(key, SORT_KEYS["naam"])
    with_score = [line for line in lines if order(line)[0] is not True]
    without = [line for line in lines if order(line)[0] is True]
    with_score.sort(key=order, reverse=descending)
    return with_score + without


# --- Leerlingrapport -----------------------------------------------------------------------


@dataclass
class SubjectHistory:
    subject: Subject
    scores: list[Score]
    moments: list[tuple[str, float]]
    """The national mean per moment of this subject, in order (for functioneringsniveau)."""

    @property
    def latest(self) -> Score | None:
        return self.scores[-1] if self.scores else None


def pupil_histories(pupil: Pupil) -> list[SubjectHistory]:
    """Every subject with the pupil's results in order, each with its previous result."""
    rows = db.session.execute(_pupil_history_query(), {"pupil_id": pupil.id})
    by_subject: dict[int, list[Score]] = {}
    for row in rows:
        by_subject.setdefault(row.subject_id, []).append(to_score(row))
    means = _national_means()
    return [
        SubjectHistory(subject, by_subject.get(subject.id, []), means.get(subject.id, []))
        for subject in subjects()
    ]


@prepared
def _pupil_history_query() -> Select:
    """The statement of :func:`pupil_histories`, built once per process (the pupil as a
    parameter): building it and its cache key cost more than running it."""
    scored = scored_results(None, select(Pupil.id).where(Pupil.id == bindparam("pupil_id")))
    return select(scored).order_by(scored.c.school_year, moment_rank(scored.c.moment))


def _national_means() -> dict[int, list[tuple[str, float]]]:
    """Per subject, the national mean of each moment in order (a reference snapshot)."""
    return reference_cache.cached(("national_means",), _load_national_means)


def _load_national_means() -> dict[int, list[tuple[str, float]]]:
    rows = db.session.execute(
        select(
            NationalReference.subject_id, NationalReference.moment, NationalReference.level,
            NationalReference.mean,
        ).order_by(
            NationalReference.subject_id, NationalReference.level,
            moment_rank(NationalReference.moment),
        )
    )  # fmt: skip
    means: dict[int, list[tuple[str, float]]] = {}
    for row in rows:
        means.setdefault(row.subject_id, []).append((moment_code(row.moment, row.level), row.mean))
    return means


def pupil_groups(pupil: Pupil) -> list[Group]:
    """The pupil's groups over the years, newest first (for the report's heading)."""
    return list(
        db.session.scalars(
            select(Group)
            .join(Enrolment, Enrolment.group_id == Group.id)
            .where(Enrolment.pupil_id == pupil.id)
            .order_by(Group.school_year.desc())
        )
    )
