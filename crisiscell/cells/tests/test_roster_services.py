"""Roster writes: shifts that may not overlap, assignments only in a role held, policy, audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from crisiscell.access.policy import Role
from crisiscell.accounts.models import Membership
from crisiscell.audit.models import AuditEvent
from crisiscell.cells.models import Shift, ShiftAssignment
from crisiscell.cells.services import (
    assignment_add,
    assignment_remove,
    shift_create,
    shift_delete,
    shifts_create_standard,
)
from crisiscell.cells.tests.helpers import DAY, Team, pkt


@pytest.fixture
def team(cell, staff) -> Team:
    return Team(cell, staff)


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


# --- Shifts ------------------------------------------------------------------------------------


def test_shift_create_is_audited(team) -> None:
    shift = shift_create(actor=team.head, cell=team.cell, starts_at=pkt(DAY, 8), ends_at=pkt(DAY, 16))
    (event,) = events("roster.shift_created")
    assert (event.actor, event.cell, event.object_type, event.object_ref) == (
        team.head,
        team.cell,
        "shift",
        str(shift.pk),
    )
    assert event.details_dict() == {"starts_at": "2026-03-10T08:00:00+05:00", "ends_at": "2026-03-10T16:00:00+05:00"}


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ((8, 0), (16, 0)),  # the same
        ((7, 0), (8, 1)),  # overlaps the start by a minute
        ((15, 59), (20, 0)),  # overlaps the end by a minute
        ((9, 0), (10, 0)),  # inside
        ((6, 0), (18, 0)),  # around
    ],
)
def test_overlapping_shifts_are_refused(team, start, end) -> None:
    shift_create(actor=team.head, cell=team.cell, starts_at=pkt(DAY, 8), ends_at=pkt(DAY, 16))
    with pytest.raises(ValidationError) as refused:
        shift_create(actor=team.head, cell=team.cell, starts_at=pkt(DAY, *start), ends_at=pkt(DAY, *end))
    # Each time isolated left-to-right (LRI ... PDI), so that it reads the same in an Urdu sentence
    overlap = "overlaps the shift from \u20662026-03-10 08:00\u2069 to \u20662026-03-10 16:00\u2069"
    assert overlap in refused.value.messages[0]
    assert Shift.objects.count() == 1
    assert len(events("roster.shift_created")) == 1


def test_shifts_that_meet_end_to_start_are_fine(team) -> None:
    shift_create(actor=team.head, cell=team.cell, starts_at=pkt(DAY, 8), ends_at=pkt(DAY, 16))
    shift_create(actor=team.head, cell=team.cell, starts_at=pkt(DAY, 16), ends_at=pkt(DAY, 24))
    shift_create(actor=team.head, cell=team.cell, starts_at=pkt(DAY, 0), ends_at=pkt(DAY, 8))
    assert Shift.objects.count() == 3


def test_shifts_of_different_cells_may_overlap(team, other_cell, staff) -> None:
    other = Team(other_cell, staff, prefix="other-")
    shift_create(actor=team.head, cell=team.cell, starts_at=pkt(DAY, 8), ends_at=pkt(DAY, 16))
    shift_create(actor=other.head, cell=other_cell, starts_at=pkt(DAY, 8), ends_at=pkt(DAY, 16))
    assert Shift.objects.count() == 2


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (pkt(DAY, 16), pkt(DAY, 8), "must end after it starts"),
        (pkt(DAY, 8), pkt(DAY, 8), "must end after it starts"),
        (pkt(DAY, 8), pkt(DAY, 8) + timedelta(hours=24, minutes=1), "at most 24 hours"),
    ],
)
def test_shift_times_are_checked(team, start, end, message) -> None:
    with pytest.raises(ValidationError, match=message):
        shift_create(actor=team.head, cell=team.cell, starts_at=start, ends_at=end)
    assert not Shift.objects.exists()


def test_a_week_of_standard_shifts_and_running_it_again_adds_nothing(team) -> None:
    # Given a custom shift on the third day's morning
    shift_create(actor=team.head, cell=team.cell, starts_at=pkt(DAY, 9), ends_at=pkt(DAY, 12))
    # When a week of standard shifts is added, twice
    first = shifts_create_standard(actor=team.head, cell=team.cell, first_day=DAY, days=7)
    second = shifts_create_standard(actor=team.head, cell=team.cell, first_day=DAY, days=7)
    # Then the slot the custom shift overlaps is kept as it is, and the second run adds nothing
    assert (len(first.created), first.skipped) == (20, 1)
    assert (len(second.created), second.skipped) == (0, 21)
    assert Shift.objects.count() == 21
    assert len(events("roster.shift_created")) == 21


def test_standard_days_are_bounded(team) -> None:
    with pytest.raises(ValidationError):
        shifts_create_standard(actor=team.head, cell=team.cell, first_day=DAY, days=0)
    with pytest.raises(ValidationError):
        shifts_create_standard(actor=team.head, cell=team.cell, first_day=DAY, days=32)


def test_shift_delete_refused_while_staff_are_assigned(team) -> None:
    shift = team.shift(pkt(DAY, 8), pkt(DAY, 16), without=(Role.PSYCHOLOGIST, Role.POLICE_LIAISON))
    with pytest.raises(ValidationError, match="remove them first"):
        shift_delete(actor=team.head, shift=shift)
    assert Shift.objects.filter(pk=shift.pk).exists()
    assert not events("roster.shift_deleted")


def test_shift_delete_of_an_empty_shift_is_audited(team) -> None:
    shift = shift_create(actor=team.head, cell=team.cell, starts_at=pkt(DAY, 8), ends_at=pkt(DAY, 16))
    shift_id = str(shift.pk)
    shift_delete(actor=team.head, shift=shift)
    assert not Shift.objects.exists()
    (event,) = events("roster.shift_deleted")
    assert (event.object_ref, event.details_dict()["assignments_removed"]) == (shift_id, 0)


def test_shift_delete_with_its_assignments_removes_and_audits_each(team) -> None:
    shift = team.shift(pkt(DAY, 8), pkt(DAY, 16))
    shift_delete(actor=team.head, shift=shift, remove_assignments=True)
    assert not Shift.objects.exists()
    assert not ShiftAssignment.objects.exists()
    assert len(events("roster.unassigned")) == 3
    assert events("roster.shift_deleted")[0].details_dict()["assignments_removed"] == 3


# --- Assignments -------------------------------------------------------------------------------


def test_assignment_add_and_remove_are_audited(team) -> None:
    shift = shift_create(actor=team.head, cell=team.cell, starts_at=pkt(DAY, 8), ends_at=pkt(DAY, 16))
    assignment = assignment_add(actor=team.head, shift=shift, user=team.mlo, role=Role.MEDICO_LEGAL_OFFICER)
    (added,) = events("roster.assigned")
    assert (added.actor, added.cell, added.object_type, added.object_ref) == (
        team.head,
        team.cell,
        "shift_assignment",
        str(assignment.pk),
    )
    assert added.details_dict() == {"shift": str(shift.pk), "user_id": team.mlo.pk, "role": "medico_legal_officer"}
    assignment_id = str(assignment.pk)
    assignment_remove(actor=team.head, assignment=assignment)
    assert not ShiftAssignment.objects.exists()
    (removed,) = events("roster.unassigned")
    assert removed.object_ref == assignment_id
    assert removed.details_dict()["user_id"] == team.mlo.pk


def test_assignment_refused_for_a_role_the_user_does_not_hold_in_the_cell(team, other_cell, staff) -> None:
    shift = shift_create(actor=team.head, cell=team.cell, starts_at=pkt(DAY, 8), ends_at=pkt(DAY, 16))
    other_mlo = staff(Role.MEDICO_LEGAL_OFFICER, other_cell, username="other-mlo", gender="female")
    # A psychologist of this cell as medico-legal officer; another cell's medico-legal officer.
    for user, role in [(team.psychologist, Role.MEDICO_LEGAL_OFFICER), (other_mlo, Role.MEDICO_LEGAL_OFFICER)]:
        with pytest.raises(ValidationError, match="does not hold that role in this cell"):
            assignment_add(actor=team.head, shift=shift, user=user, role=role)
    assert not ShiftAssignment.objects.exists()
    assert not events("roster.assigned")


def test_assignment_refused_once_the_membership_has_ended(team) -> None:
    shift = shift_create(actor=team.head, cell=team.cell, starts_at=pkt(DAY, 8), ends_at=pkt(DAY, 16))
    Membership.objects.filter(user=team.police).update(is_active=False)
    with pytest.raises(ValidationError, match="does not hold that role"):
        assignment_add(actor=team.head, shift=shift, user=team.police, role=Role.POLICE_LIAISON)


def test_one_assignment_per_user_per_shift(team) -> None:
    Membership.objects.create(user=team.mlo, cell=team.cell, role=Role.CASE_WORKER)
    shift = shift_create(actor=team.head, cell=team.cell, starts_at=pkt(DAY, 8), ends_at=pkt(DAY, 16))
    assignment_add(actor=team.head, shift=shift, user=team.mlo, role=Role.MEDICO_LEGAL_OFFICER)
    with pytest.raises(ValidationError, match="already on this shift"):
        assignment_add(actor=team.head, shift=shift, user=team.mlo, role=Role.CASE_WORKER)
    assert ShiftAssignment.objects.count() == 1


def test_auditors_are_never_on_duty(team, staff) -> None:
    auditor = staff(Role.AUDITOR, team.cell, username="cell-auditor")
    shift = shift_create(actor=team.head, cell=team.cell, starts_at=pkt(DAY, 8), ends_at=pkt(DAY, 16))
    with pytest.raises(ValidationError, match="not on duty rosters"):
        assignment_add(actor=team.head, shift=shift, user=auditor, role=Role.AUDITOR)


# --- Policy ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.DESK_OFFICER, Role.MEDICO_LEGAL_OFFICER, Role.CASE_WORKER, Role.AUDITOR])
def test_only_the_cell_head_changes_the_roster(team, staff, role) -> None:
    # Given a shift with the medico-legal officer on it, and a staff member who is not the head
    shift = team.shift(pkt(DAY, 8), pkt(DAY, 16), without=(Role.PSYCHOLOGIST, Role.POLICE_LIAISON))
    assignment = shift.assignments.get()
    someone = staff(role, team.cell, username=f"not-head-{role}")
    # Then every change is refused
    with pytest.raises(PermissionDenied):
        shift_create(actor=someone, cell=team.cell, starts_at=pkt(DAY, 16), ends_at=pkt(DAY, 24))
    with pytest.raises(PermissionDenied):
        shifts_create_standard(actor=someone, cell=team.cell, first_day=DAY, days=1)
    with pytest.raises(PermissionDenied):
        assignment_add(actor=someone, shift=shift, user=team.psychologist, role=Role.PSYCHOLOGIST)
    with pytest.raises(PermissionDenied):
        assignment_remove(actor=someone, assignment=assignment)
    with pytest.raises(PermissionDenied):
        shift_delete(actor=someone, shift=shift, remove_assignments=True)
    assert Shift.objects.count() == 1
    assert ShiftAssignment.objects.count() == 1


def test_another_cells_head_cannot_change_this_roster(team, other_cell, staff) -> None:
    other_head = staff(Role.CELL_HEAD, other_cell, username="other-head")
    with pytest.raises(PermissionDenied):
        shift_create(actor=other_head, cell=team.cell, starts_at=pkt(DAY, 8), ends_at=pkt(DAY, 16))
    assert not Shift.objects.exists()
