"""The examination record: thin views over the selectors and services. Every form works without JavaScript.

The body diagrams are ``<input type="image">`` buttons inside the injury form: a click
submits the form with the click's position (``at_<view>.x``, ``at_<view>.y``), so an
injury is placed with no script at all. The same form takes the position as numbers
for keyboard and screen-reader users.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crisiscell.access.decorators import requires
from crisiscell.access.policy import Action, Section
from crisiscell.access.scoping import allows_in_cell
from crisiscell.accounts.models import User
from crisiscell.cases.services import ConsentRequired
from crisiscell.medical import diagrams, selectors, services
from crisiscell.medical.findings import ForbiddenFinding
from crisiscell.medical.forms import (
    AddendumForm,
    CertificateForm,
    FindingsForm,
    InjuryForm,
    OpinionForm,
    RecordForm,
    SampleForm,
    StartForm,
    TreatmentForm,
)
from crisiscell.medical.models import BodyView, ExamStatus, MedicoLegalExamination


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


def _back(examination: MedicoLegalExamination, anchor: str = "") -> HttpResponse:
    response = redirect("medical:examination", examination_id=examination.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _record_initial(examination: MedicoLegalExamination, narrative: dict[str, str]) -> dict[str, Any]:
    return {
        "version": examination.version,
        "started_at": examination.started_at and timezone.localtime(examination.started_at),
        "finished_at": examination.finished_at and timezone.localtime(examination.finished_at),
        "came_alone": examination.came_alone,
        "general_condition": examination.general_condition,
        "mental_state": examination.mental_state,
        "no_injuries_seen": examination.no_injuries_seen,
        "no_samples_reason": examination.no_samples_reason,
        **{k: v for k, v in narrative.items() if k != "anogenital_description"},
    }


def _diagrams(page: selectors.ExaminationPage) -> list[dict[str, Any]]:
    result = []
    for view in BodyView.values:
        shape = diagrams.SHAPES[view]
        marks = [diagrams.Mark(n, i.x, i.y) for n, i in page.injuries_by_view[view]]
        label = str(BodyView(view).label)
        result.append(
            {
                "view": view,
                "label": label,
                "src": diagrams.data_uri(diagrams.svg(view, marks, label=label)),
                "inline": diagrams.svg(view, marks, label=label),
                "width": shape.px_width,
                "height": shape.px_height,
            }
        )
    return result


def _render(request: HttpRequest, examination: MedicoLegalExamination, **bound: Any) -> HttpResponse:
    actor = _actor(request)
    with transaction.atomic():
        page = selectors.examination_page(actor, examination)
    case = examination.case
    draft = examination.status == ExamStatus.DRAFT
    is_examiner = examination.examiner_id == actor.pk and allows_in_cell(actor, case.cell, Section.MEDICAL, Action.EDIT)
    forms: dict[str, Any] = {}
    if draft and is_examiner:
        forms = {
            "record_form": RecordForm(initial=_record_initial(examination, page.narrative), auto_id="id_rec_%s"),
            "findings_form": FindingsForm(
                initial={
                    **{f"f_{k}": v for k, v in (examination.anogenital_findings or {}).items()},
                    "description": page.narrative["anogenital_description"],
                },
                auto_id="id_fnd_%s",
            ),
            "injury_form": InjuryForm(photographs=selectors.photographs_of(case), auto_id="id_inj_%s"),
            "sample_form": SampleForm(items=selectors.samples_to_link(case, examination), auto_id="id_smp_%s"),
            "treatment_form": TreatmentForm(auto_id="id_trt_%s"),
            "opinion_form": OpinionForm(auto_id="id_op_%s"),
        }
    if not draft and is_examiner:
        forms["addendum_form"] = AddendumForm(auto_id="id_add_%s")
    if not draft and allows_in_cell(actor, case.cell, Section.MEDICAL, Action.EXPORT):
        forms["certificate_form"] = CertificateForm(auto_id="id_cert_%s")
    forms.update(bound)
    return render(
        request,
        "medical/examination.html",
        {
            "case": case,
            "examination": examination,
            "page": page,
            "is_examiner": is_examiner,
            "draft": draft,
            "diagrams": _diagrams(page),
            **forms,
        },
    )


@requires(Section.MEDICAL, Action.VIEW)
def case_page(request: HttpRequest, code: str) -> HttpResponse:
    """The case's examinations and, for a medico-legal officer, the form to start one."""
    actor = _actor(request)
    case = selectors.case_for_medical(actor, code)
    with transaction.atomic():
        examinations = selectors.examinations_page(actor, case)
    start_form = None
    if allows_in_cell(actor, case.cell, Section.MEDICAL, Action.EDIT) and not any(
        e.status == ExamStatus.DRAFT for e in examinations
    ):
        start_form = StartForm(
            examiners=selectors.eligible_examiners(case),
            initial={"examiner": actor.pk, "started_at": timezone.localtime().replace(second=0, microsecond=0)},
            auto_id="id_start_%s",
        )
    return render(
        request,
        "medical/case.html",
        {
            "case": case,
            "examinations": examinations,
            "start_form": start_form,
            "consents": selectors.consents_by_component(case),
        },
    )


