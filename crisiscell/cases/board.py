"""Reads for the golden-hour board: every open case of a cell with its clocks and duties.

The number of queries does not grow with the number of cases: one for the cases,
one for their tasks, one for the clock resolutions, one for the rules in force, one
per justice table for the milestones (and one audit insert). Clocks are computed in
Python from those rows.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from django.db.models import CharField, Count, Q, QuerySet
from django.db.models.functions import Cast
from django.http import Http404

from crisiscell.access.policy import Action, Section
from crisiscell.access.scoping import allows_in_cell
from crisiscell.accounts.models import User
from crisiscell.audit.services import audit_record
from crisiscell.cases.clocks import (
    CaseFacts,
    Clock,
    ClockPlan,
    DelayedPath,
    Resolution,
    Urgency,
    most_urgent,
)
from crisiscell.cases.deadlines import Rule
from crisiscell.cases.models import Case, CaseStatus, ClockResolution, ClockState, Task, TaskKind, TaskStatus
from crisiscell.cases.rules_in_force import rules_in_force
from crisiscell.cells.models import Cell
from crisiscell.core.rows import fetch_rows

FILTERS = ("mine", "unassigned", "children", "overdue")


class BoardCase(NamedTuple):
    """The columns of a case the board reads (clocks, tags, filters), as a tuple, not a model.

    The board reads hundreds of cases every 30 seconds; a model instance per case
    cost more than the clocks themselves. Field names match ``Case``'s, so the clock
    code reads either.
    """

    id: Any
    code: str
    arrival_at: datetime
    incident_time_kind: str
    incident_at: datetime | None
    incident_earliest: datetime | None
    incident_latest: datetime | None
    survivor_sex: str
    survivor_age_years: int | None
    choice_medical: str
    choice_evidence: str
    choice_police: str
    risk_immediate_danger: bool
    risk_self_harm: bool
    child_protection_flag: bool
    cell: Cell

    @property
    def pk(self) -> Any:
        return self.id

    @property
    def cell_id(self) -> Any:
        return self.cell.pk

    @property
    def is_child(self) -> bool:
        return self.survivor_age_years is not None and self.survivor_age_years < 18

    @property
    def arita_applies(self) -> bool:
        return self.survivor_sex == "female" or self.is_child


BOARD_CASE_FIELDS = BoardCase._fields[:-1]  # every column but the cell, which the board already has
# Follow-ups show on the board from this long before they are due.
FOLLOW_UP_LEAD = timedelta(days=2)
_NO_TIME = timedelta(0)

# Later records feed the clocks their facts (the justice milestones) through these:
# each takes the case ids and returns, per case id, ``CaseFacts`` field values, in a
# fixed number of queries whatever the number of cases. Registered by the app's ``ready()``.
# The cases come as a list of ids or as a query of them (the board passes a query: a
# subquery costs less than hundreds of bound ids).
CaseIds = Sequence[Any] | QuerySet[Case, Any]
FactSource = Callable[[CaseIds], dict[Any, dict[str, Any]]]
FACT_SOURCES: list[FactSource] = []


def register_fact_source(source: FactSource) -> None:
    if source not in FACT_SOURCES:
        FACT_SOURCES.append(source)


def facts_for(
    case: Case | BoardCase,
    tasks: Sequence[Task | TaskRow],
    resolutions: Sequence[ClockResolution | ResolutionRow],
    recorded: dict[str, Any] | None = None,
) -> CaseFacts:
    facts = CaseFacts(
        arrival_at=case.arrival_at,
        incident_kind=case.incident_time_kind,
        incident_at=case.incident_at,
        incident_earliest=case.incident_earliest,
        incident_latest=case.incident_latest,
        sex=case.survivor_sex,
        age_years=case.survivor_age_years,
        choice_medical=case.choice_medical,
        choice_evidence=case.choice_evidence,
        choice_police=case.choice_police,
    )
    for task in tasks:
        if task.kind in _CLOCK_DUTIES and task.status != _OPEN:
            facts.duties_closed_as[task.kind] = task.status
            if task.closed_at is not None:
                facts.duties_done[task.kind] = task.closed_at
    if facts.duties_closed_as.get(_FIR) == _DONE:
        facts.fir_at = facts.duties_done.get(_FIR)
    if recorded:
        for name, value in recorded.items():
            setattr(facts, name, value)
        if recorded.get("fir_at") is not None:
            # The police case is the record of the FIR: its registration time stops the FIR clock.
            facts.duties_closed_as[_FIR] = _DONE
            facts.duties_done[_FIR] = recorded["fir_at"]
    if resolutions:
        for resolution in sorted(resolutions, key=lambda r: r.recorded_at):
            facts.resolutions[resolution.clock_key] = Resolution(resolution.state, resolution.done_at)
    return facts


# Plain strings (an enum member hashes in Python, a str in C): compared thousands of times a request.
_MLE, _FIR, _FOLLOW_UP = TaskKind.MLE.value, TaskKind.FIR.value, TaskKind.FOLLOW_UP.value
_OPEN, _DONE = TaskStatus.OPEN.value, TaskStatus.DONE.value
_CLOCK_DUTIES = frozenset({_MLE, _FIR})


@dataclass
class FollowUp:
    task: Any  # a TaskRow
    due: datetime
    overdue: bool
    left: timedelta  # until it is due (negative once overdue), from the board's moment

    def urgency(self) -> tuple[int, timedelta]:
        """``Clock.urgency`` for a visit: past its day it is overdue work, else open work."""
        return (Urgency.OVERDUE, -self.left) if self.overdue else (Urgency.OPEN, self.left)


@dataclass
class BoardRow:
    case: Case | BoardCase
    clocks: list[Clock]
    urgent: Clock | None
    open_tasks: list[Any]  # TaskRow
    follow_ups: list[FollowUp] = field(default_factory=list)
    delayed: DelayedPath | None = None

    @property
    def overdue(self) -> bool:
        """Work is late and still due: a target passed, or a follow-up visit (``Clock.overdue``)."""
        return any(c.overdue for c in self.clocks) or any(f.overdue for f in self.follow_ups)

    def sort_key(self) -> tuple[int, timedelta, str]:
        """The row's most urgent item, clock or follow-up, in ``Clock.urgency``'s order.

        A follow-up due soon is open work; one past its day is overdue work.
        """
        key = self.urgent.urgency() if self.urgent is not None else (Urgency.SETTLED, _NO_TIME)
        for f in self.follow_ups:
            key = min(key, f.urgency())
        tier, left = key
        return (tier, left, self.case.code)


def _follow_ups(case: Case | BoardCase, tasks: Sequence[Any], rules: dict[str, Rule], now: datetime) -> list[FollowUp]:
    due = []
    for task in tasks:
        if task.kind != _FOLLOW_UP or task.status != _OPEN or task.rule_key not in rules:
            continue
        when = case.arrival_at + timedelta(hours=rules[task.rule_key].hours)
        if when - FOLLOW_UP_LEAD <= now:
            due.append(FollowUp(task, when, when < now, when - now))
    return due


class TaskRow(NamedTuple):
    """What the board needs of a task, read without building a model instance per task.

    The id is kept as the database returned it (text) and made a UUID only when a
    link needs it: converting thousands of ids per refresh cost more than the clocks.
    """

    raw_id: str
    case: Case | BoardCase
    kind: str
    rule_key: str
    status: str
    owner_id: int | None
    owner_username: str
    closed_at: datetime | None

    @property
    def pk(self) -> uuid.UUID:
        return uuid.UUID(self.raw_id)

    @property
    def case_id(self) -> Any:
        return self.case.pk


# The task's id as text (no UUID conversion) and its case's code (unique), to match it to its case.
_TASK_COLUMNS = (
    Cast("id", output_field=CharField()), "case__code", "kind", "rule_key", "status", "owner_id", "owner__username",
    "closed_at",
)  # fmt: skip


_make_row = tuple.__new__  # a row with every field given, without the named tuple's generated __new__


class ResolutionRow(NamedTuple):
    case_id: Any
    clock_key: str
    state: str
    done_at: datetime | None
    recorded_at: datetime


def build_rows(
    cases: Sequence[Case | BoardCase],
    now: datetime,
    rules: dict[str, Rule],
    *,
    live_only: bool = False,
    scope: QuerySet[Case, Any] | None = None,
    through: Q | None = None,
    known_tasks: Sequence[Task] | None = None,
) -> list[BoardRow]:
    """Board rows for these cases, with a fixed number of queries whatever their number.

    Two (tasks, clock resolutions), and the fixed few each registered fact source reads.

    ``live_only``: only the clocks that can be open or missed (the board); the case
    page asks for all of them. ``scope``: a query of the same cases' ids, which the
    related rows are read through instead of a list of every id; ``through``: the same
    cases as a condition on ``case__`` fields, which the tasks and resolutions are read
    with in one join (the tasks need the case's code; a subquery as well would read every
    case twice). ``known_tasks``: every task of the one case given, already read (the case
    page lists them anyway).
    """
    ids: CaseIds = scope if scope is not None else [case.pk for case in cases]
    of_these_cases = through if through is not None else Q(case_id__in=ids)
    by_code = {case.code: case for case in cases}
    tasks: dict[str, list[TaskRow]] = defaultdict(list)
    # Open work (follow-ups only once they are near), and the closed duties whose
    # completion stops a clock.
    near = Q()
    for key in {t for t in rules if t.startswith(("fu_", "pep_course"))}:
        shows_from = now - timedelta(hours=rules[key].hours) + FOLLOW_UP_LEAD
        near |= Q(rule_key=key, case__arrival_at__lte=shows_from)
    relevant = (Q(status=TaskStatus.OPEN) & (~Q(kind=TaskKind.FOLLOW_UP) | near)) | Q(
        kind__in=[TaskKind.MLE, TaskKind.FIR]
    )
    if known_tasks is not None:
        if len(cases) != 1:
            raise ValueError("Known tasks are the tasks of one case.")
        tasks[cases[0].code] = list(known_tasks)  # type: ignore[arg-type]  # a Task reads as a TaskRow
    else:
        task_query = Task.objects.filter(of_these_cases).filter(relevant).order_by("created_at")
        for raw_id, code, kind, rule_key, status, owner_id, username, closed_at in fetch_rows(
            task_query.values_list(*_TASK_COLUMNS)
        ):
            case = by_code.get(code)
            if case is not None:  # a case opened since the cases were read waits for the next refresh
                tasks[code].append(
                    _make_row(TaskRow, (raw_id, case, kind, rule_key, status, owner_id, username or "", closed_at))
                )
    resolutions: dict[Any, list[ResolutionRow]] = defaultdict(list)
    for values in ClockResolution.objects.filter(of_these_cases).values_list(*ResolutionRow._fields):
        resolutions[values[0]].append(ResolutionRow._make(values))
    recorded: dict[Any, dict[str, Any]] = defaultdict(dict)
    for source in FACT_SOURCES:
        for case_id, values in source(ids).items():
            recorded[case_id].update(values)
    plan = ClockPlan(rules, {key: str(rule.label) for key, rule in rules.items()})
    rows = []
    for case in cases:
        case_tasks = tasks[case.code]
        facts = facts_for(case, case_tasks, resolutions[case.pk], recorded.get(case.pk))
        clocks = plan.clocks(facts, now, live_only=live_only)
        rows.append(
            BoardRow(
                case=case,
                clocks=clocks,
                urgent=most_urgent(clocks),
                open_tasks=[t for t in case_tasks if t.status == _OPEN and t.kind != _FOLLOW_UP],
                follow_ups=_follow_ups(case, case_tasks, rules, now),
                delayed=plan.delayed(facts),
            )
        )
    rows.sort(key=BoardRow.sort_key)
    return rows


def _keep(row: BoardRow, me: Any, filt: str | None) -> bool:
    """``me``: the viewer's id, read once (the request's user is a lazy proxy, slow to ask per task)."""
    if filt == "mine":
        return any(t.owner_id == me for t in row.open_tasks) or any(f.task.owner_id == me for f in row.follow_ups)
    if filt == "unassigned":
        return any(t.owner_id is None for t in row.open_tasks)
    if filt == "children":
        return row.case.is_child
    if filt == "overdue":
        return row.overdue
    return True


def board_for(actor: User, cell: Cell, *, now: datetime, filt: str | None = None) -> list[BoardRow]:
    """The cell's open cases, most urgent first. Audits ``case.listed`` (the board view)."""
    if not allows_in_cell(actor, cell, Section.CASE, Action.VIEW):
        raise Http404
    audit_record(
        action="case.listed",
        actor=actor,
        cell=cell,
        object_type="cell",
        object_ref=cell.code,
        details={"view": "board"},
    )
    open_cases = Case.objects.filter(cell=cell, status=CaseStatus.OPEN)
    cases = [
        BoardCase._make((*values, cell))  # every case is this cell's: no join, no query
        for values in fetch_rows(open_cases.values_list(*BOARD_CASE_FIELDS))
    ]
    rows = build_rows(
        cases,
        now,
        rules_in_force(),
        live_only=True,
        scope=open_cases.values("pk"),
        through=Q(case__cell=cell, case__status=CaseStatus.OPEN),
    )
    me = actor.pk
    return [row for row in rows if _keep(row, me, filt)]


