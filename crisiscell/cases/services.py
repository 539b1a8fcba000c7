"""Every write to cases: registration, consent, updates with optimistic locking.

Each function checks the access policy itself, runs in one transaction and writes
its audit event in that transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from crisiscell.access.policy import Action, Section
from crisiscell.access.scoping import allows_in_cell
from crisiscell.accounts.models import User
from crisiscell.audit.services import audit_record
from crisiscell.cases import codes, rules
from crisiscell.cases.alerts import alert_new_case
from crisiscell.cases.duties import duties_create
from crisiscell.cases.models import (
    Case,
    CaseStatus,
    ChildAssent,
    Consent,
    ConsentDecision,
    ConsentGiver,
    ConsentPurpose,
    IncidentTimeKind,
    IntakeDraft,
    Offence,
    Perpetrator,
    RecordVersion,
    Task,
    TaskKind,
    TaskStatus,
)
from crisiscell.cells.models import Cell
from crisiscell.cells.selectors import on_duty_user_ids
from crisiscell.survivors import services as vault_services
from crisiscell.survivors.models import Guardian, Survivor, VaultRecord
from crisiscell.survivors.services import GuardianIdentity, SurvivorIdentity


class ConsentRequired(PermissionDenied):
    """A service refused to act because a consent it needs is missing; the message names it."""

    def __init__(self, purpose: str) -> None:
        self.purpose = purpose
        label = ConsentPurpose(purpose).label
        super().__init__(_("No consent for %(purpose)s is on record. Record it first.") % {"purpose": label})


class VersionConflict(ValidationError):
    """Someone saved the record after it was opened; nothing was overwritten."""

    def __init__(self, current: Case) -> None:
        self.current = current
        super().__init__(_("Someone else saved this case after you opened it."), code="conflict")


@dataclass
class GuardianInput:
    identity: GuardianIdentity
    relationship: str
    identity_checked: str
    is_alleged_perpetrator: bool = False


@dataclass
class PerpetratorInput:
    count: int
    sex: str
    age_group: str
    relationship: str
    identifiers: str = ""  # names, numbers, profile links: stored in the vault


@dataclass
class ConsentInput:
    purpose: str
    decision: str
    given_by: str
    method: str
    guardian_index: int | None = None  # position in IntakeData.guardians
    child_assent: str = ChildAssent.NOT_APPLICABLE


@dataclass
class IntakeData:
    """Everything a desk officer records at intake."""

    # The survivor: an existing one (returning), or a new identity.
    existing_survivor: Survivor | None
    identity: SurvivorIdentity
    sex: str
    age_years: int | None
    age_estimated: bool
    may_call: bool
    may_text: bool
    call_window: str
    guardians: list[GuardianInput]
    # The incident.
    source: str
    source_detail: str
    arrival_at: datetime
    incident_time_kind: str
    incident_at: datetime | None
    incident_earliest: datetime | None
    incident_latest: datetime | None
    place_type: str
    district: str
    answers: rules.GbvAnswers
    transactional: bool
    held_captive: bool
    harmful_practice: bool
    perpetrators: list[PerpetratorInput]
    offence_codes: list[str]
    disabilities: list[str]
    reported_elsewhere: bool
    reported_elsewhere_to: str
    choice_medical: str
    choice_evidence: str
    choice_police: str
    risk_immediate_danger: bool
    risk_self_harm: bool
    risk_perpetrator_in_household: bool
    consents: list[ConsentInput] = field(default_factory=list)


# Fields of a case that a version snapshot records (never identity).
SNAPSHOT_FIELDS = [
    "source", "source_detail", "arrival_at", "incident_time_kind", "incident_at", "incident_earliest",
    "incident_latest", "place_type", "district", "penetration", "sexual_contact", "physical_assault",
    "forced_marriage", "denial_of_resources", "psychological_abuse", "transactional", "held_captive",
    "harmful_practice", "gbv_type", "contexts", "disabilities", "reported_elsewhere",
    "reported_elsewhere_to", "choice_medical", "choice_evidence", "choice_police",
    "risk_immediate_danger", "risk_self_harm", "risk_perpetrator_in_household",
    "child_protection_flag", "status",
]  # fmt: skip
EDITABLE_FIELDS = [f for f in SNAPSHOT_FIELDS if f not in {"gbv_type", "contexts", "child_protection_flag", "status"}]


def _require(actor: User, cell: Cell, section: Section, action: Action) -> None:
    if not allows_in_cell(actor, cell, section, action):
        raise PermissionDenied


def _validate_times(data: IntakeData) -> None:
    errors: dict[str, str] = {}
    now = timezone.now()
    if data.arrival_at > now + timedelta(minutes=5):
        errors["arrival_at"] = _("The arrival time is in the future.")
    if data.incident_time_kind == IncidentTimeKind.EXACT:
        if data.incident_at is None:
            errors["incident_at"] = _("Enter the incident time, or choose approximate or unknown.")
        elif data.incident_at > data.arrival_at:
            errors["incident_at"] = _("The incident cannot be after her arrival.")
    elif data.incident_time_kind == IncidentTimeKind.APPROXIMATE:
        if data.incident_earliest is None or data.incident_latest is None:
            errors["incident_earliest"] = _("Enter the earliest and latest possible times.")
        elif data.incident_earliest > data.incident_latest:
            errors["incident_latest"] = _("The latest time must come after the earliest.")
        elif data.incident_latest > data.arrival_at:
            errors["incident_latest"] = _("The incident cannot be after her arrival.")
    if errors:
        raise ValidationError(errors)


def _snapshot(case: Case, offence_codes: Iterable[str] | None = None) -> dict[str, Any]:
    """The case's recorded fields; ``offence_codes`` spares a query when the caller just wrote them."""
    values: dict[str, Any] = {}
    for name in SNAPSHOT_FIELDS:
        value = getattr(case, name)
        values[name] = value.isoformat() if isinstance(value, datetime) else value
    codes_ = case.offences.values_list("code", flat=True) if offence_codes is None else offence_codes
    values["offences"] = sorted(codes_)
    return values


