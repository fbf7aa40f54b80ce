"""An uploaded export waiting for the IB's confirmation (upload → preview → confirm).

What is kept between the preview and the confirmation is the *parsed* file — only the fields
the tool stores (:mod:`plugin.imports.records`), compressed — never the uploaded bytes, which
may hold BSNs and addresses. The parsed data is dropped as soon as the import is applied or
cancelled, and an unconfirmed upload after a day.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, LargeBinary, String, func
from sqlalchemy.orm import Mapped, mapped_column

from plugin.db import Base, str_enum


class UploadState(enum.StrEnum):
    PENDING = "pending"
    """Previewed; waits for the IB's confirmation."""
    QUEUED = "queued"
    """Confirmed; a job applies it (if the job fails, the IB may confirm again)."""
    APPLIED = "applied"


class ImportUpload(Base):
    __tablename__ = "import_upload"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id", ondelete="SET NULL"))
    """Who uploaded it (the IB); None when that account is gone."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    state: Mapped[UploadState] = mapped_column(str_enum(UploadState), default=UploadState.PENDING)
    payload: Mapped[bytes | None] = mapped_column(LargeBinary)
    """The parsed file (zlib-compressed JSON of the kept fields); None once it is no longer
    needed."""
    digest: Mapped[str | None] = mapped_column(String(64))
    """The fingerprint of the plan the IB confirmed (see ``ImportPlan.digest``)."""
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """Counts of the changes (no names), shown once it is applied."""
    job_id: Mapped[int | None] = mapped_column(ForeignKey("job.id", ondelete="SET NULL"))
    """The background job that applies it (its state and progress are the job's)."""
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_import_upload_school_created", "school_id", "created_at"),)
