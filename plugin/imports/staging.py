"""A staged upload: upload → preview → confirm → a job applies it, with progress.

The EDEXML import (:mod:`plugin.imports.uploads`) and the results import
(:mod:`plugin.imports.results.uploads`) keep an uploaded file the same way, so the way lives
here once, and each import only says how its file is read, planned, kept and applied (a
:class:`StagedImport`). :meth:`~StagedImport.create` reads and plans the file (refusing it with
every problem) and keeps only the parsed records, compressed, never the uploaded bytes;
:meth:`~StagedImport.queue` checks that the plan is still the one the IB saw (its digest) and
queues a background job; the job (:meth:`~StagedImport.run_job`) plans once more and applies
only that same plan, reporting progress, in the job's one transaction. An unconfirmed upload is
dropped after a day (it may hold pupils' names). Services flush; the request (or the job
runner) commits.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Generic, Protocol, TypeVar

from flask_babel import LazyString
from sqlalchemy import delete, select

from plugin.extensions import db
from plugin.imports.apply import Actor, Progress
from plugin.imports.models import UploadState
from plugin.jobs import JobContext, JobRefused, enqueue
from plugin.models import Job, JobState, School, StaffMember

KEEP_UNCONFIRMED = timedelta(days=1)


class StalePreview(Exception):
    """The school changed since the preview (or the upload is no longer waiting): the IB must
    look again before applying."""


class UploadRow(Protocol):
    """The columns both upload tables have (``ImportUpload``, ``ResultsUpload``)."""

    id: int
    school_id: int
    state: UploadState
    payload: bytes | None
    digest: str | None
    summary: dict[str, Any]
    job_id: int | None
    finished_at: datetime | None


class Plan(Protocol):
    """What an import would change: its counts, and a fingerprint of its writes."""

    @property
    def digest(self) -> str: ...

    @property
    def counts(self) -> Mapping[str, Any]: ...


class Apply(Protocol):
    """Write a plan (flushes, never commits)."""

    def __call__(self, plan: Any, *, progress: Progress | None, actor: Actor | None) -> object: ...


U = TypeVar("U", bound=UploadRow)  # the upload's model
D = TypeVar("D")  # the parsed file that is kept
P = TypeVar("P", bound=Plan)


@dataclass(frozen=True)
class Preview(Generic[P]):
    """An upload as its page shows it."""

    job: Job | None
    waiting: bool
    """Not applied yet, and no job working on it: the IB may confirm or cancel."""
    plan: P | None
    """The plan as it stands now, while it waits; None once it is queued or applied."""
    counts: Mapping[str, Any]


@dataclass(frozen=True)
class StagedImport(Generic[U, D, P]):
    """How one import's upload is read, planned, kept and applied."""

    model: type[U]
    job_kind: str
    max_bytes: int
    """The largest upload (the app's request limit is raised to it for the upload only)."""
    read: Callable[[bytes], D]
    """Read the uploaded bytes; raises ``refused`` with every problem."""
    plan: Callable[[School, D, date], P]
    encode: Callable[[D], bytes]
    decode: Callable[[bytes], D]
    summary: Callable[[P], dict[str, Any]]
    """What the upload's row keeps of a plan (counts, no names)."""
    refused: type[Exception]
    """The exception that refuses a file; its ``problems`` list every reason."""
    problem_text: Callable[[Any], str]
    apply: Apply
    result: Callable[[P], dict[str, Any]]
    """The job's result (shown with the job)."""
    gone: LazyString
    """The job's refusal when its upload is gone."""
    changed: LazyString
    """The job's refusal, and the confirmation's message, when the plan changed since the
    preview."""
    summary_when_applied: bool = False
    """Write the summary again from the applied plan (else the confirmed one is kept)."""

    def create(self, school: School, staff_id: int | None, data: bytes, today: date) -> tuple[U, P]:
        """Read and plan ``data``; raises ``refused`` (nothing kept) for a wrong file."""
        self._purge_stale(school.id)
        parsed = self.read(data)
        plan = self.plan(school, parsed, today)
        upload = self.model(school_id=school.id, staff_id=staff_id, payload=self.encode(parsed),
                            summary=self.summary(plan))  # fmt: skip
        db.session.add(upload)
        db.session.flush()
        return upload, plan

    def load(self, school_id: int, upload_id: int) -> U:
        """The school's upload, or ``LookupError`` (never another school's)."""
        model: Any = self.model
        upload = db.session.scalar(
            select(model).where(model.id == upload_id, model.school_id == school_id)
        )
        if upload is None:
            raise LookupError(upload_id)
        return upload

    def current_plan(self, upload: U, school: School, today: date) -> P | None:
        """The plan as it stands now; None once the upload is applied or gone."""
        if upload.payload is None:
            return None
        return self.plan(school, self.decode(upload.payload), today)

    def preview(self, upload: U, school: School, today: date) -> Preview[P]:
        """The upload's job, whether it waits, and (while it waits) its plan as it stands now;
        raises ``refused`` when the file no longer fits the school."""
        job = job_of(upload)
        waiting = awaits_confirmation(upload, job)
        plan = self.current_plan(upload, school, today) if waiting else None
        counts = plan.counts if plan is not None else upload.summary
        return Preview(job, waiting, plan, counts)

    def queue(
        self, upload: U, school: School, digest: str, staff_id: int | None, today: date
    ) -> Job:
        """Check the preview is still true and queue the job that applies it."""
        if upload.payload is None or not awaits_confirmation(upload, job_of(upload)):
            raise StalePreview()
        plan = self.plan(school, self.decode(upload.payload), today)
        if plan.digest != digest:
            raise StalePreview()
        job = enqueue(self.job_kind, {"upload_id": upload.id, "digest": digest},
                      school_id=school.id, staff_id=staff_id)  # fmt: skip
        upload.state, upload.job_id, upload.digest = UploadState.QUEUED, job.id, digest
        upload.summary = self.summary(plan)
        db.session.flush()
        return job

    def run_job(self, context: JobContext) -> dict[str, Any]:
        """The job: plan again, apply only the confirmed plan, report progress."""
        upload = db.session.get(self.model, context.payload.get("upload_id"))
        if upload is None or upload.school_id != context.school_id or upload.payload is None:
            raise JobRefused(str(self.gone))
        school = db.session.get(School, upload.school_id)
        try:
            plan = self.plan(school, self.decode(upload.payload), date.today())
        except self.refused as refused:
            problems: list[Any] = refused.problems  # type: ignore[attr-defined]
            raise JobRefused(" ".join(self.problem_text(p) for p in problems)[:1900]) from None
        if plan.digest != context.payload.get("digest"):
            raise JobRefused(str(self.changed))
        self.apply_upload(upload, plan, progress=context.progress,
                          actor=job_actor(context.staff_id))  # fmt: skip
        return self.result(plan)

    def apply_upload(
        self, upload: U, plan: P, progress: Progress | None = None, actor: Actor | None = None
    ) -> None:
        """Apply a confirmed plan and forget the parsed file."""
        upload_id = upload.id
        self.apply(plan, progress=progress, actor=actor)
        upload = db.session.get(self.model, upload_id)  # reloaded: the apply expired it
        upload.state = UploadState.APPLIED
        upload.payload = None
        if self.summary_when_applied:
            upload.summary = self.summary(plan)
        upload.finished_at = datetime.now(UTC)
        db.session.flush()

    def cancel(self, upload: U) -> None:
        """Drop an upload that was not applied (one a job works on stays)."""
        if awaits_confirmation(upload, job_of(upload)):
            db.session.delete(upload)
            db.session.flush()

    def last_imports(self, school_id: int, limit: int = 5) -> list[U]:
        """The school's confirmed uploads, newest first."""
        model: Any = self.model
        return list(
            db.session.scalars(
                select(model)
                .where(model.school_id == school_id, model.state != UploadState.PENDING)
                .order_by(model.created_at.desc(), model.id.desc())
                .limit(limit)
            )
        )

    def _purge_stale(self, school_id: int) -> None:
        """Unconfirmed uploads older than a day go (they hold pupils' names)."""
        model: Any = self.model
        cutoff = datetime.now(UTC) - KEEP_UNCONFIRMED
        db.session.execute(
            delete(model).where(
                model.school_id == school_id,
                model.state == UploadState.PENDING,
                model.created_at < cutoff,
            )
        )


def job_of(upload: UploadRow) -> Job | None:
    return db.session.get(Job, upload.job_id) if upload.job_id else None


def awaits_confirmation(upload: UploadRow, job: Job | None) -> bool:
    """Not applied yet, and no job working on it (never queued, or its job failed)."""
    if upload.state is UploadState.PENDING:
        return True
    return upload.state is UploadState.QUEUED and (job is None or job.state is JobState.FAILED)


def job_actor(staff_id: int | None) -> Actor:
    """The audit log's "who" for a job: the IB who confirmed it (id and role; never the name)."""
    staff = db.session.get(StaffMember, staff_id) if staff_id else None
    if staff is None:
        return Actor(None, "job")
    return Actor(staff.id, staff.role.value)
