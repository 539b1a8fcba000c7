"""The police case, and every justice clock computed from its records, with boundaries."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from crisiscell.audit.models import AuditEvent
from crisiscell.cases.board import board_for, case_clocks
from crisiscell.cases.clocks import Clock
from crisiscell.cases.models import Case, ClockState, Task, TaskKind, TaskStatus
from crisiscell.cases.services import case_register
from crisiscell.cases.tests.helpers import child_intake, intake_data
from crisiscell.justice import services
from crisiscell.justice.selectors import day_start
from crisiscell.justice.tests.helpers import court, fir


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def clock(case: Case, key: str, now: datetime | None = None) -> Clock:
    case.refresh_from_db()
    return next(c for c in case_clocks(case, now=now or timezone.now()).clocks if c.key == key)


def old_case(cell, desk, *, days: int, child: bool = False) -> Case:
    arrival = timezone.now() - timedelta(days=days)
    data = child_intake(12, arrival_at=arrival) if child else intake_data(arrival_at=arrival)
    return case_register(actor=desk, cell=cell, data=data)


# --- The FIR --------------------------------------------------------------------------------------


def test_recording_the_fir_completes_the_fir_duty_and_meets_its_clock(case, liaison):
    registered = timezone.now() - timedelta(minutes=20)
    police_case = fir(liaison, case, registered_at=registered)
    duty = Task.objects.get(case=case, kind=TaskKind.FIR)
    assert duty.status == TaskStatus.DONE
    assert duty.closed_at == registered
    assert [o.code for o in police_case.sections.all()] == ["PPC-375"]
    (event,) = events("justice.fir_recorded")
    assert event.object_ref == case.code
    assert "PPC-375" in event.details
    assert events("task.closed")
    fir_clock = clock(case, "fir")
    assert fir_clock.state == ClockState.MET


def test_the_fir_clock_boundary_24_hours_from_arrival(cell, desk, liaison):
    on_time = old_case(cell, desk, days=3)
    fir(liaison, on_time, registered_at=on_time.arrival_at + timedelta(hours=24))
    assert clock(on_time, "fir").state == ClockState.MET
    late = old_case(cell, desk, days=3)
    fir(liaison, late, registered_at=late.arrival_at + timedelta(hours=24, minutes=1))
    assert clock(late, "fir").state == ClockState.MISSED


def test_an_fir_is_recorded_once_and_never_in_the_future(case, liaison):
    with pytest.raises(ValidationError):
        fir(liaison, case, registered_at=timezone.now() + timedelta(hours=1))
    fir(liaison, case)
    with pytest.raises(ValidationError, match="already recorded"):
        fir(liaison, case)


def test_a_case_worker_sees_but_cannot_record_the_fir(case, team):
    with pytest.raises(PermissionDenied):
        fir(team["case_worker"], case)


# --- Interim report: FIR + 14 + 3 days ------------------------------------------------------------


def test_the_interim_report_clock_starts_at_the_fir_and_runs_17_days(cell, desk, liaison):
    case = old_case(cell, desk, days=30)
    registered = case.arrival_at + timedelta(hours=2)
    fir(liaison, case, registered_at=registered)
    interim = clock(case, "interim_report", now=registered + timedelta(days=16))
    assert interim.state == ClockState.OPEN
    assert interim.deadline == registered + timedelta(days=17)
    assert interim.warning  # inside the last 3 days
    assert clock(case, "interim_report", now=registered + timedelta(days=17)).state == ClockState.OPEN
    missed = clock(case, "interim_report", now=registered + timedelta(days=17, seconds=1))
    assert missed.state == ClockState.MISSED


def _report(liaison, case: Case, **changes: date) -> None:
    police_case = case.police_case
    services.police_case_update(
        actor=liaison, police_case=police_case, expected_version=police_case.version, changes=changes
    )


def test_an_interim_report_on_day_17_meets_the_clock_and_on_day_18_misses_it(cell, desk, liaison):
    for offset, expected in ((17, ClockState.MET), (18, ClockState.MISSED)):
        case = old_case(cell, desk, days=40)
        registered = case.arrival_at + timedelta(hours=2)
        fir(liaison, case, registered_at=registered)
        _report(liaison, case, interim_report_on=timezone.localtime(registered).date() + timedelta(days=offset))
        assert clock(case, "interim_report").state == expected, offset
    (*_, event) = events("justice.police_case_updated")
    assert "interim_report_on" in event.details


def test_a_challan_before_the_deadline_also_meets_the_interim_clock(cell, desk, liaison):
    case = old_case(cell, desk, days=40)
    fir(liaison, case, registered_at=case.arrival_at + timedelta(hours=2))
    _report(liaison, case, challan_on=timezone.localtime(case.arrival_at).date() + timedelta(days=10))
    assert clock(case, "interim_report").state == ClockState.MET


def test_the_board_shows_the_interim_clock_once_the_fir_is_recorded(cell, desk, liaison, team):
    case = old_case(cell, desk, days=20)
    head = team["cell_head"]
    row = next(r for r in board_for(head, cell, now=timezone.now()) if r.case.pk == case.pk)
    assert "interim_report" not in [c.key for c in row.clocks]
    fir(liaison, case, registered_at=case.arrival_at + timedelta(hours=2))
    row = next(r for r in board_for(head, cell, now=timezone.now()) if r.case.pk == case.pk)
    interim = next(c for c in row.clocks if c.key == "interim_report")
    assert interim.state == ClockState.MISSED  # 20 days and no report


def test_the_police_case_update_refuses_a_stale_version_and_needs_the_notice_time(case, liaison):
    police_case = fir(liaison, case)
    with pytest.raises(ValidationError):
        services.police_case_update(
            actor=liaison, police_case=police_case, expected_version=police_case.version,
            changes={"rights_notice_given": True},
        )  # fmt: skip
    services.police_case_update(
        actor=liaison, police_case=police_case, expected_version=police_case.version,
        changes={"rights_notice_given": True, "rights_notice_at": timezone.now(),
                 "supervising_officer": "DSP (synthetic)"},
    )  # fmt: skip
    with pytest.raises(ValidationError, match="Someone else"):
        services.police_case_update(
            actor=liaison, police_case=police_case, expected_version=police_case.version,
            changes={"supervising_officer": "x"},
        )  # fmt: skip
    police_case.refresh_from_db()
    assert police_case.rights_notice_given
    assert police_case.supervising_officer == "DSP (synthetic)"


def test_a_transfer_on_her_dissatisfaction_and_an_arrest_are_recorded(case, liaison):
    police_case = fir(liaison, case)
    services.investigation_transfer(
        actor=liaison, police_case=police_case, requested_on=timezone.localdate(), reason="No progress (synthetic)"
    )
    police_case.refresh_from_db()
    assert police_case.transferred_to == "District head of investigation"
    services.arrest_record(actor=liaison, police_case=police_case, arrested_on=timezone.localdate(), count=2)
    assert police_case.arrests.get().count == 2
    assert len(events("justice.investigation_transferred")) == len(events("justice.arrest_recorded")) == 1


# --- Trial: 4 months from cognizance, 3 for a child -----------------------------------------------


@pytest.mark.parametrize(("child", "days"), [(False, 120), (True, 90)])
def test_the_trial_clock_runs_from_cognizance(cell, desk, liaison, child, days):
    case = old_case(cell, desk, days=300, child=child)
    cognizance = timezone.localdate() - timedelta(days=250)
    services.court_case_open(
        actor=liaison, case=case, special_court="Special Court (synthetic)", case_number="1", cognizance_on=cognizance
    )
    start = day_start(cognizance)
    assert start is not None
    trial = clock(case, "trial", now=start + timedelta(days=1))
    assert trial.state == ClockState.OPEN
    assert trial.deadline == start + timedelta(days=days)
    assert clock(case, "trial", now=start + timedelta(days=days)).state == ClockState.OPEN
    assert clock(case, "trial", now=start + timedelta(days=days, seconds=1)).state == ClockState.MISSED
    assert len(events("justice.court_case_opened")) == 1


@pytest.mark.parametrize(("child", "days", "offset", "expected"), [
    (False, 120, 120, ClockState.MET), (False, 120, 121, ClockState.MISSED),
    (True, 90, 90, ClockState.MET), (True, 90, 91, ClockState.MISSED),
])  # fmt: skip
def test_a_judgment_on_the_last_day_meets_the_trial_clock(cell, desk, liaison, child, days, offset, expected):
    case = old_case(cell, desk, days=300, child=child)
    cognizance = timezone.localdate() - timedelta(days=250)
    court_case = services.court_case_open(
        actor=liaison, case=case, special_court="Special Court (synthetic)", case_number="1", cognizance_on=cognizance
    )
    services.judgment_record(
        actor=liaison, court_case=court_case, judgment_on=cognizance + timedelta(days=offset), verdict="acquittal"
    )
    assert clock(case, "trial").state == expected
    assert len(events("justice.judgment_recorded")) == 1


# --- Appeal: 30 days from judgment ----------------------------------------------------------------


def _judged(cell, desk, liaison, *, judged_days_ago: int, verdict: str = "conviction") -> tuple[Case, object]:
    case = old_case(cell, desk, days=300)
    court_case = court(liaison, case, days_ago=200)
    convicted = verdict == "conviction"
    services.judgment_record(
        actor=liaison,
        court_case=court_case,
        judgment_on=timezone.localdate() - timedelta(days=judged_days_ago),
        verdict=verdict,
        convictions=[("PPC-375", "Imprisonment for life (synthetic)")] if convicted else None,
        compensation_pkr=500000 if convicted else None,
    )
    court_case.refresh_from_db()
    return case, court_case


def test_the_appeal_window_is_30_days_from_judgment_and_missed_after_an_acquittal(cell, desk, liaison):
    case, court_case = _judged(cell, desk, liaison, judged_days_ago=60, verdict="acquittal")
    start = day_start(court_case.judgment_on)
    assert start is not None
    appeal = clock(case, "appeal", now=start + timedelta(days=29))
    assert appeal.state == ClockState.OPEN
    assert appeal.deadline == start + timedelta(days=30)
    assert clock(case, "appeal", now=start + timedelta(days=30, seconds=1)).state == ClockState.MISSED


def test_after_a_conviction_the_window_closing_unused_makes_it_final_not_missed(cell, desk, liaison):
    # given a conviction two months ago
    case, court_case = _judged(cell, desk, liaison, judged_days_ago=60)
    start = day_start(court_case.judgment_on)
    assert start is not None
    # then the window is open for its 30 days (the accused may appeal, and the cell follows it)
    assert clock(case, "appeal", now=start + timedelta(days=29)).state == ClockState.OPEN
    # and once it closes with no appeal, the judgment is final: nothing the cell missed
    closed = clock(case, "appeal", now=start + timedelta(days=30, seconds=1))
    assert closed.state == ClockState.NOT_APPLICABLE
    assert "final" in str(closed.note)
    assert court_case.convictions.get().offence_id == "PPC-375"
    assert court_case.compensation_pkr == 500000


@pytest.mark.parametrize(("offset", "expected"), [(30, ClockState.MET), (31, ClockState.MISSED)])
def test_an_appeal_filed_on_day_30_is_in_time(cell, desk, liaison, offset, expected):
    case, court_case = _judged(cell, desk, liaison, judged_days_ago=60)
    appeal = services.appeal_record(
        actor=liaison, court_case=court_case, filed_on=court_case.judgment_on + timedelta(days=offset),
        filed_by="state", court="High Court (synthetic)",
    )  # fmt: skip
    assert clock(case, "appeal").state == expected
    services.appeal_decide(actor=liaison, appeal=appeal, outcome="upheld", decided_on=timezone.localdate())
    appeal.refresh_from_db()
    assert appeal.outcome == "upheld"
    assert len(events("justice.appeal_filed")) == len(events("justice.appeal_decided")) == 1


def test_a_judgment_is_recorded_once_and_a_conviction_needs_a_section(cell, desk, liaison):
    case = old_case(cell, desk, days=100)
    court_case = court(liaison, case, days_ago=50)
    with pytest.raises(ValidationError):
        services.judgment_record(
            actor=liaison, court_case=court_case, judgment_on=timezone.localdate(), verdict="conviction"
        )
    services.judgment_record(
        actor=liaison, court_case=court_case, judgment_on=timezone.localdate(), verdict="acquittal"
    )
    with pytest.raises(ValidationError, match="already recorded"):
        services.judgment_record(
            actor=liaison, court_case=court_case, judgment_on=timezone.localdate(), verdict="acquittal"
        )


# --- Legal aid: 7 days ----------------------------------------------------------------------------


def test_the_legal_aid_clock_is_7_days_from_the_application(cell, desk, adviser):
    case = old_case(cell, desk, days=30)
    applied = case.arrival_at + timedelta(hours=3)
    services.legal_aid_apply(actor=adviser, case=case, applied_at=applied)
    aid = clock(case, "legal_aid", now=applied + timedelta(days=6))
    assert aid.state == ClockState.OPEN
    assert aid.deadline == applied + timedelta(days=7)
    assert aid.warning
    assert clock(case, "legal_aid", now=applied + timedelta(days=7, seconds=1)).state == ClockState.MISSED
    assert Task.objects.get(case=case, kind=TaskKind.LEGAL_AID).status == TaskStatus.DONE
    assert len(events("justice.legal_aid_applied")) == 1


@pytest.mark.parametrize(
    ("after", "expected"), [(timedelta(days=7), ClockState.MET), (timedelta(days=7, minutes=1), ClockState.MISSED)]
)
def test_a_decision_on_day_7_is_in_time(cell, desk, adviser, after, expected):
    case = old_case(cell, desk, days=30)
    applied = case.arrival_at + timedelta(hours=3)
    aid = services.legal_aid_apply(actor=adviser, case=case, applied_at=applied)
    services.legal_aid_decide(actor=adviser, aid=aid, decision="granted", decided_at=applied + after)
    assert clock(case, "legal_aid").state == expected
    assert len(events("justice.legal_aid_decided")) == 1


def test_declining_legal_aid_closes_the_offer(case, adviser):
    services.legal_aid_decline(actor=adviser, case=case, reason="She wants to wait (synthetic)")
    offer = Task.objects.get(case=case, kind=TaskKind.LEGAL_AID)
    assert offer.status == TaskStatus.DECLINED
    (event,) = events("task.closed")
    assert "legal_aid" in event.details


def test_a_lawyer_is_assigned_only_from_the_cases_own_panel(case, adviser, staff, other_cell):
    aid = services.legal_aid_apply(actor=adviser, case=case, applied_at=timezone.now())
    ours = services.panel_lawyer_add(actor=adviser, cell=case.cell, name="Advocate A (synthetic)")
    other_adviser = staff("legal_adviser", other_cell, username="lhr-adv")
    theirs = services.panel_lawyer_add(actor=other_adviser, cell=other_cell, name="Advocate B (synthetic)")
    with pytest.raises(ValidationError):
        services.legal_aid_assign(actor=adviser, aid=aid, lawyer=theirs)
    services.legal_aid_assign(actor=adviser, aid=aid, lawyer=ours, support_adviser="Adviser (synthetic)")
    aid.refresh_from_db()
    assert aid.lawyer == ours
    assert aid.support_adviser == "Adviser (synthetic)"
    assert len(events("justice.legal_aid_assigned")) == 1
    assert len(events("justice.panel_lawyer_added")) == 2
