"""Every read of the medico-legal examination: scoped to the actor's cells, audited where it shows content.

Staff with the medical section in the case's cell see the record (``medical.examination_viewed``
on every opening, since it decrypts her history). Missing and forbidden are the same 404.
The case page shows the record's status only, to roles with the medical section.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.functional import Promise

from crisiscell.access.policy import Action, Role, Section
from crisiscell.access.scoping import allows_in_cell
from crisiscell.accounts.models import User
from crisiscell.audit.services import audit_record
from crisiscell.cases.board import facts_for
from crisiscell.cases.clocks import Clock, Resolution, clocks_for
from crisiscell.cases.deadlines import Rule
from crisiscell.cases.models import Case, ClockState, Consent, ConsentPurpose
from crisiscell.cases.rules_in_force import rules_in_force
from crisiscell.cases.selectors import case_get_for
from crisiscell.cases.services import consent_in_force
from crisiscell.documents.models import Disclosure
from crisiscell.evidence.models import EvidenceItem, EvidenceKind
from crisiscell.medical import findings as findings_rules
from crisiscell.medical.models import (
    TREATMENT_CLOCK,
    Addendum,
    BodyView,
    ExamStatus,
    Injury,
    MedicoLegalExamination,
    OpinionItem,
    Treatment,
    TreatmentKind,
)
from crisiscell.medical.services import addendum_text, completeness, narrative_of

# The components of the examination and the consent each needs.
CONSENT_COMPONENTS = (
    ConsentPurpose.EXAMINATION,
    ConsentPurpose.PHOTOGRAPHS,
    ConsentPurpose.EVIDENCE,
    ConsentPurpose.TREATMENT,
    ConsentPurpose.RELEASE_POLICE,
)


def case_for_medical(actor: User, code: str, action: Action = Action.VIEW) -> Case:
    """The case if the actor holds the medical section in its cell; 404 for missing and forbidden alike."""
    return case_get_for(actor, code, Section.MEDICAL, action)


def examination_get_for(actor: User, examination_id: str, action: Action = Action.VIEW) -> MedicoLegalExamination:
    examination = (
        MedicoLegalExamination.objects.select_related("case", "case__cell", "case__survivor", "examiner", "narrative")
        .filter(pk=examination_id)
        .first()
    )
    if examination is None or not allows_in_cell(actor, examination.case.cell, Section.MEDICAL, action):
        raise Http404
    return examination


def injury_get_for(actor: User, injury_id: str) -> Injury:
    injury = Injury.objects.select_related("examination", "examination__case__cell").filter(pk=injury_id).first()
    if injury is None or not allows_in_cell(actor, injury.examination.case.cell, Section.MEDICAL, Action.EDIT):
        raise Http404
    return injury


def opinion_get_for(actor: User, item_id: str) -> OpinionItem:
    item = OpinionItem.objects.select_related("examination", "examination__case__cell").filter(pk=item_id).first()
    if item is None or not allows_in_cell(actor, item.examination.case.cell, Section.MEDICAL, Action.EDIT):
        raise Http404
    return item


def examinations_of(case: Case) -> QuerySet[MedicoLegalExamination]:
    return MedicoLegalExamination.objects.filter(case=case).select_related("examiner").order_by("created_at")


def examinations_page(actor: User, case: Case) -> list[MedicoLegalExamination]:
    """The case's examinations (status only) for its medical page. Audits ``medical.case_viewed``."""
    if not allows_in_cell(actor, case.cell, Section.MEDICAL, Action.VIEW):
        raise Http404
    audit_record(action="medical.case_viewed", actor=actor, cell=case.cell, object_type="medical", object_ref=case.code)
    return list(examinations_of(case))


def current_examination(case: Case) -> MedicoLegalExamination | None:
    """The record being written, else the latest signed one."""
    exams = list(examinations_of(case))
    drafts = [e for e in exams if e.status == ExamStatus.DRAFT]
    return drafts[-1] if drafts else (exams[-1] if exams else None)


def eligible_examiners(case: Case) -> list[User]:
    """Medico-legal officers of the cell who may examine her (women, for a female survivor)."""
    users = User.objects.filter(
        memberships__cell=case.cell,
        memberships__role=Role.MEDICO_LEGAL_OFFICER,
        memberships__is_active=True,
        is_active=True,
    ).distinct()
    if case.survivor_sex == "female":
        users = users.filter(gender="female")
    return list(users.order_by("username"))


def samples_to_link(case: Case, examination: MedicoLegalExamination) -> list[EvidenceItem]:
    return list(EvidenceItem.objects.filter(case=case, examination__isnull=True).exclude(kind=EvidenceKind.PHOTOGRAPH))


def linked_sample(examination: MedicoLegalExamination, item_id: str) -> EvidenceItem | None:
    return EvidenceItem.objects.filter(pk=item_id, examination=examination).first()