@requires(Section.MEDICAL, Action.EDIT)
@require_POST
def start(request: HttpRequest, code: str) -> HttpResponse:
    actor = _actor(request)
    case = selectors.case_for_medical(actor, code, Action.EDIT)
    form = StartForm(request.POST, examiners=selectors.eligible_examiners(case))
    if form.is_valid():
        try:
            examination = services.examination_start(
                actor=actor,
                case=case,
                examiner=form.cleaned_data["examiner"],
                started_at=form.cleaned_data["started_at"],
            )
        except ConsentRequired as refusal:
            messages.error(request, str(refusal))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Examination started."))
            return _back(examination)
    else:
        messages.error(request, _("Not started: choose the examiner and the time."))
    return redirect("medical:case", code=case.code)


@requires(Section.MEDICAL, Action.VIEW)
def examination(request: HttpRequest, examination_id: str) -> HttpResponse:
    """The whole record (every opening is audited)."""
    exam = selectors.examination_get_for(_actor(request), examination_id)
    return _render(request, exam)


def _edit(request: HttpRequest, examination_id: str) -> tuple[User, MedicoLegalExamination]:
    actor = _actor(request)
    return actor, selectors.examination_get_for(actor, examination_id, Action.EDIT)


def _run(
    request: HttpRequest, exam: MedicoLegalExamination, form: Any, name: str, call: Any, done: str, anchor: str
) -> HttpResponse:
    """Call a service with a valid form; on refusal show the form again with the reason."""
    if form.is_valid():
        try:
            call(form)
        except ConsentRequired as refusal:
            form.add_error(None, str(refusal))
        except ValidationError as error:
            _attach(form, error)
        else:
            messages.success(request, done)
            return _back(exam, anchor)
    return _render(request, exam, **{name: form})


@requires(Section.MEDICAL, Action.EDIT)
@require_POST
def record(request: HttpRequest, examination_id: str) -> HttpResponse:
    actor, exam = _edit(request, examination_id)
    form = RecordForm(request.POST, auto_id="id_rec_%s")
    return _run(
        request,
        exam,
        form,
        "record_form",
        lambda f: services.record_save(
            actor=actor, examination=exam, values=f.values(), expected_version=f.cleaned_data["version"]
        ),
        _("Saved."),
        "record",
    )


