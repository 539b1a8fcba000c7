"""Evidence items and their chain of custody, from collection to the laboratory and back.

Every item has a short human id with a check character (``E-KHI-26-0042-X``),
printed on its label. Its status moves only along ``TRANSITIONS``. Every movement
is a ``CustodyEvent``: rows are added, never edited, and each is also written to the
audit log, so the chain is sealed into the signed Merkle tree with everything else.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from crisiscell.core.models import BaseModel


class EvidenceKind(models.TextChoices):
    SWAB_HIGH_VAGINAL = "swab_hvs", _("High vaginal swab")
    SWAB_LOW_VAGINAL = "swab_lvs", _("Low vaginal swab")
    SWAB_ANAL = "swab_anal", _("Anal swab")
    SWAB_ORAL = "swab_oral", _("Oral swab")
    SWAB_SKIN = "swab_skin", _("Skin swab (saliva, semen stain)")
    REFERENCE_BLOOD = "ref_blood", _("Reference blood of the survivor")
    REFERENCE_ACCUSED = "ref_accused", _("Reference sample of an accused")
    URINE = "urine", _("Urine (drug-facilitated assault)")
    BLOOD_TOXICOLOGY = "blood_tox", _("Blood for toxicology")
    CLOTHING = "clothing", _("Clothing")
    FINGERNAIL = "fingernail", _("Fingernail scrapings or clippings")
    HAIR = "hair", _("Hair or fibres")
    PHOTOGRAPH = "photograph", _("Photograph")
    OTHER = "other", _("Other")


# The clock a collected item stops (see cases.deadlines).
KIND_CLOCK = {
    EvidenceKind.SWAB_HIGH_VAGINAL: "swab_hvs",
    EvidenceKind.SWAB_ANAL: "swab_anal",
    EvidenceKind.SWAB_ORAL: "swab_oral",
    EvidenceKind.URINE: "urine",
}


class EvidenceStatus(models.TextChoices):
    COLLECTED = "collected", _("Collected")
    SEALED = "sealed", _("Sealed")
    IN_STORAGE = "in_storage", _("In storage")
    DISPATCHED = "dispatched", _("Dispatched to the laboratory")
    RECEIVED_BY_LAB = "received", _("Received by the laboratory")
    ANALYSED = "analysed", _("Analysed")
    RESULT_RECEIVED = "result", _("Result received")
    RETURNED = "returned", _("Returned")
    DESTROYED = "destroyed", _("Destroyed")


S = EvidenceStatus
# The only moves an item's status may make. Destruction needs a reason.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.COLLECTED: frozenset({S.SEALED, S.DESTROYED}),
    S.SEALED: frozenset({S.IN_STORAGE, S.DISPATCHED, S.DESTROYED}),
    S.IN_STORAGE: frozenset({S.DISPATCHED, S.RETURNED, S.DESTROYED}),
    S.DISPATCHED: frozenset({S.RECEIVED_BY_LAB}),
    S.RECEIVED_BY_LAB: frozenset({S.ANALYSED}),
    S.ANALYSED: frozenset({S.RESULT_RECEIVED}),
    S.RESULT_RECEIVED: frozenset({S.RETURNED, S.IN_STORAGE, S.DESTROYED}),
    S.RETURNED: frozenset({S.IN_STORAGE, S.DESTROYED}),
    S.DESTROYED: frozenset(),
}


class EvidenceItem(BaseModel):
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="evidence_items")
    examination = models.ForeignKey(
        "medical.MedicoLegalExamination", on_delete=models.PROTECT, null=True, blank=True, related_name="samples"
    )
    human_id = models.CharField(_("item number"), max_length=24, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=EvidenceKind.choices)
    description = models.CharField(_("description"), max_length=300, blank=True)
    collected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    collected_at = models.DateTimeField(_("collected at"))
    seal_number = models.CharField(_("seal number"), max_length=40, blank=True)
    sealer_initials = models.CharField(_("sealer's initials"), max_length=8, blank=True)
    sealed_on = models.DateField(_("sealed on"), null=True, blank=True)
    storage_place = models.CharField(_("storage place"), max_length=120, blank=True)
    storage_temperature = models.CharField(_("storage temperature"), max_length=40, blank=True)
    status = models.CharField(max_length=12, choices=EvidenceStatus.choices, default=EvidenceStatus.COLLECTED)
    # Who holds it now: a staff member, or someone outside (laboratory, police) by name.
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    holder_external = models.CharField(max_length=200, blank=True)
    destroyed_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["collected_at", "human_id"]
        verbose_name = _("evidence item")

    def __str__(self) -> str:
        return self.human_id


class CustodyKind(models.TextChoices):
    COLLECTED = "collected", _("Collected")
    SEALED = "sealed", _("Sealed")
    STORED = "stored", _("Placed in storage")
    HANDOVER = "handover", _("Handed over")
    DISPATCHED = "dispatched", _("Dispatched to the laboratory")
    LAB_RECEIVED = "lab_received", _("Received by the laboratory")
    ANALYSED = "analysed", _("Analysed")
    RESULT = "result", _("Result received")
    RETURNED = "returned", _("Returned")
    DESTROYED = "destroyed", _("Destroyed")


class CustodyEvent(BaseModel):
    """One movement of one item. Added, never edited.

    A hand-over between two staff members is ``pending`` until the receiver confirms
    it with their own second factor; only then does the item's holder change. A
    hand-over to someone outside records their name, rank or badge and organisation.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for the receiver")
        COMPLETE = "complete", _("Complete")
        CANCELLED = "cancelled", _("Cancelled")

    item = models.ForeignKey(EvidenceItem, on_delete=models.PROTECT, related_name="custody")
    kind = models.CharField(max_length=14, choices=CustodyKind.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.COMPLETE)
    at = models.DateTimeField()
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    from_label = models.CharField(max_length=200, blank=True)
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_label = models.CharField(max_length=200, blank=True)
    external_rank = models.CharField(_("rank or badge number"), max_length=80, blank=True)
    external_organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    purpose = models.CharField(_("purpose"), max_length=300, blank=True)
    seal_intact = models.BooleanField(_("seal intact"), null=True)
    condition = models.CharField(_("condition"), max_length=300, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The audit event that seals this movement into the Merkle log.
    audit_event = models.ForeignKey(
        "audit.AuditEvent", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["at", "created_at"]

    def __str__(self) -> str:
        return f"{self.item_id} {self.kind}"


class Laboratory(models.TextChoices):
    PFSA = "pfsa", _("Punjab Forensic Science Agency")
    NFSA = "nfsa", _("National Forensic Science Agency")
    SINDH = "sindh", _("Sindh forensic laboratory")
    KP = "kp", _("Khyber Pakhtunkhwa forensic laboratory")
    OTHER = "other", _("Other laboratory")


class LabSubmission(BaseModel):
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="lab_submissions")
    laboratory = models.CharField(_("laboratory"), max_length=8, choices=Laboratory.choices)
    docket_number = models.CharField(_("docket or road certificate number"), max_length=60)
    items = models.ManyToManyField(EvidenceItem, related_name="submissions")
    dispatched_at = models.DateTimeField(_("dispatched at"))
    received_at = models.DateTimeField(_("received by the laboratory"), null=True, blank=True)
    result_file = models.ForeignKey(
        "documents.StoredFile", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    result_received_at = models.DateTimeField(_("result received"), null=True, blank=True)
    result_summary = models.CharField(_("result in brief"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["dispatched_at"]

    def __str__(self) -> str:
        return f"{self.laboratory} {self.docket_number}"
