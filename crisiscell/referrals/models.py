"""Referrals of a case to outside services, and transfers of a case to another cell.

A referral names an organisation (never a person), why the survivor is referred and
by when a response is expected. Its status moves only along ``REFERRAL_TRANSITIONS``;
each move adds a ``ReferralStep`` row, so the history is never edited.

A transfer hands a whole case to another cell. It is requested by the cell that holds
the case and accepted or declined by the receiving cell; on acceptance the case's
``cell`` changes and the sending cell keeps read access only to what it recorded
itself (``crisiscell.referrals.selectors.transferred_out_record``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from crisiscell.core.models import BaseModel


class ReferralKind(models.TextChoices):
    SHELTER = "shelter", _("Shelter or Dar-ul-Aman")
    CHILD_PROTECTION = "child_protection", _("Child protection bureau")
    LEGAL_AID = "legal_aid", _("Legal aid authority")
    NGO = "ngo", _("A non-governmental organisation")
    HOSPITAL_DEPARTMENT = "hospital_department", _("A hospital department")
    CELL = "cell", _("Another crisis cell")
    OTHER = "other", _("Other")


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("Sent, awaiting a response")
    ACCEPTED = "accepted", _("Accepted by the organisation")
    REJECTED = "rejected", _("Rejected by the organisation")
    COMPLETED = "completed", _("Completed")
    REVOKED = "revoked", _("Withdrawn by the cell")


# The only moves a referral's status may make. Rejected, completed and revoked are final.
REFERRAL_TRANSITIONS: dict[str, frozenset[str]] = {
    ReferralStatus.SENT: frozenset({ReferralStatus.ACCEPTED, ReferralStatus.REJECTED, ReferralStatus.REVOKED}),
    ReferralStatus.ACCEPTED: frozenset({ReferralStatus.COMPLETED, ReferralStatus.REVOKED}),
    ReferralStatus.REJECTED: frozenset(),
    ReferralStatus.COMPLETED: frozenset(),
    ReferralStatus.REVOKED: frozenset(),
}
# Moves that must say why.
REASON_REQUIRED = frozenset({ReferralStatus.REJECTED})


class ConsentBasis(models.TextChoices):
    """Why sharing the case with the organisation was lawful."""

    CONSENT = "consent", _("Consent to sharing in force")
    CHILD_PROTECTION = "child_protection", _("Child protection referral of a child (no consent needed)")


class Referral(BaseModel):
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="referrals")
    kind = models.CharField(_("referred to"), max_length=24, choices=ReferralKind.choices)
    # An organisation's name, e.g. "Dar-ul-Aman Karachi"; never a person's identity.
    organisation = models.CharField(_("organisation"), max_length=200)
    purpose = models.CharField(_("purpose"), max_length=500)
    due_on = models.DateField(_("response expected by"))
    status = models.CharField(_("status"), max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.SENT)
    consent_basis = models.CharField(_("lawful basis"), max_length=20, choices=ConsentBasis.choices)
    # The consent in force when the referral was sent (none under the child-protection exception).
    consent = models.ForeignKey(
        "cases.Consent", on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_by_label = models.CharField(max_length=150)
    sent_at = models.DateTimeField(_("sent"))

    class Meta:
        ordering = ["sent_at"]
        indexes = [models.Index(fields=["case", "status"], name="referral_case_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(consent_basis=ConsentBasis.CHILD_PROTECTION, consent__isnull=True)
                | Q(consent_basis=ConsentBasis.CONSENT, consent__isnull=False),
                name="referral_consent_matches_basis",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.status}"

    @property
    def next_statuses(self) -> list[str]:
        return [s for s in ReferralStatus.values if s in REFERRAL_TRANSITIONS[self.status]]


class ReferralStep(models.Model):
    """One move of a referral's status, with who made it and when. Rows are added, never edited."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="steps")
    from_status = models.CharField(max_length=12, choices=ReferralStatus.choices, blank=True)  # blank: created
    to_status = models.CharField(max_length=12, choices=ReferralStatus.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField(max_length=150)
    # The cell that held the case when the step was recorded.
    cell = models.ForeignKey("cells.Cell", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.referral_id} {self.from_status or '-'} -> {self.to_status}"


class TransferStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested, awaiting the receiving cell")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class Transfer(BaseModel):
    """A request to hand a case to another cell, and the receiving cell's decision.

    The decision fields are written once, when the request leaves ``requested``
    (a conditional update guards it); the row is never edited afterwards.
    """

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="transfers")
    from_cell = models.ForeignKey("cells.Cell", on_delete=models.PROTECT, related_name="transfers_out")
    to_cell = models.ForeignKey("cells.Cell", on_delete=models.PROTECT, related_name="transfers_in")
    reason = models.CharField(_("reason"), max_length=300)
    status = models.CharField(
        _("status"), max_length=10, choices=TransferStatus.choices, default=TransferStatus.REQUESTED
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_by_label = models.CharField(max_length=150)
    requested_at = models.DateTimeField(_("requested"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_by_label = models.CharField(max_length=150, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decline_reason = models.CharField(_("why it was declined"), max_length=300, blank=True)

    class Meta:
        ordering = ["requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status="requested"),
                name="transfer_one_pending_per_case",
            ),
            models.CheckConstraint(condition=~Q(from_cell=F("to_cell")), name="transfer_to_another_cell"),
        ]
        indexes = [models.Index(fields=["to_cell", "status"], name="transfer_to_cell_status")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.from_cell_id} -> {self.to_cell_id} {self.status}"
