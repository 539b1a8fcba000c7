"""Hand-overs: between colleagues only with the receiver's own second factor; to outsiders with a receipt."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from crisiscell.access.policy import Role
from crisiscell.audit.models import AuditEvent
from crisiscell.cases.services import ConsentRequired, consent_revoke
from crisiscell.evidence import services
from crisiscell.evidence.models import CustodyEvent, EvidenceItem
from crisiscell.evidence.tests.helpers import actions, sealed
from crisiscell.tests.factories import current_code


def _code(user) -> str:
    return current_code(TOTPDevice.objects.get(user=user, confirmed=True))


@pytest.fixture
def offered(case, mlo, custodian):
    """A sealed swab the medico-legal officer offers to the custodian."""
    item = sealed(mlo, case)
    event = services.handover_request(
        actor=mlo, item=item, to_user=custodian, purpose="To the evidence store", seal_intact=True, condition="Dry"
    )
    return event


def test_an_offered_item_stays_with_the_giver_until_the_receiver_confirms(offered, mlo, custodian):
    # Given a hand-over offered by the officer
    item = EvidenceItem.objects.get(pk=offered.item_id)
    # Then it is pending, the officer still holds the item, and both steps are audited
    assert offered.state == CustodyEvent.State.PENDING
    assert item.holder == mlo
    assert actions(item.human_id)[-2:] == ["evidence.handover_requested", "evidence.custody"]
    # When the custodian confirms with the code of her own authenticator
    done = services.handover_confirm(actor=custodian, event=offered, token=_code(custodian))
    # Then the hand-over is complete and she holds the item, audited
    item.refresh_from_db()
    assert (done.state, item.holder) == (CustodyEvent.State.COMPLETE, custodian)
    assert done.confirmed_at is not None
    assert actions(item.human_id)[-1] == "evidence.handover_confirmed"


def test_a_wrong_code_is_refused_audited_and_leaves_the_item_where_it_was(offered, mlo, custodian):
    with pytest.raises(ValidationError):
        services.handover_confirm(
            actor=custodian, event=offered, token="000000" if _code(custodian) != "000000" else "111111"
        )
    offered.refresh_from_db()
    assert offered.state == CustodyEvent.State.PENDING
    assert EvidenceItem.objects.get(pk=offered.item_id).holder == mlo
    # The refusal is kept although the confirmation failed.
    assert AuditEvent.objects.filter(action="evidence.handover_refused", actor=custodian).count() == 1
    # After the throttle delay, her right code completes it.
    with time_machine.travel(timezone.now() + timedelta(seconds=45)):
        services.handover_confirm(actor=custodian, event=offered, token=_code(custodian))
    assert EvidenceItem.objects.get(pk=offered.item_id).holder == custodian


def test_the_giver_cannot_confirm_for_the_receiver_even_with_their_own_code(offered, mlo, custodian, team):
    # The giver, with her own valid code
    with pytest.raises(PermissionDenied):
        services.handover_confirm(actor=mlo, event=offered, token=_code(mlo))
    # Nor a third colleague
    with pytest.raises(PermissionDenied):
        services.handover_confirm(actor=team[Role.CELL_HEAD], event=offered, token=_code(team[Role.CELL_HEAD]))
    offered.refresh_from_db()
    assert offered.state == CustodyEvent.State.PENDING
    assert not AuditEvent.objects.filter(action="evidence.handover_confirmed").exists()


def test_the_giver_code_does_not_open_the_receiver_account(offered, mlo, custodian):
    # The receiver typing the giver's code: a wrong code for her device.
    giver_code, own_code = _code(mlo), _code(custodian)
    assert giver_code != own_code  # two devices, two secrets
    with pytest.raises(ValidationError):
        services.handover_confirm(actor=custodian, event=offered, token=giver_code)
    assert EvidenceItem.objects.get(pk=offered.item_id).holder == mlo


def test_a_code_cannot_be_used_twice(case, mlo, custodian):
    first = sealed(mlo, case)
    second = sealed(mlo, case, "swab_anal")
    a = services.handover_request(actor=mlo, item=first, to_user=custodian, purpose="Store", seal_intact=True)
    b = services.handover_request(actor=mlo, item=second, to_user=custodian, purpose="Store", seal_intact=True)
    code = _code(custodian)
    services.handover_confirm(actor=custodian, event=a, token=code)
    with pytest.raises(ValidationError):
        services.handover_confirm(actor=custodian, event=b, token=code)


def test_only_the_holder_can_offer_and_only_to_a_colleague_with_evidence_rights(case, mlo, custodian, team):
    item = sealed(mlo, case)
    with pytest.raises(ValidationError):
        services.handover_request(
            actor=custodian, item=item, to_user=team[Role.CELL_HEAD], purpose="x", seal_intact=True
        )
    with pytest.raises(ValidationError):
        services.handover_request(actor=mlo, item=item, to_user=team[Role.PSYCHOLOGIST], purpose="x", seal_intact=True)
    with pytest.raises(ValidationError):
        services.handover_request(actor=mlo, item=item, to_user=custodian, purpose=" ", seal_intact=True)
    services.handover_request(actor=mlo, item=item, to_user=custodian, purpose="Store", seal_intact=True)
    with pytest.raises(ValidationError):  # one pending hand-over at a time
        services.handover_request(actor=mlo, item=item, to_user=custodian, purpose="Store", seal_intact=True)


def test_the_giver_can_withdraw_an_unconfirmed_offer(offered, mlo, custodian):
    with pytest.raises(PermissionDenied):
        services.handover_cancel(actor=custodian, event=offered)
    cancelled = services.handover_cancel(actor=mlo, event=offered)
    assert cancelled.state == CustodyEvent.State.CANCELLED
    assert actions(offered.item.human_id)[-1] == "evidence.handover_cancelled"
    with pytest.raises(PermissionDenied):
        services.handover_confirm(actor=custodian, event=cancelled, token=_code(custodian))


def test_a_hand_over_outside_the_cell_records_the_person_and_releases_the_item(case, custodian):
    item = sealed(custodian, case)
    event = services.handover_external(
        actor=custodian, item=item, name="Inspector (synthetic)", rank="Badge 4471", organisation="PS Saddar (test)",
        purpose="Investigation, FIR 12/2026 (test)", seal_intact=True, condition="Sealed envelope",
    )  # fmt: skip
    item.refresh_from_db()
    assert (event.to_label, event.external_rank, event.external_organisation) == (
        "Inspector (synthetic)",
        "Badge 4471",
        "PS Saddar (test)",
    )
    assert event.to_user is None
    assert event.state == CustodyEvent.State.COMPLETE
    assert item.holder is None
    assert item.holder_external == "Inspector (synthetic), PS Saddar (test)"
    # The outsider's name is in the custody row, never in the audit log.
    audit = event.audit_event
    assert audit is not None
    assert audit.action == "evidence.custody"
    assert "Inspector" not in audit.details
    assert "4471" not in audit.details


def test_a_hand_over_outside_needs_every_detail_the_holder_and_her_consent(case, desk, mlo, custodian):
    item = sealed(custodian, case)
    with pytest.raises(ValidationError):
        services.handover_external(
            actor=custodian, item=item, name="Officer (synthetic)", rank="", organisation="Police", purpose="x",
            seal_intact=True,
        )  # fmt: skip
    with pytest.raises(ValidationError):
        services.handover_external(
            actor=mlo, item=item, name="Officer (synthetic)", rank="ASI", organisation="Police", purpose="x",
            seal_intact=True,
        )  # fmt: skip
    consent = case.consents.get(purpose="release_police")
    consent_revoke(actor=desk, consent=consent)
    with pytest.raises(ConsentRequired):
        services.handover_external(
            actor=custodian, item=item, name="Officer (synthetic)", rank="ASI", organisation="Police", purpose="x",
            seal_intact=True,
        )  # fmt: skip
    assert not CustodyEvent.objects.filter(item=item, kind="handover").exists()


def test_the_case_page_panel_counts_items_open_items_and_hand_overs_waiting_for_the_viewer(
    offered, case, mlo, custodian
):
    from crisiscell.evidence import selectors
    from crisiscell.evidence.models import EvidenceStatus

    sealed(mlo, case, kind="swab_oral")
    returned = sealed(mlo, case, kind="urine")
    EvidenceItem.objects.filter(pk=returned.pk).update(status=EvidenceStatus.RETURNED)  # given: handed back
    panel = selectors.case_panel_for(custodian, case)
    assert (panel.items, panel.open_items, panel.pending_for_me) == (3, 2, 1)
    assert selectors.case_panel_for(mlo, case).pending_for_me == 0  # she offered it; it waits for the custodian
