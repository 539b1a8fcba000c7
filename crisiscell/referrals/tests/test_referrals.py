"""Referrals: the consent check and its child-protection exception, the status table, the case page."""

from __future__ import annotations

import json
from datetime import timedelta
from itertools import product

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from crisiscell.access.policy import Role
from crisiscell.audit.models import AuditEvent
from crisiscell.cases.services import ConsentRequired, case_register, consent_record, consent_revoke
from crisiscell.cases.tests.helpers import child_intake, intake_data
from crisiscell.referrals.models import (
    REFERRAL_TRANSITIONS,
    ConsentBasis,
    Referral,
    ReferralStatus,
    ReferralStep,
)
from crisiscell.referrals.services import referral_create, referral_transition
from crisiscell.tests.factories import login_client


@pytest.fixture
def desk(cell, staff):
    return staff(Role.DESK_OFFICER, cell, username="desk")


@pytest.fixture
def case(cell, desk):
    return case_register(actor=desk, cell=cell, data=intake_data())


def _share(actor, case):
    return consent_record(
        actor=actor, case=case, purpose="sharing", decision="given", given_by="survivor", method="signed_form"
    )


def _refer(actor, case, kind="shelter", **overrides):
    values = {
        "kind": kind,
        "organisation": "Dar-ul-Aman Karachi (synthetic)",
        "purpose": "A safe place to stay",
        "due_on": timezone.localdate() + timedelta(days=3),
    }
    values.update(overrides)
    return referral_create(actor=actor, case=case, **values)


def _events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


# --- Consent -----------------------------------------------------------------------------------


def test_a_referral_without_consent_to_sharing_is_refused_and_names_the_purpose(case, desk):
    # Given a case whose survivor has not consented to sharing
    # When a desk officer refers her to a shelter
    with pytest.raises(ConsentRequired, match="Sharing with other agencies") as refused:
        _refer(desk, case)
    # Then nothing is recorded and no referral event is written
    assert refused.value.purpose == "sharing"
    assert not Referral.objects.exists()
    assert not _events("referral.created")


