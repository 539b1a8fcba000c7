"""Every read of counselling: scoped to the actor's cells, and audited where it shows content.

Three audiences:

* **psychologists** of the case's cell (``counselling`` view): the counselling page, each
  note (every decryption audited as ``counselling.note_read``), measures and their chart,
  risk assessments, the safety plan;
* **the team** (``COUNSELLING_TEAM_ROLES``: case worker and cell head) on the case page:
  only whether counselling is ongoing, the next appointment, the flags the psychologist
  shares, and the work the team owes (a contact attempt after a missed session, a child
  protection referral). Never a note, a score or a risk answer;
* **break glass** (``COUNSELLING_BREAK_GLASS_ROLES``): a link to the break-glass form.

Everyone else sees nothing of counselling on the case page.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from crisiscell.access.policy import COUNSELLING_TEAM_ROLES, Action, Section
from crisiscell.access.scoping import allows_in_cell, cells_for, roles_in
from crisiscell.accounts.models import User
from crisiscell.audit.services import audit_record
from crisiscell.cases.duties import contact_allowed
from crisiscell.cases.models import Case, ConsentPurpose, ContactMethod, Task, TaskKind, TaskStatus
from crisiscell.cases.selectors import case_get_for
from crisiscell.cases.services import consent_in_force
from crisiscell.cells.models import Cell
from crisiscell.counselling import instruments
from crisiscell.counselling.models import (
    Attendance,
    BreakGlassNotice,
    BreakGlassRead,
    CounsellingPlan,
    CounsellingSession,
    Measure,
    PlanStatus,
    RiskAssessment,
    SafetyPlan,
)
from crisiscell.counselling.services import (
    NoteView,
    SafetyPlanContent,
    decrypt_note,
    first_aid_window_open,
    may_break_glass,
)
from crisiscell.survivors.services import vault_read


def case_for_counselling(actor: User, code: str, action: Action = Action.VIEW) -> Case:
    """The case if the actor holds the counselling section in its cell; 404 for missing and forbidden alike."""
    return case_get_for(actor, code, Section.COUNSELLING, action)


def session_get_for(
    actor: User, session_id: str, section: Section = Section.COUNSELLING, action: Action = Action.VIEW
) -> CounsellingSession:
    session = (
        CounsellingSession.objects.select_related("case", "case__cell", "case__survivor", "note")
        .filter(pk=session_id)
        .first()
    )
    if session is None or not allows_in_cell(actor, session.case.cell, section, action):
        raise Http404
    return session


def note_read(actor: User, session_id: str) -> NoteView:
    """One session note, decrypted for a psychologist of the case's cell. Audits ``counselling.note_read``."""
    session = session_get_for(actor, session_id)
    if session.note is None:
        raise Http404
    audit_record(
        action="counselling.note_read",
        actor=actor,
        cell=session.case.cell,
        object_type="counselling",
        object_ref=session.case.code,
        details={"session": str(session.pk)},
    )
    return decrypt_note(session)


@dataclass(frozen=True)
class ChartSeries:
    instrument: str
    definition: instruments.Definition
    measures: list[Measure]


def survivor_measures(actor: User, case: Case) -> list[ChartSeries]:
    """Her measures over time, across her cases in cells where the actor holds counselling."""
    cells = cells_for(actor, Section.COUNSELLING, Action.VIEW)
    by_instrument: dict[str, list[Measure]] = defaultdict(list)
    for measure in (
        Measure.objects.filter(case__survivor_id=case.survivor_id, case__cell__in=cells)
        .select_related("case")
        .order_by("administered_at")
    ):
        by_instrument[measure.instrument].append(measure)
    return [
        ChartSeries(instrument, instruments.definition(instrument), by_instrument[instrument])
        for instrument in instruments.Instrument.values
        if by_instrument.get(instrument)
    ]


@dataclass
class CounsellingPage:
    case: Case
    plan: CounsellingPlan | None
    sessions: list[CounsellingSession]
    offer: Task | None
    consent_in_force: bool
    first_aid_without_consent: bool
    series: list[ChartSeries]
    measures: list[Measure]
    pending_follow_ups: list[Measure]
    risks: list[RiskAssessment]
    safety_plan: SafetyPlan | None
    break_glass: list[BreakGlassRead]
    notices: list[BreakGlassNotice]
    attended: int = 0
    next_session: CounsellingSession | None = None
    awaiting_contact: list[CounsellingSession] = field(default_factory=list)


