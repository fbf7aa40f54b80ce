"""When a test period ends (after which untaken tests count as overdue)."""

from datetime import date

import pytest

from plugin.dashboard.services import period_end
from plugin.models import Moment, School

pytestmark = pytest.mark.no_db


@pytest.mark.parametrize(
    ("months", "moment", "end"),
    [((12, 2, 5, 7), Moment.M, date(2027, 2, 28)), ((12, 2, 5, 7), Moment.E, date(2027, 7, 31)),
     ((1, 2, 5, 6), Moment.M, date(2028, 2, 29)), ((9, 10, 5, 6), Moment.M, date(2027, 10, 31))],
)  # fmt: skip
def test_period_end_falls_in_the_right_calendar_year(months, moment, end):
    school = School(midden_start_month=months[0], midden_end_month=months[1],
                    eind_start_month=months[2], eind_end_month=months[3])  # fmt: skip
    year = end.year - (0 if end.month >= 8 else 1)
    assert period_end(school, year, moment) == end
