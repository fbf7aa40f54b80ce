"""The growth model in numbers (see plugin/growth.py for the rule)."""

from __future__ import annotations

import pytest

from plugin import growth
from plugin.growth import GrowthJudgement

pytestmark = pytest.mark.no_db

M5, E5 = growth.Norm(140, 10), growth.Norm(150, 10, 4)


@pytest.mark.parametrize(
    ("start", "expected"),
    [(140, 10.0), (150, 9.0), (130, 11.0), (145, 9.5)],  # z 0, 1, -1, 0.5
)
def test_expected_growth_depends_on_the_starting_score(start, expected):
    assert growth.expected_growth(start, M5, E5) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("start", "end", "judgement"),
    [(140, 150, GrowthJudgement.AS_EXPECTED), (150, 162, GrowthJudgement.ABOVE),
     (130, 131, GrowthJudgement.BELOW), (140, 148.1, GrowthJudgement.AS_EXPECTED),
     (140, 147.9, GrowthJudgement.BELOW)],
)  # fmt: skip
def test_judgement_uses_half_a_growth_sd(start, end, judgement):
    assert growth.judge(start, end, M5, E5) is judgement


def test_growth_sd_falls_back_to_a_quarter_of_the_spread():
    assert growth.growth_sd(M5, growth.Norm(150, 12)) == 3.0


@pytest.mark.parametrize(
    ("value", "expected", "stalled"),
    [(None, 10, False), (0.0, 10, True), (-2, None, True), (4.9, 10, True), (5.0, 10, False),
     (3.0, None, False)],
)  # fmt: skip
def test_stalled_means_no_growth_or_less_than_half_the_expected(value, expected, stalled):
    assert growth.is_stalled(value, expected) is stalled


def test_median_of_even_and_odd_lists_and_of_nothing():
    assert growth.median([131, 162, 144, 150]) == 147
    assert growth.median([1, None, 3, 2]) == 2
    assert growth.median([]) is None
