"""Report pages and their CSV exports. Each view: parse, authorize, call a service, render.

Every route declares its permission and loads its group or pupil through the loaders of
:mod:`plugin.auth` (404 and an audit entry for anything out of reach); every view or export of
pupil results is written to the audit log.
"""

from __future__ import annotations

from datetime import date

from flask import render_template, request
from flask_babel import gettext as _

from plugin.audit import record_event
from plugin.auth import Permission, load_group_or_404, load_pupil_or_404, require_permission
from plugin.extensions import cache
from plugin.inputs import parse_int
from plugin.models import Group, Moment, moment_code
from plugin.periods import school_year_label
from reports import bp, category_services, charts, services, wording
from reports.export import csv_response, slug
from reports.inputs import bad_request, int_arg


def _group_selection(group: Group):
    """Subject, school year and moment from the query, defaulting to the latest results."""
    options = services.group_moments(group)
    all_subjects = services.subjects()
    if not all_subjects:
        bad_request(_("No subjects have been set up yet."))
    code = request.args.get("vak")
    if code:
        subject = next((s for s in all_subjects if s.code == code), None)
        if subject is None:
            bad_request(_("Unknown subject."))
    else:
        with_data = [s for s in all_subjects if any(o.subject_id == s.id for o in options)]
        subject = (with_data or all_subjects)[0]
    moments = [o for o in options if o.subject_id == subject.id]
    year, moment_raw = int_arg("jaar"), request.args.get("moment")
    choice = request.args.get("keuze")
    if choice:  # the select box sends "2025-M"
        year_text, _sep, moment_raw = choice.partition("-")
        year = parse_int(year_text)
        if year is None:
            bad_request(_("Unknown test moment."))
        if not any((o.school_year, o.moment.value) == (year, moment_raw) for o in moments):
            year = moment_raw = None  # the subject changed in the form: take its latest moment
    if moment_raw is not None and moment_raw not in Moment.__members__:
        bad_request(_("Unknown test moment."))
    if year is None or moment_raw is None:
        latest = moments[-1] if moments else None
        year = latest.school_year if latest else group.school_year
        moment = latest.moment if latest else Moment.M
    else:
        moment = Moment(moment_raw)
    return subject, year, moment, all_subjects, moments


@bp.get("/groep/<int:group_id>")
@require_permission(Permission.VIEW_GROUP_REPORT)
def group(group_id: int):
    """Groepsrapport: one group, one subject, one moment."""
    group = load_group_or_404(group_id)
    subject, year, moment, all_subjects, moments = _group_selection(group)
    report = services.group_report(group, subject, year, moment)
    sort, descending = request.args.get("sort", "naam"), request.args.get("richting") == "af"
    lines = services.sort_lines(report.lines, sort, descending)
    record_event(
        "view_group_report", "group", group.id, subject=subject.code, school_year=year,
        moment=moment.value, pupils=len(report.scored),
    )  # fmt: skip
    return render_template(
        "reports/group.html", report=report, lines=lines, sort=sort, descending=descending,
        subjects=all_subjects, moments=moments, charts=_group_charts(report),
        moment_code=moment_code, school_year_label=school_year_label, wording=wording,
    )  # fmt: skip


def _group_charts(report: services.GroupReport) -> dict[str, charts.Drawn]:
    if not report.scored:
        return {}
    levels = [level.value for level in report.level_counts]
    distribution = charts.cached_pair(
        cache, charts.level_distribution, title=_("Pupils per level"), levels=levels,
        counts=list(report.level_counts.values()),
    )  # fmt: skip
    labels = [_("Previous test"), _("This test"), _("National mean")]
    values = [report.previous_median, report.median, report.national_mean]
    medians = charts.cached_pair(
        cache, charts.bars, title=_("Group median and national mean"), labels=labels,
        series=[(_("Ability score"), [round(v, 1) if v is not None else None for v in values])],
    )  # fmt: skip
    return {"distribution": distribution, "medians": medians}


@bp.get("/groep/<int:group_id>/export.csv")
@require_permission(Permission.VIEW_GROUP_REPORT)
def group_csv(group_id: int):
    """The group report's table as CSV."""
    group = load_group_or_404(group_id)
    subject, year, moment, *_rest = _group_selection(group)
    report = services.group_report(group, subject, year, moment)
    record_event(
        "export_group_report", "group", group.id, subject=subject.code, school_year=year,
        moment=moment.value,
    )  # fmt: skip
    header = [
        _("Pupil"), _("Test"), _("Ability score"), _("Level"), _("Previous test"),
        _("Previous score"), _("Growth"), _("Growth judgement"), _("Growth stalls"),
    ]  # fmt: skip
    rows = [_group_csv_row(line) for line in report.lines]
    name = slug(group.name, subject.name, moment.value, school_year_label(year))
    filename = f"groepsrapport-{name}.csv"
    return csv_response(filename, header, rows)


