"""A results file waiting for the IB's confirmation (upload → preview → confirm → job).

Kept between the preview and the confirmation: only the fields of the format, per row
(compressed), never the uploaded file (which may carry names and other columns). Dropped once
applied or cancelled, and an unconfirmed upload after a day.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, LargeBinary, String, func
from sqlalchemy.orm import Mapped, mapped_column

from plugin.db import Base, str_enum
from plugin.imports.models import UploadState


class ResultsUpload(Base):
    __tablename__ = "results_upload"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    state: Mapped[UploadState] = mapped_column(str_enum(UploadState), default=UploadState.PENDING)
    payload: Mapped[bytes | None] = mapped_column(LargeBinary)
    """The rows (zlib-compressed JSON of the format's fields); None once no longer needed."""
    digest: Mapped[str | None] = mapped_column(String(64))
    """The fingerprint of the plan the IB confirmed (``ResultsPlan.digest``)."""
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """Counts (no names, no keys), shown in the preview and once applied."""
    job_id: Mapped[int | None] = mapped_column(ForeignKey("job.id", ondelete="SET NULL"))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_results_upload_school_created", "school_id", "created_at"),)
