"""Police and courts: her statement, the police case, section 164, the special court, legal aid.

What she said (her statement as she gave it) lives only in ``survivors.VaultRecord``
ciphertexts (kind ``justice``). What stays in clear is what the clocks and the
team need: dates, numbers the police and courts give, sections applied, flags.
Police officers, courts and panel lawyers are public officials or professionals;
their names are not survivor data and are kept in clear. Accused persons are never
named here (arrests are counted and described by role only); their identifiers
stay in the vault with the case's perpetrators.

Everything here belongs to the ``legal`` section of the access policy.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from crisiscell.core.models import BaseModel

# The kind of vault record that holds her statement.
VAULT_KIND = "justice"


class StatementPlace(models.TextChoices):
    CELL = "cell", _("At the cell")
    HOME = "home", _("At her home or a place convenient to her")
    POLICE = "police", _("At the police station")
    OTHER = "other", _("Elsewhere")


class Statement(BaseModel):
    """Her account as she gave it, recorded by the police liaison or legal adviser. Rows are added."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="justice_statements")
    content = models.OneToOneField("survivors.VaultRecord", on_delete=models.PROTECT, related_name="+")
    language = models.CharField(_("language she spoke"), max_length=40)
    place = models.CharField(_("where it was taken"), max_length=8, choices=StatementPlace.choices)
    # CrPC 154 proviso: a female relative or a person of her choice present.
    companion_present = models.BooleanField(_("a female relative or a person of her choice was present"))
    # She heard it read back and agreed that it may go to the police with the FIR application.
    read_back_and_agreed = models.BooleanField(_("read back to her and she agreed it may be given to the police"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_by_label = models.CharField(max_length=150)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["recorded_at"]

    def __str__(self) -> str:
        return f"statement {self.case_id} {self.recorded_at:%Y-%m-%d}"


class RegistrationRefusal(BaseModel):
    """The police refused to register the FIR: the ground for an application under CrPC 22-A."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="fir_refusals")
    police_station = models.CharField(_("police station"), max_length=200)
    refused_on = models.DateField(_("refused on"))
    note = models.CharField(_("what the police said"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"refusal {self.case_id} {self.refused_on}"


class PoliceCase(BaseModel):
    """The FIR and the investigation. One per case; created when the FIR is recorded."""

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="police_case")
    fir_number = models.CharField(_("FIR number"), max_length=40)
    police_station = models.CharField(_("police station"), max_length=200)
    registered_at = models.DateTimeField(_("FIR registered at"))
    sections = models.ManyToManyField("cases.Offence", blank=True, related_name="+", verbose_name=_("sections"))
    investigating_officer = models.CharField(_("investigating officer"), max_length=150, blank=True)
    investigating_unit = models.CharField(_("investigating unit"), max_length=150, blank=True)
    supervising_officer = models.CharField(_("supervising officer"), max_length=150, blank=True)
    # CrPC 161A: her right to a lawyer and the Bar Council's free legal aid list.
    rights_notice_given = models.BooleanField(_("legal-rights notice given (CrPC 161A)"), default=False)
    rights_notice_at = models.DateTimeField(_("notice given at"), null=True, blank=True)
    interim_report_on = models.DateField(_("interim report submitted on"), null=True, blank=True)
    challan_on = models.DateField(_("final report (challan) submitted on"), null=True, blank=True)
    # ARITA s.9(4): on the complainant's dissatisfaction, the district head of investigation.
    transfer_requested_on = models.DateField(_("transfer requested on"), null=True, blank=True)
    transfer_reason = models.CharField(_("why she is dissatisfied"), max_length=500, blank=True)
    transferred_to = models.CharField(_("transferred to"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"FIR {self.fir_number}"


class Arrest(BaseModel):
    """An arrest in the case. Never the accused's name: the vault holds the perpetrators' identifiers."""

    police_case = models.ForeignKey(PoliceCase, on_delete=models.PROTECT, related_name="arrests")
    arrested_on = models.DateField(_("arrested on"))
    count = models.PositiveSmallIntegerField(_("how many accused"), default=1)
    note = models.CharField(_("note (no names)"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["arrested_on"]

    def __str__(self) -> str:
        return f"arrest {self.arrested_on}"


class Section164(BaseModel):
    """Her statement before a magistrate (CrPC 164). Recorded once only (ARITA s.14): one row per case."""

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="section164")
    requested_on = models.DateField(_("requested on"), null=True, blank=True)
    magistrate = models.CharField(_("magistrate or court"), max_length=200, blank=True)
    recorded_on = models.DateField(_("recorded on"), null=True, blank=True)
    video_recorded = models.BooleanField(_("recorded on video"), default=False)
    support_adviser_present = models.BooleanField(_("an independent support adviser was present"), default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"s.164 {self.case_id}"


class Verdict(models.TextChoices):
    CONVICTION = "conviction", _("Conviction")
    ACQUITTAL = "acquittal", _("Acquittal")


class CourtCase(BaseModel):
    """The trial in the special court (ARITA s.16): in camera, preferably within 4 months (3 for a child)."""

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="court_case")
    special_court = models.CharField(_("special court"), max_length=200)
    case_number = models.CharField(_("court case number"), max_length=60)
    cognizance_on = models.DateField(_("cognizance taken on"))
    in_camera_confirmed = models.BooleanField(_("trial in camera confirmed"), default=False)
    testimony_video_recorded = models.BooleanField(_("her testimony video-recorded"), default=False)
    judgment_on = models.DateField(_("judgment on"), null=True, blank=True)
    verdict = models.CharField(_("verdict"), max_length=12, choices=Verdict.choices, blank=True)
    compensation_pkr = models.PositiveBigIntegerField(_("compensation ordered (PKR)"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"court case {self.case_number}"


class Hearing(BaseModel):
    """One hearing. An adjournment past the second is flagged (ARITA s.16 allows at most two)."""

    court_case = models.ForeignKey(CourtCase, on_delete=models.PROTECT, related_name="hearings")
    held_on = models.DateField(_("date"))
    what_happened = models.CharField(_("what happened"), max_length=500)
    adjourned = models.BooleanField(_("adjourned"), default=False)
    adjournment_reason = models.CharField(_("reason for the adjournment"), max_length=300, blank=True)
    # The running count of adjournments, this one included (0 if not adjourned).
    adjournment_number = models.PositiveSmallIntegerField(default=0)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["held_on", "created_at"]

    def __str__(self) -> str:
        return f"hearing {self.held_on}"

    @property
    def over_limit(self) -> bool:
        return self.adjournment_number > 2


class Conviction(models.Model):
    """A conviction under one section, with its sentence as the court pronounced it."""

    court_case = models.ForeignKey(CourtCase, on_delete=models.PROTECT, related_name="convictions")
    offence = models.ForeignKey("cases.Offence", on_delete=models.PROTECT, related_name="+")
    sentence = models.CharField(_("sentence"), max_length=300)

    def __str__(self) -> str:
        return f"{self.offence_id}: {self.sentence}"


class CompromiseAttempt(BaseModel):
    """Pressure to settle. In a non-compoundable offence a compromise has no legal effect: flagged."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="compromise_attempts")
    reported_on = models.DateField(_("reported on"))
    note = models.CharField(_("what happened"), max_length=500)
    non_compoundable = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"compromise {self.case_id} {self.reported_on}"


class AppealParty(models.TextChoices):
    STATE = "state", _("The State")
    COMPLAINANT = "complainant", _("The complainant")
    ACCUSED = "accused", _("The accused")


class AppealOutcome(models.TextChoices):
    PENDING = "pending", _("Pending")
    UPHELD = "upheld", _("Judgment upheld")
    OVERTURNED = "overturned", _("Judgment overturned")
    MODIFIED = "modified", _("Judgment modified")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Appeal(BaseModel):
    court_case = models.ForeignKey(CourtCase, on_delete=models.PROTECT, related_name="appeals")
    filed_on = models.DateField(_("filed on"))
    filed_by = models.CharField(_("filed by"), max_length=12, choices=AppealParty.choices)
    court = models.CharField(_("court"), max_length=200)
    outcome = models.CharField(_("outcome"), max_length=12, choices=AppealOutcome.choices, default="pending")
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["filed_on"]

    def __str__(self) -> str:
        return f"appeal {self.filed_on}"


class PanelLawyer(BaseModel):
    """A lawyer on the Legal Aid and Justice Authority's panel for a cell's district."""

    cell = models.ForeignKey("cells.Cell", on_delete=models.PROTECT, related_name="panel_lawyers")
    name = models.CharField(_("name"), max_length=150)
    bar_number = models.CharField(_("Bar Council enrolment number"), max_length=60, blank=True)
    phone = models.CharField(_("office phone"), max_length=40, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class LegalAidDecision(models.TextChoices):
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")


class LegalAid(BaseModel):
    """Her application to the Legal Aid and Justice Authority (decision within 7 days)."""

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="legal_aid")
    applied_at = models.DateTimeField(_("applied at"))
    authority_reference = models.CharField(_("authority's reference"), max_length=60, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=8, choices=LegalAidDecision.choices, blank=True)
    lawyer = models.ForeignKey(PanelLawyer, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # ARITA s.11: may accompany her in court.
    support_adviser = models.CharField(_("independent support adviser"), max_length=150, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"legal aid {self.case_id}"
