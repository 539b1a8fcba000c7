"""Evidence item numbers: short, read aloud over a phone, printed on labels, checked on input.

``E-KHI-26-0042-01-7``: the cell, the year and number of the case, the item's number
within the case, and a Damm check digit over all the digits. Damm's algorithm
catches every single-digit error and every swap of two adjacent digits, the two
mistakes people make copying a number from a label.
"""

from __future__ import annotations

import re

# The Damm quasigroup of order 10 (weakly totally anti-symmetric).
_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)
_SHAPE = re.compile(r"^E-([A-Z][A-Z0-9]{1,5})-(\d{2})-(\d{4,})-(\d{2,})-(\d)$")


def damm(digits: str) -> int:
    interim = 0
    for digit in digits:
        interim = _DAMM[interim][int(digit)]
    return interim


def item_id(cell_code: str, year: int, case_number: int, item_number: int) -> str:
    numbers = f"{year % 100:02d}-{case_number:04d}-{item_number:02d}"
    return f"E-{cell_code}-{numbers}-{damm(numbers.replace('-', ''))}"


def parse_item_id(text: str) -> str | None:
    """The canonical id if ``text`` is a well-formed item number with the right check digit."""
    candidate = text.strip().upper().replace(" ", "")
    match = _SHAPE.match(candidate)
    if not match:
        return None
    digits = match.group(2) + match.group(3) + match.group(4)
    return candidate if damm(digits) == int(match.group(5)) else None
