"""Counselling: sessions and their notes, measures, risk assessments, safety plans, break-glass reads.

What is clinical (session notes, goals and progress, a risk formulation, the whole safety
plan) lives only in ``survivors.VaultRecord`` ciphertexts (kind ``counselling``). What
stays in clear is what the schedule, the chart and the team need: dates, attendance, the
kind of session, scores and bands, risk levels and the flags the psychologist shares.
Everything here belongs to the ``counselling`` section of the access policy, except the
team view (``COUNSELLING_TEAM_ROLES``) described in ``crisiscell.counselling.selectors``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crisiscell.core.models import BaseModel
from crisiscell.counselling.instruments import Instrument

# The kind of vault record that holds counselling content.
VAULT_KIND = "counselling"


class Language(models.TextChoices):
    """The language a measure was given in or a safety plan is printed in."""

    ENGLISH = "en", _("English")
    URDU = "ur", _("Urdu")


class SessionKind(models.TextChoices):
    FIRST_AID = "pfa", _("Psychological first aid")
    INDIVIDUAL = "individual", _("Individual session")
    WITH_GUARDIAN = "with_guardian", _("Session with a parent or guardian")
    GROUP = "group", _("Group session")
    PLAY = "play", _("Play session")
    DRAWING = "drawing", _("Drawing session")


# Session kinds made for children; an adult is never booked into one.
CHILD_KINDS = frozenset({SessionKind.WITH_GUARDIAN, SessionKind.PLAY, SessionKind.DRAWING})


class SessionMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("By phone")


class Attendance(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    ATTENDED = "attended", _("Attended")
    MISSED = "missed", _("Missed")
    CANCELLED = "cancelled", _("Cancelled by her")


class GuardianInvolvement(models.TextChoices):
    NOT_APPLICABLE = "n/a", _("Not applicable (adult)")
    NONE = "none", _("No guardian took part")
    PRESENT = "present", _("A guardian was present throughout")
    PART = "part", _("A guardian was present for part of it")
    INFORMED = "informed", _("A guardian was told about it afterwards")


# Involvements that put a guardian in the room.
GUARDIAN_PRESENT = frozenset({GuardianInvolvement.PRESENT, GuardianInvolvement.PART})


class PlanStatus(models.TextChoices):
    ACTIVE = "active", _("Ongoing")
    CLOSED = "closed", _("Closed")


class ClosureReason(models.TextChoices):
    GOALS_MET = "goals_met", _("Goals met")
    SURVIVOR_ENDED = "survivor_ended", _("She chose to stop")
    LOST = "lost_to_follow_up", _("Lost to follow-up")
    REFERRED = "referred_on", _("Referred on (psychiatry or another service)")
    TRANSFERRED = "transferred", _("Moved to another cell or area")


# A closure for these reasons needs no final measure: she is not there to answer it.
NO_FINAL_MEASURE_NEEDED = frozenset({ClosureReason.LOST, ClosureReason.TRANSFERRED})


class DeviceCheck(models.TextChoices):
    """Checks for a phone someone else may be watching, printed on her safety plan."""

    LOCATION = "location", _("Turn off location sharing you did not choose (maps, chat apps, family finders).")
    PASSWORDS = "passwords", _("Change the phone's PIN and your passwords; do not tell anyone who might check.")
    UNKNOWN_APPS = "unknown_apps", _("Look for apps you did not install; remove them only when it is safe.")
    ACCOUNTS = "accounts", _("Check which phones and computers are signed in to your accounts, and sign them out.")
    BACKUP = "backup", _("Photos and chats may copy themselves to an account someone else can open.")
    HISTORY = "history", _("Clearing the call or search history can itself be noticed: think before you do it.")
    SPARE = "spare", _("Learn one trusted number by heart: the phone may be taken from you.")


class TeamFlag(models.TextChoices):
    """What a psychologist may choose to tell the team. Never clinical content."""

    ASK_FIRST = "ask_first", _("Speak to the psychologist before contacting her")
    NOT_READY_FOR_STATEMENT = "not_ready_statement", _("Not ready yet to give a statement or attend a hearing")
    ACCOMPANY = "accompany", _("Needs someone with her at appointments and hearings")
    NO_RETELLING = "no_retelling", _("Do not ask her to repeat her account")
    WOMEN_STAFF = "women_staff", _("Only women staff should meet her")


class CounsellingPlan(BaseModel):
    """The course of counselling a survivor accepted: one per case, opened by the first booking."""

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="counselling_plan")
    psychologist = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    psychologist_label = models.CharField(max_length=150)
    planned_sessions = models.PositiveSmallIntegerField(_("planned sessions"), default=6)
    status = models.CharField(max_length=8, choices=PlanStatus.choices, default=PlanStatus.ACTIVE)
    shared_flags = models.JSONField(_("flags shared with the team"), default=list, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closure_reason = models.CharField(
        _("why counselling closed"), max_length=20, choices=ClosureReason.choices, blank=True
    )
    final_measure = models.ForeignKey(
        "counselling.Measure", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"counselling plan {self.case_id} {self.status}"

    @property
    def shared_flag_labels(self) -> list[str]:
        return [str(TeamFlag(f).label) for f in self.shared_flags if f in TeamFlag.values]


class CounsellingSession(BaseModel):
    """One session: booked, then attended, missed or cancelled by her. The note is in the vault."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="counselling_sessions")
    kind = models.CharField(_("kind of session"), max_length=16, choices=SessionKind.choices)
    mode = models.CharField(_("how"), max_length=10, choices=SessionMode.choices)
    scheduled_at = models.DateTimeField(_("date and time"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration in minutes"))
    psychologist = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    psychologist_label = models.CharField(max_length=150)
    attendance = models.CharField(
        _("attendance"), max_length=10, choices=Attendance.choices, default=Attendance.SCHEDULED
    )
    attendance_recorded_at = models.DateTimeField(null=True, blank=True)
    # For a child: which guardian took part (never one who is an alleged perpetrator), and how.
    guardian = models.ForeignKey(
        "survivors.Guardian", on_delete=models.PROTECT, null=True, blank=True, related_name="counselling_sessions"
    )
    guardian_involvement = models.CharField(
        _("guardian's involvement"),
        max_length=10,
        choices=GuardianInvolvement.choices,
        default=GuardianInvolvement.NOT_APPLICABLE,
    )
    # The session note, goals and progress, encrypted; written once when she attended.
    note = models.OneToOneField(
        "survivors.VaultRecord", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # After a missed session: the safe contact attempt made about it.
    contact_attempt = models.ForeignKey(
        "cases.ContactAttempt", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["scheduled_at"]
        indexes = [models.Index(fields=["case", "scheduled_at"], name="counselling_session_case_at")]
        constraints = [
            models.CheckConstraint(
                condition=Q(note__isnull=True) | Q(attendance=Attendance.ATTENDED),
                name="counselling_note_only_when_attended",
            )
        ]

    def __str__(self) -> str:
        return f"session {self.pk} {self.kind} {self.attendance}"

    @property
    def awaiting_contact(self) -> bool:
        return self.attendance == Attendance.MISSED and self.contact_attempt_id is None


class Measure(BaseModel):
    """One administration of a screening measure, scored when recorded. Rows are added, never edited."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="counselling_measures")
    instrument = models.CharField(max_length=8, choices=Instrument.choices)
    language = models.CharField(max_length=4, choices=Language.choices)
    answers = models.JSONField()
    total = models.PositiveSmallIntegerField()
    band = models.CharField(max_length=24)
    administered_at = models.DateTimeField()
    administered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    administered_by_label = models.CharField(max_length=150)
    session = models.ForeignKey(
        CounsellingSession, on_delete=models.PROTECT, null=True, blank=True, related_name="measures"
    )
    # PHQ-9 item 9 above zero: a risk assessment is owed, and which one answered it.
    needs_risk_assessment = models.BooleanField(default=False)
    risk_assessment = models.ForeignKey(
        "counselling.RiskAssessment", on_delete=models.PROTECT, null=True, blank=True, related_name="measures"
    )

    class Meta:
        ordering = ["administered_at"]
        indexes = [models.Index(fields=["case", "instrument"], name="counselling_measure_case")]

    def __str__(self) -> str:
        return f"{self.instrument} {self.total}"

    @property
    def risk_follow_up_pending(self) -> bool:
        return self.needs_risk_assessment and self.risk_assessment_id is None


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MODERATE = "moderate", _("Moderate")
    HIGH = "high", _("High")


class SelfHarm(models.TextChoices):
    NONE = "none", _("No thoughts of self-harm or suicide")
    THOUGHTS = "thoughts", _("Thoughts, without a plan")
    PLAN = "plan", _("A plan or intent")
    ATTEMPT = "attempt", _("A recent attempt")


class PsychiatricReferral(models.TextChoices):
    NOT_NEEDED = "not_needed", _("Not needed now")
    URGENT = "urgent", _("Urgent psychiatric referral made")
    IN_CARE = "in_care", _("Already under psychiatric care (informed)")


class RiskTrigger(models.TextChoices):
    ROUTINE = "routine", _("Routine assessment")
    PHQ9_ITEM9 = "phq9_item9", _("PHQ-9 item 9 answered above zero")
    DISCLOSURE = "disclosure", _("Something she said in a session")


class RiskAssessment(BaseModel):
    """A risk and safety assessment. Rows are added, never edited; the newest is the current one."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="counselling_risks")
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assessed_by_label = models.CharField(max_length=150)
    assessed_at = models.DateTimeField()
    trigger = models.CharField(max_length=12, choices=RiskTrigger.choices, default=RiskTrigger.ROUTINE)
    immediate_danger = models.BooleanField(_("she is in immediate danger"), default=False)
    perpetrator_lives_with_her = models.BooleanField(_("the perpetrator lives with her"), default=False)
    perpetrator_threats = models.BooleanField(_("she has been threatened"), default=False)
    perpetrator_weapons = models.BooleanField(_("the perpetrator has or has used a weapon"), default=False)
    stalking_online = models.BooleanField(_("she is followed, watched or harassed online"), default=False)
    self_harm = models.CharField(_("self-harm and suicide"), max_length=10, choices=SelfHarm.choices)
    children_at_risk = models.BooleanField(_("children in the household are at risk"), default=False)
    psychiatric_referral = models.CharField(
        _("psychiatric referral"), max_length=12, choices=PsychiatricReferral.choices
    )
    called = models.JSONField(_("numbers called now"), default=list, blank=True)
    danger_level = models.CharField(_("risk from others"), max_length=10, choices=RiskLevel.choices)
    self_harm_level = models.CharField(_("risk of self-harm"), max_length=10, choices=RiskLevel.choices)
    # The psychologist's formulation, encrypted.
    note = models.OneToOneField(
        "survivors.VaultRecord", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["assessed_at"]

    def __str__(self) -> str:
        return f"risk {self.case_id} {self.danger_level}/{self.self_harm_level}"

    @property
    def high(self) -> bool:
        return RiskLevel.HIGH in (self.danger_level, self.self_harm_level)


class SafetyPlan(BaseModel):
    """Her safety plan, all of it encrypted; one per case, replaced when it changes."""

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="safety_plan")
    content = models.OneToOneField("survivors.VaultRecord", on_delete=models.PROTECT, related_name="+")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"safety plan {self.case_id}"


class BreakGlassRead(models.Model):
    """Someone who is not a psychologist read a case's notes, with a written reason. Never edited."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField(max_length=150)
    actor_roles = models.JSONField(default=list)
    reason = models.TextField(_("reason"))
    order_reference = models.CharField(_("order reference"), max_length=200, blank=True)
    notes_read = models.PositiveSmallIntegerField(default=0)
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"break-glass {self.case_id} {self.actor_label}"


class BreakGlassNotice(models.Model):
    """The in-app alert a psychologist receives when someone broke glass on notes of their cell."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read = models.ForeignKey(BreakGlassRead, on_delete=models.PROTECT, related_name="notices")
    created_at = models.DateTimeField()
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["user", "read"], name="break_glass_notice_once")]

    def __str__(self) -> str:
        return f"notice {self.user_id} {self.read_id}"
