"""Charts: pure functions, data in, SVG string out (pygal). No request, no database.

Every function takes plain numbers and Dutch-ready labels (already translated by the caller)
and returns an ``<svg>`` element without XML declaration and without pygal's external
JavaScript (the pages allow only the tool's own scripts), to be embedded in a ``<figure>``
beside a table with the same numbers. :func:`cached` keys the result on a hash of the data.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections.abc import Callable, Sequence

import pygal
from pygal.style import Style

# pygal puts a legacy import hook for its optional map plugins (pygal.maps.*) on sys.meta_path;
# it lacks find_spec, so Python warns on every later import. We draw no maps: take it out.
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]

STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#1d2733",
    foreground_strong="#1d2733",
    foreground_subtle="#8a96a3",
    opacity="1",
    opacity_hover="1",
    colors=("#00529b", "#5b8fc7", "#9dbbe0", "#e0a04a", "#b00020", "#1e7b34", "#6b4aa0"),
    font_family="system-ui, Arial, sans-serif",
    title_font_size=18,
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=13,
    value_font_size=12,
)

LEVEL_COLORS = ("#1e7b34", "#7fb069", "#c9c9c9", "#e0a04a", "#b00020")
BAND_COLOR = "#dce8f5"

BASE = {
    "js": [],
    "disable_xml_declaration": True,
    "style": STYLE,
    "width": 760,
    "height": 380,
    "legend_at_bottom": True,
    "print_values": False,
    "show_y_guides": True,
    "truncate_label": -1,
    "truncate_legend": -1,
}


SCRIPT = re.compile(r"<script\b.*?</script>", re.S)


def _svg(chart) -> str:
    """Render without pygal's inline config script: the CSP would block it anyway."""
    return SCRIPT.sub("", chart.render(is_unicode=True))


def level_distribution(title: str, levels: Sequence[str], counts: Sequence[int]) -> str:
    """Bars: number of pupils per level I–V, coloured from top (green) to bottom (red)."""
    style = Style(**{**STYLE.__dict__, "colors": LEVEL_COLORS})
    chart = pygal.Bar(**{**BASE, "style": style, "print_values": True}, title=title)
    chart.x_labels = list(levels)
    for index, (level, count) in enumerate(zip(levels, counts, strict=True)):
        values = [None] * len(levels)
        values[index] = count
        chart.add(level, values)
    chart.show_legend = False
    return _svg(chart)


def level_shares(title: str, groups: Sequence[str], shares: dict[str, list[float]]) -> str:
    """Stacked bars per group: the share of its pupils at each level I–V (percent)."""
    style = Style(**{**STYLE.__dict__, "colors": LEVEL_COLORS})
    chart = pygal.StackedBar(
        **{**BASE, "style": style, "range": (0, 100)},
        title=title, value_formatter=lambda v: f"{v:.0f} %",
    )  # fmt: skip
    chart.x_labels = list(groups)
    for level, values in shares.items():
        chart.add(level, values)
    return _svg(chart)


def progress(
    title: str,
    labels: Sequence[str],
    scores: Sequence[float | None],
    band: Sequence[tuple[float, float] | None],
    means: Sequence[float | None],
    legend: tuple[str, str, str, str],
) -> str:
    """A pupil's ability score over the moments against the national reference.

    ``band`` holds (p20, p80) per moment: the p80 line is filled light blue down to the
    axis, and the p20 line is filled white on top of it, which leaves the band between them.
    ``legend`` names: pupil, national mean, the band (p80 series) and the white p20 series
    (give it an empty name: it only masks the area under the band).
    """
    present = [v for pair in band if pair for v in pair] + [s for s in scores if s is not None]
    low = min(present) - 10 if present else 0
    chart = pygal.Line(**BASE, title=title, range=(low, max(present) + 10) if present else None)
    chart.x_labels = list(labels)
    chart.zero = low
    pupil, mean, high_label, low_label = legend
    chart.add(
        high_label, [p[1] if p else None for p in band], fill=True, show_dots=False,
        stroke_style={"width": 1},
    )  # fmt: skip
    chart.add(
        low_label, [p[0] if p else None for p in band], fill=True, show_dots=False,
        stroke_style={"width": 1},
    )  # fmt: skip
    chart.add(mean, list(means), show_dots=False, stroke_style={"width": "2px", "dasharray": "6,4"})
    chart.add(pupil, list(scores), stroke_style={"width": "4px"}, dots_size=5)
    colors = (BAND_COLOR, "#ffffff", "#5b6673", "#00529b")
    chart.style = Style(**{**STYLE.__dict__, "colors": colors})
    return _svg(chart)


def lines(title: str, labels: Sequence[str], series: Sequence[tuple[str, list]]) -> str:
    """Several lines over the same x labels (trend over school years)."""
    chart = pygal.Line(**BASE, title=title)
    chart.x_labels = list(labels)
    for name, values in series:
        chart.add(name, values)
    return _svg(chart)


def bars(
    title: str, labels: Sequence[str], series: Sequence[tuple[str, list]], percent: bool = False
) -> str:
    """Grouped bars (shares against goals, domain shares)."""
    options = {**BASE, "title": title}
    values = [v for _name, vs in series for v in vs if v is not None]
    if percent:
        options |= {"range": (0, 100), "value_formatter": lambda v: f"{v:.0f} %"}
    elif values:
        # Ability scores sit far from zero: start the axis near the data, or every bar looks equal.
        low = max(0.0, (min(values) - 15) // 10 * 10)
        options |= {"range": (low, max(values) + 5), "zero": low, "print_values": True}
    chart = pygal.Bar(**options)
    chart.x_labels = list(labels)
    for name, values in series:
        chart.add(name, values)
    return _svg(chart)


def cached(cache, draw: Callable[..., str], **data) -> str:
    """Draw once per distinct data: the key is a hash of the function and everything drawn."""
    payload = json.dumps([draw.__name__, data], sort_keys=True, default=str)
    key = "chart:" + hashlib.sha256(payload.encode()).hexdigest()
    svg = cache.get(key)
    if svg is None:
        svg = draw(**data)
        cache.set(key, svg)
    return svg