def counselling_page_for(actor: User, case: Case, *, now: datetime | None = None) -> CounsellingPage:
    """The psychologist's page of a case, without note text. Audits ``counselling.viewed``."""
    if not allows_in_cell(actor, case.cell, Section.COUNSELLING, Action.VIEW):
        raise Http404
    now = now or timezone.now()
    audit_record(
        action="counselling.viewed", actor=actor, cell=case.cell, object_type="counselling", object_ref=case.code
    )
    sessions = list(CounsellingSession.objects.filter(case=case).select_related("guardian").order_by("scheduled_at"))
    measures = list(Measure.objects.filter(case=case).order_by("administered_at"))
    upcoming = [s for s in sessions if s.attendance == Attendance.SCHEDULED and s.scheduled_at >= now]
    return CounsellingPage(
        case=case,
        plan=CounsellingPlan.objects.filter(case=case).first(),
        sessions=sessions,
        offer=Task.objects.filter(case=case, kind=TaskKind.COUNSELLING).order_by("created_at").first(),
        consent_in_force=consent_in_force(case, ConsentPurpose.COUNSELLING) is not None,
        first_aid_without_consent=first_aid_window_open(case, now),
        series=survivor_measures(actor, case),
        measures=measures,
        pending_follow_ups=[m for m in measures if m.risk_follow_up_pending],
        risks=list(RiskAssessment.objects.filter(case=case).order_by("-assessed_at")),
        safety_plan=SafetyPlan.objects.filter(case=case).first(),
        break_glass=list(BreakGlassRead.objects.filter(case=case).order_by("-at")),
        notices=list(
            BreakGlassNotice.objects.filter(user=actor, read__case=case, seen_at__isnull=True).select_related("read")
        ),
        attended=sum(1 for s in sessions if s.attendance == Attendance.ATTENDED),
        next_session=upcoming[0] if upcoming else None,
        awaiting_contact=[s for s in sessions if s.awaiting_contact],
    )


def risk_history_for(actor: User, case: Case) -> list[tuple[RiskAssessment, str]]:
    """Risk assessments with their formulations decrypted; each decryption audited as a note read."""
    if not allows_in_cell(actor, case.cell, Section.COUNSELLING, Action.VIEW):
        raise Http404
    rows = []
    for assessment in RiskAssessment.objects.filter(case=case).select_related("note").order_by("-assessed_at"):
        text = ""
        if assessment.note is not None:
            audit_record(
                action="counselling.note_read",
                actor=actor,
                cell=case.cell,
                object_type="counselling",
                object_ref=case.code,
                details={"risk_assessment": str(assessment.pk)},
            )
            text = str(vault_read(assessment.note).get("formulation", ""))
        rows.append((assessment, text))
    return rows


def safety_plan_for(actor: User, case: Case) -> SafetyPlanContent | None:
    """Her safety plan, decrypted for a psychologist. Audits ``counselling.safety_plan_viewed``."""
    if not allows_in_cell(actor, case.cell, Section.COUNSELLING, Action.VIEW):
        raise Http404
    plan = SafetyPlan.objects.filter(case=case).select_related("content").first()
    if plan is None:
        return None
    audit_record(
        action="counselling.safety_plan_viewed",
        actor=actor,
        cell=case.cell,
        object_type="counselling",
        object_ref=case.code,
    )
    return SafetyPlanContent.from_payload(vault_read(plan.content))


# --- The team's view on the case page ----------------------------------------------------------


@dataclass(frozen=True)
class ContactOption:
    method: str
    refusal: str | None  # None: allowed now


@dataclass
class TeamView:
    """What the case page shows of counselling. Never a note, a score or a risk answer."""

    case: Case
    is_psychologist: bool
    is_team: bool
    can_act: bool  # case edit rights: contact attempts, the child protection referral
    may_break_glass: bool
    state: str  # "ongoing", "closed", "offered", "declined", "not_offered"
    next_session: CounsellingSession | None = None
    shared_flags: list[str] = field(default_factory=list)
    awaiting_contact: list[CounsellingSession] = field(default_factory=list)
    contact_options: list[ContactOption] = field(default_factory=list)
    child_protection_open: bool = False
    # For psychologists: what is owed on their own page.
    pending_follow_ups: int = 0
    unseen_notices: int = 0

    @property
    def contact_allowed_now(self) -> bool:
        return any(option.refusal is None for option in self.contact_options)

    @property
    def visible(self) -> bool:
        return self.is_psychologist or self.is_team or self.may_break_glass


