"""Every write to police and court records, and the FIR and Justice of Peace drafts.

Each function checks the access policy itself (the ``legal`` section: edit to record,
export to issue a draft), runs in one transaction and writes its audit event there.
Events carry the object type ``justice`` and the case code, never what she said.

Who may call what: the police liaison and the legal adviser of the case's cell record
(her statement, the police case, section 164, the court case, legal aid); only the
legal adviser (``legal`` export, and ``identity`` view for the identity it carries)
issues a draft. A draft goes to the police or a Justice of Peace only on her consent
to release to the police (``ConsentPurpose.RELEASE_POLICE``); without it the draft is
refused with a message naming the missing consent. Her statement goes into a draft
only if it was read back to her and she agreed to it being given to the police.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crisiscell.access.policy import Action, Section
from crisiscell.access.scoping import allows_in_cell
from crisiscell.accounts.models import User
from crisiscell.audit.services import audit_record
from crisiscell.cases.duties import task_close
from crisiscell.cases.models import Case, ConsentPurpose, Offence, Task, TaskKind, TaskStatus
from crisiscell.cases.services import require_consent
from crisiscell.justice.models import (
    VAULT_KIND,
    Appeal,
    AppealOutcome,
    AppealParty,
    Arrest,
    CompromiseAttempt,
    Conviction,
    CourtCase,
    Hearing,
    LegalAid,
    LegalAidDecision,
    PanelLawyer,
    PoliceCase,
    RegistrationRefusal,
    Section164,
    Statement,
    StatementPlace,
    Verdict,
)
from crisiscell.survivors.services import vault_write

STATEMENT_MAX = 20000
SHORT_MAX = 500
# ARITA s.16: at most two adjournments in a trial.
ADJOURNMENTS_ALLOWED = 2
# ARITA s.14, as shown to whoever tries to record a second section 164 statement.
S14_REFUSAL = gettext_lazy(
    "Her statement under section 164 was already recorded. ARITA s.14 allows it to be recorded once only; "
    "she is not to be asked again."
)


def _require(actor: User, case: Case, action: Action = Action.EDIT) -> None:
    if not allows_in_cell(actor, case.cell, Section.LEGAL, action):
        raise PermissionDenied


def _audit(action: str, actor: User, case: Case, **details: Any) -> None:
    audit_record(
        action=action,
        actor=actor,
        cell=case.cell,
        object_type="justice",
        object_ref=case.code,
        details=details or None,
    )


def _text(value: str, name: str, max_length: int = SHORT_MAX, *, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({name: _("This is required.")})
    if len(value) > max_length:
        raise ValidationError({name: _("Keep it under %(n)d characters.") % {"n": max_length}})
    return value


def _not_future(value: date | datetime | None, name: str) -> None:
    if value is None:
        return
    if isinstance(value, datetime):
        if value > timezone.now() + timedelta(minutes=5):
            raise ValidationError({name: _("This time is in the future.")})
    elif value > timezone.localdate():
        raise ValidationError({name: _("This date is in the future.")})


def _label(user: User) -> str:
    return user.get_full_name() or user.get_username()


# --- Her statement ------------------------------------------------------------------------------


@transaction.atomic
def statement_record(
    *,
    actor: User,
    case: Case,
    text: str,
    language: str,
    place: str,
    companion_present: bool,
    read_back_and_agreed: bool,
) -> Statement:
    """Record her account as she gave it (encrypted in the vault). Audits ``justice.statement_recorded``."""
    _require(actor, case)
    text = _text(text, "text", STATEMENT_MAX, required=True)
    if place not in StatementPlace.values:
        raise ValidationError({"place": _("Choose where it was taken.")})
    statement = Statement.objects.create(
        case=case,
        content=vault_write(kind=VAULT_KIND, payload={"text": text}),
        language=_text(language, "language", 40, required=True),
        place=place,
        companion_present=companion_present,
        read_back_and_agreed=read_back_and_agreed,
        recorded_by=actor,
        recorded_by_label=_label(actor),
        recorded_at=timezone.now(),
    )
    _audit("justice.statement_recorded", actor, case, agreed=read_back_and_agreed)
    return statement


# --- Drafts: FIR (CrPC 154) and Justice of Peace (CrPC 22-A) ------------------------------------


@dataclass(frozen=True)
class Draft:
    pdf: bytes
    includes_statement: bool


DRAFT_DOCUMENTS = {"fir": "fir_application", "jop": "jop_application"}


def _draft(*, actor: User, case: Case, kind: str, language: str, police_station: str) -> Draft:
    from crisiscell.documents.pdf import render_pdf
    from crisiscell.documents.services import disclosure_record
    from crisiscell.justice.drafts import draft_context

    _require(actor, case, Action.EXPORT)
    if not allows_in_cell(actor, case.cell, Section.IDENTITY, Action.VIEW):
        raise PermissionDenied
    if language not in ("en", "ur"):
        raise ValidationError({"language": _("Choose English or Urdu.")})
    police_station = _text(police_station, "police_station", 200, required=True)
    with transaction.atomic():
        consent = require_consent(case, ConsentPurpose.RELEASE_POLICE)
        refusal = None
        if kind == "jop":
            refusal = RegistrationRefusal.objects.filter(case=case).order_by("-refused_on", "-created_at").first()
            if refusal is None:
                raise ValidationError(_("Record the police's refusal to register the FIR first."))
        context = draft_context(case, police_station=police_station, refusal=refusal)
        pdf = render_pdf(f"justice/{kind}_draft_pdf.html", context, language=language)
        disclosure_record(
            actor=actor,
            case=case,
            document=DRAFT_DOCUMENTS[kind],
            recipient_kind="police" if kind == "fir" else "court",
            recipient=police_station if kind == "fir" else _("Justice of Peace"),
            purpose=_("FIR application (CrPC 154)") if kind == "fir" else _("Application under CrPC 22-A"),
            content=pdf,
            language=language,
            consent=consent,
            includes_identity=True,
        )
        _audit(
            f"justice.{kind}_draft_issued",
            actor,
            case,
            language=language,
            statement=context["statement"] is not None,
        )
    return Draft(pdf, context["statement"] is not None)


def fir_draft_issue(*, actor: User, case: Case, language: str, police_station: str) -> Draft:
    """The FIR application (CrPC 154) as a PDF, on her consent to release to the police.

    Refuses (``ConsentRequired``, naming the purpose) without that consent. Recorded in
    the disclosure ledger (``document.disclosed``) and audited ``justice.fir_draft_issued``.
    """
    return _draft(actor=actor, case=case, kind="fir", language=language, police_station=police_station)


def jop_draft_issue(*, actor: User, case: Case, language: str, police_station: str) -> Draft:
    """The application to the Justice of Peace (CrPC 22-A) after a recorded refusal. As the FIR draft.

    Audits ``justice.jop_draft_issued``.
    """
    return _draft(actor=actor, case=case, kind="jop", language=language, police_station=police_station)


@transaction.atomic
def refusal_record(
    *, actor: User, case: Case, police_station: str, refused_on: date, note: str = ""
) -> RegistrationRefusal:
    """The police refused to register her FIR. Audits ``justice.fir_refused``."""
    _require(actor, case)
    _not_future(refused_on, "refused_on")
    refusal = RegistrationRefusal.objects.create(
        case=case,
        police_station=_text(police_station, "police_station", 200, required=True),
        refused_on=refused_on,
        note=_text(note, "note"),
        recorded_by=actor,
    )
    _audit("justice.fir_refused", actor, case)
    return refusal


# --- The police case ----------------------------------------------------------------------------


def _close_fir_duty(actor: User, case: Case, registered_at: datetime) -> None:
    duty = Task.objects.filter(case=case, kind=TaskKind.FIR, status=TaskStatus.OPEN).first()
    if duty is not None:
        task_close(actor=actor, task=duty, status=TaskStatus.DONE, done_at=registered_at)


@transaction.atomic
def fir_record(
    *,
    actor: User,
    case: Case,
    fir_number: str,
    police_station: str,
    registered_at: datetime,
    section_codes: list[str] | None = None,
    investigating_officer: str = "",
    investigating_unit: str = "",
) -> PoliceCase:
    """Record the registered FIR. Completes the FIR duty on the board (``task.closed``).

    Audits ``justice.fir_recorded``. A case has one FIR; correcting it is
    ``police_case_update``.
    """
    _require(actor, case)
    _not_future(registered_at, "registered_at")
    if registered_at < case.arrival_at - timedelta(days=365):
        raise ValidationError({"registered_at": _("This is long before she came to the cell.")})
    if PoliceCase.objects.filter(case=case).exists():
        raise ValidationError(_("The FIR of this case is already recorded."))
    police_case = PoliceCase.objects.create(
        case=case,
        fir_number=_text(fir_number, "fir_number", 40, required=True),
        police_station=_text(police_station, "police_station", 200, required=True),
        registered_at=registered_at,
        investigating_officer=_text(investigating_officer, "investigating_officer", 150),
        investigating_unit=_text(investigating_unit, "investigating_unit", 150),
        recorded_by=actor,
    )
    _set_sections(police_case, section_codes or [])
    _close_fir_duty(actor, case, registered_at)
    _audit("justice.fir_recorded", actor, case, sections=sorted(section_codes or []))
    return police_case


def _set_sections(police_case: PoliceCase, codes: list[str]) -> None:
    offences = list(Offence.objects.filter(code__in=codes))
    if len(offences) != len(set(codes)):
        raise ValidationError({"sections": _("Choose sections from the offence table.")})
    police_case.sections.set(offences)


POLICE_FIELDS = (
    "investigating_officer",
    "investigating_unit",
    "supervising_officer",
    "rights_notice_given",
    "rights_notice_at",
    "interim_report_on",
    "challan_on",
)


@transaction.atomic
def police_case_update(
    *, actor: User, police_case: PoliceCase, expected_version: int, changes: dict[str, Any]
) -> PoliceCase:
    """Follow the investigation: officers, the 161A notice, interim report, challan, sections.

    Refuses a stale version. Audits ``justice.police_case_updated`` (field names only).
    """
    case = police_case.case
    _require(actor, case)
    unknown = set(changes) - set(POLICE_FIELDS) - {"sections"}
    if unknown:
        raise ValidationError(_("These fields cannot be changed here: %(f)s") % {"f": ", ".join(sorted(unknown))})
    locked = PoliceCase.objects.select_for_update().get(pk=police_case.pk)
    if locked.version != expected_version:
        raise ValidationError(_("Someone else saved this record after you opened it."), code="conflict")
    for name in ("rights_notice_at",):
        _not_future(changes.get(name), name)
    for name in ("interim_report_on", "challan_on"):
        _not_future(changes.get(name), name)
        if changes.get(name) is not None and changes[name] < timezone.localtime(locked.registered_at).date():
            raise ValidationError({name: _("This is before the FIR was registered.")})
    if changes.get("rights_notice_given") and not (changes.get("rights_notice_at") or locked.rights_notice_at):
        raise ValidationError({"rights_notice_at": _("Enter when the notice was given.")})
    for name in ("investigating_officer", "investigating_unit", "supervising_officer"):
        if name in changes:
            changes[name] = _text(changes[name], name, 150)
    for name, value in changes.items():
        if name != "sections":
            setattr(locked, name, value)
    locked.version = F("version") + 1
    locked.save()
    if "sections" in changes:
        _set_sections(locked, list(changes["sections"]))
    locked.refresh_from_db()
    _audit("justice.police_case_updated", actor, case, fields=sorted(changes))
    return locked


@transaction.atomic
def investigation_transfer(
    *, actor: User, police_case: PoliceCase, requested_on: date, reason: str, transferred_to: str = ""
) -> PoliceCase:
    """She is dissatisfied: the investigation goes to the district head of investigation (ARITA s.9(4)).

    Audits ``justice.investigation_transferred``.
    """
    case = police_case.case
    _require(actor, case)
    _not_future(requested_on, "requested_on")
    PoliceCase.objects.filter(pk=police_case.pk).update(
        transfer_requested_on=requested_on,
        transfer_reason=_text(reason, "reason", required=True),
        transferred_to=_text(transferred_to, "transferred_to", 200) or _("District head of investigation"),
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    police_case.refresh_from_db()
    _audit("justice.investigation_transferred", actor, case)
    return police_case


@transaction.atomic
def arrest_record(*, actor: User, police_case: PoliceCase, arrested_on: date, count: int, note: str = "") -> Arrest:
    """An arrest (how many accused, never a name). Audits ``justice.arrest_recorded``."""
    case = police_case.case
    _require(actor, case)
    _not_future(arrested_on, "arrested_on")
    if count < 1:
        raise ValidationError({"count": _("At least one.")})
    arrest = Arrest.objects.create(
        police_case=police_case, arrested_on=arrested_on, count=count, note=_text(note, "note", 300), recorded_by=actor
    )
    _audit("justice.arrest_recorded", actor, case, count=count)
    return arrest


# --- Section 164 --------------------------------------------------------------------------------


@transaction.atomic
def section164_request(*, actor: User, case: Case, requested_on: date, magistrate: str) -> Section164:
    """The police or prosecution asked for her statement before a magistrate.

    Audits ``justice.magistrate_statement_requested``.
    """
    _require(actor, case)
    _not_future(requested_on, "requested_on")
    record, created = Section164.objects.select_for_update().get_or_create(
        case=case,
        defaults={
            "requested_on": requested_on,
            "magistrate": _text(magistrate, "magistrate", 200),
            "recorded_by": actor,
        },
    )
    if not created:
        if record.recorded_on is not None:
            raise ValidationError(S14_REFUSAL)
        record.requested_on = requested_on
        record.magistrate = _text(magistrate, "magistrate", 200) or record.magistrate
        record.save()
    _audit("justice.magistrate_statement_requested", actor, case)
    return record


def section164_record(
    *,
    actor: User,
    case: Case,
    recorded_on: date,
    magistrate: str,
    video_recorded: bool,
    support_adviser_present: bool,
) -> Section164:
    """Her statement was recorded before a magistrate. Once only: a second is refused citing ARITA s.14.

    Audits ``justice.magistrate_statement_recorded``; a second attempt is refused (``ValidationError``
    with code ``arita_s14``) and audited ``justice.magistrate_statement_refused``.
    """
    _require(actor, case)
    _not_future(recorded_on, "recorded_on")
    magistrate = _text(magistrate, "magistrate", 200, required=True)
    with transaction.atomic():
        record, _created = Section164.objects.select_for_update().get_or_create(
            case=case, defaults={"magistrate": magistrate, "recorded_by": actor}
        )
        already = record.recorded_on is not None
        if already:
            _audit("justice.magistrate_statement_refused", actor, case)
        else:
            Section164.objects.filter(pk=record.pk).update(
                recorded_on=recorded_on,
                magistrate=magistrate,
                video_recorded=video_recorded,
                support_adviser_present=support_adviser_present,
                recorded_by=actor,
                version=F("version") + 1,
                updated_at=timezone.now(),
            )
            record.refresh_from_db()
            _audit(
                "justice.magistrate_statement_recorded",
                actor,
                case,
                video=video_recorded,
                adviser=support_adviser_present,
            )
    if already:
        raise ValidationError(S14_REFUSAL, code="arita_s14")
    return record


# --- The court case -----------------------------------------------------------------------------


@transaction.atomic
def court_case_open(
    *,
    actor: User,
    case: Case,
    special_court: str,
    case_number: str,
    cognizance_on: date,
    in_camera_confirmed: bool = False,
    testimony_video_recorded: bool = False,
) -> CourtCase:
    """The special court took cognizance: the trial clock starts. Audits ``justice.court_case_opened``."""
    _require(actor, case)
    _not_future(cognizance_on, "cognizance_on")
    if CourtCase.objects.filter(case=case).exists():
        raise ValidationError(_("The court case is already recorded."))
    court_case = CourtCase.objects.create(
        case=case,
        special_court=_text(special_court, "special_court", 200, required=True),
        case_number=_text(case_number, "case_number", 60, required=True),
        cognizance_on=cognizance_on,
        in_camera_confirmed=in_camera_confirmed,
        testimony_video_recorded=testimony_video_recorded,
        recorded_by=actor,
    )
    _audit("justice.court_case_opened", actor, case)
    return court_case


@transaction.atomic
def court_conduct_update(
    *, actor: User, court_case: CourtCase, in_camera_confirmed: bool, testimony_video_recorded: bool
) -> CourtCase:
    """Whether the trial is in camera and her testimony video-recorded. Audits ``justice.court_case_updated``."""
    _require(actor, court_case.case)
    CourtCase.objects.filter(pk=court_case.pk).update(
        in_camera_confirmed=in_camera_confirmed,
        testimony_video_recorded=testimony_video_recorded,
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    court_case.refresh_from_db()
    _audit("justice.court_case_updated", actor, court_case.case)
    return court_case


@transaction.atomic
def hearing_record(
    *,
    actor: User,
    court_case: CourtCase,
    held_on: date,
    what_happened: str,
    adjourned: bool,
    adjournment_reason: str = "",
) -> Hearing:
    """One hearing. The third adjournment (and any after it) is flagged: ARITA s.16 allows two.

    Audits ``justice.hearing_recorded`` (with ``over_limit`` when flagged).
    """
    case = court_case.case
    _require(actor, case)
    _not_future(held_on, "held_on")
    if held_on < court_case.cognizance_on:
        raise ValidationError({"held_on": _("This is before the court took cognizance.")})
    locked = CourtCase.objects.select_for_update().get(pk=court_case.pk)
    number = 0
    if adjourned:
        number = Hearing.objects.filter(court_case=locked, adjourned=True).count() + 1
        adjournment_reason = _text(adjournment_reason, "adjournment_reason", 300, required=True)
    hearing = Hearing.objects.create(
        court_case=locked,
        held_on=held_on,
        what_happened=_text(what_happened, "what_happened", required=True),
        adjourned=adjourned,
        adjournment_reason=adjournment_reason if adjourned else "",
        adjournment_number=number,
        recorded_by=actor,
    )
    _audit("justice.hearing_recorded", actor, case, adjournment=number, over_limit=hearing.over_limit)
    return hearing


@transaction.atomic
def judgment_record(
    *,
    actor: User,
    court_case: CourtCase,
    judgment_on: date,
    verdict: str,
    convictions: list[tuple[str, str]] | None = None,
    compensation_pkr: int | None = None,
) -> CourtCase:
    """The judgment: conviction (by section, with sentence) or acquittal; compensation ordered.

    Stops the trial clock and starts the 30-day appeal window. Audits ``justice.judgment_recorded``.
    """
    case = court_case.case
    _require(actor, case)
    _not_future(judgment_on, "judgment_on")
    locked = CourtCase.objects.select_for_update().get(pk=court_case.pk)
    if locked.judgment_on is not None:
        raise ValidationError(_("The judgment is already recorded; record an appeal instead."))
    if judgment_on < locked.cognizance_on:
        raise ValidationError({"judgment_on": _("This is before the court took cognizance.")})
    if verdict not in Verdict.values:
        raise ValidationError({"verdict": _("Choose conviction or acquittal.")})
    convictions = convictions or []
    if verdict == Verdict.CONVICTION and not convictions:
        raise ValidationError({"convictions": _("Enter at least one section and its sentence.")})
    if verdict == Verdict.ACQUITTAL and convictions:
        raise ValidationError({"convictions": _("An acquittal has no sentence.")})
    offences = {o.code: o for o in Offence.objects.filter(code__in=[code for code, _s in convictions])}
    for code, sentence in convictions:
        if code not in offences:
            raise ValidationError({"convictions": _("Choose sections from the offence table.")})
        Conviction.objects.create(
            court_case=locked, offence=offences[code], sentence=_text(sentence, "convictions", 300, required=True)
        )
    CourtCase.objects.filter(pk=locked.pk).update(
        judgment_on=judgment_on,
        verdict=verdict,
        compensation_pkr=compensation_pkr,
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    locked.refresh_from_db()
    _audit("justice.judgment_recorded", actor, case, verdict=verdict, sections=sorted(offences))
    return locked


def _offences_of(case: Case) -> list[Offence]:
    police_case = PoliceCase.objects.filter(case=case).first()
    sections = list(police_case.sections.all()) if police_case is not None else []
    return sections or list(case.offences.all())


@transaction.atomic
def compromise_record(*, actor: User, case: Case, reported_on: date, note: str) -> CompromiseAttempt:
    """Someone tried to settle the case. Flagged when an offence is non-compoundable.

    The sections applied in the FIR count, else the offences recorded at intake.
    Audits ``justice.compromise_recorded`` (with ``non_compoundable``).
    """
    _require(actor, case)
    _not_future(reported_on, "reported_on")
    non_compoundable = any(not offence.compoundable for offence in _offences_of(case))
    attempt = CompromiseAttempt.objects.create(
        case=case,
        reported_on=reported_on,
        note=_text(note, "note", required=True),
        non_compoundable=non_compoundable,
        recorded_by=actor,
    )
    _audit("justice.compromise_recorded", actor, case, non_compoundable=non_compoundable)
    return attempt


@transaction.atomic
def appeal_record(*, actor: User, court_case: CourtCase, filed_on: date, filed_by: str, court: str) -> Appeal:
    """An appeal against the judgment (stops the appeal clock). Audits ``justice.appeal_filed``."""
    case = court_case.case
    _require(actor, case)
    _not_future(filed_on, "filed_on")
    if court_case.judgment_on is None:
        raise ValidationError(_("Record the judgment first."))
    if filed_on < court_case.judgment_on:
        raise ValidationError({"filed_on": _("This is before the judgment.")})
    if filed_by not in AppealParty.values:
        raise ValidationError({"filed_by": _("Choose who appealed.")})
    appeal = Appeal.objects.create(
        court_case=court_case,
        filed_on=filed_on,
        filed_by=filed_by,
        court=_text(court, "court", 200, required=True),
        recorded_by=actor,
    )
    _audit("justice.appeal_filed", actor, case, filed_by=filed_by)
    return appeal


@transaction.atomic
def appeal_decide(*, actor: User, appeal: Appeal, outcome: str, decided_on: date) -> Appeal:
    """The appeal's outcome. Audits ``justice.appeal_decided``."""
    case = appeal.court_case.case
    _require(actor, case)
    _not_future(decided_on, "decided_on")
    if outcome not in AppealOutcome.values or outcome == AppealOutcome.PENDING:
        raise ValidationError({"outcome": _("Choose the outcome.")})
    if decided_on < appeal.filed_on:
        raise ValidationError({"decided_on": _("This is before the appeal was filed.")})
    Appeal.objects.filter(pk=appeal.pk).update(
        outcome=outcome, decided_on=decided_on, version=F("version") + 1, updated_at=timezone.now()
    )
    appeal.refresh_from_db()
    _audit("justice.appeal_decided", actor, case, outcome=outcome)
    return appeal


