"""The medico-legal examination record (CrPC 164A, ARITA s.13), its treatments and addenda.

Free text written about the survivor (her history in her own words, the general
physical and mental state, other particulars, the escort's identity, addenda) is
kept in the identity vault, encrypted; the structured findings stay in clear so
the record can be checked for completeness and reported on.

There is no field for hymen status, "habituation" or any finger test, and none can
be added through the findings: the two-finger or virginity test is prohibited and
has no evidentiary value (ARITA s.13(1); Lahore High Court, 4 January 2021).
``FORBIDDEN_FINDING_KEYS`` lists what every entry point refuses.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from crisiscell.core.models import BaseModel

# Keys (and key fragments) that no form, service or API may accept in findings.
FORBIDDEN_FINDING_KEYS = (
    "hymen",
    "habituat",
    "two_finger",
    "two-finger",
    "virgin",
    "finger_test",
    "per_vaginal_digital",
)


class ExamStatus(models.TextChoices):
    DRAFT = "draft", _("Being written")
    SIGNED = "signed", _("Signed and sealed")


class GeneralCondition(models.TextChoices):
    STABLE = "stable", _("Stable")
    INJURED_STABLE = "injured_stable", _("Injured, stable")
    URGENT = "urgent", _("Needs urgent treatment first")


class MentalState(models.TextChoices):
    CALM = "calm", _("Calm and oriented")
    DISTRESSED = "distressed", _("Distressed or tearful")
    WITHDRAWN = "withdrawn", _("Withdrawn or silent")
    AGITATED = "agitated", _("Agitated")
    IMPAIRED = "impaired", _("Drowsy or impaired consciousness")


class MedicoLegalExamination(BaseModel):
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="examinations")
    examiner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("examiner")
    )
    status = models.CharField(max_length=8, choices=ExamStatus.choices, default=ExamStatus.DRAFT)
    started_at = models.DateTimeField(_("examination started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("examination finished"), null=True, blank=True)
    # The escort's name, relationship and address, and the narrative texts, encrypted:
    # {"escort_name", "escort_relationship", "escort_address", "history", "physical_state",
    #  "mental_state_notes", "other_particulars", "anogenital_description"}
    narrative = models.OneToOneField(
        "survivors.VaultRecord", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    general_condition = models.CharField(
        _("general physical condition"), max_length=16, choices=GeneralCondition.choices, blank=True
    )
    mental_state = models.CharField(_("mental state"), max_length=12, choices=MentalState.choices, blank=True)
    # CrPC 164A asks for the name and address of the person who brought her; she may have come alone.
    came_alone = models.BooleanField(_("she came alone"), default=False)
    # The body was examined and no injury was seen (an empty list alone says nothing).
    no_injuries_seen = models.BooleanField(_("no injuries seen"), default=False)
    # Why no sample was taken, when none was (declined, outside every window...).
    no_samples_reason = models.CharField(_("why no sample was taken"), max_length=300, blank=True)
    # Structured ano-genital findings: only the keys in medical.findings.ALLOWED_FINDINGS.
    anogenital_findings = models.JSONField(_("ano-genital findings"), default=dict, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # SHA-256 of the record's canonical content at signing; the signing audit event carries it too.
    seal_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("medico-legal examination")

    def __str__(self) -> str:
        return f"examination {self.case_id}"


class BodyView(models.TextChoices):
    FRONT = "front", _("Body, front")
    BACK = "back", _("Body, back")
    HEAD = "head", _("Head and neck")
    GENITAL = "genital", _("Genital and anal region")


class InjuryKind(models.TextChoices):
    ABRASION = "abrasion", _("Abrasion")
    BRUISE = "bruise", _("Bruise")
    LACERATION = "laceration", _("Laceration")
    INCISED = "incised", _("Incised wound")
    STAB = "stab", _("Stab wound")
    BITE = "bite", _("Bite mark")
    BURN = "burn", _("Burn")
    FRACTURE = "fracture", _("Suspected fracture")
    OTHER = "other", _("Other")


class InjuryAge(models.TextChoices):
    FRESH = "fresh", _("Fresh (under 24 hours)")
    RECENT = "recent", _("1 to 3 days")
    OLDER = "older", _("4 to 10 days")
    OLD = "old", _("Over 10 days")
    UNDETERMINED = "undetermined", _("Cannot be determined")


class Injury(BaseModel):
    """One injury, marked on a body diagram (coordinates in percent of the diagram)."""

    examination = models.ForeignKey(MedicoLegalExamination, on_delete=models.PROTECT, related_name="injuries")
    view = models.CharField(_("diagram"), max_length=8, choices=BodyView.choices)
    x = models.DecimalField(max_digits=5, decimal_places=2)
    y = models.DecimalField(max_digits=5, decimal_places=2)
    site = models.CharField(_("site"), max_length=120)
    kind = models.CharField(_("type"), max_length=12, choices=InjuryKind.choices)
    length_mm = models.PositiveIntegerField(_("length (mm)"), null=True, blank=True)
    width_mm = models.PositiveIntegerField(_("width (mm)"), null=True, blank=True)
    colour = models.CharField(_("colour"), max_length=60, blank=True)
    estimated_age = models.CharField(_("estimated age"), max_length=14, choices=InjuryAge.choices)
    description = models.CharField(_("description"), max_length=300, blank=True)
    # Photographs of this injury (evidence items of kind "photograph").
    photographs = models.ManyToManyField("evidence.EvidenceItem", blank=True, related_name="injuries")

    def __str__(self) -> str:
        return f"{self.kind} at {self.site}"


class TreatmentKind(models.TextChoices):
    EC = "ec", _("Emergency contraception")
    PEP = "pep", _("HIV post-exposure prophylaxis")
    STI = "sti", _("STI presumptive treatment")
    HEP_B = "hep_b", _("Hepatitis B vaccine")
    TETANUS = "tetanus", _("Tetanus protection")
    PREGNANCY_TEST = "pregnancy_test", _("Pregnancy test")
    OTHER = "other", _("Other treatment")


# The clock each treatment stops.
TREATMENT_CLOCK = {TreatmentKind.EC: "ec", TreatmentKind.PEP: "pep", TreatmentKind.HEP_B: "hep_b"}


class Treatment(BaseModel):
    examination = models.ForeignKey(MedicoLegalExamination, on_delete=models.PROTECT, related_name="treatments")
    kind = models.CharField(_("treatment"), max_length=16, choices=TreatmentKind.choices)
    given = models.BooleanField(_("given"), default=True)  # False: offered and declined
    at = models.DateTimeField(_("time given"), null=True, blank=True)
    details = models.CharField(_("drug, dose, route"), max_length=200, blank=True)
    declined_reason = models.CharField(_("why declined"), max_length=200, blank=True)

    def __str__(self) -> str:
        return f"{self.kind} {'given' if self.given else 'declined'}"


class OpinionItem(BaseModel):
    """A conclusion of the examiner, with the reasons for it (CrPC 164A requires both)."""

    examination = models.ForeignKey(MedicoLegalExamination, on_delete=models.PROTECT, related_name="opinion")
    order = models.PositiveSmallIntegerField(default=0)
    conclusion = models.CharField(_("conclusion"), max_length=500)
    reasons = models.TextField(_("reasons"))

    class Meta:
        ordering = ["order", "created_at"]

    def __str__(self) -> str:
        return self.conclusion[:40]


class Addendum(BaseModel):
    """Added after signing: signed and timestamped, never changing what was sealed."""

    examination = models.ForeignKey(MedicoLegalExamination, on_delete=models.PROTECT, related_name="addenda")
    text = models.OneToOneField("survivors.VaultRecord", on_delete=models.PROTECT, related_name="+")
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField()
    seal_sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["signed_at"]

    def __str__(self) -> str:
        return f"addendum {self.signed_at:%Y-%m-%d}"
