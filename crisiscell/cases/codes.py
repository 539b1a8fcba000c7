"""Case codes (``KHI-2026-0042``) and the survivor's own reference (``7KQ4M-9TX2R-P``).

Case codes are sequential per cell and year, issued under a row lock so two
desks registering at the same moment never get the same number. The survivor's
reference is random, uses no look-alike characters (no 0/O, 1/I/L, U) and ends
with a Luhn mod 30 check character, so a mistyped reference is caught.
"""

from __future__ import annotations

import secrets

from django.db import IntegrityError, transaction

from crisiscell.cases.models import CaseCounter
from crisiscell.cells.models import Cell

REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_LENGTH = 10


def next_case_code(cell: Cell, year: int) -> str:
    """Issue the next code for the cell and year. Call inside the registering transaction."""
    counter = CaseCounter.objects.select_for_update().filter(cell=cell, year=year).first()
    if counter is None:
        try:
            with transaction.atomic():
                counter = CaseCounter.objects.create(cell=cell, year=year, last_number=0)
        except IntegrityError:
            # Another registration created the counter first; take its lock.
            counter = CaseCounter.objects.select_for_update().get(cell=cell, year=year)
        counter = CaseCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"{cell.code}-{year}-{counter.last_number:04d}"


def _check_character(body: str) -> str:
    """Luhn mod N over the reference alphabet."""
    n = len(REFERENCE_ALPHABET)
    factor, total = 2, 0
    for char in reversed(body):
        addend = factor * REFERENCE_ALPHABET.index(char)
        factor = 1 if factor == 2 else 2
        total += addend // n + addend % n
    return REFERENCE_ALPHABET[(n - total % n) % n]


def new_reference() -> str:
    body = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
    return body + _check_character(body)


def format_reference(reference: str) -> str:
    return f"{reference[:5]}-{reference[5:10]}-{reference[10:]}"


def parse_reference(text: str) -> str | None:
    """The canonical reference if ``text`` is a well-formed one (any case, dashes, spaces)."""
    cleaned = "".join(ch for ch in text.upper() if ch not in " -")
    if len(cleaned) != REFERENCE_LENGTH + 1 or any(ch not in REFERENCE_ALPHABET for ch in cleaned):
        return None
    if _check_character(cleaned[:-1]) != cleaned[-1]:
        return None
    return cleaned
