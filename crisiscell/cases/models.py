"""A case: one incident a survivor brings to a cell, known everywhere by its code.

The case holds no identity: the survivor's name, CNIC and phones are in the
vault (``crisiscell.survivors``). It holds what the cell must act on: how the
cell learned of it, when things happened, the GBVIMS classification, the alleged
offences, the survivor's choices, risk flags, and the consent ledger.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from crisiscell.cases.deadlines import DEFAULTS
from crisiscell.core.models import BaseModel


class Offence(models.Model):
    code = models.CharField(max_length=16, primary_key=True)
    law = models.CharField(max_length=8)
    section = models.CharField(max_length=16)
    title = models.CharField(max_length=200)
    schedule = models.CharField(_("ARITA schedule"), max_length=2, blank=True)
    cognizable = models.BooleanField(default=True)
    bailable = models.BooleanField(default=False)
    compoundable = models.BooleanField(default=False)
    tag = models.CharField(max_length=8, default="verify")

    class Meta:
        ordering = ["law", "code"]

    def __str__(self) -> str:
        return f"{self.law} {self.section} {self.display_title}"

    @property
    def display_title(self) -> str:
        """The title in the reader's language: seeded titles are in the catalogue; a title a
        deployment corrected in the database is shown as stored."""
        return gettext(self.title)


class CaseCounter(models.Model):
    """The last case number given per cell and year; locked while a code is issued."""

    cell = models.ForeignKey("cells.Cell", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cell", "year"], name="case_counter_cell_year")]

    def __str__(self) -> str:
        return f"{self.cell_id}/{self.year}: {self.last_number}"


class Source(models.TextChoices):
    WALK_IN = "walk_in", _("Walk-in")
    POLICE = "police", _("Police notification")
    HOSPITAL_WARD = "hospital_ward", _("Hospital ward or emergency")
    HELPLINE = "helpline", _("Helpline")
    REFERRAL = "referral", _("Another cell or organisation")
    OTHER = "other", _("Other")


class IncidentTimeKind(models.TextChoices):
    EXACT = "exact", _("Known")
    APPROXIMATE = "approximate", _("Approximate (a range)")
    UNKNOWN = "unknown", _("Unknown")


class PlaceType(models.TextChoices):
    SURVIVOR_HOME = "survivor_home", _("Survivor's home")
    PERPETRATOR_HOME = "perpetrator_home", _("Perpetrator's home")
    OTHER_HOME = "other_home", _("Another home")
    STREET = "street", _("Street or open place")
    VEHICLE = "vehicle", _("Vehicle or transport")
    WORKPLACE = "workplace", _("Workplace")
    SCHOOL = "school", _("School or madrasa")
    INSTITUTION = "institution", _("Other institution")
    FIELD = "field", _("Field or farm")
    ONLINE = "online", _("Online")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class GbvType(models.TextChoices):
    """GBVIMS incident types, in their decision order (domain section 11)."""

    RAPE = "rape", _("Rape")
    SEXUAL_ASSAULT = "sexual_assault", _("Sexual assault")
    PHYSICAL_ASSAULT = "physical_assault", _("Physical assault")
    FORCED_MARRIAGE = "forced_marriage", _("Forced marriage")
    DENIAL = "denial", _("Denial of resources, opportunities or services")
    PSYCHOLOGICAL = "psychological", _("Psychological or emotional abuse")
    NON_GBV = "non_gbv", _("Non-GBV")


class CaseContext(models.TextChoices):
    IPV = "ipv", _("Intimate partner violence")
    CSA = "csa", _("Child sexual abuse")
    EARLY_MARRIAGE = "early_marriage", _("Early marriage")
    EXPLOITATION = "exploitation", _("Possible sexual exploitation")
    SLAVERY = "slavery", _("Possible sexual slavery")
    HARMFUL_PRACTICE = "harmful_practice", _("Harmful traditional practice")


class Disability(models.TextChoices):
    PHYSICAL = "physical", _("Physical")
    SENSORY = "sensory", _("Seeing or hearing")
    INTELLECTUAL = "intellectual", _("Intellectual")
    MENTAL = "mental", _("Mental health")


class MedicalChoice(models.TextChoices):
    YES = "yes", _("Wants medical care")
    NO = "no", _("Declines medical care")
    UNDECIDED = "undecided", _("Not decided yet")


class EvidenceChoice(models.TextChoices):
    COLLECT = "collect", _("Collect evidence")
    COLLECT_AND_KEEP = "keep", _("Collect and keep it until she decides about the police")
    NO = "no", _("No evidence collection")


class PoliceChoice(models.TextChoices):
    NOW = "now", _("Report to the police now")
    LATER = "later", _("Maybe later")
    NOT = "not", _("Not at all")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Case(BaseModel):
    cell = models.ForeignKey("cells.Cell", on_delete=models.PROTECT, related_name="cases")
    code = models.CharField(_("case code"), max_length=20, unique=True)
    reference = models.CharField(_("survivor's reference"), max_length=16, unique=True)
    survivor = models.ForeignKey("survivors.Survivor", on_delete=models.PROTECT, related_name="cases")
    status = models.CharField(max_length=8, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    source = models.CharField(_("how the cell learned of it"), max_length=16, choices=Source.choices)
    source_detail = models.CharField(_("source details"), max_length=200, blank=True)
    arrival_at = models.DateTimeField(_("arrival time"))
    incident_time_kind = models.CharField(_("incident time"), max_length=12, choices=IncidentTimeKind.choices)
    incident_at = models.DateTimeField(_("incident time"), null=True, blank=True)
    incident_earliest = models.DateTimeField(_("earliest possible time"), null=True, blank=True)
    incident_latest = models.DateTimeField(_("latest possible time"), null=True, blank=True)
    place_type = models.CharField(_("place"), max_length=20, choices=PlaceType.choices)
    district = models.CharField(_("district"), max_length=100, blank=True)

    # The GBVIMS questions, asked in decision order; the type is the first "yes".
    penetration = models.BooleanField(_("penetration, however slight"), default=False)
    sexual_contact = models.BooleanField(_("unwanted sexual contact without penetration"), default=False)
    physical_assault = models.BooleanField(_("physical violence that is not sexual"), default=False)
    forced_marriage = models.BooleanField(_("marriage against her will"), default=False)
    denial_of_resources = models.BooleanField(_("denial of resources, opportunities or services"), default=False)
    psychological_abuse = models.BooleanField(_("psychological or emotional abuse"), default=False)
    transactional = models.BooleanField(_("money, goods or favours were exchanged"), default=False)
    held_captive = models.BooleanField(_("held or controlled over time for sexual purposes"), default=False)
    harmful_practice = models.BooleanField(_("a harmful traditional practice (e.g. vani, swara)"), default=False)
    gbv_type = models.CharField(_("GBVIMS type"), max_length=20, choices=GbvType.choices)
    contexts = models.JSONField(_("case context"), default=list, blank=True)

    # Age and sex at the incident, copied from the survivor so statistics never join the vault.
    survivor_sex = models.CharField(max_length=12)
    survivor_age_years = models.PositiveSmallIntegerField(null=True, blank=True)

    offences = models.ManyToManyField(Offence, blank=True, related_name="cases")
    disabilities = models.JSONField(_("disabilities"), default=list, blank=True)
    reported_elsewhere = models.BooleanField(_("already reported to another GBVIMS organisation"), default=False)
    reported_elsewhere_to = models.CharField(_("reported to"), max_length=200, blank=True)

    choice_medical = models.CharField(_("medical care"), max_length=10, choices=MedicalChoice.choices)
    choice_evidence = models.CharField(_("evidence collection"), max_length=10, choices=EvidenceChoice.choices)
    choice_police = models.CharField(_("report to the police"), max_length=10, choices=PoliceChoice.choices)

    risk_immediate_danger = models.BooleanField(_("in immediate danger"), default=False)
    risk_self_harm = models.BooleanField(_("risk of self-harm"), default=False)
    risk_perpetrator_in_household = models.BooleanField(_("perpetrator lives in her household"), default=False)
    child_protection_flag = models.BooleanField(_("child protection concern"), default=False)

    class Meta:
        indexes = [
            models.Index(fields=["cell", "status", "arrival_at"], name="case_cell_status_arrival"),
            models.Index(fields=["arrival_at"], name="case_arrival"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_child(self) -> bool:
        return self.survivor_age_years is not None and self.survivor_age_years < 18

    @property
    def context_labels(self) -> list[str]:
        return [str(CaseContext(c).label) for c in self.contexts if c in CaseContext.values]

    @property
    def arita_applies(self) -> bool:
        """ARITA's victim is a woman or a child (under 18, any sex). Others follow ordinary procedure."""
        return self.survivor_sex == "female" or self.is_child


