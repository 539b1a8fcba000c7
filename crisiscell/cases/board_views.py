"""The golden-hour board, the national view, the rules in force, tasks and clocks."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crisiscell.access.decorators import requires, staff
from crisiscell.access.policy import Action, Section
from crisiscell.access.scoping import allows_nationally
from crisiscell.accounts.models import User
from crisiscell.cases import board, duties, selectors
from crisiscell.cases.board_render import RowRenderer
from crisiscell.cases.forms import AlertsReadForm, ClockResolveForm, ContactForm, TaskCloseForm
from crisiscell.cases.models import Task
from crisiscell.cases.rules_in_force import rules_in_force
from crisiscell.cells.models import Cell
from crisiscell.cells.selectors import cell_get_for, coverage_warnings_next_hours

POLL_SECONDS = 30


def _actor(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def _filter(request: HttpRequest) -> str | None:
    value = request.GET.get("filter")
    return value if value in board.FILTERS else None


def _board_rows_html(actor: User, cell: Cell, filt: str | None) -> SafeString:
    """The board's rows as HTML, rendered here rather than from the template context.

    The template context takes part in reference cycles, so rows placed in it (with
    their clocks and tasks, some 25,000 objects on a large board) outlived the request
    until the garbage collector found them: 5 to 8 ms of collection per refresh. Made
    and dropped here, they are freed as soon as the HTML is written.
    """
    with transaction.atomic():
        rows = board.board_for(actor, cell, now=timezone.now(), filt=filt)
    return RowRenderer(actor).rows(rows)


@requires(Section.CASE, Action.VIEW)
def board_page(request: HttpRequest, cell_code: str) -> HttpResponse:
    actor = _actor(request)
    cell = cell_get_for(actor, cell_code, Section.CASE, Action.VIEW)
    filt = _filter(request)
    rows_html = _board_rows_html(actor, cell, filt)
    # Duty roster: the coverage gaps of the next 24 hours, shown under the heading.
    coverage_gaps = coverage_warnings_next_hours(actor, cell, now=timezone.now(), hours=24)
    return render(
        request,
        "cases/board.html",
        {
            "cell": cell,
            "rows_html": rows_html,
            "filter": filt,
            "filters": board.FILTERS,
            "poll_seconds": POLL_SECONDS,
            "coverage_gaps": coverage_gaps,
        },
    )


@requires(Section.CASE, Action.VIEW, passive=True)
def board_rows(request: HttpRequest, cell_code: str) -> HttpResponse:
    """The board's rows alone, for the live refresh. Polling does not count as activity."""
    actor = _actor(request)
    cell = cell_get_for(actor, cell_code, Section.CASE, Action.VIEW)
    filt = _filter(request)
    return render(
        request,
        "cases/_board_rows.html",
        {"cell": cell, "rows_html": _board_rows_html(actor, cell, filt), "filter": filt, "poll_seconds": POLL_SECONDS},
    )


@requires(Section.STATISTICS, Action.VIEW)
def national_board(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not allows_nationally(actor, Section.STATISTICS, Action.VIEW):
        raise PermissionDenied  # a cell's statistics are its own; the network view is national
    with transaction.atomic():
        counts = board.national_counts(actor, now=timezone.now())
    return render(request, "cases/national_board.html", {"counts": counts})


@staff
def rules_page(request: HttpRequest) -> HttpResponse:
    """The rules in force, with their sources and tags: which are law, which are targets."""
    rules = sorted(rules_in_force().values(), key=lambda r: (str(r.anchor), r.hours))
    return render(request, "cases/rules.html", {"rules": rules})


def _task_for(actor: User, task_id: object) -> Task:
    """The task, if the actor may see its case; 404 for a missing, malformed or forbidden id alike."""
    try:
        task_uuid = uuid.UUID(str(task_id))
    except ValueError:
        raise Http404 from None
    task = Task.objects.select_related("case", "case__cell", "owner").filter(pk=task_uuid).first()
    if task is None:
        raise Http404
    selectors.case_get_for(actor, task.case.code)  # 404 unless the actor may see the case
    return task


@requires(Section.CASE, Action.VIEW)
@require_POST
def task_take(request: HttpRequest) -> HttpResponse:
    """One click on the board or the case page: this task is mine now.

    The task comes in the body (the button's value), not the address: the board
    carries one short button per task and no task id reaches an access log.
    """
    actor = _actor(request)
    task = _task_for(actor, request.POST.get("task", ""))
    try:
        duties.task_take(actor=actor, task=task)
    except PermissionDenied:
        messages.error(request, _("Your role cannot take this task."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    if request.htmx:  # type: ignore[attr-defined]
        with transaction.atomic():
            row = board.board_row_for(actor, task.case, now=timezone.now())
        return render(request, "cases/_board_row.html", {"row_html": RowRenderer(actor).row(row)})
    if request.POST.get("return_to") == "case":
        return redirect("cases:detail", code=task.case.code)
    return redirect("cases:board", cell_code=task.case.cell.code)


@requires(Section.CASE, Action.VIEW)
@require_POST
def task_close(request: HttpRequest, task_id: str) -> HttpResponse:
    actor = _actor(request)
    task = _task_for(actor, task_id)
    form = TaskCloseForm(request.POST)
    if form.is_valid():
        try:
            duties.task_close(
                actor=actor,
                task=task,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
                done_at=form.cleaned_data["done_at"],
            )
        except PermissionDenied:
            messages.error(request, _("Your role cannot close this task."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Recorded."))
    else:
        messages.error(request, _("Not recorded: choose what happened, and say why if it was not done."))
    return redirect("cases:detail", code=task.case.code)


@requires(Section.CASE, Action.VIEW)
@require_POST
def clock_resolve(request: HttpRequest, code: str) -> HttpResponse:
    actor = _actor(request)
    case = selectors.case_get_for(actor, code)
    form = ClockResolveForm(request.POST)
    if form.is_valid():
        try:
            duties.clock_resolve(actor=actor, case=case, **form.cleaned_data)
        except PermissionDenied:
            messages.error(request, _("Your role cannot record this."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Recorded."))
    else:
        messages.error(request, _("Not recorded: check the answers."))
    return redirect("cases:detail", code=case.code)


@requires(Section.CASE, Action.EDIT)
@require_POST
def contact_attempt(request: HttpRequest, code: str) -> HttpResponse:
    actor = _actor(request)
    case = selectors.case_get_for(actor, code, Section.CASE, Action.EDIT)
    form = ContactForm(request.POST)
    if form.is_valid():
        try:
            duties.contact_attempt_record(actor=actor, case=case, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Contact attempt recorded."))
    else:
        messages.error(request, _("Not recorded: choose how and what happened."))
    return redirect("cases:detail", code=case.code)


@staff
def alerts_page(request: HttpRequest) -> HttpResponse:
    unread, read = selectors.alerts_for(_actor(request))
    return render(request, "cases/alerts.html", {"unread": unread, "read": read})


@staff
@require_POST
def alerts_read(request: HttpRequest) -> HttpResponse:
    """Mark one line of her alerts read (a case and kind, in the body), or every unread one."""
    form = AlertsReadForm(request.POST)
    if not form.is_valid():
        raise Http404
    duties.alerts_mark_read(actor=_actor(request), case_id=form.cleaned_data["case"], kind=form.cleaned_data["kind"])
    return redirect("cases:alerts")
