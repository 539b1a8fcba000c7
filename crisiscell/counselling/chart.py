"""A small progress chart per measure, drawn on the server as inline SVG (no JavaScript).

Severity bands are shaded behind the line (warmer where the band is a concern), the
PCL-5's provisional cut-off is a dashed line, and each point carries a ``<title>`` with
its date, total and band. Only presentation attributes are used, never ``style``, so the
page's Content Security Policy (no inline styles) holds. The same values are listed in a
table beside the chart for screen readers and print.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.formats import date_format
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from crisiscell.counselling.instruments import Definition, Instrument
from crisiscell.counselling.models import Measure

WIDTH, HEIGHT = 360, 140
LEFT, RIGHT, TOP, BOTTOM = 30, 10, 8, 22
# Shades from the mildest band up: greens below concern, warmer and darker as severity grows.
CALM = ("#eef6ef", "#dfeee2")
CONCERN = ("#fdeedd", "#f9dcc4", "#f3c3a8")


def _y(total: float, maximum: int) -> float:
    plot = HEIGHT - TOP - BOTTOM
    return round(TOP + plot - plot * total / maximum, 1)


def _x(index: int, count: int) -> float:
    plot = WIDTH - LEFT - RIGHT
    if count == 1:
        return LEFT + plot / 2
    return round(LEFT + plot * index / (count - 1), 1)


def progress_svg(spec: Definition, measures: Sequence[Measure]) -> SafeString:
    """The chart of one instrument's totals over time; an empty string when there is nothing to draw."""
    if not measures:
        return mark_safe("")
    maximum = spec.max_total
    bands = {band.key: band for band in spec.bands}
    title = _("%(instrument)s totals over time") % {"instrument": spec.instrument.label}
    parts = [
        format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" class="progress-chart" width="{}" height="{}" '
            'viewBox="0 0 {} {}" role="img" aria-label="{}"><title>{}</title>',
            WIDTH,
            HEIGHT,
            WIDTH,
            HEIGHT,
            title,
            title,
        )
    ]
    calm = concern = 0
    for band in spec.bands:
        top, bottom = _y(band.high + (1 if band.high < maximum else 0), maximum), _y(band.low, maximum)
        if band.concern:
            fill, concern = CONCERN[min(concern, len(CONCERN) - 1)], concern + 1
        else:
            fill, calm = CALM[min(calm, len(CALM) - 1)], calm + 1
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="#ffffff" stroke-width="0.5">'
                "<title>{}</title></rect>",
                LEFT,
                top,
                WIDTH - LEFT - RIGHT,
                round(bottom - top, 1),
                fill,
                f"{band.label}: {band.low}-{band.high}",
            )
        )
    if spec.instrument == Instrument.PCL5:
        cutoff = next(band.low for band in spec.bands if band.concern)
        y = _y(cutoff, maximum)
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#a33" stroke-width="1" stroke-dasharray="4 3">'
                "<title>{}</title></line>",
                LEFT,
                y,
                WIDTH - RIGHT,
                y,
                _("Provisional cut-off: %(n)s") % {"n": cutoff},
            )
        )
    for value in (0, maximum):
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="10" text-anchor="end" fill="#333">{}</text>',
                LEFT - 4,
                _y(value, maximum) + 3,
                value,
            )
        )
    count = len(measures)
    points = [(_x(i, count), _y(m.total, maximum)) for i, m in enumerate(measures)]
    if count > 1:
        path = " ".join(f"{x},{y}" for x, y in points)
        parts.append(format_html('<polyline points="{}" fill="none" stroke="#1f3b73" stroke-width="2"/>', path))
    for (x, y), measure in zip(points, measures, strict=True):
        point_band = bands.get(measure.band)
        when = date_format(localtime(measure.administered_at), "Y-m-d")
        parts.append(
            format_html(
                '<circle cx="{}" cy="{}" r="3.5" fill="#1f3b73"><title>{}</title></circle>',
                x,
                y,
                f"{when}: {measure.total} ({point_band.label if point_band else measure.band})",
            )
        )
    first = date_format(localtime(measures[0].administered_at), "Y-m-d")
    last = date_format(localtime(measures[-1].administered_at), "Y-m-d")
    parts.append(format_html('<text x="{}" y="{}" font-size="10" fill="#333">{}</text>', LEFT, HEIGHT - 6, first))
    if count > 1:
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="10" text-anchor="end" fill="#333">{}</text>',
                WIDTH - RIGHT,
                HEIGHT - 6,
                last,
            )
        )
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(str(part) for part in parts))  # noqa: S308 - every part built by format_html


def band_label(spec: Definition, key: str) -> str:
    for band in spec.bands:
        if band.key == key:
            return str(band.label)
    return escape(key)
