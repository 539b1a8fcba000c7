"""Every write to counselling, and the break-glass read.

Each function checks the access policy itself, runs in one transaction and writes its
audit event in that transaction. Counselling events are recorded with the object type
``counselling`` (and the case code), so the case page's timeline, which the whole team
reads, does not list them; the team learns only what the psychologist shares and what
the board shows.

Who may call what:

* a psychologist of the case's cell (``counselling`` edit): booking and recording
  sessions and psychological first aid, declining the counselling offer for her, the
  measures, the risk assessment, the safety plan (and its PDF: ``counselling`` export),
  the plan and its closure;
* staff with case edit rights in the cell: the safe contact attempt after a missed
  session (``crisiscell.cases.duties.contact_attempt_record`` checks her choices) and the
  child-protection referral (``crisiscell.referrals.services.referral_create``);
* the roles in ``COUNSELLING_BREAK_GLASS_ROLES`` (the cell head and the legal adviser),
  in their own cell: ``notes_break_glass``. They answer for the cell and for court orders;
  nobody else reads notes without being a psychologist. A break-glass read needs a
  written reason (and the order's reference when there is one), is audited, and every
  psychologist of the cell, and whoever wrote the notes, gets a notice.

Consent. Every session needs the survivor's consent to counselling in force
(``require_consent``), except **psychological first aid** in the first
``FIRST_AID_WITHOUT_CONSENT`` after her arrival. Psychological first aid (WHO, 2011) is
not therapy: it is listening, comfort, practical help and linking her to services, offered
to anyone in acute distress and declined by simply saying no. Asking a woman who has just
arrived in shock to sign a counselling form before anyone may sit with her would delay the
care the cell exists for, and the consent ledger is often completed later that day. The
exception ends when the first aid window does: after it, and for every scheduled session,
measure and safety plan outside it, the consent must be on the ledger. A risk assessment
needs no consent: judging whether someone is in danger, from others or herself, is a duty
of care owed to anyone in front of us.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from crisiscell.access.policy import COUNSELLING_BREAK_GLASS_ROLES, Action, Role, Section
from crisiscell.access.scoping import allows_in_cell, memberships_cached
from crisiscell.accounts.models import Membership, User
from crisiscell.audit.services import audit_record
from crisiscell.cases.duties import CONTACT_TEMPLATES, contact_attempt_record, task_close
from crisiscell.cases.models import (
    Case,
    CaseStatus,
    Consent,
    ConsentPurpose,
    ContactAttempt,
    Task,
    TaskKind,
    TaskNote,
    TaskStatus,
)
from crisiscell.cases.services import _flag_child_protection, _record_version, consent_in_force, require_consent
from crisiscell.counselling import helplines, instruments
from crisiscell.counselling.models import (
    CHILD_KINDS,
    GUARDIAN_PRESENT,
    NO_FINAL_MEASURE_NEEDED,
    VAULT_KIND,
    Attendance,
    BreakGlassNotice,
    BreakGlassRead,
    ClosureReason,
    CounsellingPlan,
    CounsellingSession,
    DeviceCheck,
    GuardianInvolvement,
    Language,
    Measure,
    PlanStatus,
    PsychiatricReferral,
    RiskAssessment,
    RiskLevel,
    RiskTrigger,
    SafetyPlan,
    SelfHarm,
    SessionKind,
    SessionMode,
    TeamFlag,
)
from crisiscell.referrals.models import Referral, ReferralKind
from crisiscell.referrals.services import referral_create
from crisiscell.survivors.models import Guardian
from crisiscell.survivors.services import vault_read, vault_write

# Psychological first aid may be given without the counselling consent this long after arrival.
FIRST_AID_WITHOUT_CONSENT = timedelta(hours=72)
# A closure's final measure must be this recent.
FINAL_MEASURE_WITHIN = timedelta(days=30)
# A break-glass reason must say something: a word or two is not a reason.
BREAK_GLASS_MIN_REASON = 20
NOTE_MAX = 20000
SHORT_MAX = 2000
SESSION_MINUTES = (5, 240)


@dataclass(frozen=True)
class NoteView:
    """A decrypted session note, for the psychologist's page or a break-glass read."""

    session: CounsellingSession
    notes: str
    goals: str
    progress: str


def _require(actor: User, case: Case, action: Action = Action.EDIT, section: Section = Section.COUNSELLING) -> None:
    if not allows_in_cell(actor, case.cell, section, action):
        raise PermissionDenied


