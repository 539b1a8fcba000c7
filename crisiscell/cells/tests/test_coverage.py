"""The coverage check: every kind of gap, exact boundaries, Karachi midnight, two queries."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest

from crisiscell.access.policy import Role
from crisiscell.accounts.models import Membership, User
from crisiscell.cells.models import Shift
from crisiscell.cells.selectors import (
    Gap,
    GapKind,
    ShiftCover,
    coverage_gaps,
    gaps_between,
    on_duty_user_ids,
    roster_for,
)
from crisiscell.cells.services import assignment_add, shift_create, shifts_create_standard, standard_shift_times
from crisiscell.cells.tests.helpers import DAY, UTC, Team, pkt

ALL_NEEDS = frozenset({GapKind.NO_WOMAN_MLO, GapKind.NO_PSYCHOLOGIST, GapKind.NO_POLICE_LIAISON})


def cover(starts_at: datetime, ends_at: datetime, met: frozenset[GapKind] = ALL_NEEDS) -> ShiftCover:
    return ShiftCover(uuid.uuid4(), starts_at, ends_at, met)


@pytest.fixture
def team(cell, staff) -> Team:
    return Team(cell, staff)


def kinds(gaps: list[Gap]) -> list[str]:
    return [g.kind for g in gaps]


# --- The pure computation ---------------------------------------------------------------------


def test_an_empty_roster_is_one_stretch_with_no_shift() -> None:
    gaps = gaps_between(pkt(DAY, 0), pkt(DAY, 24), [])
    assert gaps == [Gap(GapKind.NO_SHIFT, pkt(DAY, 0), pkt(DAY, 24))]


def test_an_empty_or_reversed_window_has_no_gaps() -> None:
    assert gaps_between(pkt(DAY, 8), pkt(DAY, 8), []) == []
    assert gaps_between(pkt(DAY, 9), pkt(DAY, 8), []) == []


def test_shifts_reaching_past_the_window_are_clipped_to_it() -> None:
    # Given a night shift from 22:00 to 06:00 that lacks a psychologist
    night = cover(pkt(DAY, 22), pkt(DAY + timedelta(days=1), 6), ALL_NEEDS - {GapKind.NO_PSYCHOLOGIST})
    # When the window is the evening only
    gaps = gaps_between(pkt(DAY, 20), pkt(DAY, 24), [night])
    # Then the stretch before it has no shift, and its missing need is reported within the window
    assert gaps == [
        Gap(GapKind.NO_SHIFT, pkt(DAY, 20), pkt(DAY, 22)),
        Gap(GapKind.NO_PSYCHOLOGIST, pkt(DAY, 22), pkt(DAY, 24), shift_id=night.shift_id),
    ]


def test_shifts_outside_the_window_are_ignored() -> None:
    before = cover(pkt(DAY, 0), pkt(DAY, 8), frozenset())
    after = cover(pkt(DAY, 16), pkt(DAY, 24), frozenset())
    assert gaps_between(pkt(DAY, 8), pkt(DAY, 16), [before, after, cover(pkt(DAY, 8), pkt(DAY, 16))]) == []


def test_gaps_come_in_time_order_then_in_order_of_kind() -> None:
    bare = cover(pkt(DAY, 8), pkt(DAY, 16), frozenset())
    gaps = gaps_between(pkt(DAY, 0), pkt(DAY, 16), [bare])
    assert kinds(gaps) == [
        GapKind.NO_SHIFT,
        GapKind.NO_WOMAN_MLO,
        GapKind.NO_PSYCHOLOGIST,
        GapKind.NO_POLICE_LIAISON,
    ]
    assert gaps[0].symbol == "✖"
    assert gaps[1].symbol == "▲"
    assert gaps[1].message == "No woman medico-legal officer on duty."


# --- Against the database ---------------------------------------------------------------------


def test_a_fully_covered_day_gives_no_warning(team) -> None:
    for start, end in [(0, 8), (8, 16), (16, 24)]:
        team.shift(pkt(DAY, start), pkt(DAY, end))
    assert coverage_gaps(team.cell, pkt(DAY, 0), pkt(DAY, 24)) == []


def test_a_stretch_without_a_shift_is_a_gap_exact_to_the_minute(team) -> None:
    # Given a morning shift ending one minute early, and the evening shift
    team.shift(pkt(DAY, 8), pkt(DAY, 15, 59))
    team.shift(pkt(DAY, 16), pkt(DAY, 24))
    # When the day from 08:00 is checked
    gaps = coverage_gaps(team.cell, pkt(DAY, 8), pkt(DAY, 24))
    # Then the one uncovered minute is the only gap
    assert gaps == [Gap(GapKind.NO_SHIFT, pkt(DAY, 15, 59), pkt(DAY, 16))]


def test_windows_that_meet_a_shift_at_its_ends_do_not_include_it(team) -> None:
    team.shift(pkt(DAY, 8), pkt(DAY, 16), without=(Role.PSYCHOLOGIST,))
    assert kinds(coverage_gaps(team.cell, pkt(DAY, 8), pkt(DAY, 16))) == [GapKind.NO_PSYCHOLOGIST]
    # [16:00, 17:00) starts where the shift ends: only "no shift".
    assert coverage_gaps(team.cell, pkt(DAY, 16), pkt(DAY, 17)) == [Gap(GapKind.NO_SHIFT, pkt(DAY, 16), pkt(DAY, 17))]
    # [07:00, 08:00) ends where the shift starts: only "no shift".
    assert coverage_gaps(team.cell, pkt(DAY, 7), pkt(DAY, 8)) == [Gap(GapKind.NO_SHIFT, pkt(DAY, 7), pkt(DAY, 8))]
    # One minute into the shift is enough to see what it lacks.
    gaps = coverage_gaps(team.cell, pkt(DAY, 15, 59), pkt(DAY, 16, 1))
    assert gaps == [
        Gap(GapKind.NO_PSYCHOLOGIST, pkt(DAY, 15, 59), pkt(DAY, 16), shift_id=gaps[0].shift_id),
        Gap(GapKind.NO_SHIFT, pkt(DAY, 16), pkt(DAY, 16, 1)),
    ]


def test_a_shift_without_a_woman_medico_legal_officer_is_a_gap_and_a_man_does_not_count(team, staff) -> None:
    # Given a shift with a male medico-legal officer, the psychologist and the police liaison
    male_mlo = staff(Role.MEDICO_LEGAL_OFFICER, team.cell, username="male-mlo", gender="male")
    shift = team.shift(pkt(DAY, 8), pkt(DAY, 16), without=(Role.MEDICO_LEGAL_OFFICER,))
    assignment_add(actor=team.head, shift=shift, user=male_mlo, role=Role.MEDICO_LEGAL_OFFICER)
    # When the shift is checked
    gaps = coverage_gaps(team.cell, pkt(DAY, 8), pkt(DAY, 16))
    # Then it still lacks a woman medico-legal officer
    assert gaps == [Gap(GapKind.NO_WOMAN_MLO, pkt(DAY, 8), pkt(DAY, 16), shift_id=shift.pk)]


def test_a_woman_in_another_role_does_not_count_as_the_medico_legal_officer(team, staff) -> None:
    # The psychologist and police liaison are women, but neither examines.
    team.shift(pkt(DAY, 8), pkt(DAY, 16), without=(Role.MEDICO_LEGAL_OFFICER,))
    assert kinds(coverage_gaps(team.cell, pkt(DAY, 8), pkt(DAY, 16))) == [GapKind.NO_WOMAN_MLO]


def test_a_shift_without_a_psychologist_is_a_gap(team) -> None:
    shift = team.shift(pkt(DAY, 8), pkt(DAY, 16), without=(Role.PSYCHOLOGIST,))
    gaps = coverage_gaps(team.cell, pkt(DAY, 8), pkt(DAY, 16))
    assert gaps == [Gap(GapKind.NO_PSYCHOLOGIST, pkt(DAY, 8), pkt(DAY, 16), shift_id=shift.pk)]
    assert gaps[0].message == "No psychologist on duty."


def test_a_shift_without_a_police_liaison_is_a_gap(team) -> None:
    shift = team.shift(pkt(DAY, 8), pkt(DAY, 16), without=(Role.POLICE_LIAISON,))
    gaps = coverage_gaps(team.cell, pkt(DAY, 8), pkt(DAY, 16))
    assert gaps == [Gap(GapKind.NO_POLICE_LIAISON, pkt(DAY, 8), pkt(DAY, 16), shift_id=shift.pk)]


def test_an_empty_shift_lacks_every_need(team) -> None:
    team.shift(pkt(DAY, 8), pkt(DAY, 16), without=(Role.MEDICO_LEGAL_OFFICER, Role.PSYCHOLOGIST, Role.POLICE_LIAISON))
    assert kinds(coverage_gaps(team.cell, pkt(DAY, 8), pkt(DAY, 16))) == [
        GapKind.NO_WOMAN_MLO,
        GapKind.NO_PSYCHOLOGIST,
        GapKind.NO_POLICE_LIAISON,
    ]


def test_staff_deactivated_or_moved_after_rostering_do_not_cover_the_shift(team) -> None:
    # Given a fully covered shift
    team.shift(pkt(DAY, 8), pkt(DAY, 16))
    # When the psychologist's membership ends and the police liaison's account is deactivated
    Membership.objects.filter(user=team.psychologist).update(is_active=False)
    User.objects.filter(pk=team.police.pk).update(is_active=False)
    # Then the shift lacks both, and neither is on duty
    assert kinds(coverage_gaps(team.cell, pkt(DAY, 8), pkt(DAY, 16))) == [
        GapKind.NO_PSYCHOLOGIST,
        GapKind.NO_POLICE_LIAISON,
    ]
    assert on_duty_user_ids(team.cell, pkt(DAY, 9)) == [team.mlo.pk]


def test_another_cells_roster_does_not_cover_this_one(team, other_cell, staff) -> None:
    other = Team(other_cell, staff, prefix="other-")
    other.shift(pkt(DAY, 8), pkt(DAY, 16))
    assert coverage_gaps(team.cell, pkt(DAY, 8), pkt(DAY, 16)) == [Gap(GapKind.NO_SHIFT, pkt(DAY, 8), pkt(DAY, 16))]
    assert on_duty_user_ids(team.cell, pkt(DAY, 9)) == []


def test_standard_shifts_start_at_karachi_midnight() -> None:
    times = standard_shift_times(DAY, 1)
    # 00:00 in Karachi is 19:00 UTC the evening before.
    assert times[0] == (datetime(2026, 3, 9, 19, 0, tzinfo=UTC), datetime(2026, 3, 10, 3, 0, tzinfo=UTC))
    assert times[1] == (pkt(DAY, 8), pkt(DAY, 16))
    assert times[2] == (pkt(DAY, 16), datetime(2026, 3, 10, 19, 0, tzinfo=UTC))


def test_a_missing_night_shift_is_a_gap_from_karachi_midnight(team) -> None:
    # Given the standard day with its night shift (00:00-08:00 Karachi) deleted
    shifts_create_standard(actor=team.head, cell=team.cell, first_day=DAY, days=1)
    Shift.objects.filter(starts_at=pkt(DAY, 0)).delete()
    # When the Karachi day is checked
    gaps = coverage_gaps(team.cell, pkt(DAY, 0), pkt(DAY, 24))
    # Then the first gap runs from Karachi midnight (19:00 UTC the day before) to 08:00
    assert gaps[0] == Gap(GapKind.NO_SHIFT, datetime(2026, 3, 9, 19, 0, tzinfo=UTC), pkt(DAY, 8))
    assert all(g.kind != GapKind.NO_SHIFT for g in gaps[1:])


def test_on_duty_at_the_change_of_shift_is_the_next_shift(team, staff) -> None:
    evening_mlo = staff(Role.MEDICO_LEGAL_OFFICER, team.cell, username="evening-mlo", gender="female")
    team.shift(pkt(DAY, 8), pkt(DAY, 16), without=(Role.PSYCHOLOGIST, Role.POLICE_LIAISON))
    evening = shift_create(actor=team.head, cell=team.cell, starts_at=pkt(DAY, 16), ends_at=pkt(DAY, 24))
    assignment_add(actor=team.head, shift=evening, user=evening_mlo, role=Role.MEDICO_LEGAL_OFFICER)
    assert on_duty_user_ids(team.cell, pkt(DAY, 8)) == [team.mlo.pk]
    assert on_duty_user_ids(team.cell, pkt(DAY, 15, 59)) == [team.mlo.pk]
    assert on_duty_user_ids(team.cell, pkt(DAY, 16)) == [evening_mlo.pk]
    assert on_duty_user_ids(team.cell, pkt(DAY, 24)) == []


def test_coverage_reads_two_queries_whatever_the_number_of_shifts(team, django_assert_num_queries) -> None:
    team.shift(pkt(DAY, 8), pkt(DAY, 16))
    with django_assert_num_queries(2):
        coverage_gaps(team.cell, pkt(DAY, 0), pkt(DAY, 24))
    shifts_create_standard(actor=team.head, cell=team.cell, first_day=DAY, days=7)
    with django_assert_num_queries(2):
        gaps = coverage_gaps(team.cell, pkt(DAY, 0), pkt(DAY + timedelta(days=7), 0))
    assert len(gaps) == 20 * 3  # every standard shift but the staffed one lacks all three


def test_coverage_reads_one_cell_without_joining_the_cells_table(team, django_assert_num_queries) -> None:
    """The board checks coverage on every refresh: a join for nothing costs planning each time."""
    team.shift(pkt(DAY, 8), pkt(DAY, 16))
    with django_assert_num_queries(2) as queries:
        coverage_gaps(team.cell, pkt(DAY, 0), pkt(DAY, 24))
    assert [q["sql"] for q in queries.captured_queries if '"cells_cell"' in q["sql"]] == []


def test_the_roster_reads_in_constant_queries(team, django_assert_num_queries) -> None:
    shifts_create_standard(actor=team.head, cell=team.cell, first_day=DAY, days=2)
    head = User.objects.get(pk=team.head.pk)  # memberships are loaded once per request
    with django_assert_num_queries(3):  # memberships, shifts, assignments with staff
        roster = roster_for(head, team.cell, pkt(DAY, 0), pkt(DAY + timedelta(days=2), 0))
    assert [len(day.rows) for day in roster.days] == [3, 3]


def test_the_roster_splits_a_long_stretch_without_shifts_by_karachi_day(team) -> None:
    team.shift(pkt(DAY, 8), pkt(DAY, 16))
    roster = roster_for(team.head, team.cell, pkt(DAY, 0), pkt(DAY + timedelta(days=2), 0), now=pkt(DAY, 12))
    first, second = roster.days
    assert [(r.starts_at, r.ends_at, r.shift is None) for r in first.rows] == [
        (pkt(DAY, 0), pkt(DAY, 8), True),
        (pkt(DAY, 8), pkt(DAY, 16), False),
        (pkt(DAY, 16), pkt(DAY, 24), True),
    ]
    assert [(r.starts_at, r.ends_at) for r in second.rows] == [(pkt(DAY, 24), pkt(DAY + timedelta(days=2), 0))]
    # Warnings are what lies ahead of "now" (noon on the first day): the covered shift has none.
    assert roster.warnings == [Gap(GapKind.NO_SHIFT, pkt(DAY, 16), pkt(DAY + timedelta(days=2), 0))]
