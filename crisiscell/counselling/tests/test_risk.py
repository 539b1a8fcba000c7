"""Risk: PHQ-9 item 9 triggers a risk assessment; a high risk raises the board flag without revealing anything."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crisiscell.access.policy import Role
from crisiscell.cases.models import Case, RecordVersion, Task, TaskKind, TaskStatus
from crisiscell.cases.services import case_register
from crisiscell.cases.tests.helpers import intake_data
from crisiscell.counselling.helplines import BY_KEY, HELPLINES
from crisiscell.counselling.models import Measure, RiskLevel
from crisiscell.counselling.services import RiskInput, danger_level, measure_record, risk_assess, self_harm_level
from crisiscell.counselling.tests.helpers import attended_session, events, give_counselling_consent
from crisiscell.tests.factories import login_client

NOTE = "She keeps the pills in the kitchen tin (synthetic note)"
FORMULATION = "Plan disclosed after the phone call from him (synthetic formulation)"
PHQ9_ITEM9 = [1, 1, 1, 1, 1, 1, 0, 0, 2]  # total 8 (mild), item 9 "more than half the days"


def _board(client, case):
    return client.get(reverse("cases:board", kwargs={"cell_code": case.cell.code})).content.decode()


def test_phq9_item9_raises_the_self_harm_flag_and_a_required_follow_up_at_once(case, psychologist):
    # Given no risk flag on her case
    assert not case.risk_self_harm
    # When she answers PHQ-9 item 9 above zero, with a mild total
    client = login_client(psychologist)
    post = {"language": "en", **{f"item_{n}": str(a) for n, a in enumerate(PHQ9_ITEM9, start=1)}}
    response = client.post(reverse("counselling:measure", kwargs={"code": case.code, "instrument": "phq9"}), post)
    # Then the psychologist is taken straight to the risk assessment, which says it is owed
    assert response.status_code == 302
    assert response["Location"] == reverse("counselling:risk", kwargs={"code": case.code})
    risk_page = client.get(response["Location"]).content.decode()
    assert "This assessment is required now" in risk_page
    # And the counselling page and her list keep saying so until it is done
    assert (
        "A risk assessment is owed"
        in client.get(reverse("counselling:case", kwargs={"code": case.code})).content.decode()
    )
    home = client.get(reverse("counselling:home", kwargs={"cell_code": case.cell.code})).content.decode()
    assert "Risk assessments owed" in home
    # And the team's board shows the risk flag at once
    measure = Measure.objects.get()
    assert (measure.total, measure.band, measure.risk_follow_up_pending) == (8, "mild", True)
    case.refresh_from_db()
    assert case.risk_self_harm
    (flagged,) = events("counselling.flag_changed")
    assert flagged.object_type == "case"
    assert flagged.details == f'{{"fields":["risk_self_harm"],"version":{case.version}}}'
    (recorded,) = events("counselling.measure_recorded")
    assert '"risk_follow_up":true' in recorded.details
    assert "total" not in recorded.details
    assert "mild" not in recorded.details


def test_the_risk_assessment_answers_the_follow_up(case, psychologist):
    measure = measure_record(actor=psychologist, case=case, instrument="phq9", language="ur", answers=PHQ9_ITEM9)
    assessment = risk_assess(
        actor=psychologist,
        case=case,
        data=RiskInput(self_harm="thoughts", psychiatric_referral="not_needed", formulation=FORMULATION),
    )
    measure.refresh_from_db()
    assert measure.risk_assessment == assessment
    assert not measure.risk_follow_up_pending
    assert assessment.trigger == "phq9_item9"
    assert assessment.self_harm_level == RiskLevel.MODERATE
    (event,) = events("counselling.risk_assessed")
    assert '"answered_follow_ups":1' in event.details
    assert FORMULATION not in event.details
    # Thoughts without a plan do not lower the flag on their own...
    case.refresh_from_db()
    assert case.risk_self_harm


def test_a_later_assessment_may_lower_a_flag_it_no_longer_supports(case, psychologist):
    measure_record(actor=psychologist, case=case, instrument="phq9", language="en", answers=PHQ9_ITEM9)
    risk_assess(actor=psychologist, case=case, data=RiskInput(self_harm="none", lower_flags=True))
    case.refresh_from_db()
    assert not case.risk_self_harm
    # ...and never one it supports.
    risk_assess(
        actor=psychologist,
        case=case,
        data=RiskInput(self_harm="plan", psychiatric_referral="urgent", lower_flags=True),
    )
    case.refresh_from_db()
    assert case.risk_self_harm


@pytest.mark.parametrize(
    ("answers", "danger", "harm"),
    [
        ({}, "low", "low"),
        ({"stalking_online": True}, "moderate", "low"),
        ({"perpetrator_lives_with_her": True}, "moderate", "low"),
        ({"perpetrator_lives_with_her": True, "perpetrator_threats": True}, "high", "low"),
        ({"perpetrator_weapons": True}, "high", "low"),
        ({"immediate_danger": True}, "high", "low"),
        ({"self_harm": "thoughts"}, "low", "moderate"),
        ({"self_harm": "plan"}, "low", "high"),
        ({"self_harm": "attempt"}, "low", "high"),
    ],
)
def test_risk_levels(answers, danger, harm):
    data = RiskInput(**answers)
    assert (danger_level(data), self_harm_level(data)) == (danger, harm)


def test_judgement_may_raise_a_level_but_never_lower_it(case, psychologist):
    raised = risk_assess(actor=psychologist, case=case, data=RiskInput(danger_judged="high"))
    assert raised.danger_level == RiskLevel.HIGH
    kept = risk_assess(actor=psychologist, case=case, data=RiskInput(immediate_danger=True, danger_judged="low"))
    assert kept.danger_level == RiskLevel.HIGH


def test_a_high_risk_of_self_harm_needs_the_escalation_path(case, psychologist):
    with pytest.raises(ValidationError, match="urgent psychiatric referral"):
        risk_assess(actor=psychologist, case=case, data=RiskInput(self_harm="plan"))
    assert not events("counselling.risk_assessed")
    risk_assess(
        actor=psychologist,
        case=case,
        data=RiskInput(self_harm="plan", psychiatric_referral="urgent", called=["rescue"]),
    )


def test_the_risk_page_says_who_to_call_now_with_last_verified_dates(case, psychologist):
    page = login_client(psychologist).get(reverse("counselling:risk", kwargs={"code": case.code})).content.decode()
    for key in ("police", "rescue"):
        assert BY_KEY[key].number in page
    assert "0800-39393" in page
    assert BY_KEY["madadgaar"].tag == "verify"
    assert all(h.last_verified.isoformat() in page for h in HELPLINES)


def test_a_high_risk_raises_the_board_flag_without_revealing_the_notes(case, psychologist, team):
    # Given a note and a formulation, and no flag yet
    attended_session(psychologist, case, NOTE)
    assert not Case.objects.get(pk=case.pk).risk_immediate_danger
    worker = login_client(team[Role.CASE_WORKER])
    assert "⚠" not in _board(worker, case)
    # When the psychologist finds she lives with a perpetrator who threatens her
    risk_assess(
        actor=psychologist,
        case=case,
        data=RiskInput(perpetrator_lives_with_her=True, perpetrator_threats=True, formulation=FORMULATION),
    )
    # Then the board shows the risk flag to the team
    board = _board(worker, case)
    assert "⚠" in board
    # And neither the board nor the case page holds her notes or the psychologist's answers
    detail = worker.get(reverse("cases:detail", kwargs={"code": case.code})).content.decode()
    for page in (board, detail):
        assert NOTE not in page
        assert FORMULATION not in page
        assert "threat" not in page.lower()
    # And the case's version history says only that the flag changed
    latest = RecordVersion.objects.filter(case=case).order_by("-version").first()
    assert latest.snapshot["risk_immediate_danger"] is True
    assert latest.changed_by == psychologist


def test_the_board_keeps_its_query_count_with_counselling_on_many_cases(cell, desk, psychologist, team):
    head = login_client(team[Role.CELL_HEAD])
    first = case_register(actor=desk, cell=cell, data=intake_data())
    give_counselling_consent(desk, first)
    risk_assess(actor=psychologist, case=first, data=RiskInput(immediate_danger=True))
    url = reverse("cases:board", kwargs={"cell_code": cell.code})
    head.get(url)
    with CaptureQueriesContext(connection) as few:
        head.get(url)
    for _ in range(4):
        more = case_register(actor=desk, cell=cell, data=intake_data())
        give_counselling_consent(desk, more)
        risk_assess(actor=psychologist, case=more, data=RiskInput(self_harm="plan", psychiatric_referral="urgent"))
        attended_session(psychologist, more, NOTE)
    with CaptureQueriesContext(connection) as many:
        page = head.get(url).content.decode()
    assert len(many) == len(few)
    assert page.count("⚠") == 5
    assert NOTE not in page


def test_children_at_risk_at_home_raise_a_child_protection_concern(case, psychologist):
    risk_assess(actor=psychologist, case=case, data=RiskInput(children_at_risk=True))
    case.refresh_from_db()
    assert case.child_protection_flag
    assert Task.objects.filter(case=case, kind=TaskKind.CHILD_PROTECTION, status=TaskStatus.OPEN).count() == 1
    assert events("case.child_protection_flagged")
