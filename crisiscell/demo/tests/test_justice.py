"""After the FIR the demo records what its draws say followed: investigation, trial, legal aid."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from crisiscell.access.policy import Role
from crisiscell.accounts.models import User
from crisiscell.cases.models import Case
from crisiscell.cases.services import case_register
from crisiscell.cases.tests.helpers import intake_data
from crisiscell.cells.models import Cell
from crisiscell.demo.justice import JusticeCounts, ensure_justice, path_after_fir, refusal_recorded
from crisiscell.demo.police import ensure_police, registered_after
from crisiscell.justice.models import (
    AppealOutcome,
    CourtCase,
    LegalAidDecision,
    PanelLawyer,
    PoliceCase,
    RegistrationRefusal,
    Verdict,
)

pytestmark = pytest.mark.django_db


def _reporting_cases(khi: Cell, desk: User, n: int) -> list[Case]:
    now = timezone.now()
    return [
        case_register(
            actor=desk, cell=khi, data=intake_data(choice_police="now", arrival_at=now - timedelta(days=60 + 25 * i))
        )
        for i in range(n)
    ]


def test_each_police_case_follows_its_draws_up_to_today_and_nothing_twice(
    khi: Cell, khi_staff: Callable[[str], User]
) -> None:
    # given the demo network and twenty-four survivors who reported, two months to twenty months ago,
    # and the FIRs their draws say the police registered
    cases = _reporting_cases(khi, khi_staff(Role.DESK_OFFICER), 24)
    now = timezone.now()
    today = timezone.localdate()
    ensure_police(now=now)
    # when the demo records what followed
    counts = ensure_justice(now=now)
    # then each police case has exactly the steps its draws put on or before today
    adviser = khi_staff(Role.LEGAL_ADVISER)
    seen = JusticeCounts()
    for case in cases:
        police_case = PoliceCase.objects.filter(case=case).first()
        if police_case is None:
            assert registered_after(2024, case.code) is None
            assert RegistrationRefusal.objects.filter(case=case).exists() == refusal_recorded(2024, case.code)
            seen.refusals += refusal_recorded(2024, case.code)
            continue
        path = path_after_fir(2024, case.code)
        fir_day = timezone.localtime(police_case.registered_at).date()
        assert police_case.rights_notice_given == (path.rights_notice is not None)
        if path.rights_notice:
            assert police_case.rights_notice_at == police_case.registered_at + path.rights_notice
        arrests = list(police_case.arrests.all())
        assert len(arrests) == (1 if path.arrest else 0)
        seen.arrests += len(arrests)
        if path.arrest:
            assert arrests[0].arrested_on == fir_day + path.arrest
        statement = getattr(case, "section164", None)
        assert (statement is not None) == (path.s164_requested is not None)
        if statement is not None and path.s164_requested is not None:
            assert statement.requested_on == fir_day + path.s164_requested
            assert (statement.recorded_on is not None) == (path.s164_recorded is not None)
            seen.statements += statement.recorded_on is not None
        seen.compromises += case.compromise_attempts.count()
        aid = getattr(case, "legal_aid", None)
        assert (aid is not None) == (path.legal_aid_applied is not None)
        if aid is not None:
            seen.legal_aid += 1
            assert aid.recorded_by == adviser
            if aid.decided_at is not None:
                assert aid.decision == (
                    LegalAidDecision.GRANTED if path.legal_aid_granted else LegalAidDecision.REFUSED
                )
                assert (aid.lawyer is not None) == path.legal_aid_granted
                assert aid.lawyer is None or aid.lawyer.cell == khi
        if path.challan is None or fir_day + path.challan > today:
            assert police_case.challan_on is None
            assert not CourtCase.objects.filter(case=case).exists()
            continue
        assert police_case.challan_on == fir_day + path.challan
        court = CourtCase.objects.filter(case=case).first()
        cognizance_on = police_case.challan_on + path.cognizance if path.cognizance else None
        assert (court is not None) == (cognizance_on is not None and cognizance_on <= today)
        if court is None or cognizance_on is None:
            continue
        seen.court_cases += 1
        assert court.cognizance_on == cognizance_on
        assert "(demo)" in court.special_court
        assert "(demo)" in court.case_number
        due = [cognizance_on + after for after in path.hearings if cognizance_on + after <= today]
        held = list(court.hearings.order_by("held_on"))
        assert [h.held_on for h in held] == due
        assert [h.adjourned for h in held] == path.adjourned[: len(due)]
        seen.hearings += len(held)
        judged = path.judgment is not None and cognizance_on + path.judgment <= today
        assert (court.judgment_on is not None) == judged
        if judged:
            seen.judgments += 1
            assert court.verdict == (Verdict.CONVICTION if path.convicted else Verdict.ACQUITTAL)
            assert court.convictions.count() == (case.offences.count() if path.convicted else 0)
            seen.appeals += court.appeals.count()
            for appeal in court.appeals.all():
                assert appeal.outcome in {AppealOutcome.PENDING, path.appeal_outcome}
    assert counts == seen
    # a run that finds all of that: arrests, statements, legal aid and trials, some judged
    found = (counts.arrests, counts.statements, counts.legal_aid, counts.court_cases, counts.hearings, counts.judgments)
    assert min(found) > 0
    # each cell has its panel of three synthetic lawyers
    assert sorted(PanelLawyer.objects.filter(cell=khi).values_list("name", flat=True)) == [
        "Panel lawyer 1 (demo)",
        "Panel lawyer 2 (demo)",
        "Panel lawyer 3 (demo)",
    ]
    # and a second run records nothing more
    assert ensure_justice(now=now) == JusticeCounts()
    assert PanelLawyer.objects.filter(cell=khi).count() == 3


def test_a_later_run_records_the_steps_whose_day_came_since_and_ends_as_one_run_would(
    khi: Cell, khi_staff: Callable[[str], User]
) -> None:
    # given twelve survivors who reported, and FIRs recorded
    cases = _reporting_cases(khi, khi_staff(Role.DESK_OFFICER), 12)
    now = timezone.now()
    ensure_police(now=now)
    # when the demo ran five months ago, and runs again today
    earlier = ensure_justice(now=now - timedelta(days=150))
    later = ensure_justice(now=now)
    # then the second run added the steps that came due since, the first none from after its day
    assert later.hearings > 0
    first_day = timezone.localdate() - timedelta(days=150)
    for court in CourtCase.objects.filter(case__in=cases):
        held = list(court.hearings.order_by("held_on"))
        assert len({h.held_on for h in held}) == len(held)  # no hearing recorded twice
        path = path_after_fir(2024, court.case.code)
        assert [h.adjourned for h in held] == path.adjourned[: len(held)]
    total = {name: getattr(earlier, name) + getattr(later, name) for name in vars(earlier)}
    assert total["hearings"] == sum(c.hearings.count() for c in CourtCase.objects.filter(case__in=cases))
    assert earlier.hearings == sum(
        c.hearings.filter(held_on__lte=first_day).count() for c in CourtCase.objects.filter(case__in=cases)
    )
