"""A school (tenant), its groups, pupils and staff.

Tenant isolation starts here: every pupil, group and staff member belongs to exactly one school,
and composite foreign keys make the database refuse an enrolment or a teacher link that would
cross schools.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    SmallInteger,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from plugin.db import Base, str_enum


class MigrationState(enum.StrEnum):
    """Import of historical results from the previous system; reports stay empty until done."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class StaffRole(enum.StrEnum):
    LEERKRACHT = "leerkracht"
    IB = "ib"


class School(Base):
    __tablename__ = "school"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    brin: Mapped[str | None] = mapped_column(String(8))
    schoolweging: Mapped[float | None]
    """CBS school weighting (20–40); a higher value means a more complex pupil population."""
    migration_state: Mapped[MigrationState] = mapped_column(
        str_enum(MigrationState, 20), default=MigrationState.NOT_STARTED
    )
    midden_start_month: Mapped[int] = mapped_column(SmallInteger, default=12)
    midden_end_month: Mapped[int] = mapped_column(SmallInteger, default=2)
    eind_start_month: Mapped[int] = mapped_column(SmallInteger, default=5)
    eind_end_month: Mapped[int] = mapped_column(SmallInteger, default=7)
    is_synthetic: Mapped[bool] = mapped_column(default=False)
    """True for generated demo schools: every screen then says the data is fictitious."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    groups: Mapped[list[Group]] = relationship(back_populates="school", passive_deletes=True)

    __table_args__ = (
        CheckConstraint(
            "midden_start_month BETWEEN 1 AND 12 AND midden_end_month BETWEEN 1 AND 12 "
            "AND eind_start_month BETWEEN 1 AND 12 AND eind_end_month BETWEEN 1 AND 12",
            name="period_months",
        ),
    )


class Group(Base):
    """A class (*groep*) in one school year; a combination group spans two leerjaren."""

    __tablename__ = "school_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(100))
    school_year: Mapped[int]
    """First calendar year of the school year: 2025 means 2025-2026."""
    leerjaar: Mapped[int] = mapped_column(SmallInteger)
    leerjaar_high: Mapped[int | None] = mapped_column(SmallInteger)
    """Set for a combination group, e.g. 6 for a groep 5/6."""

    school: Mapped[School] = relationship(back_populates="groups")

    __table_args__ = (
        UniqueConstraint("school_id", "school_year", "name"),
        UniqueConstraint("id", "school_id"),  # target of the cross-school guards
        CheckConstraint("leerjaar BETWEEN 1 AND 8", name="leerjaar_range"),
        CheckConstraint(
            "leerjaar_high IS NULL OR (leerjaar_high > leerjaar AND leerjaar_high <= 8)",
            name="combination_range",
        ),
        Index("ix_school_group_school_year", "school_id", "school_year"),
    )

    @property
    def is_combination(self) -> bool:
        return self.leerjaar_high is not None


class Pupil(Base):
    """A pupil, pseudonymous: a display name and the platform's ``sub``; no BSN, no address."""

    __tablename__ = "pupil"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="RESTRICT"))
    display_name: Mapped[str] = mapped_column(String(120))
    lti_subject: Mapped[str | None] = mapped_column(String(255))
    """The LTI ``sub`` (or ECK iD) that identifies the pupil at the platform."""
    left_on: Mapped[date | None] = mapped_column(Date)
    """Set when the pupil left (e.g. no longer on the roster); pupils are never deleted."""

    school: Mapped[School] = relationship()

    __table_args__ = (
        UniqueConstraint("id", "school_id"),
        UniqueConstraint("school_id", "lti_subject"),
    )


class Enrolment(Base):
    """A pupil in a group for one school year; the pupil's own leerjaar is kept apart."""

    __tablename__ = "enrolment"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="RESTRICT"))
    pupil_id: Mapped[int]
    group_id: Mapped[int]
    school_year: Mapped[int]
    leerjaar: Mapped[int] = mapped_column(SmallInteger)

    # Read-only: the composite foreign keys share school_id, so the ids are set directly.
    pupil: Mapped[Pupil] = relationship(
        primaryjoin="Pupil.id == foreign(Enrolment.pupil_id)", viewonly=True
    )
    group: Mapped[Group] = relationship(
        primaryjoin="Group.id == foreign(Enrolment.group_id)", viewonly=True
    )

    __table_args__ = (
        ForeignKeyConstraint(
            ["pupil_id", "school_id"], ["pupil.id", "pupil.school_id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(
            ["group_id", "school_id"],
            ["school_group.id", "school_group.school_id"],
            ondelete="RESTRICT",
        ),
        UniqueConstraint("pupil_id", "school_year"),
        CheckConstraint("leerjaar BETWEEN 1 AND 8", name="leerjaar_range"),
        Index("ix_enrolment_group", "group_id"),
    )


class StaffMember(Base):
    """A teacher or internal coach, created or updated at each LTI launch."""

    __tablename__ = "staff_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="RESTRICT"))
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    role: Mapped[StaffRole] = mapped_column(str_enum(StaffRole, 20))
    lti_issuer: Mapped[str | None] = mapped_column(String(255))
    lti_subject: Mapped[str | None] = mapped_column(String(255))

    school: Mapped[School] = relationship()

    __table_args__ = (
        UniqueConstraint("id", "school_id"),
        UniqueConstraint("lti_issuer", "lti_subject"),
    )


class TeacherGroup(Base):
    """Which groups a teacher may see: every group they launched from or are rostered to."""

    __tablename__ = "teacher_group"

    staff_id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="RESTRICT"))
    source: Mapped[str] = mapped_column(String(20), default="launch")

    __table_args__ = (
        ForeignKeyConstraint(
            ["staff_id", "school_id"],
            ["staff_member.id", "staff_member.school_id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["group_id", "school_id"],
            ["school_group.id", "school_group.school_id"],
            ondelete="CASCADE",
        ),
        Index("ix_teacher_group_group", "group_id"),
    )


class PlatformContext(Base):
    """A course (context) of a school platform, linked to one of the school's groups.

    The launch links it by name (label or title) or creates a group; the IB can re-link it in
    Administratie, e.g. when the platform's course is called "5B" but the group "Groep 5".
    """

    __tablename__ = "platform_context"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="RESTRICT"))
    issuer: Mapped[str] = mapped_column(String(255))
    context_id: Mapped[str] = mapped_column(String(255))
    label: Mapped[str | None] = mapped_column(String(255))
    title: Mapped[str | None] = mapped_column(String(255))
    group_id: Mapped[int | None]
    last_launch_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        UniqueConstraint("issuer", "context_id"),
        ForeignKeyConstraint(
            ["group_id", "school_id"],
            ["school_group.id", "school_group.school_id"],
            ondelete="RESTRICT",
        ),
    )
