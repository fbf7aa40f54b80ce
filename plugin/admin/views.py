"""Administratie pages: one overview with small forms, and the audit log.

The migration state follows the results imports (Administratie → Datamigratie): *bezig* from
the first import; the IB closes it (*klaar*) when the history is complete, since only the
school knows that, or reopens it. Every change is audited (old → new).
Signaling values are one table for the whole installation (the Inspectorate publishes one
table for all schools); an IB may correct it, and the page says that it applies to every school.
"""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from plugin.admin import audit_log, bp, services
from plugin.audit import record_event
from plugin.audit_actions import AuditAction
from plugin.auth import Permission, require_permission, require_principal
from plugin.csv_export import csv_response
from plugin.extensions import db
from plugin.goals import DOMAINS, source_label
from plugin.inputs import bad_request, query_int
from plugin.models import GoalIndicator, GoalSource, School
from plugin.periods import school_year_of
from plugin.unit_of_work import rollback_quietly


def _school() -> School:
    return db.get_or_404(School, require_principal().school_id)


def _done(message: str):
    flash(message, "success")
    return redirect(url_for("admin.index"), 303)


def _refused(error: services.Invalid):
    rollback_quietly()  # nothing of the refused change is kept
    flash(str(error), "error")
    return redirect(url_for("admin.index"), 303)


@bp.get("/")
@require_permission(Permission.MANAGE_SCHOOL)
def index():
    """Goals, migration state and signaling values of the school; links to access and course
    links."""
    school = _school()
    history = services.goal_history(school.id)
    return render_template(
        "admin/index.html", school=school, history=history,
        current=[g for g in history if g.superseded_at is None], domains=DOMAINS,
        indicators=list(GoalIndicator), sources=list(GoalSource), source_label=source_label,
        signaling=services.signaling_values(school.id), school_year=school_year_of(date.today()),
    )  # fmt: skip


@bp.post("/doelen")
@require_permission(Permission.MANAGE_SCHOOL)
def set_goal():
    """Set or change a goal; the old one stays in the history."""
    principal = require_principal()
    try:
        services.set_goal(
            principal.school_id, principal.staff_id, school_year_of(date.today()), request.form
        )
    except services.Invalid as error:
        return _refused(error)
    return _done(_("The goal has been saved."))


@bp.post("/migratie")
@require_permission(Permission.MANAGE_SCHOOL)
def set_migration():
    """Close the data migration (the history is complete), or reopen it."""
    try:
        services.close_or_reopen_migration(_school(), request.form.get("action"))
    except services.Invalid as error:
        return _refused(error)
    return _done(_("The migration state has been saved."))


@bp.post("/signaleringswaarden/<int:value_id>")
@require_permission(Permission.MANAGE_SCHOOL)
def update_signaling(value_id: int):
    """Correct a signaling value from the Inspectorate's published table."""
    try:
        services.update_signaling_value(_school().id, value_id, request.form)
    except LookupError:
        abort(404)
    except services.Invalid as error:
        return _refused(error)
    return _done(_("The signaling value has been saved."))


@bp.get("/logboek", endpoint="audit_log")
@require_permission(Permission.VIEW_AUDIT_LOG)
def audit_log_page():
    """The school's audit log as sentences, newest first; filtered by pupil, user, action and
    dates, fifty to a page."""
    school_id = require_principal().school_id
    number = query_int("pagina", lo=1, hi=100_000) or 1
    error = None
    try:
        log_filter = audit_log.parse_filter(request.args)
    except audit_log.InvalidFilter as invalid:
        error, log_filter = str(invalid), audit_log.LogFilter()
    lines, pages, total = audit_log.page(school_id, log_filter, number)
    return render_template(
        "admin/audit_log.html", lines=lines, page=number, pages=pages, total=total,
        log_filter=log_filter, error=error, actions=sorted(AuditAction, key=lambda a: str(a.label)),
        pupils=services.pupil_choices(school_id), staff=services.staff_choices(school_id),
    ), (400 if error else 200)  # fmt: skip


@bp.get("/logboek/export.csv")
@require_permission(Permission.VIEW_AUDIT_LOG)
def audit_log_export():
    """The filtered log as CSV; the export is itself written to the log."""
    school_id = require_principal().school_id
    try:
        log_filter = audit_log.parse_filter(request.args)
    except audit_log.InvalidFilter as invalid:
        raise bad_request(str(invalid)) from None
    record_event(
        AuditAction.AUDIT_LOG_EXPORTED, "school", school_id,
        events=audit_log.count(school_id, log_filter), **log_filter.audit_detail(),
    )  # fmt: skip
    header, rows = audit_log.export_table(school_id, log_filter)
    return csv_response(f"logboek-{date.today().isoformat()}.csv", header, rows)
