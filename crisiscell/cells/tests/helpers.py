"""Builders for roster tests: Karachi times, a cell head, and fully staffed shifts."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from crisiscell.access.policy import Role
from crisiscell.cells.services import assignment_add, shift_create

KARACHI = ZoneInfo("Asia/Karachi")
UTC = ZoneInfo("UTC")
DAY = date(2026, 3, 10)  # a Tuesday; Pakistan keeps UTC+5 all year


def pkt(day: date, hour: int, minute: int = 0) -> datetime:
    """A Karachi wall-clock time (hour 24 is the next midnight)."""
    if hour == 24:
        return datetime.combine(day + timedelta(days=1), time(0, minute), tzinfo=KARACHI)
    return datetime.combine(day, time(hour, minute), tzinfo=KARACHI)


class Team:
    """A cell head and the three people every shift needs: a woman MLO, a psychologist, a police liaison."""

    def __init__(self, cell, staff, prefix: str = "") -> None:
        self.cell = cell
        self.head = staff(Role.CELL_HEAD, cell, username=f"{prefix}head")
        self.mlo = staff(Role.MEDICO_LEGAL_OFFICER, cell, username=f"{prefix}mlo", gender="female")
        self.psychologist = staff(Role.PSYCHOLOGIST, cell, username=f"{prefix}psy", gender="female")
        self.police = staff(Role.POLICE_LIAISON, cell, username=f"{prefix}police", gender="female")

    def shift(self, starts_at: datetime, ends_at: datetime, *, without: tuple[str, ...] = ()):
        shift = shift_create(actor=self.head, cell=self.cell, starts_at=starts_at, ends_at=ends_at)
        for role, user in [
            (Role.MEDICO_LEGAL_OFFICER, self.mlo),
            (Role.PSYCHOLOGIST, self.psychologist),
            (Role.POLICE_LIAISON, self.police),
        ]:
            if role not in without:
                assignment_add(actor=self.head, shift=shift, user=user, role=role)
        return shift
