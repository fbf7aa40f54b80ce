"""Charts: pure functions, data in, SVG string out (pygal). No request, no database.

Every function takes plain numbers and Dutch-ready labels (already translated by the caller)
and returns an ``<svg>`` element without XML declaration and without pygal's external
JavaScript (the pages allow only the tool's own scripts), to be embedded in a ``<figure>``
beside or above a table with the same numbers. :func:`cached` keys the result on a hash of
the data, the locale and the drawing code (:data:`DRAWING`).

The look is decided here, once: one :data:`STYLE`; numbers in the reader's locale ("122,9",
"57,5 %") on axes, printed values and tooltips; bars start at zero (a bar's length is its
value, so an axis starting at 100 would make 122 look like half of 134); printed values sit
above their bar in the text colour (contrast 14:1 on white); colours have at least 3:1
contrast on white and are told apart by colour-blind readers; lines are also told apart by
dashes, marker size and a label at their end, which survives black-and-white printing.
"""

from __future__ import annotations

import hashlib
import html
import inspect
import json
import math
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

import pygal
from babel.numbers import format_decimal
from pygal.style import Style

# pygal puts a legacy import hook for its optional map plugins (pygal.maps.*) on sys.meta_path;
# it lacks find_spec, so Python warns on every later import. We draw no maps: take it out.
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]

INK = "#1d2733"
SERIES_COLORS = ("#00529b", "#b35c00", "#117733", "#aa4499", "#5b6673", "#332288", "#882255")
"""Blue, orange, green, purple, grey, indigo, wine: 4.5:1 or more on white, distinct in the
common colour-vision deficiencies (after Paul Tol's palettes)."""
LEVEL_COLORS = ("#00529b", "#4a80bd", "#767676", "#c46a1a", "#8f3b00")
"""Levels I–V from blue (top) through grey to brown (bottom): ordered, colour-blind safe."""
BAND_COLOR = "#dce8f5"
DASHES = ("", "8,4", "2,3", "10,3,2,3", "14,5")
"""Solid, dashed, dotted, dash-dot, long dash: lines stay apart in grey print."""

STYLE = Style(
    background="white",
    plot_background="white",
    foreground=INK,
    foreground_strong=INK,
    foreground_subtle="#767676",
    opacity="1",
    opacity_hover="1",
    colors=SERIES_COLORS,
    value_colors=(INK,) * 12,
    font_family="system-ui, Arial, sans-serif",
    title_font_size=18,
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=13,
    value_font_size=13,
    value_label_font_size=13,
    guide_stroke_color="#c5ccd3",
    major_guide_stroke_color="#c5ccd3",
)

LINE_STYLE = Style(**{**STYLE.__dict__, "stroke_width": "3", "stroke_opacity": "1"})
"""Lines 3 px wide at full strength (pygal's default is a faint 1 px)."""

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
NARROW = {
    "width": 400,
    "height": 350,
    "legend_at_bottom_columns": 1,
    "margin": 4,
    "margin_left": 14,  # the first x label is centred on the first point, left of the axis
    "margin_right": 30,
}
"""A chart for a phone's width (every draw function's ``narrow=True``): on a 390 px screen its
type is about 12 px high, as large as a wide chart's on a tablet; the wide one's would be 6."""
CHAR_WIDTH = 0.55
"""Average glyph width as a share of the font size, to tell whether x labels fit."""

DRAWING = hashlib.sha256(Path(__file__).read_bytes() + pygal.__version__.encode()).hexdigest()[:16]
"""How charts are drawn (this module and pygal's version), part of every cache key: after an
upgrade that changes the look, no page shows a chart drawn by the old code (Redis keeps charts
for an hour)."""

SCRIPT = re.compile(r"<script\b.*?</script>", re.S)


def _svg(chart) -> str:
    """Render without pygal's inline config script: the CSP would block it anyway."""
    return SCRIPT.sub("", chart.render(is_unicode=True))


def _style(**changes) -> Style:
    return Style(**{**STYLE.__dict__, **changes})


def number_format(locale: str, digits: int = 1) -> Callable[[float], str]:
    """``122,9`` in Dutch, ``122.9`` in English; None stays empty."""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return lambda v: "" if v is None else format_decimal(v, format=pattern, locale=locale)


def percent_format(locale: str) -> Callable[[float], str]:
    """``57,5 %`` and ``85 %``: a decimal only where the value has one."""
    return lambda v: "" if v is None else format_decimal(v, "#,##0.#", locale=locale) + " %"


def _layout(options: dict, labels: Sequence[str], narrow: bool) -> dict:
    """``options`` for the chart's screen: as given, or (``narrow``) on a phone's canvas. The x
    labels are rotated when the longest would not fit its slot (they must never overlap); a
    phone's chart then grows taller by what they take, so that its plot keeps its height."""
    options = options | NARROW if narrow else dict(options)
    if not labels:
        return options
    slot = (options.get("width", BASE["width"]) - 100) / len(labels)
    longest = max(len(str(label)) for label in labels) * CHAR_WIDTH * STYLE.label_font_size
    if longest > slot:
        rotation = 30 if longest < slot * 2 else 45
        options["x_label_rotation"] = rotation
        if narrow:
            drop = round(longest * math.sin(math.radians(rotation)))
            options["height"] = options.get("height", BASE["height"]) + drop
    return options


