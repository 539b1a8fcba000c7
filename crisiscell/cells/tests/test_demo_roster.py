"""The demo roster: every cell staffed from yesterday to a week ahead, one deliberate gap, idempotent."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from crisiscell.cells.models import Shift, ShiftAssignment
from crisiscell.cells.selectors import Gap, GapKind, coverage_gaps
from crisiscell.cells.tests.helpers import KARACHI
from crisiscell.demo.network import ensure_network, ensure_staff
from crisiscell.demo.roster import ensure_roster

NOW = datetime(2026, 3, 10, 14, 30, tzinfo=KARACHI)


@pytest.mark.django_db
def test_the_demo_roster_covers_every_cell_but_one_night_and_runs_twice_without_adding() -> None:
    # Given the demo network and staff
    cells = ensure_network()
    ensure_staff(cells)
    # When the roster is loaded twice
    first = ensure_roster(cells, now=NOW)
    second = ensure_roster(cells, now=NOW)
    # Then nine days of three shifts per cell, three staff per shift but one, and nothing the second time
    assert first == (6 * 9 * 3, 6 * 9 * 3 * 3 - 1)
    assert second == (0, 0)
    assert Shift.objects.count() == 6 * 9 * 3
    assert ShiftAssignment.objects.count() == 6 * 9 * 3 * 3 - 1
    # And the only gap from yesterday to a week ahead is Multan's night shift tomorrow, without a psychologist
    start = datetime(2026, 3, 9, 0, 0, tzinfo=KARACHI)
    end = start + timedelta(days=9)
    for code, cell in cells.items():
        gaps = coverage_gaps(cell, start, end)
        if code != "MUL":
            assert gaps == [], code
            continue
        (gap,) = gaps
        assert (gap.kind, gap.starts_at, gap.ends_at) == (
            GapKind.NO_PSYCHOLOGIST,
            datetime(2026, 3, 11, 0, 0, tzinfo=KARACHI),
            datetime(2026, 3, 11, 8, 0, tzinfo=KARACHI),
        )
    # Within 24 hours of the demo's "now", so the board shows it.
    assert timezone.localtime(gap.starts_at) - NOW < timedelta(hours=24)
    assert isinstance(gap, Gap)
