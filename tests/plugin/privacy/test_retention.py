"""Retention: pupils who left more than RETENTION_YEARS ago are removed (flask privacy purge,
and a nightly job); the school report's totals for past years stay exactly what they were."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from plugin import course_requests
from plugin.extensions import db
from plugin.goals import reference_shares
from plugin.models import (
    AuditEvent,
    CourseRequest,
    CourseRequester,
    Moment,
    NationalReference,
    PlatformContext,
    Pupil,
    ReferenceIndicator,
    ReferenceLevelCut,
    Result,
    ResultAggregate,
    UnmatchedAccount,
)
from plugin.privacy import retention
from reports import school_services
from tests.factories import (
    GroupFactory,
    PupilFactory,
    SubjectFactory,
    ToetsFactory,
    administer,
    enrol,
    record_result,
)
from tests.plugin.privacy.scan import traces

TODAY = date(2026, 12, 2)  # retention 2 years: who left before 2 December 2024 goes


@pytest.fixture
def history(school):
    """Groep 8 of 2022 (left in 2023: due), groep 8 of 2023 (left in 2024, before the cut:
    due), groep 8 of 2024 (left July 2025: kept) and a groep 7 still at school. Every group
    took M8-style tests of a reference subject with national cuts."""
    subject = SubjectFactory(reference_domain="rekenen")
    db.session.add(ReferenceLevelCut(subject_id=subject.id, indicator=ReferenceIndicator.F1,
                                     min_score=150.0))  # fmt: skip
    db.session.add(ReferenceLevelCut(subject_id=subject.id, indicator=ReferenceIndicator.F2_S1,
                                     min_score=175.0))  # fmt: skip
    tests = {}
    for level in (7, 8):
        tests[level] = ToetsFactory(subject=subject, moment=Moment.M, level=level)
        db.session.add(NationalReference(
            subject_id=subject.id, moment=Moment.M, level=level, mean=160.0 + level, sd=14,
            p20=148, p40=157, p60=165, p80=174, typical_growth=5,
        ))  # fmt: skip
    pupils = {}
    plan = [(2022, 8, date(2023, 7, 14), "Oud"), (2023, 8, date(2024, 7, 12), "Vorig"),
            (2024, 8, date(2025, 7, 11), "Recent"), (2025, 7, None, "Nu")]  # fmt: skip
    for year, leerjaar, left, tag in plan:
        group = GroupFactory(school=school, school_year=year, leerjaar=leerjaar,
                             name=f"Groep {leerjaar} {year}")  # fmt: skip
        admin = administer(group, tests[leerjaar])
        for i, score in enumerate((141.5, 152.25, 166.0, 171.75, 180.5, 190.0)):
            pupil = PupilFactory(school=school, display_name=f"{tag} Leerling {i}",
                                 key=f"KEY-{tag}-{i}", left_on=left)  # fmt: skip
            enrol(pupil, group, leerjaar)
            record_result(pupil, admin, score, leerjaar=leerjaar)
            pupils.setdefault(tag, []).append(pupil)
    return pupils


def _report(school_id: int) -> dict:
    """Everything the school report shows as totals, for every past moment."""
    found = {"moments": school_services.school_moments(school_id)}
    for year, moment in found["moments"]:
        cells, groups = school_services.cross_section(school_id, year, moment)
        found[("cells", year)] = {
            key: (cell.count, dict(cell.levels), round(cell.national_mean or 0, 9))
            for key, cell in cells.items()
        }
        found[("groups", year)] = [g.name for g in groups]
        found[("trend", year)] = {
            key: {y: (p.count, round(p.mean, 9), round(p.national_mean or 0, 9))
                  for y, p in points.items()}
            for key, points in school_services.trend(school_id, moment, year).items()
        }  # fmt: skip
    found["shares"] = {
        key: {year: (share.reached, share.total) for year, share in years.items()}
        for key, years in reference_shares(school_id, 2025).items()
    }
    return found


def test_purge_removes_who_left_long_ago_and_keeps_the_school_reports_totals(app, school, history):
    before = _report(school.id)
    assert before["shares"]  # the report has reference shares to keep
    app.config["RETENTION_YEARS"] = 2
    report = retention.purge(TODAY)
    assert report.pupils == {school.name: 12}
    assert report.results == 12
    gone = [p.id for tag in ("Oud", "Vorig") for p in history[tag]]
    assert db.session.scalar(select(func.count()).where(Pupil.id.in_(gone))) == 0
    assert db.session.scalar(select(func.count()).where(Result.pupil_id.in_(gone))) == 0
    assert db.session.scalar(select(func.count(Pupil.id)).where(Pupil.school_id == school.id)) == 12
    assert traces("Oud Leerling", "Vorig Leerling", "KEY-Oud", "KEY-Vorig") == []
    assert _report(school.id) == before
    purged = db.session.scalars(
        select(AuditEvent.object_id).where(AuditEvent.action == "pupil_purged")
    ).all()
    assert sorted(purged) == sorted(gone)
    aggregates = db.session.scalars(select(ResultAggregate)).all()
    assert sum(a.count for a in aggregates) == 12
    assert {a.school_year for a in aggregates} == {2022, 2023}


def test_a_second_purge_changes_nothing_and_a_dry_run_nothing_at_all(app, school, history):
    app.config["RETENTION_YEARS"] = 2
    dry = retention.purge(TODAY, dry_run=True)
    assert (dry.total, dry.results) == (12, 12)
    assert db.session.scalar(select(func.count(Pupil.id))) == 24
    retention.purge(TODAY)
    before = _report(school.id)
    again = retention.purge(TODAY)
    assert again.total == 0
    assert _report(school.id) == before


def test_a_longer_retention_keeps_more(app, school, history):
    app.config["RETENTION_YEARS"] = 3
    assert retention.purge(TODAY).pupils == {school.name: 6}  # only who left in 2023


@pytest.mark.parametrize(("today", "cut"), [(date(2026, 12, 2), date(2024, 12, 2)),
                                           (date(2028, 2, 29), date(2026, 2, 28))])  # fmt: skip
def test_the_cut_is_the_same_day_years_ago(today, cut):
    assert retention.cutoff(today, 2) == cut


def test_the_command_line_purges_and_says_so_in_dutch(app, school, history):
    app.config["RETENTION_YEARS"] = 2
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["privacy", "purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert (
        "12 leerlingen die vóór 2 december 2024 vertrokken, zouden worden verwijderd"
        in (dry.output.replace("2 dec. 2024", "2 december 2024"))
        or "zouden worden verwijderd" in dry.output
    )
    assert "Proefdraai: er is niets veranderd." in dry.output
    assert db.session.scalar(select(func.count(Pupil.id))) == 24


def test_purge_removes_stale_course_requests_and_unmatched_accounts_and_those_of_who_left(
    app, school
):
    """What waits for the IB under Koppelingen has a retention period too: a request nobody
    repeated and an unmatched account no sync listed since the cut go, and an unmatched
    account under the name of a pupil the purge removes goes with the pupil."""
    group = GroupFactory(school=school, school_year=2022)
    gone = PupilFactory(school=school, display_name="Oud Vertrokken", left_on=date(2023, 7, 14))
    enrol(gone, group)
    course = PlatformContext(school_id=school.id, issuer="https://lms", context_id="c",
                             group_id=group.id)  # fmt: skip
    db.session.add(course)
    db.session.flush()
    long_ago, recent = datetime(2023, 1, 9, tzinfo=UTC), datetime(2026, 11, 30, tzinfo=UTC)
    for context_id, when in (("old", long_ago), ("new", recent)):
        request = course_requests.request_course(
            school.id, "https://lms", context_id, None, context_id, "t-" + context_id,
            "Juf Anne", "anne@school.example", None,
        )  # fmt: skip
        request.last_at = when
    course_requests.replace_unmatched(course, ["Oud Vertrokken", "Nog Onbekend"])
    stale = UnmatchedAccount(school_id=school.id, platform_context_id=course.id,
                             name="Heel Oud Account", seen_at=long_ago)  # fmt: skip
    db.session.add(stale)
    db.session.flush()
    app.config["RETENTION_YEARS"] = 2

    dry = retention.purge(TODAY, dry_run=True)
    assert (dry.requests, dry.accounts) == (1, 1)
    report = retention.purge(TODAY)

    assert (report.pupils, report.requests, report.accounts) == ({school.name: 1}, 1, 1)
    assert db.session.scalars(select(CourseRequest.context_id)).all() == ["new"]
    assert db.session.scalar(select(func.count()).select_from(CourseRequester)) == 1
    assert db.session.scalars(select(UnmatchedAccount.name)).all() == ["Nog Onbekend"]
    assert traces("Oud Vertrokken", "Heel Oud Account") == []
