"""Body diagrams: plain, respectful outline drawings as SVG, with numbered injury marks.

Positions are kept in percent of the diagram (0 to 100 across and down), so a mark
is in the same place whatever size the diagram is drawn at: on the page, where the
officer clicks an ``<input type="image">`` (the browser posts the click's pixel
position, no script needed), and in the certificate.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.html import escape

from crisiscell.medical.models import BodyView


@dataclass(frozen=True)
class Shape:
    width: int  # viewBox width
    height: int  # viewBox height
    px_width: int  # drawn at, on the page (the click is converted from these)
    px_height: int
    body: str


_STROKE = 'fill="none" stroke="#4a4a4a" stroke-width="0.8" stroke-linejoin="round" stroke-linecap="round"'
_FIGURE = (
    '<ellipse cx="50" cy="15" rx="10" ry="12"/>'
    '<path d="M45 26 L45 31 M55 26 L55 31"/>'
    '<path d="M32 34 Q50 29 68 34 L70 62 Q66 80 68 96 L32 96 Q34 80 30 62 Z"/>'
    '<path d="M32 35 Q24 38 22 60 L18 98 Q20 103 24 100 L28 64 L31 52"/>'
    '<path d="M68 35 Q76 38 78 60 L82 98 Q80 103 76 100 L72 64 L69 52"/>'
    '<path d="M33 96 L36 150 L35 190 L46 192 L46 150 L49.5 104 L50.5 104 L54 150 L54 192 L65 190 L64 150 L67 96"/>'
)
SHAPES: dict[str, Shape] = {
    BodyView.FRONT: Shape(100, 200, 150, 300, _FIGURE + '<path d="M44 48 Q50 52 56 48" stroke-dasharray="1.5 1.5"/>'),
    BodyView.BACK: Shape(100, 200, 150, 300, _FIGURE + '<path d="M50 30 L50 94" stroke-dasharray="1.5 1.5"/>'),
    BodyView.HEAD: Shape(
        100,
        100,
        150,
        150,
        '<ellipse cx="50" cy="44" rx="24" ry="30"/>'
        '<ellipse cx="25" cy="46" rx="3.5" ry="7"/><ellipse cx="75" cy="46" rx="3.5" ry="7"/>'
        '<path d="M40 38 Q43 36 46 38 M54 38 Q57 36 60 38 M50 44 L48 54 L52 54 M44 62 Q50 65 56 62"/>'
        '<path d="M40 72 L38 96 M60 72 L62 96"/>',
    ),
    BodyView.GENITAL: Shape(
        100,
        100,
        150,
        150,
        '<path d="M10 8 Q30 50 22 96 M90 8 Q70 50 78 96"/>'
        '<ellipse cx="50" cy="36" rx="10" ry="18"/>'
        '<path d="M50 22 L50 50"/>'
        '<circle cx="50" cy="78" r="5"/>'
        '<path d="M50 56 L50 71" stroke-dasharray="1.5 1.5"/>',
    ),
}


@dataclass(frozen=True)
class Mark:
    number: int
    x: Decimal | float
    y: Decimal | float


def svg(view: str, marks: Iterable[Mark] = (), *, label: str = "") -> str:
    """The diagram for ``view`` with its numbered marks, as an SVG document."""
    shape = SHAPES[view]
    drawn = []
    for mark in marks:
        cx = float(mark.x) * shape.width / 100
        cy = float(mark.y) * shape.height / 100
        drawn.append(
            f'<circle cx="{cx:.2f}" cy="{cy:.2f}" r="3.2" fill="#b3261e" stroke="#fff" stroke-width="0.6"/>'
            f'<text x="{cx:.2f}" y="{cy + 1.5:.2f}" font-size="4.2" font-family="sans-serif" fill="#fff" '
            f'text-anchor="middle">{mark.number}</text>'
        )
    title = f"<title>{escape(label)}</title>" if label else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {shape.width} {shape.height}" '
        f'width="{shape.px_width}" height="{shape.px_height}" role="img">{title}'
        f'<rect x="0" y="0" width="{shape.width}" height="{shape.height}" fill="#fff"/>'
        f"<g {_STROKE}>{shape.body}</g>{''.join(drawn)}</svg>"
    )


def data_uri(document: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(document.encode("utf-8")).decode("ascii")


def click_to_percent(view: str, px: Any, py: Any) -> tuple[float, float]:
    """A click's pixel position on the drawn diagram, as percent; ValueError if not numbers."""
    shape = SHAPES[view]
    x = max(0.0, min(100.0, float(px) * 100 / shape.px_width))
    y = max(0.0, min(100.0, float(py) * 100 / shape.px_height))
    return round(x, 2), round(y, 2)
