"""Schoolrapport (IB) and categorieënanalyse pages, with their CSV exports."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from plugin.audit import record_event
from plugin.auth import (
    Permission,
    load_group_or_404,
    refuse,
    require_permission,
    require_principal,
)
from plugin.extensions import cache, db
from plugin.goals import current_goals, goal_states
from plugin.models import (
    Administration,
    GoalIndicator,
    Level,
    Moment,
    Pupil,
    School,
    Subject,
    Test,
    moment_code,
)
from plugin.periods import school_year_label
from reports import bp, category_services, charts, school_services, services
from reports.export import csv_response, slug
from reports.inputs import bad_request, int_arg


def _school_selection(school_id: int) -> tuple[int | None, Moment | None, list]:
    moments = school_services.school_moments(school_id)
    year, raw = int_arg("jaar"), request.args.get("moment")
    if raw is not None and raw not in Moment.__members__:
        bad_request(_("Unknown test moment."))
    if year is not None and raw is not None:
        return year, Moment(raw), moments
    if not moments:
        return None, None, moments
    year, moment = moments[-1]
    return year, moment, moments


def _school_data(school: School):
    year, moment, moments = _school_selection(school.id)
    data = {"year": year, "moment": moment, "moments": moments, "cells": {}, "groups": []}
    if year is not None:
        cells, groups = school_services.cross_section(school.id, year, moment)
        school_services.add_growth(cells, school.id, year, moment)
        data |= {"cells": cells, "groups": groups}
    data["trend"] = school_services.trend(school.id, moment, year) if moment else {}
    goals = current_goals(school.id)
    data["states"] = goal_states(school, goals=goals, up_to_year=year)
    data["subjects"] = services.subjects()
    data["growth_goals"] = {
        domain: goal.target
        for (domain, indicator), goal in goals.items()
        if indicator is GoalIndicator.MEDIAN_GROWTH
    }
    return data


@bp.get("/school")
@require_permission(Permission.VIEW_SCHOOL_REPORT)
def school():
    """Schoolrapport: dwarsdoorsnede, trend, reference levels against goals, growth."""
    principal = require_principal()
    school = db.get_or_404(School, principal.school_id)
    data = _school_data(school)
    record_event("view_school_report", "school", school.id, school_year=data["year"])
    # Each group's report address once (the table links it once per subject, by query).
    group_urls = {g.id: url_for("reports.group", group_id=g.id) for g in data["groups"]}
    return render_template(
        "reports/school.html", school=school, charts=_school_charts(data), Level=Level,
        school_year_label=school_year_label, group_urls=group_urls, **data,
    )  # fmt: skip


def _school_charts(data) -> dict[str, charts.Drawn]:
    found = {}
    for subject in data["subjects"]:
        lines = [
            (_("Groep %(n)s", n=lj), [points.get(y) for y in _years(data["trend"])])
            for (sid, lj), points in sorted(data["trend"].items())
            if sid == subject.id
        ]
        if not lines:
            continue
        title = _("%(subject)s: mean minus national mean", subject=subject.name)
        found[f"trend-{subject.id}"] = charts.cached_pair(
            cache, charts.lines, title=title,
            labels=[school_year_label(y) for y in _years(data["trend"])],
            series=[(name, [round(p.difference, 1) if p and p.difference is not None else None
                            for p in points]) for name, points in lines],
        )  # fmt: skip
    for subject in data["subjects"]:
        rows = [(g, data["cells"].get((g.id, subject.id))) for g in data["groups"]]
        rows = [(g, c) for g, c in rows if c and c.count]
        if rows:
            found[f"levels-{subject.id}"] = charts.cached_pair(
                cache, charts.level_shares,
                title=_("%(subject)s: pupils per level", subject=subject.name),
                groups=[g.name for g, _c in rows],
                shares={level.value: [round(100 * c.share(level), 1) for _g, c in rows]
                        for level in Level},
            )  # fmt: skip
    states = [s for s in data["states"] if s.recent]
    if states:
        labels = [f"{s.domain} {reference_level(s.domain, s.indicator)}" for s in states]
        found["reference"] = charts.cached_pair(
            cache, charts.bars, title=_("Share of groep 8 pupils at the reference level"),
            labels=labels, percent=True,
            series=[
                (_("School (last three years)"), [_round(s.recent.percentage) for s in states]),
                (_("School goal"), [s.goal for s in states]),
                (_("Signaling value"), [s.signaling for s in states]),
                (_("National average"), [s.national for s in states]),
            ],
        )  # fmt: skip
    return found


def reference_level(domain: str, indicator) -> str:
    """The level the Inspectorate means for the domain: 2F for reading and language, 1S for
    mathematics (the shared indicator is stored as "2F/1S"); 1F for everyone."""
    value = getattr(indicator, "value", indicator)
    if value != "2F/1S":
        return value
    return "1S" if domain == "rekenen" else "2F"


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _years(trend) -> list[int]:
    return sorted({year for points in trend.values() for year in points})


@bp.get("/school/export.csv")
@require_permission(Permission.VIEW_SCHOOL_REPORT)
def school_csv():
    """The dwarsdoorsnede (with median growth) as CSV."""
    principal = require_principal()
    school = db.get_or_404(School, principal.school_id)
    data = _school_data(school)
    record_event("export_school_report", "school", school.id, school_year=data["year"])
    header = [
        _("Group"), _("Subject"), _("Pupils"), _("Median"), _("National mean"),
        *[_("Level %(level)s", level=level.value) for level in Level], _("Median growth"),
    ]  # fmt: skip
    rows = []
    for group in data["groups"]:
        for subject in data["subjects"]:
            cell = data["cells"].get((group.id, subject.id))
            if cell is None or not cell.count:
                continue
            rows.append(
                [group.name, subject.name, cell.count, cell.median, cell.national_mean,
                 *[cell.levels[level] for level in Level], cell.median_growth]
            )  # fmt: skip
    label = f"{data['moment'].value} {school_year_label(data['year'])}" if data["year"] else "leeg"
    return csv_response(f"schoolrapport-{slug(school.name, label)}.csv", header, rows)


def _category_selection(group_id: int):
    group = load_group_or_404(group_id)
    pupil_ids = services.group_pupil_ids(group.id)
    options = category_services.category_tests("group", group.id)
    chosen = int_arg("afname")
    option = next((o for o in options if o.administration_id == chosen), None)
    if chosen is not None and option is None:
        # Not an afname of this group's pupils: refuse like the loaders do (404, audited).
        refuse("administration", chosen, group=group.id)
    option = option or (options[0] if options else None)
    profiles = (
        category_services.profiles([option.administration_id], "group", group.id) if option else {}
    )
    names = dict(db.session.execute(select(Pupil.id, Pupil.display_name).where(
        Pupil.id.in_(pupil_ids))).all())  # fmt: skip
    pupils = sorted(
        ((names[pid], profile) for (_aid, pid), profile in profiles.items()), key=lambda p: p[0]
    )
    combined = category_services.group_profile([p for _n, p in pupils])
    return group, options, option, pupils, combined


@bp.get("/groep/<int:group_id>/categorieen")
@require_permission(Permission.VIEW_GROUP_REPORT)
def categories(group_id: int):
    """Categorieënanalyse of one test of the group: domains that lag behind the total."""
    group, options, option, pupils, combined = _category_selection(group_id)
    record_event(
        "view_category_analysis", "group", group.id,
        administration=option.administration_id if option else None,
    )  # fmt: skip
    chart = None
    if combined.domains:
        names = list(combined.domains)
        chart = charts.cached_pair(
            cache, charts.bars, title=_("Share correct per domain"), labels=names, percent=True,
            series=[
                (_("Group"), [_round(combined.domains[n].percentage) for n in names]),
                (_("Whole test"), [_round(combined.total.percentage)] * len(names)),
            ],
        )  # fmt: skip
    return render_template(
        "reports/categories.html", group=group, options=options, option=option, pupils=pupils,
        test_labels=_test_labels(options),
        combined=combined, chart=chart, rules=category_services,
        school_year_label=school_year_label,
    )  # fmt: skip


def _test_labels(options) -> dict[int, str]:
    """``Rekenen-Wiskunde E4`` per administration: the subject's name, not the test's code."""
    ids = [o.administration_id for o in options]
    if not ids:
        return {}
    rows = db.session.execute(
        select(Administration.id, Subject.name, Test.moment, Test.level)
        .join(Test, Test.id == Administration.test_id)
        .join(Subject, Subject.id == Test.subject_id)
        .where(Administration.id.in_(ids))
    )
    return {row.id: f"{row.name} {moment_code(row.moment, row.level)}" for row in rows}


@bp.get("/groep/<int:group_id>/categorieen.csv")
@require_permission(Permission.VIEW_GROUP_REPORT)
def categories_csv(group_id: int):
    """The category analysis per pupil and domain as CSV."""
    group, _options, option, pupils, combined = _category_selection(group_id)
    record_event("export_category_analysis", "group", group.id)
    header = [_("Pupil"), _("Domain"), _("Correct"), _("Items"), _("Share correct"),
              _("Share correct whole test"), _("Lags behind")]  # fmt: skip
    rows = []
    for name, profile in [*pupils, (_("Whole group"), combined)]:
        threshold = category_services.GROUP_GAP if profile is combined else (
            category_services.PUPIL_GAP)  # fmt: skip
        lagging = profile.lagging(threshold)
        for domain, tally in profile.domains.items():
            flag = _("yes") if domain in lagging else _("no")
            rows.append([name, domain, tally.correct, tally.items, tally.percentage,
                         profile.total.percentage, flag])  # fmt: skip
    name = _test_labels([option]).get(option.administration_id) if option else "leeg"
    year = school_year_label(option.school_year) if option else None
    return csv_response(f"categorieen-{slug(group.name, name, year)}.csv", header, rows)
