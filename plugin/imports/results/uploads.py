"""A results file from the command line or the IB's upload, up to the applied import.

:func:`read_results` reads and maps a file into records; :func:`plan_file` plans it for a
school. The upload keeps only the records (the format's fields, compressed) until the IB
confirms; :func:`queue_upload` checks that the plan is still the one the IB saw (its digest)
and queues a background job; the job (:func:`run_results_job`) plans once more and applies
that same plan, reporting progress, in the job's one transaction. Services flush; the request
(or the job runner, or the command) commits.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, select

from plugin.extensions import db
from plugin.imports.apply import Actor, Progress
from plugin.imports.models import UploadState
from plugin.imports.results.apply import apply_results
from plugin.imports.results.columns import map_headers
from plugin.imports.results.models import ResultsUpload
from plugin.imports.results.plan import (
    Record,
    ResultsPlan,
    column_place,
    plan_results,
    records_of,
)
from plugin.imports.results.reader import ResultsRefused, read_sheet
from plugin.imports.results.summary import problem_text
from plugin.jobs import JobContext, JobRefused, enqueue
from plugin.models import Job, JobState, School, StaffMember

JOB_KIND = "results_import"
MAX_UPLOAD_BYTES = 48 * 1024 * 1024
"""200,000 rows of CSV are about 15 MB; an XLSX is smaller."""
KEEP_UNCONFIRMED = timedelta(days=1)


class StalePreview(Exception):
    """The school's results changed since the preview (or the upload no longer waits)."""


@dataclass(frozen=True)
class ReadFile:
    """A read and mapped file: its records, and how to name a field's column."""

    records: list[Record]
    index: dict[str, int]
    headers: tuple[str, ...]
    ignored: tuple[str, ...]
    kind: str

    def place(self):
        return column_place(self.index, self.headers)


def read_results(data: bytes) -> ReadFile:
    """Read and map ``data``; raises :class:`ResultsRefused` with every problem."""
    sheet = read_sheet(data)
    mapping = map_headers(sheet.headers, sheet.header_row)
    return ReadFile(records_of(sheet, mapping), mapping.index, sheet.headers, mapping.ignored,
                    sheet.kind)  # fmt: skip


def plan_file(school: School, read: ReadFile, today: date) -> ResultsPlan:
    return plan_results(school, read.records, read.place(), today, ignored=read.ignored)


def encode(read: ReadFile) -> bytes:
    fields = sorted(read.index)
    data = {"kind": read.kind, "headers": list(read.headers), "index": read.index,
            "ignored": list(read.ignored), "fields": fields,
            "rows": [[r.row, *(r.cells.get(f) for f in fields)] for r in read.records]}  # fmt: skip
    return zlib.compress(json.dumps(data, separators=(",", ":")).encode(), 6)


def decode(payload: bytes) -> ReadFile:
    data: dict[str, Any] = json.loads(zlib.decompress(payload))
    fields = data["fields"]
    records = [Record(row[0], dict(zip(fields, row[1:], strict=True))) for row in data["rows"]]
    return ReadFile(records, data["index"], tuple(data["headers"]), tuple(data["ignored"]),
                    data["kind"])  # fmt: skip


def create_upload(
    school: School, staff_id: int | None, data: bytes, today: date
) -> tuple[ResultsUpload, ResultsPlan]:
    """Read and plan ``data``; raises ``ResultsRefused`` (nothing kept) for a wrong file."""
    _purge_stale(school.id)
    read = read_results(data)
    plan = plan_file(school, read, today)
    upload = ResultsUpload(school_id=school.id, staff_id=staff_id, payload=encode(read),
                           summary=_summary(plan))  # fmt: skip
    db.session.add(upload)
    db.session.flush()
    return upload, plan


def _summary(plan: ResultsPlan) -> dict[str, Any]:
    return {**plan.counts, "ignored": list(plan.ignored_columns)}


def load_upload(school_id: int, upload_id: int) -> ResultsUpload:
    """The school's upload, or ``LookupError`` (never another school's)."""
    upload = db.session.scalar(
        select(ResultsUpload).where(
            ResultsUpload.id == upload_id, ResultsUpload.school_id == school_id
        )
    )
    if upload is None:
        raise LookupError(upload_id)
    return upload


