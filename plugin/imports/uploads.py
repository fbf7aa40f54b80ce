"""The IB's upload: keep the parsed export until it is confirmed, then apply it in a job.

``create_upload`` reads and plans the file (refusing it with every problem) and keeps only the
parsed records; ``queue_upload`` checks that the plan is still the one the IB saw (its digest)
and queues a background job; the job (:func:`run_import_job`) plans once more and applies only
that same plan, reporting progress, in the job's one transaction. The uploaded bytes are
never stored. Services flush; the request (or the job runner) commits.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, select

from plugin.extensions import db
from plugin.imports.apply import Actor, Progress, apply_import
from plugin.imports.edexml import parse_edexml
from plugin.imports.models import ImportUpload, UploadState
from plugin.imports.plan import ImportPlan, plan_import
from plugin.imports.records import (
    EdexFile,
    EdexGroup,
    EdexLink,
    EdexmlRefused,
    EdexPupil,
    EdexTeacher,
)
from plugin.imports.summary import problem_text
from plugin.jobs import JobContext, JobRefused, enqueue
from plugin.models import Job, JobState, School, StaffMember

JOB_KIND = "edexml_import"
MAX_UPLOAD_BYTES = 32 * 1024 * 1024
"""A board's export of 10,000 pupils with every element is 6–10 MB."""
KEEP_UNCONFIRMED = timedelta(days=1)


class StalePreview(Exception):
    """The school changed since the preview (or the upload is no longer waiting): the IB must
    look again before applying."""


def encode(edex: EdexFile) -> bytes:
    return zlib.compress(json.dumps(asdict(edex), default=str).encode(), 6)


def decode(payload: bytes) -> EdexFile:
    raw: dict[str, Any] = json.loads(zlib.decompress(payload))
    day = lambda value: date.fromisoformat(value) if value else None  # noqa: E731
    pupils = tuple(
        EdexPupil(**{**p, "subgroup_keys": tuple(p["subgroup_keys"]),
                     "entered_on": day(p["entered_on"]), "left_on": day(p["left_on"])})
        for p in raw["pupils"]
    )  # fmt: skip
    teachers = tuple(
        EdexTeacher(**{**t, "roles": tuple(t["roles"]), "links": tuple(
            EdexLink(**{**link, "roles": tuple(link["roles"])}) for link in t["links"])})
        for t in raw["teachers"]
    )  # fmt: skip
    groups = tuple(EdexGroup(**g) for g in raw["groups"])
    return EdexFile(raw["version"], raw["school_year"], raw["brin"], groups, pupils, teachers)


def create_upload(
    school: School, staff_id: int | None, data: bytes, today: date
) -> tuple[ImportUpload, ImportPlan]:
    """Read and plan ``data``; raises ``EdexmlRefused`` (nothing kept) for a wrong file."""
    _purge_stale(school.id)
    edex = parse_edexml(data)
    plan = plan_import(school, edex, today)
    upload = ImportUpload(school_id=school.id, staff_id=staff_id, payload=encode(edex),
                          summary=dict(plan.counts))  # fmt: skip
    db.session.add(upload)
    db.session.flush()
    return upload, plan


def load_upload(school_id: int, upload_id: int) -> ImportUpload:
    """The school's upload, or ``LookupError`` (never another school's)."""
    upload = db.session.scalar(
        select(ImportUpload).where(
            ImportUpload.id == upload_id, ImportUpload.school_id == school_id
        )
    )
    if upload is None:
        raise LookupError(upload_id)
    return upload


def current_plan(upload: ImportUpload, school: School, today: date) -> ImportPlan | None:
    """The plan as it stands now; None once the upload is applied or gone."""
    if upload.payload is None:
        return None
    return plan_import(school, decode(upload.payload), today)


def job_of(upload: ImportUpload) -> Job | None:
    return db.session.get(Job, upload.job_id) if upload.job_id else None


def awaits_confirmation(upload: ImportUpload, job: Job | None) -> bool:
    """Not applied yet, and no job working on it (never queued, or its job failed)."""
    if upload.state is UploadState.PENDING:
        return True
    return upload.state is UploadState.QUEUED and (job is None or job.state is JobState.FAILED)


def queue_upload(
    upload: ImportUpload, school: School, digest: str, staff_id: int | None, today: date
) -> Job:
    """Check the preview is still true and queue the job that applies it."""
    if upload.payload is None or not awaits_confirmation(upload, job_of(upload)):
        raise StalePreview()
    plan = plan_import(school, decode(upload.payload), today)
    if plan.digest != digest:
        raise StalePreview()
    job = enqueue(JOB_KIND, {"upload_id": upload.id, "digest": digest}, school_id=school.id,
                  staff_id=staff_id)  # fmt: skip
    upload.state, upload.job_id, upload.digest = UploadState.QUEUED, job.id, digest
    upload.summary = dict(plan.counts)
    db.session.flush()
    return job


def run_import_job(context: JobContext) -> dict[str, Any]:
    """The job: plan again, apply only the confirmed plan, report progress; counts as result."""
    upload = db.session.get(ImportUpload, context.payload.get("upload_id"))
    if upload is None or upload.school_id != context.school_id or upload.payload is None:
        raise JobRefused(_("This upload is no longer there; upload the export again."))
    school = db.session.get(School, upload.school_id)
    try:
        plan = plan_import(school, decode(upload.payload), date.today())
    except EdexmlRefused as refused:
        raise JobRefused(" ".join(problem_text(p) for p in refused.problems)[:1900]) from None
    if plan.digest != context.payload.get("digest"):
        raise JobRefused(_("The school's data changed since the preview. Check the changes "
                           "again."))  # fmt: skip
    apply_upload(upload, plan, progress=context.progress, actor=_actor(context.staff_id))
    return {"counts": {kind: n for kind, n in sorted(plan.counts.items()) if n}}


def _actor(staff_id: int | None) -> Actor:
    """The audit log's "who" for a job: the IB who confirmed it (id and role; no name)."""
    staff = db.session.get(StaffMember, staff_id) if staff_id else None
    if staff is None:
        return Actor(None, "job")
    return Actor(staff.id, staff.role.value)


def apply_upload(
    upload: ImportUpload, plan: ImportPlan, progress: Progress | None = None,
    actor: Actor | None = None,
) -> None:  # fmt: skip
    """Apply a confirmed plan and forget the parsed file."""
    upload_id = upload.id
    apply_import(plan, progress=progress, actor=actor)
    upload = db.session.get(ImportUpload, upload_id)  # reloaded: the apply expired it
    upload.state = UploadState.APPLIED
    upload.payload = None
    upload.finished_at = datetime.now(UTC)
    db.session.flush()


def cancel_upload(upload: ImportUpload) -> None:
    if awaits_confirmation(upload, job_of(upload)):
        db.session.delete(upload)
        db.session.flush()


def last_imports(school_id: int, limit: int = 5) -> list[ImportUpload]:
    return list(
        db.session.scalars(
            select(ImportUpload)
            .where(ImportUpload.school_id == school_id, ImportUpload.state != UploadState.PENDING)
            .order_by(ImportUpload.created_at.desc(), ImportUpload.id.desc())
            .limit(limit)
        )
    )


def _purge_stale(school_id: int) -> None:
    """Unconfirmed uploads older than a day go (they hold pupils' names)."""
    cutoff = datetime.now(UTC) - KEEP_UNCONFIRMED
    db.session.execute(
        delete(ImportUpload).where(
            ImportUpload.school_id == school_id,
            ImportUpload.state == UploadState.PENDING,
            ImportUpload.created_at < cutoff,
        )
    )
