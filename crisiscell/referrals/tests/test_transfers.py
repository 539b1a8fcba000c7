"""Transfers of a case between cells: who sees what before and after, and what a decline leaves."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from crisiscell.access.policy import Role
from crisiscell.accounts.models import Membership
from crisiscell.audit.models import AuditEvent
from crisiscell.cases.models import Case, RecordVersion
from crisiscell.cases.services import case_register, case_update, consent_record, consent_revoke
from crisiscell.cases.tests.helpers import child_intake, intake_data
from crisiscell.referrals.models import Transfer
from crisiscell.referrals.services import transfer_accept, transfer_decline, transfer_request
from crisiscell.tests.factories import CellFactory, login_client

# What the intake helper stores in the vault: none of it may reach a transfer page.
IDENTITY = ["Test Survivor (synthetic)", "Test Relative (synthetic)", "35202-1234567-1", "1234567", "House 1"]


@pytest.fixture
def third_cell(db):
    return CellFactory(code="ISB")


@pytest.fixture
def people(cell, other_cell, third_cell, staff):
    """Staff of the sending cell (KHI), the receiving cell (LHR1) and an unrelated cell (ISB)."""
    return {
        "desk": staff(Role.DESK_OFFICER, cell, username="khi_desk"),
        "head": staff(Role.CELL_HEAD, cell, username="khi_head"),
        "psych": staff(Role.PSYCHOLOGIST, cell, username="khi_psych"),
        "to_desk": staff(Role.DESK_OFFICER, other_cell, username="lhr_desk"),
        "to_worker": staff(Role.CASE_WORKER, other_cell, username="lhr_worker"),
        "to_psych": staff(Role.PSYCHOLOGIST, other_cell, username="lhr_psych"),
        "third": staff(Role.CELL_HEAD, third_cell, username="isb_head"),
    }


@pytest.fixture
def case(cell, people):
    return case_register(actor=people["desk"], cell=cell, data=intake_data())


@pytest.fixture
def pending(case, other_cell, people):
    return transfer_request(actor=people["head"], case=case, to_cell=other_cell, reason="She moved to Lahore")


def _get(user, name, **kwargs):
    return login_client(user).get(reverse(name, kwargs=kwargs))


def _detail(user, case):
    return _get(user, "cases:detail", code=case.code)


def _events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def _no_identity(page):
    for text in IDENTITY:
        assert text not in page, text


# --- Request -----------------------------------------------------------------------------------


def test_a_request_changes_nothing_about_the_case_and_is_audited(case, pending, cell, other_cell, people):
    # Given a transfer requested by the sending cell
    case.refresh_from_db()
    # Then the case stays where it was, at its version
    assert (case.cell, case.version, pending.status) == (cell, 1, "requested")
    (event,) = _events("transfer.requested")
    assert (event.cell, event.object_ref, event.actor) == (cell, case.code, people["head"])
    assert json.loads(event.details) == {"transfer": str(pending.pk), "to_cell": other_cell.code}
    assert "Lahore" not in event.details  # the reason stays on the record


def test_before_acceptance_the_sending_cell_keeps_full_access(case, pending, people):
    response = _detail(people["desk"], case)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Test Survivor (synthetic)" in page  # the desk officer holds the identity section
    assert "The case stays here until that cell accepts or declines." in page


def test_before_acceptance_the_receiving_cell_sees_only_a_summary(case, pending, other_cell, people):
    # The case page is not theirs yet
    assert _detail(people["to_worker"], case).status_code == 404
    # The list and the review page show the summary
    listing = _get(people["to_worker"], "referrals:transfer_list", cell_code=other_cell.code).content.decode()
    assert case.code in listing
    response = _get(people["to_worker"], "referrals:transfer_review", transfer_id=pending.pk)
    assert response.status_code == 200
    page = response.content.decode()
    for shown in (case.code, "KHI", "She moved to Lahore", "Female", "18 to 25"):
        assert shown in page, shown
    _no_identity(page)
    for hidden in ("Karachi South", "Neighbour", "PPC", "Rape"):
        assert hidden not in page, hidden
    (event,) = _events("transfer.viewed")
    assert (event.cell, event.object_type, json.loads(event.details)) == (
        other_cell,
        "transfer",
        {"case": case.code, "as": "receiving"},
    )


def test_a_child_is_shown_to_the_receiving_cell_by_age_band_only(cell, other_cell, people):
    child = case_register(actor=people["desk"], cell=cell, data=child_intake(9))
    transfer = transfer_request(actor=people["head"], case=child, to_cell=other_cell, reason="Family moved")
    page = _get(people["to_worker"], "referrals:transfer_review", transfer_id=transfer.pk).content.decode()
    assert "Under 12" in page
    assert "Test Child (synthetic)" not in page
    assert "Test Guardian (synthetic)" not in page


def test_the_summary_is_for_those_who_decide_in_the_receiving_cell(case, pending, other_cell, people):
    # A psychologist there may not decide (no case edit): no summary, no list entries
    assert _get(people["to_psych"], "referrals:transfer_review", transfer_id=pending.pk).status_code == 403
    listing = _get(people["to_psych"], "referrals:transfer_list", cell_code=other_cell.code).content.decode()
    assert case.code not in listing


def test_a_third_cell_sees_nothing_before_acceptance(case, pending, other_cell, people):
    assert _detail(people["third"], case).status_code == 404
    assert _get(people["third"], "referrals:transfer_review", transfer_id=pending.pk).status_code == 404
    assert _get(people["third"], "referrals:transfer_list", cell_code=other_cell.code).status_code == 404
    with pytest.raises(PermissionDenied):
        transfer_accept(actor=people["third"], transfer=pending)


@pytest.mark.parametrize(
    "problem",
    ["same_cell", "inactive_cell", "no_reason", "already_pending", "closed"],
)
def test_requests_the_rules_refuse(case, cell, other_cell, people, problem):
    to_cell, reason = other_cell, "She moved"
    if problem == "same_cell":
        to_cell = cell
    elif problem == "inactive_cell":
        to_cell = CellFactory(code="OLD1", is_active=False)
    elif problem == "no_reason":
        reason = "   "
    elif problem == "already_pending":
        transfer_request(actor=people["head"], case=case, to_cell=other_cell, reason="First")
    elif problem == "closed":
        Case.objects.filter(pk=case.pk).update(status="closed")
    before = Transfer.objects.count()
    with pytest.raises(ValidationError):
        transfer_request(actor=people["head"], case=case, to_cell=to_cell, reason=reason)
    assert Transfer.objects.count() == before


def test_only_the_cell_holding_the_case_may_ask_for_a_transfer(case, other_cell, people):
    with pytest.raises(PermissionDenied):
        transfer_request(actor=people["to_worker"], case=case, to_cell=other_cell, reason="We want it")
    with pytest.raises(PermissionDenied):
        transfer_request(actor=people["psych"], case=case, to_cell=other_cell, reason="No edit rights")
    assert not Transfer.objects.exists()


# --- Accept ------------------------------------------------------------------------------------


def test_acceptance_moves_the_case_bumps_its_version_and_is_audited(case, pending, other_cell, people):
    # When the receiving cell accepts
    accepted = transfer_accept(actor=people["to_worker"], transfer=pending)
    # Then the case belongs to it, at a new version with its snapshot
    case.refresh_from_db()
    assert (case.cell, case.version) == (other_cell, 2)
    assert RecordVersion.objects.filter(case=case, version=2, changed_by=people["to_worker"]).exists()
    assert (accepted.status, accepted.decided_by, accepted.decided_by_label) == (
        "accepted",
        people["to_worker"],
        "lhr_worker",
    )
    (event,) = _events("transfer.accepted")
    assert (event.cell, event.object_ref) == (other_cell, case.code)
    assert json.loads(event.details) == {
        "transfer": str(pending.pk),
        "from_cell": "KHI",
        "fields": ["cell"],
        "version": 2,
    }


def test_a_transfer_is_decided_once(case, pending, people):
    transfer_accept(actor=people["to_worker"], transfer=pending)
    with pytest.raises(ValidationError):
        transfer_accept(actor=people["to_desk"], transfer=pending)
    with pytest.raises(ValidationError):
        transfer_decline(actor=people["to_desk"], transfer=pending, reason="Too late")
    assert len(_events("transfer.accepted")) == 1
    assert not _events("transfer.declined")


def test_the_sending_cell_cannot_accept_its_own_request(case, pending, people):
    with pytest.raises(PermissionDenied):
        transfer_accept(actor=people["head"], transfer=pending)
    response = login_client(people["head"]).post(
        reverse("referrals:transfer_accept", kwargs={"transfer_id": pending.pk})
    )
    assert response.status_code == 404
    pending.refresh_from_db()
    assert pending.status == "requested"


def test_after_acceptance_the_receiving_cell_has_the_full_case(case, pending, people):
    login_client(people["to_worker"]).post(reverse("referrals:transfer_accept", kwargs={"transfer_id": pending.pk}))
    response = _detail(people["to_desk"], case)
    assert response.status_code == 200
    assert "Test Survivor (synthetic)" in response.content.decode()
    # The review page has nothing left to decide
    assert _get(people["to_worker"], "referrals:transfer_review", transfer_id=pending.pk).status_code == 404
    # ...and the transferred-out page is not theirs
    assert _get(people["to_worker"], "referrals:transferred_out", transfer_id=pending.pk).status_code == 404


def test_after_acceptance_the_sending_cell_reads_only_its_own_record(case, pending, cell, people):
    # Given what the sending cell recorded before the transfer
    desk, to_desk = people["desk"], people["to_desk"]
    consent_record(actor=desk, case=case, purpose="counselling", decision="given", given_by="survivor", method="verbal")
    own_events = list(
        AuditEvent.objects.filter(object_type="case", object_ref=case.code, cell=cell)
        .exclude(action__in=["case.viewed", "survivor.identity_viewed"])
        .values_list("id", flat=True)
    )
    transfer_accept(actor=people["to_worker"], transfer=pending)
    # And what the receiving cell records afterwards
    case.refresh_from_db()
    consent_record(
        actor=to_desk, case=case, purpose="photographs", decision="given", given_by="survivor", method="verbal"
    )
    consent_revoke(actor=to_desk, consent=case.consents.get(purpose="examination"))
    case_update(actor=to_desk, case=case, expected_version=case.version, changes={"district": "Lahore Cantt"})
    # When a member of the sending cell opens the transferred-out page
    assert _detail(desk, case).status_code == 404
    response = _get(people["psych"], "referrals:transferred_out", transfer_id=pending.pk)
    assert response.status_code == 200
    page = response.content.decode()
    # Then it shows the case code, the transfer, and its own consents, versions and events
    assert case.code in page
    assert "She moved to Lahore" in page
    assert "Medical examination" in page
    assert "Counselling" in page
    assert "Karachi South" in page  # its own version snapshot
    record = response.context["record"]
    assert [seen.consent.purpose for seen in record.consents] == ["examination", "counselling"]
    assert [v.version.version for v in record.versions] == [1]
    assert [e.id for e in record.timeline] == own_events
    # And nothing the receiving cell recorded, and no identity
    assert "Photographs" not in page
    assert "Lahore Cantt" not in page
    assert all(seen.revoked_at is None for seen in record.consents)  # withdrawn later, by the receiving cell
    assert all(e.cell_id == cell.pk for e in record.timeline)
    _no_identity(page)
    (event,) = [e for e in _events("transfer.viewed") if json.loads(e.details)["as"] == "sending"]
    assert (event.cell, event.actor, event.object_ref) == (cell, people["psych"], str(pending.pk))


def test_after_acceptance_the_sending_cell_cannot_act_on_the_case(case, pending, other_cell, people):
    transfer_accept(actor=people["to_worker"], transfer=pending)
    case.refresh_from_db()
    with pytest.raises(PermissionDenied):
        transfer_request(actor=people["head"], case=case, to_cell=other_cell, reason="Back")
    client = login_client(people["head"])
    assert client.get(reverse("cases:edit", kwargs={"code": case.code})).status_code == 404


def test_a_third_cell_sees_nothing_after_acceptance(case, pending, people):
    transfer_accept(actor=people["to_worker"], transfer=pending)
    assert _detail(people["third"], case).status_code == 404
    assert _get(people["third"], "referrals:transferred_out", transfer_id=pending.pk).status_code == 404


def test_the_transferred_out_page_is_only_for_accepted_transfers(case, pending, people):
    assert _get(people["desk"], "referrals:transferred_out", transfer_id=pending.pk).status_code == 404


def test_a_case_that_came_back_shows_the_sending_cell_only_its_own_spans(case, cell, other_cell, people):
    # Given a case that went KHI -> LHR1 -> KHI -> LHR1, and a member of both cells
    both = people["to_desk"]
    Membership.objects.create(user=both, cell=cell, role=Role.DESK_OFFICER)
    first = transfer_request(actor=people["head"], case=case, to_cell=other_cell, reason="Moved")
    transfer_accept(actor=people["to_worker"], transfer=first)
    case.refresh_from_db()
    # While LHR1 holds it, the member of both records a consent there
    consent_record(actor=both, case=case, purpose="photographs", decision="given", given_by="survivor", method="verbal")
    back = transfer_request(actor=people["to_worker"], case=case, to_cell=cell, reason="Moved back")
    transfer_accept(actor=people["head"], transfer=back)
    case.refresh_from_db()
    consent_record(
        actor=people["desk"], case=case, purpose="treatment", decision="given", given_by="survivor", method="verbal"
    )
    again = transfer_request(actor=people["head"], case=case, to_cell=other_cell, reason="Moved again")
    transfer_accept(actor=people["to_worker"], transfer=again)
    # When KHI opens the last transferred-out page
    record = _get(people["psych"], "referrals:transferred_out", transfer_id=again.pk).context["record"]
    # Then it shows what KHI recorded in both of its spans, and not what was recorded while LHR1 held it
    assert [seen.consent.purpose for seen in record.consents] == ["examination", "treatment"]
    assert all(v.version.changed_by_id != people["to_worker"].pk for v in record.versions)
    # The first transfer's page stops at the first hand-over
    earlier = _get(people["psych"], "referrals:transferred_out", transfer_id=first.pk).context["record"]
    assert [seen.consent.purpose for seen in earlier.consents] == ["examination"]


# --- Decline -----------------------------------------------------------------------------------


def test_a_declined_transfer_leaves_everything_as_it_was(case, pending, cell, other_cell, people):
    versions_before = RecordVersion.objects.filter(case=case).count()
    # When the receiving cell declines, saying why
    response = login_client(people["to_worker"]).post(
        reverse("referrals:transfer_decline", kwargs={"transfer_id": pending.pk}), {"reason": "No space this month"}
    )
    assert response.status_code == 302
    # Then the case is where it was, at the same version, and the sending cell keeps full access
    case.refresh_from_db()
    pending.refresh_from_db()
    assert (case.cell, case.version) == (cell, 1)
    assert RecordVersion.objects.filter(case=case).count() == versions_before
    assert (pending.status, pending.decline_reason, pending.decided_by) == (
        "declined",
        "No space this month",
        people["to_worker"],
    )
    assert _detail(people["desk"], case).status_code == 200
    assert "No space this month" in _detail(people["head"], case).content.decode()
    # The receiving cell still has no access, the page has nothing to decide, and no transferred-out page exists
    assert _detail(people["to_desk"], case).status_code == 404
    assert _get(people["to_worker"], "referrals:transfer_review", transfer_id=pending.pk).status_code == 404
    assert _get(people["desk"], "referrals:transferred_out", transfer_id=pending.pk).status_code == 404
    (event,) = _events("transfer.declined")
    assert (event.cell, event.object_ref) == (other_cell, case.code)
    assert json.loads(event.details) == {"transfer": str(pending.pk), "from_cell": "KHI"}
    assert "space" not in event.details
    assert not _events("transfer.accepted")
    # And the sending cell may ask again
    transfer_request(actor=people["head"], case=case, to_cell=other_cell, reason="Space now")


def test_a_decline_needs_a_reason(case, pending, people):
    with pytest.raises(ValidationError):
        transfer_decline(actor=people["to_worker"], transfer=pending, reason="  ")
    pending.refresh_from_db()
    assert pending.status == "requested"
    assert not _events("transfer.declined")


def test_the_receiving_cells_list_shows_pending_and_the_senders_shows_handed_over(
    case, pending, cell, other_cell, people
):
    listing = _get(people["desk"], "referrals:transfer_list", cell_code=cell.code).content.decode()
    assert case.code not in listing  # nothing pending for KHI, nothing handed over yet
    transfer_accept(actor=people["to_worker"], transfer=pending)
    listing = _get(people["psych"], "referrals:transfer_list", cell_code=cell.code).content.decode()
    assert reverse("referrals:transferred_out", kwargs={"transfer_id": pending.pk}) in listing
    incoming = _get(people["to_worker"], "referrals:transfer_list", cell_code=other_cell.code).content.decode()
    assert case.code not in incoming
    assert [e.actor for e in _events("transfer.listed")] == [people["desk"], people["psych"], people["to_worker"]]


def test_after_acceptance_she_is_found_where_her_case_is_and_work_is_released(case, pending, people):
    from crisiscell.cases.duties import task_take
    from crisiscell.cases.models import Alert, TaskKind
    from crisiscell.cases.selectors import survivor_lookup
    from crisiscell.cases.services import Task

    # Given a duty taken and an alert raised in the sending cell
    task_take(actor=people["head"], task=case.tasks.get(kind=TaskKind.OTHER_ACTION))
    Alert.objects.create(user=people["head"], case=case, kind="new_case", created_at=case.arrival_at)
    # When the receiving cell accepts
    transfer_accept(actor=people["to_worker"], transfer=pending)
    # Then the receiving cell finds her by CNIC and the sending cell no longer does
    assert [m.survivor for m in survivor_lookup(people["to_desk"], cnic="35202-1234567-1")] == [case.survivor]
    assert survivor_lookup(people["desk"], cnic="35202-1234567-1") == []
    # and nothing of the case's open work stays with the sending cell's staff.
    assert not Task.objects.filter(case=case, status="open", owner__isnull=False).exists()
    assert not Alert.objects.filter(case=case, read_at__isnull=True).exists()
