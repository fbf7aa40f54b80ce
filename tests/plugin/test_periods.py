from datetime import date

import pytest

from plugin.models import Moment, School
from plugin.periods import current_period, school_year_label, school_year_of, upcoming_period


@pytest.mark.parametrize(
    ("day", "year"), [(date(2026, 7, 31), 2025), (date(2026, 8, 1), 2026), (date(2027, 2, 1), 2026)]
)
def test_school_year_starts_in_august(day, year):
    assert school_year_of(day) == year


def test_school_year_label():
    assert school_year_label(2026) == "2026-2027"


def _school(**months):
    defaults = {
        "midden_start_month": 12,
        "midden_end_month": 2,
        "eind_start_month": 5,
        "eind_end_month": 7,
    }
    return School(name="x", **(defaults | months))


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 12, 1), Moment.M),
        (date(2027, 2, 28), Moment.M),
        (date(2027, 3, 1), None),
        (date(2027, 6, 15), Moment.E),
        (date(2026, 10, 1), None),
    ],
)
def test_current_period_wraps_over_new_year(day, expected):
    assert current_period(_school(), day) == expected


def test_between_periods_the_next_one_is_upcoming():
    assert upcoming_period(_school(), date(2026, 11, 23)) == Moment.M
    assert upcoming_period(_school(), date(2027, 3, 20)) == Moment.E
    assert upcoming_period(_school(eind_start_month=4), date(2027, 3, 20)) == Moment.E
