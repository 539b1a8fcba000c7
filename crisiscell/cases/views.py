"""Intake, the case list, the case page, case edits and the consent ledger."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, NamedTuple

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crisiscell.access.decorators import requires
from crisiscell.access.policy import Action, Section
from crisiscell.access.scoping import allows_in_cell
from crisiscell.accounts.models import User
from crisiscell.cases import board, selectors, services
from crisiscell.cases.codes import format_reference
from crisiscell.cases.duties import contact_messages
from crisiscell.cases.forms import (
    DATETIME_FORMAT,
    TASK_ID_SLOT,
    CaseEditForm,
    ClockResolveForm,
    ConsentForm,
    ContactForm,
    IntakeForm,
    LookupForm,
    TaskCloseForm,
)
from crisiscell.cases.models import Case, ChildAssent, Consent, ConsentDecision, IntakeDraft
from crisiscell.cells.selectors import cell_get_for
from crisiscell.core.blank_forms import blank_fields
from crisiscell.core.times import local_minute
from crisiscell.referrals import selectors as referral_selectors
from crisiscell.survivors.models import Guardian
from crisiscell.survivors.services import vault_read


def _actor(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):  # the access middleware admits only staff; never reached
        raise PermissionDenied
    return user


def _attach(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _raw_answers(request: HttpRequest) -> dict[str, Any]:
    """The posted answers as they were typed (lists for multi-valued fields), for a draft."""
    skip = {"csrfmiddlewaretoken", "action"}
    return {k: request.POST.getlist(k) for k in request.POST if k not in skip}


def _initial_from_answers(answers: dict[str, Any]) -> dict[str, Any]:
    multi = {"offences", "disabilities"}
    return {k: (v if k in multi else (v[-1] if v else "")) for k, v in answers.items()}


@requires(Section.IDENTITY, Action.EDIT)
def intake(request: HttpRequest, cell_code: str, draft_id: str | None = None) -> HttpResponse:
    """The desk officer's one-page intake: look up, save a draft, or register."""
    actor = _actor(request)
    cell = cell_get_for(actor, cell_code, Section.IDENTITY, Action.EDIT)
    draft: IntakeDraft | None = None
    with transaction.atomic():
        if draft_id is not None:
            draft = selectors.draft_get_for(actor, cell, draft_id)
            answers = vault_read(draft.data)
    action = request.POST.get("action") if request.method == "POST" else None
    lookup_form = LookupForm(request.POST if action == "lookup" else None)
    matches: list[selectors.LookupMatch] = []
    if action == "lookup":
        form = IntakeForm(initial=_initial_from_answers(_raw_answers(request)))
        if lookup_form.is_valid():
            try:
                with transaction.atomic():
                    matches = selectors.survivor_lookup(
                        actor,
                        cnic=lookup_form.cleaned_data["lookup_cnic"],
                        phone=lookup_form.cleaned_data["lookup_phone"],
                    )
            except ValidationError as error:
                _attach(lookup_form, error)
            else:
                if not matches:
                    messages.info(request, _("No earlier record matches. Register her as new."))
    elif action == "save_draft":
        with transaction.atomic():
            draft = services.draft_save(actor=actor, cell=cell, answers=_raw_answers(request), draft=draft)
        messages.success(request, _("Draft saved. It is kept encrypted until you register or discard it."))
        return redirect("cases:intake_draft", cell_code=cell.code, draft_id=draft.pk)
    elif action == "register":
        form = IntakeForm(request.POST)
        if form.is_valid():
            existing = None
            if form.cleaned_data.get("existing_survivor"):
                existing = selectors.survivor_for_linking(actor, str(form.cleaned_data["existing_survivor"]))
            try:
                case = services.case_register(actor=actor, cell=cell, data=form.to_intake(existing), draft=draft)
            except ValidationError as error:
                _attach(form, error)
            else:
                messages.success(
                    request,
                    _("Case %(code)s registered. Her reference for later look-ups: %(ref)s")
                    % {"code": case.code, "ref": format_reference(case.reference)},
                )
                return redirect("cases:detail", code=case.code)
    else:
        form = IntakeForm(initial=_initial_from_answers(answers) if draft else None)
    linked = request.POST.get("existing_survivor") or (
        form.initial.get("existing_survivor") if not form.is_bound else None
    )
    return render(
        request,
        "cases/intake.html",
        {
            "cell": cell,
            "form": form,
            "lookup_form": lookup_form,
            "matches": matches,
            "draft": draft,
            "linked": linked,
            "datetime_format": DATETIME_FORMAT,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@requires(Section.IDENTITY, Action.EDIT)
@require_POST
def intake_discard(request: HttpRequest, cell_code: str, draft_id: str) -> HttpResponse:
    actor = _actor(request)
    cell = cell_get_for(actor, cell_code, Section.IDENTITY, Action.EDIT)
    with transaction.atomic():
        draft = selectors.draft_get_for(actor, cell, draft_id)
        services.draft_discard(actor=actor, draft=draft)
    messages.info(request, _("Draft discarded."))
    return redirect("cases:list", cell_code=cell.code)


@requires(Section.CASE, Action.VIEW)
def case_list(request: HttpRequest, cell_code: str) -> HttpResponse:
    actor = _actor(request)
    cell = cell_get_for(actor, cell_code, Section.CASE, Action.VIEW)
    code = request.GET.get("code", "").strip().upper()
    if code:  # a code from a letter or a phone call: the case page checks access as ever
        if CASE_CODE.fullmatch(code):
            return redirect("cases:detail", code=code)
        messages.error(request, _("A case code looks like KHI-2026-0042."))
    show = request.GET.get("status", "open")
    with transaction.atomic():
        # One more than shown, to say so when the list is cut, rather than drop cases silently.
        cases = list(selectors.case_list_for(actor, cell, status=None if show == "all" else "open")[: CASES_SHOWN + 1])
    return render(
        request,
        "cases/list.html",
        {
            "cell": cell,
            "cases": cases[:CASES_SHOWN],
            "more": len(cases) > CASES_SHOWN,
            "shown": CASES_SHOWN,
            "can_register": allows_in_cell(actor, cell, Section.IDENTITY, Action.EDIT),
            "drafts": selectors.drafts_for(actor, cell),
            "show": show,
        },
    )


CASES_SHOWN = 200
CASE_CODE = re.compile(r"[A-Z][A-Z0-9]{1,7}-\d{4}-\d{4,6}")


class ConsentLine(NamedTuple):
    """One line of the consent ledger as the case page prints it."""

    purpose: str
    decision: str
    given_by: str  # with a child's own view, if recorded
    method: str
    recorded: str
    withdrawn: str  # when, or ""
    withdraw_url: str  # "" unless the viewer may withdraw it


_CONSENT_ID = "00000000-0000-0000-0000-000000000000"


def _consent_lines(case: Case, consents: Iterable[Consent], can_edit: bool) -> list[ConsentLine]:
    """The ledger's lines, labels and times ready (a long ledger cost more through the template's filters)."""
    withdraw = reverse("cases:consent_revoke", kwargs={"code": case.code, "consent_id": _CONSENT_ID})
    lines = []
    for c in consents:
        given_by = c.get_given_by_display()
        if c.child_assent != ChildAssent.NOT_APPLICABLE:
            given_by = f"{given_by} · {c.get_child_assent_display()}"
        may_withdraw = can_edit and c.revoked_at is None and c.decision == ConsentDecision.GIVEN
        recorded = local_minute(c.recorded_at)
        withdrawn = local_minute(c.revoked_at) if c.revoked_at else ""
        url = withdraw.replace(_CONSENT_ID, str(c.pk)) if may_withdraw else ""
        purpose, decision, method = c.get_purpose_display(), c.get_decision_display(), c.get_method_display()
        lines.append(ConsentLine(purpose, decision, given_by, method, recorded, withdrawn, url))
    return lines


def _case_context(actor: User, case: Case) -> dict[str, Any]:
    identity = selectors.survivor_identity_for(actor, case) if selectors.may_see_identity(actor, case) else None
    tasks = list(case.tasks.select_related("owner").order_by("created_at"))
    can_edit = allows_in_cell(actor, case.cell, Section.CASE, Action.EDIT)
    consents = list(selectors.consents_for(case))
    return {
        "case": case,
        "identity": identity,
        "guardians": selectors.guardians_for(actor, case),
        "perpetrators": list(case.perpetrators.all()),
        "offences": list(case.offences.all()),
        "consents": _consent_lines(case, consents, can_edit),
        "timeline": selectors.case_timeline_entries(case),
        "versions": selectors.case_versions(case),
        "reference": format_reference(case.reference),
        # Several forms on one page: each names its fields' ids apart (no two controls share an id).
        "consent_form": ConsentForm(auto_id="id_consent_%s"),
        "can_edit": can_edit,
        "row": board.case_clocks(case, now=timezone.now(), tasks=tasks),
        "tasks": tasks,
        # The same empty fields under every open task: rendered once, not once per task; the
        # ``for_task`` filter gives each copy its task's ids.
        "task_close_fields": blank_fields(TaskCloseForm(auto_id=f"id_close_{TASK_ID_SLOT}_%s")),
        "clock_form": ClockResolveForm(auto_id="id_clock_%s"),
        "contact_form": ContactForm(auto_id="id_contact_%s"),
        "contact_messages": contact_messages(),
        # Referrals and transfers (crisiscell.referrals): the panel above the consent ledger.
        "referrals_panel": referral_selectors.case_panel_for(actor, case, consents=consents),
    }


@requires(Section.CASE, Action.VIEW)
def case_detail(request: HttpRequest, code: str) -> HttpResponse:
    actor = _actor(request)
    with transaction.atomic():
        case = selectors.case_open_for(actor, code)
        context = _case_context(actor, case)
    return render(request, "cases/detail.html", context)


@requires(Section.CASE, Action.EDIT)
def case_edit(request: HttpRequest, code: str) -> HttpResponse:
    actor = _actor(request)
    case = selectors.case_get_for(actor, code, Section.CASE, Action.EDIT)
    conflict = None
    if request.method == "POST":
        form = CaseEditForm(request.POST)
        if form.is_valid():
            try:
                services.case_update(
                    actor=actor,
                    case=case,
                    expected_version=form.cleaned_data["version"],
                    changes=form.changes(),
                )
            except services.VersionConflict as error:
                conflict = _conflict(case, form.cleaned_data["version"], error.current)
                form.add_error(None, error)
            except ValidationError as error:
                _attach(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect("cases:detail", code=case.code)
    else:
        initial = {name: getattr(case, name) for name in CaseEditForm.base_fields if name != "version"}
        initial["version"] = case.version
        form = CaseEditForm(initial=initial)
    return render(
        request,
        "cases/edit.html",
        {"case": case, "form": form, "conflict": conflict},
        status=409 if conflict else 200,
    )


def _conflict(case: Case, started_from: int, current: Case) -> dict[str, Any]:
    """What the other person changed since this form was opened, to show beside the form."""
    versions = {v.version.version: v.version.snapshot for v in selectors.case_versions(case)}
    before = versions.get(started_from, {})
    after = versions.get(current.version, {})
    return {"changes": selectors.changes_between(before, after), "version": current.version}


@requires(Section.CASE, Action.EDIT)
@require_POST
def consent_add(request: HttpRequest, code: str) -> HttpResponse:
    actor = _actor(request)
    case = selectors.case_get_for(actor, code, Section.CASE, Action.EDIT)
    form = ConsentForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        guardian = None
        if d.get("guardian"):
            guardian = Guardian.objects.filter(pk=d["guardian"], survivor=case.survivor).first()
            if guardian is None:
                raise Http404
        try:
            services.consent_record(
                actor=actor,
                case=case,
                purpose=d["purpose"],
                decision=d["decision"],
                given_by=d["given_by"],
                method=d["method"],
                guardian=guardian,
                child_assent=d["child_assent"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Consent recorded."))
    else:
        messages.error(
            request,
            _("The consent was not recorded: choose the purpose, decision and who gave it."),
        )
    return redirect("cases:detail", code=case.code)


@requires(Section.CASE, Action.EDIT)
@require_POST
def consent_revoke(request: HttpRequest, code: str, consent_id: str) -> HttpResponse:
    actor = _actor(request)
    case = selectors.case_get_for(actor, code, Section.CASE, Action.EDIT)
    consent = Consent.objects.filter(pk=consent_id, case=case).first()
    if consent is None:
        raise Http404
    try:
        services.consent_revoke(actor=actor, consent=consent)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Consent withdrawn from now on."))
    return redirect("cases:detail", code=case.code)