def current_plan(upload: ResultsUpload, school: School, today: date) -> ResultsPlan | None:
    if upload.payload is None:
        return None
    return plan_file(school, decode(upload.payload), today)


def job_of(upload: ResultsUpload) -> Job | None:
    return db.session.get(Job, upload.job_id) if upload.job_id else None


def awaits_confirmation(upload: ResultsUpload, job: Job | None) -> bool:
    if upload.state is UploadState.PENDING:
        return True
    return upload.state is UploadState.QUEUED and (job is None or job.state is JobState.FAILED)


def queue_upload(
    upload: ResultsUpload, school: School, digest: str, staff_id: int | None, today: date
) -> Job:
    """Check the preview is still true and queue the job that applies it."""
    if upload.payload is None or not awaits_confirmation(upload, job_of(upload)):
        raise StalePreview()
    plan = plan_file(school, decode(upload.payload), today)
    if plan.digest != digest:
        raise StalePreview()
    job = enqueue(JOB_KIND, {"upload_id": upload.id, "digest": digest}, school_id=school.id,
                  staff_id=staff_id)  # fmt: skip
    upload.state, upload.job_id, upload.digest = UploadState.QUEUED, job.id, digest
    upload.summary = _summary(plan)
    db.session.flush()
    return job


def run_results_job(context: JobContext) -> dict[str, Any]:
    """The job: plan again, apply only the confirmed plan, report progress; counts as result."""
    upload = db.session.get(ResultsUpload, context.payload.get("upload_id"))
    if upload is None or upload.school_id != context.school_id or upload.payload is None:
        raise JobRefused(_("This upload is no longer there; upload the file again."))
    school = db.session.get(School, upload.school_id)
    try:
        plan = plan_file(school, decode(upload.payload), date.today())
    except ResultsRefused as refused:
        raise JobRefused(" ".join(problem_text(p) for p in refused.problems)[:1900]) from None
    if plan.digest != context.payload.get("digest"):
        raise JobRefused(_("The school's results changed since the preview. Check the file "
                           "again."))  # fmt: skip
    apply_upload(upload, plan, progress=context.progress, actor=_actor(context.staff_id))
    return {"counts": plan.counts}


def _actor(staff_id: int | None) -> Actor:
    staff = db.session.get(StaffMember, staff_id) if staff_id else None
    if staff is None:
        return Actor(None, "job")
    return Actor(staff.id, staff.role.value)  # the audit row holds the id, never the name


def apply_upload(
    upload: ResultsUpload, plan: ResultsPlan, progress: Progress | None = None,
    actor: Actor | None = None,
) -> None:  # fmt: skip
    upload_id = upload.id
    apply_results(plan, progress=progress, actor=actor, source="upload")
    upload = db.session.get(ResultsUpload, upload_id)  # reloaded: the apply expired it
    upload.state = UploadState.APPLIED
    upload.payload = None
    upload.summary = _summary(plan)
    upload.finished_at = datetime.now(UTC)
    db.session.flush()


def cancel_upload(upload: ResultsUpload) -> None:
    if awaits_confirmation(upload, job_of(upload)):
        db.session.delete(upload)
        db.session.flush()


def last_imports(school_id: int, limit: int = 5) -> list[ResultsUpload]:
    return list(
        db.session.scalars(
            select(ResultsUpload)
            .where(ResultsUpload.school_id == school_id,
                   ResultsUpload.state != UploadState.PENDING)
            .order_by(ResultsUpload.created_at.desc(), ResultsUpload.id.desc())
            .limit(limit)
        )
    )  # fmt: skip


def _purge_stale(school_id: int) -> None:
    cutoff = datetime.now(UTC) - KEEP_UNCONFIRMED
    db.session.execute(
        delete(ResultsUpload).where(
            ResultsUpload.school_id == school_id,
            ResultsUpload.state == UploadState.PENDING,
            ResultsUpload.created_at < cutoff,
        )
    )
