"""Derived measures shared by reports and scoring: level I–V, growth judgement,
functioneringsniveau. Pure functions on numbers; the tables they read are passed in."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from plugin.models import Level


@dataclass(frozen=True)
class Cuts:
    """Level cut points on the ability scale: I at or above p80, V below p20."""

    p20: float
    p40: float
    p60: float
    p80: float


def derive_level(score: float, cuts: Cuts) -> Level:
    if score >= cuts.p80:
        return Level.I
    if score >= cuts.p60:
        return Level.II
    if score >= cuts.p40:
        return Level.III
    if score >= cuts.p20:
        return Level.IV
    return Level.V


class GrowthJudgement(enum.StrEnum):
    ABOVE = "boven"
    AS_EXPECTED = "naar"
    BELOW = "onder"


def judge_growth(
    growth: float, typical_growth: float, growth_sd: float, band: float = 0.5
) -> GrowthJudgement:
    """Compare a pupil's growth with the typical growth of pupils who started at a similar
    score: within ``band`` standard deviations is *naar verwachting*."""
    spread = max(growth_sd, 1.0)
    z = (growth - typical_growth) / spread
    if z > band:
        return GrowthJudgement.ABOVE
    if z < -band:
        return GrowthJudgement.BELOW
    return GrowthJudgement.AS_EXPECTED


def functioning_level(score: float, moments: Sequence[tuple[str, float]]) -> str | None:
    """The moment (``M4``) whose mean is nearest below ``score``: "scoort als M4".

    ``moments`` is ordered from first to last moment, each with its national mean.
    """
    best = None
    for code, mean in moments:
        if score >= mean:
            best = code
    return best
