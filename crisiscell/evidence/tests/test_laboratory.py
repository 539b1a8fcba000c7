"""Laboratory dockets: dispatch, receipt, the result stored with its hash, the turnaround clock."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from crisiscell.audit.models import AuditEvent
from crisiscell.cases.models import ClockState, Task, TaskKind, TaskStatus
from crisiscell.cases.services import case_register, consent_record
from crisiscell.cases.tests.helpers import intake_data
from crisiscell.documents import storage
from crisiscell.evidence import services
from crisiscell.evidence.models import EvidenceStatus
from crisiscell.evidence.selectors import case_evidence, lab_clock
from crisiscell.evidence.tests.helpers import actions, details, register, sealed

RESULT = b"%PDF-1.4 synthetic laboratory result: DNA profile matches reference (test)\n" * 50


@pytest.fixture
def case(cell, desk):
    """A case that arrived five days ago (incident the day before), with her consent to evidence."""
    arrived = timezone.now() - timedelta(days=5)
    registered = case_register(actor=desk, cell=cell, data=intake_data(arrival_at=arrived))
    consent_record(
        actor=desk, case=registered, purpose="evidence", decision="given", given_by="survivor", method="signed_form"
    )
    return registered


def _send(custodian, case, items, *, hours_ago=2):
    return services.lab_submit(
        actor=custodian, case=case, laboratory="pfsa", docket_number="RC-2026-118 (test)", items=items,
        dispatched_at=timezone.now() - timedelta(hours=hours_ago),
    )  # fmt: skip


def test_a_docket_sends_sealed_items_to_the_laboratory(case, custodian):
    # Given two sealed items
    swab, blood = sealed(custodian, case, hours_ago=100), sealed(custodian, case, "ref_blood", hours_ago=100)
    # When the custodian records the dispatch
    submission = _send(custodian, case, [swab, blood])
    # Then both are dispatched, held by the laboratory, each movement a custody row, audited
    for item in (swab, blood):
        item.refresh_from_db()
        assert item.status == EvidenceStatus.DISPATCHED
        assert item.holder is None
        assert item.holder_external == "Punjab Forensic Science Agency"
        movement = item.custody.get(kind="dispatched")
        assert movement.purpose == "RC-2026-118 (test)"
    assert set(submission.items.all()) == {swab, blood}
    event = AuditEvent.objects.get(action="evidence.lab_submitted")
    assert details(event)["items"] == [swab.human_id, blood.human_id]


def test_a_docket_needs_items_of_the_case_that_can_travel_and_a_number(case, custodian, mlo):
    unsealed = register(custodian, case)
    with pytest.raises(ValidationError):
        _send(custodian, case, [unsealed])  # collected, not sealed
    with pytest.raises(ValidationError):
        _send(custodian, case, [])
    with pytest.raises(ValidationError):
        services.lab_submit(
            actor=custodian, case=case, laboratory="pfsa", docket_number=" ", items=[sealed(mlo, case, hours_ago=100)],
            dispatched_at=timezone.now(),
        )  # fmt: skip
    with pytest.raises(ValidationError):
        services.lab_submit(
            actor=custodian, case=case, laboratory="moon", docket_number="1", items=[sealed(mlo, case, hours_ago=100)],
            dispatched_at=timezone.now(),
        )  # fmt: skip
    assert not AuditEvent.objects.filter(action="evidence.lab_submitted").exists()


def test_the_result_is_stored_write_once_with_its_sha256_and_completes_forensic_analysis(case, custodian):
    # Given a docket received by the laboratory, and the open forensic-analysis duty
    item = sealed(custodian, case, hours_ago=100)
    submission = _send(custodian, case, [item], hours_ago=50)
    submission = services.lab_received(
        actor=custodian, submission=submission, received_at=timezone.now() - timedelta(hours=40)
    )
    item.refresh_from_db()
    assert item.status == EvidenceStatus.RECEIVED_BY_LAB
    duty = Task.objects.get(case=case, kind=TaskKind.FORENSIC)
    assert duty.status == TaskStatus.OPEN
    # When the result document is uploaded
    done = services.lab_result(
        actor=custodian, submission=submission, document=io.BytesIO(RESULT), received_at=timezone.now(),
        summary="Profile obtained (test)", name="result.pdf",
    )  # fmt: skip
    # Then it is stored with the SHA-256 of its bytes and reads back unchanged
    assert done.result_file is not None
    assert done.result_file.sha256 == hashlib.sha256(RESULT).hexdigest()
    assert b"".join(storage.read_chunks(done.result_file)) == RESULT
    # And the item is analysed with its result received, the duty done, all audited
    item.refresh_from_db()
    assert item.status == EvidenceStatus.RESULT_RECEIVED
    assert [m.kind for m in item.custody.all()][-3:] == ["lab_received", "analysed", "result"]
    duty.refresh_from_db()
    assert duty.status == TaskStatus.DONE
    uploaded = AuditEvent.objects.get(action="evidence.result_uploaded")
    assert details(uploaded)["sha256"] == hashlib.sha256(RESULT).hexdigest()
    assert "task.closed" in actions(case.code)
    # A second result for the same docket is refused
    with pytest.raises(ValidationError):
        services.lab_result(actor=custodian, submission=done, document=io.BytesIO(b"x"), received_at=timezone.now())


def test_forensic_analysis_stays_open_while_another_docket_is_out(case, custodian):
    first, second = sealed(custodian, case, hours_ago=100), sealed(custodian, case, "clothing", hours_ago=100)
    a = _send(custodian, case, [first], hours_ago=30)
    _send(custodian, case, [second], hours_ago=20)
    a = services.lab_received(actor=custodian, submission=a, received_at=timezone.now() - timedelta(hours=10))
    services.lab_result(actor=custodian, submission=a, document=io.BytesIO(b"r"), received_at=timezone.now())
    assert Task.objects.get(case=case, kind=TaskKind.FORENSIC).status == TaskStatus.OPEN


def test_a_receipt_before_the_dispatch_is_refused(case, custodian):
    submission = _send(custodian, case, [sealed(custodian, case, hours_ago=100)], hours_ago=1)
    with pytest.raises(ValidationError):
        services.lab_received(actor=custodian, submission=submission, received_at=timezone.now() - timedelta(hours=3))


def test_the_turnaround_clock_runs_from_dispatch_and_is_met_or_missed_by_the_result(case, custodian):
    # Given a docket sent 10 days ago (the working target is 30 days)
    submission = _send(custodian, case, [sealed(custodian, case, "clothing", hours_ago=300)], hours_ago=240)
    now = timezone.now()
    clock = lab_clock(submission, now)
    # Then it is open with 20 days left, not yet in its warning week
    assert clock.state == ClockState.OPEN
    assert clock.deadline == submission.dispatched_at + timedelta(days=30)
    assert clock.time_left is not None
    assert timedelta(days=19) < clock.time_left < timedelta(days=21)
    assert not clock.warning
    # Seen 25 days after dispatch it warns; 31 days after, it is missed
    assert lab_clock(submission, submission.dispatched_at + timedelta(days=25)).warning
    assert lab_clock(submission, submission.dispatched_at + timedelta(days=31)).state == ClockState.MISSED
    # A result in time meets it
    submission.result_received_at = submission.dispatched_at + timedelta(days=12)
    assert lab_clock(submission, now).state == ClockState.MET
    submission.result_received_at = submission.dispatched_at + timedelta(days=33)
    assert lab_clock(submission, now).state == ClockState.MISSED


def test_the_case_evidence_read_shows_items_dockets_clocks_and_is_audited(case, custodian):
    _send(custodian, case, [sealed(custodian, case, hours_ago=100)])
    evidence = case_evidence(custodian, case, now=timezone.now())
    assert len(evidence.items) == 1
    assert len(evidence.submissions) == 1
    assert evidence.submissions[0].clock.state == ClockState.OPEN
    # The swab's sample window is shown, met by its collection
    hvs = next(c for c in evidence.sample_clocks if c.key == "swab_hvs")
    assert hvs.state == ClockState.MET
    assert AuditEvent.objects.filter(action="evidence.viewed", object_ref=case.code).count() == 1
