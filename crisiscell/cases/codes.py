"""Case codes (``KHI-2026-0042``) and the survivor's own reference (``7KQ4M-9TX2R-P``).

Case codes are sequential per cell and year, issued under a row lock so two
desks registering at the same moment never get the same number. The survivor's
reference is random, uses no look-alike characters (no 0/O, 1/I/L, U) and ends
with a Luhn mod 30 check character, so a mistyped reference is caught: every
single wrong character, and every swap of two neighbours (the check character
included) but one, the swap of "2" and "Z" (the alphabet's first and last
characters: Luhn's known blind spot).
"""

from __future__ import annotations

import secrets

from django.db import IntegrityError, connection, transaction

from crisiscell.cases.models import CaseCounter
from crisiscell.cells.models import Cell

REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_LENGTH = 10


# SQLite (3.35+) and PostgreSQL both return the updated row; the UPDATE takes the row lock.
_INCREMENT = (
    "UPDATE cases_casecounter SET last_number = last_number + 1 WHERE cell_id = %s AND year = %s RETURNING last_number"
)


def _increment(cell: Cell, year: int) -> int | None:
    """Add one to the counter and return the new number, in one statement that holds the
    row's lock until the transaction ends (None when the cell has no counter for the year)."""
    cell_id = CaseCounter._meta.get_field("cell").get_db_prep_value(cell.pk, connection)
    with connection.cursor() as cursor:
        cursor.execute(_INCREMENT, [cell_id, year])
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def next_case_code(cell: Cell, year: int) -> str:
    """Issue the next code for the cell and year. Call inside the registering transaction."""
    number = _increment(cell, year)
    if number is None:
        try:
            with transaction.atomic():
                CaseCounter.objects.create(cell=cell, year=year, last_number=0)
        except IntegrityError:
            pass  # Another registration created the counter first; the increment below waits for its lock.
        number = _increment(cell, year)
        if number is None:  # pragma: no cover - the row exists now
            raise RuntimeError("The case counter vanished.")
    return f"{cell.code}-{year}-{number:04d}"


def _check_character(body: str) -> str:
    """Luhn mod N over the reference alphabet."""
    n = len(REFERENCE_ALPHABET)
    factor, total = 2, 0
    for char in reversed(body):
        addend = factor * REFERENCE_ALPHABET.index(char)
        factor = 1 if factor == 2 else 2
        total += addend // n + addend % n
    return REFERENCE_ALPHABET[(n - total % n) % n]


def with_check_character(body: str) -> str:
    """A reference body (``REFERENCE_LENGTH`` characters of the alphabet) with its check character."""
    return body + _check_character(body)


def new_reference() -> str:
    return with_check_character("".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH)))


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
