"""Reads of evidence: scoped to the actor's cells, audited, with the laboratory clocks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from crisiscell.access.policy import Action, Section
from crisiscell.access.scoping import allows_in_cell
from crisiscell.accounts.models import User
from crisiscell.audit.services import audit_record
from crisiscell.cases.board import case_clocks
from crisiscell.cases.clocks import EVIDENCE_CLOCKS, Clock
from crisiscell.cases.models import Case, ClockState
from crisiscell.cases.rules_in_force import rules_in_force
from crisiscell.documents import storage
from crisiscell.documents.models import StoredFile
from crisiscell.evidence.ids import parse_item_id
from crisiscell.evidence.models import TRANSITIONS, CustodyEvent, EvidenceItem, EvidenceStatus, LabSubmission


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
    sample_clocks: list[Clock]
    pending: list[CustodyEvent]


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
    # The sample windows (swabs, urine) as the board shows them, derived on every read.
    sample_clocks = [c for c in case_clocks(case, now=now).clocks if c.key in EVIDENCE_CLOCKS]
    pending = [e for i in items for e in i.custody.all() if e.state == CustodyEvent.State.PENDING]
    return CaseEvidence(items, submissions, sample_clocks, pending)


def pending_handovers_for(actor: User) -> QuerySet[CustodyEvent]:
    """Hand-overs waiting for this staff member to confirm (only in cells where they still hold evidence rights)."""
    events = CustodyEvent.objects.filter(to_user=actor, state=CustodyEvent.State.PENDING).select_related(
        "item", "item__case", "item__case__cell", "from_user"
    )
    return events.order_by("at")


def offered_handovers_by(actor: User) -> QuerySet[CustodyEvent]:
    """Hand-overs this staff member offered that nobody has confirmed yet."""
    return (
        CustodyEvent.objects.filter(from_user=actor, to_user__isnull=False, state=CustodyEvent.State.PENDING)
        .select_related("item", "to_user")
        .order_by("at")
    )


def custody_event_get_for(actor: User, event_id: str, action: Action = Action.VIEW) -> CustodyEvent:
    event = (
        CustodyEvent.objects.select_related("item", "item__case", "item__case__cell", "from_user", "to_user")
        .filter(pk=event_id)
        .first()
    )
    if event is None or not allows_in_cell(actor, event.item.case.cell, Section.EVIDENCE, action):
        raise Http404
    return event


@dataclass(frozen=True)
class ItemPage:
    item: EvidenceItem
    custody: list[CustodyEvent]
    submissions: list[LabSubmission]
    next_statuses: list[str]
    pending: CustodyEvent | None


def item_page_for(actor: User, human_id: str) -> ItemPage:
    """One item with its whole custody history. Audits ``evidence.viewed`` (the item)."""
    item = item_get_for(actor, human_id)
    audit_record(
        action="evidence.viewed", actor=actor, cell=item.case.cell, object_type="evidence", object_ref=item.human_id
    )
    custody = list(
        CustodyEvent.objects.filter(item=item)
        .select_related("from_user", "to_user", "recorded_by")
        .order_by("at", "created_at")
    )
    pending = next((e for e in custody if e.state == CustodyEvent.State.PENDING), None)
    # Seal and storage have their own forms; the status form offers the rest.
    next_statuses = [s for s in EvidenceStatus.values if s in TRANSITIONS[item.status]]
    return ItemPage(item, custody, list(item.submissions.order_by("dispatched_at")), next_statuses, pending)


def receivers_for(actor: User, item: EvidenceItem) -> list[User]:
    """Colleagues who may hold evidence of the item's cell (everyone but the actor)."""
    cell = item.case.cell
    people = (
        User.objects.filter(memberships__cell=cell, memberships__is_active=True, is_active=True)
        .exclude(pk=actor.pk)
        .distinct()
        .order_by("username")
    )
    return [u for u in people if allows_in_cell(u, cell, Section.EVIDENCE, Action.EDIT)]


def items_for_labels(actor: User, case: Case) -> list[EvidenceItem]:
    """The items of a case for the label sheet. Audits ``evidence.labels_printed``."""
    if not allows_in_cell(actor, case.cell, Section.EVIDENCE, Action.VIEW):
        raise Http404
    audit_record(
        action="evidence.labels_printed", actor=actor, cell=case.cell, object_type="case", object_ref=case.code
    )
    return list(EvidenceItem.objects.filter(case=case).order_by("human_id"))


def receipt_for(actor: User, event_id: str) -> CustodyEvent:
    """A hand-over to someone outside the cell, for its receipt. Audits ``evidence.receipt_printed``."""
    event = custody_event_get_for(actor, event_id)
    if not event.external_organisation or event.to_user_id is not None:
        raise Http404
    audit_record(
        action="evidence.receipt_printed",
        actor=actor,
        cell=event.item.case.cell,
        object_type="evidence",
        object_ref=event.item.human_id,
        details={"custody": str(event.pk)},
    )
    return event


def result_file_for(actor: User, submission: LabSubmission) -> StoredFile | None:
    """The result document if it still matches its SHA-256 (None if not). Audits ``evidence.downloaded``."""
    stored = submission.result_file
    if stored is None or not allows_in_cell(actor, submission.case.cell, Section.EVIDENCE, Action.VIEW):
        raise Http404
    if not storage.verify(stored):
        return None
    audit_record(
        action="evidence.downloaded",
        actor=actor,
        cell=submission.case.cell,
        object_type="case",
        object_ref=submission.case.code,
        details={"sha256": stored.sha256},
    )
    return stored


@dataclass(frozen=True)
class CasePanel:
    case: Case
    items: int
    open_items: int
    pending_for_me: int
    can_edit: bool  # may hold and hand over evidence: the hand-overs page is for those roles
    can_export: bool


def case_panel_for(actor: User, case: Case) -> CasePanel | None:
    """The evidence panel of the case page: counts only (the details are a click away, audited there)."""
    if not getattr(actor, "is_authenticated", False) or not allows_in_cell(
        actor, case.cell, Section.EVIDENCE, Action.VIEW
    ):
        return None
    closed = (EvidenceStatus.DESTROYED, EvidenceStatus.RETURNED)
    # One read: items, those still held, and hand-overs of them waiting for this viewer
    # (the custody join repeats an item once per movement, hence the distinct counts).
    waiting = Q(custody__to_user=actor, custody__state=CustodyEvent.State.PENDING)
    counts = EvidenceItem.objects.filter(case=case).aggregate(
        items=Count("pk", distinct=True),
        open_items=Count("pk", filter=~Q(status__in=closed), distinct=True),
        pending_for_me=Count("custody", filter=waiting, distinct=True),
    )
    return CasePanel(
        case=case,
        items=counts["items"],
        open_items=counts["open_items"],
        pending_for_me=counts["pending_for_me"],
        can_edit=allows_in_cell(actor, case.cell, Section.EVIDENCE, Action.EDIT),
        can_export=allows_in_cell(actor, case.cell, Section.EVIDENCE, Action.EXPORT),
    )


def submission_get_for(actor: User, submission_id: str, action: Action = Action.VIEW) -> LabSubmission:
    submission = (
        LabSubmission.objects.select_related("case", "case__cell", "result_file").filter(pk=submission_id).first()
    )
    if submission is None or not allows_in_cell(actor, submission.case.cell, Section.EVIDENCE, action):
        raise Http404
    return submission
