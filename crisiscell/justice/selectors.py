"""Every read of police and court records, scoped to the actor's cells.

Records are seen through their case: whoever may view the ``legal`` section in the
case's cell. Missing and forbidden give the same 404. Opening the justice page is
audited (``justice.viewed``), and so is every decryption of her statement
(``justice.statement_read``). ``justice_facts`` feeds the clocks (board and case
page) and ``case_outcomes`` the statistics; neither returns a name or a word she said.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Min
from django.http import Http404
from django.utils import timezone

from crisiscell.access.policy import Action, Section
from crisiscell.access.scoping import allows_in_cell
from crisiscell.accounts.models import User
from crisiscell.audit.services import audit_record
from crisiscell.cases.board import CaseIds
from crisiscell.cases.models import Case, Task, TaskKind
from crisiscell.cells.models import Cell
from crisiscell.core.models import choice_label
from crisiscell.justice.models import (
    Appeal,
    CompromiseAttempt,
    CourtCase,
    Hearing,
    LegalAid,
    PanelLawyer,
    PoliceCase,
    RegistrationRefusal,
    Section164,
    Statement,
    Verdict,
)
from crisiscell.justice.services import ADJOURNMENTS_ALLOWED
from crisiscell.survivors.services import vault_read


def day_start(day: date | None) -> datetime | None:
    """A court or police date as a moment: the start of that day in Asia/Karachi."""
    if day is None:
        return None
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def justice_facts(case_ids: CaseIds) -> dict[Any, dict[str, Any]]:
    """The justice milestones of these cases as ``CaseFacts`` values, in three small reads.

    The police cases, court cases (with their first appeal) and legal aid of these
    cases are read each from its own table: most cases have none, so each read finds
    little, where one query joining every case to all three and grouping cost more to
    plan than to run. The interim report clock is met by the interim report or by the
    final report (challan), whichever came first.
    """
    facts: dict[Any, dict[str, Any]] = defaultdict(dict)
    for case_id, registered_at, interim_on, challan_on in PoliceCase.objects.filter(case_id__in=case_ids).values_list(
        "case_id", "registered_at", "interim_report_on", "challan_on"
    ):
        reports = [d for d in (interim_on, challan_on) if d]
        facts[case_id].update(fir_at=registered_at, interim_report_at=day_start(min(reports)) if reports else None)
    for case_id, cognizance_on, judgment_on, verdict, first_appeal in (
        CourtCase.objects.filter(case_id__in=case_ids)
        .annotate(first_appeal=Min("appeals__filed_on"))
        .values_list("case_id", "cognizance_on", "judgment_on", "verdict", "first_appeal")
    ):
        facts[case_id].update(
            cognizance_at=day_start(cognizance_on),
            trial_concluded_at=day_start(judgment_on),
            judgment_at=day_start(judgment_on),
            convicted=True if verdict == Verdict.CONVICTION else None,
            appeal_at=day_start(first_appeal),
        )
    for case_id, applied_at, decided_at in LegalAid.objects.filter(case_id__in=case_ids).values_list(
        "case_id", "applied_at", "decided_at"
    ):
        facts[case_id].update(legal_aid_applied_at=applied_at, legal_aid_decided_at=decided_at)
    return {case_id: {k: v for k, v in values.items() if v is not None} for case_id, values in facts.items()}


@dataclass
class JusticeView:
    """Everything the justice page and the case page's panel show (no statement text)."""

    case: Case
    can_edit: bool
    can_export: bool
    statements: list[Statement]
    refusals: list[RegistrationRefusal]
    police_case: PoliceCase | None
    sections: list[Any]
    arrests: list[Any]
    section164: Section164 | None
    court_case: CourtCase | None
    hearings: list[Hearing]
    convictions: list[Any]
    appeals: list[Appeal]
    compromises: list[CompromiseAttempt]
    legal_aid: LegalAid | None
    legal_aid_offer: Task | None
    lawyers: list[PanelLawyer] = field(default_factory=list)

    @property
    def adjournments(self) -> int:
        return sum(1 for h in self.hearings if h.adjourned)

    @property
    def adjournments_over_limit(self) -> bool:
        return self.adjournments > ADJOURNMENTS_ALLOWED

    @property
    def compromise_flagged(self) -> bool:
        return any(c.non_compoundable for c in self.compromises)

    @property
    def appeal_window_ends(self) -> date | None:
        if self.court_case is None or self.court_case.judgment_on is None:
            return None
        return self.court_case.judgment_on + timedelta(days=30)


