"""Section 164 once only, adjournments, compromise, the pages, and outcomes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from crisiscell.audit.models import AuditEvent
from crisiscell.cases.models import Offence
from crisiscell.justice import selectors, services
from crisiscell.justice.tests.helpers import court, fir, release_consent, statement


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


# --- Section 164: once only (ARITA s.14) ----------------------------------------------------------


def test_section_164_is_recorded_once_and_a_second_is_refused_citing_arita_s14(case, liaison):
    services.section164_request(
        actor=liaison, case=case, requested_on=timezone.localdate(), magistrate="Judicial Magistrate (synthetic)"
    )
    record = services.section164_record(
        actor=liaison, case=case, recorded_on=timezone.localdate(), magistrate="Judicial Magistrate (synthetic)",
        video_recorded=True, support_adviser_present=True,
    )  # fmt: skip
    assert record.recorded_on == timezone.localdate()
    assert record.support_adviser_present
    with pytest.raises(ValidationError, match=r"ARITA s\.14") as refused:
        services.section164_record(
            actor=liaison, case=case, recorded_on=timezone.localdate(), magistrate="Another (synthetic)",
            video_recorded=False, support_adviser_present=False,
        )  # fmt: skip
    assert refused.value.code == "arita_s14"
    record.refresh_from_db()
    assert record.magistrate == "Judicial Magistrate (synthetic)"
    assert record.video_recorded
    assert len(events("justice.magistrate_statement_recorded")) == 1
    assert len(events("justice.magistrate_statement_refused")) == 1
    assert len(events("justice.magistrate_statement_requested")) == 1
    with pytest.raises(ValidationError, match=r"ARITA s\.14"):
        services.section164_request(actor=liaison, case=case, requested_on=timezone.localdate(), magistrate="")


def test_the_page_shows_the_s14_refusal_to_whoever_tries_again(case, liaison, logged_in):
    client = logged_in(liaison)
    url = reverse("justice:s164_record", kwargs={"code": case.code})
    data = {"recorded_on": timezone.localdate().isoformat(), "magistrate": "Judicial Magistrate (synthetic)"}
    client.post(url, data)
    page = client.post(url, data, follow=True).content.decode()
    assert "ARITA s.14" in page


# --- Hearings and adjournments (ARITA s.16) ------------------------------------------------------


def test_the_third_adjournment_is_flagged(case, liaison):
    court_case = court(liaison, case, days_ago=30)
    hearings = [
        services.hearing_record(
            actor=liaison,
            court_case=court_case,
            held_on=timezone.localdate() - timedelta(days=20 - i),
            what_happened="Listed (synthetic)",
            adjourned=adjourned,
            adjournment_reason="Defence counsel absent",
        )
        for i, adjourned in enumerate([True, False, True, True])
    ]
    assert [h.adjournment_number for h in hearings] == [1, 0, 2, 3]
    assert [h.over_limit for h in hearings] == [False, False, False, True]
    view = selectors.justice_view_for(liaison, case)
    assert view.adjournments == 3
    assert view.adjournments_over_limit
    *_, last = events("justice.hearing_recorded")
    assert '"over_limit":true' in last.details
    with pytest.raises(ValidationError):
        services.hearing_record(
            actor=liaison, court_case=court_case, held_on=timezone.localdate(), what_happened="x", adjourned=True
        )


def test_two_adjournments_are_not_flagged(case, liaison):
    court_case = court(liaison, case, days_ago=30)
    for i in range(2):
        services.hearing_record(
            actor=liaison, court_case=court_case, held_on=timezone.localdate() - timedelta(days=i),
            what_happened="Listed (synthetic)", adjourned=True, adjournment_reason="Court busy",
        )  # fmt: skip
    assert not selectors.justice_view_for(liaison, case).adjournments_over_limit


# --- Compromise in a non-compoundable offence ----------------------------------------------------


def test_a_compromise_in_a_non_compoundable_offence_is_flagged(case, liaison):
    fir(liaison, case)  # PPC 375: not compoundable
    attempt = services.compromise_record(
        actor=liaison, case=case, reported_on=timezone.localdate(), note="Elders offered money (synthetic)"
    )
    assert attempt.non_compoundable
    assert selectors.justice_view_for(liaison, case).compromise_flagged
    (event,) = events("justice.compromise_recorded")
    assert '"non_compoundable":true' in event.details


def test_a_compromise_in_a_compoundable_offence_is_not_flagged(case, liaison):
    Offence.objects.create(code="TEST-1", law="PPC", section="0", title="Compoundable (synthetic)", compoundable=True)
    services.fir_record(
        actor=liaison, case=case, fir_number="9", police_station="PS (synthetic)",
        registered_at=timezone.now() - timedelta(hours=1), section_codes=["TEST-1"],
    )  # fmt: skip
    attempt = services.compromise_record(
        actor=liaison, case=case, reported_on=timezone.localdate(), note="Settled (synthetic)"
    )
    assert not attempt.non_compoundable
    (event,) = events("justice.compromise_recorded")
    assert '"non_compoundable":false' in event.details


# --- Pages ---------------------------------------------------------------------------------------


def test_the_justice_page_shows_the_clocks_and_is_audited(case, liaison, adviser, logged_in):
    fir(liaison, case)
    page = logged_in(adviser).get(reverse("justice:page", kwargs={"code": case.code})).content.decode()
    assert "123/2026" in page
    assert "Interim investigation report" in page
    assert "Draft the FIR application" in page
    assert len(events("justice.viewed")) == 1


def test_the_case_page_has_a_justice_panel_only_for_the_legal_section(case, team, logged_in):
    url = reverse("cases:detail", kwargs={"code": case.code})
    assert 'id="justice-h"' in logged_in(team["case_worker"]).get(url).content.decode()
    assert 'id="justice-h"' not in logged_in(team["psychologist"]).get(url).content.decode()
    assert 'id="justice-h"' not in logged_in(team["medico_legal_officer"]).get(url).content.decode()


def test_the_case_page_panel_says_where_the_fir_and_the_trial_stand(case, team, liaison, logged_in):
    url = reverse("cases:detail", kwargs={"code": case.code})
    page = logged_in(team["case_worker"]).get(url).content.decode()
    assert "Not registered" in page
    services.refusal_record(actor=liaison, case=case, police_station="PS (synthetic)", refused_on=timezone.localdate())
    assert "Refused by the police" in logged_in(team["case_worker"]).get(url).content.decode()
    fir(liaison, case)
    court_case = court(liaison, case)
    services.judgment_record(
        actor=liaison, court_case=court_case, judgment_on=timezone.localdate(), verdict="acquittal"
    )
    page = logged_in(team["case_worker"]).get(url).content.decode()
    assert '<span dir="ltr">123/2026</span> · Police Station Saddar (synthetic)' in page
    assert "Refused by the police" not in page
    assert "Special Court (Anti-Rape) I (synthetic) · Acquittal" in page


def test_the_draft_view_names_the_missing_consent(case, adviser, logged_in):
    client = logged_in(adviser)
    url = reverse("justice:fir_draft", kwargs={"code": case.code})
    page = client.post(url, {"language": "en", "police_station": "PS (synthetic)"}, follow=True).content.decode()
    assert "Release to the police" in page


def test_the_draft_view_returns_the_pdf_on_consent(case, adviser, desk, logged_in):
    release_consent(desk, case)
    statement(adviser, case)
    response = logged_in(adviser).post(
        reverse("justice:fir_draft", kwargs={"code": case.code}), {"language": "ur", "police_station": "PS"}
    )
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    assert "fir-application-ur.pdf" in response["Content-Disposition"]


def test_recording_the_fir_through_the_page_closes_the_duty(case, liaison, logged_in):
    registered = timezone.localtime() - timedelta(minutes=30)
    logged_in(liaison).post(
        reverse("justice:fir_record", kwargs={"code": case.code}),
        {"fir_number": "77/2026", "police_station": "PS (synthetic)",
         "registered_at": registered.strftime("%Y-%m-%dT%H:%M"), "sections": ["PPC-375"]},
    )  # fmt: skip
    assert case.tasks.get(kind="fir").status == "done"
    assert case.police_case.fir_number == "77/2026"


# --- Outcomes ------------------------------------------------------------------------------------


def test_outcomes_give_time_to_fir_time_to_verdict_and_conviction(case, liaison, team):
    registered = case.arrival_at + timedelta(minutes=30)
    fir(liaison, case, registered_at=registered)
    court_case = court(liaison, case, days_ago=0)
    services.judgment_record(
        actor=liaison, court_case=court_case, judgment_on=timezone.localdate(), verdict="conviction",
        convictions=[("PPC-375", "Imprisonment (synthetic)")],
    )  # fmt: skip
    (outcome,) = selectors.case_outcomes([case])
    assert outcome.time_to_fir == timedelta(minutes=30)
    assert outcome.convicted is True
    assert outcome.verdict == "conviction"
    assert outcome.time_to_verdict is not None
    assert outcome.time_to_verdict == selectors.day_start(timezone.localdate()) - registered
    from django.http import Http404

    with pytest.raises(Http404):
        selectors.outcomes_for(team["psychologist"], case.cell)
    assert [o.case_code for o in selectors.outcomes_for(team["cell_head"], case.cell)] == [case.code]
    assert len(events("stats.viewed")) == 1


# --- The case page's panel ----------------------------------------------------------------------


def _summary_as_view(summary, view):
    """The panel's summary, side by side with the same facts from the full justice view."""
    police, court, aid, s164 = view.police_case, view.court_case, view.legal_aid, view.section164
    return (
        (summary.fir_number, summary.police_station, summary.fir_registered_at, summary.refused,
         summary.section164_requested, summary.section164_recorded_on, summary.special_court, summary.judgment_on,
         summary.verdict, summary.legal_aid_applied, summary.legal_aid_decided, summary.legal_aid_decision,
         summary.adjournments_over_limit, summary.compromise_flagged),
        (police.fir_number if police else None, police.police_station if police else "",
         police.registered_at if police else None, bool(view.refusals) and police is None,
         s164 is not None, s164.recorded_on if s164 else None, court.special_court if court else None,
         court.judgment_on if court else None, court.get_verdict_display() if court else "",
         aid is not None, bool(aid and aid.decided_at), aid.get_decision_display() if aid else "",
         view.adjournments_over_limit, view.compromise_flagged),
    )  # fmt: skip