class PerpetratorRelationship(models.TextChoices):
    HUSBAND = "husband", _("Husband or partner")
    FORMER_PARTNER = "former_partner", _("Former husband or partner")
    FAMILY = "family", _("Family member")
    NEIGHBOUR = "neighbour", _("Neighbour")
    ACQUAINTANCE = "acquaintance", _("Friend or acquaintance")
    TEACHER = "teacher", _("Teacher or religious teacher")
    EMPLOYER = "employer", _("Employer or co-worker")
    UNIFORMED = "uniformed", _("Police, security or armed person")
    ONLINE_CONTACT = "online", _("Online contact")
    STRANGER = "stranger", _("Stranger")
    UNKNOWN = "unknown", _("Unknown")


class AgeGroup(models.TextChoices):
    CHILD = "0-17", _("Under 18")
    YOUNG = "18-25", _("18 to 25")
    ADULT = "26-40", _("26 to 40")
    OLDER = "41-60", _("41 to 60")
    ELDER = "61+", _("Over 60")
    UNKNOWN = "unknown", _("Unknown")


class Perpetrator(BaseModel):
    """Alleged perpetrators of one incident; any names or numbers go to the vault."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="perpetrators")
    count = models.PositiveSmallIntegerField(_("how many"), default=1)
    sex = models.CharField(
        _("sex"),
        max_length=12,
        choices=[("male", _("Male")), ("female", _("Female")), ("unknown", _("Unknown"))],
    )
    age_group = models.CharField(_("age"), max_length=8, choices=AgeGroup.choices)
    relationship = models.CharField(_("relationship to her"), max_length=16, choices=PerpetratorRelationship.choices)
    identity = models.OneToOneField(
        "survivors.VaultRecord",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="perpetrator",
    )

    def __str__(self) -> str:
        return f"perpetrator {self.pk}"


class ConsentPurpose(models.TextChoices):
    EXAMINATION = "examination", _("Medical examination")
    PHOTOGRAPHS = "photographs", _("Photographs")
    EVIDENCE = "evidence", _("Evidence collection")
    RELEASE_POLICE = "release_police", _("Release to the police")
    TREATMENT = "treatment", _("Treatment")
    COUNSELLING = "counselling", _("Counselling")
    SHARING = "sharing", _("Sharing with other agencies")
    STATISTICS = "statistics", _("Anonymised statistics")
    PHONE_CONTACT = "phone_contact", _("Phone contact")


class ConsentGiver(models.TextChoices):
    SURVIVOR = "survivor", _("The survivor herself")
    GUARDIAN = "guardian", _("A guardian")
    AUTHORITY = "authority", _("Child protection officer or court order")


class ConsentMethod(models.TextChoices):
    SIGNED_FORM = "signed_form", _("Signed form (scanned)")
    THUMBPRINT = "thumbprint", _("Thumbprint on the form")
    VERBAL = "verbal", _("Verbal, with a staff witness")


class ConsentDecision(models.TextChoices):
    GIVEN = "given", _("Given")
    REFUSED = "refused", _("Refused")


class ChildAssent(models.TextChoices):
    NOT_APPLICABLE = "n/a", _("Not applicable (adult)")
    YES = "yes", _("The child agrees")
    NO = "no", _("The child does not agree")
    NOT_ABLE = "not_able", _("The child is too young or unable to say")


class Consent(BaseModel):
    """One decision about one purpose. Rows are added, never edited; revocation is recorded."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=16, choices=ConsentPurpose.choices)
    decision = models.CharField(_("decision"), max_length=8, choices=ConsentDecision.choices)
    given_by = models.CharField(_("given by"), max_length=10, choices=ConsentGiver.choices)
    guardian = models.ForeignKey(
        "survivors.Guardian",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consents",
    )
    child_assent = models.CharField(
        _("the child's own view"),
        max_length=10,
        choices=ChildAssent.choices,
        default=ChildAssent.NOT_APPLICABLE,
    )
    method = models.CharField(_("how"), max_length=12, choices=ConsentMethod.choices)
    witness = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["recorded_at"]
        indexes = [models.Index(fields=["case", "purpose"], name="consent_case_purpose")]

    def __str__(self) -> str:
        return f"{self.purpose} {self.decision}"