def may_view(actor: User, case: Case) -> bool:
    return allows_in_cell(actor, case.cell, Section.LEGAL, Action.VIEW)


def justice_view_for(actor: User, case: Case) -> JusticeView:
    """The case's police and court records for someone with the legal section in its cell; else 404.

    Audits ``justice.viewed``. (The case page's panel reads ``justice_summary_for``.)
    """
    if not may_view(actor, case):
        raise Http404
    police_case = PoliceCase.objects.filter(case=case).first()
    court_case = CourtCase.objects.filter(case=case).first()
    audit_record(action="justice.viewed", actor=actor, cell=case.cell, object_type="justice", object_ref=case.code)
    return JusticeView(
        case=case,
        can_edit=allows_in_cell(actor, case.cell, Section.LEGAL, Action.EDIT),
        can_export=allows_in_cell(actor, case.cell, Section.LEGAL, Action.EXPORT)
        and allows_in_cell(actor, case.cell, Section.IDENTITY, Action.VIEW),
        statements=list(Statement.objects.filter(case=case).order_by("recorded_at")),
        refusals=list(RegistrationRefusal.objects.filter(case=case).order_by("refused_on")),
        police_case=police_case,
        sections=list(police_case.sections.all()) if police_case else [],
        arrests=list(police_case.arrests.all()) if police_case else [],
        section164=Section164.objects.filter(case=case).first(),
        court_case=court_case,
        hearings=list(court_case.hearings.all()) if court_case else [],
        convictions=list(court_case.convictions.select_related("offence")) if court_case else [],
        appeals=list(court_case.appeals.all()) if court_case else [],
        compromises=list(CompromiseAttempt.objects.filter(case=case).order_by("reported_on")),
        legal_aid=LegalAid.objects.filter(case=case).select_related("lawyer").first(),
        legal_aid_offer=Task.objects.filter(case=case, kind=TaskKind.LEGAL_AID).first(),
        lawyers=list(PanelLawyer.objects.filter(cell=case.cell, is_active=True)),
    )


@dataclass(frozen=True)
class JusticeSummary:
    """What the case page's Justice panel shows: where the FIR, section 164, the trial and legal aid stand."""

    case: Case
    fir_number: str | None  # None: no police case yet
    police_station: str
    fir_registered_at: datetime | None
    refused: bool  # the police refused to register her FIR (and none is registered)
    section164_requested: bool
    section164_recorded_on: date | None
    special_court: str | None  # None: no court case yet
    judgment_on: date | None
    verdict: str  # its label, "" before judgment
    legal_aid_applied: bool
    legal_aid_decided: bool
    legal_aid_decision: str  # its label
    adjournments_over_limit: bool
    compromise_flagged: bool


_SUMMARY_COLUMNS = (
    "police_case__id", "police_case__fir_number", "police_case__police_station", "police_case__registered_at",
    "section164__id", "section164__recorded_on",
    "court_case__id", "court_case__special_court", "court_case__judgment_on", "court_case__verdict",
    "legal_aid__id", "legal_aid__decided_at", "legal_aid__decision",
)  # fmt: skip


def justice_summary_for(actor: User, case: Case) -> JusticeSummary:
    """The case page's Justice panel, for the legal section of the case's cell; else 404.

    One plain query for the police case, section 164, the court case and legal aid,
    and a yes-or-no question for each flag that can apply: the ORM took longer to
    build one query answering all of it than the database took to run it.
    Not audited on its own: the case page's ``case.viewed`` covers it (no statement text).
    """
    if not may_view(actor, case):
        raise Http404
    (
        police_id, fir_number, police_station, registered_at,
        s164_id, s164_recorded_on,
        court_id, special_court, judgment_on, verdict,
        aid_id, aid_decided_at, aid_decision,
    ) = Case.objects.filter(pk=case.pk).values_list(*_SUMMARY_COLUMNS).get()  # fmt: skip
    refused = police_id is None and RegistrationRefusal.objects.filter(case=case).exists()
    adjournments = Hearing.objects.filter(court_case_id=court_id, adjourned=True).count() if court_id is not None else 0
    return JusticeSummary(
        case=case,
        fir_number=fir_number if police_id is not None else None,
        police_station=police_station or "",
        fir_registered_at=registered_at,
        refused=refused,
        section164_requested=s164_id is not None,
        section164_recorded_on=s164_recorded_on,
        special_court=special_court if court_id is not None else None,
        judgment_on=judgment_on,
        verdict=str(choice_label(CourtCase._meta.get_field("verdict"), verdict)) if verdict else "",
        legal_aid_applied=aid_id is not None,
        legal_aid_decided=aid_decided_at is not None,
        legal_aid_decision=str(choice_label(LegalAid._meta.get_field("decision"), aid_decision))
        if aid_decision
        else "",
        adjournments_over_limit=adjournments > ADJOURNMENTS_ALLOWED,
        compromise_flagged=CompromiseAttempt.objects.filter(case=case, non_compoundable=True).exists(),
    )


