"""Every write to the medico-legal examination record (CrPC 164A, ARITA s.13).

Each function checks the access policy itself, runs in one transaction and writes its
audit event (``medical.*``, object type ``medical`` with the case code, so the team's
timeline on the case page does not list them) in that transaction.

Who may call what:

* starting an examination: staff with the medical edit right in the case's cell (a
  medico-legal officer). The examiner is a medico-legal officer of that cell and, for a
  female survivor, a woman (CrPC 164A and ARITA: a female medico-legal officer examines
  a female survivor). Her consent to the examination must be on the consent ledger;
* writing the record, signing it and adding addenda: the examiner herself;
* issuing the certificate: the medical export right (``certificate_issue``).

Consent is read per component from the ledger: the examination itself (``examination``),
photographs of injuries (``photographs``), samples (``evidence``) and treatment
(``treatment``). Each service refuses to act without the consent it needs and says which
(``ConsentRequired``).

Signing seals the record: its canonical content is hashed (``seal_sha256``, also in the
audit event), and every write service refuses a signed record. Afterwards only signed,
timestamped addenda are added. Signing completes the examination duty on the board.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crisiscell.access.policy import Action, Role, Section
from crisiscell.access.scoping import allows_in_cell
from crisiscell.accounts.models import Gender, Membership, User
from crisiscell.audit.services import audit_record
from crisiscell.cases.duties import clock_resolve, task_close
from crisiscell.cases.models import Case, CaseStatus, ClockState, Consent, ConsentPurpose, Task, TaskKind, TaskStatus
from crisiscell.cases.services import ConsentRequired, consent_in_force, require_consent
from crisiscell.documents import storage
from crisiscell.documents.models import Disclosure, RecipientKind
from crisiscell.documents.services import disclosure_record
from crisiscell.evidence.models import EvidenceItem, EvidenceKind
from crisiscell.medical.findings import check_findings, check_text
from crisiscell.medical.models import (
    TREATMENT_CLOCK,
    Addendum,
    BodyView,
    ExamStatus,
    GeneralCondition,
    InjuryAge,
    InjuryKind,
    MedicoLegalExamination,
    MentalState,
    OpinionItem,
    Treatment,
    TreatmentKind,
)
from crisiscell.medical.models import Injury as InjuryRow
from crisiscell.survivors.services import vault_read, vault_write

VAULT_KIND = "medical"
NARRATIVE_KEYS = (
    "escort_name",
    "escort_relationship",
    "escort_address",
    "history",
    "physical_state",
    "mental_state_notes",
    "other_particulars",
    "anogenital_description",
)
# Text the examiner writes is checked for forbidden terms; her history is her own words.
EXAMINER_TEXT = ("physical_state", "mental_state_notes", "other_particulars", "anogenital_description")
LONG_MAX = 10000
SHORT_MAX = 300
MAX_DURATION = timedelta(hours=12)
MIN_REASONS = 10
# The treatments every examination answers (given, or not given with the reason).
REQUIRED_TREATMENTS = (
    TreatmentKind.EC,
    TreatmentKind.PEP,
    TreatmentKind.STI,
    TreatmentKind.HEP_B,
    TreatmentKind.TETANUS,
)
# Copies of the certificate that carry her identity, and the escort's: CrPC 164A sends
# the report, with the name and address of the woman and of the person who brought her,
# to the investigating officer; the court has it through him; she may have her own.
IDENTITY_RECIPIENTS = frozenset({RecipientKind.POLICE, RecipientKind.COURT, RecipientKind.SURVIVOR})
CERTIFICATE_RECIPIENTS = (
    RecipientKind.POLICE,
    RecipientKind.COURT,
    RecipientKind.SURVIVOR,
    RecipientKind.LAWYER,
    RecipientKind.OTHER_AGENCY,
    RecipientKind.FILE,
)
# The consent on the ledger that allows a copy to each recipient (else an order or request).
RECIPIENT_CONSENT: dict[str, str] = {
    RecipientKind.POLICE: ConsentPurpose.RELEASE_POLICE,
    RecipientKind.LAWYER: ConsentPurpose.SHARING,
    RecipientKind.OTHER_AGENCY: ConsentPurpose.SHARING,
}


def _require_cell(actor: User, case: Case, action: Action = Action.EDIT) -> None:
    if not allows_in_cell(actor, case.cell, Section.MEDICAL, action):
        raise PermissionDenied


def _require_examiner(actor: User, examination: MedicoLegalExamination) -> None:
    _require_cell(actor, examination.case)
    if examination.examiner_id != actor.pk:
        raise PermissionDenied(_("Only the examiner writes and signs her record."))


def _require_draft(examination: MedicoLegalExamination) -> None:
    if examination.status != ExamStatus.DRAFT:
        raise ValidationError(_("This examination is signed and sealed: nothing in it can change. Add an addendum."))


def _audit(action: str, actor: User, case: Case, **details: Any) -> None:
    audit_record(
        action=action,
        actor=actor,
        cell=case.cell,
        object_type="medical",
        object_ref=case.code,
        details=details or None,
    )


def _text(value: str, name: str, max_length: int, *, examiner: bool = True) -> str:
    value = (value or "").strip()
    if len(value) > max_length:
        raise ValidationError({name: _("Keep it under %(n)d characters.") % {"n": max_length}})
    if examiner:
        check_text(value, name)
    return value


def _lock(examination: MedicoLegalExamination) -> MedicoLegalExamination:
    return (
        MedicoLegalExamination.objects.select_for_update(of=("self",))
        .select_related("case", "case__cell", "narrative")
        .get(pk=examination.pk)
    )


def _bump(examination: MedicoLegalExamination) -> None:
    examination.version += 1
    examination.save()


def is_medico_legal_officer(user: User, case: Case) -> bool:
    return Membership.objects.filter(
        user=user, cell=case.cell, role=Role.MEDICO_LEGAL_OFFICER, is_active=True, user__is_active=True
    ).exists()


def check_examiner(case: Case, examiner: User) -> None:
    """A medico-legal officer of the case's cell; a woman when the survivor is female."""
    if not is_medico_legal_officer(examiner, case):
        raise ValidationError({"examiner": _("The examiner must be a medico-legal officer of this cell.")})
    if case.survivor_sex == "female" and examiner.gender != Gender.FEMALE:
        if not examiner.gender:
            raise ValidationError(
                {"examiner": _("This officer's gender is not recorded. A female survivor is examined by a woman.")}
            )
        raise ValidationError(
            {"examiner": _("A female survivor is examined by a female medico-legal officer (CrPC 164A, ARITA).")}
        )


