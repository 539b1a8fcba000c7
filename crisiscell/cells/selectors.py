"""Reading cells and their duty roster, always through the actor's access.

The coverage check (``coverage_gaps``) reads the roster in two queries, the shifts
and the assignments that count, then works in memory: ``gaps_between`` is a pure
function of those rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from uuid import UUID

from django.db import models
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crisiscell.access.policy import Action, Role, Section
from crisiscell.access.scoping import allows_in_cell, memberships_cached
from crisiscell.accounts.models import Gender, Membership
from crisiscell.cells.models import ROSTER_ROLES, Cell, Shift, ShiftAssignment

if TYPE_CHECKING:
    from crisiscell.accounts.models import User


def cell_get_for(actor: User, code: str, section: Section, action: Action = Action.VIEW) -> Cell:
    """The cell with this code if the actor may act on ``section`` there; else 404.

    A cell that does not exist and a cell the actor may not see look the same.
    """
    cell = Cell.objects.filter(code=code, is_active=True).select_related("police_reporting_centre").first()
    if cell is None or not allows_in_cell(actor, cell, section, action):
        raise Http404
    return cell


def cells_of(actor: User) -> QuerySet[Cell]:
    """The cells where the actor holds any active role (national roles: none listed)."""
    ids = [m.cell_id for m in memberships_cached(actor) if m.cell_id]
    return Cell.objects.filter(pk__in=ids, is_active=True)


# The duty roster.


class GapKind(models.TextChoices):
    """What a stretch of the roster lacks, in the order the warnings are listed."""

    NO_SHIFT = "no_shift", _("No shift: nobody is on duty.")
    NO_WOMAN_MLO = "no_woman_mlo", _("No woman medico-legal officer on duty.")
    NO_PSYCHOLOGIST = "no_psychologist", _("No psychologist on duty.")
    NO_POLICE_LIAISON = "no_police_liaison", _("No police liaison officer on duty.")


# The needs every shift must meet; each is met by one assignment that counts.
SHIFT_NEEDS = (GapKind.NO_WOMAN_MLO, GapKind.NO_PSYCHOLOGIST, GapKind.NO_POLICE_LIAISON)


def need_met(role: str, gender: str) -> GapKind | None:
    """Which need an assignment in ``role`` of a staff member of ``gender`` meets, if any.

    A survivor may ask to be examined by a woman: only a woman medico-legal officer
    meets that need, a man in the role does not.
    """
    if role == Role.MEDICO_LEGAL_OFFICER and gender == Gender.FEMALE:
        return GapKind.NO_WOMAN_MLO
    if role == Role.PSYCHOLOGIST:
        return GapKind.NO_PSYCHOLOGIST
    if role == Role.POLICE_LIAISON:
        return GapKind.NO_POLICE_LIAISON
    return None


@dataclass(frozen=True)
class Gap:
    """A stretch of ``[starts_at, ends_at)`` in which the roster lacks ``kind``.

    ``shift_id`` is the shift that lacks a need; None for a stretch with no shift.
    """

    kind: GapKind
    starts_at: datetime
    ends_at: datetime
    shift_id: UUID | None = None

    @property
    def message(self) -> str:
        return str(self.kind.label)

    @property
    def symbol(self) -> str:
        """Urgency without colour: nobody on duty is worse than a missing role."""
        return "✖" if self.kind == GapKind.NO_SHIFT else "▲"


@dataclass(frozen=True)
class ShiftCover:
    """One shift as the coverage check sees it: its period and the needs it meets."""

    shift_id: UUID
    starts_at: datetime
    ends_at: datetime
    met: frozenset[GapKind]


def gaps_between(start: datetime, end: datetime, shifts: Iterable[ShiftCover]) -> list[Gap]:
    """Every gap in ``[start, end)``, in time order, then in ``GapKind`` order.

    A stretch no shift covers is a ``NO_SHIFT`` gap; each shift (clipped to the
    window) that lacks a need gives a gap of that kind. Pure: no queries.
    """
    if start >= end:
        return []
    order = {kind: index for index, kind in enumerate(GapKind)}
    gaps: list[Gap] = []
    cursor = start
    for cover in sorted(shifts, key=lambda c: (c.starts_at, c.ends_at)):
        if cover.ends_at <= start or cover.starts_at >= end:
            continue
        if cover.starts_at > cursor:
            gaps.append(Gap(GapKind.NO_SHIFT, cursor, cover.starts_at))
        cursor = max(cursor, cover.ends_at)
        period = (max(cover.starts_at, start), min(cover.ends_at, end))
        gaps.extend(Gap(need, *period, shift_id=cover.shift_id) for need in SHIFT_NEEDS if need not in cover.met)
    if cursor < end:
        gaps.append(Gap(GapKind.NO_SHIFT, cursor, end))
    return sorted(gaps, key=lambda g: (g.starts_at, order[g.kind]))


def _shifts_in(cell: Cell, start: datetime, end: datetime) -> QuerySet[Shift]:
    # In time order. The model's default puts the cell's code first, which for one cell
    # only joins the cells table (on PostgreSQL, a millisecond of planning on the board).
    return Shift.objects.filter(cell=cell, starts_at__lt=end, ends_at__gt=start).order_by("starts_at")


def _holds_role() -> Exists:
    """True for an assignment whose staff member still holds its role, actively, in the shift's cell."""
    return Exists(
        Membership.objects.filter(
            user=OuterRef("user"), cell=OuterRef("shift__cell"), role=OuterRef("role"), is_active=True
        )
    )