def team_view_for(
    actor: User, case: Case, *, now: datetime | None = None, tasks: Iterable[Task] | None = None
) -> TeamView:
    """The counselling panel of a case page the actor has already opened (and audited).

    ``tasks``: all the case's tasks, oldest first, when the page has read them already.
    """
    now = now or timezone.now()
    is_psychologist = allows_in_cell(actor, case.cell, Section.COUNSELLING, Action.VIEW)
    is_team = any(role in COUNSELLING_TEAM_ROLES for role in roles_in(actor, case.cell))
    glass = may_break_glass(actor, case)
    view = TeamView(
        case=case,
        is_psychologist=is_psychologist,
        is_team=is_team,
        can_act=allows_in_cell(actor, case.cell, Section.CASE, Action.EDIT),
        may_break_glass=glass,
        state="",
    )
    if not (is_psychologist or is_team):
        return view
    plan = CounsellingPlan.objects.filter(case=case).only("status", "shared_flags").first()
    # The counselling offer (the first, as created) and whether a child protection referral is open, in one read.
    counted = [TaskKind.COUNSELLING, TaskKind.CHILD_PROTECTION]
    kinds = (
        list(Task.objects.filter(case=case, kind__in=counted).order_by("created_at").values_list("kind", "status"))
        if tasks is None
        else [(task.kind, task.status) for task in tasks if task.kind in counted]
    )
    offer_status = next((status for kind, status in kinds if kind == TaskKind.COUNSELLING), None)
    if plan is not None:
        view.state = "ongoing" if plan.status == PlanStatus.ACTIVE else "closed"
        view.shared_flags = plan.shared_flag_labels
    elif offer_status == TaskStatus.DECLINED:
        view.state = "declined"
    elif offer_status == TaskStatus.OPEN:
        view.state = "offered"
    else:
        view.state = "not_offered"
    # The next appointment and the missed sessions nobody has followed up yet, in one read.
    pending = list(
        CounsellingSession.objects.filter(case=case)
        .filter(
            Q(attendance=Attendance.SCHEDULED, scheduled_at__gte=now)
            | Q(attendance=Attendance.MISSED, contact_attempt__isnull=True)
        )
        .only("id", "case_id", "scheduled_at", "mode", "attendance", "contact_attempt_id", "kind")
        .order_by("scheduled_at")
    )
    view.next_session = next((s for s in pending if s.attendance == Attendance.SCHEDULED), None)
    view.awaiting_contact = [s for s in pending if s.attendance == Attendance.MISSED]
    if view.awaiting_contact:
        view.contact_options = [
            ContactOption(method, contact_allowed(case, method, now)) for method in ContactMethod.values
        ]
    view.child_protection_open = any(
        kind == TaskKind.CHILD_PROTECTION and status == TaskStatus.OPEN for kind, status in kinds
    )
    if is_psychologist:
        view.pending_follow_ups = Measure.objects.filter(
            case=case, needs_risk_assessment=True, risk_assessment__isnull=True
        ).count()
        view.unseen_notices = BreakGlassNotice.objects.filter(user=actor, read__case=case, seen_at__isnull=True).count()
    return view


# --- The psychologist's home -------------------------------------------------------------------


@dataclass
class Home:
    cell: Cell
    upcoming: list[CounsellingSession]
    awaiting_outcome: list[CounsellingSession]
    offers: list[Task]
    follow_ups: list[Measure]
    notices: list[BreakGlassNotice]
    ongoing: list[CounsellingPlan]


def home_for(actor: User, cell: Cell, *, now: datetime | None = None) -> Home:
    """A psychologist's work in a cell: sessions, offers to answer, risk follow-ups, notices.

    Audits ``counselling.listed``.
    """
    if not allows_in_cell(actor, cell, Section.COUNSELLING, Action.VIEW):
        raise Http404
    now = now or timezone.now()
    audit_record(action="counselling.listed", actor=actor, cell=cell, object_type="cell", object_ref=cell.code)
    scheduled: QuerySet[CounsellingSession] = CounsellingSession.objects.filter(
        case__cell=cell, attendance=Attendance.SCHEDULED
    ).select_related("case")
    return Home(
        cell=cell,
        upcoming=list(scheduled.filter(scheduled_at__gte=now).order_by("scheduled_at")[:50]),
        awaiting_outcome=list(scheduled.filter(scheduled_at__lt=now).order_by("scheduled_at")[:50]),
        offers=list(
            Task.objects.filter(case__cell=cell, kind=TaskKind.COUNSELLING, status=TaskStatus.OPEN)
            .select_related("case")
            .order_by("created_at")[:50]
        ),
        follow_ups=list(
            Measure.objects.filter(case__cell=cell, needs_risk_assessment=True, risk_assessment__isnull=True)
            .select_related("case")
            .order_by("administered_at")
        ),
        notices=list(
            BreakGlassNotice.objects.filter(user=actor, seen_at__isnull=True)
            .select_related("read", "read__case")
            .order_by("-created_at")
        ),
        ongoing=list(
            CounsellingPlan.objects.filter(case__cell=cell, status=PlanStatus.ACTIVE)
            .select_related("case")
            .order_by("created_at")[:200]
        ),
    )


def notice_get_for(actor: User, notice_id: int) -> BreakGlassNotice:
    notice = BreakGlassNotice.objects.filter(pk=notice_id, user=actor).select_related("read", "read__case").first()
    if notice is None:
        raise Http404
    return notice