def test_the_panel_summary_says_what_the_full_view_says_at_every_step(case, liaison, django_assert_num_queries):
    assert selectors.may_view(liaison, case)  # her memberships are read once per request, as on the case page
    with django_assert_num_queries(3):  # the records, refused?, a compromise to flag?
        empty = selectors.justice_summary_for(liaison, case)
    assert (empty.fir_number, empty.refused, empty.special_court, empty.legal_aid_applied) == (None, False, None, False)
    steps = [
        lambda: services.refusal_record(
            actor=liaison, case=case, refused_on=timezone.localdate(), police_station="PS (synthetic)",
            note="No woman officer on duty (synthetic)",
        ),
        lambda: fir(liaison, case),
        lambda: services.section164_request(
            actor=liaison, case=case, requested_on=timezone.localdate(), magistrate="Magistrate (synthetic)"
        ),
        lambda: services.legal_aid_apply(actor=liaison, case=case, applied_at=timezone.now()),
        lambda: court(liaison, case, days_ago=40),
        *[
            lambda i=i: services.hearing_record(
                actor=liaison, court_case=case.court_case, held_on=timezone.localdate() - timedelta(days=30 - i),
                what_happened="Listed (synthetic)", adjourned=True, adjournment_reason="Court busy",
            )
            for i in range(3)
        ],
        lambda: services.compromise_record(
            actor=liaison, case=case, reported_on=timezone.localdate(), note="Elders offered money (synthetic)"
        ),
        lambda: services.legal_aid_decide(
            actor=liaison, aid=case.legal_aid, decision="granted", decided_at=timezone.now()
        ),
        lambda: services.judgment_record(
            actor=liaison, court_case=case.court_case, judgment_on=timezone.localdate(), verdict="acquittal"
        ),
    ]  # fmt: skip
    for step in steps:
        step()
        summary = selectors.justice_summary_for(liaison, case)
        mine, full = _summary_as_view(summary, selectors.justice_view_for(liaison, case))
        assert mine == full
    assert summary.fir_number == "123/2026"
    assert (summary.verdict, summary.legal_aid_decision) == ("Acquittal", "Granted")
    assert summary.special_court
    assert summary.legal_aid_applied
    assert summary.adjournments_over_limit
    assert summary.compromise_flagged