def _counting(assignments: QuerySet[ShiftAssignment]) -> QuerySet[ShiftAssignment]:
    """Only the assignments that put someone on duty: active staff who still hold that role.

    A staff member deactivated or moved to another role after being rostered is not
    on duty, and does not cover the shift.
    """
    return assignments.filter(_holds_role(), user__is_active=True)


def _covers(shifts: Iterable[Shift], needs: Iterable[tuple[UUID, str, str]]) -> list[ShiftCover]:
    met: dict[UUID, set[GapKind]] = defaultdict(set)
    for shift_id, role, gender in needs:
        need = need_met(role, gender)
        if need is not None:
            met[shift_id].add(need)
    return [ShiftCover(s.pk, s.starts_at, s.ends_at, frozenset(met[s.pk])) for s in shifts]


def coverage_gaps(cell: Cell, start: datetime, end: datetime) -> list[Gap]:
    """The gaps in the cell's roster in ``[start, end)``: no shift, or a shift lacking a
    woman medico-legal officer, a psychologist or a police liaison officer.

    Two queries whatever the number of shifts. Not scoped to an actor: callers are
    services and selectors that checked access to the cell already.
    """
    shifts = list(_shifts_in(cell, start, end).only("pk", "starts_at", "ends_at"))
    in_window = ShiftAssignment.objects.filter(shift__cell=cell, shift__starts_at__lt=end, shift__ends_at__gt=start)
    needs = _counting(in_window).order_by().values_list("shift_id", "role", "user__gender")
    return gaps_between(start, end, _covers(shifts, needs))


def coverage_warnings_next_hours(actor: User, cell: Cell, *, now: datetime, hours: int = 24) -> list[Gap]:
    """The roster's gaps from ``now`` for ``hours``, for staff who may see the cell's case summaries."""
    if not allows_in_cell(actor, cell, Section.CASE, Action.VIEW):
        raise Http404
    return coverage_gaps(cell, now, now + timedelta(hours=hours))


def on_duty_user_ids(cell: Cell, at: datetime) -> list[int]:
    """The active staff assigned to a shift of the cell that covers ``at``, by id.

    Called by ``case_register`` to offer a new case to the staff on duty.
    """
    # The same rule as ``_counting``, in two plain queries rather than a correlated subquery:
    # this runs on every registration, and the cell is usually between shifts or short of staff.
    rostered = list(
        ShiftAssignment.objects.filter(shift__cell=cell, shift__starts_at__lte=at, shift__ends_at__gt=at)
        .order_by()
        .values_list("user_id", "role")
    )
    if not rostered:
        return []
    held = set(
        Membership.objects.filter(
            cell=cell, is_active=True, user__is_active=True, user_id__in={u for u, _ in rostered}
        ).values_list("user_id", "role")
    )
    return sorted({user_id for user_id, role in rostered if (user_id, role) in held})


@dataclass(frozen=True)
class RosterEntry:
    assignment: ShiftAssignment
    on_duty: bool  # False once the staff member was deactivated or no longer holds the role


def _entry(assignment: ShiftAssignment) -> RosterEntry:
    on_duty = bool(getattr(assignment, "holds_role", False)) and assignment.user.is_active
    return RosterEntry(assignment, on_duty)


@dataclass(frozen=True)
class RosterRow:
    """A line of a roster day: a shift with its staff and missing needs, or a stretch with no shift."""

    starts_at: datetime
    ends_at: datetime
    shift: Shift | None
    entries: list[RosterEntry]
    gaps: list[Gap]


@dataclass(frozen=True)
class RosterDay:
    day: date  # in Karachi
    rows: list[RosterRow]