def narrative_of(examination: MedicoLegalExamination) -> dict[str, str]:
    """The decrypted narrative (callers audit the read)."""
    if examination.narrative is None:
        return dict.fromkeys(NARRATIVE_KEYS, "")
    stored = vault_read(examination.narrative)
    return {key: str(stored.get(key, "")) for key in NARRATIVE_KEYS}


def _write_narrative(examination: MedicoLegalExamination, values: dict[str, str]) -> None:
    examination.narrative = vault_write(kind=VAULT_KIND, payload=values, record=examination.narrative)


def _check_time(value: datetime | None, case: Case, name: str) -> None:
    if value is None:
        return
    if value > timezone.now() + timedelta(minutes=5):
        raise ValidationError({name: _("This time is in the future.")})
    if value < case.arrival_at - timedelta(minutes=5):
        raise ValidationError({name: _("This is before she arrived.")})


@transaction.atomic
def examination_start(
    *, actor: User, case: Case, examiner: User | None = None, started_at: datetime | None = None
) -> MedicoLegalExamination:
    """Open the examination record. Audits ``medical.examination_started``.

    Refuses a closed case, a second open record, an examiner who is not a (female, for
    a female survivor) medico-legal officer of the cell, and a case without her consent
    to the examination on the ledger.
    """
    _require_cell(actor, case)
    if case.status != CaseStatus.OPEN:
        raise ValidationError(_("This case is closed."))
    examiner = examiner or actor
    check_examiner(case, examiner)
    require_consent(case, ConsentPurpose.EXAMINATION)
    if MedicoLegalExamination.objects.filter(case=case, status=ExamStatus.DRAFT).exists():
        raise ValidationError(_("An examination of this case is already being written."))
    started_at = started_at or timezone.now()
    _check_time(started_at, case, "started_at")
    examination = MedicoLegalExamination.objects.create(case=case, examiner=examiner, started_at=started_at)
    _audit("medical.examination_started", actor, case, examination=str(examination.pk), examiner=examiner.username)
    return examination


