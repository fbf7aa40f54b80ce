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
    structure_imported_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """When an export of the school's administration (EDEXML) was last applied; None while the
    school has never imported one (its groups then come from approved platform courses)."""
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
    """A class (*groep*) in one school year; a combination group spans two leerjaren.

    A group imported from the school's administration carries the administration's ``key``
    and is *managed by the import*: its pupils come from the import, never from a platform's
    roster. A *samengestelde groep* (``is_subgroup``) is a cross-class subgroup such as a
    reading group: its pupils are listed in :class:`GroupMember`, not enrolled in it.
    """

    __tablename__ = "school_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(100))
    school_year: Mapped[int]
    """First calendar year of the school year: 2025 means 2025-2026."""
    leerjaar: Mapped[int | None] = mapped_column(SmallInteger)
    """1–8; None for a subgroup, or a group the administration gives no leerjaar 1–8."""
    leerjaar_high: Mapped[int | None] = mapped_column(SmallInteger)
    """Set for a combination group, e.g. 6 for a groep 5/6."""
    key: Mapped[str | None] = mapped_column(String(256))
    """The group's key in the school's administration (EDEXML ``groep@key``)."""
    is_subgroup: Mapped[bool] = mapped_column(default=False)
    """A *samengestelde groep* (EDEXML ``samengestelde_groep``)."""

    school: Mapped[School] = relationship(back_populates="groups")

    __table_args__ = (
        UniqueConstraint("school_id", "school_year", "name"),
        UniqueConstraint("school_id", "school_year", "key"),
        UniqueConstraint("id", "school_id"),  # target of the cross-school guards
        CheckConstraint("leerjaar IS NULL OR leerjaar BETWEEN 1 AND 8", name="leerjaar_range"),
        CheckConstraint(
            "leerjaar_high IS NULL OR (leerjaar_high > leerjaar AND leerjaar_high <= 8)",
            name="combination_range",
        ),
        Index("ix_school_group_school_year", "school_id", "school_year"),
    )

    @property
    def is_combination(self) -> bool:
        return self.leerjaar_high is not None

    @property
    def is_managed_by_import(self) -> bool:
        return self.key is not None


class Pupil(Base):
    """A pupil: the minimum the tool needs (AVG). Never a BSN, onderwijsnummer, address,
    postcode, country, birth date or weight, even when the administration's export has them.

    ``key`` and ``eckid`` come from the school's administration (EDEXML) and identify the
    pupil across imports; ``lti_subject`` is the pupil's account at the school platform.
    """

    __tablename__ = "pupil"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="RESTRICT"))
    display_name: Mapped[str] = mapped_column(String(255))
    """The full name as staff see it ("Gradje van 't Hof"), derived from the name parts."""
    key: Mapped[str | None] = mapped_column(String(256))
    """The pupil's key in the school's administration (EDEXML ``leerling@key``)."""
    eckid: Mapped[str | None] = mapped_column(String(256))
    """The pupil's ECK iD (chain pseudonym; EDEXML 2.1 ``leerling@eckid``)."""
    first_name: Mapped[str | None] = mapped_column(String(200))
    """Roepnaam, or else voornamen."""
    infix: Mapped[str | None] = mapped_column(String(20))
    """Voorvoegsel ("van 't")."""
    last_name: Mapped[str | None] = mapped_column(String(200))
    lti_subject: Mapped[str | None] = mapped_column(String(255))
    """The LTI ``sub`` that identifies the pupil at the platform."""
    entered_on: Mapped[date | None] = mapped_column(Date)
    """Instroomdatum from the administration."""
    left_on: Mapped[date | None] = mapped_column(Date)
    """Uitstroomdatum, or the day a leaving was recorded; pupils are not deleted by imports."""

    school: Mapped[School] = relationship()

    __table_args__ = (
        UniqueConstraint("id", "school_id"),
        UniqueConstraint("school_id", "lti_subject"),
        UniqueConstraint("school_id", "key"),
        UniqueConstraint("school_id", "eckid"),
    )


class Enrolment(Base):
    """A pupil in a group for one school year; the pupil's own leerjaar is kept apart."""

    __tablename__ = "enrolment"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="RESTRICT"))
    pupil_id: Mapped[int]
    group_id: Mapped[int]
    school_year: Mapped[int]
    leerjaar: Mapped[int | None] = mapped_column(SmallInteger)
    """The pupil's own jaargroep 1–8 (None when the administration gives another value)."""

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
        CheckConstraint("leerjaar IS NULL OR leerjaar BETWEEN 1 AND 8", name="leerjaar_range"),
        Index("ix_enrolment_group", "group_id"),
        Index("ix_enrolment_school_year", "school_id", "school_year"),
    )