def _text(value: str, name: str, max_length: int, *, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({name: _("This is required.")})
    if len(value) > max_length:
        raise ValidationError({name: _("Keep it under %(n)d characters.") % {"n": max_length}})
    return value


def _audit(action: str, actor: User, case: Case, **details: Any) -> None:
    audit_record(
        action=action,
        actor=actor,
        cell=case.cell,
        object_type="counselling",
        object_ref=case.code,
        details=details or None,
    )


def _require_open(case: Case) -> None:
    if case.status != CaseStatus.OPEN:
        raise ValidationError(_("This case is closed."))


def first_aid_window_open(case: Case, at: datetime) -> bool:
    return case.arrival_at - timedelta(minutes=5) <= at <= case.arrival_at + FIRST_AID_WITHOUT_CONSENT


def counselling_consent(case: Case, *, first_aid_at: datetime | None = None) -> Consent | None:
    """The counselling consent in force; ``ConsentRequired`` unless first aid falls in its window."""
    if first_aid_at is not None and first_aid_window_open(case, first_aid_at):
        return consent_in_force(case, ConsentPurpose.COUNSELLING)
    return require_consent(case, ConsentPurpose.COUNSELLING)


def _check_minutes(minutes: int) -> None:
    low, high = SESSION_MINUTES
    if not low <= minutes <= high:
        message = _("A session lasts %(low)d to %(high)d minutes.") % {"low": low, "high": high}
        raise ValidationError({"duration_minutes": message})


def check_guardian_rules(case: Case, *, kind: str, guardian: Guardian | None, involvement: str) -> None:
    """Sessions for children and the guardian's part in them.

    Play, drawing and sessions with a guardian are for children only. For a child the
    guardian's involvement is always recorded; a guardian in the room must be named, must
    be hers, and is never one who is an alleged perpetrator. A session "with a parent or
    guardian" has one present.
    """
    if involvement not in GuardianInvolvement.values:
        raise ValidationError({"guardian_involvement": _("Choose how a guardian took part.")})
    if not case.is_child:
        if kind in CHILD_KINDS:
            raise ValidationError({"kind": _("Play, drawing and guardian sessions are for children.")})
        if guardian is not None or involvement != GuardianInvolvement.NOT_APPLICABLE:
            raise ValidationError({"guardian_involvement": _("She is an adult: no guardian takes part.")})
        return
    if involvement == GuardianInvolvement.NOT_APPLICABLE:
        raise ValidationError({"guardian_involvement": _("Record whether a guardian took part.")})
    if guardian is not None:
        if guardian.survivor_id != case.survivor_id:
            raise ValidationError({"guardian": _("This is not her guardian.")})
        if guardian.is_alleged_perpetrator:
            raise ValidationError(
                {"guardian": _("A guardian who is an alleged perpetrator never takes part in her sessions.")}
            )
    if involvement in GUARDIAN_PRESENT and guardian is None:
        raise ValidationError({"guardian": _("Say which guardian was present.")})
    if kind == SessionKind.WITH_GUARDIAN and involvement not in GUARDIAN_PRESENT:
        raise ValidationError({"guardian_involvement": _("A session with a guardian has a guardian present.")})


def _ensure_plan(actor: User, case: Case) -> CounsellingPlan:
    plan = CounsellingPlan.objects.select_for_update().filter(case=case).first()
    if plan is None:
        plan = CounsellingPlan.objects.create(case=case, psychologist=actor, psychologist_label=actor.username)
    elif plan.status == PlanStatus.CLOSED:
        raise ValidationError(_("Counselling on this case was closed. Open a new case if she returns."))
    return plan


def _open_offer(case: Case) -> Task | None:
    return Task.objects.filter(case=case, kind=TaskKind.COUNSELLING, status=TaskStatus.OPEN).first()


@transaction.atomic
def session_book(
    *,
    actor: User,
    case: Case,
    kind: str,
    mode: str,
    scheduled_at: datetime,
    duration_minutes: int,
    guardian: Guardian | None = None,
    guardian_involvement: str = GuardianInvolvement.NOT_APPLICABLE,
) -> CounsellingSession:
    """Book a session. Needs counselling edit rights and her counselling consent in force.

    The first booking opens the counselling plan and completes the counselling offer on
    the board (``task_close``: she accepted). Audits ``counselling.session_booked``.
    """
    _require(actor, case)
    _require_open(case)
    if kind not in SessionKind.values or kind == SessionKind.FIRST_AID:
        raise ValidationError({"kind": _("Choose the kind of session.")})
    if mode not in SessionMode.values:
        raise ValidationError({"mode": _("Choose in person or by phone.")})
    _check_minutes(duration_minutes)
    if scheduled_at < case.arrival_at:
        raise ValidationError({"scheduled_at": _("A session cannot be before her arrival.")})
    if scheduled_at > timezone.now() + timedelta(days=366):
        raise ValidationError({"scheduled_at": _("Book within the next year.")})
    check_guardian_rules(case, kind=kind, guardian=guardian, involvement=guardian_involvement)
    counselling_consent(case)
    _ensure_plan(actor, case)
    session = CounsellingSession.objects.create(
        case=case,
        kind=kind,
        mode=mode,
        scheduled_at=scheduled_at,
        duration_minutes=duration_minutes,
        psychologist=actor,
        psychologist_label=actor.username,
        guardian=guardian,
        guardian_involvement=guardian_involvement,
    )
    offer = _open_offer(case)
    if offer is not None:
        task_close(actor=actor, task=offer, status=TaskStatus.DONE, reason=TaskNote.FIRST_SESSION)
    _audit("counselling.session_booked", actor, case, session=str(session.pk), kind=kind, mode=mode)
    return session


def _write_note(payload: dict[str, str]) -> Any:
    return vault_write(kind=VAULT_KIND, payload=payload)


@transaction.atomic
def session_record(
    *,
    actor: User,
    session: CounsellingSession,
    attendance: str,
    notes: str = "",
    goals: str = "",
    progress: str = "",
    duration_minutes: int | None = None,
    guardian_involvement: str | None = None,
) -> CounsellingSession:
    """Record what happened to a booked session: attended (with its note), missed, or cancelled by her.

    The note, goals and progress are encrypted in the vault and written once. A missed
    session asks the team for a safe contact attempt (``missed_session_contact``).
    Audits ``counselling.session_recorded`` (the attendance only).
    """
    locked = CounsellingSession.objects.select_for_update().select_related("case", "case__cell").get(pk=session.pk)
    case = locked.case
    _require(actor, case)
    if locked.attendance != Attendance.SCHEDULED:
        raise ValidationError(_("This session was already recorded."))
    if attendance not in (Attendance.ATTENDED, Attendance.MISSED, Attendance.CANCELLED):
        raise ValidationError({"attendance": _("Choose attended, missed or cancelled by her.")})
    now = timezone.now()
    changes: dict[str, Any] = {"attendance": attendance, "attendance_recorded_at": now}
    if attendance == Attendance.ATTENDED:
        if locked.scheduled_at > now + timedelta(minutes=30):
            raise ValidationError({"attendance": _("This session has not happened yet.")})
        counselling_consent(case)
        notes = _text(notes, "notes", NOTE_MAX, required=True)
        payload = {
            "notes": notes,
            "goals": _text(goals, "goals", SHORT_MAX),
            "progress": _text(progress, "progress", SHORT_MAX),
        }
        if duration_minutes is not None:
            _check_minutes(duration_minutes)
            changes["duration_minutes"] = duration_minutes
        if guardian_involvement is not None:
            check_guardian_rules(case, kind=locked.kind, guardian=locked.guardian, involvement=guardian_involvement)
            changes["guardian_involvement"] = guardian_involvement
        changes["note"] = _write_note(payload)
    elif any(v.strip() for v in (notes, goals, progress)):
        raise ValidationError({"notes": _("Only a session she attended has a note.")})
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.version += 1
    locked.save()
    _audit("counselling.session_recorded", actor, case, session=str(locked.pk), attendance=attendance)
    return locked


@transaction.atomic
def first_aid_record(
    *,
    actor: User,
    case: Case,
    at: datetime,
    mode: str,
    duration_minutes: int,
    notes: str,
    guardian: Guardian | None = None,
    guardian_involvement: str = GuardianInvolvement.NOT_APPLICABLE,
) -> CounsellingSession:
    """Record psychological first aid given at intake. Audits ``counselling.first_aid_recorded``.

    Needs no counselling consent within ``FIRST_AID_WITHOUT_CONSENT`` of her arrival (see
    the module docstring); later it does. It does not answer the counselling offer.
    """
    _require(actor, case)
    _require_open(case)
    if mode not in SessionMode.values:
        raise ValidationError({"mode": _("Choose in person or by phone.")})
    if at > timezone.now() + timedelta(minutes=5):
        raise ValidationError({"at": _("This time is in the future.")})
    if at < case.arrival_at - timedelta(minutes=5):
        raise ValidationError({"at": _("First aid cannot be before her arrival.")})
    _check_minutes(duration_minutes)
    check_guardian_rules(case, kind=SessionKind.FIRST_AID, guardian=guardian, involvement=guardian_involvement)
    consent = counselling_consent(case, first_aid_at=at)
    note = _write_note({"notes": _text(notes, "notes", NOTE_MAX, required=True), "goals": "", "progress": ""})
    session = CounsellingSession.objects.create(
        case=case,
        kind=SessionKind.FIRST_AID,
        mode=mode,
        scheduled_at=at,
        duration_minutes=duration_minutes,
        psychologist=actor,
        psychologist_label=actor.username,
        attendance=Attendance.ATTENDED,
        attendance_recorded_at=timezone.now(),
        guardian=guardian,
        guardian_involvement=guardian_involvement,
        note=note,
    )
    _audit("counselling.first_aid_recorded", actor, case, session=str(session.pk), consent_in_force=consent is not None)
    return session


@transaction.atomic
def offer_decline(*, actor: User, case: Case, reason: str) -> Task:
    """She declined counselling: the offer on the board closes as declined, with her reason.

    Needs counselling edit rights (``task_close`` checks them). Audits ``task.closed``.
    """
    _require(actor, case)
    reason = _text(reason, "reason", 300, required=True)
    offer = _open_offer(case)
    if offer is None:
        raise ValidationError(_("There is no open counselling offer on this case."))
    return task_close(actor=actor, task=offer, status=TaskStatus.DECLINED, reason=reason)


def _set_flags(actor: User, case: Case, *, self_harm: bool | None = None, danger: bool | None = None) -> list[str]:
    """Raise or lower the board's risk flags. The case's version grows and a snapshot is kept.

    Audits ``counselling.flag_changed`` on the case (the field names only): the team may
    see that a psychologist changed a flag, never why.
    """
    wanted = {"risk_self_harm": self_harm, "risk_immediate_danger": danger}
    locked = Case.objects.select_for_update().get(pk=case.pk)
    changed = sorted(name for name, value in wanted.items() if value is not None and getattr(locked, name) != value)
    if not changed:
        return []
    Case.objects.filter(pk=locked.pk).update(
        **{name: wanted[name] for name in changed}, version=F("version") + 1, updated_at=timezone.now()
    )
    locked.refresh_from_db()
    for name in changed:
        setattr(case, name, getattr(locked, name))
    case.version = locked.version
    _record_version(locked, actor)
    audit_record(
        action="counselling.flag_changed",
        actor=actor,
        cell=case.cell,
        object_type="case",
        object_ref=case.code,
        details={"fields": changed, "version": locked.version},
    )
    return changed


@transaction.atomic
def measure_record(
    *,
    actor: User,
    case: Case,
    instrument: str,
    language: str,
    answers: list[int],
    session: CounsellingSession | None = None,
) -> Measure:
    """Score and keep one administration of a measure. Needs her counselling consent.

    PHQ-9 item 9 above zero raises the self-harm flag on the board at once and leaves a
    risk assessment owed (``Measure.risk_follow_up_pending``) until one is recorded.
    Audits ``counselling.measure_recorded`` (the instrument, never the answers or score).
    """
    _require(actor, case)
    if instrument not in instruments.Instrument.values:
        raise ValidationError({"instrument": _("Unknown measure.")})
    if language not in Language.values:
        raise ValidationError({"language": _("Choose English or Urdu.")})
    if session is not None and session.case_id != case.pk:
        raise ValidationError({"session": _("This session belongs to another case.")})
    try:
        result = instruments.score(instrument, answers)
    except ValueError as error:
        raise ValidationError({"answers": _("Answer every item.")}) from error
    counselling_consent(case)
    measure = Measure.objects.create(
        case=case,
        instrument=instrument,
        language=language,
        answers=list(answers),
        total=result.total,
        band=result.band.key,
        administered_at=timezone.now(),
        administered_by=actor,
        administered_by_label=actor.username,
        session=session,
        needs_risk_assessment=result.needs_risk_assessment,
    )
    if result.needs_risk_assessment:
        _set_flags(actor, case, self_harm=True)
    _audit(
        "counselling.measure_recorded",
        actor,
        case,
        measure=str(measure.pk),
        instrument=instrument,
        risk_follow_up=result.needs_risk_assessment,
    )
    return measure


_LEVEL_ORDER = [RiskLevel.LOW, RiskLevel.MODERATE, RiskLevel.HIGH]


def _higher(a: str, b: str | None) -> str:
    if not b:
        return a
    return max(a, b, key=lambda level: _LEVEL_ORDER.index(RiskLevel(level)))


@dataclass
class RiskInput:
    """What the psychologist answers in a risk and safety assessment."""

    immediate_danger: bool = False
    perpetrator_lives_with_her: bool = False
    perpetrator_threats: bool = False
    perpetrator_weapons: bool = False
    stalking_online: bool = False
    self_harm: str = SelfHarm.NONE
    children_at_risk: bool = False
    psychiatric_referral: str = PsychiatricReferral.NOT_NEEDED
    called: list[str] = field(default_factory=list)
    # Clinical judgement may raise a level above what the answers give, never lower it.
    danger_judged: str = ""
    self_harm_judged: str = ""
    formulation: str = ""
    trigger: str = RiskTrigger.ROUTINE
    # Lower a board flag this assessment does not support (never one it supports).
    lower_flags: bool = False


def danger_level(data: RiskInput) -> str:
    """Risk from others: high with immediate danger, a weapon, or threats from someone she lives with."""
    if (
        data.immediate_danger
        or data.perpetrator_weapons
        or (data.perpetrator_lives_with_her and data.perpetrator_threats)
    ):
        return RiskLevel.HIGH
    if data.perpetrator_lives_with_her or data.perpetrator_threats or data.stalking_online:
        return RiskLevel.MODERATE
    return RiskLevel.LOW


def self_harm_level(data: RiskInput) -> str:
    """Risk of self-harm: high with a plan, intent or a recent attempt; moderate with thoughts alone."""
    if data.self_harm in (SelfHarm.PLAN, SelfHarm.ATTEMPT):
        return RiskLevel.HIGH
    if data.self_harm == SelfHarm.THOUGHTS:
        return RiskLevel.MODERATE
    return RiskLevel.LOW


@transaction.atomic
def risk_assess(*, actor: User, case: Case, data: RiskInput) -> RiskAssessment:
    """Record a risk and safety assessment and act on it. Needs counselling edit rights.

    A high risk of self-harm needs an urgent psychiatric referral (or her being in care
    already). A high risk raises the matching flag on the board (``counselling.flag_changed``);
    children at risk at home (or a child survivor living with the perpetrator) raise a
    child protection concern and task (``case.child_protection_flagged``). It answers every
    PHQ-9 item-9 follow-up still owed. Audits ``counselling.risk_assessed``.
    """
    _require(actor, case)
    if data.self_harm not in SelfHarm.values:
        raise ValidationError({"self_harm": _("Choose what she said about self-harm.")})
    if data.psychiatric_referral not in PsychiatricReferral.values:
        raise ValidationError({"psychiatric_referral": _("Choose the psychiatric referral.")})
    for judged in (data.danger_judged, data.self_harm_judged):
        if judged and judged not in RiskLevel.values:
            raise ValidationError(_("Unknown risk level."))
    unknown = [key for key in data.called if key not in helplines.BY_KEY]
    if unknown:
        raise ValidationError({"called": _("Unknown number.")})
    danger = _higher(danger_level(data), data.danger_judged)
    harm = _higher(self_harm_level(data), data.self_harm_judged)
    if harm == RiskLevel.HIGH and data.psychiatric_referral == PsychiatricReferral.NOT_NEEDED:
        raise ValidationError(
            {
                "psychiatric_referral": _(
                    "A high risk of self-harm needs an urgent psychiatric referral today, or a record that she is "
                    "already in psychiatric care and her psychiatrist has been told."
                )
            }
        )
    formulation = _text(data.formulation, "formulation", NOTE_MAX)
    pending = list(
        Measure.objects.select_for_update().filter(case=case, needs_risk_assessment=True, risk_assessment__isnull=True)
    )
    trigger = RiskTrigger.PHQ9_ITEM9 if pending else data.trigger
    assessment = RiskAssessment.objects.create(
        case=case,
        assessed_by=actor,
        assessed_by_label=actor.username,
        assessed_at=timezone.now(),
        trigger=trigger if trigger in RiskTrigger.values else RiskTrigger.ROUTINE,
        immediate_danger=data.immediate_danger,
        perpetrator_lives_with_her=data.perpetrator_lives_with_her,
        perpetrator_threats=data.perpetrator_threats,
        perpetrator_weapons=data.perpetrator_weapons,
        stalking_online=data.stalking_online,
        self_harm=data.self_harm,
        children_at_risk=data.children_at_risk,
        psychiatric_referral=data.psychiatric_referral,
        called=sorted(set(data.called)),
        danger_level=danger,
        self_harm_level=harm,
        note=_write_note({"formulation": formulation}) if formulation else None,
    )
    Measure.objects.filter(pk__in=[m.pk for m in pending]).update(risk_assessment=assessment)
    self_harm_flag: bool | None = True if harm == RiskLevel.HIGH else (False if data.lower_flags else None)
    danger_flag: bool | None = True if danger == RiskLevel.HIGH else (False if data.lower_flags else None)
    _set_flags(actor, case, self_harm=self_harm_flag, danger=danger_flag)
    at_home = data.perpetrator_lives_with_her or danger == RiskLevel.HIGH
    if data.children_at_risk or (case.is_child and at_home):
        _flag_child_protection(case, actor, "counselling_risk_assessment")
    _audit(
        "counselling.risk_assessed",
        actor,
        case,
        assessment=str(assessment.pk),
        trigger=assessment.trigger,
        answered_follow_ups=len(pending),
    )
    return assessment


@transaction.atomic
def child_protection_refer(*, actor: User, case: Case, organisation: str, purpose: str, due_on: date) -> Referral:
    """Refer a child at risk at home to child protection, and close the open child protection task.

    Reuses ``referral_create`` (case edit rights; no consent needed for a child survivor,
    her consent to sharing otherwise). Audits ``referral.created`` and ``task.closed``.
    """
    referral = referral_create(
        actor=actor,
        case=case,
        kind=ReferralKind.CHILD_PROTECTION,
        organisation=organisation,
        purpose=purpose,
        due_on=due_on,
    )
    task = Task.objects.filter(case=case, kind=TaskKind.CHILD_PROTECTION, status=TaskStatus.OPEN).first()
    if task is not None:
        task_close(actor=actor, task=task, status=TaskStatus.DONE, reason=TaskNote.CHILD_PROTECTION_REFERRAL)
    return referral


@transaction.atomic
def missed_session_contact(
    *, actor: User, session: CounsellingSession, method: str, outcome: str, template: str = ""
) -> ContactAttempt:
    """The safe contact attempt a missed session prompts, within her contact choices.

    ``contact_attempt_record`` refuses a way or a time she did not allow and checks the
    actor's case edit rights. Audits ``contact.attempted``.
    """
    locked = CounsellingSession.objects.select_for_update().select_related("case", "case__cell", "case__survivor")
    current = locked.get(pk=session.pk)
    if not allows_in_cell(actor, current.case.cell, Section.CASE, Action.EDIT):
        raise PermissionDenied
    if not current.awaiting_contact:
        raise ValidationError(_("This session is not waiting for a contact attempt."))
    if template and template not in CONTACT_TEMPLATES:
        raise ValidationError(_("Unknown message template."))
    attempt = contact_attempt_record(
        actor=actor, case=current.case, method=method, outcome=outcome, template=template or "check_in"
    )
    CounsellingSession.objects.filter(pk=current.pk).update(
        contact_attempt=attempt, version=F("version") + 1, updated_at=timezone.now()
    )
    session.contact_attempt = attempt
    return attempt


@transaction.atomic
def plan_update(*, actor: User, case: Case, planned_sessions: int, shared_flags: list[str]) -> CounsellingPlan:
    """Change the planned number of sessions and the flags shared with the team.

    Audits ``counselling.plan_updated`` (which flags are shared is what the team sees anyway).
    """
    _require(actor, case)
    plan = CounsellingPlan.objects.select_for_update().filter(case=case).first()
    if plan is None:
        raise ValidationError(_("Book a first session to open the counselling plan."))
    if not 1 <= planned_sessions <= 52:
        raise ValidationError({"planned_sessions": _("Plan between 1 and 52 sessions.")})
    flags = sorted(set(shared_flags))
    if any(flag not in TeamFlag.values for flag in flags):
        raise ValidationError({"shared_flags": _("Unknown flag.")})
    CounsellingPlan.objects.filter(pk=plan.pk).update(
        planned_sessions=planned_sessions, shared_flags=flags, version=F("version") + 1, updated_at=timezone.now()
    )
    plan.refresh_from_db()
    _audit("counselling.plan_updated", actor, case, planned_sessions=planned_sessions, shared_flags=flags)
    return plan


@transaction.atomic
def plan_close(*, actor: User, case: Case, reason: str, final_measure: Measure | None) -> CounsellingPlan:
    """Close counselling with a reason and a final measure (none needed if she was lost or moved).

    Sessions still booked must be recorded first. Audits ``counselling.closed`` (the reason).
    """
    _require(actor, case)
    plan = CounsellingPlan.objects.select_for_update().filter(case=case).first()
    if plan is None or plan.status != PlanStatus.ACTIVE:
        raise ValidationError(_("Counselling is not ongoing on this case."))
    if reason not in ClosureReason.values:
        raise ValidationError({"reason": _("Choose why counselling closes.")})
    if final_measure is None and reason not in NO_FINAL_MEASURE_NEEDED:
        raise ValidationError({"final_measure": _("Give a final measure before closing.")})
    if final_measure is not None and (
        final_measure.case_id != case.pk or final_measure.administered_at < timezone.now() - FINAL_MEASURE_WITHIN
    ):
        raise ValidationError({"final_measure": _("The final measure must be this case's, from the last 30 days.")})
    if CounsellingSession.objects.filter(case=case, attendance=Attendance.SCHEDULED).exists():
        raise ValidationError(_("Record what happened to the sessions still booked before closing."))
    now = timezone.now()
    CounsellingPlan.objects.filter(pk=plan.pk).update(
        status=PlanStatus.CLOSED,
        closed_at=now,
        closed_by=actor,
        closure_reason=reason,
        final_measure=final_measure,
        version=F("version") + 1,
        updated_at=now,
    )
    plan.refresh_from_db()
    _audit("counselling.closed", actor, case, reason=reason, final_measure=bool(final_measure))
    return plan


# --- Safety plans ------------------------------------------------------------------------------


@dataclass
class SafetyPlanContent:
    safe_places: str = ""
    trusted_people: str = ""
    code_word: str = ""
    how_to_leave: str = ""
    what_to_take: str = ""
    phone_safety: str = ""
    device_checks: list[str] = field(default_factory=list)
    emergency_numbers: list[str] = field(default_factory=list)
    language: str = Language.URDU

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> SafetyPlanContent:
        return cls(**{k: v for k, v in payload.items() if k in cls.__dataclass_fields__})


@transaction.atomic
def safety_plan_save(*, actor: User, case: Case, content: SafetyPlanContent) -> SafetyPlan:
    """Write her safety plan (all of it encrypted). Audits ``counselling.safety_plan_saved``.

    Needs her counselling consent, except in the first aid window after her arrival: a
    plan to stay safe tonight is part of first aid.
    """
    _require(actor, case)
    _require_open(case)
    counselling_consent(case, first_aid_at=timezone.now())
    for name in ("safe_places", "trusted_people", "how_to_leave", "what_to_take", "phone_safety"):
        setattr(content, name, _text(getattr(content, name), name, SHORT_MAX))
    content.code_word = _text(content.code_word, "code_word", 100)
    if any(key not in DeviceCheck.values for key in content.device_checks):
        raise ValidationError({"device_checks": _("Unknown check.")})
    if any(key not in helplines.BY_KEY for key in content.emergency_numbers):
        raise ValidationError({"emergency_numbers": _("Unknown number.")})
    if content.language not in Language.values:
        raise ValidationError({"language": _("Choose English or Urdu.")})
    payload = asdict(content)
    plan = SafetyPlan.objects.select_for_update().filter(case=case).first()
    if plan is None:
        plan = SafetyPlan.objects.create(
            case=case, content=vault_write(kind=VAULT_KIND, payload=payload), updated_by=actor
        )
    else:
        vault_write(kind=VAULT_KIND, payload=payload, record=plan.content)
        SafetyPlan.objects.filter(pk=plan.pk).update(
            updated_by=actor, version=F("version") + 1, updated_at=timezone.now()
        )
        plan.refresh_from_db()
    _audit("counselling.safety_plan_saved", actor, case, version=plan.version)
    return plan


def safety_plan_pdf(*, actor: User, case: Case, language: str) -> bytes:
    """Her plan as a discreet one-page PDF that names neither the cell nor the case.

    Needs counselling export rights. Audits ``counselling.safety_plan_printed``.
    """
    from crisiscell.documents.pdf import render_pdf

    _require(actor, case, Action.EXPORT)
    if language not in Language.values:
        raise ValidationError({"language": _("Choose English or Urdu.")})
    with transaction.atomic():
        plan = SafetyPlan.objects.filter(case=case).select_related("content").first()
        if plan is None:
            raise Http404
        content = SafetyPlanContent.from_payload(vault_read(plan.content))
        _audit("counselling.safety_plan_printed", actor, case, language=language)
    return render_pdf(
        "counselling/safety_plan_pdf.html",
        {
            "plan": content,
            "checks": [check.label for check in DeviceCheck if check.value in content.device_checks],
            "numbers": [helplines.BY_KEY[key] for key in content.emergency_numbers if key in helplines.BY_KEY],
        },
        language=language,
    )


# --- Break glass -------------------------------------------------------------------------------


def break_glass_roles(actor: User, case: Case) -> list[str]:
    """The actor's roles in the case's own cell that may break glass (none: may not)."""
    return sorted(
        m.role
        for m in memberships_cached(actor)
        if m.cell_id == case.cell_id and m.role in COUNSELLING_BREAK_GLASS_ROLES
    )


def may_break_glass(actor: User, case: Case) -> bool:
    return bool(break_glass_roles(actor, case)) and not allows_in_cell(
        actor, case.cell, Section.COUNSELLING, Action.VIEW
    )


def decrypt_note(session: CounsellingSession) -> NoteView:
    payload = vault_read(session.note) if session.note is not None else {}
    return NoteView(
        session=session,
        notes=str(payload.get("notes", "")),
        goals=str(payload.get("goals", "")),
        progress=str(payload.get("progress", "")),
    )


@transaction.atomic
def notes_break_glass(*, actor: User, case: Case, reason: str, order_reference: str = "") -> list[NoteView]:
    """A non-psychologist reads a case's session notes, for a reason they write down.

    Only ``COUNSELLING_BREAK_GLASS_ROLES`` in the case's own cell (404 for anyone else, as
    for a missing case). Records a ``BreakGlassRead`` (reason and order reference kept
    there, never in the audit log), gives every active psychologist of the cell and every
    author of a note a ``BreakGlassNotice``, and audits ``counselling.break_glass`` plus one
    ``counselling.note_read`` per note decrypted.
    """
    roles = break_glass_roles(actor, case)
    if not roles or not may_break_glass(actor, case):
        raise Http404
    reason = _text(reason, "reason", 2000)
    if len(reason) < BREAK_GLASS_MIN_REASON:
        raise ValidationError(
            {"reason": _("Write the reason in full (at least %(n)d characters).") % {"n": BREAK_GLASS_MIN_REASON}}
        )
    order_reference = _text(order_reference, "order_reference", 200)
    sessions = list(
        CounsellingSession.objects.filter(case=case, note__isnull=False).select_related("note").order_by("scheduled_at")
    )
    now = timezone.now()
    read = BreakGlassRead.objects.create(
        case=case,
        actor=actor,
        actor_label=actor.username,
        actor_roles=roles,
        reason=reason,
        order_reference=order_reference,
        notes_read=len(sessions),
        at=now,
    )
    psychologists = set(
        Membership.objects.filter(
            cell=case.cell, role=Role.PSYCHOLOGIST, is_active=True, user__is_active=True
        ).values_list("user_id", flat=True)
    )
    authors = set(
        User.objects.filter(pk__in=[s.psychologist_id for s in sessions], is_active=True).values_list("pk", flat=True)
    )
    BreakGlassNotice.objects.bulk_create(
        [BreakGlassNotice(user_id=user_id, read=read, created_at=now) for user_id in sorted(psychologists | authors)]
    )
    _audit(
        "counselling.break_glass",
        actor,
        case,
        read=str(read.pk),
        roles=roles,
        with_order=bool(order_reference),
        notes=len(sessions),
    )
    views = []
    for session in sessions:
        _audit("counselling.note_read", actor, case, session=str(session.pk), break_glass=True)
        views.append(decrypt_note(session))
    return views


def notice_mark_seen(*, actor: User, notice: BreakGlassNotice) -> None:
    BreakGlassNotice.objects.filter(pk=notice.pk, user=actor, seen_at__isnull=True).update(seen_at=timezone.now())
