"""Counselling: thin views over the selectors and services. Every form works without JavaScript."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crisiscell.access.decorators import requires
from crisiscell.access.policy import Action, Section
from crisiscell.accounts.models import User
from crisiscell.cases.forms import ContactForm
from crisiscell.cases.selectors import case_get_for
from crisiscell.cases.services import ConsentRequired
from crisiscell.cells.selectors import cell_get_for
from crisiscell.counselling import chart, helplines, instruments, selectors, services
from crisiscell.counselling.forms import (
    AttendanceForm,
    BookForm,
    BreakGlassForm,
    ChildProtectionReferralForm,
    CloseForm,
    DeclineForm,
    FirstAidForm,
    MeasureForm,
    PlanForm,
    RiskForm,
    SafetyPlanForm,
)
from crisiscell.counselling.models import Language, SafetyPlan
from crisiscell.survivors.models import Guardian


def _actor(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):  # the access middleware admits only staff; never reached
        raise PermissionDenied
    return user


def _say(request: HttpRequest, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


def _attach(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _guardians(case: Any) -> list[Guardian]:
    return list(Guardian.objects.filter(survivor_id=case.survivor_id).order_by("created_at")) if case.is_child else []


def _back(case: Any) -> HttpResponse:
    return redirect("counselling:case", code=case.code)


@requires(Section.COUNSELLING, Action.VIEW)
def home(request: HttpRequest, cell_code: str) -> HttpResponse:
    """A psychologist's counselling work in a cell."""
    actor = _actor(request)
    cell = cell_get_for(actor, cell_code, Section.COUNSELLING, Action.VIEW)
    with transaction.atomic():
        page = selectors.home_for(actor, cell)
    return render(request, "counselling/home.html", {"page": page, "cell": cell})


@requires(Section.COUNSELLING, Action.VIEW)
def case_page(request: HttpRequest, code: str) -> HttpResponse:
    """The psychologist's page of a case: sessions (no note text), measures, risk, safety plan."""
    actor = _actor(request)
    case = selectors.case_for_counselling(actor, code)
    with transaction.atomic():
        page = selectors.counselling_page_for(actor, case)
    guardians = _guardians(case)
    charts = [
        {
            "series": s,
            "svg": chart.progress_svg(s.definition, s.measures),
            "rows": [(m, chart.band_label(s.definition, m.band)) for m in s.measures],
        }
        for s in page.series
    ]
    return render(
        request,
        "counselling/case.html",
        {
            "case": case,
            "page": page,
            "charts": charts,
            "book_form": BookForm(child=case.is_child, guardians=guardians, auto_id="id_book_%s"),
            "first_aid_form": FirstAidForm(child=case.is_child, guardians=guardians, auto_id="id_pfa_%s"),
            "decline_form": DeclineForm(auto_id="id_decline_%s"),
            "plan_form": PlanForm(
                initial={"planned_sessions": page.plan.planned_sessions, "shared_flags": page.plan.shared_flags}
                if page.plan
                else None,
                auto_id="id_plan_%s",
            ),
            "close_form": CloseForm(measures=page.measures, auto_id="id_close_%s"),
            "instruments": [instruments.definition(i) for i in instruments.Instrument.values],
            "languages": Language.choices,
            "child": case.is_child,
        },
    )


@requires(Section.COUNSELLING, Action.EDIT)
@require_POST
def book(request: HttpRequest, code: str) -> HttpResponse:
    actor = _actor(request)
    case = selectors.case_for_counselling(actor, code, Action.EDIT)
    form = BookForm(request.POST, child=case.is_child, guardians=_guardians(case))
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.session_book(
                actor=actor,
                case=case,
                kind=d["kind"],
                mode=d["mode"],
                scheduled_at=d["scheduled_at"],
                duration_minutes=d["duration_minutes"],
                **form.guardian_values(),
            )
        except ConsentRequired as refusal:
            messages.error(request, str(refusal))
        except ValidationError as error:
            _say(request, error)
        else:
            messages.success(request, _("Session booked."))
    else:
        messages.error(request, _("Not booked: choose the kind, how, the date and time and the duration."))
    return _back(case)


@requires(Section.COUNSELLING, Action.EDIT)
@require_POST
def first_aid(request: HttpRequest, code: str) -> HttpResponse:
    actor = _actor(request)
    case = selectors.case_for_counselling(actor, code, Action.EDIT)
    form = FirstAidForm(request.POST, child=case.is_child, guardians=_guardians(case))
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.first_aid_record(
                actor=actor,
                case=case,
                at=d["at"],
                mode=d["mode"],
                duration_minutes=d["duration_minutes"],
                notes=d["notes"],
                **form.guardian_values(),
            )
        except ConsentRequired as refusal:
            messages.error(request, str(refusal))
        except ValidationError as error:
            _say(request, error)
        else:
            messages.success(request, _("Psychological first aid recorded."))
    else:
        messages.error(request, _("Not recorded: say when, how, for how long, and write a short note."))
    return _back(case)