@requires(Section.MEDICAL, Action.EDIT)
@require_POST
def findings(request: HttpRequest, examination_id: str) -> HttpResponse:
    """The ano-genital findings; also takes JSON ``{"findings": {...}, "description": ""}``."""
    actor, exam = _edit(request, examination_id)
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
            if not isinstance(body, dict):
                raise ValueError
            services.findings_save(
                actor=actor,
                examination=exam,
                findings=body.get("findings") or {},
                description=str(body.get("description") or ""),
            )
        except ValueError:
            return JsonResponse({"error": _("Send a JSON object.")}, status=400)
        except ForbiddenFinding as refusal:
            return JsonResponse({"error": " ".join(refusal.messages), "code": "forbidden_finding"}, status=400)
        except ValidationError as error:
            return JsonResponse({"error": " ".join(error.messages)}, status=400)
        exam.refresh_from_db()
        return JsonResponse({"findings": exam.anogenital_findings})
    form = FindingsForm(request.POST, auto_id="id_fnd_%s")
    return _run(
        request,
        exam,
        form,
        "findings_form",
        lambda f: services.findings_save(
            actor=actor, examination=exam, findings=f.findings(), description=f.cleaned_data["description"]
        ),
        _("Findings saved."),
        "findings",
    )


def _clicked(post: Any) -> tuple[str, float, float] | None:
    """The diagram clicked (an ``<input type=image name=at_<view>>``) and where, in percent."""
    for view in BodyView.values:
        px, py = post.get(f"at_{view}.x"), post.get(f"at_{view}.y")
        if px is not None and py is not None:
            try:
                x, y = diagrams.click_to_percent(view, px, py)
            except ValueError:
                return None
            return view, x, y
    return None


@requires(Section.MEDICAL, Action.EDIT)
@require_POST
def injury(request: HttpRequest, examination_id: str) -> HttpResponse:
    actor, exam = _edit(request, examination_id)
    form = InjuryForm(request.POST, photographs=selectors.photographs_of(exam.case), auto_id="id_inj_%s")

    def add(f: InjuryForm) -> None:
        d = f.cleaned_data
        clicked = _clicked(request.POST)
        if clicked is None:
            if not d.get("view") or d.get("x") is None or d.get("y") is None:
                raise ValidationError(
                    _("Click where the injury is on a diagram, or give the diagram and its position.")
                )
            clicked = (d["view"], float(d["x"]), float(d["y"]))
        view, x, y = clicked
        services.injury_add(
            actor=actor,
            examination=exam,
            injury=services.InjuryInput(
                view=view,
                x=x,
                y=y,
                site=d["site"],
                kind=d["kind"],
                estimated_age=d["estimated_age"],
                length_mm=d["length_mm"],
                width_mm=d["width_mm"],
                colour=d["colour"],
                description=d["description"],
            ),
            photographs=list(d["photographs"]),
        )

    return _run(request, exam, form, "injury_form", add, _("Injury marked."), "injuries")


@requires(Section.MEDICAL, Action.EDIT)
@require_POST
def injury_remove(request: HttpRequest, injury_id: str) -> HttpResponse:
    actor = _actor(request)
    injury = selectors.injury_get_for(actor, injury_id)
    try:
        services.injury_remove(actor=actor, injury=injury)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Injury removed."))
    return _back(injury.examination, "injuries")


@requires(Section.MEDICAL, Action.EDIT)
@require_POST
def sample(request: HttpRequest, examination_id: str) -> HttpResponse:
    actor, exam = _edit(request, examination_id)
    form = SampleForm(request.POST, items=selectors.samples_to_link(exam.case, exam), auto_id="id_smp_%s")
    return _run(
        request,
        exam,
        form,
        "sample_form",
        lambda f: services.sample_link(actor=actor, examination=exam, item=f.cleaned_data["item"]),
        _("Sample linked."),
        "samples",
    )


@requires(Section.MEDICAL, Action.EDIT)
@require_POST
def sample_unlink(request: HttpRequest, examination_id: str, item_id: str) -> HttpResponse:
    actor, exam = _edit(request, examination_id)
    item = selectors.linked_sample(exam, item_id)
    if item is None:
        messages.error(request, _("This sample is not linked to this examination."))
        return _back(exam, "samples")
    try:
        services.sample_unlink(actor=actor, examination=exam, item=item)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return _back(exam, "samples")


