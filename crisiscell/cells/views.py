"""The duty roster of a cell: who is on duty when, and where the roster falls short.

Every member of the cell who may see its case summaries reads the roster; the cell
head (administration edit) changes it through the POST views below.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crisiscell.access.decorators import requires
from crisiscell.access.policy import Action, Section
from crisiscell.access.scoping import allows_in_cell
from crisiscell.accounts.models import User
from crisiscell.cells import selectors, services
from crisiscell.cells.forms import AssignForm, ShiftForm, StandardWeekForm
from crisiscell.cells.models import Cell

# Today and the seven days ahead.
DAYS_SHOWN = 8
# How far back and ahead the roster can be browsed.
BROWSE_DAYS = 366


def _actor(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def _today() -> date:
    return timezone.localdate(timezone=timezone.get_default_timezone())


def _start_day(value: str | None) -> date:
    """The first day shown (``?start=YYYY-MM-DD``, Karachi date); today if absent, malformed or
    more than a year away (which also keeps date arithmetic far from its limits).
    """
    today = _today()
    try:
        day = date.fromisoformat(value) if value else today
    except ValueError:
        return today
    return day if abs((day - today).days) <= BROWSE_DAYS else today


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=timezone.get_default_timezone())


def _back(cell: Cell, request: HttpRequest) -> HttpResponseRedirect:
    """Back to the roster page the form was sent from."""
    url = reverse("cells:roster", kwargs={"cell_code": cell.code})
    start = _start_day(request.POST.get("start"))
    return HttpResponseRedirect(url if start == _today() else f"{url}?start={start.isoformat()}")


def _attach(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _render_roster(
    request: HttpRequest,
    actor: User,
    cell: Cell,
    start_day: date,
    *,
    shift_form: ShiftForm | None = None,
    week_form: StandardWeekForm | None = None,
    status: int = 200,
) -> HttpResponse:
    roster = selectors.roster_for(
        actor, cell, _midnight(start_day), _midnight(start_day + timedelta(days=DAYS_SHOWN)), now=timezone.now()
    )
    can_edit = allows_in_cell(actor, cell, Section.ADMINISTRATION, Action.EDIT)
    context: dict[str, Any] = {
        "cell": cell,
        "roster": roster,
        "start": start_day,
        "previous_start": start_day - timedelta(days=7),
        "next_start": start_day + timedelta(days=7),
        "is_today": start_day == _today(),
        "can_edit": can_edit,
    }
    if can_edit:
        # Every shift row carries its own small assign form; they share these choices.
        context["assign_choices"] = AssignForm(selectors.rosterable_memberships(actor, cell)).choices
        context["shift_form"] = shift_form or ShiftForm()
        context["week_form"] = week_form or StandardWeekForm(initial={"first_day": start_day, "days": 7})
    return render(request, "cells/roster.html", context, status=status)


@requires(Section.CASE, Action.VIEW)
def roster(request: HttpRequest, cell_code: str) -> HttpResponse:
    """Today and the next seven days: the shifts, who is on duty in which role, and the gaps."""
    actor = _actor(request)
    cell = selectors.cell_get_for(actor, cell_code, Section.CASE, Action.VIEW)
    return _render_roster(request, actor, cell, _start_day(request.GET.get("start")))


@requires(Section.ADMINISTRATION, Action.EDIT)
@require_POST
def shift_create(request: HttpRequest, cell_code: str) -> HttpResponse:
    actor = _actor(request)
    cell = selectors.cell_get_for(actor, cell_code, Section.ADMINISTRATION, Action.EDIT)
    form = ShiftForm(request.POST)
    if form.is_valid():
        try:
            services.shift_create(actor=actor, cell=cell, **form.cleaned_data)
        except ValidationError as error:
            _attach(form, error)
        else:
            messages.success(request, _("The shift was added."))
            return _back(cell, request)
    start_day = _start_day(request.POST.get("start"))
    return _render_roster(request, actor, cell, start_day, shift_form=form, status=400)


@requires(Section.ADMINISTRATION, Action.EDIT)
@require_POST
def shift_week(request: HttpRequest, cell_code: str) -> HttpResponse:
    actor = _actor(request)
    cell = selectors.cell_get_for(actor, cell_code, Section.ADMINISTRATION, Action.EDIT)
    form = StandardWeekForm(request.POST)
    if form.is_valid():
        try:
            result = services.shifts_create_standard(actor=actor, cell=cell, **form.cleaned_data)
        except ValidationError as error:
            _attach(form, error)
        else:
            messages.success(
                request,
                _("Standard shifts added: %(added)d. Already planned and kept: %(skipped)d.")
                % {"added": len(result.created), "skipped": result.skipped},
            )
            return _back(cell, request)
    start_day = _start_day(request.POST.get("start"))
    return _render_roster(request, actor, cell, start_day, week_form=form, status=400)


@requires(Section.ADMINISTRATION, Action.EDIT)
@require_POST
def shift_delete(request: HttpRequest, cell_code: str, shift_id: UUID) -> HttpResponse:
    actor = _actor(request)
    cell = selectors.cell_get_for(actor, cell_code, Section.ADMINISTRATION, Action.EDIT)
    shift = selectors.shift_get_for(actor, cell, shift_id)
    try:
        services.shift_delete(actor=actor, shift=shift)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The shift was deleted."))
    return _back(cell, request)


@requires(Section.ADMINISTRATION, Action.EDIT)
@require_POST
def assignment_add(request: HttpRequest, cell_code: str, shift_id: UUID) -> HttpResponse:
    actor = _actor(request)
    cell = selectors.cell_get_for(actor, cell_code, Section.ADMINISTRATION, Action.EDIT)
    shift = selectors.shift_get_for(actor, cell, shift_id)
    form = AssignForm(selectors.rosterable_memberships(actor, cell), request.POST)
    if not form.is_valid():
        messages.error(request, _("Not assigned: choose a staff member and role."))
        return _back(cell, request)
    membership = form.cleaned_data["membership"]
    try:
        services.assignment_add(actor=actor, shift=shift, user=membership.user, role=membership.role)
    except ValidationError as error:
        messages.error(request, _("Not assigned: %(reason)s") % {"reason": " ".join(error.messages)})
    else:
        messages.success(request, _("%(name)s is on the shift.") % {"name": membership.user.display_name})
    return _back(cell, request)


@requires(Section.ADMINISTRATION, Action.EDIT)
@require_POST
def assignment_remove(request: HttpRequest, cell_code: str, assignment_id: UUID) -> HttpResponse:
    actor = _actor(request)
    cell = selectors.cell_get_for(actor, cell_code, Section.ADMINISTRATION, Action.EDIT)
    assignment = selectors.assignment_get_for(actor, cell, assignment_id)
    services.assignment_remove(actor=actor, assignment=assignment)
    messages.success(request, _("%(name)s was taken off the shift.") % {"name": assignment.user.display_name})
    return _back(cell, request)
