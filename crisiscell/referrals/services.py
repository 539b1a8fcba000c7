"""Every write to referrals and transfers.

Each function checks the access policy itself (section ``case_summary``, action
edit, in the cell that must act), runs in one transaction and writes its audit
event in that transaction. Free text (purposes, reasons) is stored on the records,
never in the audit log.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from crisiscell.access.policy import Action, Section
from crisiscell.access.scoping import allows_in_cell
from crisiscell.accounts.models import User
from crisiscell.audit.services import audit_record
from crisiscell.cases.models import Alert, Case, CaseStatus, ConsentPurpose, Task, TaskStatus
from crisiscell.cases.services import _record_version, require_consent
from crisiscell.cells.models import Cell
from crisiscell.referrals.models import (
    REASON_REQUIRED,
    REFERRAL_TRANSITIONS,
    ConsentBasis,
    Referral,
    ReferralKind,
    ReferralStatus,
    ReferralStep,
    Transfer,
    TransferStatus,
)
from crisiscell.survivors.services import survivor_rehome


def _require(actor: User, cell: Cell) -> None:
    if not allows_in_cell(actor, cell, Section.CASE, Action.EDIT):
        raise PermissionDenied


def _clean_text(value: str, field: str, max_length: int) -> str:
    value = value.strip()
    if len(value) > max_length:
        raise ValidationError({field: _("Keep it under %(n)d characters.") % {"n": max_length}})
    return value


@transaction.atomic
def referral_create(
    *,
    actor: User,
    case: Case,
    kind: str,
    organisation: str,
    purpose: str,
    due_on: date,
) -> Referral:
    """Refer the case to an outside service. Audits ``referral.created``.

    Needs case edit rights in the case's cell and the survivor's consent to sharing
    in force (``ConsentRequired`` names the purpose otherwise), except a child
    protection referral of a child, which the law allows without it: the referral
    then records that exception as its basis.
    """
    _require(actor, case.cell)
    if kind not in ReferralKind.values:
        raise ValidationError({"kind": _("Choose where she is referred to.")})
    organisation = _clean_text(organisation, "organisation", 200)
    purpose = _clean_text(purpose, "purpose", 500)
    errors: dict[str, str] = {}
    if not organisation:
        errors["organisation"] = _("Name the organisation.")
    if not purpose:
        errors["purpose"] = _("Say what the referral is for.")
    if due_on < timezone.localdate():
        errors["due_on"] = _("The date for a response cannot be in the past.")
    if case.status != CaseStatus.OPEN:
        errors["kind"] = _("This case is closed.")
    if errors:
        raise ValidationError(errors)
    if kind == ReferralKind.CHILD_PROTECTION and case.is_child:
        basis, consent = ConsentBasis.CHILD_PROTECTION, None
    else:
        basis, consent = ConsentBasis.CONSENT, require_consent(case, ConsentPurpose.SHARING)
    now = timezone.now()
    referral = Referral(
        case=case,
        kind=kind,
        organisation=organisation,
        purpose=purpose,
        due_on=due_on,
        consent_basis=basis,
        consent=consent,
        sent_by=actor,
        sent_by_label=actor.username,
        sent_at=now,
    )
    referral.full_clean(exclude=["case", "consent", "sent_by"])
    referral.save()
    ReferralStep.objects.create(
        referral=referral,
        from_status="",
        to_status=ReferralStatus.SENT,
        actor=actor,
        actor_label=actor.username,
        cell=case.cell,
        at=now,
    )
    audit_record(
        action="referral.created",
        actor=actor,
        cell=case.cell,
        object_type="case",
        object_ref=case.code,
        details={"referral": str(referral.pk), "kind": kind, "basis": basis},
    )
    return referral


@transaction.atomic
def referral_transition(*, actor: User, referral: Referral, to_status: str, reason: str = "") -> Referral:
    """Move a referral along ``REFERRAL_TRANSITIONS``. Audits ``referral.status_changed``.

    Needs case edit rights in the cell that holds the case now. A rejection must
    say why. Adds a ``ReferralStep``; refuses any move the table does not allow
    (including a move from a status someone else has just changed).
    """
    case = Case.objects.select_related("cell").get(pk=referral.case_id)
    _require(actor, case.cell)
    locked = Referral.objects.select_for_update().get(pk=referral.pk)
    reason = _clean_text(reason, "reason", 300)
    if to_status not in REFERRAL_TRANSITIONS.get(locked.status, frozenset()):
        raise ValidationError(
            {
                "to_status": _("A referral that is %(now)s cannot become %(next)s.")
                % {
                    "now": ReferralStatus(locked.status).label,
                    "next": ReferralStatus(to_status).label if to_status in ReferralStatus.values else to_status,
                }
            }
        )
    if to_status in REASON_REQUIRED and not reason:
        raise ValidationError({"reason": _("Say why the organisation rejected the referral.")})
    now = timezone.now()
    from_status = locked.status
    Referral.objects.filter(pk=locked.pk).update(status=to_status, version=F("version") + 1, updated_at=now)
    ReferralStep.objects.create(
        referral=locked,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        actor=actor,
        actor_label=actor.username,
        cell=case.cell,
        at=now,
    )
    audit_record(
        action="referral.status_changed",
        actor=actor,
        cell=case.cell,
        object_type="case",
        object_ref=case.code,
        details={"referral": str(locked.pk), "from": from_status, "to": to_status},
    )
    locked.refresh_from_db()
    return locked


@transaction.atomic
def transfer_request(*, actor: User, case: Case, to_cell: Cell, reason: str) -> Transfer:
    """Ask another cell to take the case over. Audits ``transfer.requested``.

    Needs case edit rights in the cell that holds the case. The receiving cell must
    be active and another cell; a case has at most one pending transfer. Until the
    receiving cell accepts, nothing about the case changes.
    """
    locked = Case.objects.select_for_update().select_related("cell").get(pk=case.pk)
    _require(actor, locked.cell)
    reason = _clean_text(reason, "reason", 300)
    errors: dict[str, str] = {}
    if not to_cell.is_active or to_cell.pk == locked.cell_id:
        errors["to_cell"] = _("Choose another active cell.")
    if not reason:
        errors["reason"] = _("Say why the case should move.")
    if locked.status != CaseStatus.OPEN:
        errors["to_cell"] = _("This case is closed.")
    if Transfer.objects.filter(case=locked, status=TransferStatus.REQUESTED).exists():
        errors["to_cell"] = _("A transfer of this case is already waiting for a decision.")
    if errors:
        raise ValidationError(errors)
    transfer = Transfer.objects.create(
        case=locked,
        from_cell=locked.cell,
        to_cell=to_cell,
        reason=reason,
        requested_by=actor,
        requested_by_label=actor.username,
        requested_at=timezone.now(),
    )
    audit_record(
        action="transfer.requested",
        actor=actor,
        cell=locked.cell,
        object_type="case",
        object_ref=locked.code,
        details={"transfer": str(transfer.pk), "to_cell": to_cell.code},
    )
    return transfer


def _lock_pending(transfer: Transfer) -> Transfer:
    locked = Transfer.objects.select_for_update().select_related("case", "from_cell", "to_cell").get(pk=transfer.pk)
    if locked.status != TransferStatus.REQUESTED:
        raise ValidationError(_("This transfer has already been decided."))
    return locked


@transaction.atomic
def transfer_accept(*, actor: User, transfer: Transfer) -> Transfer:
    """The receiving cell takes the case over. Audits ``transfer.accepted``.

    Needs case edit rights in the receiving cell. Moves the case to the receiving
    cell (its ``version`` grows by one and a version snapshot is stored). From now
    on the case page belongs to the receiving cell; the sending cell keeps the
    read-only transferred-out page.
    """
    _require(actor, transfer.to_cell)
    locked = _lock_pending(transfer)
    case = Case.objects.select_for_update().get(pk=locked.case_id)
    if case.cell_id != locked.from_cell_id:
        raise ValidationError(_("The case is no longer held by the cell that asked for the transfer."))
    now = timezone.now()
    Transfer.objects.filter(pk=locked.pk, status=TransferStatus.REQUESTED).update(
        status=TransferStatus.ACCEPTED,
        decided_by=actor,
        decided_by_label=actor.username,
        decided_at=now,
        version=F("version") + 1,
        updated_at=now,
    )
    Case.objects.filter(pk=case.pk).update(cell=locked.to_cell, version=F("version") + 1, updated_at=now)
    case.refresh_from_db()
    _record_version(case, actor)
    # The sending cell's staff no longer own its work or receive its alerts, and the
    # survivor is found by CNIC or phone where her cases now are.
    Task.objects.filter(case=case, status=TaskStatus.OPEN).update(owner=None, taken_at=None)
    Alert.objects.filter(case=case, read_at__isnull=True).update(read_at=now)
    survivor_rehome(survivor=case.survivor)
    audit_record(
        action="transfer.accepted",
        actor=actor,
        cell=locked.to_cell,
        object_type="case",
        object_ref=case.code,
        details={
            "transfer": str(locked.pk),
            "from_cell": locked.from_cell.code,
            "fields": ["cell"],
            "version": case.version,
        },
    )
    locked.refresh_from_db()
    return locked


@transaction.atomic
def transfer_decline(*, actor: User, transfer: Transfer, reason: str) -> Transfer:
    """The receiving cell declines; the case stays where it was. Audits ``transfer.declined``.

    Needs case edit rights in the receiving cell, and a reason for the sending cell.
    """
    _require(actor, transfer.to_cell)
    locked = _lock_pending(transfer)
    reason = _clean_text(reason, "reason", 300)
    if not reason:
        raise ValidationError({"reason": _("Say why the transfer is declined.")})
    now = timezone.now()
    Transfer.objects.filter(pk=locked.pk, status=TransferStatus.REQUESTED).update(
        status=TransferStatus.DECLINED,
        decided_by=actor,
        decided_by_label=actor.username,
        decided_at=now,
        decline_reason=reason,
        version=F("version") + 1,
        updated_at=now,
    )
    audit_record(
        action="transfer.declined",
        actor=actor,
        cell=locked.to_cell,
        object_type="case",
        object_ref=locked.case.code,
        details={"transfer": str(locked.pk), "from_cell": locked.from_cell.code},
    )
    locked.refresh_from_db()
    return locked