@dataclass(frozen=True)
class Roster:
    cell: Cell
    start: datetime
    end: datetime
    days: list[RosterDay]
    gaps: list[Gap]  # every gap in [start, end), "no shift" included
    warnings: list[Gap]  # the gaps still ahead: in [max(start, now), end)


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=timezone.get_default_timezone())


def _holes_by_day(gap: Gap) -> list[Gap]:
    """A stretch with no shift, cut at each Karachi midnight so every day shows its part."""
    parts, cursor = [], gap.starts_at
    while cursor < gap.ends_at:
        midnight = _local_midnight(timezone.localdate(cursor, timezone.get_default_timezone()) + timedelta(days=1))
        parts.append(Gap(gap.kind, cursor, min(midnight, gap.ends_at)))
        cursor = midnight
    return parts


def roster_for(actor: User, cell: Cell, start: datetime, end: datetime, *, now: datetime | None = None) -> Roster:
    """The cell's shifts overlapping ``[start, end)`` day by day, who is on them, and the gaps.

    For staff who may see the cell's case summaries; 404 for everyone else.
    ``warnings`` holds the gaps from ``now`` on. Two queries: the shifts, and their
    assignments with the staff.
    """
    if not allows_in_cell(actor, cell, Section.CASE, Action.VIEW):
        raise Http404
    assignments = (
        ShiftAssignment.objects.select_related("user")
        .annotate(holds_role=_holds_role())
        .order_by("role", "user__last_name", "user__first_name", "user__username")
    )
    shifts = list(_shifts_in(cell, start, end).prefetch_related(Prefetch("assignments", assignments)))
    entries = {s.pk: [_entry(a) for a in s.assignments.all()] for s in shifts}
    needs = [(pk, e.assignment.role, e.assignment.user.gender) for pk, row in entries.items() for e in row if e.on_duty]
    covers = _covers(shifts, needs)
    gaps = gaps_between(start, end, covers)
    warnings = gaps_between(max(start, now), end, covers) if now is not None else gaps

    by_shift: dict[UUID, list[Gap]] = defaultdict(list)
    rows = [
        RosterRow(g.starts_at, g.ends_at, None, [], [g])
        for gap in gaps
        if gap.shift_id is None
        for g in _holes_by_day(gap)
    ]
    for gap in gaps:
        if gap.shift_id is not None:
            by_shift[gap.shift_id].append(gap)
    rows += [RosterRow(s.starts_at, s.ends_at, s, entries[s.pk], by_shift[s.pk]) for s in shifts]
    zone = timezone.get_default_timezone()
    by_day: dict[date, list[RosterRow]] = defaultdict(list)
    for row in rows:
        by_day[timezone.localdate(max(row.starts_at, start), zone)].append(row)
    first, last = timezone.localdate(start, zone), timezone.localdate(end - timedelta(microseconds=1), zone)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return Roster(
        cell=cell,
        start=start,
        end=end,
        days=[RosterDay(day, sorted(by_day[day], key=lambda r: r.starts_at)) for day in days],
        gaps=gaps,
        warnings=warnings,
    )


def shift_get_for(actor: User, cell: Cell, shift_id: UUID | str) -> Shift:
    """A shift of the cell, for the cell head; 404 for missing and forbidden alike."""
    shift = Shift.objects.select_related("cell").filter(pk=shift_id, cell=cell).first()
    if shift is None or not allows_in_cell(actor, cell, Section.ADMINISTRATION, Action.EDIT):
        raise Http404
    return shift


def assignment_get_for(actor: User, cell: Cell, assignment_id: UUID | str) -> ShiftAssignment:
    """An assignment on a shift of the cell, for the cell head; 404 for missing and forbidden alike."""
    assignment = (
        ShiftAssignment.objects.select_related("shift", "shift__cell", "user")
        .filter(pk=assignment_id, shift__cell=cell)
        .first()
    )
    if assignment is None or not allows_in_cell(actor, cell, Section.ADMINISTRATION, Action.EDIT):
        raise Http404
    return assignment


def rosterable_memberships(actor: User, cell: Cell) -> list[Membership]:
    """The cell's active staff in roles that can be on duty, for the cell head's assign form."""
    if not allows_in_cell(actor, cell, Section.ADMINISTRATION, Action.EDIT):
        raise Http404
    return list(
        Membership.objects.filter(cell=cell, is_active=True, user__is_active=True, role__in=sorted(ROSTER_ROLES))
        .select_related("user")
        .order_by("role", "user__last_name", "user__first_name", "user__username")
    )
