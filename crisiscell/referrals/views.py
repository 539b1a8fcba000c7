"""Referrals and transfers: thin views over the selectors and services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crisiscell.access.decorators import requires
from crisiscell.access.policy import Action, Section
from crisiscell.accounts.models import User
from crisiscell.cases.selectors import case_get_for
from crisiscell.cases.services import ConsentRequired
from crisiscell.cells.selectors import cell_get_for
from crisiscell.referrals import selectors, services
from crisiscell.referrals.forms import ReferralForm, TransferDeclineForm, TransferRequestForm, TransitionForm


def _actor(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):  # the access middleware admits only staff; never reached
        raise PermissionDenied
    return user


def _say(request: HttpRequest, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


@requires(Section.CASE, Action.EDIT)
@require_POST
def referral_create(request: HttpRequest, code: str) -> HttpResponse:
    actor = _actor(request)
    case = case_get_for(actor, code, Section.CASE, Action.EDIT)
    form = ReferralForm(request.POST)
    if form.is_valid():
        try:
            services.referral_create(actor=actor, case=case, **form.cleaned_data)
        except ConsentRequired as refusal:
            messages.error(request, str(refusal))
        except ValidationError as error:
            _say(request, error)
        else:
            messages.success(request, _("Referral recorded."))
    else:
        messages.error(
            request, _("The referral was not recorded: choose where, name the organisation, say what for and by when.")
        )
    return redirect("cases:detail", code=case.code)


@requires(Section.CASE, Action.EDIT)
@require_POST
def referral_transition(request: HttpRequest, referral_id: str) -> HttpResponse:
    actor = _actor(request)
    referral = selectors.referral_get_for(actor, referral_id, Action.EDIT)
    form = TransitionForm(request.POST)
    if form.is_valid():
        try:
            services.referral_transition(actor=actor, referral=referral, **form.cleaned_data)
        except ValidationError as error:
            _say(request, error)
        else:
            messages.success(request, _("Recorded."))
    else:
        messages.error(request, _("Not recorded: choose what happened."))
    return redirect("cases:detail", code=referral.case.code)


@requires(Section.CASE, Action.EDIT)
@require_POST
def transfer_request(request: HttpRequest, code: str) -> HttpResponse:
    actor = _actor(request)
    case = case_get_for(actor, code, Section.CASE, Action.EDIT)
    form = TransferRequestForm(request.POST, current_cell=case.cell)
    if form.is_valid():
        try:
            services.transfer_request(actor=actor, case=case, **form.cleaned_data)
        except ValidationError as error:
            _say(request, error)
        else:
            messages.success(request, _("Transfer requested. The case stays here until the receiving cell accepts."))
    else:
        messages.error(request, _("The transfer was not requested: choose another active cell and say why."))
    return redirect("cases:detail", code=case.code)


@requires(Section.CASE, Action.VIEW)
def transfer_list(request: HttpRequest, cell_code: str) -> HttpResponse:
    """A cell's transfers: those waiting for it to decide, and the cases it handed over."""
    actor = _actor(request)
    cell = cell_get_for(actor, cell_code, Section.CASE, Action.VIEW)
    with transaction.atomic():
        transfers = selectors.transfers_of_cell(actor, cell)
    return render(
        request,
        "referrals/transfer_list.html",
        {"cell": cell, "incoming": transfers.incoming, "outgoing": transfers.outgoing},
    )


@requires(Section.CASE, Action.EDIT)
def transfer_review(request: HttpRequest, transfer_id: str) -> HttpResponse:
    """The receiving cell's view of a pending transfer: a summary to decide on, no identity."""
    actor = _actor(request)
    with transaction.atomic():
        pending = selectors.transfer_pending_for(actor, transfer_id)
    return render(
        request,
        "referrals/transfer_review.html",
        {"pending": pending, "decline_form": TransferDeclineForm()},
    )


@requires(Section.CASE, Action.EDIT)
@require_POST
def transfer_accept(request: HttpRequest, transfer_id: str) -> HttpResponse:
    actor = _actor(request)
    pending = selectors.transfer_pending_for(actor, transfer_id, audit=False)
    try:
        services.transfer_accept(actor=actor, transfer=pending.transfer)
    except ValidationError as error:
        _say(request, error)
        return redirect("referrals:transfer_list", cell_code=pending.transfer.to_cell.code)
    messages.success(request, _("Transfer accepted. The case is now held by this cell."))
    return redirect("cases:detail", code=pending.case_code)


@requires(Section.CASE, Action.EDIT)
@require_POST
def transfer_decline(request: HttpRequest, transfer_id: str) -> HttpResponse:
    actor = _actor(request)
    pending = selectors.transfer_pending_for(actor, transfer_id, audit=False)
    form = TransferDeclineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Not declined: say why."))
        return redirect("referrals:transfer_review", transfer_id=pending.transfer.pk)
    try:
        services.transfer_decline(actor=actor, transfer=pending.transfer, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        _say(request, error)
    else:
        messages.success(request, _("Transfer declined. The case stays with the sending cell."))
    return redirect("referrals:transfer_list", cell_code=pending.transfer.to_cell.code)


@requires(Section.CASE, Action.VIEW)
def transferred_out(request: HttpRequest, transfer_id: str) -> HttpResponse:
    """The sending cell's read-only record of a case it handed over: only what it recorded itself."""
    actor = _actor(request)
    with transaction.atomic():
        record = selectors.transferred_out_record(actor, transfer_id)
    return render(request, "referrals/transferred_out.html", {"record": record})