# --- Legal aid ----------------------------------------------------------------------------------


def _close_offer(actor: User, case: Case, status: str, reason: str = "") -> None:
    offer = Task.objects.filter(case=case, kind=TaskKind.LEGAL_AID, status=TaskStatus.OPEN).first()
    if offer is not None:
        task_close(actor=actor, task=offer, status=status, reason=reason)


@transaction.atomic
def legal_aid_apply(*, actor: User, case: Case, applied_at: datetime, authority_reference: str = "") -> LegalAid:
    """Her application to the Legal Aid and Justice Authority: the 7-day decision clock starts.

    Completes the legal-aid offer on the board. Audits ``justice.legal_aid_applied``.
    """
    _require(actor, case)
    _not_future(applied_at, "applied_at")
    if LegalAid.objects.filter(case=case).exists():
        raise ValidationError(_("Her legal aid application is already recorded."))
    aid = LegalAid.objects.create(
        case=case,
        applied_at=applied_at,
        authority_reference=_text(authority_reference, "authority_reference", 60),
        recorded_by=actor,
    )
    _close_offer(actor, case, TaskStatus.DONE)
    _audit("justice.legal_aid_applied", actor, case)
    return aid


@transaction.atomic
def legal_aid_decline(*, actor: User, case: Case, reason: str) -> None:
    """She declined the offer of legal aid (for now). Audits ``task.closed`` on the offer."""
    _require(actor, case)
    offer = Task.objects.filter(case=case, kind=TaskKind.LEGAL_AID, status=TaskStatus.OPEN).first()
    if offer is None:
        raise ValidationError(_("The legal aid offer is already closed."))
    task_close(actor=actor, task=offer, status=TaskStatus.DECLINED, reason=_text(reason, "reason", 300, required=True))