class _Bars(pygal.Bar):
    """Bars a little narrower than pygal's default: a bar per slot stays a bar, not a wall."""

    _series_margin = 0.18


def level_distribution(
    title: str,
    levels: Sequence[str],
    counts: Sequence[int],
    locale: str = "nl",
    narrow: bool = False,
) -> str:
    """One bar per level I–V, on its own label, coloured from top (blue) to bottom (brown),
    with the number of pupils above it."""
    options = _layout({
        **BASE, "width": 560, "height": 360, "title": title, "print_values": True,
        "print_values_position": "top", "show_legend": False, "range": (0, max([*counts, 1])),
        "value_formatter": number_format(locale, 0), "min_scale": 1, "max_scale": 8,
    }, levels, narrow)  # fmt: skip
    chart = _Bars(**options)
    chart.x_labels = list(levels)
    chart.add(
        title,
        [{"value": c, "color": LEVEL_COLORS[i % 5]} for i, c in enumerate(counts)],
    )
    return _svg(chart)


def level_shares(
    title: str,
    groups: Sequence[str],
    shares: dict[str, list[float]],
    locale: str = "nl",
    narrow: bool = False,
) -> str:
    """Stacked bars per group: the share of its pupils at each level I–V (percent)."""
    width = 560 if len(groups) <= 5 else BASE["width"]  # few groups: larger type
    options = _layout(
        {**BASE, "style": _style(colors=LEVEL_COLORS), "width": width}, groups, narrow
    )
    chart = pygal.StackedBar(
        **options, title=title, range=(0, 100), value_formatter=percent_format(locale)
    )
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
    locale: str = "nl",
    narrow: bool = False,
) -> str:
    """A pupil's ability score over the moments against the national reference.

    ``narrow`` draws it for a phone: a smaller canvas, so that the same type is about twice
    as large on a 390 px screen, with the legend in one column.

    ``band`` holds (p20, p80) per moment: the p80 line is filled light blue down to the
    axis, and the p20 line is filled white on top of it, which leaves the band between them.
    ``legend`` names: pupil, national mean, the band (p80 series) and the white p20 series
    (give it an empty name: it only masks the area under the band). A line chart shows
    change, not size, so its axis may start near the data.
    """
    present = [v for pair in band if pair for v in pair] + [s for s in scores if s is not None]
    low = min(present) - 10 if present else 0
    colors = (BAND_COLOR, "#ffffff", "#5b6673", "#00529b")
    chart = pygal.Line(
        **_layout({**BASE, "style": _style(colors=colors)}, labels, narrow), title=title,
        range=(low, max(present) + 10) if present else None,
        value_formatter=number_format(locale),
    )  # fmt: skip
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
    return _svg(chart)


def growth(
    title: str,
    labels: Sequence[str],
    scores: Sequence[float | None],
    means: Sequence[float | None],
    legend: tuple[str, str],
    locale: str = "nl",
    narrow: bool = False,
) -> str:
    """The parents' chart: the child's score over the moments, the national mean dashed. It
    shows the shape of the growth only: no numbers on the axis or in the points (the parents'
    report speaks in words; the teacher's report has the scores)."""
    style = _style(
        colors=("#00529b", "#5b6673"), stroke_width="3", stroke_opacity="1", title_font_size=22,
        label_font_size=17, major_label_font_size=17, legend_font_size=17,
    )  # fmt: skip
    options = _layout({**BASE, "width": 640, "height": 300, "style": style, "margin_left": 36,
                       "margin_right": 36}, labels, narrow)  # fmt: skip
    if narrow:  # no y labels: the first and last x labels (17 px) are centred on the end points
        options |= {"margin_left": 40, "margin_right": 44}
    chart = pygal.Line(
        **options,
        title=title,
        value_formatter=number_format(locale),
        show_y_labels=False,
    )
    chart.x_labels = list(labels)
    pupil, mean = legend
    chart.add(pupil, list(scores), stroke_style={"width": "4px"}, dots_size=5)
    chart.add(mean, list(means), show_dots=False, stroke_style={"width": "2px", "dasharray": "6,4"})
    return VALUE_DESC.sub("", _svg(chart))


VALUE_DESC = re.compile(r'<desc class="value">.*?</desc>', re.S)