@dataclass
class RecordInput:
    """The parts of the record written in one form (times, escort, history, state)."""

    started_at: datetime | None = None
    finished_at: datetime | None = None
    came_alone: bool = False
    escort_name: str = ""
    escort_relationship: str = ""
    escort_address: str = ""
    history: str = ""
    general_condition: str = ""
    physical_state: str = ""
    mental_state: str = ""
    mental_state_notes: str = ""
    other_particulars: str = ""
    no_injuries_seen: bool = False
    no_samples_reason: str = ""


@transaction.atomic
def record_save(
    *, actor: User, examination: MedicoLegalExamination, values: RecordInput, expected_version: int | None = None
) -> MedicoLegalExamination:
    """Write the times, the escort, her history and her state. Audits ``medical.record_saved``.

    The escort and every free text are encrypted in the vault. A stale version is refused.
    """
    locked = _lock(examination)
    _require_examiner(actor, locked)
    _require_draft(locked)
    if expected_version is not None and expected_version != locked.version:
        raise ValidationError(_("Someone saved this examination after you opened it. Reload it and try again."))
    case = locked.case
    _check_time(values.started_at, case, "started_at")
    _check_time(values.finished_at, case, "finished_at")
    if values.started_at and values.finished_at:
        if values.finished_at <= values.started_at:
            raise ValidationError({"finished_at": _("The examination finishes after it starts.")})
        if values.finished_at - values.started_at > MAX_DURATION:
            raise ValidationError({"finished_at": _("An examination lasts at most 12 hours.")})
    if values.finished_at and not values.started_at:
        raise ValidationError({"started_at": _("Enter when it started.")})
    if values.general_condition and values.general_condition not in GeneralCondition.values:
        raise ValidationError({"general_condition": _("Choose her general condition.")})
    if values.mental_state and values.mental_state not in MentalState.values:
        raise ValidationError({"mental_state": _("Choose her mental state.")})
    if values.came_alone and any((values.escort_name.strip(), values.escort_address.strip())):
        raise ValidationError({"came_alone": _("She came alone, or with an escort: not both.")})
    narrative = narrative_of(locked)
    narrative.update(
        escort_name=_text(values.escort_name, "escort_name", 200, examiner=False),
        escort_relationship=_text(values.escort_relationship, "escort_relationship", 100, examiner=False),
        escort_address=_text(values.escort_address, "escort_address", SHORT_MAX, examiner=False),
        history=_text(values.history, "history", LONG_MAX, examiner=False),
        physical_state=_text(values.physical_state, "physical_state", LONG_MAX),
        mental_state_notes=_text(values.mental_state_notes, "mental_state_notes", LONG_MAX),
        other_particulars=_text(values.other_particulars, "other_particulars", LONG_MAX),
    )
    _write_narrative(locked, narrative)
    before = (locked.started_at, locked.finished_at, locked.general_condition, locked.mental_state)
    locked.started_at = values.started_at
    locked.finished_at = values.finished_at
    locked.came_alone = values.came_alone
    locked.general_condition = values.general_condition
    locked.mental_state = values.mental_state
    locked.no_injuries_seen = values.no_injuries_seen
    locked.no_samples_reason = _text(values.no_samples_reason, "no_samples_reason", SHORT_MAX)
    _bump(locked)
    changed_times = before[:2] != (locked.started_at, locked.finished_at)
    _audit("medical.record_saved", actor, case, examination=str(locked.pk), times_changed=changed_times)
    return locked


