"""Every read of referrals and transfers, scoped to the actor's cells.

A referral is seen through its case: whoever may act on the case summary in the
cell that holds the case now. A pending transfer is seen by the receiving cell as
a summary only (``transfer_pending_for``). After acceptance the sending cell sees
``transferred_out_record``: only what it recorded itself, never the identity.
Objects outside the actor's scope are a 404, the same as missing ones.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crisiscell.access.policy import Action, Section
from crisiscell.access.scoping import allows_in_cell
from crisiscell.accounts.models import Membership, User
from crisiscell.audit.models import AuditEvent
from crisiscell.audit.services import audit_record
from crisiscell.cases.models import AgeGroup, Case, CaseStatus, Consent, ConsentPurpose, RecordVersion
from crisiscell.cases.selectors import Change, case_timeline, changes_between
from crisiscell.cases.services import consent_in_force, consent_in_force_among
from crisiscell.cells.models import Cell
from crisiscell.referrals.forms import ReferralForm, TransferRequestForm, TransitionForm
from crisiscell.referrals.models import (
    ConsentBasis,
    Referral,
    ReferralStatus,
    ReferralStep,
    Transfer,
    TransferStatus,
)
from crisiscell.survivors.models import Sex

# --- Referrals ---------------------------------------------------------------------------------


def _parse_uuid(value: Any) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError as error:
        raise Http404 from error


def is_overdue(referral: Referral, today: date | None = None) -> bool:
    """Still waiting for the organisation after the date a response was expected."""
    return referral.status == ReferralStatus.SENT and referral.due_on < (today or timezone.localdate())


def referral_get_for(actor: User, referral_id: Any, action: Action = Action.VIEW) -> Referral:
    """The referral if the actor may act on the case summary where the case is now; else 404."""
    referral = Referral.objects.select_related("case", "case__cell").filter(pk=_parse_uuid(referral_id)).first()
    if referral is None or not allows_in_cell(actor, referral.case.cell, Section.CASE, action):
        raise Http404
    return referral


@dataclass(frozen=True)
class ReferralView:
    referral: Referral
    steps: list[ReferralStep]
    overdue: bool
    # Sent on consent that has since been withdrawn: the cell should revoke the referral.
    consent_withdrawn: bool
    # The form for its next step, if it has one and the viewer may record it.
    form: TransitionForm | None


@dataclass(frozen=True)
class CasePanel:
    """What the case page's referrals-and-transfers panel shows (the viewer already may see the case)."""

    case: Case
    referrals: list[ReferralView]
    overdue_count: int
    transfers: list[Transfer]
    pending_transfer: Transfer | None
    sharing_in_force: bool
    can_edit: bool
    referral_form: ReferralForm | None
    transfer_form: TransferRequestForm | None


def case_panel_for(actor: User, case: Case, *, consents: Iterable[Consent] | None = None) -> CasePanel:
    """The panel of a case page the actor has already opened (and audited) through ``case_open_for``.

    ``consents``: the case's whole consent ledger when the page has read it already.
    """
    today = timezone.localdate()
    can_edit = allows_in_cell(actor, case.cell, Section.CASE, Action.EDIT)
    can_send = can_edit and case.status == CaseStatus.OPEN  # a closed case is neither referred nor transferred
    in_force = (
        consent_in_force(case, ConsentPurpose.SHARING)
        if consents is None
        else consent_in_force_among(consents, ConsentPurpose.SHARING)
    )
    sharing = in_force is not None
    views = []
    for r in Referral.objects.filter(case=case).prefetch_related("steps").order_by("sent_at"):
        active = r.status in (ReferralStatus.SENT, ReferralStatus.ACCEPTED)
        views.append(
            ReferralView(
                referral=r,
                steps=list(r.steps.all()),
                overdue=is_overdue(r, today),
                consent_withdrawn=active and r.consent_basis == ConsentBasis.CONSENT and not sharing,
                form=TransitionForm(next_statuses=r.next_statuses, auto_id=f"id_{r.pk}_%s")
                if can_edit and r.next_statuses
                else None,
            )
        )
    transfers = list(Transfer.objects.filter(case=case).select_related("from_cell", "to_cell").order_by("requested_at"))
    pending = next((t for t in transfers if t.status == TransferStatus.REQUESTED), None)
    return CasePanel(
        case=case,
        referrals=views,
        overdue_count=sum(1 for v in views if v.overdue),
        transfers=transfers,
        pending_transfer=pending,
        sharing_in_force=sharing,
        can_edit=can_edit,
        # Own id prefixes: the consent form on the same page also has a "purpose" field.
        referral_form=ReferralForm(auto_id="id_referral_%s") if can_send else None,
        transfer_form=(
            TransferRequestForm(current_cell=case.cell, auto_id="id_transfer_%s")
            if can_send and pending is None
            else None
        ),
    )


