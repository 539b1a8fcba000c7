"""Police and courts: thin views over the selectors and services. Every form works without JavaScript.

Every action is a POST from the justice page that redirects back to it, with the
service's refusal (a missing consent, ARITA s.14, a date in the future) as a message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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
from crisiscell.cases.board import case_clocks
from crisiscell.cases.models import Case
from crisiscell.cases.selectors import case_get_for
from crisiscell.cases.services import ConsentRequired
from crisiscell.cells.selectors import cell_get_for
from crisiscell.justice import forms, selectors, services
from crisiscell.justice.models import PanelLawyer

JUSTICE_CLOCKS = ("fir", "interim_report", "trial", "appeal", "legal_aid")


def _actor(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):  # the access middleware admits only staff; never reached
        raise PermissionDenied
    return user


def _case(actor: User, code: str, action: Action = Action.EDIT) -> Case:
    return case_get_for(actor, code, Section.LEGAL, action)


def _say(request: HttpRequest, error: ValidationError | PermissionDenied) -> None:
    if isinstance(error, ValidationError):
        messages.error(request, " ".join(str(m) for m in error.messages))
    else:
        messages.error(request, str(error) or _("You may not do this."))


def _back(code: str) -> HttpResponse:
    return redirect("justice:page", code=code)


def _action(
    request: HttpRequest, code: str, form_class: type[Any], call: Callable[[User, Case, dict[str, Any]], Any], done: str
) -> HttpResponse:
    actor = _actor(request)
    case = _case(actor, code)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(f"{form.fields[n].label if n in form.fields else ''}: {' '.join(e)}"
                                         for n, e in form.errors.items()))  # fmt: skip
        return _back(case.code)
    try:
        call(actor, case, form.cleaned_data)
    except ValidationError as error:
        _say(request, error)
    else:
        messages.success(request, done)
    return _back(case.code)


def page_context(actor: User, case: Case, view: selectors.JusticeView) -> dict[str, Any]:
    from django.utils import timezone

    row = case_clocks(case, now=timezone.now())
    police = view.police_case
    context: dict[str, Any] = {
        "case": case,
        "view": view,
        "clocks": [c for c in row.clocks if c.key in JUSTICE_CLOCKS],
    }
    if view.can_edit:
        context.update(
            statement_form=forms.StatementForm(),
            refusal_form=forms.RefusalForm(auto_id="id_refusal_%s"),
            fir_form=forms.FirForm(auto_id="id_fir_%s") if police is None else None,
            police_form=forms.PoliceCaseForm(
                auto_id="id_police_%s",
                initial={
                    **{name: getattr(police, name) for name in services.POLICE_FIELDS},
                    "sections": [o.code for o in view.sections],
                    "version": police.version,
                },
            )
            if police is not None
            else None,
            transfer_form=forms.TransferForm(auto_id="id_transfer_%s"),
            arrest_form=forms.ArrestForm(auto_id="id_arrest_%s"),
            s164_request_form=forms.Section164RequestForm(auto_id="id_s164r_%s"),
            s164_record_form=forms.Section164RecordForm(auto_id="id_s164_%s"),
            court_form=forms.CourtCaseForm(auto_id="id_court_%s"),
            conduct_form=forms.CourtConductForm(
                auto_id="id_conduct_%s",
                initial={
                    "in_camera_confirmed": view.court_case.in_camera_confirmed,
                    "testimony_video_recorded": view.court_case.testimony_video_recorded,
                },
            )
            if view.court_case
            else None,
            hearing_form=forms.HearingForm(auto_id="id_hearing_%s"),
            judgment_form=forms.JudgmentForm(auto_id="id_judgment_%s"),
            compromise_form=forms.CompromiseForm(auto_id="id_compromise_%s"),
            appeal_form=forms.AppealForm(auto_id="id_appeal_%s"),
            appeal_decide_form=forms.AppealDecideForm(auto_id="id_appeal_decide_%s"),
            aid_apply_form=forms.LegalAidApplyForm(auto_id="id_aid_%s"),
            aid_decline_form=forms.LegalAidDeclineForm(auto_id="id_aid_decline_%s"),
            aid_decide_form=forms.LegalAidDecideForm(auto_id="id_aid_decide_%s"),
            aid_assign_form=forms.LegalAidAssignForm(auto_id="id_aid_assign_%s", lawyers=view.lawyers),
        )
    if view.can_export:
        context["draft_form"] = forms.DraftForm(
            auto_id="id_draft_%s", initial={"police_station": police.police_station if police else ""}
        )
    return context


@requires(Section.LEGAL, Action.VIEW)
def page(request: HttpRequest, code: str) -> HttpResponse:
    actor = _actor(request)
    with transaction.atomic():
        case = _case(actor, code, Action.VIEW)
        view = selectors.justice_view_for(actor, case)
    return render(request, "justice/page.html", page_context(actor, case, view))


@requires(Section.LEGAL, Action.VIEW)
def statement(request: HttpRequest, code: str, statement_id: str) -> HttpResponse:
    actor = _actor(request)
    with transaction.atomic():
        case = _case(actor, code, Action.VIEW)
        shown = selectors.statement_read(actor, case, statement_id)
    return render(request, "justice/statement.html", {"case": case, "shown": shown})


@requires(Section.LEGAL, Action.EDIT)
@require_POST
def statement_record(request: HttpRequest, code: str) -> HttpResponse:
    return _action(
        request, code, forms.StatementForm,
        lambda actor, case, d: services.statement_record(actor=actor, case=case, **d),
        _("Her statement was recorded."),
    )  # fmt: skip


def _draft(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    actor = _actor(request)
    case = _case(actor, code, Action.EXPORT)
    form = forms.DraftForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the language and enter the police station."))
        return _back(case.code)
    issue = services.fir_draft_issue if kind == "fir" else services.jop_draft_issue
    try:
        draft = issue(actor=actor, case=case, **form.cleaned_data)
    except ConsentRequired as error:
        messages.error(request, str(error))
        return _back(case.code)
    except ValidationError as error:
        _say(request, error)
        return _back(case.code)
    response = HttpResponse(draft.pdf, content_type="application/pdf")
    name = "fir-application" if kind == "fir" else "justice-of-peace-application"
    response["Content-Disposition"] = f'attachment; filename="{case.code}-{name}-{form.cleaned_data["language"]}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@requires(Section.LEGAL, Action.EXPORT)
@require_POST
def fir_draft(request: HttpRequest, code: str) -> HttpResponse:
    return _draft(request, code, "fir")


@requires(Section.LEGAL, Action.EXPORT)
@require_POST
def jop_draft(request: HttpRequest, code: str) -> HttpResponse:
    return _draft(request, code, "jop")


@requires(Section.LEGAL, Action.EDIT)
@require_POST
def refusal_record(request: HttpRequest, code: str) -> HttpResponse:
    return _action(
        request, code, forms.RefusalForm,
        lambda actor, case, d: services.refusal_record(actor=actor, case=case, **d),
        _("The refusal was recorded. The legal adviser can now draft the application to the Justice of Peace."),
    )  # fmt: skip


@requires(Section.LEGAL, Action.EDIT)
@require_POST
def fir_record(request: HttpRequest, code: str) -> HttpResponse:
    def call(actor: User, case: Case, d: dict[str, Any]) -> Any:
        codes = [o.code for o in d.pop("sections")]
        return services.fir_record(actor=actor, case=case, section_codes=codes, **d)

    return _action(request, code, forms.FirForm, call, _("The FIR was recorded."))


def _police(case: Case) -> Any:
    police = getattr(case, "police_case", None)
    if police is None:
        raise ValidationError(_("Record the FIR first."))
    return police


@requires(Section.LEGAL, Action.EDIT)
@require_POST
def police_update(request: HttpRequest, code: str) -> HttpResponse:
    def call(actor: User, case: Case, d: dict[str, Any]) -> Any:
        form = forms.PoliceCaseForm(request.POST)
        form.is_valid()
        return services.police_case_update(
            actor=actor, police_case=_police(case), expected_version=d["version"], changes=form.changes()
        )

    return _action(request, code, forms.PoliceCaseForm, call, _("Saved."))


@requires(Section.LEGAL, Action.EDIT)
@require_POST
def transfer(request: HttpRequest, code: str) -> HttpResponse:
    return _action(
        request, code, forms.TransferForm,
        lambda actor, case, d: services.investigation_transfer(actor=actor, police_case=_police(case), **d),
        _("The transfer was recorded."),
    )  # fmt: skip


@requires(Section.LEGAL, Action.EDIT)
@require_POST
def arrest_add(request: HttpRequest, code: str) -> HttpResponse:
    return _action(
        request, code, forms.ArrestForm,
        lambda actor, case, d: services.arrest_record(actor=actor, police_case=_police(case), **d),
        _("The arrest was recorded."),
    )  # fmt: skip


@requires(Section.LEGAL, Action.EDIT)
@require_POST
def s164_request(request: HttpRequest, code: str) -> HttpResponse:
    return _action(
        request, code, forms.Section164RequestForm,
        lambda actor, case, d: services.section164_request(actor=actor, case=case, **d),
        _("The request was recorded."),
    )  # fmt: skip


@requires(Section.LEGAL, Action.EDIT)
@require_POST
def s164_record(request: HttpRequest, code: str) -> HttpResponse:
    return _action(
        request, code, forms.Section164RecordForm,
        lambda actor, case, d: services.section164_record(actor=actor, case=case, **d),
        _("Her section 164 statement was recorded."),
    )  # fmt: skip


def _court(case: Case) -> Any:
    court = getattr(case, "court_case", None)
    if court is None:
        raise ValidationError(_("Record the court case first."))
    return court


@requires(Section.LEGAL, Action.EDIT)
@require_POST
def court_open(request: HttpRequest, code: str) -> HttpResponse:
    return _action(
        request, code, forms.CourtCaseForm,
        lambda actor, case, d: services.court_case_open(actor=actor, case=case, **d),
        _("The court case was recorded; the trial clock has started."),
    )  # fmt: skip


@requires(Section.LEGAL, Action.EDIT)
@require_POST
def court_conduct(request: HttpRequest, code: str) -> HttpResponse:
    return _action(
        request, code, forms.CourtConductForm,
        lambda actor, case, d: services.court_conduct_update(actor=actor, court_case=_court(case), **d),
        _("Saved."),
    )  # fmt: skip


@requires(Section.LEGAL, Action.EDIT)
@require_POST
def hearing_add(request: HttpRequest, code: str) -> HttpResponse:
    return _action(
        request, code, forms.HearingForm,
        lambda actor, case, d: services.hearing_record(actor=actor, court_case=_court(case), **d),
        _("The hearing was recorded."),
    )  # fmt: skip


@requires(Section.LEGAL, Action.EDIT)
@require_POST
def judgment(request: HttpRequest, code: str) -> HttpResponse:
    def call(actor: User, case: Case, d: dict[str, Any]) -> Any:
        convictions = [(o.code, d.get("sentence") or "") for o in d.get("conviction_sections") or []]
        return services.judgment_record(
            actor=actor,
            court_case=_court(case),
            judgment_on=d["judgment_on"],
            verdict=d["verdict"],
            convictions=convictions,
            compensation_pkr=d.get("compensation_pkr"),
        )

    return _action(request, code, forms.JudgmentForm, call, _("The judgment was recorded."))


@requires(Section.LEGAL, Action.EDIT)
@require_POST
def compromise(request: HttpRequest, code: str) -> HttpResponse:
    return _action(
        request, code, forms.CompromiseForm,
        lambda actor, case, d: services.compromise_record(actor=actor, case=case, **d),
        _("The attempted compromise was recorded."),
    )  # fmt: skip


@requires(Section.LEGAL, Action.EDIT)
@require_POST
def appeal_add(request: HttpRequest, code: str) -> HttpResponse:
    return _action(
        request, code, forms.AppealForm,
        lambda actor, case, d: services.appeal_record(actor=actor, court_case=_court(case), **d),
        _("The appeal was recorded."),
    )  # fmt: skip


@requires(Section.LEGAL, Action.EDIT)
@require_POST
def appeal_decide(request: HttpRequest, appeal_id: str) -> HttpResponse:
    actor = _actor(request)
    appeal = selectors.appeal_get_for(actor, appeal_id)
    code = appeal.court_case.case.code
    form = forms.AppealDecideForm(request.POST)
    if form.is_valid():
        try:
            services.appeal_decide(actor=actor, appeal=appeal, **form.cleaned_data)
        except ValidationError as error:
            _say(request, error)
        else:
            messages.success(request, _("The appeal's outcome was recorded."))
    else:
        messages.error(request, _("Choose the outcome and the date."))
    return _back(code)


def _aid(case: Case) -> Any:
    aid = getattr(case, "legal_aid", None)
    if aid is None:
        raise ValidationError(_("Record her legal aid application first."))
    return aid


@requires(Section.LEGAL, Action.EDIT)
@require_POST
def aid_apply(request: HttpRequest, code: str) -> HttpResponse:
    return _action(
        request, code, forms.LegalAidApplyForm,
        lambda actor, case, d: services.legal_aid_apply(actor=actor, case=case, **d),
        _("Her application was recorded; the Authority should decide within 7 days."),
    )  # fmt: skip


@requires(Section.LEGAL, Action.EDIT)
@require_POST
def aid_decline(request: HttpRequest, code: str) -> HttpResponse:
    return _action(
        request, code, forms.LegalAidDeclineForm,
        lambda actor, case, d: services.legal_aid_decline(actor=actor, case=case, **d),
        _("Recorded: she declined legal aid for now."),
    )  # fmt: skip


@requires(Section.LEGAL, Action.EDIT)
@require_POST
def aid_decide(request: HttpRequest, code: str) -> HttpResponse:
    return _action(
        request, code, forms.LegalAidDecideForm,
        lambda actor, case, d: services.legal_aid_decide(actor=actor, aid=_aid(case), **d),
        _("The decision was recorded."),
    )  # fmt: skip


@requires(Section.LEGAL, Action.EDIT)
@require_POST
def aid_assign(request: HttpRequest, code: str) -> HttpResponse:
    def call(actor: User, case: Case, d: dict[str, Any]) -> Any:
        lawyer = None
        if d.get("lawyer"):
            lawyer = PanelLawyer.objects.filter(pk=d["lawyer"], cell=case.cell, is_active=True).first()
            if lawyer is None:
                raise ValidationError(_("Choose a lawyer from this cell's panel."))
        return services.legal_aid_assign(
            actor=actor, aid=_aid(case), lawyer=lawyer, support_adviser=d.get("support_adviser") or ""
        )

    return _action(request, code, forms.LegalAidAssignForm, call, _("Saved."))


@requires(Section.LEGAL, Action.VIEW)
def panel(request: HttpRequest, cell_code: str) -> HttpResponse:
    actor = _actor(request)
    cell = cell_get_for(actor, cell_code, Section.LEGAL, Action.VIEW)
    lawyers = selectors.panel_for(actor, cell)
    form = forms.PanelLawyerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.panel_lawyer_add(actor=actor, cell=cell, **form.cleaned_data)
        except ValidationError as error:
            _say(request, error)
        else:
            messages.success(request, _("The lawyer was added to the panel list."))
            return redirect("justice:panel", cell_code=cell.code)
    return render(request, "justice/panel.html", {"cell": cell, "lawyers": lawyers, "form": form})