def photographs_of(case: Case) -> QuerySet[EvidenceItem]:
    return EvidenceItem.objects.filter(case=case, kind=EvidenceKind.PHOTOGRAPH)


@dataclass(frozen=True)
class ConsentLine:
    purpose: str
    label: str | Promise
    consent: Consent | None


def consents_by_component(case: Case) -> list[ConsentLine]:
    return [ConsentLine(p.value, p.label, consent_in_force(case, p)) for p in CONSENT_COMPONENTS]


def treatment_clock(case: Case, treatment: Treatment, rules: Mapping[str, Rule], now: datetime) -> Clock | None:
    """The clock this treatment answers, as it stands with the treatment recorded (met, or missed if late)."""
    key = TREATMENT_CLOCK.get(TreatmentKind(treatment.kind))
    if key is None:
        return None
    facts = facts_for(case, [], [])
    if treatment.given:
        facts.resolutions[key] = Resolution(ClockState.MET, treatment.at)
    else:
        facts.resolutions[key] = Resolution(ClockState.DECLINED, None)
    return next(c for c in clocks_for(facts, rules, now) if c.key == key)


@dataclass
class TreatmentLine:
    treatment: Treatment
    clock: Clock | None


@dataclass
class AddendumView:
    addendum: Addendum
    text: str


@dataclass
class FindingLine:
    label: str
    answer: str


@dataclass
class ExaminationPage:
    case: Case
    examination: MedicoLegalExamination
    narrative: dict[str, str]
    injuries: list[Injury]
    injuries_by_view: dict[str, list[tuple[int, Injury]]]
    samples: list[EvidenceItem]
    treatments: list[TreatmentLine]
    opinion: list[OpinionItem]
    addenda: list[AddendumView]
    findings: list[FindingLine]
    missing: list[str]
    consents: list[ConsentLine]
    disclosures: list[Disclosure] = field(default_factory=list)

    @property
    def signed(self) -> bool:
        return self.examination.status == ExamStatus.SIGNED


def _numbered(injuries: list[Injury]) -> dict[str, list[tuple[int, Injury]]]:
    by_view: dict[str, list[tuple[int, Injury]]] = {view: [] for view in BodyView.values}
    for number, injury in enumerate(injuries, start=1):
        by_view[injury.view].append((number, injury))
    return by_view


def finding_lines(examination: MedicoLegalExamination) -> list[FindingLine]:
    lines = []
    for key in findings_rules.ALLOWED_FINDINGS:
        value = (examination.anogenital_findings or {}).get(key)
        if value:
            label, answer = findings_rules.finding_label(key, value)
            lines.append(FindingLine(label, answer))
    return lines


def examination_content(examination: MedicoLegalExamination) -> ExaminationPage:
    """Everything in the record, decrypted. Not audited: callers audit (page view, certificate)."""
    case = examination.case
    injuries = list(examination.injuries.prefetch_related("photographs").order_by("created_at", "id"))
    rules = rules_in_force()
    now = timezone.now()
    treatments = [
        TreatmentLine(t, treatment_clock(case, t, rules, now)) for t in examination.treatments.order_by("created_at")
    ]
    return ExaminationPage(
        case=case,
        examination=examination,
        narrative=narrative_of(examination),
        injuries=injuries,
        injuries_by_view=_numbered(injuries),
        samples=list(examination.samples.order_by("collected_at")),
        treatments=treatments,
        opinion=list(examination.opinion.all()),
        addenda=[AddendumView(a, addendum_text(a)) for a in examination.addenda.select_related("signed_by", "text")],
        findings=finding_lines(examination),
        missing=completeness(examination) if examination.status == ExamStatus.DRAFT else [],
        consents=consents_by_component(case),
    )


def examination_page(actor: User, examination: MedicoLegalExamination) -> ExaminationPage:
    """The whole record for staff with the medical section. Audits ``medical.examination_viewed``."""
    if not allows_in_cell(actor, examination.case.cell, Section.MEDICAL, Action.VIEW):
        raise Http404
    page = examination_content(examination)
    page.disclosures = list(
        Disclosure.objects.filter(case=examination.case, document="ml_certificate").order_by("issued_at")
    )
    audit_record(
        action="medical.examination_viewed",
        actor=actor,
        cell=examination.case.cell,
        object_type="medical",
        object_ref=examination.case.code,
        details={"examination": str(examination.pk)},
    )
    return page


@dataclass(frozen=True)
class PanelView:
    """What the case page shows of the examination: its status, never its content."""

    examinations: list[MedicoLegalExamination]
    can_edit: bool


def panel_for(user: User, case: Case) -> PanelView | None:
    if not allows_in_cell(user, case.cell, Section.MEDICAL, Action.VIEW):
        return None
    return PanelView(list(examinations_of(case)), allows_in_cell(user, case.cell, Section.MEDICAL, Action.EDIT))