@requires(Section.MEDICAL, Action.EDIT)
@require_POST
def treatment(request: HttpRequest, examination_id: str) -> HttpResponse:
    actor, exam = _edit(request, examination_id)
    form = TreatmentForm(request.POST, auto_id="id_trt_%s")
    return _run(
        request,
        exam,
        form,
        "treatment_form",
        lambda f: services.treatment_record(
            actor=actor,
            examination=exam,
            kind=f.cleaned_data["kind"],
            given=f.cleaned_data["given"],
            at=f.cleaned_data["at"],
            details=f.cleaned_data["details"],
            declined_reason=f.cleaned_data["declined_reason"],
        ),
        _("Treatment recorded."),
        "treatment",
    )


@requires(Section.MEDICAL, Action.EDIT)
@require_POST
def opinion(request: HttpRequest, examination_id: str) -> HttpResponse:
    actor, exam = _edit(request, examination_id)
    form = OpinionForm(request.POST, auto_id="id_op_%s")
    return _run(
        request,
        exam,
        form,
        "opinion_form",
        lambda f: services.opinion_add(
            actor=actor, examination=exam, conclusion=f.cleaned_data["conclusion"], reasons=f.cleaned_data["reasons"]
        ),
        _("Conclusion added."),
        "opinion",
    )


@requires(Section.MEDICAL, Action.EDIT)
@require_POST
def opinion_remove(request: HttpRequest, item_id: str) -> HttpResponse:
    actor = _actor(request)
    item = selectors.opinion_get_for(actor, item_id)
    try:
        services.opinion_remove(actor=actor, item=item)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return _back(item.examination, "opinion")


@requires(Section.MEDICAL, Action.EDIT)
@require_POST
def sign(request: HttpRequest, examination_id: str) -> HttpResponse:
    actor, exam = _edit(request, examination_id)
    try:
        services.examination_sign(actor=actor, examination=exam)
    except services.Incomplete:
        messages.error(request, _("Not signed: the record is not complete (see what is missing)."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Signed and sealed. The examination duty on the board is done."))
    return _back(exam)


@requires(Section.MEDICAL, Action.EDIT)
@require_POST
def addendum(request: HttpRequest, examination_id: str) -> HttpResponse:
    actor, exam = _edit(request, examination_id)
    form = AddendumForm(request.POST, auto_id="id_add_%s")
    return _run(
        request,
        exam,
        form,
        "addendum_form",
        lambda f: services.addendum_add(actor=actor, examination=exam, text=f.cleaned_data["text"]),
        _("Addendum signed and added."),
        "addenda",
    )


@requires(Section.MEDICAL, Action.EXPORT)
@require_POST
def certificate(request: HttpRequest, examination_id: str) -> HttpResponse:
    """Issue a copy of the certificate (a PDF download), recorded in the disclosure ledger."""
    actor = _actor(request)
    exam = selectors.examination_get_for(actor, examination_id, Action.EXPORT)
    form = CertificateForm(request.POST, auto_id="id_cert_%s")
    issued: list[services.Issued] = []

    def issue(f: CertificateForm) -> None:
        d = f.cleaned_data
        issued.append(
            services.certificate_issue(
                actor=actor,
                examination=exam,
                language=d["language"],
                recipient_kind=d["recipient_kind"],
                recipient=d["recipient"],
                purpose=d["purpose"],
                order_reference=d["order_reference"],
            )
        )

    response = _run(request, exam, form, "certificate_form", issue, _("Certificate issued."), "certificate")
    if not issued:
        return response
    copy = issued[0]
    pdf = HttpResponse(copy.pdf, content_type="application/pdf")
    name = f"certificate-{exam.case.code}-{copy.disclosure.language}-{copy.disclosure.pk}.pdf"
    pdf["Content-Disposition"] = f'attachment; filename="{name}"'
    return pdf
