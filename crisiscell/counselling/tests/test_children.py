"""Children: sessions made for them, the guardian's part, and the child protection referral."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from crisiscell.access.policy import Role
from crisiscell.cases.models import Task, TaskKind, TaskStatus
from crisiscell.cases.services import ConsentRequired, case_register, consent_record
from crisiscell.cases.tests.helpers import child_intake
from crisiscell.counselling.models import Attendance, GuardianInvolvement
from crisiscell.counselling.services import (
    RiskInput,
    child_protection_refer,
    risk_assess,
    session_record,
)
from crisiscell.counselling.tests.helpers import book, events
from crisiscell.referrals.models import ConsentBasis, Referral
from crisiscell.survivors.models import Guardian
from crisiscell.tests.factories import login_client


@pytest.fixture
def child_case(cell, desk):
    """An eight-year-old brought by her mother, who consented to counselling for her."""
    case = case_register(actor=desk, cell=cell, data=child_intake(8))
    consent_record(
        actor=desk,
        case=case,
        purpose="counselling",
        decision="given",
        given_by="guardian",
        guardian=Guardian.objects.get(survivor=case.survivor),
        child_assent="not_able",
        method="signed_form",
    )
    return case


@pytest.fixture
def mother(child_case):
    return Guardian.objects.get(survivor=child_case.survivor)


def test_a_child_gets_play_drawing_and_guardian_sessions(child_case, psychologist, mother):
    play = book(psychologist, child_case, kind="play", guardian_involvement=GuardianInvolvement.NONE)
    drawing = book(
        psychologist, child_case, kind="drawing", guardian=mother, guardian_involvement=GuardianInvolvement.INFORMED
    )
    together = book(
        psychologist,
        child_case,
        kind="with_guardian",
        guardian=mother,
        guardian_involvement=GuardianInvolvement.PRESENT,
    )
    assert [s.kind for s in (play, drawing, together)] == ["play", "drawing", "with_guardian"]
    assert together.guardian == mother


def test_an_adult_is_never_booked_into_a_childs_session(case, psychologist):
    for kind in ("play", "drawing", "with_guardian"):
        with pytest.raises(ValidationError, match="for children"):
            book(psychologist, case, kind=kind)


def test_for_a_child_the_guardians_involvement_is_always_recorded(child_case, psychologist, mother):
    # Not recorded at all
    with pytest.raises(ValidationError, match="whether a guardian took part"):
        book(psychologist, child_case, kind="play")
    # A guardian "present" must be named
    with pytest.raises(ValidationError, match="which guardian"):
        book(psychologist, child_case, kind="play", guardian_involvement=GuardianInvolvement.PRESENT)
    # A session "with a guardian" has one in the room
    with pytest.raises(ValidationError, match="has a guardian present"):
        book(
            psychologist,
            child_case,
            kind="with_guardian",
            guardian=mother,
            guardian_involvement=GuardianInvolvement.INFORMED,
        )


def test_the_involvement_is_recorded_again_when_the_session_is_held(child_case, psychologist, mother):
    session = book(
        psychologist,
        child_case,
        kind="with_guardian",
        guardian=mother,
        guardian_involvement=GuardianInvolvement.PRESENT,
        minutes_from_now=-30,
    )
    session = session_record(
        actor=psychologist,
        session=session,
        attendance=Attendance.ATTENDED,
        notes="Drew her house; mother stayed for the first half (synthetic).",
        guardian_involvement=GuardianInvolvement.PART,
    )
    assert session.guardian_involvement == GuardianInvolvement.PART


def test_a_guardian_who_is_an_alleged_perpetrator_never_takes_part(cell, desk, psychologist):
    # Given a child whose father, her guardian, is the alleged perpetrator (child protection consents)
    case = case_register(actor=desk, cell=cell, data=child_intake(10, perpetrator_guardian=True))
    consent_record(
        actor=desk,
        case=case,
        purpose="counselling",
        decision="given",
        given_by="authority",
        child_assent="yes",
        method="signed_form",
    )
    father = Guardian.objects.get(survivor=case.survivor)
    # When the psychologist tries to involve him
    with pytest.raises(ValidationError, match="alleged perpetrator"):
        book(psychologist, case, kind="with_guardian", guardian=father, guardian_involvement="present")
    # Then only a session without him can be booked
    book(psychologist, case, kind="play", guardian_involvement=GuardianInvolvement.NONE)


def test_the_booking_form_offers_a_child_only_guardians_who_may_take_part(cell, desk, psychologist):
    case = case_register(actor=desk, cell=cell, data=child_intake(10, perpetrator_guardian=True))
    page = login_client(psychologist).get(reverse("counselling:case", kwargs={"code": case.code})).content.decode()
    assert "Play session" in page
    assert 'name="guardian"' in page
    assert "Father" not in page  # the alleged perpetrator is not offered


# --- Child protection ----------------------------------------------------------------------------


def test_a_child_at_risk_at_home_is_flagged_and_referred_without_consent(cell, desk, psychologist, team):
    # Given a child with no consent to sharing
    case = case_register(actor=desk, cell=cell, data=child_intake(9))
    # When the psychologist finds the perpetrator lives with her
    risk_assess(actor=psychologist, case=case, data=RiskInput(perpetrator_lives_with_her=True))
    # Then a child protection concern and task are open (the board shows the flag)
    case.refresh_from_db()
    assert case.child_protection_flag
    task = Task.objects.get(case=case, kind=TaskKind.CHILD_PROTECTION, status=TaskStatus.OPEN)
    # And the case worker sees the referral form on the case page
    worker = team[Role.CASE_WORKER]
    page = login_client(worker).get(reverse("cases:detail", kwargs={"code": case.code})).content.decode()
    assert reverse("counselling:child_protection", kwargs={"code": case.code}) in page
    # When the case worker refers her (no consent needed for a child)
    referral = child_protection_refer(
        actor=worker,
        case=case,
        organisation="Sindh Child Protection Authority (synthetic)",
        purpose="Child living with the alleged perpetrator",
        due_on=timezone.localdate() + timedelta(days=1),
    )
    # Then the referral rests on the child-protection exception and the task is done
    assert referral.kind == "child_protection"
    assert referral.consent_basis == ConsentBasis.CHILD_PROTECTION
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    assert len(events("referral.created")) == 1
    assert '"task":"child_protection"' in events("task.closed")[-1].details


def test_the_referral_through_the_page(cell, desk, psychologist, team):
    case = case_register(actor=desk, cell=cell, data=child_intake(9))
    risk_assess(actor=psychologist, case=case, data=RiskInput(children_at_risk=True))
    response = login_client(team[Role.CELL_HEAD]).post(
        reverse("counselling:child_protection", kwargs={"code": case.code}),
        {"organisation": "Child Protection Bureau (synthetic)", "purpose": "At risk at home",
         "due_on": timezone.localdate().isoformat()},
    )  # fmt: skip
    assert response.status_code == 302
    assert Referral.objects.filter(case=case, kind="child_protection").count() == 1


def test_a_psychologist_raises_the_concern_but_the_team_refers(cell, desk, psychologist):
    case = case_register(actor=desk, cell=cell, data=child_intake(9))
    with pytest.raises(PermissionDenied):
        child_protection_refer(
            actor=psychologist, case=case, organisation="CPB", purpose="At risk", due_on=timezone.localdate()
        )


def test_an_adults_children_at_risk_need_her_consent_to_share(case, psychologist, team):
    risk_assess(actor=psychologist, case=case, data=RiskInput(children_at_risk=True))
    with pytest.raises(ConsentRequired):
        child_protection_refer(
            actor=team[Role.CASE_WORKER],
            case=case,
            organisation="Child Protection Bureau (synthetic)",
            purpose="Her children at risk at home",
            due_on=timezone.localdate(),
        )
    assert Task.objects.get(case=case, kind=TaskKind.CHILD_PROTECTION).status == TaskStatus.OPEN
