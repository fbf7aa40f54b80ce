"""Charts are pure functions (data in, SVG out) and are drawn once per distinct data."""

from __future__ import annotations

import pytest

from reports import charts

pytestmark = pytest.mark.no_db


def test_level_distribution_is_an_embeddable_svg_without_scripts():
    svg = charts.level_distribution("Leerlingen per niveau", ["I", "II", "III", "IV", "V"],
                                    [1, 0, 1, 1, 1])  # fmt: skip
    assert svg.startswith("<svg")
    assert "<?xml" not in svg
    assert "<script" not in svg  # the pages allow only the tool's own scripts
    assert "Leerlingen per niveau" in svg


def test_progress_draws_the_band_the_mean_and_the_pupil():
    svg = charts.progress(
        "Rekenen", ["M5 2025-2026", "E5 2025-2026"], [150.0, 162.0],
        [(130.0, 150.0), (140.0, 160.0)], [140.0, 150.0],
        ("Vaardigheidsscore", "Landelijk gemiddelde", "Landelijke band", ""),
    )  # fmt: skip
    for label in ("Vaardigheidsscore", "Landelijk gemiddelde", "Landelijke band", "M5 2025-2026"):
        assert label in svg
    assert charts.BAND_COLOR in svg


def test_progress_copes_with_a_moment_without_reference():
    svg = charts.progress("Lezen", ["M3"], [101.0], [None], [None], ("a", "b", "c", "d"))
    assert svg.startswith("<svg")


class CountingCache(dict):
    def get(self, key):
        return super().get(key)

    def set(self, key, value):
        self[key] = value


def test_charts_are_cached_by_the_data_they_draw():
    cache, calls = CountingCache(), []

    def draw(title: str, values: list) -> str:
        calls.append(title)
        return f"<svg>{title}{values}</svg>"

    first = charts.cached(cache, draw, title="A", values=[1, 2])
    again = charts.cached(cache, draw, title="A", values=[1, 2])
    other = charts.cached(cache, draw, title="A", values=[1, 3])
    assert first == again
    assert other != first
    assert calls == ["A", "A"]  # drawn for the first data and for the changed data only
    assert len(cache) == 2
