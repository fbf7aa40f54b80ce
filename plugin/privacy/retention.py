"""The retention period: pupils who left more than ``RETENTION_YEARS`` ago are removed.

Their results first become anonymous counts (:class:`~plugin.models.ResultAggregate`) so the
school report's totals for past years stay what they were; then the pupil and everything that
refers to them goes (:func:`plugin.privacy.erasure.remove_pupils`), and the audit log gets one
row per pupil, with the id only. Course requests nobody repeated and roster accounts no sync
listed since the same cutoff go too (they name teachers and pupils; see
:mod:`plugin.models.links`). Runs nightly as a periodic job, and as
``flask --app wsgi privacy purge [--dry-run]``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from flask import current_app
from sqlalchemy import and_, case, delete, func, select
from sqlalchemy.orm import aliased

from plugin.audit import record_event
from plugin.audit_actions import AuditAction
from plugin.extensions import db
from plugin.levels import level_sql
from plugin.models import (
    Administration,
    CourseRequest,
    NationalReference,
    Pupil,
    ReferenceIndicator,
    ReferenceLevelCut,
    Result,
    ResultAggregate,
    School,
    Test,
    UnmatchedAccount,
)
from plugin.privacy.erasure import remove_pupils

BATCH = 200


def cutoff(today: date, years: int) -> date:
    """The day ``years`` before ``today``: pupils who left before it are due."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def due_pupil_ids(school_id: int, before: date) -> list[int]:
    return list(
        db.session.scalars(
            select(Pupil.id)
            .where(Pupil.school_id == school_id, Pupil.left_on.is_not(None),
                   Pupil.left_on < before)
            .order_by(Pupil.id)
        )
    )  # fmt: skip


def due_count(school_id: int, today: date | None = None) -> int:
    """How many of the school's pupils the next purge removes."""
    before = cutoff(today or date.today(), current_app.config["RETENTION_YEARS"])
    return len(due_pupil_ids(school_id, before))


@dataclass
class PurgeReport:
    before: date
    pupils: dict[str, int] = field(default_factory=dict)
    """School name → pupils removed (or, in a dry run, due)."""
    results: int = 0
    requests: int = 0
    """Course requests nobody repeated since ``before`` (removed, or due in a dry run)."""
    accounts: int = 0
    """Unmatched roster accounts no sync listed since ``before``."""

    @property
    def total(self) -> int:
        return sum(self.pupils.values())


def purge(today: date | None = None, *, dry_run: bool = False) -> PurgeReport:
    """Remove every school's pupils whose retention period ended; flushes, never commits."""
    before = cutoff(today or date.today(), current_app.config["RETENTION_YEARS"])
    report = PurgeReport(before)
    schools = db.session.execute(select(School.id, School.name).order_by(School.name)).all()
    for school_id, name in schools:
        ids = due_pupil_ids(school_id, before)
        if not ids:
            continue
        report.pupils[name] = len(ids)
        if dry_run:
            report.results += db.session.scalar(
                select(func.count(Result.id)).where(Result.pupil_id.in_(ids))
            )
            continue
        for start in range(0, len(ids), BATCH):
            batch = ids[start : start + BATCH]
            report.results += aggregate_results(school_id, batch)
            pupils = list(db.session.scalars(select(Pupil).where(Pupil.id.in_(batch))))
            remove_pupils(pupils)
            for pupil_id in batch:
                record_event(AuditAction.PUPIL_PURGED, "pupil", pupil_id, school_id=school_id)
    report.requests, report.accounts = purge_waiting(before, dry_run=dry_run)
    return report


def purge_waiting(before: date, *, dry_run: bool = False) -> tuple[int, int]:
    """Remove course requests last repeated, and unmatched roster accounts last listed, before
    ``before``; (requests, accounts). Who asked goes with a request (ON DELETE CASCADE)."""
    moment = datetime.combine(before, time.min, tzinfo=UTC)
    stale = ((CourseRequest, CourseRequest.last_at < moment),
             (UnmatchedAccount, UnmatchedAccount.seen_at < moment))  # fmt: skip
    counts = []
    for model, old in stale:
        if dry_run:
            counts.append(db.session.scalar(select(func.count()).select_from(model).where(old)))
        else:
            counts.append(db.session.execute(delete(model).where(old)).rowcount or 0)
    return counts[0], counts[1]


def _level():
    """The level as the school report counts it: the stored one, else from the national cuts."""
    return func.coalesce(Result.level, level_sql(Result.ability_score, NationalReference), "")


def aggregate_results(school_id: int, pupil_ids: list[int]) -> int:
    """Add the results of ``pupil_ids`` to the school's anonymous counts; returns how many."""
    cut_1f, cut_2f = aliased(ReferenceLevelCut), aliased(ReferenceLevelCut)
    level = _level().label("level")

    def reached(cut):
        return func.sum(case((Result.ability_score >= cut.min_score, 1), else_=0))

    rows = db.session.execute(
        select(
            Administration.group_id, Result.test_id, Result.school_year, Result.leerjaar, level,
            func.count(Result.id).label("n"), func.sum(Result.ability_score).label("total"),
            reached(cut_1f).label("r1"), reached(cut_2f).label("r2"),
        )
        .join(Administration, Administration.id == Result.administration_id)
        .join(Test, Test.id == Result.test_id)
        .outerjoin(NationalReference, and_(
            NationalReference.subject_id == Test.subject_id,
            NationalReference.moment == Test.moment, NationalReference.level == Test.level))
        .outerjoin(cut_1f, and_(cut_1f.subject_id == Test.subject_id,
                                cut_1f.indicator == ReferenceIndicator.F1))
        .outerjoin(cut_2f, and_(cut_2f.subject_id == Test.subject_id,
                                cut_2f.indicator == ReferenceIndicator.F2_S1))
        .where(Result.pupil_id.in_(pupil_ids))
        .group_by(Administration.group_id, Result.test_id, Result.school_year, Result.leerjaar,
                  level)
    ).all()  # fmt: skip
    if not rows:
        return 0
    keys = {(r.group_id, r.test_id, r.school_year, r.leerjaar, r.level or "") for r in rows}
    existing = {
        (a.group_id, a.test_id, a.school_year, a.leerjaar, a.level): a
        for a in db.session.scalars(
            select(ResultAggregate).where(
                ResultAggregate.school_id == school_id,
                ResultAggregate.group_id.in_({k[0] for k in keys}),
            )
        )
    }
    for row in rows:
        key = (row.group_id, row.test_id, row.school_year, row.leerjaar, row.level or "")
        aggregate = existing.get(key)
        if aggregate is None:
            aggregate = existing[key] = ResultAggregate(
                school_id=school_id, group_id=row.group_id, test_id=row.test_id,
                school_year=row.school_year, leerjaar=row.leerjaar, level=row.level or "",
                count=0, score_sum=0.0, reached_1f=0, reached_2f_1s=0,
            )  # fmt: skip
            db.session.add(aggregate)
        aggregate.count += row.n
        aggregate.score_sum += float(row.total)
        aggregate.reached_1f += int(row.r1 or 0)
        aggregate.reached_2f_1s += int(row.r2 or 0)
    db.session.flush()
    return sum(row.n for row in rows)