def _record_version(case: Case, actor: User, offence_codes: Iterable[str] | None = None) -> None:
    RecordVersion.objects.create(
        case=case,
        version=case.version,
        snapshot=_snapshot(case, offence_codes),
        changed_by=actor,
        changed_at=timezone.now(),
    )


def _flag_child_protection(case: Case, actor: User, reason: str) -> None:
    if not case.child_protection_flag:
        Case.objects.filter(pk=case.pk).update(child_protection_flag=True)
        case.child_protection_flag = True
    if not Task.objects.filter(case=case, kind=TaskKind.CHILD_PROTECTION, status=TaskStatus.OPEN).exists():
        Task.objects.create(case=case, kind=TaskKind.CHILD_PROTECTION, reason=reason)
    audit_record(
        action="case.child_protection_flagged",
        actor=actor,
        cell=case.cell,
        object_type="case",
        object_ref=case.code,
    )


@transaction.atomic
def case_register(*, actor: User, cell: Cell, data: IntakeData, draft: IntakeDraft | None = None) -> Case:
    """Register a new case (and a new survivor unless a returning one is linked).

    Needs identity and case edit rights in the cell. Audits ``case.registered``,
    ``survivor.created`` or ``survivor.linked``, ``consent.recorded`` per decision,
    and ``case.child_protection_flagged`` when a guardian is an alleged perpetrator.
    """
    _require(actor, cell, Section.CASE, Action.EDIT)
    _require(actor, cell, Section.IDENTITY, Action.EDIT)
    _validate_times(data)
    for consent in data.consents:
        index = consent.guardian_index
        if index is not None and data.guardians[index].is_alleged_perpetrator:
            raise ValidationError({"consents": _("A guardian who is an alleged perpetrator cannot consent.")})
    now = timezone.now()
    if data.existing_survivor is not None:
        survivor = data.existing_survivor
        _require(actor, survivor.cell, Section.IDENTITY, Action.VIEW)
        audit_record(
            action="survivor.linked",
            actor=actor,
            cell=cell,
            object_type="survivor",
            object_ref=str(survivor.pk),
        )
    else:
        survivor = vault_services.survivor_create(
            actor=actor,
            cell=cell,
            identity=data.identity,
            sex=data.sex,
            age_years=data.age_years,
            age_estimated=data.age_estimated,
            registered_at=now,
            may_call=data.may_call,
            may_text=data.may_text,
            call_window=data.call_window,
        )
    guardians = [
        vault_services.guardian_add(
            actor=actor,
            survivor=survivor,
            identity=g.identity,
            relationship=g.relationship,
            identity_checked=g.identity_checked,
            is_alleged_perpetrator=g.is_alleged_perpetrator,
        )
        for g in data.guardians
    ]
    gbv = rules.gbv_type(data.answers)
    age = data.age_years if data.existing_survivor is None else survivor.age_years
    sex = data.sex if data.existing_survivor is None else survivor.sex
    case = Case(
        cell=cell,
        code=codes.next_case_code(cell, timezone.localtime(data.arrival_at).year),
        reference=codes.new_reference(),
        survivor=survivor,
        registered_by=actor,
        source=data.source,
        source_detail=data.source_detail,
        arrival_at=data.arrival_at,
        incident_time_kind=data.incident_time_kind,
        incident_at=data.incident_at if data.incident_time_kind == IncidentTimeKind.EXACT else None,
        incident_earliest=data.incident_earliest if data.incident_time_kind == IncidentTimeKind.APPROXIMATE else None,
        incident_latest=data.incident_latest if data.incident_time_kind == IncidentTimeKind.APPROXIMATE else None,
        place_type=data.place_type,
        district=data.district,
        **asdict(data.answers),
        transactional=data.transactional,
        held_captive=data.held_captive,
        harmful_practice=data.harmful_practice,
        gbv_type=gbv,
        contexts=rules.case_contexts(
            gbv=gbv,
            age_years=age,
            relationships=[p.relationship for p in data.perpetrators],
            transactional=data.transactional,
            held_captive=data.held_captive,
            harmful_practice=data.harmful_practice,
        ),
        survivor_sex=sex,
        survivor_age_years=age,
        disabilities=sorted(set(data.disabilities)),
        reported_elsewhere=data.reported_elsewhere,
        reported_elsewhere_to=data.reported_elsewhere_to,
        choice_medical=data.choice_medical,
        choice_evidence=data.choice_evidence,
        choice_police=data.choice_police,
        risk_immediate_danger=data.risk_immediate_danger,
        risk_self_harm=data.risk_self_harm,
        risk_perpetrator_in_household=data.risk_perpetrator_in_household,
    )
    # No uniqueness queries: the code comes from the counter locked above, the id and the
    # reference are random, and the database's unique constraints stand behind all three.
    case.full_clean(exclude=["survivor", "registered_by", "cell"], validate_unique=False)
    case.save(force_insert=True)
    offences = list(Offence.objects.filter(code__in=data.offence_codes))
    if len(offences) != len(set(data.offence_codes)):
        raise ValidationError({"offences": _("Unknown offence.")})
    # A new case has no offences yet: insert the links at once (``set`` would read them first).
    links = Case.offences.through
    links.objects.bulk_create([links(case=case, offence=offence) for offence in offences])
    for p in data.perpetrators:
        identity = (
            vault_services.vault_write(kind=VaultRecord.Kind.PERPETRATOR, payload={"identifiers": p.identifiers})
            if p.identifiers.strip()
            else None
        )
        Perpetrator.objects.create(
            case=case,
            count=p.count,
            sex=p.sex,
            age_group=p.age_group,
            relationship=p.relationship,
            identity=identity,
        )
    duties_create(case)
    # Duty roster: offer the new case to the staff on duty when she arrived, not to the desk officer registering it.
    on_duty = [user_id for user_id in on_duty_user_ids(cell, data.arrival_at) if user_id != actor.pk]
    alert_new_case(case=case, user_ids=on_duty, now=now)
    audit_record(
        action="case.registered",
        actor=actor,
        cell=cell,
        object_type="case",
        object_ref=case.code,
        details={
            "source": data.source,
            "gbv_type": gbv,
            "returning": data.existing_survivor is not None,
        },
    )
    if case.is_child and any(g.is_alleged_perpetrator for g in guardians):
        _flag_child_protection(case, actor, "guardian_alleged_perpetrator")
    for consent in data.consents:
        guardian = guardians[consent.guardian_index] if consent.guardian_index is not None else None
        _consent_record(
            actor=actor,
            case=case,
            purpose=consent.purpose,
            decision=consent.decision,
            given_by=consent.given_by,
            guardian=guardian,
            child_assent=consent.child_assent,
            method=consent.method,
            savepoint=False,  # case_register's own transaction holds it
        )
    _record_version(case, actor, [offence.code for offence in offences])
    if draft is not None:
        draft_discard(actor=actor, draft=draft, registered_case=case)
    return case


