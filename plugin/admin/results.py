"""Administratie → Datamigratie: the IB imports the school's test history and closes the
migration.

Upload (CSV or XLSX) → preview ("1.204 resultaten voor 212 leerlingen, …; 16 al aanwezig", or
every problem by row and column) → confirm → a background job applies it with a progress bar →
summary. The confirmation carries the plan's digest: what is applied is exactly what the IB
saw. Only IBs of the school reach these pages (Permission.MANAGE_SCHOOL); another school's
upload is a 404, audited. The template of the format is a download here.
"""

from __future__ import annotations

from datetime import date

from flask import Flask, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from plugin.admin import bp
from plugin.auth import Permission, refuse, require_permission, require_principal
from plugin.db import reads_only
from plugin.extensions import db
from plugin.imports.results import migration, uploads
from plugin.imports.results.columns import COLUMNS, template_csv
from plugin.imports.results.models import ResultsUpload
from plugin.imports.results.reader import Problem, ResultsRefused
from plugin.imports.results.summary import problem_text, results_summary
from plugin.models import School
from plugin.unit_of_work import rollback_quietly

PROBLEMS_SHOWN = 500


def allow_large_uploads(app: Flask) -> None:
    """The results upload may exceed the app's MAX_CONTENT_LENGTH (first of all hooks)."""

    def raise_limit() -> None:
        if request.endpoint == "admin.upload_results":
            request.max_content_length = uploads.MAX_UPLOAD_BYTES

    app.before_request_funcs.setdefault(None, []).insert(0, raise_limit)


def _school() -> School:
    return db.get_or_404(School, require_principal().school_id)


def _upload(upload_id: int) -> ResultsUpload:
    try:
        return uploads.load_upload(require_principal().school_id, upload_id)
    except LookupError:
        refuse("results_upload", upload_id)


def _page(school: School, problems: list[Problem] | None = None, status: int = 200):
    texts = [problem_text(problem) for problem in problems or []]
    return render_template(
        "admin/results.html", school=school, problems=texts[:PROBLEMS_SHOWN],
        problem_count=len(texts), history=uploads.last_imports(school.id), columns=COLUMNS,
        imports=migration.imported_history(school.id), max_mb=uploads.MAX_UPLOAD_BYTES >> 20,
        summary=results_summary,
    ), status  # fmt: skip


@bp.get("/datamigratie")
@require_permission(Permission.MANAGE_SCHOOL)
@reads_only
def results_page():
    """The migration's state, the upload, the format, earlier imports."""
    return _page(_school())


@bp.get("/datamigratie/sjabloon.csv")
@require_permission(Permission.MANAGE_SCHOOL)
def results_template():
    """The format as a CSV to fill in (semicolons, UTF-8 with BOM so Excel reads it right)."""
    return Response(
        "\ufeff" + template_csv(), mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="resultaten-sjabloon.csv"'},
    )  # fmt: skip


@bp.post("/datamigratie")
@require_permission(Permission.MANAGE_SCHOOL)
def upload_results():
    """Read and check the file, keep its rows, show the preview."""
    school = _school()
    file = request.files.get("file")
    data = file.read() if file else b""
    if not data:
        return _page(school, [Problem(_("Choose a CSV or XLSX file to upload."))], 422)
    try:
        upload, _plan = uploads.create_upload(
            school, require_principal().staff_id, data, date.today()
        )
    except ResultsRefused as refused:
        rollback_quietly()  # nothing of a refused file is kept
        return _page(school, refused.problems, 422)
    return redirect(url_for("admin.results_preview", upload_id=upload.id), 303)


@bp.get("/datamigratie/<int:upload_id>")
@require_permission(Permission.MANAGE_SCHOOL)
@reads_only  # polled while the job writes: never queue behind it (SQLite)
def results_preview(upload_id: int):
    """What the import would do; its progress while the job runs; what it did."""
    upload, school = _upload(upload_id), _school()
    job = uploads.job_of(upload)
    waiting = uploads.awaits_confirmation(upload, job)
    try:
        plan = uploads.current_plan(upload, school, date.today()) if waiting else None
    except ResultsRefused as refused:  # e.g. a pupil left the school meanwhile
        return _page(school, refused.problems, 409)
    counts = plan.counts if plan is not None else upload.summary
    return render_template(
        "admin/results_preview.html", upload=upload, plan=plan, job=job, waiting=waiting,
        summary=results_summary(counts), counts=counts,
        ignored=upload.summary.get("ignored", []),
    )  # fmt: skip


@bp.post("/datamigratie/<int:upload_id>/toepassen")
@require_permission(Permission.MANAGE_SCHOOL)
def apply_results(upload_id: int):
    """Queue the job that imports exactly the previewed results, all or nothing."""
    upload, school, principal = _upload(upload_id), _school(), require_principal()
    try:
        uploads.queue_upload(
            upload, school, request.form.get("digest", ""), principal.staff_id, date.today()
        )
    except (uploads.StalePreview, ResultsRefused):
        flash(_("The school's results changed since the preview. Check the file again."),
              "error")  # fmt: skip
    return redirect(url_for("admin.results_preview", upload_id=upload_id), 303)


@bp.post("/datamigratie/<int:upload_id>/annuleren")
@require_permission(Permission.MANAGE_SCHOOL)
def cancel_results(upload_id: int):
    uploads.cancel_upload(_upload(upload_id))
    flash(_("The upload has been cancelled; nothing was changed."), "success")
    return redirect(url_for("admin.results_page"), 303)