@requires(Section.COUNSELLING, Action.EDIT)
@require_POST
def decline(request: HttpRequest, code: str) -> HttpResponse:
    actor = _actor(request)
    case = selectors.case_for_counselling(actor, code, Action.EDIT)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            services.offer_decline(actor=actor, case=case, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _say(request, error)
        else:
            messages.success(request, _("Recorded: she declined counselling for now."))
    else:
        messages.error(request, _("Not recorded: give her reason in a few words."))
    return _back(case)


@requires(Section.COUNSELLING, Action.EDIT)
def session_record(request: HttpRequest, session_id: str) -> HttpResponse:
    """Record what happened to a booked session (a page of its own: the note can be long)."""
    actor = _actor(request)
    session = selectors.session_get_for(actor, session_id, action=Action.EDIT)
    case = session.case
    form = AttendanceForm(request.POST or None, child=case.is_child)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.session_record(
                actor=actor,
                session=session,
                attendance=d["attendance"],
                notes=d["notes"],
                goals=d["goals"],
                progress=d["progress"],
                duration_minutes=d.get("duration_minutes"),
                guardian_involvement=d.get("guardian_involvement") or None,
            )
        except ConsentRequired as refusal:
            form.add_error(None, str(refusal))
        except ValidationError as error:
            _attach(form, error)
        else:
            messages.success(request, _("Session recorded."))
            return _back(case)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "counselling/session.html", {"case": case, "session": session, "form": form}, status=status)


@requires(Section.COUNSELLING, Action.VIEW)
def note(request: HttpRequest, session_id: str) -> HttpResponse:
    """One session note, decrypted (the read is audited)."""
    actor = _actor(request)
    with transaction.atomic():
        view = selectors.note_read(actor, session_id)
    return render(request, "counselling/note.html", {"case": view.session.case, "view": view})


@requires(Section.COUNSELLING, Action.EDIT)
def measure(request: HttpRequest, code: str, instrument: str) -> HttpResponse:
    """Administer a measure, in English or Urdu; scored on saving."""
    actor = _actor(request)
    case = selectors.case_for_counselling(actor, code, Action.EDIT)
    if instrument not in instruments.Instrument.values:
        raise Http404
    language = request.POST.get("language") or request.GET.get("language") or request.LANGUAGE_CODE
    if language not in Language.values:
        language = Language.ENGLISH
    form = MeasureForm(request.POST or None, instrument=instrument, language=language)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.measure_record(
                actor=actor, case=case, instrument=instrument, language=language, answers=form.answers()
            )
        except ConsentRequired as refusal:
            form.add_error(None, str(refusal))
        except ValidationError as error:
            _attach(form, error)
        else:
            label = chart.band_label(form.spec, result.band)
            messages.success(
                request,
                _("%(instrument)s recorded: %(total)s (%(band)s).")
                % {"instrument": form.spec.instrument.label, "total": result.total, "band": label},
            )
            if result.needs_risk_assessment:
                messages.error(
                    request,
                    _("She answered item 9 above zero: assess her risk of self-harm now. The team sees a risk flag."),
                )
                return redirect("counselling:risk", code=case.code)
            return _back(case)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "counselling/measure.html",
        {"case": case, "form": form, "language": language, "languages": Language.choices, "instrument": instrument},
        status=status,
    )