def _group_csv_row(line: services.PupilLine) -> list:
    s = line.score
    if s is None:
        return [line.name, "", None, "", "", None, None, "", ""]
    return [
        line.name, s.code, s.score, s.level.value if s.level else "", s.prev_code or "",
        s.prev_score, s.growth, wording.judgement_label(s.judgement) if s.judgement else "",
        _("yes") if s.stalled else _("no"),
    ]  # fmt: skip


@bp.get("/leerling/<int:pupil_id>")
@require_permission(Permission.VIEW_PUPIL_REPORT)
def pupil(pupil_id: int):
    """Leerlingrapport: every subject over the school years."""
    pupil = load_pupil_or_404(pupil_id)
    histories = services.pupil_histories(pupil)
    groups = services.pupil_groups(pupil)
    categories = _pupil_categories(pupil)
    record_event("view_pupil_report", "pupil", pupil.id)
    return render_template(
        "reports/pupil.html", pupil=pupil, histories=histories, groups=groups,
        categories=categories, rules=category_services,
        charts={h.subject.id: _progress_chart(h) for h in histories if h.scores},
        wording=wording, school_year_label=school_year_label,
    )  # fmt: skip


def _pupil_categories(pupil) -> list:
    """The pupil's paper tests scored per item, each with its domain profile."""
    options = category_services.category_tests("pupil", pupil.id)
    profiles = category_services.profiles([o.administration_id for o in options], "pupil", pupil.id)
    return [
        (option, profiles[(option.administration_id, pupil.id)])
        for option in options
        if (option.administration_id, pupil.id) in profiles
    ]


def _short_year(year: int) -> str:
    """``25/26``: short enough for an axis label."""
    return f"{year % 100:02d}/{(year + 1) % 100:02d}"


def _progress_chart(history: services.SubjectHistory) -> charts.Drawn:
    scores = history.scores
    return charts.cached_pair(
        cache, charts.progress, title=history.subject.name,
        labels=[f"{s.code} {_short_year(s.school_year)}" for s in scores],
        scores=[s.score for s in scores], band=[s.band for s in scores],
        means=[s.national_mean for s in scores],
        # The band is one legend entry; the white series under it stays unnamed.
        legend=(_("Ability score"), _("National mean"), _("National band (p20–p80)"), ""),
    )  # fmt: skip


@bp.get("/leerling/<int:pupil_id>/export.csv")
@require_permission(Permission.VIEW_PUPIL_REPORT)
def pupil_csv(pupil_id: int):
    """The pupil report as CSV: one line per test."""
    pupil = load_pupil_or_404(pupil_id)
    histories = services.pupil_histories(pupil)
    record_event("export_pupil_report", "pupil", pupil.id)
    header = [
        _("Pupil"), _("Subject"), _("School year"), _("Test"), _("Ability score"), _("Level"),
        _("Functioning level"), _("Previous test"), _("Growth"), _("Growth judgement"),
        _("National mean"),
    ]  # fmt: skip
    rows = [
        [
            pupil.display_name, h.subject.name, school_year_label(s.school_year), s.code, s.score,
            s.level.value if s.level else "", wording.functioning(h, s) or "",
            s.prev_code or "", s.growth, wording.judgement_label(s.judgement) if s.judgement
            else "", s.national_mean,
        ]
        for h in histories
        for s in h.scores
    ]  # fmt: skip
    return csv_response(f"leerlingrapport-{slug(pupil.display_name)}.csv", header, rows)


@bp.get("/leerling/<int:pupil_id>/ouderrapport")
@require_permission(Permission.VIEW_PUPIL_REPORT)
def parents(pupil_id: int):
    """Ouderrapport: the pupil report in words, ready to print for a parent conversation."""
    pupil = load_pupil_or_404(pupil_id)
    histories = services.pupil_histories(pupil)
    groups = services.pupil_groups(pupil)
    record_event("view_parent_report", "pupil", pupil.id)
    first_name = pupil.display_name.split(" ")[0]
    latest = max(
        (h.latest for h in histories if h.latest),
        key=lambda s: (s.school_year, MOMENT_ORDER[s.moment]), default=None,
    )  # fmt: skip
    return render_template(
        "reports/parents.html", pupil=pupil, first_name=first_name, histories=histories,
        wording=wording, group=groups[0] if groups else None, latest=latest,
        today=date.today(), charts={h.subject.id: _growth_chart(h, first_name)
                                    for h in histories if h.scores},
    )  # fmt: skip


MOMENT_ORDER = {Moment.B: 0, Moment.M: 1, Moment.E: 2}


def _growth_chart(history: services.SubjectHistory, first_name: str) -> charts.Drawn:
    """One simple line for parents: the child's score per test, the national mean dashed."""
    scores = history.scores
    return charts.cached_pair(
        cache, charts.growth, title=history.subject.name,
        labels=[f"{s.code} {_short_year(s.school_year)}" for s in scores],
        scores=[s.score for s in scores], means=[s.national_mean for s in scores],
        legend=(first_name, _("National average")),
    )  # fmt: skip