@transaction.atomic
def findings_save(
    *, actor: User, examination: MedicoLegalExamination, findings: dict[str, Any], description: str = ""
) -> MedicoLegalExamination:
    """The structured ano-genital findings and their description. Audits ``medical.findings_saved``.

    Refuses (``ForbiddenFinding``, citing ARITA s.13 and the LHC judgment) any key or
    term about the hymen, "habituation" or a finger test, at any depth.
    """
    locked = _lock(examination)
    _require_examiner(actor, locked)
    _require_draft(locked)
    cleaned = check_findings(findings)
    narrative = narrative_of(locked)
    narrative["anogenital_description"] = _text(description, "anogenital_description", LONG_MAX)
    _write_narrative(locked, narrative)
    locked.anogenital_findings = cleaned
    _bump(locked)
    _audit("medical.findings_saved", actor, locked.case, examination=str(locked.pk), sites=sorted(cleaned))
    return locked


def _photographs(case: Case, photographs: list[EvidenceItem]) -> list[EvidenceItem]:
    for item in photographs:
        if item.case_id != case.pk or item.kind != EvidenceKind.PHOTOGRAPH:
            raise ValidationError({"photographs": _("Link only photographs taken on this case.")})
    if photographs:
        require_consent(case, ConsentPurpose.PHOTOGRAPHS)
    return photographs


@dataclass
class InjuryInput:
    view: str
    x: float
    y: float
    site: str
    kind: str
    estimated_age: str
    length_mm: int | None = None
    width_mm: int | None = None
    colour: str = ""
    description: str = ""


@transaction.atomic
def injury_add(
    *,
    actor: User,
    examination: MedicoLegalExamination,
    injury: InjuryInput,
    photographs: list[EvidenceItem] | None = None,
) -> InjuryRow:
    """Mark an injury on a body diagram (x, y in percent). Audits ``medical.injury_added``.

    Linked photographs must be photograph items of this case, and need her consent to photographs.
    """
    locked = _lock(examination)
    _require_examiner(actor, locked)
    _require_draft(locked)
    if injury.view not in BodyView.values:
        raise ValidationError({"view": _("Choose the diagram.")})
    if injury.kind not in InjuryKind.values:
        raise ValidationError({"kind": _("Choose the type of injury.")})
    if injury.estimated_age not in InjuryAge.values:
        raise ValidationError({"estimated_age": _("Choose its estimated age.")})
    for name, value in (("x", injury.x), ("y", injury.y)):
        if not 0 <= float(value) <= 100:
            raise ValidationError({name: _("Place the mark on the diagram (0 to 100).")})
    for name, size in (("length_mm", injury.length_mm), ("width_mm", injury.width_mm)):
        if size is not None and not 0 < size <= 2000:
            raise ValidationError({name: _("Give the size in millimetres (1 to 2000).")})
    site = _text(injury.site, "site", 120)
    if not site:
        raise ValidationError({"site": _("Name the site of the injury.")})
    linked = _photographs(locked.case, list(photographs or []))
    row = InjuryRow.objects.create(
        examination=locked,
        view=injury.view,
        x=round(float(injury.x), 2),
        y=round(float(injury.y), 2),
        site=site,
        kind=injury.kind,
        length_mm=injury.length_mm,
        width_mm=injury.width_mm,
        colour=_text(injury.colour, "colour", 60),
        estimated_age=injury.estimated_age,
        description=_text(injury.description, "description", SHORT_MAX),
    )
    if linked:
        row.photographs.set(linked)
    if locked.no_injuries_seen:
        locked.no_injuries_seen = False
    _bump(locked)
    _audit(
        "medical.injury_added",
        actor,
        locked.case,
        examination=str(locked.pk),
        injury=str(row.pk),
        view=injury.view,
        photographs=len(linked),
    )
    return row


@transaction.atomic
def injury_remove(*, actor: User, injury: InjuryRow) -> None:
    """Remove an injury marked by mistake, before signing. Audits ``medical.injury_removed``."""
    locked = _lock(injury.examination)
    _require_examiner(actor, locked)
    _require_draft(locked)
    injury.photographs.clear()
    InjuryRow.objects.filter(pk=injury.pk, examination=locked).delete()
    _bump(locked)
    _audit("medical.injury_removed", actor, locked.case, examination=str(locked.pk), injury=str(injury.pk))


