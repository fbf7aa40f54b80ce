"""Subjects, tests, administrations (*afnames*) and results."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from plugin.db import Base, str_enum
from plugin.models.school import Group


class Moment(enum.StrEnum):
    """Test moment: midden (Jan–Feb), eind (May–Jun) and begin groep 8."""

    M = "M"
    E = "E"
    B = "B"


class TestMode(enum.StrEnum):
    PAPER = "paper"
    DIGITAL = "digital"


class Level(enum.StrEnum):
    """Band against the national reference: I is the top 20 %, V the lowest 20 %."""

    I = "I"  # noqa: E741 - the domain's own name for the top band
    II = "II"
    III = "III"
    IV = "IV"
    V = "V"


def moment_code(moment: Moment | str, leerjaar: int) -> str:
    """``M5``, ``E5``, ``B8``: how schools name a test level."""
    return f"{Moment(moment).value}{leerjaar}"


class Subject(Base):
    """A *vakgebied*, e.g. Rekenen-Wiskunde; its ability scale is continuous across years."""

    __tablename__ = "subject"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    reference_domain: Mapped[str | None] = mapped_column(String(20))
    """Reference-level domain this subject counts for: lezen, taalverzorging or rekenen."""
    position: Mapped[int] = mapped_column(SmallInteger, default=0)


class Test(Base):
    """One test of a subject at a moment and level (``M5``), on paper or digital."""

    __tablename__ = "test"
    __test__ = False  # not a pytest class, despite the name

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id", ondelete="RESTRICT"))
    moment: Mapped[Moment] = mapped_column(str_enum(Moment, 1))
    level: Mapped[int] = mapped_column(SmallInteger)
    mode: Mapped[TestMode] = mapped_column(str_enum(TestMode, 10), default=TestMode.PAPER)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    item_count: Mapped[int | None] = mapped_column(SmallInteger)

    subject: Mapped[Subject] = relationship()

    __table_args__ = (
        UniqueConstraint("subject_id", "moment", "level", "mode"),
        CheckConstraint("level BETWEEN 3 AND 8", name="level_range"),
    )

    @property
    def moment_code(self) -> str:
        return moment_code(self.moment, self.level)


class Administration(Base):
    """An *afname*: a group took a test on a date (possibly only some of its pupils)."""

    __tablename__ = "administration"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("school_group.id", ondelete="RESTRICT"))
    test_id: Mapped[int] = mapped_column(ForeignKey("test.id", ondelete="RESTRICT"))
    school_year: Mapped[int]
    taken_on: Mapped[date] = mapped_column(Date)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """Set when scoring is finished (*afgerond*); digital and imported afnames arrive finished."""

    group: Mapped[Group] = relationship()
    test: Mapped[Test] = relationship()

    __table_args__ = (
        UniqueConstraint("group_id", "test_id", "school_year"),
        Index("ix_administration_year", "school_year", "test_id"),
        Index("ix_administration_group_year", "group_id", "school_year"),
    )


class Result(Base):
    """One pupil's score on one test: raw score, ability score and the derived level."""

    __tablename__ = "result"

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupil.id", ondelete="RESTRICT"))
    test_id: Mapped[int] = mapped_column(ForeignKey("test.id", ondelete="RESTRICT"))
    administration_id: Mapped[int] = mapped_column(
        ForeignKey("administration.id", ondelete="RESTRICT")
    )
    school_year: Mapped[int]
    leerjaar: Mapped[int] = mapped_column(SmallInteger)
    """The pupil's own leerjaar when tested (a pupil may take a test of another level)."""
    raw_score: Mapped[int | None] = mapped_column(SmallInteger)
    ability_score: Mapped[float] = mapped_column(Float)
    level: Mapped[Level | None] = mapped_column(str_enum(Level, 3))
    deviating: Mapped[bool] = mapped_column(default=False)
    """*Afwijkende afname*: accommodations or disturbances that affect interpretation."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    test: Mapped[Test] = relationship()
    administration: Mapped[Administration] = relationship()

    __table_args__ = (
        UniqueConstraint("pupil_id", "test_id", "school_year"),
        CheckConstraint("raw_score IS NULL OR raw_score >= 0", name="raw_score_positive"),
        Index("ix_result_pupil_test", "pupil_id", "test_id"),
        Index("ix_result_administration", "administration_id"),
        Index("ix_result_test_year", "test_id", "school_year"),
    )


class TestItem(Base):
    """One item of a test: its correct answer and its domain tag (for category analysis)."""

    __tablename__ = "test_item"
    __test__ = False

    id: Mapped[int] = mapped_column(primary_key=True)
    test_id: Mapped[int] = mapped_column(ForeignKey("test.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(SmallInteger)
    correct_answer: Mapped[str] = mapped_column(String(200))
    domain: Mapped[str | None] = mapped_column(String(60))

    __table_args__ = (UniqueConstraint("test_id", "number"),)


class ItemResponse(Base):
    """A pupil's answer to one item in one administration (paper tests scored per item)."""

    __tablename__ = "item_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    administration_id: Mapped[int] = mapped_column(
        ForeignKey("administration.id", ondelete="CASCADE")
    )
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupil.id", ondelete="RESTRICT"))
    item_id: Mapped[int] = mapped_column(ForeignKey("test_item.id", ondelete="RESTRICT"))
    correct: Mapped[bool | None]
    given_answer: Mapped[str | None] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(default=1)
    """Optimistic lock: two teachers scoring at once never overwrite each other silently."""
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        UniqueConstraint("administration_id", "pupil_id", "item_id"),
        Index("ix_item_response_item", "item_id"),
        Index("ix_item_response_pupil", "pupil_id", "administration_id"),
    )


class ConversionRow(Base):
    """Conversion table: raw score (*aantal goed*) to ability score for one test."""

    __tablename__ = "conversion_row"

    test_id: Mapped[int] = mapped_column(
        ForeignKey("test.id", ondelete="CASCADE"), primary_key=True
    )
    raw_score: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    ability_score: Mapped[float] = mapped_column(Float)