def consent_record(
    *,
    actor: User,
    case: Case,
    purpose: str,
    decision: str,
    given_by: str,
    method: str,
    guardian: Guardian | None = None,
    child_assent: str = ChildAssent.NOT_APPLICABLE,
    witness: User | None = None,
) -> Consent:
    """Add a consent decision to the ledger. Audits ``consent.recorded``.

    Refuses a consent the rules do not accept (and says why). A guardian who is an
    alleged perpetrator cannot consent: the case is flagged for child protection.
    A verbal consent records the staff member present as its witness.
    """
    return _consent_record(
        actor=actor,
        case=case,
        purpose=purpose,
        decision=decision,
        given_by=given_by,
        method=method,
        guardian=guardian,
        child_assent=child_assent,
        witness=witness,
        savepoint=True,
    )


def _consent_record(
    *,
    actor: User,
    case: Case,
    purpose: str,
    decision: str,
    given_by: str,
    method: str,
    guardian: Guardian | None,
    child_assent: str,
    savepoint: bool,
    witness: User | None = None,
) -> Consent:
    """``consent_record``; ``savepoint=False`` when the caller's transaction already holds the write."""
    _require(actor, case.cell, Section.CASE, Action.EDIT)
    if given_by == ConsentGiver.GUARDIAN and (guardian is None or guardian.survivor_id != case.survivor_id):
        raise ValidationError({"guardian": _("Choose which guardian gave it.")})
    if guardian is not None and guardian.is_alleged_perpetrator:
        # The refusal is final, but the flag and the task must outlive it.
        with transaction.atomic():
            _flag_child_protection(case, actor, "guardian_alleged_perpetrator")
            audit_record(
                action="consent.refused_by_rules",
                actor=actor,
                cell=case.cell,
                object_type="case",
                object_ref=case.code,
                details={"purpose": purpose},
            )
    try:
        rules.check_consent_giver(
            age_years=case.survivor_age_years,
            given_by=given_by,
            guardian_is_alleged_perpetrator=bool(guardian and guardian.is_alleged_perpetrator),
            child_assent=child_assent,
            decision=decision,
        )
    except rules.ConsentNotValid as error:
        raise ValidationError(str(error)) from error
    with transaction.atomic(savepoint=savepoint):
        consent = Consent.objects.create(
            case=case,
            purpose=purpose,
            decision=decision,
            given_by=given_by,
            guardian=guardian,
            child_assent=child_assent if case.is_child else ChildAssent.NOT_APPLICABLE,
            method=method,
            witness=witness or (actor if method == "verbal" else None),
            recorded_by=actor,
            recorded_at=timezone.now(),
        )
        audit_record(
            action="consent.recorded",
            actor=actor,
            cell=case.cell,
            object_type="case",
            object_ref=case.code,
            details={"purpose": purpose, "decision": decision, "given_by": given_by},
        )
        return consent