def lines(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, list]],
    locale: str = "nl",
    narrow: bool = False,
) -> str:
    """Several lines over the same x labels (trend over school years), each with its own
    colour, dash pattern and marker size, and its name printed beside its last point (moved
    apart where two lines end close together)."""
    values = [v for _name, vs in series for v in vs if v is not None]
    options = _layout(BASE, labels, narrow)
    options |= {"margin_right": 90, "style": LINE_STYLE}  # room for the lines' names
    if values:
        options["y_labels"] = _ticks_between(min(values), max(values), locale)
    chart = pygal.Line(
        **options, title=title, print_labels=True, value_formatter=number_format(locale)
    )
    chart.x_labels = list(labels)
    for index, (name, values) in enumerate(series):
        last = max((i for i, v in enumerate(values) if v is not None), default=None)
        points = [{"value": v, "label": name} if i == last else v for i, v in enumerate(values)]
        chart.add(
            name, points, dots_size=3 + index % 3,
            stroke_style={"width": "3px", "dasharray": DASHES[index % len(DASHES)]},
        )  # fmt: skip
    colors = {name: SERIES_COLORS[i % len(SERIES_COLORS)] for i, (name, _v) in enumerate(series)}
    return _spread_end_labels(_svg(chart), colors)


END_LABEL = re.compile(r'<text x="([\d.]+)" y="([\d.-]+)" class="label">([^<]*)</text>')


def _spread_end_labels(svg: str, colors: dict[str, str]) -> str:
    """Move the line-end labels right of their point, at least a line apart vertically, in
    their line's colour (each has 4.5:1 or more on white)."""
    found = sorted(END_LABEL.finditer(svg), key=lambda m: float(m.group(2)))
    gap = STYLE.value_label_font_size + 3
    placed: dict[str, str] = {}
    previous = None
    size = STYLE.value_font_size  # pygal put the label one font size right of and below it
    for match in found:
        y = float(match.group(2)) - size
        if previous is not None and y - previous < gap:
            y = previous + gap
        previous = y
        x = float(match.group(1)) - size + 10
        placed[match.group(0)] = (
            f'<text x="{x:.1f}" y="{y:.1f}" class="label" text-anchor="start" '
            f'style="fill:{colors.get(html.unescape(match.group(3)), INK)}">{match.group(3)}</text>'
        )
    return END_LABEL.sub(lambda m: placed[m.group(0)], svg)


def _ticks_between(low: float, high: float, locale: str) -> list[dict]:
    """Round steps covering ``low``–``high`` (and zero when the data straddles it)."""
    span = max(high - low, 1.0)
    raw = span / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first, last = math.floor(low / step), math.ceil(high / step)
    label = number_format(locale, 0 if step >= 1 else 1)
    return [{"value": i * step, "label": label(i * step)} for i in range(first, last + 1)]


def bars(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, list]],
    percent: bool = False,
    locale: str = "nl",
    narrow: bool = False,
) -> str:
    """Grouped bars (shares against goals, domain shares, medians), always from zero; the
    values are printed above the bars when there are few enough to read."""
    values = [v for _name, vs in series for v in vs if v is not None]
    width = 560 if len(labels) * len(series) <= 6 else BASE["width"]  # few bars: larger type
    options = _layout({**BASE, "title": title, "width": width}, labels, narrow)
    top = 100.0 if percent else (max(values) if values else 1.0)
    options |= {
        "range": (0, top),
        "zero": 0,
        "y_labels": _ticks(top, percent, locale),
        "value_formatter": percent_format(locale) if percent else number_format(locale),
    }
    if len(values) <= 12:
        options |= {"print_values": True, "print_values_position": "top"}
    chart = _Bars(**options)
    chart.x_labels = list(labels)
    for name, vs in series:
        chart.add(name, vs)
    return _svg(chart)


def _ticks(top: float, percent: bool, locale: str) -> list[dict]:
    """Five or so round steps from zero (0, 25, 50 …), labelled without decimals."""
    raw = top / 5
    magnitude = 10 ** max(0, len(str(int(raw))) - 1)
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    label = percent_format(locale) if percent else number_format(locale, 0)
    count = int(top // step) + (0 if top % step == 0 else 1)
    return [{"value": i * step, "label": label(i * step)} for i in range(count + 1)]


def cached(cache, draw: Callable[..., str], **data) -> str:
    """Draw once per distinct data: the key is a hash of the function and everything drawn.

    The reader's locale (numbers are written in it) is taken from the request when the caller
    does not pass one."""
    if "locale" not in data and "locale" in inspect.signature(draw).parameters:
        data["locale"] = _current_locale()
    payload = json.dumps([DRAWING, draw.__name__, data], sort_keys=True, default=str)
    key = "chart:" + hashlib.sha256(payload.encode()).hexdigest()
    svg = cache.get(key)
    if svg is None:
        svg = draw(**data)
        cache.set(key, svg)
    return svg


class Drawn(NamedTuple):
    """A chart drawn twice: wide (tablet, desktop, print) and narrow (phone). The report pages'
    ``chart`` macro shows one of the two by CSS; both describe the same table."""

    wide: str
    narrow: str


def cached_pair(cache, draw: Callable[..., str], **data) -> Drawn:
    """:func:`cached`, for both widths."""
    return Drawn(cached(cache, draw, **data), cached(cache, draw, narrow=True, **data))


def _current_locale() -> str:
    try:
        from flask_babel import get_locale

        return str(get_locale() or "nl")
    except (ImportError, RuntimeError):  # outside a request: the product's default
        return "nl"
