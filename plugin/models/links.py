"""What waits for the IB under Administratie → Koppelingen: courses asking to be linked, and the
platform accounts a course's roster sync could not match to a pupil.

These hold the personal data the IB needs to act (who asked, which account is unmatched), so
they live here with a lifecycle of their own rather than in the append-only audit log, whose
rows hold ids and counts only:

- a :class:`CourseRequest` exists while nobody decided on the course; it goes when an IB links
  or refuses it (or the import links it at a launch), with its :class:`CourseRequester` rows;
- the :class:`UnmatchedAccount` rows of a course are replaced by every roster sync and go when
  the course is unlinked;
- erasure and the retention purge remove the rows that name a removed pupil, and the purge
  removes requests and accounts nobody saw within the retention period.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from plugin.db import Base


class CourseRequest(Base):
    """A course of a school platform that launched into the school and waits for an IB."""

    __tablename__ = "course_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"))
    issuer: Mapped[str] = mapped_column(String(255))
    context_id: Mapped[str] = mapped_column(String(255))
    """The platform's id of the course (LTI context id)."""
    label: Mapped[str | None] = mapped_column(String(255))
    title: Mapped[str | None] = mapped_column(String(255))
    suggested_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("school_group.id", ondelete="SET NULL")
    )
    """The group an old name rule had linked the course to (migration 0008), offered first."""
    first_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    """The newest launch from the course: the retention purge drops requests older than it."""

    requesters: Mapped[list[CourseRequester]] = relationship(
        back_populates="request", cascade="all, delete-orphan", passive_deletes=True,
        order_by="CourseRequester.id",
    )  # fmt: skip

    __table_args__ = (UniqueConstraint("school_id", "issuer", "context_id"),)


class CourseRequester(Base):
    """Someone whose launch asked for the course. A staff member the school knows is kept as an
    id (name and e-mail are looked up when shown); someone it does not know yet keeps the name
    and e-mail the platform sent, so the IB knows who asked."""

    __tablename__ = "course_requester"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("course_request.id", ondelete="CASCADE"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id", ondelete="CASCADE"))
    platform_user_id: Mapped[str | None] = mapped_column(String(255))
    """The launch's ``sub``: who to link to the group when the IB approves the course."""
    name: Mapped[str | None] = mapped_column(String(255))
    """Only for someone the school does not know yet (``staff_id`` None)."""
    email: Mapped[str | None] = mapped_column(String(254))
    """Only for someone the school does not know yet (``staff_id`` None)."""
    requested_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )

    request: Mapped[CourseRequest] = relationship(back_populates="requesters")

    __table_args__ = (UniqueConstraint("request_id", "platform_user_id"),)


class UnmatchedAccount(Base):
    """A learner account on a linked course's roster that matched no pupil of the school at the
    course's last roster sync; only its name, which is what the IB looks for."""

    __tablename__ = "unmatched_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"))
    platform_context_id: Mapped[int] = mapped_column(
        ForeignKey("platform_context.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(255))
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (Index("ix_unmatched_account_context", "platform_context_id"),)