# --- Transfers: the receiving cell -------------------------------------------------------------


def age_band(years: int | None) -> str:
    """A survivor's age as a band, enough to decide on a transfer without a date of birth."""
    if years is None:
        return str(AgeGroup.UNKNOWN.label)
    if years < 12:
        return str(_("Under 12"))
    if years < 18:
        return str(_("12 to 17"))
    for group, upper in ((AgeGroup.YOUNG, 25), (AgeGroup.ADULT, 40), (AgeGroup.OLDER, 60)):
        if years <= upper:
            return str(group.label)
    return str(AgeGroup.ELDER.label)


@dataclass(frozen=True)
class PendingTransfer:
    """What the receiving cell sees before it decides: no identity, no case facts."""

    transfer: Transfer
    case_code: str
    sex: str
    age_band: str


def _pending_summary(transfer: Transfer) -> PendingTransfer:
    case = transfer.case
    sex = str(Sex(case.survivor_sex).label) if case.survivor_sex in Sex.values else case.survivor_sex
    return PendingTransfer(transfer, case.code, sex, age_band(case.survivor_age_years))


@dataclass(frozen=True)
class CellTransfers:
    incoming: list[PendingTransfer]  # waiting for this cell to decide (only for those who may decide)
    outgoing: list[Transfer]  # accepted transfers out of this cell (codes and dates)


def transfers_of_cell(actor: User, cell: Cell) -> CellTransfers:
    """A cell's transfers, for someone who may view case summaries there. Audits ``transfer.listed``.

    Pending summaries are listed only for someone who may decide on them (case edit
    in the cell); the handed-over cases for anyone who may view case summaries there.
    """
    if not allows_in_cell(actor, cell, Section.CASE, Action.VIEW):
        raise Http404
    audit_record(action="transfer.listed", actor=actor, cell=cell, object_type="cell", object_ref=cell.code)
    incoming: list[PendingTransfer] = []
    if allows_in_cell(actor, cell, Section.CASE, Action.EDIT):
        pending = (
            Transfer.objects.filter(to_cell=cell, status=TransferStatus.REQUESTED)
            .select_related("case", "from_cell")
            .order_by("requested_at")
        )
        incoming = [_pending_summary(t) for t in pending]
    outgoing = list(
        Transfer.objects.filter(from_cell=cell, status=TransferStatus.ACCEPTED)
        .select_related("case", "to_cell")
        .order_by("-decided_at")[:200]
    )
    return CellTransfers(incoming, outgoing)


def transfer_pending_for(actor: User, transfer_id: Any, *, audit: bool = True) -> PendingTransfer:
    """A transfer waiting for the actor's cell to decide; 404 otherwise. Audits ``transfer.viewed``."""
    transfer = (
        Transfer.objects.select_related("case", "from_cell", "to_cell")
        .filter(pk=_parse_uuid(transfer_id), status=TransferStatus.REQUESTED)
        .first()
    )
    if transfer is None or not allows_in_cell(actor, transfer.to_cell, Section.CASE, Action.EDIT):
        raise Http404
    if audit:
        audit_record(
            action="transfer.viewed",
            actor=actor,
            cell=transfer.to_cell,
            object_type="transfer",
            object_ref=str(transfer.pk),
            details={"case": transfer.case.code, "as": "receiving"},
        )
    return _pending_summary(transfer)