@transaction.atomic
def legal_aid_decide(*, actor: User, aid: LegalAid, decision: str, decided_at: datetime) -> LegalAid:
    """The Authority's decision (stops the 7-day clock). Audits ``justice.legal_aid_decided``."""
    _require(actor, aid.case)
    _not_future(decided_at, "decided_at")
    if decision not in LegalAidDecision.values:
        raise ValidationError({"decision": _("Choose granted or refused.")})
    if decided_at < aid.applied_at:
        raise ValidationError({"decided_at": _("This is before the application.")})
    LegalAid.objects.filter(pk=aid.pk).update(
        decision=decision, decided_at=decided_at, version=F("version") + 1, updated_at=timezone.now()
    )
    aid.refresh_from_db()
    _audit("justice.legal_aid_decided", actor, aid.case, decision=decision)
    return aid


@transaction.atomic
def legal_aid_assign(*, actor: User, aid: LegalAid, lawyer: PanelLawyer | None, support_adviser: str = "") -> LegalAid:
    """Assign a panel lawyer (of the case's cell) and an independent support adviser (ARITA s.11).

    Audits ``justice.legal_aid_assigned``.
    """
    _require(actor, aid.case)
    if lawyer is not None and (lawyer.cell_id != aid.case.cell_id or not lawyer.is_active):
        raise ValidationError({"lawyer": _("Choose a lawyer from this cell's panel.")})
    LegalAid.objects.filter(pk=aid.pk).update(
        lawyer=lawyer,
        support_adviser=_text(support_adviser, "support_adviser", 150),
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    aid.refresh_from_db()
    _audit("justice.legal_aid_assigned", actor, aid.case, lawyer=lawyer is not None, adviser=bool(support_adviser))
    return aid


@transaction.atomic
def panel_lawyer_add(*, actor: User, cell: Any, name: str, bar_number: str = "", phone: str = "") -> PanelLawyer:
    """Add a lawyer to the cell's legal aid panel list. Audits ``justice.panel_lawyer_added``."""
    if not allows_in_cell(actor, cell, Section.LEGAL, Action.EDIT):
        raise PermissionDenied
    lawyer = PanelLawyer.objects.create(
        cell=cell,
        name=_text(name, "name", 150, required=True),
        bar_number=_text(bar_number, "bar_number", 60),
        phone=_text(phone, "phone", 40),
    )
    audit_record(action="justice.panel_lawyer_added", actor=actor, cell=cell, object_type="cell", object_ref=cell.code)
    return lawyer
