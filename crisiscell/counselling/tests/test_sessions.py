"""Sessions: consent and its first-aid exception, the counselling offer, missed sessions, the plan and closure."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from crisiscell.access.policy import Role
from crisiscell.cases.models import ContactAttempt, Task, TaskKind, TaskStatus
from crisiscell.cases.services import ConsentRequired, case_register, consent_revoke
from crisiscell.cases.tests.helpers import intake_data
from crisiscell.counselling.models import Attendance, CounsellingPlan, CounsellingSession, Measure, PlanStatus
from crisiscell.counselling.services import (
    first_aid_record,
    measure_record,
    missed_session_contact,
    offer_decline,
    plan_close,
    plan_update,
    session_record,
)
from crisiscell.counselling.tests.helpers import book, events, give_counselling_consent
from crisiscell.survivors.models import Survivor
from crisiscell.tests.factories import login_client


@pytest.fixture
def no_consent_case(cell, desk):
    """A case whose survivor has not (yet) consented to counselling."""
    return case_register(actor=desk, cell=cell, data=intake_data())


def _offer(case):
    return Task.objects.get(case=case, kind=TaskKind.COUNSELLING)


# --- Consent ------------------------------------------------------------------------------------


def test_a_session_needs_her_consent_to_counselling(no_consent_case, psychologist):
    # Given no counselling consent on the ledger
    # When the psychologist books a session
    with pytest.raises(ConsentRequired, match="Counselling") as refused:
        book(psychologist, no_consent_case)
    # Then nothing is booked, the offer stays open and nothing is audited
    assert refused.value.purpose == "counselling"
    assert not CounsellingSession.objects.exists()
    assert _offer(no_consent_case).status == TaskStatus.OPEN
    assert not events("counselling.session_booked")


def test_a_withdrawn_consent_stops_further_sessions(case, psychologist, desk):
    session = book(psychologist, case, minutes_from_now=-10)
    consent_revoke(actor=desk, consent=case.consents.get(purpose="counselling"))
    with pytest.raises(ConsentRequired):
        session_record(actor=psychologist, session=session, attendance=Attendance.ATTENDED, notes="(synthetic)")
    with pytest.raises(ConsentRequired):
        book(psychologist, case)
    # She may still be recorded as having cancelled.
    session_record(actor=psychologist, session=session, attendance=Attendance.CANCELLED)


def test_first_aid_at_intake_needs_no_consent(no_consent_case, psychologist):
    # Given a survivor who arrived an hour ago, with no counselling consent yet
    # When the psychologist records psychological first aid now
    session = first_aid_record(
        actor=psychologist,
        case=no_consent_case,
        at=timezone.now(),
        mode="in_person",
        duration_minutes=30,
        notes="Listened; she wants her sister called (synthetic).",
    )
    # Then it is recorded (with its note encrypted) and audited as given without consent
    assert session.kind == "pfa"
    assert session.attendance == Attendance.ATTENDED
    assert session.note_id is not None
    (event,) = events("counselling.first_aid_recorded")
    assert '"consent_in_force":false' in event.details
    # And it does not answer the counselling offer
    assert _offer(no_consent_case).status == TaskStatus.OPEN


def test_first_aid_after_the_window_needs_consent(no_consent_case, psychologist):
    with time_machine.travel(timezone.now() + timedelta(hours=80)), pytest.raises(ConsentRequired):
        first_aid_record(
            actor=psychologist,
            case=no_consent_case,
            at=timezone.now(),
            mode="phone",
            duration_minutes=20,
            notes="(synthetic)",
        )


def test_measures_need_consent_too(no_consent_case, psychologist):
    with pytest.raises(ConsentRequired):
        measure_record(actor=psychologist, case=no_consent_case, instrument="gad7", language="ur", answers=[0] * 7)


def test_only_psychologists_book_sessions(case, team):
    for role in (Role.CASE_WORKER, Role.CELL_HEAD, Role.DESK_OFFICER, Role.LEGAL_ADVISER):
        with pytest.raises(PermissionDenied):
            book(team[role], case)


# --- The counselling offer on the board --------------------------------------------------------


def test_booking_the_first_session_completes_the_counselling_offer(case, psychologist):
    # Given the open counselling offer
    assert _offer(case).status == TaskStatus.OPEN
    # When the psychologist books her first session
    session = book(psychologist, case)
    # Then the offer is done, the plan is open and both are audited
    offer = _offer(case)
    assert offer.status == TaskStatus.DONE
    assert offer.closed_by == psychologist
    assert CounsellingPlan.objects.get(case=case).status == PlanStatus.ACTIVE
    (booked,) = events("counselling.session_booked")
    assert str(session.pk) in booked.details
    assert [e.details for e in events("task.closed")] == ['{"rule":"","status":"done","task":"counselling"}']
    # And a second booking changes nothing on the board
    book(psychologist, case, minutes_from_now=8 * 24 * 60)
    assert len(events("task.closed")) == 1


def test_the_offers_note_is_stored_in_english_and_read_in_the_readers_language(case, psychologist):
    # When an Urdu-reading psychologist books her first session
    with translation.override("ur"):
        book(psychologist, case)
    # Then the system's note is stored once, in English, and each reader sees it in her language
    offer = _offer(case)
    assert offer.reason == "First session booked."
    assert offer.reason_display == "First session booked."
    with translation.override("ur"):
        assert offer.reason_display == translation.gettext("First session booked.") != offer.reason
    # A note written by staff is shown as written, in any language
    offer.reason = "Yes"
    with translation.override("ur"):
        assert offer.reason_display == "Yes"


def test_declining_completes_the_offer_with_her_reason(case, psychologist):
    offer_decline(actor=psychologist, case=case, reason="Wants to wait until after Eid")
    offer = _offer(case)
    assert offer.status == TaskStatus.DECLINED
    assert offer.reason == "Wants to wait until after Eid"
    assert len(events("task.closed")) == 1
    with pytest.raises(ValidationError):
        offer_decline(actor=psychologist, case=case, reason="again")


def test_declining_needs_a_reason(case, psychologist):
    with pytest.raises(ValidationError):
        offer_decline(actor=psychologist, case=case, reason="  ")
    assert _offer(case).status == TaskStatus.OPEN


def test_booking_through_the_page(case, psychologist):
    client = login_client(psychologist)
    when = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("counselling:book", kwargs={"code": case.code}),
        {"kind": "individual", "mode": "phone", "scheduled_at": when, "duration_minutes": "45"},
    )
    assert response.status_code == 302
    session = CounsellingSession.objects.get()
    assert (session.mode, session.duration_minutes) == ("phone", 45)
    page = client.get(reverse("counselling:case", kwargs={"code": case.code})).content.decode()
    assert "By phone" in page


# --- Recording sessions --------------------------------------------------------------------------


def test_an_attended_session_keeps_its_note_encrypted_and_audits_only_the_attendance(case, psychologist):
    session = book(psychologist, case, minutes_from_now=-30)
    session_record(
        actor=psychologist,
        session=session,
        attendance=Attendance.ATTENDED,
        notes="Talked about returning to college (synthetic).",
        goals="Attend two classes",
        progress="Slept better",
    )
    session.refresh_from_db()
    assert session.attendance == Attendance.ATTENDED
    (event,) = events("counselling.session_recorded")
    assert event.details == f'{{"attendance":"attended","session":"{session.pk}"}}'
    with pytest.raises(ValidationError, match="already recorded"):
        session_record(actor=psychologist, session=session, attendance=Attendance.MISSED)


def test_a_note_needs_text_and_a_future_session_cannot_be_attended(case, psychologist):
    past = book(psychologist, case, minutes_from_now=-30)
    with pytest.raises(ValidationError):
        session_record(actor=psychologist, session=past, attendance=Attendance.ATTENDED, notes=" ")
    future = book(psychologist, case, minutes_from_now=24 * 60)
    with pytest.raises(ValidationError):
        session_record(actor=psychologist, session=future, attendance=Attendance.ATTENDED, notes="(synthetic)")
    with pytest.raises(ValidationError):
        session_record(actor=psychologist, session=past, attendance=Attendance.MISSED, notes="a note on a miss")


# --- A missed session prompts a safe contact attempt -------------------------------------------


def _missed(psychologist, case):
    session = book(psychologist, case, minutes_from_now=-60)
    return session_record(actor=psychologist, session=session, attendance=Attendance.MISSED)


def test_a_missed_session_asks_the_team_for_a_contact_attempt(case, psychologist, team):
    # Given a missed session of a survivor who may be phoned by day and, now, texted
    Survivor.objects.filter(pk=case.survivor_id).update(may_text=True)
    session = _missed(psychologist, case)
    assert session.awaiting_contact
    # When the case worker opens the case page
    page = login_client(team[Role.CASE_WORKER]).get(reverse("cases:detail", kwargs={"code": case.code}))
    # Then the counselling panel asks her to try to reach the survivor, saying which ways are allowed now
    body = page.content.decode()
    assert "A counselling appointment was missed" in body
    assert "Text message: allowed now" in body
    assert "Phone call: allowed now" in body or "She may only be phoned 09:00 to 17:00." in body
    form = re.search(r'action="(/counselling/sessions/[^"]*/contact/)"[^>]*>(.*?)</form>', body, re.S)
    assert form is not None
    assert form.group(1) == reverse("counselling:missed_contact", kwargs={"session_id": session.pk})
    assert re.search(r'name="csrfmiddlewaretoken" value="[^"]+"', form.group(2))


def test_no_contact_form_when_she_allowed_no_way_of_contact(cell, desk, psychologist, team):
    case = case_register(actor=desk, cell=cell, data=intake_data(may_call=False, call_window="never"))
    give_counselling_consent(desk, case)
    session = _missed(psychologist, case)
    body = login_client(team[Role.CASE_WORKER]).get(reverse("cases:detail", kwargs={"code": case.code}))
    page = body.content.decode()
    assert "She asked not to be phoned." in page
    assert "She asked not to receive text messages." in page
    assert "Do not contact her." in page
    assert reverse("counselling:missed_contact", kwargs={"session_id": session.pk}) not in page


def test_the_contact_attempt_respects_her_choices(case, psychologist, team):
    # Given a missed session of a survivor who may be phoned by day but never texted
    session = _missed(psychologist, case)
    worker = team[Role.CASE_WORKER]
    # When the case worker tries a text message
    with pytest.raises(ValidationError, match="text messages"):
        missed_session_contact(actor=worker, session=session, method="text", outcome="reached")
    assert not ContactAttempt.objects.exists()
    # Or phones her in the evening
    evening = timezone.localtime().replace(hour=19, minute=30)
    with time_machine.travel(evening), pytest.raises(ValidationError, match="09:00 to 17:00"):
        missed_session_contact(actor=worker, session=session, method="call", outcome="reached")
    assert not ContactAttempt.objects.exists()
    # Then both are refused; a call by day is recorded, with the neutral check-in template
    with time_machine.travel(evening.replace(hour=11)):
        attempt = missed_session_contact(actor=worker, session=session, method="call", outcome="no_answer")
    assert attempt.template == "check_in"
    session.refresh_from_db()
    assert session.contact_attempt == attempt
    assert not session.awaiting_contact
    (event,) = events("contact.attempted")
    assert event.details == '{"method":"call","outcome":"no_answer"}'
    # And the prompt is gone
    with pytest.raises(ValidationError):
        missed_session_contact(actor=worker, session=session, method="call", outcome="reached")


def test_a_survivor_who_may_not_be_phoned_is_not_phoned(cell, desk, psychologist, team):
    case = case_register(actor=desk, cell=cell, data=intake_data(may_call=False, call_window="never"))
    give_counselling_consent(desk, case)
    session = _missed(psychologist, case)
    with pytest.raises(ValidationError, match="not to be phoned"):
        missed_session_contact(actor=team[Role.CASE_WORKER], session=session, method="call", outcome="reached")
    Survivor.objects.filter(pk=case.survivor_id).update(may_text=True)
    case.survivor.refresh_from_db()
    missed_session_contact(actor=team[Role.CASE_WORKER], session=session, method="text", outcome="reached")


def test_a_psychologist_cannot_record_the_teams_contact_attempt(case, psychologist):
    # Contact attempts need case edit rights (crisiscell.cases.duties): the team makes them.
    session = _missed(psychologist, case)
    with pytest.raises(PermissionDenied):
        missed_session_contact(actor=psychologist, session=session, method="call", outcome="reached")


def test_a_cancelled_session_asks_for_no_contact(case, psychologist):
    session = book(psychologist, case, minutes_from_now=-60)
    session = session_record(actor=psychologist, session=session, attendance=Attendance.CANCELLED)
    assert not session.awaiting_contact


# --- The plan and closure ------------------------------------------------------------------------


def test_shared_flags_are_chosen_by_the_psychologist(case, psychologist):
    book(psychologist, case)
    plan = plan_update(actor=psychologist, case=case, planned_sessions=8, shared_flags=["accompany", "ask_first"])
    assert plan.shared_flags == ["accompany", "ask_first"]
    assert plan.planned_sessions == 8
    (event,) = events("counselling.plan_updated")
    assert "accompany" in event.details
    with pytest.raises(ValidationError):
        plan_update(actor=psychologist, case=case, planned_sessions=8, shared_flags=["her diagnosis"])


def test_closure_needs_a_reason_and_a_recent_final_measure(case, psychologist):
    session = book(psychologist, case, minutes_from_now=-30)
    session_record(actor=psychologist, session=session, attendance=Attendance.ATTENDED, notes="(synthetic)")
    with pytest.raises(ValidationError, match="final measure"):
        plan_close(actor=psychologist, case=case, reason="goals_met", final_measure=None)
    old = measure_record(actor=psychologist, case=case, instrument="phq9", language="ur", answers=[1] * 8 + [0])
    with time_machine.travel(timezone.now() + timedelta(days=40)):
        with pytest.raises(ValidationError, match="30 days"):
            plan_close(actor=psychologist, case=case, reason="goals_met", final_measure=old)
        final = measure_record(actor=psychologist, case=case, instrument="phq9", language="ur", answers=[0] * 9)
        plan = plan_close(actor=psychologist, case=case, reason="goals_met", final_measure=final)
    assert plan.status == PlanStatus.CLOSED
    assert plan.final_measure == final
    (event,) = events("counselling.closed")
    assert '"reason":"goals_met"' in event.details
    with pytest.raises(ValidationError):
        book(psychologist, case)


def test_closure_refuses_while_sessions_are_still_booked(case, psychologist):
    book(psychologist, case)
    with pytest.raises(ValidationError, match="still booked"):
        plan_close(actor=psychologist, case=case, reason="lost_to_follow_up", final_measure=None)


def test_a_survivor_lost_to_follow_up_closes_without_a_final_measure(case, psychologist):
    session = book(psychologist, case, minutes_from_now=-30)
    session_record(actor=psychologist, session=session, attendance=Attendance.MISSED)
    plan = plan_close(actor=psychologist, case=case, reason="lost_to_follow_up", final_measure=None)
    assert plan.closure_reason == "lost_to_follow_up"


def test_the_team_sees_closed_without_the_reason(case, psychologist, team):
    session = book(psychologist, case, minutes_from_now=-30)
    session_record(actor=psychologist, session=session, attendance=Attendance.MISSED)
    plan_close(actor=psychologist, case=case, reason="transferred", final_measure=None)
    page = login_client(team[Role.CELL_HEAD]).get(reverse("cases:detail", kwargs={"code": case.code}))
    body = page.content.decode()
    assert "Closed" in body
    assert "Moved to another cell or area" not in body


# --- Measures through the page -----------------------------------------------------------------


def test_a_measure_is_given_in_urdu_or_english_and_scored_on_saving(case, psychologist):
    client = login_client(psychologist)
    url = reverse("counselling:measure", kwargs={"code": case.code, "instrument": "gad7"})
    # The questions are laid out right to left in Urdu, whatever the page's language
    form = client.get(url, {"language": "ur"}).content.decode()
    assert '<div lang="ur" dir="rtl">' in form
    assert form.count('type="radio"') == 7 * 4
    # The published reference stays in English and says so (a screen reader reads it as English)
    assert '<p class="muted small-text" lang="en" dir="ltr">Spitzer, Kroenke, Williams, Löwe.' in form
    # Saving scores it and keeps the language it was given in
    answers = {f"item_{n}": "2" for n in range(1, 8)}
    response = client.post(url, {"language": "ur", **answers})
    assert response.status_code == 302
    measure = Measure.objects.get()
    assert (measure.language, measure.total, measure.band) == ("ur", 14, "moderate")
    assert len(events("counselling.measure_recorded")) == 1


def test_an_unanswered_item_is_refused(case, psychologist):
    url = reverse("counselling:measure", kwargs={"code": case.code, "instrument": "phq9"})
    response = login_client(psychologist).post(url, {"language": "en", "item_1": "1"})
    assert response.status_code == 400
    assert not events("counselling.measure_recorded")