def _uuid(value: Any) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError as error:
        raise Http404 from error


@dataclass(frozen=True)
class StatementText:
    statement: Statement
    text: str


def statement_read(actor: User, case: Case, statement_id: Any) -> StatementText:
    """Decrypt one statement of the case for the legal section. Audits ``justice.statement_read``."""
    statement = Statement.objects.filter(pk=_uuid(statement_id), case=case).select_related("content").first()
    if statement is None or not may_view(actor, case):
        raise Http404
    audit_record(
        action="justice.statement_read",
        actor=actor,
        cell=case.cell,
        object_type="justice",
        object_ref=case.code,
        details={"statement": str(statement.pk)},
    )
    return StatementText(statement, str(vault_read(statement.content).get("text", "")))


def appeal_get_for(actor: User, appeal_id: Any) -> Appeal:
    appeal = Appeal.objects.select_related("court_case__case__cell").filter(pk=_uuid(appeal_id)).first()
    if appeal is None or not allows_in_cell(actor, appeal.court_case.case.cell, Section.LEGAL, Action.EDIT):
        raise Http404
    return appeal


def panel_for(actor: User, cell: Cell) -> list[PanelLawyer]:
    """The cell's legal aid panel list, for the legal section of that cell."""
    if not allows_in_cell(actor, cell, Section.LEGAL, Action.VIEW):
        raise Http404
    return list(PanelLawyer.objects.filter(cell=cell, is_active=True))


# --- Outcomes, for the statistics --------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """One case's road through the justice system, without a name: for indicators."""

    case_code: str
    cell_code: str
    is_child: bool
    time_to_fir: timedelta | None  # from her arrival at the cell
    time_to_verdict: timedelta | None  # from the FIR to the judgment
    verdict: str  # conviction, acquittal, or "" while pending
    convicted: bool | None  # None: no judgment yet


def case_outcomes(cases: list[Case]) -> list[Outcome]:
    """Outcomes of these cases in three queries; the caller has checked the actor may see them."""
    ids = [c.pk for c in cases]
    firs = dict(PoliceCase.objects.filter(case_id__in=ids).values_list("case_id", "registered_at"))
    courts = {
        case_id: (judgment_on, verdict)
        for case_id, judgment_on, verdict in CourtCase.objects.filter(case_id__in=ids).values_list(
            "case_id", "judgment_on", "verdict"
        )
    }
    outcomes = []
    for case in cases:
        fir_at = firs.get(case.pk)
        judgment_on, verdict = courts.get(case.pk, (None, ""))
        judged = day_start(judgment_on)
        outcomes.append(
            Outcome(
                case_code=case.code,
                cell_code=case.cell.code,
                is_child=case.is_child,
                time_to_fir=fir_at - case.arrival_at if fir_at else None,
                time_to_verdict=judged - fir_at if judged and fir_at else None,
                verdict=verdict,
                convicted=(verdict == Verdict.CONVICTION) if verdict else None,
            )
        )
    return outcomes


def outcomes_for(actor: User, cell: Cell) -> list[Outcome]:
    """Every case of a cell with its outcome, for the statistics section. Audits ``stats.viewed``."""
    if not allows_in_cell(actor, cell, Section.STATISTICS, Action.VIEW):
        raise Http404
    audit_record(action="stats.viewed", actor=actor, cell=cell, object_type="justice", object_ref=cell.code)
    return case_outcomes(list(Case.objects.filter(cell=cell).select_related("cell").order_by("arrival_at")))
