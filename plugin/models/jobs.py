"""Background jobs (imports, roster syncs, purges): what IT and the IB see of work that runs
outside the request, and the uploaded file a job works on.

The queue itself (Huey, see :mod:`plugin.jobs`) only carries a job's id; everything a person
may look at — its state, how often it was tried, a Dutch error — lives in this table, so a
failed job is never silent. An uploaded file is kept only until its job has ended: an
administration export may hold data the tool never stores (a BSN, an address).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, LargeBinary, String, func
from sqlalchemy.orm import Mapped, mapped_column

from plugin.db import Base, str_enum


class JobState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    RETRYING = "retrying"
    """It failed and will be tried again."""
    DONE = "done"
    FAILED = "failed"
    """It failed for good (or refused its input); ``error`` says why, in Dutch."""


class Job(Base):
    __tablename__ = "job"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(50))
    school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"))
    created_by_staff_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_member.id", ondelete="SET NULL")
    )
    state: Mapped[JobState] = mapped_column(str_enum(JobState, 20), default=JobState.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """The job's parameters: ids and options, never personal data."""
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """A summary for the person who started it (counts, never names)."""
    error: Mapped[str | None] = mapped_column(String(2000))
    """Why it failed, written for the person who started it (no stack trace, no names)."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index("ix_job_school_created", "school_id", "created_at"),
        Index("ix_job_state", "state"),
    )


class JobFile(Base):
    """The uploaded file a job works on; deleted when the job ends."""

    __tablename__ = "job_file"

    job_id: Mapped[int] = mapped_column(ForeignKey("job.id", ondelete="CASCADE"), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
