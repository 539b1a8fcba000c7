"""The demo records the examinations that never happened, as a cell would, instead of leaving them overdue."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from crisiscell.access.policy import Role
from crisiscell.accounts.models import User
from crisiscell.cases import board
from crisiscell.cases.models import Task, TaskKind, TaskStatus
from crisiscell.cases.services import case_close
from crisiscell.cells.models import Cell
from crisiscell.demo.medical import DECLINED_CARE, DID_NOT_RETURN, ensure_unexamined_recorded
from crisiscell.medical.services import examination_start
from crisiscell.medical.tests.helpers import consenting_case

pytestmark = pytest.mark.django_db


def test_an_old_open_case_never_examined_has_its_duty_declined_with_why_and_nothing_else_is_touched(
    khi: Cell, khi_staff: Callable[[str], User]
) -> None:
    # given cases older than a week: one who declined medical care, one who did not come back,
    # one whose examination was begun; a case from two days ago, and an old case the cell closed
    desk, examiner = khi_staff(Role.DESK_OFFICER), khi_staff(Role.MEDICO_LEGAL_OFFICER)
    now = timezone.now()
    weeks_ago = now - timedelta(days=20)
    declined = consenting_case(desk, khi, arrival_at=weeks_ago, choice_medical="no")
    left = consenting_case(desk, khi, arrival_at=weeks_ago)
    begun = consenting_case(desk, khi, arrival_at=weeks_ago)
    examination_start(actor=examiner, case=begun, started_at=weeks_ago + timedelta(hours=1))
    recent = consenting_case(desk, khi, arrival_at=now - timedelta(days=2))
    closed = consenting_case(desk, khi, arrival_at=weeks_ago)
    case_close(actor=khi_staff(Role.CELL_HEAD), case=closed, reason="services_completed")
    assert board.case_clocks(left, now=now).overdue
    # when the demo records them
    assert ensure_unexamined_recorded(now=now) == 2
    # then the officer has declined the duty of each, three hours after she arrived, saying why
    for case, reason in ((declined, DECLINED_CARE), (left, DID_NOT_RETURN)):
        duty = Task.objects.get(case=case, kind=TaskKind.MLE)
        assert (duty.status, duty.reason, duty.closed_by) == (TaskStatus.DECLINED, reason, examiner)
        assert duty.closed_at == case.arrival_at + timedelta(hours=3)
        mle = next(clock for clock in board.case_clocks(case, now=now).clocks if clock.key == "mle")
        assert not mle.overdue
    # and the begun examination, the recent case and the closed case keep their duty open
    for case in (begun, recent, closed):
        assert Task.objects.get(case=case, kind=TaskKind.MLE).status == TaskStatus.OPEN
    assert ensure_unexamined_recorded(now=now) == 0
