"""National reference values, reference-level cut scores, signaling values and school goals.

All reference numbers are publisher content. The demo generator fills these tables with
synthetic values on an invented DEMO scale; real Cito norms are proprietary and never shipped.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from plugin.db import Base, str_enum
from plugin.models.testing import Moment


class ReferenceIndicator(enum.StrEnum):
    F1 = "1F"
    F2_S1 = "2F/1S"


class GoalIndicator(enum.StrEnum):
    SHARE_1F = "1F"
    SHARE_2F_1S = "2F/1S"
    MEDIAN_GROWTH = "median_growth"


class GoalSource(enum.StrEnum):
    SIGNALERINGSWAARDE = "signaleringswaarde"
    LANDELIJK = "landelijk"
    AMBITIE = "ambitie"


class NationalReference(Base):
    """Per subject and moment: the level cut points and the typical growth since the previous
    moment. Levels: I above p80, II p60–p80, III p40–p60, IV p20–p40, V below p20."""

    __tablename__ = "national_reference"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id", ondelete="CASCADE"))
    moment: Mapped[Moment] = mapped_column(str_enum(Moment, 1))
    level: Mapped[int] = mapped_column(SmallInteger)
    mean: Mapped[float] = mapped_column(Float)
    sd: Mapped[float] = mapped_column(Float)
    p20: Mapped[float] = mapped_column(Float)
    p40: Mapped[float] = mapped_column(Float)
    p60: Mapped[float] = mapped_column(Float)
    p80: Mapped[float] = mapped_column(Float)
    typical_growth: Mapped[float | None] = mapped_column(Float)
    """Mean growth from the previous moment for pupils of average score; None for the first."""
    growth_sd: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(100), default="synthetic")

    __table_args__ = (
        UniqueConstraint("subject_id", "moment", "level"),
        CheckConstraint("p20 <= p40 AND p40 <= p60 AND p60 <= p80", name="ordered_cuts"),
    )


class ReferenceLevelCut(Base):
    """Minimum ability score at the end of primary school for a reference level (1F, 2F/1S)."""

    __tablename__ = "reference_level_cut"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id", ondelete="CASCADE"))
    indicator: Mapped[ReferenceIndicator] = mapped_column(str_enum(ReferenceIndicator, 10))
    min_score: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(100), default="synthetic")

    __table_args__ = (UniqueConstraint("subject_id", "indicator"),)


class SignalingValue(Base):
    """The Inspectorate's minimum share of pupils at a reference level, per schoolweging band.

    Kept as data, since the published table changes. Rows without a school are the
    installation's table (loaded by the operator); when an IB corrects a value, the school gets
    its own row for that band, which wins for that school only. One school's IB can thus never
    change what another school sees.
    """

    __tablename__ = "signaling_value"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"))
    indicator: Mapped[ReferenceIndicator] = mapped_column(str_enum(ReferenceIndicator, 10))
    weging_from: Mapped[float] = mapped_column(Float, default=0)
    weging_to: Mapped[float] = mapped_column(Float, default=100)
    percentage: Mapped[float] = mapped_column(Float)
    national_average: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(200), default="")

    __table_args__ = (
        CheckConstraint("percentage BETWEEN 0 AND 100", name="percentage_range"),
        CheckConstraint("weging_from <= weging_to", name="weging_range"),
        Index("ix_signaling_value_school", "school_id"),
    )


class SchoolGoal(Base):
    """A school's own goal. Changing a goal closes the old row (``superseded_at``) and adds a
    new one, so the history stays readable."""

    __tablename__ = "school_goal"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"))
    school_year: Mapped[int]
    domain: Mapped[str] = mapped_column(String(20))
    """lezen, taalverzorging or rekenen."""
    indicator: Mapped[GoalIndicator] = mapped_column(str_enum(GoalIndicator, 20))
    target: Mapped[float] = mapped_column(Float)
    source: Mapped[GoalSource] = mapped_column(str_enum(GoalSource, 20), default=GoalSource.AMBITIE)
    set_by_staff_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_member.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    superseded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint("domain IN ('lezen', 'taalverzorging', 'rekenen')", name="domain_known"),
        Index("ix_school_goal_current", "school_id", "school_year", "superseded_at"),
    )
