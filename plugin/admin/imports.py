"""Administratie → Leerlingen en groepen: the IB imports the school's administration (EDEXML).

Upload → preview of every change → confirm → applied. The preview is planned again against
the school as it is at each step, and the confirmation carries the plan's digest: what is
applied is exactly what the IB saw, or the IB sees the new preview. Only IBs of the school
reach these pages (Permission.MANAGE_SCHOOL); another school's upload is a 404, audited.
"""

from __future__ import annotations

from datetime import date

from flask import (
    Flask,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from plugin.admin import bp
from plugin.auth import Permission, refuse, require_permission, require_principal
from plugin.db import reads_only
from plugin.extensions import db
from plugin.imports import uploads
from plugin.imports.models import ImportUpload
from plugin.imports.records import EdexmlRefused, Problem
from plugin.imports.summary import change_phrases, problem_text
from plugin.models import School
from plugin.unit_of_work import rollback_quietly

PROBLEMS_SHOWN = 500
SECTIONS = (
    ("pupils_new", _l("New pupils"), (_l("Pupil"), _l("Group"))),
    ("pupils_left", _l("Left"), (_l("Pupil"), _l("Leaving date"))),
    ("pupils_moved", _l("Group changes"), (_l("Pupil"), _l("From"), _l("To"))),
    ("pupils_renamed", _l("Name changes"), (_l("Was"), _l("Becomes"))),
    ("pupils_returned", _l("Back at school"), (_l("Pupil"),)),
    ("pupils_updated", _l("Other details updated"), (_l("Pupil"),)),
    ("groups_new", _l("New groups"), (_l("Group"),)),
    ("groups_changed", _l("Groups changed"), (_l("Was"), _l("Becomes"))),
    ("groups_linked", _l("Existing groups linked to the administration"),
     (_l("Group"), _l("Name in the export"))),
    ("groups_aside", _l("Old groups renamed to free their names"), (_l("Group"),)),
    ("staff_new", _l("New teachers"), (_l("Teacher"), _l("E-mail address"))),
    ("staff_updated", _l("Teachers updated"), (_l("Teacher"),)),
    ("staff_skipped", _l("Skipped: no role that works with pupils' results"),
     (_l("Person"), _l("Roles"))),
    ("links_added", _l("Teacher–group links added"), (_l("Teacher"), _l("Group"))),
    ("links_removed", _l("Teacher–group links removed"), (_l("Teacher"), _l("Group"))),
)  # fmt: skip
"""The preview's tables: kind of change, title, column headers."""


def allow_large_uploads(app: Flask) -> None:
    """Let the upload exceed the app's MAX_CONTENT_LENGTH (a board's export is several MB),
    for that endpoint only; first of all hooks, before the CSRF check reads the form."""

    def raise_limit() -> None:
        if request.endpoint == "admin.upload_import":
            request.max_content_length = uploads.MAX_UPLOAD_BYTES

    app.before_request_funcs.setdefault(None, []).insert(0, raise_limit)


def _school() -> School:
    return db.get_or_404(School, require_principal().school_id)


def _upload(upload_id: int) -> ImportUpload:
    try:
        return uploads.load_upload(require_principal().school_id, upload_id)
    except LookupError:
        refuse("import_upload", upload_id)


def _demo_download_offered(school: School) -> bool:
    return school.is_synthetic and current_app.config["APP_ENV"] != "production"


def _upload_page(school: School, problems: list[Problem] | None = None, status: int = 200):
    texts = [problem_text(problem) for problem in problems or []]
    return render_template(
        "admin/import.html", school=school, problems=texts[:PROBLEMS_SHOWN],
        problem_count=len(texts), history=uploads.last_imports(school.id),
        demo_download=_demo_download_offered(school), max_mb=uploads.MAX_UPLOAD_BYTES >> 20,
    ), status  # fmt: skip


@bp.get("/import")
@require_permission(Permission.MANAGE_SCHOOL)
@reads_only
def imports():
    """Upload an export of the school's administration; what is stored and what never is."""
    return _upload_page(_school())


@bp.post("/import")
@require_permission(Permission.MANAGE_SCHOOL)
def upload_import():
    """Read and check the file, keep the parsed records, show the preview."""
    school = _school()
    file = request.files.get("file")
    data = file.read() if file else b""
    if not data:
        return _upload_page(school, [Problem(_("Choose an EDEXML file to upload."))], 422)
    try:
        upload, _plan = uploads.create_upload(
            school, require_principal().staff_id, data, date.today()
        )
    except EdexmlRefused as refused:
        rollback_quietly()  # nothing of a refused file is kept
        return _upload_page(school, refused.problems, 422)
    return redirect(url_for("admin.import_preview", upload_id=upload.id), 303)


@bp.get("/import/<int:upload_id>")
@require_permission(Permission.MANAGE_SCHOOL)
@reads_only  # polled while the job writes: never queue behind it (SQLite)
def import_preview(upload_id: int):
    """What the import would change; its progress while a job applies it; what it changed."""
    upload, school = _upload(upload_id), _school()
    job = uploads.job_of(upload)
    waiting = uploads.awaits_confirmation(upload, job)
    try:
        plan = uploads.current_plan(upload, school, date.today()) if waiting else None
    except EdexmlRefused as refused:  # e.g. a newer school year was imported meanwhile
        return _upload_page(school, refused.problems, 409)
    counts = plan.counts if plan is not None else upload.summary
    return render_template(
        "admin/import_preview.html", upload=upload, plan=plan, job=job, waiting=waiting,
        phrases=change_phrases(counts), sections=SECTIONS,
    )  # fmt: skip


@bp.post("/import/<int:upload_id>/toepassen")
@require_permission(Permission.MANAGE_SCHOOL)
def apply_upload(upload_id: int):
    """Queue the job that applies exactly the previewed changes, all or nothing."""
    upload, school, principal = _upload(upload_id), _school(), require_principal()
    digest = request.form.get("digest", "")
    try:
        uploads.queue_upload(upload, school, digest, principal.staff_id, date.today())
    except (uploads.StalePreview, EdexmlRefused):
        flash(_("The school's data changed since the preview. Check the changes again."), "error")
    return redirect(url_for("admin.import_preview", upload_id=upload_id), 303)


@bp.post("/import/<int:upload_id>/annuleren")
@require_permission(Permission.MANAGE_SCHOOL)
def cancel_upload(upload_id: int):
    """Drop an upload that was not applied."""
    uploads.cancel_upload(_upload(upload_id))
    flash(_("The upload has been cancelled; nothing was changed."), "success")
    return redirect(url_for("admin.imports"), 303)


@bp.get("/import/voorbeeld.xml")
@require_permission(Permission.MANAGE_SCHOOL)
def demo_export():
    """Development only: a fictitious next export of this demo school, to try the upload."""
    school = _school()
    if not _demo_download_offered(school):
        refuse("demo_export", school.id)
    from plugin.imports.demo import demo_export as build

    filename = f"edexml-voorbeeld-{school.brin or 'demo'}.xml"
    return Response(
        build(school, date.today()), mimetype="application/xml",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )  # fmt: skip
