"""Privacy pages: the IB's page in Administratie (erase a pupil, export, retention)."""

from __future__ import annotations

from datetime import date

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from plugin.admin import services as admin_services
from plugin.audit import record_event
from plugin.audit_actions import AuditAction
from plugin.auth import Permission, load_pupil_or_404, require_permission, require_principal
from plugin.extensions import db
from plugin.inputs import query_int
from plugin.models import School
from plugin.privacy import bp, erasure, export, retention

ROW_LABELS = {
    "result": _l("Results (a score per test)"),
    "item_response": _l("Answers per item of paper tests"),
    "pupil_administration": _l("Notes on how a test was taken (absent, deviating)"),
    "enrolment": _l("Places in a group (one per school year)"),
    "group_member": _l("Places in a reading or other composed group"),
    erasure.UPLOAD_ROWS: _l("Uploaded files not imported yet that mention the pupil"),
    erasure.ACCOUNT_ROWS: _l(
        "Platform accounts under the pupil's name that a class list sync could not match"
    ),
    erasure.JOB_MESSAGES: _l("Messages of refused imports that name the pupil"),
    "lti_launch_state": _l(
        "Sign-in data of the last few minutes that mentions the pupil's platform account"
    ),
}


@bp.get("/administratie/privacy")
@require_permission(Permission.MANAGE_SCHOOL)
def admin_page():
    """What the school can do for a pupil's rights and with its own data."""
    school_id = require_principal().school_id
    return render_template(
        "privacy/admin.html", pupils=admin_services.pupil_choices(school_id),
        retention_years=current_app.config["RETENTION_YEARS"],
        due=retention.due_count(school_id),
    )  # fmt: skip


@bp.get("/administratie/privacy/export.zip")
@require_permission(Permission.MANAGE_SCHOOL)
def export_zip():
    """Everything the school holds, as a ZIP of CSV files with a LEESMIJ.txt; audited."""
    school = db.get_or_404(School, require_principal().school_id)
    data = export.export_school(school)
    name = f"leerling-in-beeld-{export.file_slug(school.name)}-{date.today().isoformat()}.zip"
    return Response(data, mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store",
    })  # fmt: skip


@bp.get("/administratie/privacy/kies")
@require_permission(Permission.MANAGE_SCHOOL)
def choose_pupil():
    """The pupil chosen on the privacy page: on to the confirmation page."""
    pupil_id = query_int("leerling", lo=1)
    if pupil_id is None:
        flash(_("Choose a pupil first."), "error")
        return redirect(url_for("privacy.admin_page"), 303)
    return redirect(url_for("privacy.erase", pupil_id=pupil_id), 303)


@bp.route("/administratie/privacy/leerling/<int:pupil_id>/verwijderen", methods=["GET", "POST"])
@require_permission(Permission.MANAGE_SCHOOL)
def erase(pupil_id: int):
    """Confirm, then remove everything the tool holds about one pupil."""
    pupil = load_pupil_or_404(pupil_id)
    rows = erasure.rows_of(pupil)
    if request.method == "POST":
        if request.form.get("begrepen") == "ja":
            erasure.erase(pupil)
            flash(_("All data of the pupil has been removed. The audit log keeps only a "
                    "number."), "success")  # fmt: skip
            return redirect(url_for("privacy.admin_page"), 303)
        error = _("Tick the box to confirm that the removal cannot be undone.")
        return _erase_page(pupil, rows, error), 400
    record_event(AuditAction.ERASURE_REVIEWED, "pupil", pupil.id)
    return _erase_page(pupil, rows, None)


def _erase_page(pupil, rows: erasure.PupilRows, error: str | None) -> str:
    return render_template(
        "privacy/erase.html", pupil=pupil, rows=rows, error=error, labels=ROW_LABELS
    )


@bp.get("/privacy")
def public_page():
    """What is stored, why, how long, who sees it; open to everyone, signed in or not."""
    return render_template(
        "privacy/public.html", retention_years=current_app.config["RETENTION_YEARS"]
    )