class TaskKind(models.TextChoices):
    # The five duties of ARITA s.5, in the Act's order.
    MLE = "mle", _("Medico-legal examination")
    EVIDENCE = "evidence", _("Secure and collect evidence")
    FORENSIC = "forensic", _("Forensic analysis")
    FIR = "fir", _("Registration of the FIR")
    OTHER_ACTION = "other_action", _("Any other necessary action")
    # Offers the cell makes to every survivor.
    COUNSELLING = "counselling", _("Offer of counselling")
    LEGAL_AID = "legal_aid", _("Offer of legal aid")
    # Raised by events.
    CHILD_PROTECTION = "child_protection", _("Child protection referral")
    FOLLOW_UP = "follow_up", _("Follow-up visit")


DUTY_KINDS = [TaskKind.MLE, TaskKind.EVIDENCE, TaskKind.FORENSIC, TaskKind.FIR, TaskKind.OTHER_ACTION]
OFFER_KINDS = [TaskKind.COUNSELLING, TaskKind.LEGAL_AID]


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    DECLINED = "declined", _("Declined by the survivor")
    NOT_APPLICABLE = "n/a", _("Not applicable")


class TaskNote:
    """What the system writes on a task another record completed: stored in English, shown in
    the reader's language (``Task.reason_display``). A note staff write is shown as written."""

    FIRST_SESSION = gettext_noop("First session booked.")
    CHILD_PROTECTION_REFERRAL = gettext_noop("Referred to child protection.")


