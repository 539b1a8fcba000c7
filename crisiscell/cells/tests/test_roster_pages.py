"""The roster page, the cell head's forms, the board warning, the home link and new-case offers."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from crisiscell.access.policy import Role
from crisiscell.accounts.models import Membership
from crisiscell.cases.models import Alert
from crisiscell.cases.services import case_register
from crisiscell.cases.tests.helpers import intake_data
from crisiscell.cells.models import Shift, ShiftAssignment
from crisiscell.cells.services import assignment_add, shift_create
from crisiscell.cells.tests.helpers import UTC, Team
from crisiscell.tests.factories import login_client


@pytest.fixture
def team(cell, staff) -> Team:
    return Team(cell, staff)


@pytest.fixture
def desk(cell, staff):
    return staff(Role.DESK_OFFICER, cell, username="desk")


def roster_url(cell, **query: str) -> str:
    url = reverse("cells:roster", kwargs={"cell_code": cell.code})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def local(hours_from_now: float):
    return timezone.now().replace(second=0, microsecond=0) + timedelta(hours=hours_from_now)


def form_time(at) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%dT%H:%M")


# --- The roster page ---------------------------------------------------------------------------


def test_staff_see_who_is_on_duty_and_the_warnings_without_the_forms(team, desk) -> None:
    # Given a shift now with the medico-legal officer and the police liaison, but no psychologist
    team.shift(local(-2), local(6), without=(Role.PSYCHOLOGIST,))
    # When a desk officer opens the roster
    page = login_client(desk).get(roster_url(team.cell))
    # Then the shift, who is on it in which role, and the missing psychologist are shown, by text and symbol
    assert page.status_code == 200
    text = page.content.decode()
    assert team.mlo.display_name in text
    assert "Medico-legal officer" in text
    assert "Police liaison officer" in text
    assert "▲</span> No psychologist on duty." in text
    assert "✖</span> No shift: nobody is on duty." in text
    assert "Add a shift" not in text
    assert "Take off the shift" not in text


def test_the_cell_head_gets_the_forms(team) -> None:
    team.shift(local(-2), local(6))
    text = login_client(team.head).get(roster_url(team.cell)).content.decode()
    assert "Add a shift" in text
    assert "Add standard shifts" in text
    assert "Take off the shift" in text
    # Every rosterable member of the cell, in each of their roles, can be chosen.
    membership = Membership.objects.get(user=team.psychologist)
    assert f'value="{membership.pk}"' in text


@pytest.mark.parametrize("start", ["not-a-day", "0001-01-01", "9999-12-31", "2026-02-30"])
def test_a_malformed_or_far_start_falls_back_to_today(team, desk, start) -> None:
    page = login_client(desk).get(roster_url(team.cell, start=start))
    assert page.status_code == 200
    assert 'aria-current="page">From today' in page.content.decode()


def test_other_weeks_can_be_browsed(team, desk) -> None:
    day = timezone.localdate() + timedelta(days=30)
    page = login_client(desk).get(roster_url(team.cell, start=day.isoformat())).content.decode()
    assert f'id="day-{day.isoformat()}"' in page
    assert f'id="day-{(day + timedelta(days=7)).isoformat()}"' in page


# --- The cell head's changes -------------------------------------------------------------------


def test_the_head_adds_a_shift_and_a_week_of_standard_shifts(team) -> None:
    day = (timezone.localdate() + timedelta(days=30)).isoformat()
    client = login_client(team.head)
    response = client.post(
        reverse("cells:shift_create", kwargs={"cell_code": team.cell.code}),
        {"starts_at": f"{day}T08:00", "ends_at": f"{day}T16:00", "start": day},
    )
    assert response.status_code == 302
    assert response["Location"] == roster_url(team.cell, start=day)  # back to the week it was sent from
    shift = Shift.objects.get()
    # Entered in Karachi time, stored in UTC.
    assert (shift.starts_at, shift.ends_at) == (
        datetime.fromisoformat(f"{day}T03:00").replace(tzinfo=UTC),
        datetime.fromisoformat(f"{day}T11:00").replace(tzinfo=UTC),
    )
    response = client.post(
        reverse("cells:shift_week", kwargs={"cell_code": team.cell.code}), {"first_day": day, "days": "7"}
    )
    assert response.status_code == 302
    assert response["Location"] == roster_url(team.cell)
    assert Shift.objects.count() == 1 + 20  # the 08:00-16:00 slot of the first day was already planned


def test_an_overlapping_shift_is_refused_and_the_reason_shown(team) -> None:
    client = login_client(team.head)
    url = reverse("cells:shift_create", kwargs={"cell_code": team.cell.code})
    client.post(url, {"starts_at": "2030-01-01T08:00", "ends_at": "2030-01-01T16:00"})
    response = client.post(url, {"starts_at": "2030-01-01T12:00", "ends_at": "2030-01-01T20:00"})
    assert response.status_code == 400
    # Each time isolated left-to-right (LRI ... PDI), so that it reads the same in an Urdu sentence
    overlap = "This shift overlaps the shift from \u20662030-01-01 08:00\u2069 to \u20662030-01-01 16:00\u2069."
    assert overlap in response.content.decode()
    assert Shift.objects.count() == 1


def test_the_head_assigns_and_removes_staff(team) -> None:
    shift = shift_create(actor=team.head, cell=team.cell, starts_at=local(1), ends_at=local(9))
    client = login_client(team.head)
    membership = Membership.objects.get(user=team.psychologist)
    response = client.post(
        reverse("cells:assignment_add", kwargs={"cell_code": team.cell.code, "shift_id": shift.pk}),
        {"membership": membership.pk},
    )
    assert response.status_code == 302
    assignment = ShiftAssignment.objects.get()
    assert (assignment.user, assignment.role) == (team.psychologist, Role.PSYCHOLOGIST)
    # Assigning the same person again is refused, plainly.
    again = client.post(
        reverse("cells:assignment_add", kwargs={"cell_code": team.cell.code, "shift_id": shift.pk}),
        {"membership": membership.pk},
        follow=True,
    )
    assert "Not assigned: This staff member is already on this shift." in again.content.decode()
    # A shift with staff on it cannot be deleted until they are taken off.
    refused = client.post(
        reverse("cells:shift_delete", kwargs={"cell_code": team.cell.code, "shift_id": shift.pk}), follow=True
    )
    assert "Staff are assigned to this shift: remove them first." in refused.content.decode()
    client.post(
        reverse("cells:assignment_remove", kwargs={"cell_code": team.cell.code, "assignment_id": assignment.pk})
    )
    assert not ShiftAssignment.objects.exists()
    client.post(reverse("cells:shift_delete", kwargs={"cell_code": team.cell.code, "shift_id": shift.pk}))
    assert not Shift.objects.exists()


def test_a_membership_of_another_cell_cannot_be_chosen(team, other_cell, staff) -> None:
    shift = shift_create(actor=team.head, cell=team.cell, starts_at=local(1), ends_at=local(9))
    other = staff(Role.PSYCHOLOGIST, other_cell, username="other-psy")
    response = login_client(team.head).post(
        reverse("cells:assignment_add", kwargs={"cell_code": team.cell.code, "shift_id": shift.pk}),
        {"membership": Membership.objects.get(user=other).pk},
        follow=True,
    )
    assert "Not assigned: choose a staff member and role." in response.content.decode()
    assert not ShiftAssignment.objects.exists()


def test_a_desk_officer_cannot_change_the_roster(team, desk) -> None:
    shift = team.shift(local(1), local(9))
    assignment = shift.assignments.first()
    client = login_client(desk)
    code = team.cell.code
    attempts = [
        (reverse("cells:shift_create", kwargs={"cell_code": code}), {"starts_at": "2030-01-01T08:00",
                                                                    "ends_at": "2030-01-01T16:00"}),
        (reverse("cells:shift_week", kwargs={"cell_code": code}), {"first_day": "2030-01-01", "days": "7"}),
        (reverse("cells:shift_delete", kwargs={"cell_code": code, "shift_id": shift.pk}), {}),
        (reverse("cells:assignment_add", kwargs={"cell_code": code, "shift_id": shift.pk}),
         {"membership": Membership.objects.get(user=desk).pk}),
        (reverse("cells:assignment_remove", kwargs={"cell_code": code, "assignment_id": assignment.pk}), {}),
    ]  # fmt: skip
    for url, data in attempts:
        assert client.post(url, data).status_code == 403, url
    assert Shift.objects.count() == 1
    assert ShiftAssignment.objects.count() == 3


def test_a_shift_of_another_cell_is_not_found(team, other_cell, staff) -> None:
    other = Team(other_cell, staff, prefix="other-")
    their_shift = other.shift(local(1), local(9))
    response = login_client(team.head).post(
        reverse("cells:shift_delete", kwargs={"cell_code": team.cell.code, "shift_id": their_shift.pk})
    )
    assert response.status_code == 404
    assert Shift.objects.filter(pk=their_shift.pk).exists()


# --- The board and the home page ---------------------------------------------------------------


def test_the_board_warns_of_gaps_in_the_next_24_hours_and_links_the_roster(team, desk) -> None:
    team.shift(local(-1), local(7), without=(Role.POLICE_LIAISON,))
    page = login_client(desk).get(reverse("cases:board", kwargs={"cell_code": team.cell.code})).content.decode()
    assert "Duty roster gaps in the next 24 hours" in page
    assert "▲</span>" in page
    assert "No police liaison officer on duty." in page
    assert "No shift: nobody is on duty." in page  # nothing planned after the shift
    assert roster_url(team.cell) in page


def test_the_board_says_nothing_when_the_next_24_hours_are_covered(team, desk) -> None:
    start = local(-1)
    for offset in (0, 8, 16, 24):
        team.shift(start + timedelta(hours=offset), start + timedelta(hours=offset + 8))
    page = login_client(desk).get(reverse("cases:board", kwargs={"cell_code": team.cell.code})).content.decode()
    assert "Duty roster gaps" not in page


def test_home_links_the_roster_for_staff_who_see_cases(cell, desk, staff) -> None:
    page = login_client(desk).get(reverse("core:home")).content.decode()
    assert roster_url(cell) in page
    auditor = staff(Role.AUDITOR, cell, username="cell-auditor")
    assert roster_url(cell) not in login_client(auditor).get(reverse("core:home")).content.decode()


# --- New cases are offered to the staff on duty ------------------------------------------------


def test_a_new_case_is_offered_to_the_staff_on_duty_but_not_the_desk_officer_who_registered_it(
    team, desk, staff
) -> None:
    # Given a shift covering her arrival with the team and the desk officer on it, and a later shift
    now_shift = team.shift(local(-3), local(5))
    assignment_add(actor=team.head, shift=now_shift, user=desk, role=Role.DESK_OFFICER)
    later_psy = staff(Role.PSYCHOLOGIST, team.cell, username="later-psy", gender="female")
    later = shift_create(actor=team.head, cell=team.cell, starts_at=local(5), ends_at=local(13))
    assignment_add(actor=team.head, shift=later, user=later_psy, role=Role.PSYCHOLOGIST)
    # When the desk officer registers a case that arrived an hour ago
    case = case_register(actor=desk, cell=team.cell, data=intake_data(arrival_at=local(-1)))
    # Then the staff on duty get a NEW_CASE alert, the desk officer and the next shift do not
    offered = set(Alert.objects.filter(case=case, kind=Alert.Kind.NEW_CASE).values_list("user_id", flat=True))
    assert offered == {team.mlo.pk, team.psychologist.pk, team.police.pk}


def test_no_roster_no_offer(cell, desk) -> None:
    case = case_register(actor=desk, cell=cell, data=intake_data())
    assert not Alert.objects.filter(case=case).exists()