def board_row_for(actor: User, case: Case, *, now: datetime) -> BoardRow:
    """One row, after a task was taken from the board."""
    if not allows_in_cell(actor, case.cell, Section.CASE, Action.VIEW):
        raise Http404
    return build_rows([case], now, rules_in_force())[0]


def case_clocks(case: Case, *, now: datetime, tasks: Sequence[Task] | None = None) -> BoardRow:
    """The clocks, duties and follow-ups of one case, for its case page (``tasks``: all of its tasks, if read)."""
    return build_rows([case], now, rules_in_force(), known_tasks=tasks)[0]


@dataclass(frozen=True)
class CellCounts:
    cell: Cell
    open_cases: int
    children: int
    overdue: int
    missed_clocks: int


def national_counts(actor: User, *, now: datetime) -> list[CellCounts]:
    """Counts per cell for the national view: never a code, never an identity."""
    cells = list(Cell.objects.filter(is_active=True).order_by("code"))
    totals: dict[Any, dict[str, Any]] = {
        row["cell_id"]: dict(row)
        for row in Case.objects.filter(status=CaseStatus.OPEN)
        .values("cell_id")
        .annotate(n=Count("id"), children=Count("id", filter=Q(survivor_age_years__lt=18)))
    }
    open_cases = list(Case.objects.filter(status=CaseStatus.OPEN))
    rows = build_rows(open_cases, now, rules_in_force())
    overdue: dict[object, int] = defaultdict(int)
    missed: dict[object, int] = defaultdict(int)
    for row in rows:
        overdue[row.case.cell_id] += int(row.overdue)
        missed[row.case.cell_id] += sum(1 for c in row.clocks if c.state == ClockState.MISSED)
    audit_record(action="stats.viewed", actor=actor, object_type="board", object_ref="national")
    return [
        CellCounts(
            cell,
            totals.get(cell.pk, {}).get("n", 0),
            totals.get(cell.pk, {}).get("children", 0),
            overdue[cell.pk],
            missed[cell.pk],
        )
        for cell in cells
    ]
