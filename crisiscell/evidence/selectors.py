"""Reads of evidence: scoped to the actor's cells, audited, with the laboratory clocks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from crisiscell.access.policy import Action, Section
from crisiscell.access.scoping import allows_in_cell
from crisiscell.accounts.models import User
from crisiscell.audit.services import audit_record
from crisiscell.cases.clocks import Clock
from crisiscell.cases.models import Case, ClockState
from crisiscell.cases.rules_in_force import rules_in_force
from crisiscell.evidence.ids import parse_item_id
from crisiscell.evidence.models import CustodyEvent, EvidenceItem, LabSubmission


def item_get_for(actor: User, human_id: str, action: Action = Action.VIEW) -> EvidenceItem:
    """An item by its number if the actor may act on evidence in its cell; 404 otherwise."""
    canonical = parse_item_id(human_id)
    item = (
        EvidenceItem.objects.select_related("case", "case__cell", "holder").filter(human_id=canonical).first()
        if canonical
        else None
    )
    if item is None or not allows_in_cell(actor, item.case.cell, Section.EVIDENCE, action):
        raise Http404
    return item


@dataclass(frozen=True)
class SubmissionView:
    submission: LabSubmission
    clock: Clock


def lab_clock(submission: LabSubmission, now: datetime, rules: dict[str, Any] | None = None) -> Clock:
    """The laboratory's turnaround: met when the result came in time, missed when late."""
    rule = (rules or rules_in_force())["lab_result"]
    deadline = submission.dispatched_at + timedelta(hours=rule.hours)
    label, tag = str(rule.label), str(rule.tag)
    if submission.result_received_at is not None:
        late = submission.result_received_at > deadline
        return Clock(rule.key, label, tag, ClockState.MISSED if late else ClockState.MET, deadline, None, False)
    if now > deadline:
        return Clock(rule.key, label, tag, ClockState.MISSED, deadline, deadline - now, False)
    left = deadline - now
    return Clock(rule.key, label, tag, ClockState.OPEN, deadline, left, left <= timedelta(hours=rule.warn_hours))


@dataclass(frozen=True)
class CaseEvidence:
    items: list[EvidenceItem]
    submissions: list[SubmissionView]


def case_evidence(actor: User, case: Case, *, now: datetime, audit: bool = True) -> CaseEvidence:
    """Items with their custody, and laboratory submissions with their clocks. Audits ``evidence.viewed``."""
    if not allows_in_cell(actor, case.cell, Section.EVIDENCE, Action.VIEW):
        raise Http404
    if audit:
        audit_record(action="evidence.viewed", actor=actor, cell=case.cell, object_type="case", object_ref=case.code)
    custody = Prefetch(
        "custody", queryset=CustodyEvent.objects.select_related("from_user", "to_user").order_by("at", "created_at")
    )
    items = list(
        EvidenceItem.objects.filter(case=case).select_related("holder", "collected_by").prefetch_related(custody)
    )
    rules = rules_in_force()
    submissions = [
        SubmissionView(s, lab_clock(s, now, rules))
        for s in LabSubmission.objects.filter(case=case).prefetch_related("items").select_related("result_file")
    ]
    return CaseEvidence(items, submissions)


def pending_handovers_for(actor: User) -> QuerySet[CustodyEvent]:
    """Hand-overs waiting for this staff member to confirm."""
    return CustodyEvent.objects.filter(to_user=actor, state=CustodyEvent.State.PENDING).select_related(
        "item", "item__case", "from_user"
    )


def custody_event_get_for(actor: User, event_id: str) -> CustodyEvent:
    event = CustodyEvent.objects.select_related("item", "item__case", "item__case__cell").filter(pk=event_id).first()
    if event is None or not allows_in_cell(actor, event.item.case.cell, Section.EVIDENCE, Action.VIEW):
        raise Http404
    return event


def submission_get_for(actor: User, submission_id: str, action: Action = Action.VIEW) -> LabSubmission:
    submission = (
        LabSubmission.objects.select_related("case", "case__cell", "result_file").filter(pk=submission_id).first()
    )
    if submission is None or not allows_in_cell(actor, submission.case.cell, Section.EVIDENCE, action):
        raise Http404
    return submission