def test_the_case_page_says_which_consent_is_missing(case, desk):
    client = login_client(desk)
    response = client.post(
        reverse("referrals:referral_create", kwargs={"code": case.code}),
        {
            "kind": "ngo",
            "organisation": "An NGO (synthetic)",
            "purpose": "Livelihood support",
            "due_on": (timezone.localdate() + timedelta(days=7)).isoformat(),
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "No consent for Sharing with other agencies is on record." in response.content.decode()
    assert not Referral.objects.exists()


def test_a_referral_with_consent_in_force_is_recorded_with_its_history_and_audited(case, desk):
    # Given her consent to sharing
    consent = _share(desk, case)
    # When she is referred
    referral = _refer(desk, case)
    # Then the referral, its basis and its first history row are recorded
    assert (referral.status, referral.consent_basis, referral.consent) == ("sent", ConsentBasis.CONSENT, consent)
    step = referral.steps.get()
    assert (step.from_status, step.to_status, step.actor, step.cell) == ("", "sent", desk, case.cell)
    (event,) = _events("referral.created")
    assert (event.object_type, event.object_ref, event.cell, event.actor) == ("case", case.code, case.cell, desk)
    assert json.loads(event.details) == {"referral": str(referral.pk), "kind": "shelter", "basis": "consent"}
    # The organisation and the purpose are on the record, never in the audit log.
    assert "Dar-ul-Aman" not in event.details
    assert "safe place" not in event.details


def test_child_protection_referral_of_a_child_needs_no_consent_and_says_so(cell, desk):
    # Given a child's case without any consent to sharing
    case = case_register(actor=desk, cell=cell, data=child_intake(13))
    # When she is referred to the child protection bureau
    referral = _refer(desk, case, kind="child_protection", organisation="Child Protection Bureau (synthetic)")
    # Then the law's exception is recorded as the basis
    assert (referral.consent_basis, referral.consent) == (ConsentBasis.CHILD_PROTECTION, None)
    (event,) = _events("referral.created")
    assert json.loads(event.details)["basis"] == "child_protection"


def test_the_exception_covers_only_child_protection_referrals(cell, desk):
    case = case_register(actor=desk, cell=cell, data=child_intake(13))
    with pytest.raises(ConsentRequired):
        _refer(desk, case, kind="shelter")
    assert not Referral.objects.exists()


def test_the_exception_covers_only_children(case, desk):
    with pytest.raises(ConsentRequired):
        _refer(desk, case, kind="child_protection")


def test_withdrawing_consent_keeps_the_referral_and_asks_for_it_to_be_revoked(case, desk):
    # Given a referral made on consent
    consent = _share(desk, case)
    referral = _refer(desk, case)
    # When she withdraws her consent to sharing
    consent_revoke(actor=desk, consent=consent)
    # Then the referral and its history are still there, and the case page asks for it to be revoked
    referral.refresh_from_db()
    assert referral.status == "sent"
    assert referral.steps.count() == 1
    page = login_client(desk).get(reverse("cases:detail", kwargs={"code": case.code})).content.decode()
    assert "Consent to sharing has been withdrawn: withdraw this referral." in page
    # And revoking is how the referral is withdrawn
    referral_transition(actor=desk, referral=referral, to_status="revoked")
    assert list(referral.steps.values_list("to_status", flat=True)) == ["sent", "revoked"]
    # No new referral can go out without consent
    with pytest.raises(ConsentRequired):
        _refer(desk, case)


# --- Input and policy --------------------------------------------------------------------------


def test_a_response_date_in_the_past_is_refused(case, desk):
    _share(desk, case)
    with pytest.raises(ValidationError) as error:
        _refer(desk, case, due_on=timezone.localdate() - timedelta(days=1))
    assert "due_on" in error.value.error_dict
    assert not Referral.objects.exists()


def test_the_organisation_and_purpose_are_required(case, desk):
    _share(desk, case)
    with pytest.raises(ValidationError) as error:
        _refer(desk, case, organisation="  ", purpose="")
    assert {"organisation", "purpose"} <= set(error.value.error_dict)


@pytest.mark.parametrize("role", [Role.PSYCHOLOGIST, Role.AUDITOR, Role.EVIDENCE_CUSTODIAN])
def test_roles_without_case_edit_cannot_refer_or_record_a_response(case, desk, cell, staff, role):
    _share(desk, case)
    referral = _refer(desk, case)
    other = staff(role, cell)
    with pytest.raises(PermissionDenied):
        _refer(other, case)
    with pytest.raises(PermissionDenied):
        referral_transition(actor=other, referral=referral, to_status="accepted")
    assert Referral.objects.count() == 1
    assert ReferralStep.objects.count() == 1


def test_another_cells_staff_cannot_refer_or_see_the_referral(case, desk, other_cell, staff):
    _share(desk, case)
    referral = _refer(desk, case)
    outsider = staff(Role.CELL_HEAD, other_cell)
    with pytest.raises(PermissionDenied):
        referral_transition(actor=outsider, referral=referral, to_status="accepted")
    client = login_client(outsider)
    url = reverse("referrals:referral_transition", kwargs={"referral_id": referral.pk})
    assert client.post(url, {"to_status": "accepted"}).status_code == 404
    referral.refresh_from_db()
    assert referral.status == "sent"


# --- The status table --------------------------------------------------------------------------

LEGAL = [(a, b) for a, targets in REFERRAL_TRANSITIONS.items() for b in sorted(targets)]  # sets: sort for xdist
ILLEGAL = [(a, b) for a, b in product(ReferralStatus.values, repeat=2) if b not in REFERRAL_TRANSITIONS[a]]
# How to bring a referral into each status through legal moves.
ROUTE = {
    "sent": [],
    "accepted": ["accepted"],
    "rejected": ["rejected"],
    "revoked": ["revoked"],
    "completed": ["accepted", "completed"],
}


def test_the_table_is_what_the_cells_agreed():
    assert {k: set(v) for k, v in REFERRAL_TRANSITIONS.items()} == {
        "sent": {"accepted", "rejected", "revoked"},
        "accepted": {"completed", "revoked"},
        "rejected": set(),
        "completed": set(),
        "revoked": set(),
    }


def _bring_to(actor, referral, status):
    for step in ROUTE[status]:
        referral = referral_transition(actor=actor, referral=referral, to_status=step, reason="synthetic reason")
    return referral


@pytest.mark.parametrize(("before", "after"), LEGAL)
def test_every_legal_transition_adds_a_history_row_and_an_audit_event(case, desk, before, after):
    # Given a referral in status ``before``
    _share(desk, case)
    referral = _bring_to(desk, _refer(desk, case), before)
    steps_before = referral.steps.count()
    events_before = len(_events("referral.status_changed"))
    # When it moves to ``after``
    moved = referral_transition(actor=desk, referral=referral, to_status=after, reason="Synthetic reason")
    # Then its status, a new history row and the audit event say so
    assert moved.status == after
    assert moved.steps.count() == steps_before + 1
    last = moved.steps.order_by("at", "id").last()
    assert (last.from_status, last.to_status, last.actor_label, last.reason) == (
        before,
        after,
        "desk",
        "Synthetic reason",
    )
    events = _events("referral.status_changed")
    assert len(events) == events_before + 1
    assert json.loads(events[-1].details) == {"referral": str(referral.pk), "from": before, "to": after}
    assert events[-1].object_ref == case.code


@pytest.mark.parametrize(("before", "after"), ILLEGAL)
def test_every_illegal_transition_is_refused_and_changes_nothing(case, desk, before, after):
    _share(desk, case)
    referral = _bring_to(desk, _refer(desk, case), before)
    steps_before = referral.steps.count()
    events_before = len(_events("referral.status_changed"))
    with pytest.raises(ValidationError):
        referral_transition(actor=desk, referral=referral, to_status=after, reason="Synthetic reason")
    referral.refresh_from_db()
    assert referral.status == before
    assert referral.steps.count() == steps_before
    assert len(_events("referral.status_changed")) == events_before


def test_an_unknown_status_is_refused(case, desk):
    _share(desk, case)
    referral = _refer(desk, case)
    with pytest.raises(ValidationError):
        referral_transition(actor=desk, referral=referral, to_status="lost")


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_rejection_needs_a_reason(case, desk, reason):
    _share(desk, case)
    referral = _refer(desk, case)
    with pytest.raises(ValidationError) as error:
        referral_transition(actor=desk, referral=referral, to_status="rejected", reason=reason)
    assert "reason" in error.value.error_dict
    referral.refresh_from_db()
    assert referral.status == "sent"
    assert referral.steps.count() == 1
    assert not _events("referral.status_changed")


def test_a_stale_form_cannot_move_a_referral_twice(case, desk):
    # Two staff open the page; one records acceptance, the other then records rejection.
    _share(desk, case)
    referral = _refer(desk, case)
    stale = Referral.objects.get(pk=referral.pk)
    referral_transition(actor=desk, referral=referral, to_status="accepted")
    with pytest.raises(ValidationError):
        referral_transition(actor=desk, referral=stale, to_status="rejected", reason="No space")
    assert Referral.objects.get(pk=referral.pk).status == "accepted"


# --- The case page -----------------------------------------------------------------------------


def test_the_case_page_shows_referrals_and_flags_overdue_ones(case, desk):
    # Given a referral expecting a response within two days
    _share(desk, case)
    _refer(desk, case, due_on=timezone.localdate() + timedelta(days=2))
    client = login_client(desk)
    page = client.get(reverse("cases:detail", kwargs={"code": case.code})).content.decode()
    assert "Dar-ul-Aman Karachi (synthetic)" in page
    assert "Overdue" not in page
    # When the date passes with no response
    with time_machine.travel(timezone.now() + timedelta(days=3), tick=False):
        page = login_client(desk).get(reverse("cases:detail", kwargs={"code": case.code})).content.decode()
    # Then the case page says it is overdue
    assert "Overdue" in page
    assert "1 referral overdue" in page


def test_an_answered_referral_is_not_overdue(case, desk):
    _share(desk, case)
    referral = _refer(desk, case, due_on=timezone.localdate())
    referral_transition(actor=desk, referral=referral, to_status="accepted")
    with time_machine.travel(timezone.now() + timedelta(days=3), tick=False):
        page = login_client(desk).get(reverse("cases:detail", kwargs={"code": case.code})).content.decode()
    assert "Overdue" not in page


def test_referring_and_answering_through_the_page(case, desk):
    _share(desk, case)
    client = login_client(desk)
    response = client.post(
        reverse("referrals:referral_create", kwargs={"code": case.code}),
        {
            "kind": "legal_aid",
            "organisation": "Legal aid authority (synthetic)",
            "purpose": "Representation at trial",
            "due_on": (timezone.localdate() + timedelta(days=7)).isoformat(),
        },
    )
    assert response.status_code == 302
    referral = Referral.objects.get()
    response = client.post(
        reverse("referrals:referral_transition", kwargs={"referral_id": referral.pk}),
        {"to_status": "rejected", "reason": ""},
        follow=True,
    )
    assert "Say why the organisation rejected the referral." in response.content.decode()
    client.post(
        reverse("referrals:referral_transition", kwargs={"referral_id": referral.pk}),
        {"to_status": "rejected", "reason": "Outside their district"},
    )
    referral.refresh_from_db()
    assert referral.status == "rejected"
    page = client.get(reverse("cases:detail", kwargs={"code": case.code})).content.decode()
    assert "Outside their district" in page
    assert "Rejected by the organisation" in page
