"""Every write to the duty roster. Each function checks the policy (administration edit in
the cell: the cell head), runs in one transaction and writes its audit event in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crisiscell.access.policy import Action, Section
from crisiscell.access.scoping import allows_in_cell
from crisiscell.accounts.models import Membership, User
from crisiscell.audit.services import audit_record
from crisiscell.cells.models import ROSTER_ROLES, Cell, Shift, ShiftAssignment
from crisiscell.core.times import minute_in_sentence

# A typing slip (a wrong day or month) must not create a shift that blocks the roster for weeks.
MAX_SHIFT_LENGTH = timedelta(hours=24)
# The standard day of a cell open around the clock, in Karachi time: night, morning, evening.
STANDARD_SHIFT_HOURS = ((0, 8), (8, 16), (16, 24))
MAX_STANDARD_DAYS = 31


def _require_roster_admin(actor: User, cell: Cell) -> None:
    if not allows_in_cell(actor, cell, Section.ADMINISTRATION, Action.EDIT):
        raise PermissionDenied


def _lock_cell(cell: Cell) -> None:
    """Serialise roster writes per cell, so two heads cannot add overlapping shifts at once.

    PostgreSQL locks the cell row; SQLite takes its write lock at BEGIN (IMMEDIATE).
    """
    Cell.objects.select_for_update().filter(pk=cell.pk).first()


def _overlapping(cell: Cell, starts_at: datetime, ends_at: datetime) -> Shift | None:
    return Shift.objects.filter(cell=cell, starts_at__lt=ends_at, ends_at__gt=starts_at).order_by("starts_at").first()


def _create(*, actor: User, cell: Cell, starts_at: datetime, ends_at: datetime) -> Shift:
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise ValueError("Shift times must be timezone-aware.")
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("A shift must end after it starts.")})
    if ends_at - starts_at > MAX_SHIFT_LENGTH:
        raise ValidationError({"ends_at": _("A shift lasts at most 24 hours.")})
    clash = _overlapping(cell, starts_at, ends_at)
    if clash is not None:
        raise ValidationError(
            _("This shift overlaps the shift from %(start)s to %(end)s.")
            % {"start": minute_in_sentence(clash.starts_at), "end": minute_in_sentence(clash.ends_at)}
        )
    shift = Shift(cell=cell, starts_at=starts_at, ends_at=ends_at)
    shift.full_clean()
    shift.save()
    audit_record(
        action="roster.shift_created",
        actor=actor,
        cell=cell,
        object_type="shift",
        object_ref=str(shift.pk),
        details={"starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat()},
    )
    return shift


@transaction.atomic
def shift_create(*, actor: User, cell: Cell, starts_at: datetime, ends_at: datetime) -> Shift:
    """Add a shift to the cell's roster. Only the cell head (administration edit) may.

    Refuses a shift that ends before it starts, lasts over 24 hours or overlaps another
    shift of the cell. Audits ``roster.shift_created``.
    """
    _require_roster_admin(actor, cell)
    _lock_cell(cell)
    return _create(actor=actor, cell=cell, starts_at=starts_at, ends_at=ends_at)


def standard_shift_times(first_day: date, days: int) -> list[tuple[datetime, datetime]]:
    """The standard shifts (00:00-08:00, 08:00-16:00, 16:00-24:00 Karachi time) of ``days`` days."""
    zone = timezone.get_default_timezone()
    times = []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        for start_hour, end_hour in STANDARD_SHIFT_HOURS:
            starts_at = datetime.combine(day, time(start_hour), tzinfo=zone)
            # 24:00 is midnight of the next day.
            ends_at = datetime.combine(day + timedelta(days=end_hour // 24), time(end_hour % 24), tzinfo=zone)
            times.append((starts_at, ends_at))
    return times


@dataclass(frozen=True)
class StandardShiftsResult:
    created: list[Shift]
    skipped: int  # slots already taken by a shift (the same or an overlapping one)


@transaction.atomic
def shifts_create_standard(*, actor: User, cell: Cell, first_day: date, days: int = 7) -> StandardShiftsResult:
    """Add the standard shifts of ``days`` days from ``first_day`` (Karachi dates).

    Slots that an existing shift already covers, fully or in part, are skipped, so
    running it twice adds nothing. Only the cell head may. Audits
    ``roster.shift_created`` per shift added.
    """
    _require_roster_admin(actor, cell)
    if not 1 <= days <= MAX_STANDARD_DAYS:
        raise ValidationError({"days": _("Choose between 1 and 31 days.")})
    _lock_cell(cell)
    created, skipped = [], 0
    for starts_at, ends_at in standard_shift_times(first_day, days):
        if _overlapping(cell, starts_at, ends_at) is not None:
            skipped += 1
            continue
        created.append(_create(actor=actor, cell=cell, starts_at=starts_at, ends_at=ends_at))
    return StandardShiftsResult(created=created, skipped=skipped)


def _unassign(*, actor: User, assignment: ShiftAssignment, cell: Cell) -> None:
    audit_record(
        action="roster.unassigned",
        actor=actor,
        cell=cell,
        object_type="shift_assignment",
        object_ref=str(assignment.pk),
        details={"shift": str(assignment.shift_id), "user_id": assignment.user_id, "role": assignment.role},
    )
    assignment.delete()


@transaction.atomic
def shift_delete(*, actor: User, shift: Shift, remove_assignments: bool = False) -> None:
    """Delete a shift. Refused while staff are assigned, unless ``remove_assignments``.

    Only the cell head may. Audits ``roster.unassigned`` per assignment removed, then
    ``roster.shift_deleted``.
    """
    cell = shift.cell
    _require_roster_admin(actor, cell)
    _lock_cell(cell)
    assignments = list(ShiftAssignment.objects.filter(shift=shift).order_by("role", "user_id"))
    if assignments and not remove_assignments:
        raise ValidationError(_("Staff are assigned to this shift: remove them first."))
    for assignment in assignments:
        _unassign(actor=actor, assignment=assignment, cell=cell)
    audit_record(
        action="roster.shift_deleted",
        actor=actor,
        cell=cell,
        object_type="shift",
        object_ref=str(shift.pk),
        details={
            "starts_at": shift.starts_at.isoformat(),
            "ends_at": shift.ends_at.isoformat(),
            "assignments_removed": len(assignments),
        },
    )
    shift.delete()


@transaction.atomic
def assignment_add(*, actor: User, shift: Shift, user: User, role: str) -> ShiftAssignment:
    """Put a staff member on duty for a shift, in a role they hold in the cell.

    The user must be active and hold an active membership with that role in the
    shift's cell; one assignment per user per shift. Only the cell head may.
    Audits ``roster.assigned``.
    """
    cell = shift.cell
    _require_roster_admin(actor, cell)
    _lock_cell(cell)
    if role not in ROSTER_ROLES:
        raise ValidationError({"role": _("This role is not on duty rosters.")})
    holds_role = Membership.objects.filter(
        user=user, cell=cell, role=role, is_active=True, user__is_active=True
    ).exists()
    if not holds_role:
        raise ValidationError({"user": _("This staff member does not hold that role in this cell.")})
    if ShiftAssignment.objects.filter(shift=shift, user=user).exists():
        raise ValidationError({"user": _("This staff member is already on this shift.")})
    assignment = ShiftAssignment(shift=shift, user=user, role=role)
    assignment.full_clean()
    assignment.save()
    audit_record(
        action="roster.assigned",
        actor=actor,
        cell=cell,
        object_type="shift_assignment",
        object_ref=str(assignment.pk),
        details={"shift": str(shift.pk), "user_id": user.pk, "role": role},
    )
    return assignment


@transaction.atomic
def assignment_remove(*, actor: User, assignment: ShiftAssignment) -> None:
    """Take a staff member off a shift. Only the cell head may. Audits ``roster.unassigned``."""
    cell = assignment.shift.cell
    _require_roster_admin(actor, cell)
    _lock_cell(cell)
    _unassign(actor=actor, assignment=assignment, cell=cell)