@transaction.atomic
def sample_link(*, actor: User, examination: MedicoLegalExamination, item: EvidenceItem) -> EvidenceItem:
    """Record that a sample of this case was taken in this examination. Needs her consent to evidence.

    The item itself (its label, seal and custody) belongs to ``crisiscell.evidence``;
    only the link is written here. Audits ``medical.sample_linked``.
    """
    locked = _lock(examination)
    _require_examiner(actor, locked)
    _require_draft(locked)
    if item.case_id != locked.case_id or item.kind == EvidenceKind.PHOTOGRAPH:
        raise ValidationError({"item": _("Link a sample collected on this case.")})
    if item.examination_id not in (None, locked.pk):
        raise ValidationError({"item": _("This sample belongs to another examination.")})
    require_consent(locked.case, ConsentPurpose.EVIDENCE)
    EvidenceItem.objects.filter(pk=item.pk).update(examination=locked)
    item.examination = locked
    _bump(locked)
    _audit("medical.sample_linked", actor, locked.case, examination=str(locked.pk), item=item.human_id)
    return item


@transaction.atomic
def sample_unlink(*, actor: User, examination: MedicoLegalExamination, item: EvidenceItem) -> None:
    """Undo a link made by mistake, before signing. Audits ``medical.sample_unlinked``."""
    locked = _lock(examination)
    _require_examiner(actor, locked)
    _require_draft(locked)
    if not EvidenceItem.objects.filter(pk=item.pk, examination=locked).update(examination=None):
        raise ValidationError({"item": _("This sample is not linked to this examination.")})
    _bump(locked)
    _audit("medical.sample_unlinked", actor, locked.case, examination=str(locked.pk), item=item.human_id)


@transaction.atomic
def treatment_record(
    *,
    actor: User,
    examination: MedicoLegalExamination,
    kind: str,
    given: bool,
    at: datetime | None = None,
    details: str = "",
    declined_reason: str = "",
) -> Treatment:
    """A treatment given (with its time) or not given (with why). Audits ``medical.treatment_recorded``.

    Giving treatment needs her consent to treatment. Emergency contraception, PEP and
    hepatitis B stop their clocks on the board (``clock_resolve``: met at the time given,
    or declined), so the board reads them as met, or missed if given after the window.
    """
    locked = _lock(examination)
    _require_examiner(actor, locked)
    _require_draft(locked)
    case = locked.case
    if kind not in TreatmentKind.values:
        raise ValidationError({"kind": _("Choose the treatment.")})
    if kind == TreatmentKind.EC and case.survivor_sex == "male":
        raise ValidationError({"kind": _("Emergency contraception does not apply to a male survivor.")})
    if Treatment.objects.filter(examination=locked, kind=kind).exists() and kind != TreatmentKind.OTHER:
        raise ValidationError({"kind": _("This treatment is already recorded.")})
    details = _text(details, "details", 200)
    declined_reason = _text(declined_reason, "declined_reason", 200)
    if given:
        if at is None:
            raise ValidationError({"at": _("Enter when it was given.")})
        _check_time(at, case, "at")
        require_consent(case, ConsentPurpose.TREATMENT)
        declined_reason = ""
    else:
        if not declined_reason:
            raise ValidationError({"declined_reason": _("Say why it was not given.")})
        at = None
    treatment = Treatment.objects.create(
        examination=locked, kind=kind, given=given, at=at, details=details, declined_reason=declined_reason
    )
    clock = TREATMENT_CLOCK.get(TreatmentKind(kind))
    if clock is not None:
        clock_resolve(
            actor=actor,
            case=case,
            clock_key=clock,
            state=ClockState.MET if given else ClockState.DECLINED,
            done_at=at,
            note="" if given else declined_reason,
        )
    _bump(locked)
    _audit("medical.treatment_recorded", actor, case, examination=str(locked.pk), treatment=kind, given=given)
    return treatment