@requires(Section.COUNSELLING, Action.EDIT)
def risk(request: HttpRequest, code: str) -> HttpResponse:
    """The risk and safety assessment, with who to call now; the history of earlier ones."""
    actor = _actor(request)
    case = selectors.case_for_counselling(actor, code, Action.EDIT)
    form = RiskForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.risk_assess(actor=actor, case=case, data=form.to_input())
        except ValidationError as error:
            _attach(form, error)
        else:
            messages.success(request, _("Risk assessment recorded."))
            if assessment.high:
                messages.error(request, _("High risk: the team sees a risk flag on the board (never your notes)."))
            return _back(case)
    with transaction.atomic():
        history = selectors.risk_history_for(actor, case)
        pending = case.counselling_measures.filter(needs_risk_assessment=True, risk_assessment__isnull=True).exists()
    return render(
        request,
        "counselling/risk.html",
        {
            "case": case,
            "form": form,
            "history": history,
            "pending": pending,
            "emergency": helplines.emergency_helplines(),
            "helplines": helplines.HELPLINES,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@requires(Section.COUNSELLING, Action.EDIT)
def safety_plan(request: HttpRequest, code: str) -> HttpResponse:
    actor = _actor(request)
    case = selectors.case_for_counselling(actor, code, Action.EDIT)
    if request.method == "POST":
        form = SafetyPlanForm(request.POST)
        if form.is_valid():
            try:
                services.safety_plan_save(actor=actor, case=case, content=form.to_content())
            except ConsentRequired as refusal:
                form.add_error(None, str(refusal))
            except ValidationError as error:
                _attach(form, error)
            else:
                messages.success(request, _("Safety plan saved."))
                return redirect("counselling:safety_plan", code=case.code)
    else:
        with transaction.atomic():
            content = selectors.safety_plan_for(actor, case)
        form = SafetyPlanForm(initial=vars(content) if content else {"language": request.LANGUAGE_CODE})
    exists = SafetyPlan.objects.filter(case=case).exists()
    return render(
        request,
        "counselling/safety_plan.html",
        {"case": case, "form": form, "exists": exists, "languages": Language.choices},
        status=400 if form.is_bound and form.errors else 200,
    )


@requires(Section.COUNSELLING, Action.EXPORT)
def safety_plan_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """Her plan as a discreet PDF (the file name, too, says only "my plan")."""
    actor = _actor(request)
    case = selectors.case_for_counselling(actor, code, Action.EXPORT)
    language = request.GET.get("language", Language.URDU)
    if language not in Language.values:
        raise Http404
    pdf = services.safety_plan_pdf(actor=actor, case=case, language=language)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="my-plan.pdf"'
    return response


@requires(Section.COUNSELLING, Action.EDIT)
@require_POST
def plan(request: HttpRequest, code: str) -> HttpResponse:
    actor = _actor(request)
    case = selectors.case_for_counselling(actor, code, Action.EDIT)
    form = PlanForm(request.POST)
    if form.is_valid():
        try:
            services.plan_update(actor=actor, case=case, **form.cleaned_data)
        except ValidationError as error:
            _say(request, error)
        else:
            messages.success(request, _("Counselling plan saved."))
    else:
        messages.error(request, _("Not saved: give the number of planned sessions."))
    return _back(case)


@requires(Section.COUNSELLING, Action.EDIT)
@require_POST
def close(request: HttpRequest, code: str) -> HttpResponse:
    actor = _actor(request)
    case = selectors.case_for_counselling(actor, code, Action.EDIT)
    form = CloseForm(request.POST, measures=list(case.counselling_measures.order_by("administered_at")))
    if form.is_valid():
        try:
            services.plan_close(
                actor=actor, case=case, reason=form.cleaned_data["reason"], final_measure=form.measure()
            )
        except ValidationError as error:
            _say(request, error)
        else:
            messages.success(request, _("Counselling closed."))
    else:
        messages.error(request, _("Not closed: choose why."))
    return _back(case)


@requires(Section.CASE, Action.VIEW)
def break_glass(request: HttpRequest, code: str) -> HttpResponse:
    """Break glass: the cell head or legal adviser reads a case's notes, for a written reason.

    Declared with case view (both roles hold it); who may break glass is checked on the
    case (``services.may_break_glass``): anyone else gets the same 404 as for a missing case.
    The notes are shown in the answer to the POST only, so every reading is one recorded read.
    """
    actor = _actor(request)
    case = case_get_for(actor, code)
    if not services.may_break_glass(actor, case):
        raise Http404
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            notes = services.notes_break_glass(actor=actor, case=case, **form.cleaned_data)
        except ValidationError as error:
            _attach(form, error)
        else:
            return render(request, "counselling/break_glass.html", {"case": case, "notes": notes, "form": None})
    return render(
        request,
        "counselling/break_glass.html",
        {"case": case, "form": form, "notes": None},
        status=400 if form.is_bound and form.errors else 200,
    )


@requires(Section.COUNSELLING, Action.VIEW)
@require_POST
def notice_seen(request: HttpRequest, notice_id: int) -> HttpResponse:
    actor = _actor(request)
    notice = selectors.notice_get_for(actor, notice_id)
    services.notice_mark_seen(actor=actor, notice=notice)
    if request.POST.get("back") == "case":
        return redirect("counselling:case", code=notice.read.case.code)
    return redirect("counselling:home", cell_code=notice.read.case.cell.code)


@requires(Section.CASE, Action.EDIT)
@require_POST
def missed_contact(request: HttpRequest, session_id: str) -> HttpResponse:
    """The team's safe contact attempt after a missed session (her contact choices are checked)."""
    actor = _actor(request)
    session = selectors.session_get_for(actor, session_id, Section.CASE, Action.EDIT)
    form = ContactForm(request.POST)
    if form.is_valid():
        try:
            services.missed_session_contact(actor=actor, session=session, **form.cleaned_data)
        except ValidationError as error:
            _say(request, error)
        else:
            messages.success(request, _("Contact attempt recorded."))
    else:
        messages.error(request, _("Not recorded: choose how and what happened."))
    return redirect("cases:detail", code=session.case.code)


@requires(Section.CASE, Action.EDIT)
@require_POST
def child_protection(request: HttpRequest, code: str) -> HttpResponse:
    """Refer a child at risk at home to child protection; closes the open child protection task."""
    actor = _actor(request)
    case = case_get_for(actor, code, Section.CASE, Action.EDIT)
    form = ChildProtectionReferralForm(request.POST)
    if form.is_valid():
        try:
            services.child_protection_refer(actor=actor, case=case, **form.cleaned_data)
        except ConsentRequired as refusal:
            messages.error(request, str(refusal))
        except ValidationError as error:
            _say(request, error)
        else:
            messages.success(request, _("Child protection referral recorded."))
    else:
        messages.error(request, _("Not recorded: name the organisation, say what for and by when."))
    return redirect("cases:detail", code=case.code)