def consent_revoke(*, actor: User, consent: Consent) -> Consent:
    """Record that a consent was withdrawn, from now on. Audits ``consent.revoked``."""
    with transaction.atomic():
        _require(actor, consent.case.cell, Section.CASE, Action.EDIT)
        updated = Consent.objects.filter(pk=consent.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by=actor, version=F("version") + 1
        )
        if not updated:
            raise ValidationError(_("This consent was already withdrawn."))
        consent.refresh_from_db()
        audit_record(
            action="consent.revoked",
            actor=actor,
            cell=consent.case.cell,
            object_type="case",
            object_ref=consent.case.code,
            details={"purpose": consent.purpose},
        )
        return consent


def consent_in_force(case: Case, purpose: str) -> Consent | None:
    """The latest decision for ``purpose`` if it is a consent not withdrawn; else None."""
    return consent_in_force_among(Consent.objects.filter(case=case, purpose=purpose), purpose)


def consent_in_force_among(ledger: Iterable[Consent], purpose: str) -> Consent | None:
    """``consent_in_force`` over a case's ledger already read (the case page holds it)."""
    decisions = [c for c in ledger if c.purpose == purpose]
    latest = max(decisions, key=lambda c: (c.recorded_at, c.created_at), default=None)
    if latest is None or latest.decision != ConsentDecision.GIVEN or latest.revoked_at is not None:
        return None
    return latest


def require_consent(case: Case, purpose: str) -> Consent:
    """For other services: the consent in force, or ``ConsentRequired`` naming the purpose."""
    consent = consent_in_force(case, purpose)
    if consent is None:
        raise ConsentRequired(purpose)
    return consent