# --- Transfers: the sending cell after acceptance ----------------------------------------------


def _periods_held(case: Case, cell: Cell, until: datetime) -> list[tuple[datetime, datetime]]:
    """The spans of time, up to ``until``, in which ``cell`` held the case.

    Worked out from the accepted transfers of the case: a case that went A -> B -> A -> B
    was held by A from registration to the first acceptance and between the second
    and the third.
    """
    accepted = list(
        Transfer.objects.filter(case=case, status=TransferStatus.ACCEPTED, decided_at__lte=until).order_by("decided_at")
    )
    holder = accepted[0].from_cell_id if accepted else case.cell_id
    start = case.created_at
    periods: list[tuple[datetime, datetime]] = []
    for t in accepted:
        end = t.decided_at or start  # an accepted transfer always carries its decision time
        if holder == cell.pk:
            periods.append((start, end))
        holder, start = t.to_cell_id, end
    return periods


def _within(at: datetime | None, periods: list[tuple[datetime, datetime]]) -> bool:
    return at is not None and any(start <= at <= end for start, end in periods)


@dataclass(frozen=True)
class ConsentSeen:
    """A consent as the sending cell recorded it; a withdrawal shows only if the sending cell recorded it too."""

    consent: Consent
    revoked_at: datetime | None


@dataclass(frozen=True)
class VersionSeen:
    version: RecordVersion
    changes: list[Change]


@dataclass(frozen=True)
class TransferredOut:
    transfer: Transfer
    case_code: str
    consents: list[ConsentSeen]
    versions: list[VersionSeen]
    timeline: list[AuditEvent]


def transferred_out_record(actor: User, transfer_id: Any) -> TransferredOut:
    """What the sending cell may still read of a case it handed over. Audits ``transfer.viewed``.

    Only for an accepted transfer and someone who may view case summaries in the
    sending cell; else 404. Shows:

    * consents recorded by a member of the sending cell while it held the case (up
      to the acceptance), with their withdrawal only if that too was recorded then
      by a member of the sending cell;
    * the case's version snapshots saved while the sending cell held it, by its members;
    * the case's timeline events (reads left out) recorded in the sending cell, up to
      the acceptance.

    Never the identity: the vault holds only the current identity, which the
    receiving cell may have changed. Nothing the receiving cell recorded.
    """
    transfer = (
        Transfer.objects.select_related("case", "from_cell", "to_cell")
        .filter(pk=_parse_uuid(transfer_id), status=TransferStatus.ACCEPTED)
        .first()
    )
    if (
        transfer is None
        or transfer.decided_at is None
        or not allows_in_cell(actor, transfer.from_cell, Section.CASE, Action.VIEW)
    ):
        raise Http404
    case, cell, until = transfer.case, transfer.from_cell, transfer.decided_at
    audit_record(
        action="transfer.viewed",
        actor=actor,
        cell=cell,
        object_type="transfer",
        object_ref=str(transfer.pk),
        details={"case": case.code, "as": "sending"},
    )
    periods = _periods_held(case, cell, until)
    members = set(Membership.objects.filter(cell=cell).values_list("user_id", flat=True))

    def by_sending_cell(user_id: int | None, at: datetime | None) -> bool:
        return user_id in members and _within(at, periods)

    consents = [
        ConsentSeen(c, c.revoked_at if by_sending_cell(c.revoked_by_id, c.revoked_at) else None)
        for c in Consent.objects.filter(case=case, recorded_at__lte=until).order_by("recorded_at")
        if by_sending_cell(c.recorded_by_id, c.recorded_at)
    ]
    versions: list[VersionSeen] = []
    previous: dict[str, Any] = {}
    for v in (
        RecordVersion.objects.filter(case=case, changed_at__lte=until).select_related("changed_by").order_by("version")
    ):
        if by_sending_cell(v.changed_by_id, v.changed_at):
            versions.append(VersionSeen(v, changes_between(previous, v.snapshot)))
            previous = v.snapshot
    timeline = list(case_timeline(case).filter(cell=cell, at__lte=until))
    return TransferredOut(transfer, case.code, consents, versions, timeline)
