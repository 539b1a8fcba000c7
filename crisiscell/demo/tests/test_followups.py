"""The demo records most follow-up visits as attended and leaves its missed ones overdue."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from crisiscell.access.policy import Role
from crisiscell.accounts.models import User
from crisiscell.cases.models import Task, TaskKind, TaskStatus
from crisiscell.cases.rules_in_force import rules_in_force
from crisiscell.cases.services import case_close, case_register
from crisiscell.cases.tests.helpers import intake_data
from crisiscell.cells.models import Cell
from crisiscell.demo.followups import attended, ensure_follow_ups

pytestmark = pytest.mark.django_db


def test_due_visits_are_attended_or_missed_by_their_fixed_draw_and_nothing_else_changes(
    khi: Cell, khi_staff: Callable[[str], User]
) -> None:
    # given the demo network (no history): twelve open cases two to five months old, a recent
    # one, and an old one the cell has closed
    desk = khi_staff(Role.DESK_OFFICER)
    head = khi_staff(Role.CELL_HEAD)
    now = timezone.now()
    old = [
        case_register(actor=desk, cell=khi, data=intake_data(arrival_at=now - timedelta(days=60 + 9 * i)))
        for i in range(12)
    ]
    recent = case_register(actor=desk, cell=khi, data=intake_data(arrival_at=now - timedelta(days=3)))
    closed = case_register(actor=desk, cell=khi, data=intake_data(arrival_at=now - timedelta(days=90)))
    case_close(actor=head, case=closed, reason="services_completed")
    # when the demo records the visits
    recorded = ensure_follow_ups(now=now)
    # then each visit that has come due on an open case is done, by the case worker within three
    # days of its date, exactly when its draw says she came; the others stay open
    rules = rules_in_force()
    worker = khi_staff(Role.CASE_WORKER)
    done = missed = 0
    for visit in Task.objects.filter(case__in=old, kind=TaskKind.FOLLOW_UP).exclude(rule_key="pep_course"):
        due = visit.case.arrival_at + timedelta(hours=rules[visit.rule_key].hours)
        delay = attended(2024, visit.case.code, visit.rule_key)
        if due > now or delay is None:
            assert visit.status == TaskStatus.OPEN
            missed += due <= now
        else:
            assert visit.status == TaskStatus.DONE
            assert visit.closed_by == worker
            assert visit.closed_at == min(due + delay, now)
            assert due <= visit.closed_at <= due + timedelta(hours=72)
            done += 1
    assert recorded == done
    # most came, some did not (a fixed draw over the 32 visits that have come due)
    assert done > 2 * missed > 0
    # visits not yet due, and a closed case's, are untouched
    assert not Task.objects.filter(case__in=[recent, closed], kind=TaskKind.FOLLOW_UP).exclude(status=TaskStatus.OPEN)
    # and running it again records nothing new
    assert ensure_follow_ups(now=now) == 0