_TASK_NOTES = frozenset({TaskNote.FIRST_SESSION, TaskNote.CHILD_PROTECTION_REFERRAL})


class Task(BaseModel):
    """Work owed on a case: the statutory duties, the offers, follow-ups, child protection.

    Due times are never stored: a task names the rule (``rule_key``) its deadline
    comes from, and the clocks derive it from the case's recorded facts.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="tasks")
    kind = models.CharField(max_length=24, choices=TaskKind.choices)
    rule_key = models.CharField(max_length=24, blank=True)
    status = models.CharField(max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    taken_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Why it was declined or not applicable, or a completion note.
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["case", "status"], name="task_case_status")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"

    @property
    def label(self) -> str:
        """What the task is, in the reader's language: a follow-up by its rule ("Follow-up visit
        at 2 weeks"), any other task by its kind."""
        rule = DEFAULTS.get(self.rule_key) if self.rule_key else None
        return str(rule.label) if rule else str(self.get_kind_display())

    @property
    def reason_display(self) -> str:
        return gettext(self.reason) if self.reason in _TASK_NOTES else self.reason


class RuleOverride(models.Model):
    """A deployment's change to a rule in force; rows are added, the newest per key wins."""

    key = models.CharField(max_length=24, db_index=True)
    hours = models.FloatField()
    reason = models.CharField(max_length=300)
    changed_by = models.CharField(max_length=150)
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["key", "changed_at"]

    def __str__(self) -> str:
        return f"{self.key}={self.hours}h"


