"""Administratie → Leerlingen en groepen: the IB imports the school's administration (EDEXML).

Upload → preview of every change → confirm → applied. The preview is planned again against
the school as it is at each step, and the confirmation carries the plan's digest: what is
applied is exactly what the IB saw, or the IB sees the new preview. Only IBs of the school
reach these pages (Permission.MANAGE_SCHOOL); another school's upload is a 404, audited.
"""

from __future__ import annotations

from datetime import date

from flask import Flask, Response, current_app, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from plugin.admin import bp, staged
from plugin.auth import Permission, refuse, require_permission, require_principal
from plugin.db import reads_only
from plugin.extensions import db
from plugin.imports.records import EdexmlRefused, Problem
from plugin.imports.summary import change_phrases, problem_text
from plugin.imports.uploads import EDEXML
from plugin.models import School

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
    staged.allow_large_upload(app, "admin.upload_import", EDEXML)


def _school() -> School:
    return db.get_or_404(School, require_principal().school_id)


def _demo_download_offered(school: School) -> bool:
    return school.is_synthetic and current_app.config["APP_ENV"] != "production"


def _upload_page(school: School, problems: list[Problem] | None = None, status: int = 200):
    texts = [problem_text(problem) for problem in problems or []]
    return render_template(
        "admin/import.html", school=school, problems=texts[:PROBLEMS_SHOWN],
        problem_count=len(texts), history=EDEXML.last_imports(school.id),
        demo_download=_demo_download_offered(school), max_mb=EDEXML.max_bytes >> 20,
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
    missing = Problem(_("Choose an EDEXML file to upload."))
    return staged.receive(EDEXML, _school(), _upload_page, missing, "admin.import_preview")


@bp.get("/import/<int:upload_id>")
@require_permission(Permission.MANAGE_SCHOOL)
@reads_only  # polled while the job writes: never queue behind it (SQLite)
def import_preview(upload_id: int):
    """What the import would change; its progress while a job applies it; what it changed."""
    upload, school = staged.load(EDEXML, upload_id), _school()
    try:
        shown = EDEXML.preview(upload, school, date.today())
    except EdexmlRefused as refused:  # e.g. a newer school year was imported meanwhile
        return _upload_page(school, refused.problems, 409)
    return render_template(
        "admin/import_preview.html", upload=upload, plan=shown.plan, job=shown.job,
        waiting=shown.waiting, phrases=change_phrases(shown.counts), sections=SECTIONS,
    )  # fmt: skip


@bp.post("/import/<int:upload_id>/toepassen")
@require_permission(Permission.MANAGE_SCHOOL)
def apply_upload(upload_id: int):
    """Queue the job that applies exactly the previewed changes, all or nothing."""
    upload = staged.load(EDEXML, upload_id)
    return staged.confirm(EDEXML, upload, _school(), "admin.import_preview")


@bp.post("/import/<int:upload_id>/annuleren")
@require_permission(Permission.MANAGE_SCHOOL)
def cancel_upload(upload_id: int):
    """Drop an upload that was not applied."""
    return staged.cancel(EDEXML, staged.load(EDEXML, upload_id), "admin.imports")


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