@transaction.atomic
def opinion_add(*, actor: User, examination: MedicoLegalExamination, conclusion: str, reasons: str) -> OpinionItem:
    """One conclusion of the examiner with its reasons; a conclusion without reasons is refused.

    Audits ``medical.opinion_added``.
    """
    locked = _lock(examination)
    _require_examiner(actor, locked)
    _require_draft(locked)
    conclusion = _text(conclusion, "conclusion", 500)
    reasons = _text(reasons, "reasons", LONG_MAX)
    if not conclusion:
        raise ValidationError({"conclusion": _("Write the conclusion.")})
    if len(reasons) < MIN_REASONS:
        raise ValidationError(
            {"reasons": _("Give the reasons for this conclusion: a conclusion without reasons is refused.")}
        )
    order = OpinionItem.objects.filter(examination=locked).count()
    item = OpinionItem.objects.create(examination=locked, order=order, conclusion=conclusion, reasons=reasons)
    _bump(locked)
    _audit("medical.opinion_added", actor, locked.case, examination=str(locked.pk), item=str(item.pk))
    return item


@transaction.atomic
def opinion_remove(*, actor: User, item: OpinionItem) -> None:
    """Remove a conclusion before signing. Audits ``medical.opinion_removed``."""
    locked = _lock(item.examination)
    _require_examiner(actor, locked)
    _require_draft(locked)
    OpinionItem.objects.filter(pk=item.pk, examination=locked).delete()
    _bump(locked)
    _audit("medical.opinion_removed", actor, locked.case, examination=str(locked.pk), item=str(item.pk))


def completeness(examination: MedicoLegalExamination) -> list[str]:
    """Exactly what is missing before the examiner may sign, in plain words; empty when complete."""
    case = examination.case
    narrative = narrative_of(examination)
    missing: list[str] = []
    if consent_in_force(case, ConsentPurpose.EXAMINATION) is None:
        missing.append(_("Her consent to the examination is not on the consent ledger."))
    if examination.started_at is None:
        missing.append(_("The exact time the examination started."))
    if examination.finished_at is None:
        missing.append(_("The exact time the examination finished."))
    if not examination.came_alone and not (
        narrative["escort_name"] and narrative["escort_relationship"] and narrative["escort_address"]
    ):
        missing.append(_("The name, relationship and address of the person who brought her (or that she came alone)."))
    if not narrative["history"]:
        missing.append(_("Her history, in her own words."))
    if not examination.general_condition:
        missing.append(_("Her general physical condition."))
    if not narrative["physical_state"]:
        missing.append(_("A description of her general physical state."))
    if not examination.mental_state:
        missing.append(_("Her mental state."))
    injuries = list(examination.injuries.all())
    if not injuries and not examination.no_injuries_seen:
        missing.append(_("The injuries marked on the body diagrams, or that no injury was seen."))
    findings = examination.anogenital_findings or {}
    examined = findings.get("examined")
    if not examined:
        missing.append(_("The ano-genital examination: done, declined or not indicated."))
    elif examined == "yes" and not any(key in findings for key in ("external_genitalia", "perineum", "anus")):
        missing.append(_("The ano-genital findings of the examination that was done."))
    if not examination.samples.exists() and not examination.no_samples_reason:
        missing.append(_("The samples taken (linked evidence items), or why none was taken."))
    recorded = set(examination.treatments.values_list("kind", flat=True))
    for kind in REQUIRED_TREATMENTS:
        if kind == TreatmentKind.EC and case.survivor_sex == "male":
            continue
        if kind not in recorded:
            missing.append(
                _("Treatment: %(treatment)s, given with its time, or not given with the reason.")
                % {"treatment": TreatmentKind(kind).label}
            )
    if not examination.opinion.exists():
        missing.append(_("The opinion: at least one conclusion with its reasons."))
    return missing


@dataclass
class Related:
    """The rows a record's seal covers, when the caller already holds them (the demo's archive)."""

    narrative: dict[str, str]
    injuries: list[tuple[InjuryRow, list[str]]]  # each injury with its photographs' item numbers
    samples: list[str]
    treatments: list[Treatment]
    opinion: list[OpinionItem]