class ClockState(models.TextChoices):
    OPEN = "open", _("Open")
    MET = "met", _("Met")
    MISSED = "missed", _("Missed")
    NOT_APPLICABLE = "n/a", _("Not applicable")
    DECLINED = "declined", _("Declined by the survivor")


class ClockResolution(models.Model):
    """Staff record that a clock's action happened (and when), was declined, or does not apply.

    The medico-legal and evidence records will resolve clocks themselves; until
    then, and for what they do not cover, staff record it here. Rows are added,
    never edited; the newest per case and clock wins.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="clock_resolutions")
    clock_key = models.CharField(max_length=24)
    state = models.CharField(
        max_length=10,
        choices=[(ClockState.MET, ClockState.MET.label), (ClockState.DECLINED, ClockState.DECLINED.label),
                 (ClockState.NOT_APPLICABLE, ClockState.NOT_APPLICABLE.label)],
    )  # fmt: skip
    done_at = models.DateTimeField(_("when it was done"), null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["recorded_at"]
        indexes = [models.Index(fields=["case", "clock_key"], name="clock_resolution_case_key")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.clock_key} {self.state}"


class Alert(models.Model):
    """An in-app alert: a clock entering its warning window or missed, or a new case to take."""

    class Kind(models.TextChoices):
        WARNING = "warning", _("Deadline approaching")
        MISSED = "missed", _("Deadline missed")
        NEW_CASE = "new_case", _("New case")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alerts")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="alerts")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    clock_key = models.CharField(max_length=24, blank=True)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "case", "kind", "clock_key"], name="alert_once_per_clock")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.case_id} {self.clock_key}"

    @property
    def clock_label(self) -> str:
        rule = DEFAULTS.get(self.clock_key)
        return str(rule.label) if rule else self.clock_key


class ContactMethod(models.TextChoices):
    CALL = "call", _("Phone call")
    TEXT = "text", _("Text message")


class ContactOutcome(models.TextChoices):
    REACHED = "reached", _("Reached her")
    NO_ANSWER = "no_answer", _("No answer")
    NOT_SAFE = "not_safe", _("Someone else answered; ended safely")
    WRONG_NUMBER = "wrong_number", _("Wrong number")


class ContactAttempt(BaseModel):
    """One attempt to reach a survivor, made within her safe-contact choices."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="contact_attempts")
    task = models.ForeignKey(Task, on_delete=models.PROTECT, null=True, blank=True, related_name="contact_attempts")
    method = models.CharField(max_length=8, choices=ContactMethod.choices)
    template = models.CharField(max_length=24, blank=True)
    outcome = models.CharField(max_length=16, choices=ContactOutcome.choices)
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.case_id} {self.method} {self.outcome}"


class IntakeDraft(BaseModel):
    """An unfinished intake, its answers encrypted in the vault until it is registered."""

    cell = models.ForeignKey("cells.Cell", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    data = models.OneToOneField("survivors.VaultRecord", on_delete=models.PROTECT, related_name="+")
    registered_case = models.ForeignKey(Case, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    def __str__(self) -> str:
        return f"draft {self.pk}"


class RecordVersion(models.Model):
    """A snapshot of a case record's non-identity fields after each change, to show what changed."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField()
    snapshot = models.JSONField()
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["version"]
        constraints = [models.UniqueConstraint(fields=["case", "version"], name="record_version_unique")]

    def __str__(self) -> str:
        return f"{self.case_id} v{self.version}"
