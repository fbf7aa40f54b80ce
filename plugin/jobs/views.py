"""``/taken/<id>``: how a job is doing, for the page that started it (JSON, polled)."""

from __future__ import annotations

from flask import Blueprint, jsonify

from plugin.auth import Permission, refuse, require_principal
from plugin.db import reads_only
from plugin.extensions import db
from plugin.jobs import progress
from plugin.models import Job

bp = Blueprint("jobs", __name__)


@bp.get("/taken/<int:job_id>")
@reads_only
def status(job_id: int):
    """State, progress and outcome of a job of the user's school that they may follow."""
    principal = require_principal()
    job = db.session.get(Job, job_id)
    mine = job is not None and job.school_id == principal.school_id
    allowed = mine and (
        principal.can(Permission.MANAGE_SCHOOL)
        or (principal.staff_id is not None and job.created_by_staff_id == principal.staff_id)
    )
    if not allowed:
        refuse("job", job_id)
    return jsonify(
        id=job.id, kind=job.kind, state=job.state.value, attempts=job.attempts,
        progress=progress.read(job.id), result=job.result, error=job.error,
    )  # fmt: skip
