"""Every write to evidence: registration, sealing, storage, status, hand-overs, laboratories.

Each function checks the access policy (the ``evidence`` section in the case's
cell), runs in one transaction and writes a ``CustodyEvent`` together with its
audit event, so the chain of custody is sealed into the Merkle log with the rest
of the audit trail. Custody rows are added, never edited; the one exception is a
pending hand-over, whose state moves once (pending to complete or cancelled)
through a guarded update.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any, BinaryIO

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from crisiscell.access.policy import Action, Section
from crisiscell.access.scoping import allows_in_cell
from crisiscell.accounts.models import User
from crisiscell.audit.services import audit_record
from crisiscell.cases.duties import clock_resolve, task_close
from crisiscell.cases.models import Case, ClockResolution, Task, TaskKind, TaskStatus
from crisiscell.cases.services import require_consent
from crisiscell.core.times import minute_in_sentence
from crisiscell.documents import storage
from crisiscell.evidence.ids import item_id
from crisiscell.evidence.models import (
    KIND_CLOCK,
    TRANSITIONS,
    CustodyEvent,
    CustodyKind,
    EvidenceItem,
    EvidenceKind,
    EvidenceStatus,
    Laboratory,
    LabSubmission,
)

# The custody movement that each status change is.
STATUS_MOVEMENT = {
    EvidenceStatus.SEALED: CustodyKind.SEALED,
    EvidenceStatus.IN_STORAGE: CustodyKind.STORED,
    EvidenceStatus.DISPATCHED: CustodyKind.DISPATCHED,
    EvidenceStatus.RECEIVED_BY_LAB: CustodyKind.LAB_RECEIVED,
    EvidenceStatus.ANALYSED: CustodyKind.ANALYSED,
    EvidenceStatus.RESULT_RECEIVED: CustodyKind.RESULT,
    EvidenceStatus.RETURNED: CustodyKind.RETURNED,
    EvidenceStatus.DESTROYED: CustodyKind.DESTROYED,
}
MAX_RESULT_BYTES = getattr(settings, "CRISISCELL_MAX_RESULT_BYTES", 50 * 1024 * 1024)


def _require(actor: User, case: Case, action: Action = Action.EDIT) -> None:
    if not allows_in_cell(actor, case.cell, Section.EVIDENCE, action):
        raise PermissionDenied


def _not_future(at: datetime, field: str) -> None:
    if at > timezone.now() + timedelta(minutes=5):
        raise ValidationError({field: _("This time is in the future.")})


def _label(user: User | None) -> str:
    return (user.get_full_name() or user.username) if user else ""


def _custody(
    *,
    item: EvidenceItem,
    kind: str,
    actor: User,
    at: datetime | None = None,
    state: str = CustodyEvent.State.COMPLETE,
    from_user: User | None = None,
    to_user: User | None = None,
    to_label: str = "",
    external_rank: str = "",
    external_organisation: str = "",
    purpose: str = "",
    seal_intact: bool | None = None,
    condition: str = "",
) -> CustodyEvent:
    """Add one custody movement and the audit event that seals it.

    The audit details name the movement and carry ``row_sha256``, the digest of the
    custody row as recorded (``custody_digest``): the names, purpose and condition
    stay out of the audit log, yet any later change to the row no longer matches
    the digest sealed in the Merkle tree.
    """
    when = at or timezone.now()
    last = CustodyEvent.objects.filter(item=item).order_by("-at").values_list("at", flat=True).first()
    if last is not None and when < last:
        raise ValidationError(
            {"at": _("This is earlier than the item's last movement (%(when)s).") % {"when": minute_in_sentence(last)}}
        )
    movement = CustodyEvent(
        id=uuid.uuid4(),
        item=item,
        kind=kind,
        state=state,
        at=when,
        from_user=from_user,
        from_label=_label(from_user),
        to_user=to_user,
        to_label=(to_label or _label(to_user))[:200],
        external_rank=external_rank,
        external_organisation=external_organisation,
        purpose=purpose.strip()[:300],
        seal_intact=seal_intact,
        condition=condition.strip()[:300],
        recorded_by=actor,
    )
    movement.audit_event = audit_record(
        action="evidence.custody",
        actor=actor,
        cell=item.case.cell,
        object_type="evidence",
        object_ref=item.human_id,
        details={
            "case": item.case.code,
            "custody": str(movement.id),
            "movement": kind,
            "state": state,
            "from": from_user.username if from_user else "",
            "to": to_user.username if to_user else ("external" if to_label else ""),
            "seal_intact": seal_intact,
            "row_sha256": custody_digest(movement),
        },
    )
    movement.save(force_insert=True)
    return movement


def custody_digest(movement: CustodyEvent) -> str:
    """SHA-256 of a custody row's recorded facts (not its later confirmation), as sealed."""
    facts = [
        str(movement.id),
        movement.item.human_id,
        movement.kind,
        movement.at.astimezone(UTC).isoformat(),
        movement.from_label,
        movement.to_label,
        movement.external_rank,
        movement.external_organisation,
        movement.purpose,
        "" if movement.seal_intact is None else str(movement.seal_intact).lower(),
        movement.condition,
    ]
    return hashlib.sha256(json.dumps(facts, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()


def _case_number(case: Case) -> int:
    return int(case.code.rsplit("-", 1)[1])


@transaction.atomic
def item_register(
    *,
    actor: User,
    case: Case,
    kind: str,
    collected_at: datetime,
    description: str = "",
    examination: Any = None,
) -> EvidenceItem:
    """Register an item as it is collected. Needs the evidence consent (photographs: their own).

    Audits ``evidence.registered`` and the collection movement. A sample with a window
    (swabs, urine) stops its clock at the collection time.
    """
    _require(actor, case)
    if kind not in EvidenceKind.values:
        raise ValidationError({"kind": _("Choose what was collected.")})
    require_consent(case, "photographs" if kind == EvidenceKind.PHOTOGRAPH else "evidence")
    _not_future(collected_at, "collected_at")
    if collected_at < case.arrival_at - timedelta(days=1) and kind != EvidenceKind.CLOTHING:
        raise ValidationError({"collected_at": _("This is long before she arrived at the cell.")})
    Case.objects.select_for_update().filter(pk=case.pk).first()  # numbers the case's items one at a time
    number = EvidenceItem.objects.filter(case=case).count() + 1
    year = timezone.localtime(case.arrival_at).year
    item = EvidenceItem.objects.create(
        case=case,
        examination=examination,
        human_id=item_id(case.cell.code, year, _case_number(case), number),
        kind=kind,
        description=description[:300],
        collected_by=actor,
        collected_at=collected_at,
        holder=actor,
    )
    audit_record(
        action="evidence.registered",
        actor=actor,
        cell=case.cell,
        object_type="case",
        object_ref=case.code,
        details={"item": item.human_id, "kind": kind},
    )
    _custody(item=item, kind=CustodyKind.COLLECTED, actor=actor, at=collected_at, to_user=actor)
    clock = KIND_CLOCK.get(EvidenceKind(kind))
    # The first sample of its kind stops the window; later ones change nothing.
    if clock is not None and not ClockResolution.objects.filter(case=case, clock_key=clock).exists():
        clock_resolve(actor=actor, case=case, clock_key=clock, state="met", done_at=collected_at)
    return item


def _no_pending_handover(item: EvidenceItem) -> None:
    if CustodyEvent.objects.filter(item=item, state=CustodyEvent.State.PENDING).exists():
        raise ValidationError(_("A hand-over of this item is waiting for confirmation: settle it first."))


def _move(item: EvidenceItem, to: str, *, reason: str = "") -> None:
    if to not in TRANSITIONS[item.status]:
        raise ValidationError(
            _("An item that is %(now)s cannot become %(to)s.")
            % {"now": EvidenceStatus(item.status).label, "to": EvidenceStatus(to).label}
        )
    if to == EvidenceStatus.DESTROYED and not reason.strip():
        raise ValidationError({"reason": _("Say why the item is destroyed, and on whose order.")})
    updated = EvidenceItem.objects.filter(pk=item.pk, status=item.status).update(
        status=to, version=F("version") + 1, updated_at=timezone.now()
    )
    if not updated:
        raise ValidationError(_("Someone else moved this item meanwhile; reload it."))
    # Kept in step with the row without reading it back (the case stays cached on the item).
    item.status = to
    item.version += 1


@transaction.atomic
def item_transition(
    *,
    actor: User,
    item: EvidenceItem,
    to: str,
    reason: str = "",
    at: datetime | None = None,
    **custody: Any,
) -> EvidenceItem:
    """Move an item's status along ``TRANSITIONS`` (refuses any other move). Audits the movement."""
    _require(actor, item.case)
    if to not in EvidenceStatus.values:
        raise ValidationError(_("Unknown status."))
    when = at or timezone.now()
    _not_future(when, "at")
    _no_pending_handover(item)
    _move(item, to, reason=reason)
    if to == EvidenceStatus.DESTROYED:
        item.destroyed_reason = reason.strip()[:300]
        EvidenceItem.objects.filter(pk=item.pk).update(destroyed_reason=item.destroyed_reason)
    if to == EvidenceStatus.RETURNED:
        # Back in the cell's hands: the staff member recording it holds it.
        item.holder, item.holder_external = actor, ""
        EvidenceItem.objects.filter(pk=item.pk).update(holder=actor, holder_external="")
    _custody(
        item=item,
        kind=STATUS_MOVEMENT[EvidenceStatus(to)],
        actor=actor,
        at=when,
        from_user=actor,
        purpose=custody.pop("purpose", reason),
        **custody,
    )
    return item


@transaction.atomic
def item_seal(
    *,
    actor: User,
    item: EvidenceItem,
    seal_number: str,
    sealer_initials: str,
    sealed_on: date | None = None,
    at: datetime | None = None,
) -> EvidenceItem:
    """Seal a collected item (number, initials, date, as the seal bears them). The first seal
    of a case completes the evidence duty."""
    _require(actor, item.case)
    if not seal_number.strip() or not sealer_initials.strip():
        raise ValidationError(_("Enter the seal number and the sealer's initials."))
    item.seal_number = seal_number.strip()[:40]
    item.sealer_initials = sealer_initials.strip().upper()[:8]
    item.sealed_on = sealed_on or timezone.localdate(at or timezone.now())
    EvidenceItem.objects.filter(pk=item.pk).update(
        seal_number=item.seal_number, sealer_initials=item.sealer_initials, sealed_on=item.sealed_on
    )
    item_transition(actor=actor, item=item, to=EvidenceStatus.SEALED, at=at, seal_intact=True)
    duty = Task.objects.filter(case=item.case, kind=TaskKind.EVIDENCE, status=TaskStatus.OPEN).first()
    if duty is not None and allows_in_cell(actor, item.case.cell, Section.EVIDENCE, Action.EDIT):
        task_close(actor=actor, task=duty, status=TaskStatus.DONE, done_at=at or timezone.now())
    return item


@transaction.atomic
def item_store(
    *, actor: User, item: EvidenceItem, place: str, temperature: str, at: datetime | None = None
) -> EvidenceItem:
    """Place an item in storage (where, at what temperature). Audits the movement."""
    _require(actor, item.case)
    if not place.strip():
        raise ValidationError({"place": _("Say where the item is stored.")})
    item.storage_place, item.storage_temperature = place.strip()[:120], temperature.strip()[:40]
    EvidenceItem.objects.filter(pk=item.pk).update(
        storage_place=item.storage_place, storage_temperature=item.storage_temperature
    )
    return item_transition(actor=actor, item=item, to=EvidenceStatus.IN_STORAGE, at=at, seal_intact=True)


@transaction.atomic
def handover_request(
    *,
    actor: User,
    item: EvidenceItem,
    to_user: User,
    purpose: str,
    seal_intact: bool,
    condition: str = "",
    at: datetime | None = None,
) -> CustodyEvent:
    """Offer an item to a colleague. Nothing changes hands until they confirm with their own code.

    Audits ``evidence.handover_requested`` (and the pending movement).
    """
    _require(actor, item.case)
    if to_user.pk == actor.pk:
        raise ValidationError(_("Hand the item to someone else."))
    if not allows_in_cell(to_user, item.case.cell, Section.EVIDENCE, Action.EDIT):
        raise ValidationError(_("This colleague cannot hold evidence of this cell."))
    if item.holder_id != actor.pk:
        raise ValidationError(_("Only the staff member holding the item can hand it over."))
    if item.status in (EvidenceStatus.DESTROYED, EvidenceStatus.DISPATCHED, EvidenceStatus.RECEIVED_BY_LAB):
        raise ValidationError(_("The item is not in the cell's hands."))
    if CustodyEvent.objects.filter(item=item, state=CustodyEvent.State.PENDING).exists():
        raise ValidationError(_("A hand-over of this item is already waiting for confirmation."))
    if not purpose.strip():
        raise ValidationError({"purpose": _("Say why the item changes hands.")})
    if at is not None:
        _not_future(at, "at")
    audit_record(
        action="evidence.handover_requested",
        actor=actor,
        cell=item.case.cell,
        object_type="evidence",
        object_ref=item.human_id,
        details={"to": to_user.username},
    )
    return _custody(
        item=item,
        kind=CustodyKind.HANDOVER,
        actor=actor,
        state=CustodyEvent.State.PENDING,
        at=at,
        from_user=actor,
        to_user=to_user,
        purpose=purpose,
        seal_intact=seal_intact,
        condition=condition,
    )


def handover_confirm(*, actor: User, event: CustodyEvent, token: str) -> CustodyEvent:
    """The receiver takes the item, proving it is them with their authenticator's current code.

    Only the named receiver can confirm (anyone else: ``PermissionDenied``), and only
    with the current code of their own confirmed TOTP device: the giver's code, or the
    giver's session, cannot complete it. A wrong code is refused and audited
    (``evidence.handover_refused``, committed even though the confirmation fails, and
    counted by django-otp's throttling). Audits ``evidence.handover_confirmed`` and
    the item's holder becomes the receiver.
    """
    if event.to_user_id != actor.pk or event.state != CustodyEvent.State.PENDING:
        raise PermissionDenied
    device = TOTPDevice.objects.filter(user=actor, confirmed=True).first()
    # verify_token records the failure (throttling) or the used step (no replay) itself.
    if device is None or not device.verify_token(token):
        with transaction.atomic():
            audit_record(
                action="evidence.handover_refused",
                actor=actor,
                cell=event.item.case.cell,
                object_type="evidence",
                object_ref=event.item.human_id,
                details={"custody": str(event.pk)},
            )
        raise ValidationError({"token": _("That code is not right. Enter the code your app shows now.")})
    return _handover_complete(actor=actor, event=event)


@transaction.atomic
def _handover_complete(*, actor: User, event: CustodyEvent, at: datetime | None = None) -> CustodyEvent:
    """Settle a pending hand-over once the receiver has proved it is them (callers check that)."""
    now = at or timezone.now()
    updated = CustodyEvent.objects.filter(pk=event.pk, to_user=actor, state=CustodyEvent.State.PENDING).update(
        state=CustodyEvent.State.COMPLETE, confirmed_at=now
    )
    if not updated:
        raise ValidationError(_("This hand-over was already settled."))
    EvidenceItem.objects.filter(pk=event.item_id).update(
        holder=actor, holder_external="", version=F("version") + 1, updated_at=timezone.now()
    )
    audit_record(
        action="evidence.handover_confirmed",
        actor=actor,
        cell=event.item.case.cell,
        object_type="evidence",
        object_ref=event.item.human_id,
        details={"custody": str(event.pk), "from": event.from_user.username if event.from_user else ""},
    )
    event.refresh_from_db()
    return event


@transaction.atomic
def handover_cancel(*, actor: User, event: CustodyEvent) -> CustodyEvent:
    """The giver withdraws a hand-over nobody has confirmed."""
    if event.from_user_id != actor.pk:
        raise PermissionDenied
    updated = CustodyEvent.objects.filter(pk=event.pk, state=CustodyEvent.State.PENDING).update(
        state=CustodyEvent.State.CANCELLED
    )
    if not updated:
        raise ValidationError(_("This hand-over was already settled."))
    audit_record(
        action="evidence.handover_cancelled",
        actor=actor,
        cell=event.item.case.cell,
        object_type="evidence",
        object_ref=event.item.human_id,
        details={"custody": str(event.pk)},
    )
    event.refresh_from_db()
    return event


@transaction.atomic
def handover_external(
    *,
    actor: User,
    item: EvidenceItem,
    name: str,
    rank: str,
    organisation: str,
    purpose: str,
    seal_intact: bool,
    condition: str = "",
    at: datetime | None = None,
) -> CustodyEvent:
    """Hand an item to someone outside the cell (a police officer, a laboratory courier).

    Only the holder may, and only with her consent to release the evidence in force
    (``ConsentRequired`` otherwise). Their name, rank or badge and organisation are recorded in the custody row (not in
    the audit details); a custody receipt is printed from it.
    """
    _require(actor, item.case)
    # Anything that leaves the cell's hands is released: she must have agreed to it.
    require_consent(item.case, "release_police")
    if not (name.strip() and rank.strip() and organisation.strip() and purpose.strip()):
        raise ValidationError(_("Enter the person's name, rank or badge, organisation and the purpose."))
    if item.holder_id != actor.pk:
        raise ValidationError(_("Only the staff member holding the item can hand it over."))
    _no_pending_handover(item)
    when = at or timezone.now()
    _not_future(when, "at")
    event = _custody(
        item=item,
        kind=CustodyKind.HANDOVER,
        actor=actor,
        at=when,
        from_user=actor,
        to_label=name.strip()[:200],
        external_rank=rank.strip()[:80],
        external_organisation=organisation.strip()[:200],
        purpose=purpose,
        seal_intact=seal_intact,
        condition=condition,
    )
    EvidenceItem.objects.filter(pk=item.pk).update(
        holder=None, holder_external=f"{name.strip()}, {organisation.strip()}"[:200]
    )
    return event


@transaction.atomic
def lab_submit(
    *,
    actor: User,
    case: Case,
    laboratory: str,
    docket_number: str,
    items: Iterable[EvidenceItem],
    dispatched_at: datetime,
) -> LabSubmission:
    """Send items to a laboratory under one docket. Audits ``evidence.lab_submitted``."""
    _require(actor, case)
    chosen = list(items)
    if not chosen or any(item.case_id != case.pk for item in chosen):
        raise ValidationError({"items": _("Choose the items of this case that go to the laboratory.")})
    if laboratory not in Laboratory.values:
        raise ValidationError({"laboratory": _("Choose the laboratory.")})
    if not docket_number.strip():
        raise ValidationError({"docket_number": _("Enter the docket or road certificate number.")})
    _not_future(dispatched_at, "dispatched_at")
    submission = LabSubmission.objects.create(
        case=case,
        laboratory=laboratory,
        docket_number=docket_number.strip()[:60],
        dispatched_at=dispatched_at,
        created_by=actor,
    )
    submission.items.set(chosen)
    for item in chosen:
        item_transition(
            actor=actor,
            item=item,
            to=EvidenceStatus.DISPATCHED,
            at=dispatched_at,
            seal_intact=True,
            to_label=str(Laboratory(laboratory).label),
            external_organisation=str(Laboratory(laboratory).label),
            purpose=f"{docket_number.strip()[:60]}",
        )
        item.holder, item.holder_external = None, str(Laboratory(laboratory).label)
        EvidenceItem.objects.filter(pk=item.pk).update(holder=None, holder_external=item.holder_external)
    audit_record(
        action="evidence.lab_submitted",
        actor=actor,
        cell=case.cell,
        object_type="case",
        object_ref=case.code,
        details={"laboratory": laboratory, "items": [item.human_id for item in chosen]},
    )
    return submission


@transaction.atomic
def lab_received(*, actor: User, submission: LabSubmission, received_at: datetime) -> LabSubmission:
    """The laboratory acknowledged receipt of the docket."""
    _require(actor, submission.case)
    _not_future(received_at, "received_at")
    if received_at < submission.dispatched_at:
        raise ValidationError({"received_at": _("Received before it was sent?")})
    LabSubmission.objects.filter(pk=submission.pk).update(received_at=received_at)
    for item in submission.items.select_related("case", "case__cell"):
        item_transition(actor=actor, item=item, to=EvidenceStatus.RECEIVED_BY_LAB, at=received_at, seal_intact=True)
    submission.refresh_from_db()
    return submission


@transaction.atomic
def lab_result(
    *,
    actor: User,
    submission: LabSubmission,
    document: BinaryIO,
    received_at: datetime,
    summary: str = "",
    name: str = "",
) -> LabSubmission:
    """Record the laboratory's result: the document stored write-once with its SHA-256.

    The items become analysed and their result received. When every dispatched item of
    the case has its result, the forensic-analysis duty is done. Audits
    ``evidence.result_uploaded``.
    """
    _require(actor, submission.case)
    _not_future(received_at, "received_at")
    if submission.result_file_id:
        raise ValidationError(_("This docket already has its result; upload a correction as a new docket."))
    stored = storage.store(document, kind="lab_result", max_bytes=MAX_RESULT_BYTES, name=name)
    LabSubmission.objects.filter(pk=submission.pk).update(
        result_file=stored, result_received_at=received_at, result_summary=summary.strip()[:300]
    )
    for item in submission.items.select_related("case", "case__cell"):
        if item.status == EvidenceStatus.RECEIVED_BY_LAB:
            item_transition(actor=actor, item=item, to=EvidenceStatus.ANALYSED, at=received_at)
        if item.status == EvidenceStatus.ANALYSED:
            item_transition(actor=actor, item=item, to=EvidenceStatus.RESULT_RECEIVED, at=received_at)
    audit_record(
        action="evidence.result_uploaded",
        actor=actor,
        cell=submission.case.cell,
        object_type="case",
        object_ref=submission.case.code,
        details={"docket": submission.docket_number, "sha256": stored.sha256},
    )
    case = submission.case
    waiting = EvidenceItem.objects.filter(
        case=case,
        status__in=[EvidenceStatus.DISPATCHED, EvidenceStatus.RECEIVED_BY_LAB, EvidenceStatus.ANALYSED],
    ).exists()
    duty = Task.objects.filter(case=case, kind=TaskKind.FORENSIC, status=TaskStatus.OPEN).first()
    if not waiting and duty is not None:
        task_close(actor=actor, task=duty, status=TaskStatus.DONE, done_at=received_at)
    submission.refresh_from_db()
    return submission