@transaction.atomic
def case_update(*, actor: User, case: Case, expected_version: int, changes: dict[str, Any]) -> Case:
    """Change a case's recorded facts. Refuses a stale version (``VersionConflict``).

    Re-derives the GBVIMS type and contexts. Audits ``case.updated`` with the
    names of the changed fields and stores a version snapshot.
    """
    _require(actor, case.cell, Section.CASE, Action.EDIT)
    unknown = set(changes) - set(EDITABLE_FIELDS) - {"offences"}
    if unknown:
        raise ValidationError(_("These fields cannot be changed here: %(f)s") % {"f": ", ".join(sorted(unknown))})
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if locked.version != expected_version:
        raise VersionConflict(locked)
    before = _snapshot(locked)
    offence_codes = changes.pop("offences", None)
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.gbv_type = rules.gbv_type(
        rules.GbvAnswers(
            penetration=locked.penetration,
            sexual_contact=locked.sexual_contact,
            physical_assault=locked.physical_assault,
            forced_marriage=locked.forced_marriage,
            denial_of_resources=locked.denial_of_resources,
            psychological_abuse=locked.psychological_abuse,
        )
    )
    locked.contexts = rules.case_contexts(
        gbv=locked.gbv_type,
        age_years=locked.survivor_age_years,
        relationships=locked.perpetrators.values_list("relationship", flat=True),
        transactional=locked.transactional,
        held_captive=locked.held_captive,
        harmful_practice=locked.harmful_practice,
    )
    locked.version += 1
    locked.full_clean(exclude=["survivor", "registered_by", "cell"])
    locked.save()
    if offence_codes is not None:
        locked.offences.set(Offence.objects.filter(code__in=offence_codes))
    after = _snapshot(locked)
    changed = sorted(k for k in after if before.get(k) != after[k])
    _record_version(locked, actor)
    audit_record(
        action="case.updated",
        actor=actor,
        cell=locked.cell,
        object_type="case",
        object_ref=locked.code,
        details={"fields": changed, "version": locked.version},
    )
    return locked


CLOSE_REASONS = ("services_completed", "survivor_withdrew", "lost_to_follow_up", "transferred", "duplicate")


def case_close(*, actor: User, case: Case, reason: str) -> Case:
    """Close a case for one of ``CLOSE_REASONS``. Audits ``case.closed`` (the reason code only)."""
    if reason not in CLOSE_REASONS:
        raise ValidationError(_("Choose why the case is closed."))
    with transaction.atomic():
        _require(actor, case.cell, Section.CASE, Action.EDIT)
        updated = Case.objects.filter(pk=case.pk, status=CaseStatus.OPEN).update(
            status=CaseStatus.CLOSED, version=F("version") + 1, updated_at=timezone.now()
        )
        if not updated:
            raise ValidationError(_("This case is already closed."))
        case.refresh_from_db()
        _record_version(case, actor)
        audit_record(
            action="case.closed",
            actor=actor,
            cell=case.cell,
            object_type="case",
            object_ref=case.code,
            details={"reason": reason},
        )
        return case


def draft_save(*, actor: User, cell: Cell, answers: dict[str, Any], draft: IntakeDraft | None = None) -> IntakeDraft:
    """Keep an unfinished intake, encrypted. Audits ``intake.draft_saved``."""
    with transaction.atomic():
        _require(actor, cell, Section.IDENTITY, Action.EDIT)
        if draft is None:
            record = vault_services.vault_write(kind=VaultRecord.Kind.DRAFT, payload=answers)
            draft = IntakeDraft.objects.create(cell=cell, created_by=actor, data=record)
        else:
            vault_services.vault_write(kind=VaultRecord.Kind.DRAFT, payload=answers, record=draft.data)
            IntakeDraft.objects.filter(pk=draft.pk).update(version=F("version") + 1, updated_at=timezone.now())
        audit_record(
            action="intake.draft_saved",
            actor=actor,
            cell=cell,
            object_type="draft",
            object_ref=str(draft.pk),
        )
        return draft


def draft_discard(*, actor: User, draft: IntakeDraft, registered_case: Case | None = None) -> None:
    """Drop a draft and wipe its answers. Audits ``intake.draft_discarded``."""
    with transaction.atomic():
        _require(actor, draft.cell, Section.IDENTITY, Action.EDIT)
        record = draft.data
        draft_id = str(draft.pk)
        IntakeDraft.objects.filter(pk=draft.pk).delete()
        record.delete()
        audit_record(
            action="intake.draft_discarded",
            actor=actor,
            cell=draft.cell,
            object_type="draft",
            object_ref=draft_id,
            details={"registered": registered_case.code if registered_case else ""},
        )
