"""The growth model, in plain numbers (pure functions, no database).

A pupil's growth between two tests is judged against the growth of pupils who *started at a
similar score*, not against the national average growth. With national means ``m`` and
standard deviations ``s`` of both tests, a pupil who started ``z = (prev - m_prev) / s_prev``
standard deviations from the mean is expected to end at ``m_cur + STABILITY * z * s_cur``:
pupils far from the mean are expected to drift back a little (regression to the mean).
The expected growth is that end score minus the start score; :func:`plugin.levels.judge_growth`
compares the real growth with it, within half a growth standard deviation being
*naar verwachting*.

``STABILITY`` (0.9) is an assumption of this open model, documented here and in the report
pages; a publisher's real growth norms can replace it.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass

from plugin.levels import GrowthJudgement, judge_growth

STABILITY = 0.9
"""How strongly a pupil's position against the mean carries over to the next test."""

STALLED_SHARE = 0.5
"""Growth stalls below this share of the expected growth (and always at zero or less)."""


@dataclass(frozen=True)
class Norm:
    """The national reference of one test: mean, spread and growth spread."""

    mean: float
    sd: float
    growth_sd: float | None = None


def expected_growth(prev_score: float, prev: Norm, cur: Norm) -> float:
    z = (prev_score - prev.mean) / prev.sd if prev.sd else 0.0
    return cur.mean + STABILITY * z * cur.sd - prev_score


def growth_sd(prev: Norm, cur: Norm) -> float:
    """The spread of growth: the reference's own value, else a quarter of the test's SD."""
    if cur.growth_sd:
        return cur.growth_sd
    return max(cur.sd / 4, 1.0)


def judge(prev_score: float, score: float, prev: Norm, cur: Norm) -> GrowthJudgement:
    growth = score - prev_score
    return judge_growth(growth, expected_growth(prev_score, prev, cur), growth_sd(prev, cur))


def is_stalled(growth: float | None, expected: float | None) -> bool:
    """Flag a pupil whose growth stalls: no growth at all, or less than half of what pupils
    who started at the same score grow. Milder shortfalls show as *onder verwachting* only."""
    if growth is None:
        return False
    if growth <= 0:
        return True
    return expected is not None and expected > 0 and growth < STALLED_SHARE * expected


def median(values: Iterable[float | None]) -> float | None:
    """Median in Python: SQLite has no percentile function, so the aggregation stops at an
    already narrowed list (one group, one moment) and the middle is taken here."""
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None
