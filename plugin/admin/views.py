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
from flask_babel import lazy_gettext as _l

from plugin.admin import bp, services
from plugin.auth import Permission, require_permission, require_principal
from plugin.dashboard.goals import DOMAINS
from plugin.extensions import db
from plugin.inputs import query_int
from plugin.models import GoalIndicator, GoalSource, School
from plugin.periods import school_year_of
from plugin.unit_of_work import rollback_quietly

ACTION_LABELS = {
    "view_group_report": _l("viewed a group report"),
    "export_group_report": _l("exported a group report"),
    "view_category_analysis": _l("viewed a category analysis"),
    "export_category_analysis": _l("exported a category analysis"),
    "view_pupil_report": _l("viewed a pupil report"),
    "export_pupil_report": _l("exported a pupil report"),
    "view_parent_report": _l("viewed a report for parents"),
    "view_school_report": _l("viewed the school report"),
    "export_school_report": _l("exported the school report"),
    "access_denied": _l("was refused access"),
    "goal_changed": _l("changed a school goal"),
    "migration_state_changed": _l("changed the migration state"),
    "context_relinked": _l("linked a platform course to a group"),
    "course_link_requested": _l("opened the tool from a course that is not linked yet"),
    "course_link_approved": _l("linked a platform course to a group"),
    "course_link_refused": _l("refused or unlinked a platform course"),
    "course_linked_by_import": _l("opened a course the import links to their group"),
    "launch_refused": _l("was refused at sign-in"),
    "ib_appointed": _l("put someone on the IB list"),
    "ib_removed": _l("took someone off the IB list"),
    "access_requested": _l("asked for IB access"),
    "access_request_decided": _l("answered a request for IB access"),
    "group_created": _l("created a group"),
    "deployment_moved": _l("moved a platform deployment to another school"),
    "signaling_value_changed": _l("changed a signaling value"),
    "structure_imported": _l("imported pupils, groups and teachers from the administration"),
    "results_imported": _l("imported test results from the previous system"),
    "result_changed": _l("changed a test result"),
    "pupil_record_exported": _l("exported a pupil's record for a change of school"),
    "pupil_record_imported": _l("imported a pupil's record from another school"),
}


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
        indicators=list(GoalIndicator), sources=list(GoalSource),
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


@bp.get("/logboek")
@require_permission(Permission.VIEW_AUDIT_LOG)
def audit_log():
    """The school's audit log: who viewed or changed what, newest first."""
    page = query_int("pagina", lo=1, hi=100_000) or 1
    events, pages = services.audit_page(require_principal().school_id, page)
    return render_template(
        "admin/audit_log.html", events=events, page=page, pages=pages, labels=ACTION_LABELS
    )
