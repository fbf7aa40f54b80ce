"""Tables of the instructions domain: loaded content, accepted answer variants and the
preparation checklist teachers tick per administration."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, SmallInteger, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from plugin.db import Base


class ContentPack(Base):
    """A loaded content pack: re-loading the same version with the same files is a no-op."""

    __tablename__ = "content_pack"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    version: Mapped[str] = mapped_column(String(40))
    checksum: Mapped[str] = mapped_column(String(64))
    """SHA-256 over the pack's files, so a changed pack is loaded again."""
    synthetic: Mapped[bool] = mapped_column(default=False)
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ContentDocument(Base):
    """One piece of publisher content: a manual, the administration instructions of one test,
    the example items or character introduction of a subject, or a help video."""

    __tablename__ = "content_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    subject_code: Mapped[str | None] = mapped_column(String(40))
    test_code: Mapped[str | None] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(SmallInteger, default=0)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    pack_id: Mapped[int] = mapped_column(ForeignKey("content_pack.id", ondelete="CASCADE"))


class AcceptedAnswer(Base):
    """Another spelling of an item's correct answer that also counts as right (``12,5``)."""

    __tablename__ = "accepted_answer"

    item_id: Mapped[int] = mapped_column(
        ForeignKey("test_item.id", ondelete="CASCADE"), primary_key=True
    )
    answer: Mapped[str] = mapped_column(String(200), primary_key=True)


class PreparationTick(Base):
    """A preparation step ticked off for one administration; seen by every teacher of the
    group. Unticking deletes the row."""

    __tablename__ = "preparation_tick"

    id: Mapped[int] = mapped_column(primary_key=True)
    administration_id: Mapped[int] = mapped_column(
        ForeignKey("administration.id", ondelete="CASCADE")
    )
    step: Mapped[str] = mapped_column(String(60))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id", ondelete="SET NULL"))
    ticked_by: Mapped[str] = mapped_column(String(200), default="")
    ticked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (UniqueConstraint("administration_id", "step"),)


class PupilAdministration(Base):
    """How one pupil took one administration: *afwezig* (absent: no result, shown as "niet
    gemaakt", never scored as all wrong) or *afwijkende afname* (an accommodation or a
    disturbance the teacher notes, carried to the result). No row means: taken as usual."""

    __tablename__ = "pupil_administration"

    id: Mapped[int] = mapped_column(primary_key=True)
    administration_id: Mapped[int] = mapped_column(
        ForeignKey("administration.id", ondelete="CASCADE")
    )
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupil.id", ondelete="RESTRICT"))
    absent: Mapped[bool] = mapped_column(default=False)
    deviating: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(String(200), default="")
    """What was different (e.g. "extra tijd", "vragen voorgelezen"); only with ``deviating``."""
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    __table_args__ = (UniqueConstraint("administration_id", "pupil_id"),)
