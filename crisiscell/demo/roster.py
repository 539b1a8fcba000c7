"""The demo duty roster: standard shifts from yesterday to a week ahead, through the real services.

Each cell's demo woman medico-legal officer, psychologist and police liaison officer
are on every shift, except one on purpose: in Multan, tomorrow's night shift has no
psychologist, so the coverage warnings have something to show. Idempotent: shifts
and assignments already there are kept, nothing is added twice.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from crisiscell.access.policy import Role
from crisiscell.accounts.models import User
from crisiscell.cells.models import Cell, Shift, ShiftAssignment
from crisiscell.cells.services import assignment_add, shifts_create_standard
from crisiscell.demo.network import demo_username

ON_DUTY_ROLES = (Role.MEDICO_LEGAL_OFFICER, Role.PSYCHOLOGIST, Role.POLICE_LIAISON)
DAYS_BEFORE, DAYS_AHEAD = 1, 7
# The deliberate gap: (cell, days from today, Karachi start hour, role left out).
GAP = ("MUL", 1, 0, Role.PSYCHOLOGIST)


def _is_gap(cell: Cell, shift: Shift, today: date) -> bool:
    code, days, hour, _role = GAP
    local = timezone.localtime(shift.starts_at, timezone.get_default_timezone())
    return cell.code == code and local.date() == today + timedelta(days=days) and local.hour == hour


@transaction.atomic
def ensure_roster(cells: dict[str, Cell], *, now: datetime | None = None) -> tuple[int, int]:
    """Give every demo cell its roster. Returns (shifts added, assignments added)."""
    today = timezone.localdate(now or timezone.now(), timezone.get_default_timezone())
    first_day = today - timedelta(days=DAYS_BEFORE)
    days = DAYS_BEFORE + DAYS_AHEAD + 1
    shifts_added = assignments_added = 0
    for code, cell in sorted(cells.items()):
        head = User.objects.get(username=demo_username(code, Role.CELL_HEAD))
        staff = {role: User.objects.get(username=demo_username(code, role)) for role in ON_DUTY_ROLES}
        shifts_added += len(shifts_create_standard(actor=head, cell=cell, first_day=first_day, days=days).created)
        start = datetime.combine(first_day, datetime.min.time(), tzinfo=timezone.get_default_timezone())
        shifts = Shift.objects.filter(cell=cell, starts_at__gte=start, starts_at__lt=start + timedelta(days=days))
        assigned = set(ShiftAssignment.objects.filter(shift__in=shifts).values_list("shift_id", "user_id"))
        for shift in shifts.select_related("cell").order_by("starts_at"):
            for role, user in staff.items():
                if (shift.pk, user.pk) in assigned or (role == GAP[3] and _is_gap(cell, shift, today)):
                    continue
                assignment_add(actor=head, shift=shift, user=user, role=role)
                assignments_added += 1
    return shifts_added, assignments_added
