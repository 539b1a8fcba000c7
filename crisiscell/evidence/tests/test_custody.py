"""Items, their status machine, seals and storage, and the custody rows that seal every movement."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from crisiscell.access.policy import Role
from crisiscell.audit.models import AuditEvent
from crisiscell.cases.models import ClockResolution, Task, TaskKind, TaskStatus
from crisiscell.cases.services import ConsentRequired, case_register
from crisiscell.cases.tests.helpers import intake_data
from crisiscell.evidence import services
from crisiscell.evidence.ids import parse_item_id
from crisiscell.evidence.models import TRANSITIONS, CustodyEvent, EvidenceItem, EvidenceStatus
from crisiscell.evidence.services import STATUS_MOVEMENT, custody_digest
from crisiscell.evidence.tests.helpers import actions, details, register, sealed


def test_registering_an_item_numbers_it_records_its_collection_and_stops_its_sample_clock(case, mlo):
    # Given an adult case with her consent to evidence collection
    # When the medico-legal officer registers a high vaginal swab
    item = register(mlo, case, "swab_hvs")
    # Then it has a valid number within the case, is held by her, and its collection is a custody row
    assert parse_item_id(item.human_id) == item.human_id
    assert item.human_id.startswith(f"E-KHI-{case.code.split('-')[1][2:]}-")
    assert (item.status, item.holder) == (EvidenceStatus.COLLECTED, mlo)
    movement = item.custody.get()
    assert (movement.kind, movement.to_user, movement.audit_event.action) == ("collected", mlo, "evidence.custody")
    # And the swab's window is met at the collection time, audited
    resolution = ClockResolution.objects.get(case=case, clock_key="swab_hvs")
    assert resolution.done_at == item.collected_at
    assert actions(item.human_id) == ["evidence.custody"]
    assert {"evidence.registered", "clock.resolved"} <= set(actions(case.code))


def test_a_second_sample_of_the_same_kind_leaves_the_clock_as_it_was(case, mlo):
    register(mlo, case, "swab_hvs", minutes_ago=40)
    second = register(mlo, case, "swab_hvs", minutes_ago=10)
    assert second.human_id.split("-")[4] == "02"
    assert ClockResolution.objects.filter(case=case, clock_key="swab_hvs").count() == 1


def test_registering_needs_her_consent_and_the_evidence_section(cell, desk, mlo, team):
    case = case_register(actor=desk, cell=cell, data=intake_data())
    with pytest.raises(ConsentRequired):
        register(mlo, case)
    with pytest.raises(PermissionDenied):
        register(team[Role.PSYCHOLOGIST], case)
    assert not EvidenceItem.objects.exists()
    assert not AuditEvent.objects.filter(action="evidence.registered").exists()


def test_a_collection_in_the_future_is_refused(case, mlo):
    with pytest.raises(ValidationError):
        services.item_register(actor=mlo, case=case, kind="urine", collected_at=timezone.now() + timedelta(hours=1))


def test_every_legal_transition_is_accepted_and_recorded(case, custodian):
    # Given an item, put in each status in turn
    item = register(custodian, case, "clothing")
    for start, targets in TRANSITIONS.items():
        for target in sorted(targets):
            EvidenceItem.objects.filter(pk=item.pk).update(status=start)
            item.refresh_from_db()
            before = AuditEvent.objects.filter(action="evidence.custody").count()
            # When it moves along a legal transition
            moved = services.item_transition(actor=custodian, item=item, to=target, reason="Court order 7 (test)")
            # Then its status is the target, and the movement is a custody row with its audit event
            assert moved.status == target, (start, target)
            last = CustodyEvent.objects.filter(item=item).order_by("-created_at").first()
            assert last is not None
            assert last.kind == STATUS_MOVEMENT[EvidenceStatus(target)]
            assert last.audit_event is not None
            assert details(last.audit_event)["movement"] == last.kind
            assert AuditEvent.objects.filter(action="evidence.custody").count() == before + 1


def test_every_illegal_transition_is_refused_and_changes_nothing(case, custodian):
    item = register(custodian, case, "clothing")
    for start in EvidenceStatus.values:
        for target in EvidenceStatus.values:
            if target in TRANSITIONS[start]:
                continue
            EvidenceItem.objects.filter(pk=item.pk).update(status=start)
            item.refresh_from_db()
            rows = CustodyEvent.objects.filter(item=item).count()
            with pytest.raises(ValidationError):
                services.item_transition(actor=custodian, item=item, to=target, reason="test")
            item.refresh_from_db()
            assert item.status == start, (start, target)
            assert CustodyEvent.objects.filter(item=item).count() == rows


def test_destroying_needs_a_reason(case, custodian):
    item = register(custodian, case, "clothing")
    with pytest.raises(ValidationError):
        services.item_transition(actor=custodian, item=item, to=EvidenceStatus.DESTROYED, reason=" ")
    destroyed = services.item_transition(
        actor=custodian, item=item, to=EvidenceStatus.DESTROYED, reason="Court order 9 (test): disposal"
    )
    assert destroyed.destroyed_reason == "Court order 9 (test): disposal"
    with pytest.raises(ValidationError):
        services.item_transition(actor=custodian, item=destroyed, to=EvidenceStatus.RETURNED)


def test_sealing_records_the_seal_and_completes_the_evidence_duty(case, custodian):
    # Given a collected swab and the open evidence-collection duty
    duty = Task.objects.get(case=case, kind=TaskKind.EVIDENCE)
    assert duty.status == TaskStatus.OPEN
    item = register(custodian, case)
    # When the custodian seals it
    item = services.item_seal(actor=custodian, item=item, seal_number=" PFSA-778 ", sealer_initials="ec")
    # Then the seal is on the item, it is sealed, the movement says the seal is intact
    assert (item.seal_number, item.sealer_initials, item.sealed_on) == ("PFSA-778", "EC", timezone.localdate())
    assert item.status == EvidenceStatus.SEALED
    movement = item.custody.get(kind="sealed")
    assert movement.seal_intact is True
    # And the duty on the board is done, audited
    duty.refresh_from_db()
    assert duty.status == TaskStatus.DONE
    assert AuditEvent.objects.filter(action="task.closed", object_ref=case.code).exists()
    assert actions(item.human_id) == ["evidence.custody", "evidence.custody"]


def test_a_seal_needs_its_number_and_initials(case, custodian):
    item = register(custodian, case)
    with pytest.raises(ValidationError):
        services.item_seal(actor=custodian, item=item, seal_number="", sealer_initials="EC")
    item.refresh_from_db()
    assert item.status == EvidenceStatus.COLLECTED


def test_storing_records_place_and_temperature(case, custodian):
    item = sealed(custodian, case)
    with pytest.raises(ValidationError):
        services.item_store(actor=custodian, item=item, place=" ", temperature="4 C")
    stored = services.item_store(actor=custodian, item=item, place="Evidence fridge 2", temperature="2-8 °C")
    assert (stored.status, stored.storage_place, stored.storage_temperature) == (
        EvidenceStatus.IN_STORAGE,
        "Evidence fridge 2",
        "2-8 °C",
    )
    assert stored.custody.filter(kind="stored").count() == 1
    assert actions(stored.human_id)[-1] == "evidence.custody"


def test_each_custody_row_is_sealed_with_its_digest(case, custodian):
    # Given a sealed item
    item = sealed(custodian, case)
    for movement in item.custody.all():
        sealed_details = details(movement.audit_event)
        # Then each audit event names its custody row and carries the row's digest
        assert sealed_details["custody"] == str(movement.pk)
        assert sealed_details["row_sha256"] == custody_digest(movement)
        assert len(sealed_details["row_sha256"]) == len(hashlib.sha256().hexdigest())
    # And a row changed behind the services no longer matches its sealed digest
    movement = item.custody.get(kind="sealed")
    movement.purpose = "changed later"
    assert custody_digest(movement) != details(movement.audit_event)["row_sha256"]


def test_custody_rows_cannot_be_changed_or_deleted_on_postgresql(case, custodian):
    item = sealed(custodian, case)
    movement = item.custody.get(kind="sealed")
    if connection.vendor != "postgresql":
        # SQLite has no trigger: the services never update or delete, and the digest shows a change.
        assert not hasattr(services, "custody_update")
        assert not hasattr(services, "custody_delete")
        return
    with pytest.raises(DatabaseError), transaction.atomic():
        CustodyEvent.objects.filter(pk=movement.pk).update(purpose="rewritten")
    with pytest.raises(DatabaseError), transaction.atomic():
        CustodyEvent.objects.filter(pk=movement.pk).delete()
    movement.refresh_from_db()
    assert movement.purpose == ""
