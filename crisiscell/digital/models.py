"""Digital evidence: what came from a survivor's phone, and what the cell made of it.

A ``DigitalSource`` is one file as received (a chat export, an archive, a photo, a
screenshot, audio, video, a PDF), kept write-once and encrypted in
``documents.StoredFile``; the original is never modified. Files found inside an
archive (the photos of a WhatsApp export) are sources of their own, pointing to the
archive they came from and the member they were. Messages parsed from a chat keep
their provenance (member, line, byte offset) and their raw text byte for byte.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SourceKind(models.TextChoices):
    WHATSAPP = "whatsapp", _("WhatsApp chat export")
    META = "meta", _("Facebook or Instagram download")
    ARCHIVE = "archive", _("Other archive")
    IMAGE = "image", _("Photo or screenshot")
    AUDIO = "audio", _("Audio")
    VIDEO = "video", _("Video")
    PDF = "pdf", _("PDF document")
    TEXT = "text", _("Text")
    OTHER = "other", _("Other file")


class DateOrder(models.TextChoices):
    DMY = "dmy", _("day/month/year")
    MDY = "mdy", _("month/day/year")
    YMD = "ymd", _("year/month/day")


class DateOrderBasis(models.TextChoices):
    """What a chat's date order rests on, said to staff in their language (the parser's words)."""

    GIVEN = "given", _("Given by staff at the import.")
    STAFF = "staff", _("Chosen by staff after the import.")
    DATES = "dates", _("Decided by a date in the file that reads only one way.")
    CHRONOLOGY = (
        "chronology",
        _("No date in the file decides it; this order puts the messages most nearly in time order."),
    )
    CONFLICT = (
        "conflict",
        _(
            "The dates in the file disagree; the order with the fewest impossible dates was chosen. "
            "Check it against her phone."
        ),
    )
    ASSUMED = "assumed", _("Nothing in the file decides it: this is an assumption. Check it against her phone.")
    NONE = "none", _("No dates could be read.")
    TIMESTAMPS = "timestamps", _("The download gives exact timestamps: there is no order to decide.")


class DigitalSource(models.Model):
    """One file received for a case (append-only; the file itself never changes)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="digital_sources")
    file = models.ForeignKey("documents.StoredFile", on_delete=models.PROTECT, related_name="+")
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="members")
    member = models.CharField(_("archive member"), max_length=500, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=SourceKind.choices)
    # Type by content (libmagic), never by the name's extension.
    detected_type = models.CharField(_("type by content"), max_length=120)
    received_at = models.DateTimeField(_("received"))
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    description = models.CharField(_("description"), max_length=300, blank=True)
    # Chats: what the parser assumed, recorded so a court can see it.
    timezone = models.CharField(_("time zone assumed"), max_length=64, default="Asia/Karachi")
    date_order = models.CharField(_("date order assumed"), max_length=3, blank=True, choices=DateOrder.choices)
    date_order_basis = models.CharField(max_length=12, blank=True, choices=DateOrderBasis.choices)
    date_order_reason = models.TextField(blank=True)  # the parser's detail, in English, for the record
    parse_format = models.CharField(max_length=16, blank=True)
    parse_warnings = models.JSONField(default=list, blank=True)
    unparsed_lines = models.PositiveIntegerField(default=0)
    e2ee_cutover = models.BooleanField(default=False)
    # Images.
    viewing_copy = models.ForeignKey(
        "documents.StoredFile", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    intimate = models.BooleanField(_("intimate image"), default=False)
    pdq_hash = models.CharField(max_length=64, blank=True)
    pdq_quality = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["received_at", "member"]
        indexes = [models.Index(fields=["pdq_hash"], name="digital_source_pdq")]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk}"

    @property
    def sha256(self) -> str:
        return self.file.sha256

    @property
    def is_image(self) -> bool:
        return self.kind == SourceKind.IMAGE


class ChatMessage(models.Model):
    """One message (or kept unparsed line) of a chat, with where it was in the export."""

    source = models.ForeignKey(DigitalSource, on_delete=models.PROTECT, related_name="messages")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    seq = models.PositiveIntegerField()
    time = models.DateTimeField(null=True, blank=True)
    author = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=16)
    raw = models.TextField()  # byte for byte as in the export (see raw_bytes)
    # Only for a line that was not valid UTF-8: its exact bytes (``raw`` then shows U+FFFD).
    raw_bytes = models.BinaryField(null=True, blank=True)
    display = models.TextField()  # raw, or for Meta the mis-encoding repaired
    normalised = models.TextField()  # for search only
    member = models.CharField(max_length=500)
    line = models.PositiveIntegerField()
    offset = models.BigIntegerField()
    attachment = models.CharField(max_length=500, blank=True)
    edited = models.BooleanField(default=False)
    flags = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["time", "source_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["source", "seq"], name="digital_message_seq")]
        indexes = [models.Index(fields=["case", "time"], name="digital_message_case_time")]

    def __str__(self) -> str:
        return f"message {self.source_id}#{self.seq}"


class Exhibit(models.Model):
    """A message pinned as an exhibit, with a note and the PECA offences it shows."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="digital_exhibits")
    message = models.ForeignKey(ChatMessage, on_delete=models.PROTECT, related_name="exhibits")
    note = models.TextField(_("note"), blank=True)
    offences = models.ManyToManyField("cases.Offence", blank=True, related_name="+")
    pinned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    pinned_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["message"], name="digital_exhibit_once")]

    def __str__(self) -> str:
        return f"exhibit {self.pk}"


class IdentifierKind(models.TextChoices):
    PHONE = "phone", _("Phone number")
    EMAIL = "email", _("E-mail address")
    PROFILE = "profile", _("Profile link")
    HANDLE = "handle", _("Handle")


class PerpetratorIdentifier(models.Model):
    """An identifier found in a case's messages. The value lives only in the vault.

    ``digest`` is a keyed hash (the vault's blind index) of the normalised value: the
    same identifier in two cases has the same digest, and nobody without the key can
    tell what it is.
    """

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    cell = models.ForeignKey("cells.Cell", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=8, choices=IdentifierKind.choices)
    digest = models.BinaryField(max_length=32)
    record = models.ForeignKey("survivors.VaultRecord", on_delete=models.PROTECT, related_name="+")
    first_message = models.ForeignKey(ChatMessage, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["digest"], name="digital_identifier_digest")]
        constraints = [models.UniqueConstraint(fields=["case", "kind", "digest"], name="digital_identifier_once")]

    def __str__(self) -> str:
        return f"identifier {self.kind}"


class IntimateViewing(models.Model):
    """Each time an intimate image was shown unblurred: who, when and why."""

    source = models.ForeignKey(DigitalSource, on_delete=models.PROTECT, related_name="viewings")
    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=300)
    viewed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"viewing {self.pk}"


class NciiService(models.TextChoices):
    STOPNCII = "stopncii", _("StopNCII (adults)")
    TAKE_IT_DOWN = "take_it_down", _("Take It Down (under 18)")


class NciiReport(models.Model):
    """The case number she got from StopNCII or Take It Down. Never the PIN."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    service = models.CharField(_("service"), max_length=16, choices=NciiService.choices)
    case_number = models.CharField(_("case number"), max_length=64)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.service} report"
