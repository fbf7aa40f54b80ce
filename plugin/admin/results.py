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

from flask import Flask, Response, render_template
from flask_babel import gettext as _

from plugin.admin import bp, staged
from plugin.auth import Permission, require_permission, require_principal
from plugin.db import reads_only
from plugin.extensions import db
from plugin.imports.results import migration
from plugin.imports.results.columns import COLUMNS, template_csv
from plugin.imports.results.reader import Problem, ResultsRefused
from plugin.imports.results.summary import problem_text, results_summary
from plugin.imports.results.uploads import RESULTS
from plugin.models import School

PROBLEMS_SHOWN = 500


def allow_large_uploads(app: Flask) -> None:
    staged.allow_large_upload(app, "admin.upload_results", RESULTS)


def _school() -> School:
    return db.get_or_404(School, require_principal().school_id)


def _page(school: School, problems: list[Problem] | None = None, status: int = 200):
    texts = [problem_text(problem) for problem in problems or []]
    return render_template(
        "admin/results.html", school=school, problems=texts[:PROBLEMS_SHOWN],
        problem_count=len(texts), history=RESULTS.last_imports(school.id), columns=COLUMNS,
        imports=migration.imported_history(school.id), max_mb=RESULTS.max_bytes >> 20,
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
    missing = Problem(_("Choose a CSV or XLSX file to upload."))
    return staged.receive(RESULTS, _school(), _page, missing, "admin.results_preview")


@bp.get("/datamigratie/<int:upload_id>")
@require_permission(Permission.MANAGE_SCHOOL)
@reads_only  # polled while the job writes: never queue behind it (SQLite)
def results_preview(upload_id: int):
    """What the import would do; its progress while the job runs; what it did."""
    upload, school = staged.load(RESULTS, upload_id), _school()
    try:
        shown = RESULTS.preview(upload, school, date.today())
    except ResultsRefused as refused:  # e.g. a pupil left the school meanwhile
        return _page(school, refused.problems, 409)
    return render_template(
        "admin/results_preview.html", upload=upload, plan=shown.plan, job=shown.job,
        waiting=shown.waiting, summary=results_summary(shown.counts), counts=shown.counts,
        ignored=upload.summary.get("ignored", []),
    )  # fmt: skip


@bp.post("/datamigratie/<int:upload_id>/toepassen")
@require_permission(Permission.MANAGE_SCHOOL)
def apply_results(upload_id: int):
    """Queue the job that imports exactly the previewed results, all or nothing."""
    upload = staged.load(RESULTS, upload_id)
    return staged.confirm(RESULTS, upload, _school(), "admin.results_preview")


@bp.post("/datamigratie/<int:upload_id>/annuleren")
@require_permission(Permission.MANAGE_SCHOOL)
def cancel_results(upload_id: int):
    return staged.cancel(RESULTS, staged.load(RESULTS, upload_id), "admin.results_page")
