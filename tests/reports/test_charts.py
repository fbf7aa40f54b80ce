"""Charts are pure functions (data in, SVG out) and are drawn once per distinct data."""

from __future__ import annotations

import re

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


def test_a_new_version_of_the_drawing_code_draws_again(monkeypatch):
    """Charts stay an hour in Redis: after an upgrade that changes their look, none is shown
    as the old code drew it."""
    cache, calls = CountingCache(), []

    def draw(title: str) -> str:
        calls.append(title)
        return f"<svg>{title}</svg>"

    charts.cached(cache, draw, title="A")
    monkeypatch.setattr(charts, "DRAWING", "the next version")
    charts.cached(cache, draw, title="A")
    assert calls == ["A", "A"]


# --- read at a glance ------------------------------------------------------------------------


def contrast(color: str, background: str = "#ffffff") -> float:
    def luminance(hex_color: str) -> float:
        r, g, b = (int(hex_color[i : i + 2], 16) / 255 for i in (1, 3, 5))
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    high, low = sorted((luminance(color), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_values_and_tooltips_are_in_dutch():
    svg = charts.bars("Mediaan", ["Vorige toets", "Deze toets"], [("Score", [122.9, 1204.5])])
    assert "122,9" in svg
    assert "1.204,5" in svg
    assert "122.9" not in svg
    shares = charts.bars("Doelen", ["lezen 2F"], [("School", [57.5]), ("Doel", [85.0])],
                         percent=True)  # fmt: skip
    assert "57,5 %" in shares
    assert "85 %" in shares


def test_english_readers_get_english_numbers():
    svg = charts.bars("Median", ["This test"], [("Score", [122.9])], locale="en")
    assert "122.9" in svg


def test_a_bar_chart_of_scores_starts_at_zero():
    """Bars starting at 100 make 122 look like half of 134."""
    svg = charts.bars("Mediaan", ["a", "b", "c"], [("Score", [122.0, 134.0, 125.0])])
    labels = [float(t.replace(".", "").replace(",", ".")) for t in
              re.findall(r'<text[^>]*class="[^"]*"[^>]*>([\d.,]+)</text>', svg)]  # fmt: skip
    assert min(labels) == 0


def test_level_bars_sit_on_their_own_label_with_readable_counts():
    svg = charts.level_distribution("Niveaus", ["I", "II", "III", "IV", "V"], [6, 6, 2, 7, 1])
    assert "serie-1 " not in svg  # one series: every bar centred on its own level
    for color in charts.LEVEL_COLORS:
        assert color in svg
    assert 'class="value' in svg  # counts printed above the bars, in the text colour
    assert contrast(charts.INK) >= 4.5


def test_every_chart_colour_stands_out_from_the_white_background():
    for color in (*charts.SERIES_COLORS, *charts.LEVEL_COLORS):
        assert contrast(color) >= 3.0, color  # WCAG 1.4.11 for graphical objects


def test_long_x_labels_are_rotated_instead_of_overlapping():
    labels = ["lezen 1F", "lezen 2F", "taalverzorging 1F", "taalverzorging 2F",
              "rekenen 1F", "rekenen 1S"]  # fmt: skip
    svg = charts.bars("Referentieniveaus", labels, [("School", [97, 67, 97, 58, 95, 57])],
                      percent=True)  # fmt: skip
    assert "rotate(30" in svg or "rotate(45" in svg
    short = charts.bars("Mediaan", ["a", "b"], [("x", [1, 2])])
    assert "rotate(" not in short


def test_trend_lines_differ_by_dashes_and_carry_their_name_at_the_end():
    series = [(f"Groep {n}", [1.0, 2.0, None]) for n in range(3, 8)]
    svg = charts.lines("Trend", ["23/24", "24/25", "25/26"], series)
    dashes = set(re.findall(r"stroke-dasharray:\s*([\d,]+)", svg))
    assert len(dashes) >= 4  # with the solid line: five different lines
    for n in range(3, 8):
        assert re.search(rf'class="label[^"]*"[^>]*>Groep {n}</text>', svg)


def test_the_parents_chart_has_no_numbers():
    svg = charts.growth("Rekenen", ["M5 25/26", "E5 25/26"], [150.0, 162.0], [148.0, 158.0],
                        ("Anna", "Landelijk gemiddelde"))  # fmt: skip
    assert "Anna" in svg
    # Only in coordinates, never in what a reader sees. The style sheet is left out: it names
    # the chart by a random id that may well contain "162".
    visible = re.findall(r">([^<]+)<", re.sub(r"<style.*?</style>", "", svg, flags=re.S))
    assert "Anna" in visible
    assert not [text for text in visible if re.search(r"\b1[456]\d\b", text)]  # no score at all


def test_a_narrow_progress_chart_is_drawn_on_a_phone_sized_canvas_with_the_same_data():
    args = ("Rekenen", ["M5 25/26", "E5 25/26", "M6 26/27"], [150.0, 162.0, 170.5],
            [(140.0, 160.0), (148.0, 168.0), None], [150.0, 158.0, None],
            ("Anna", "Landelijk gemiddelde", "Band", ""))  # fmt: skip
    wide, narrow = charts.progress(*args), charts.progress(*args, narrow=True)
    assert 'viewBox="0 0 760 380"' in wide
    assert 'viewBox="0 0 400 350"' in narrow
    for svg in (wide, narrow):
        assert "170,5" in svg
        assert "Anna" in svg
        assert "<script" not in svg


@pytest.mark.parametrize(
    ("draw", "data"),
    [
        (charts.level_distribution, {"title": "Niveaus", "levels": ["I", "II", "III", "IV", "V"],
                                     "counts": [3, 5, 8, 4, 2]}),
        (charts.level_shares, {"title": "Niveaus", "groups": ["Groep 5", "Groep 6"],
                               "shares": {"I": [20.0, 30.0], "II": [80.0, 70.0]}}),
        (charts.bars, {"title": "Aandeel", "labels": ["lezen 1F", "lezen 2F"],
                       "series": [("School", [95.0, 65.0]), ("Doel", [90.0, 60.0])],
                       "percent": True}),
        (charts.lines, {"title": "Trend", "labels": ["24/25", "25/26"],
                        "series": [("Groep 5", [1.5, -2.0])]}),
        (charts.growth, {"title": "Rekenen", "labels": ["M5", "E5"], "scores": [150.0, 162.0],
                         "means": [148.0, 158.0], "legend": ("Anna", "Landelijk")}),
    ],
)  # fmt: skip
def test_every_chart_is_drawn_for_a_phone_as_well(draw, data):
    drawn = charts.cached_pair(CountingCache(), draw, **data)
    assert 'viewBox="0 0 400 350"' in drawn.narrow
    assert 'viewBox="0 0 400 350"' not in drawn.wide
    assert data["title"] in drawn.narrow


def test_a_phones_chart_grows_taller_for_rotated_labels_instead_of_squeezing_its_plot():
    labels = ["lezen 1F", "lezen 2F", "taalverzorging 1F", "taalverzorging 2F", "rekenen 1S"]
    series = [("School", [95.0, 65.0, 97.0, 68.0, 58.0]), ("Doel", [90.0, 60.0, 95.0, 60.0, 50.0])]
    narrow = charts.bars("Aandeel", labels, series, percent=True, narrow=True)
    assert "rotate(" in narrow
    height = int(re.search(r'viewBox="0 0 400 (\d+)"', narrow).group(1))
    assert height > 350
    plot = re.search(
        r'<rect x="0" y="0" width="[\d.]+" height="([\d.]+)" class="background"', narrow
    )
    # The bars' own area, not what the rotated labels leave of it (168 without growing).
    assert float(plot.group(1)) > 200