def related_of(examination: MedicoLegalExamination) -> Related:
    return Related(
        narrative=narrative_of(examination),
        injuries=[(i, [p.human_id for p in i.photographs.all()]) for i in examination.injuries.all()],
        samples=[item.human_id for item in examination.samples.all()],
        treatments=list(examination.treatments.all()),
        opinion=list(examination.opinion.all()),
    )


def _two(value: Any) -> str:
    return f"{float(value):.2f}"


def canonical_content(examination: MedicoLegalExamination, related: Related | None = None) -> dict[str, Any]:
    """Everything the signature covers, in a stable form (hashed at signing).

    ``verify_seal`` recomputes it to show the record is unchanged.
    """
    rel = related or related_of(examination)

    def when(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "case": examination.case.code,
        "examination": str(examination.pk),
        "examiner": examination.examiner.username,
        "started_at": when(examination.started_at),
        "finished_at": when(examination.finished_at),
        "came_alone": examination.came_alone,
        "narrative": {key: rel.narrative.get(key, "") for key in NARRATIVE_KEYS},
        "general_condition": examination.general_condition,
        "mental_state": examination.mental_state,
        "no_injuries_seen": examination.no_injuries_seen,
        "no_samples_reason": examination.no_samples_reason,
        "findings": dict(sorted((examination.anogenital_findings or {}).items())),
        "injuries": [
            {
                "view": i.view,
                "x": _two(i.x),
                "y": _two(i.y),
                "site": i.site,
                "kind": i.kind,
                "length_mm": i.length_mm,
                "width_mm": i.width_mm,
                "colour": i.colour,
                "estimated_age": i.estimated_age,
                "description": i.description,
                "photographs": sorted(photos),
            }
            for i, photos in sorted(rel.injuries, key=lambda pair: (pair[0].created_at, str(pair[0].pk)))
        ],
        "samples": sorted(rel.samples),
        "treatments": [
            {"kind": t.kind, "given": t.given, "at": when(t.at), "details": t.details, "reason": t.declined_reason}
            for t in sorted(rel.treatments, key=lambda t: (t.created_at, str(t.pk)))
        ],
        "opinion": [
            {"conclusion": o.conclusion, "reasons": o.reasons}
            for o in sorted(rel.opinion, key=lambda o: (o.order, o.created_at))
        ],
    }


def content_sha256(content: dict[str, Any]) -> str:
    encoded = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()


def verify_seal(examination: MedicoLegalExamination) -> bool:
    """Is the signed record exactly what was sealed?"""
    return bool(examination.seal_sha256) and content_sha256(canonical_content(examination)) == examination.seal_sha256


class Incomplete(ValidationError):
    """Signing refused: ``missing`` lists what the record still needs."""

    def __init__(self, missing: list[str]) -> None:
        self.missing = missing
        super().__init__([_("The record is not complete:"), *missing], code="incomplete")


@transaction.atomic
def examination_sign(*, actor: User, examination: MedicoLegalExamination) -> MedicoLegalExamination:
    """Sign and seal the record (only the examiner; only when complete). Audits ``medical.examination_signed``.

    The SHA-256 of the canonical content is kept on the record and in the audit event.
    The examination duty on the board is completed at the finishing time.
    """
    locked = _lock(examination)
    _require_examiner(actor, locked)
    _require_draft(locked)
    missing = completeness(locked)
    if missing:
        raise Incomplete(missing)
    seal = content_sha256(canonical_content(locked))
    now = timezone.now()
    locked.status = ExamStatus.SIGNED
    locked.signed_at = now
    locked.signed_by = actor
    locked.seal_sha256 = seal
    _bump(locked)
    duty = Task.objects.filter(case=locked.case, kind=TaskKind.MLE, status=TaskStatus.OPEN).first()
    if duty is not None:
        task_close(actor=actor, task=duty, status=TaskStatus.DONE, done_at=min(locked.finished_at or now, now))
    _audit("medical.examination_signed", actor, locked.case, examination=str(locked.pk), sha256=seal)
    return locked


