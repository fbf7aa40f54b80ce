"""A school with a long history: the school report reads the chosen school year and a fixed
window before it, never the whole history; growth still reaches back to a pupil's previous test."""

from __future__ import annotations

import re

from plugin.models import Moment
from tests.factories import (
    GroupFactory,
    PupilFactory,
    ToetsFactory,
    administer,
    enrol,
    record_result,
)


def _history(world, first: int, last: int):
    """Groep 5 took the E5 test every school year from ``first`` to ``last`` (one pupil each)."""
    e5 = world.e5.test
    for year in range(first, last + 1):
        group = GroupFactory(school=world.school, name=f"Groep 5 ({year})", school_year=year,
                             leerjaar=5)  # fmt: skip
        pupil = PupilFactory(school=world.school)
        enrol(pupil, group)
        record_result(pupil, administer(group, e5), 140 + year - first)


def test_trend_shows_the_chosen_year_and_the_four_before(client, world, as_ib):
    _history(world, 2012, 2024)
    page = client.get("/rapportages/school?jaar=2025&moment=E").get_data(as_text=True)
    trend = re.search(r'data-trend="rekenen-toets">(.*?)</table>', page, re.S).group(1)
    years = re.findall(r"(\d{4})-\d{4}</th>", trend)
    assert years == ["2021", "2022", "2023", "2024", "2025"]
    # An older moment shows the five years up to that one.
    page = client.get("/rapportages/school?jaar=2015&moment=E").get_data(as_text=True)
    trend = re.search(r'data-trend="rekenen-toets">(.*?)</table>', page, re.S).group(1)
    assert re.findall(r"(\d{4})-\d{4}</th>", trend) == ["2012", "2013", "2014", "2015"]


def test_moments_list_only_administrations_with_results(client, world, as_ib):
    group = GroupFactory(school=world.school, name="Groep 6", school_year=2026, leerjaar=6)
    administer(group, ToetsFactory(subject=world.subject, moment=Moment.M, level=6))
    page = client.get("/rapportages/school").get_data(as_text=True)
    assert "2026-2027" not in page  # scoring started, no result yet
    assert 'aria-current="page">E 2025-2026' in page


def test_growth_reaches_back_past_a_missing_school_year(client, world, as_ib):
    """Eva has no result in 2024; her 2025 growth is measured from her 2023 test."""
    e5 = world.e5.test
    old = GroupFactory(school=world.school, name="Groep 3 (2023)", school_year=2023, leerjaar=3)
    eva = world.pupils["Eva"]
    enrol(eva, old)
    record_result(eva, administer(old, e5), 120)
    rows = client.get("/rapportages/school/export.csv?jaar=2025&moment=M").get_data(as_text=True)
    line = next(r for r in rows.splitlines() if r.startswith("Groep 5;"))
    # M5 2025 growth: Anna, Bas, Cor, Dirk have no earlier test; Eva 120 → 138 = 18,0.
    assert line.endswith(";18,0")