class GroupMember(Base):
    """A pupil in a *samengestelde groep* (subgroup); a pupil may be in several."""

    __tablename__ = "group_member"

    group_id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="RESTRICT"))

    __table_args__ = (
        ForeignKeyConstraint(
            ["group_id", "school_id"],
            ["school_group.id", "school_group.school_id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["pupil_id", "school_id"], ["pupil.id", "pupil.school_id"], ondelete="CASCADE"
        ),
        Index("ix_group_member_pupil", "pupil_id"),
    )


class StaffMember(Base):
    """A teacher or internal coach of one school.

    Imported from the school's administration (``key``, ``eckid``, names, e-mail) and/or known
    from a platform launch (``lti_issuer`` + ``lti_subject``); a launch is matched to an
    imported teacher by ECK iD or e-mail. ``role`` is the school's own decision: IB means the
    person is on the school's IB list (appointed by IT or another IB), never something a
    launch or a course owner sets.
    """

    __tablename__ = "staff_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="RESTRICT"))
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    role: Mapped[StaffRole] = mapped_column(str_enum(StaffRole, 20))
    key: Mapped[str | None] = mapped_column(String(256))
    """The teacher's key in the school's administration (EDEXML ``leerkracht@key``)."""
    eckid: Mapped[str | None] = mapped_column(String(256))
    """The teacher's ECK iD (EDEXML 2.1 ``leerkracht@eckid``)."""
    first_name: Mapped[str | None] = mapped_column(String(200))
    infix: Mapped[str | None] = mapped_column(String(20))
    last_name: Mapped[str | None] = mapped_column(String(200))
    lti_issuer: Mapped[str | None] = mapped_column(String(255))
    lti_subject: Mapped[str | None] = mapped_column(String(255))
    session_version: Mapped[int] = mapped_column(default=0)
    """Raised whenever the school changes this person's access (IB list, groups): a session
    signed in with an older version is re-checked or ended at its next request."""

    school: Mapped[School] = relationship()

    __table_args__ = (
        UniqueConstraint("id", "school_id"),
        UniqueConstraint("lti_issuer", "lti_subject"),
        UniqueConstraint("school_id", "key"),
        UniqueConstraint("school_id", "eckid"),
        Index("ix_staff_member_school_email", "school_id", "email"),
    )


class TeacherSource(enum.StrEnum):
    """Why a teacher may see a group: only what the school decided counts."""

    IMPORT = "import"
    """The school's administration says the teacher teaches the group (EDEXML)."""
    APPROVED = "approved"
    """An IB approved the link (a course linked to the group, or a request)."""
    ROSTER = "roster"
    """An instructor on the roster of a course an IB linked to the group."""


class TeacherGroup(Base):
    """Which groups a teacher may see; ``source`` says who decided (:class:`TeacherSource`)."""

    __tablename__ = "teacher_group"

    staff_id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="RESTRICT"))
    source: Mapped[str] = mapped_column(String(20), default=TeacherSource.APPROVED.value)
    via_context_id: Mapped[int | None] = mapped_column(
        ForeignKey("platform_context.id", ondelete="CASCADE")
    )
    """The approved course this link came from (an IB's approval of that course, or its
    roster); unlinking the course takes the link away. None for import links."""

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
    """A course (context) of a school platform, and the school group it stands for.

    A course owner names the course, so a name never links anything by itself. A row exists
    only once the school decided: an IB linked the course to a group in Administratie, or a
    launch by a teacher whom the school's import already links to the group the course names
    linked it (``group_id`` set), or an IB refused it (``refused_at`` set, ``group_id`` None).
    Until then the course is *pending*: its launches leave a
    :class:`~plugin.models.CourseRequest`, which Administratie → Koppelingen lists.
    """

    __tablename__ = "platform_context"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="RESTRICT"))
    issuer: Mapped[str] = mapped_column(String(255))
    context_id: Mapped[str] = mapped_column(String(255))
    label: Mapped[str | None] = mapped_column(String(255))
    title: Mapped[str | None] = mapped_column(String(255))
    group_id: Mapped[int | None]
    """None when an IB refused or unlinked the course."""
    requested_by_staff_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_member.id", ondelete="SET NULL")
    )
    """The teacher whose launch first brought the course in."""
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    approved_by_staff_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_member.id", ondelete="SET NULL")
    )
    """The IB who linked it; None for a link the import vouched for, or made by the CLI."""
    refused_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """Set when an IB refused (or unlinked) the course: its launches then show no group."""
    last_launch_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """Kept to the hour: a launch writes it only when it is older than that."""
    roster_queued_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """A launch queued a roster sync (a job) then; another waits until it ran or failed."""
    roster_synced_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """The last roster sync that succeeded: none again for half an hour after it."""
    roster_failed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """The last roster sync that could not fetch the class list (the teacher is told)."""

    __table_args__ = (
        UniqueConstraint("issuer", "context_id"),
        ForeignKeyConstraint(
            ["group_id", "school_id"],
            ["school_group.id", "school_group.school_id"],
            ondelete="RESTRICT",
        ),
    )


class AccessRequestKind(enum.StrEnum):
    IB = "ib"
    """The person asks to be put on the school's IB list."""


class AccessRequest(Base):
    """A request for wider access ("toegang aanvragen") that an IB of the school decides."""

    __tablename__ = "access_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="RESTRICT"))
    staff_id: Mapped[int]
    kind: Mapped[AccessRequestKind] = mapped_column(str_enum(AccessRequestKind, 20))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by_staff_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_member.id", ondelete="SET NULL")
    )
    approved: Mapped[bool | None]
    """None while open; True or False once an IB decided."""

    __table_args__ = (
        ForeignKeyConstraint(
            ["staff_id", "school_id"],
            ["staff_member.id", "staff_member.school_id"],
            ondelete="CASCADE",
        ),
        Index("ix_access_request_school_open", "school_id", "decided_at"),
    )
