"""Levels I–V and the functioneringsniveau: the one home of the level rule.

:data:`LEVEL_RULE` is the rule, once: a score at or above a cut point reaches that level (I at
or above p80 … IV at or above p20), else V. :func:`derive_level` applies it in Python (scoring,
the demo), :func:`level_sql` writes the same rule as a SQL expression (report aggregations).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import case

from plugin.models import Level


@dataclass(frozen=True)
class Cuts:
    """Level cut points on the ability scale: I at or above p80, V below p20."""

    p20: float
    p40: float
    p60: float
    p80: float


LEVEL_RULE: tuple[tuple[Level, str], ...] = (
    (Level.I, "p80"),
    (Level.II, "p60"),
    (Level.III, "p40"),
    (Level.IV, "p20"),
)
"""Each level with the cut point a score must reach, from the top; below them all: V."""
LOWEST = Level.V


def derive_level(score: float, cuts: Cuts) -> Level:
    for level, cut in LEVEL_RULE:
        if score >= getattr(cuts, cut):
            return level
    return LOWEST


def level_sql(score, reference):
    """:data:`LEVEL_RULE` as a SQL expression on ``score`` and the cut columns of
    ``reference`` (a national reference row); NULL without a reference."""
    return case(
        (getattr(reference, LEVEL_RULE[0][1]).is_(None), None),
        *[(score >= getattr(reference, cut), level.value) for level, cut in LEVEL_RULE],
        else_=LOWEST.value,
    )


def functioning_level(score: float, moments: Sequence[tuple[str, float]]) -> str | None:
    """The moment (``M4``) whose mean is nearest below ``score``: "scoort als M4".

    ``moments`` is ordered from first to last moment, each with its national mean.
    """
    best = None
    for code, mean in moments:
        if score >= mean:
            best = code
    return best
