"""Stored files and the disclosure ledger."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StoredFile(models.Model):
    """A file kept write-once and encrypted by ``documents.storage``. Never edited, never deleted."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=32)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    content_type = models.CharField(max_length=120, blank=True)
    # As the uploader named it; may be shown only to staff who may see the file.
    original_name = models.CharField(max_length=255, blank=True)
    key_id = models.CharField(max_length=40)
    wrapped_key = models.BinaryField()
    nonce_prefix = models.BinaryField(max_length=4)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"file {self.pk} ({self.kind})"


class RecipientKind(models.TextChoices):
    POLICE = "police", _("Police (investigating officer)")
    COURT = "court", _("Court or prosecutor")
    LABORATORY = "laboratory", _("Forensic laboratory")
    SURVIVOR = "survivor", _("The survivor or her guardian")
    LAWYER = "lawyer", _("Her lawyer")
    NCCIA = "nccia", _("National Cyber Crime Investigation Agency")
    REGULATOR = "regulator", _("Telecommunication regulator")
    OTHER_AGENCY = "other_agency", _("Another agency")
    FILE = "file", _("The cell's own file")


class Disclosure(models.Model):
    """Every copy of a document that leaves the cell: to whom, why, on what basis (append-only).

    The basis is the consent in force (its id) or an order (a court order's reference).
    The file's SHA-256 lets anyone later check that a copy is the one issued.
    """

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="disclosures")
    document = models.CharField(_("document"), max_length=40)
    language = models.CharField(max_length=5, blank=True)
    recipient_kind = models.CharField(_("recipient"), max_length=16, choices=RecipientKind.choices)
    recipient = models.CharField(_("recipient's office or name"), max_length=200)
    purpose = models.CharField(_("purpose"), max_length=300)
    consent = models.ForeignKey("cases.Consent", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    order_reference = models.CharField(_("order or request reference"), max_length=200, blank=True)
    includes_identity = models.BooleanField(_("carries her identity"), default=False)
    file = models.ForeignKey(StoredFile, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    sha256 = models.CharField(max_length=64)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField()

    class Meta:
        ordering = ["issued_at"]

    def __str__(self) -> str:
        return f"{self.document} to {self.recipient_kind}"
