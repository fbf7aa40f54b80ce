"""The request handling of a staged upload's pages (Leerlingen en groepen, Datamigratie).

Both pages take a file, show its preview, and confirm or cancel it in the same way (see
:mod:`plugin.imports.staging`); only their pages and texts differ, which the views in
:mod:`plugin.admin.imports` and :mod:`plugin.admin.results` keep. The steps live here once so
that the two cannot drift apart: a refused file keeps nothing, a changed school shows the
preview again, another school's upload is a 404 (audited). Nothing here commits: the request
does (:mod:`plugin.unit_of_work`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Flask, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from plugin.auth import refuse, require_principal
from plugin.imports.staging import StagedImport, StalePreview
from plugin.models import School
from plugin.unit_of_work import rollback_quietly

Page = Callable[[School, list[Any], int], ResponseReturnValue]
"""The upload page, with a list of problems and a status."""


def allow_large_upload(app: Flask, endpoint: str, staged: StagedImport) -> None:
    """Let ``endpoint`` take an upload beyond the app's MAX_CONTENT_LENGTH (an export is
    several MB), that endpoint only; first of all hooks, before the CSRF check reads the form."""

    def raise_limit() -> None:
        if request.endpoint == endpoint:
            request.max_content_length = staged.max_bytes

    app.before_request_funcs.setdefault(None, []).insert(0, raise_limit)


def load(staged: StagedImport, upload_id: int) -> Any:
    """The principal's school's upload; another school's (or none) is refused and audited."""
    try:
        return staged.load(require_principal().school_id, upload_id)
    except LookupError:
        refuse(staged.model.__tablename__, upload_id)


def receive(
    staged: StagedImport, school: School, page: Page, missing: Any, preview_endpoint: str
) -> ResponseReturnValue:
    """Read and check the posted file, keep its records, go to the preview; or show the page
    with ``missing`` (no file) or every problem (a refused file, of which nothing is kept)."""
    file = request.files.get("file")
    data = file.read() if file else b""
    if not data:
        return page(school, [missing], 422)
    try:
        upload, _plan = staged.create(school, require_principal().staff_id, data, date.today())
    except staged.refused as refused:
        rollback_quietly()  # nothing of a refused file is kept
        return page(school, refused.problems, 422)  # type: ignore[attr-defined]
    return redirect(url_for(preview_endpoint, upload_id=upload.id), 303)


def confirm(staged: StagedImport, upload: Any, school: School, preview_endpoint: str) -> Response:
    """Queue the job that applies exactly the previewed plan (the form carries its digest);
    when the school changed since, the IB sees the new preview."""
    principal = require_principal()
    try:
        staged.queue(upload, school, request.form.get("digest", ""), principal.staff_id,
                     date.today())  # fmt: skip
    except (StalePreview, staged.refused):
        flash(str(staged.changed), "error")
    return redirect(url_for(preview_endpoint, upload_id=upload.id), 303)


def cancel(staged: StagedImport, upload: Any, index_endpoint: str) -> Response:
    """Drop an upload that was not applied."""
    staged.cancel(upload)
    flash(_("The upload has been cancelled; nothing was changed."), "success")
    return redirect(url_for(index_endpoint), 303)
