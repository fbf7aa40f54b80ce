"""What stays of removed pupils' results: anonymous counts per group, test and level.

When the retention period of a pupil ends (``flask privacy purge``), the pupil and their results
go; the school report's totals for past years must not change. So before the results are
deleted they are added to :class:`ResultAggregate`: per group, test, school year, leerjaar and
level, how many results there were, the sum of their ability scores, and how many reached each
reference level. No pupil id, no name, no single score: only counts and sums, which the school
report adds to what it counts from the results that remain.
"""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Index, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from plugin.db import Base


class ResultAggregate(Base):
    __tablename__ = "result_aggregate"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(ForeignKey("school_group.id", ondelete="CASCADE"))
    """The group of the administration (*afname*) the results were part of."""
    test_id: Mapped[int] = mapped_column(ForeignKey("test.id", ondelete="RESTRICT"))
    school_year: Mapped[int]
    leerjaar: Mapped[int] = mapped_column(SmallInteger)
    level: Mapped[str] = mapped_column(String(3), default="")
    """The level (I–V) as the school report counts it; "" when none could be derived."""
    count: Mapped[int] = mapped_column(default=0)
    score_sum: Mapped[float] = mapped_column(Float, default=0.0)
    reached_1f: Mapped[int] = mapped_column(default=0)
    """How many of them scored at or above the subject's 1F cut."""
    reached_2f_1s: Mapped[int] = mapped_column(default=0)
    """How many of them scored at or above the subject's 2F/1S cut."""

    __table_args__ = (
        UniqueConstraint("group_id", "test_id", "school_year", "leerjaar", "level"),
        Index("ix_result_aggregate_school_year", "school_id", "school_year"),
    )
