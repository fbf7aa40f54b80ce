"""School years and test periods.

A school year runs from 1 August; ``2025`` stands for 2025-2026. The midden and eind periods
come from the school's own calendar (months, inclusive, possibly wrapping over New Year).
"""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from plugin.models import Moment, School

SCHOOL_YEAR_START_MONTH = 8


def school_year_of(day: date) -> int:
    return day.year if day.month >= SCHOOL_YEAR_START_MONTH else day.year - 1


def school_year_label(school_year: int) -> str:
    return f"{school_year}-{school_year + 1}"


_MOMENT_WORDS = {Moment.B: _l("beginning"), Moment.M: _l("middle"), Moment.E: _l("end")}


def moment_word(moment: Moment | str) -> str:
    """A test moment as a reader says it: "begin", "midden" or "eind" (of the school year).
    An unknown code is returned as it is."""
    try:
        return str(_MOMENT_WORDS[Moment(moment)])
    except ValueError:
        return str(moment)


def _in_months(month: int, start: int, end: int) -> bool:
    if start <= end:
        return start <= month <= end
    return month >= start or month <= end


def current_period(school: School, day: date) -> Moment | None:
    """The test period ``day`` falls in for ``school``, or None between periods."""
    if _in_months(day.month, school.midden_start_month, school.midden_end_month):
        return Moment.M
    if _in_months(day.month, school.eind_start_month, school.eind_end_month):
        return Moment.E
    return None


def upcoming_period(school: School, day: date) -> Moment:
    """The period now running, else the next one (so the dashboard always has a focus)."""
    current = current_period(school, day)
    if current is not None:
        return current
    month = day.month
    for _ in range(12):
        month = month % 12 + 1
        if month == school.midden_start_month:
            return Moment.M
        if month == school.eind_start_month:
            return Moment.E
    return Moment.M
