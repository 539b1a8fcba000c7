"""The demo records most FIRs and a share of interim reports, each as its fixed draw says."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from crisiscell.access.policy import Role
from crisiscell.accounts.models import User
from crisiscell.cases.models import Task, TaskKind, TaskStatus
from crisiscell.cases.services import case_register
from crisiscell.cases.tests.helpers import intake_data
from crisiscell.cells.models import Cell
from crisiscell.demo.police import ensure_police, interim_sent_after, registered_after
from crisiscell.justice.models import PoliceCase

pytestmark = pytest.mark.django_db


def test_firs_and_interim_reports_follow_their_draws_and_only_for_survivors_who_chose_to_report(
    khi: Cell, khi_staff: Callable[[str], User]
) -> None:
    # given the demo network (no history): twenty-four open cases, two to sixteen weeks old, whose
    # survivors chose to report now, one who chose later, and one who arrived an hour ago
    desk = khi_staff(Role.DESK_OFFICER)
    now = timezone.now()
    reporting = [
        case_register(
            actor=desk, cell=khi, data=intake_data(choice_police="now", arrival_at=now - timedelta(days=14 + 4 * i))
        )
        for i in range(24)
    ]
    later = case_register(
        actor=desk, cell=khi, data=intake_data(choice_police="later", arrival_at=now - timedelta(days=30))
    )
    just_came = case_register(
        actor=desk, cell=khi, data=intake_data(choice_police="now", arrival_at=now - timedelta(hours=1))
    )
    # when the demo records what the police did
    firs, reports = ensure_police(now=now)
    # then a case has an FIR, recorded by the liaison with its FIR duty done, exactly when its draw
    # says the police registered one by now; and an interim report exactly when that draw says so
    liaison = khi_staff(Role.POLICE_LIAISON)
    with_fir = with_report = 0
    for case in reporting:
        after = registered_after(2024, case.code)
        police_case = PoliceCase.objects.filter(case=case).first()
        fir_duty = Task.objects.get(case=case, kind=TaskKind.FIR)
        if after is None:
            assert police_case is None
            assert fir_duty.status == TaskStatus.OPEN
            continue
        assert police_case is not None
        assert police_case.registered_at == case.arrival_at + after
        assert police_case.recorded_by == liaison
        assert fir_duty.status == TaskStatus.DONE
        with_fir += 1
        sent = interim_sent_after(2024, case.code)
        if sent is None or police_case.registered_at + sent > now:
            assert police_case.interim_report_on is None
        else:
            assert police_case.interim_report_on == timezone.localtime(police_case.registered_at + sent).date()
            with_report += 1
    assert (firs, reports) == (with_fir, with_report)
    # most were registered, not all (a fixed draw over 24 cases); some reports came, some did not
    assert len(reporting) > with_fir > len(reporting) // 2
    assert with_fir > with_report > 0
    # nothing for a survivor who has not chosen to report, nor one who came an hour ago
    assert not PoliceCase.objects.filter(case__in=[later, just_came]).exists()
    # and running it again records nothing new
    assert ensure_police(now=now) == (0, 0)