@transaction.atomic
def addendum_add(*, actor: User, examination: MedicoLegalExamination, text: str) -> Addendum:
    """A signed, timestamped addendum to a sealed record (the examiner's). Audits ``medical.addendum_added``.

    Its seal covers the record's seal, the text, the signer and the time, so it cannot be
    moved to another record or back-dated.
    """
    locked = _lock(examination)
    _require_examiner(actor, locked)
    if locked.status != ExamStatus.SIGNED:
        raise ValidationError(_("Addenda are added after signing; until then, correct the record itself."))
    text = _text(text, "text", LONG_MAX)
    if len(text) < MIN_REASONS:
        raise ValidationError({"text": _("Write the addendum.")})
    now = timezone.now()
    seal = content_sha256(
        {"examination": locked.seal_sha256, "text": text, "signed_by": actor.username, "signed_at": now.isoformat()}
    )
    record = vault_write(kind=VAULT_KIND, payload={"text": text})
    addendum = Addendum.objects.create(
        examination=locked, text=record, signed_by=actor, signed_at=now, seal_sha256=seal
    )
    _audit("medical.addendum_added", actor, locked.case, examination=str(locked.pk), sha256=seal)
    return addendum


def addendum_text(addendum: Addendum) -> str:
    return str(vault_read(addendum.text).get("text", ""))


@dataclass(frozen=True)
class Issued:
    pdf: bytes
    disclosure: Disclosure


def copy_basis(case: Case, recipient_kind: str, order_reference: str) -> Consent | None:
    """The consent that allows a copy to this recipient, or None if an order or request is given.

    Refuses (``ConsentRequired`` naming the consent, or a plain refusal) when neither is there.
    """
    purpose = RECIPIENT_CONSENT.get(recipient_kind)
    consent = consent_in_force(case, purpose) if purpose else None
    if consent is not None or order_reference.strip() or recipient_kind == RecipientKind.FILE:
        return consent
    if purpose:
        raise ConsentRequired(purpose)
    raise ValidationError({"order_reference": _("Give the order, summons or written request this copy answers.")})


@transaction.atomic
def certificate_issue(
    *,
    actor: User,
    examination: MedicoLegalExamination,
    language: str,
    recipient_kind: str,
    recipient: str,
    purpose: str,
    order_reference: str = "",
) -> Issued:
    """Issue a copy of the medico-legal certificate. Needs the medical export right; only a signed record.

    The copy carries her identity and the escort's only for ``IDENTITY_RECIPIENTS``. It
    is stored write-once, recorded in the disclosure ledger (to whom, why, on which
    consent or order) and audited (``medical.certificate_issued``).
    """
    from crisiscell.medical.certificate import render_certificate

    case = examination.case
    _require_cell(actor, case, Action.EXPORT)
    if examination.status != ExamStatus.SIGNED:
        raise ValidationError(_("Only a signed examination has a certificate."))
    if language not in ("en", "ur"):
        raise ValidationError({"language": _("Choose English or Urdu.")})
    if recipient_kind not in CERTIFICATE_RECIPIENTS:
        raise ValidationError({"recipient_kind": _("Choose who receives the copy.")})
    consent = copy_basis(case, recipient_kind, order_reference)
    with_identity = recipient_kind in IDENTITY_RECIPIENTS
    pdf = render_certificate(examination, language=language, with_identity=with_identity, recipient_kind=recipient_kind)
    stored = storage.store(io.BytesIO(pdf), kind="ml_certificate", max_bytes=len(pdf), content_type="application/pdf")
    disclosure = disclosure_record(
        actor=actor,
        case=case,
        document="ml_certificate",
        recipient_kind=recipient_kind,
        recipient=recipient,
        purpose=purpose,
        file=stored,
        language=language,
        consent=consent,
        order_reference=order_reference,
        includes_identity=with_identity,
    )
    _audit(
        "medical.certificate_issued",
        actor,
        case,
        examination=str(examination.pk),
        language=language,
        recipient_kind=recipient_kind,
        identity=with_identity,
        disclosure=disclosure.pk,
    )
    return Issued(pdf, disclosure)


def record_as_dict(values: RecordInput) -> dict[str, Any]:
    return asdict(values)
