"""Evidence pages: items and custody, hand-overs, labels and receipts, laboratories, court bundle."""

from __future__ import annotations

import io
from typing import Any

import segno
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crisiscell.access.decorators import requires, staff
from crisiscell.access.policy import Action, Section
from crisiscell.access.scoping import allows_in_cell
from crisiscell.accounts.models import Membership, User
from crisiscell.audit.services import audit_record
from crisiscell.cases.selectors import case_get_for
from crisiscell.documents import storage
from crisiscell.documents.pdf import render_pdf
from crisiscell.documents.services import court_bundle_issue
from crisiscell.evidence import selectors, services
from crisiscell.evidence.forms import (
    BundleForm,
    ConfirmForm,
    ExternalHandoverForm,
    HandoverForm,
    LabReceivedForm,
    LabResultForm,
    LabSubmitForm,
    RegisterForm,
    SealForm,
    StatusForm,
    StoreForm,
)
from crisiscell.evidence.models import EvidenceItem


def _actor(request: HttpRequest) -> User:
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


def _report(request: HttpRequest, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


def qr_svg(text: str) -> str:
    """A QR code as inline SVG (for pages and PDFs; no image files, no script)."""
    svg: str = segno.make(text, error="m").svg_inline(scale=3, border=1, dark="#000")
    return svg


def _receivers(case_cell: Any, actor: User) -> list[tuple[int, str]]:
    people = (
        User.objects.filter(memberships__cell=case_cell, memberships__is_active=True, is_active=True)
        .exclude(pk=actor.pk)
        .distinct()
    )
    return [
        (u.pk, u.get_full_name() or u.username)
        for u in people
        if allows_in_cell(u, case_cell, Section.EVIDENCE, Action.EDIT)
    ]


@requires(Section.EVIDENCE, Action.VIEW)
def case_evidence(request: HttpRequest, code: str) -> HttpResponse:
    actor = _actor(request)
    case = case_get_for(actor, code, Section.EVIDENCE, Action.VIEW)
    with transaction.atomic():
        evidence = selectors.case_evidence(actor, case, now=timezone.now())
    can_edit = allows_in_cell(actor, case.cell, Section.EVIDENCE, Action.EDIT)
    return render(
        request,
        "evidence/case.html",
        {
            "case": case,
            "evidence": evidence,
            "can_edit": can_edit,
            "can_export": allows_in_cell(actor, case.cell, Section.EVIDENCE, Action.EXPORT),
            "register_form": RegisterForm(initial={"collected_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}),
            "seal_form": SealForm(initial={"sealed_on": timezone.localdate()}),
            "store_form": StoreForm(),
            "status_form": StatusForm(),
            "handover_form": HandoverForm(receivers=_receivers(case.cell, actor)) if can_edit else None,
            "external_form": ExternalHandoverForm(),
            "lab_form": LabSubmitForm(
                items=[(i.human_id, f"{i.human_id} · {i.get_kind_display()}") for i in evidence.items]
            ),
            "received_form": LabReceivedForm(),
            "result_form": LabResultForm(),
        },
    )


@requires(Section.EVIDENCE, Action.EDIT)
@require_POST
def item_register(request: HttpRequest, code: str) -> HttpResponse:
    actor = _actor(request)
    case = case_get_for(actor, code, Section.EVIDENCE, Action.EDIT)
    form = RegisterForm(request.POST)
    if form.is_valid():
        try:
            item = services.item_register(actor=actor, case=case, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, _("Registered as %(id)s. Print its label.") % {"id": item.human_id})
    else:
        messages.error(request, _("Not registered: say what was collected and when."))
    return redirect("evidence:case", code=case.code)


def _item_action(request: HttpRequest, human_id: str, form_class: Any, act: Any) -> HttpResponse:
    actor = _actor(request)
    item = selectors.item_get_for(actor, human_id, Action.EDIT)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            act(actor, item, form.cleaned_data)
        except ValidationError as error:
            _report(request, error)
        else:
            messages.success(request, _("Recorded."))
    else:
        messages.error(request, _("Not recorded: check the answers."))
    return redirect("evidence:case", code=item.case.code)


@requires(Section.EVIDENCE, Action.EDIT)
@require_POST
def item_seal(request: HttpRequest, human_id: str) -> HttpResponse:
    return _item_action(request, human_id, SealForm, lambda a, i, d: services.item_seal(actor=a, item=i, **d))


@requires(Section.EVIDENCE, Action.EDIT)
@require_POST
def item_store(request: HttpRequest, human_id: str) -> HttpResponse:
    return _item_action(request, human_id, StoreForm, lambda a, i, d: services.item_store(actor=a, item=i, **d))


@requires(Section.EVIDENCE, Action.EDIT)
@require_POST
def item_status(request: HttpRequest, human_id: str) -> HttpResponse:
    return _item_action(request, human_id, StatusForm, lambda a, i, d: services.item_transition(actor=a, item=i, **d))


@requires(Section.EVIDENCE, Action.EDIT)
@require_POST
def item_handover(request: HttpRequest, human_id: str) -> HttpResponse:
    actor = _actor(request)
    item = selectors.item_get_for(actor, human_id, Action.EDIT)
    form = HandoverForm(request.POST, receivers=_receivers(item.case.cell, actor))
    if form.is_valid():
        receiver = User.objects.filter(pk=int(form.cleaned_data["receiver"])).first()
        if receiver is None:
            raise Http404
        try:
            services.handover_request(
                actor=actor, item=item, to_user=receiver, purpose=form.cleaned_data["purpose"],
                seal_intact=form.cleaned_data["seal_intact"], condition=form.cleaned_data["condition"],
            )  # fmt: skip
        except ValidationError as error:
            _report(request, error)
        else:
            messages.success(
                request, _("Waiting for %(name)s to confirm with their code.") % {"name": receiver.username}
            )
    else:
        messages.error(request, _("Not recorded: choose the colleague and say why."))
    return redirect("evidence:case", code=item.case.code)


@requires(Section.EVIDENCE, Action.EDIT)
@require_POST
def item_handover_external(request: HttpRequest, human_id: str) -> HttpResponse:
    actor = _actor(request)
    item = selectors.item_get_for(actor, human_id, Action.EDIT)
    form = ExternalHandoverForm(request.POST)
    if form.is_valid():
        try:
            event = services.handover_external(actor=actor, item=item, **form.cleaned_data)
        except ValidationError as error:
            _report(request, error)
        else:
            messages.success(request, _("Handed over. Print the custody receipt for their signature."))
            return redirect("evidence:receipt", event_id=event.pk)
    else:
        messages.error(request, _("Not recorded: enter who received it and why."))
    return redirect("evidence:case", code=item.case.code)


@requires(Section.EVIDENCE, Action.EDIT)
def handovers(request: HttpRequest) -> HttpResponse:
    """Items colleagues are handing to me, to confirm with my own second factor."""
    actor = _actor(request)
    return render(
        request,
        "evidence/handovers.html",
        {"pending": list(selectors.pending_handovers_for(actor)), "form": ConfirmForm()},
    )


@requires(Section.EVIDENCE, Action.EDIT)
@require_POST
def handover_confirm(request: HttpRequest, event_id: str) -> HttpResponse:
    actor = _actor(request)
    event = selectors.custody_event_get_for(actor, event_id)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the six digits your authenticator app shows."))
        return redirect("evidence:handovers")
    try:
        services.handover_confirm(actor=actor, event=event, token=form.cleaned_data["token"])
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        _report(request, error)
    else:
        messages.success(request, _("You now hold %(id)s.") % {"id": event.item.human_id})
    return redirect("evidence:handovers")


@requires(Section.EVIDENCE, Action.EDIT)
@require_POST
def handover_cancel(request: HttpRequest, event_id: str) -> HttpResponse:
    actor = _actor(request)
    event = selectors.custody_event_get_for(actor, event_id)
    try:
        services.handover_cancel(actor=actor, event=event)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        _report(request, error)
    return redirect("evidence:case", code=event.item.case.code)


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@requires(Section.EVIDENCE, Action.VIEW)
def labels(request: HttpRequest, code: str) -> HttpResponse:
    actor = _actor(request)
    case = case_get_for(actor, code, Section.EVIDENCE, Action.VIEW)
    items = list(EvidenceItem.objects.filter(case=case).order_by("human_id"))
    with transaction.atomic():
        audit_record(
            action="evidence.labels_printed", actor=actor, cell=case.cell, object_type="case", object_ref=case.code
        )
    pdf = render_pdf(
        "evidence/labels.html",
        {"case": case, "labels": [{"item": i, "qr": qr_svg(i.human_id)} for i in items]},
        language=request.LANGUAGE_CODE,
    )
    return _pdf(pdf, f"labels-{case.code}.pdf")


@requires(Section.EVIDENCE, Action.VIEW)
def receipt(request: HttpRequest, event_id: str) -> HttpResponse:
    actor = _actor(request)
    event = selectors.custody_event_get_for(actor, event_id)
    if not event.external_organisation:
        raise Http404
    with transaction.atomic():
        audit_record(
            action="evidence.receipt_printed", actor=actor, cell=event.item.case.cell,
            object_type="evidence", object_ref=event.item.human_id,
        )  # fmt: skip
    qr = qr_svg(f"{event.item.human_id}|{event.pk}|{timezone.localtime(event.at).isoformat()}")
    pdf = render_pdf(
        "evidence/receipt.html", {"event": event, "item": event.item, "qr": qr}, language=request.LANGUAGE_CODE
    )
    return _pdf(pdf, f"custody-receipt-{event.item.human_id}.pdf")


@requires(Section.EVIDENCE, Action.EDIT)
@require_POST
def lab_submit(request: HttpRequest, code: str) -> HttpResponse:
    actor = _actor(request)
    case = case_get_for(actor, code, Section.EVIDENCE, Action.EDIT)
    items = list(EvidenceItem.objects.filter(case=case))
    form = LabSubmitForm(request.POST, items=[(i.human_id, i.human_id) for i in items])
    if form.is_valid():
        chosen = [i for i in items if i.human_id in form.cleaned_data["items"]]
        try:
            services.lab_submit(
                actor=actor, case=case, laboratory=form.cleaned_data["laboratory"],
                docket_number=form.cleaned_data["docket_number"], items=chosen,
                dispatched_at=form.cleaned_data["dispatched_at"],
            )  # fmt: skip
        except ValidationError as error:
            _report(request, error)
        else:
            messages.success(request, _("Sent to the laboratory."))
    else:
        messages.error(request, _("Not sent: choose the laboratory, the docket number and the items."))
    return redirect("evidence:case", code=case.code)


@requires(Section.EVIDENCE, Action.EDIT)
@require_POST
def lab_received(request: HttpRequest, submission_id: str) -> HttpResponse:
    actor = _actor(request)
    submission = selectors.submission_get_for(actor, submission_id, Action.EDIT)
    form = LabReceivedForm(request.POST)
    if form.is_valid():
        try:
            services.lab_received(actor=actor, submission=submission, received_at=form.cleaned_data["received_at"])
        except ValidationError as error:
            _report(request, error)
    else:
        messages.error(request, _("Enter when the laboratory received it."))
    return redirect("evidence:case", code=submission.case.code)


@requires(Section.EVIDENCE, Action.EDIT)
@require_POST
def lab_result(request: HttpRequest, submission_id: str) -> HttpResponse:
    actor = _actor(request)
    submission = selectors.submission_get_for(actor, submission_id, Action.EDIT)
    form = LabResultForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["document"]
        try:
            services.lab_result(
                actor=actor, submission=submission, document=upload, received_at=form.cleaned_data["received_at"],
                summary=form.cleaned_data["summary"], name=upload.name,
            )  # fmt: skip
        except (ValidationError, storage.FileTooLarge) as error:
            messages.error(request, " ".join(getattr(error, "messages", [_("The file is too large.")])))
        else:
            messages.success(request, _("Result stored with its SHA-256."))
    else:
        messages.error(request, _("Choose the result document and when it came."))
    return redirect("evidence:case", code=submission.case.code)


@requires(Section.EVIDENCE, Action.VIEW)
def lab_result_download(request: HttpRequest, submission_id: str) -> HttpResponse:
    actor = _actor(request)
    submission = selectors.submission_get_for(actor, submission_id)
    stored = submission.result_file
    if stored is None:
        raise Http404
    if not storage.verify(stored):
        messages.error(
            request, _("The stored result does not match its SHA-256: it is not served. Tell the cell head.")
        )
        return redirect("evidence:case", code=submission.case.code)
    with transaction.atomic():
        audit_record(
            action="evidence.downloaded", actor=actor, cell=submission.case.cell, object_type="case",
            object_ref=submission.case.code, details={"sha256": stored.sha256},
        )  # fmt: skip
    response = FileResponse(io.BytesIO(b"".join(storage.read_chunks(stored))), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="lab-result-{submission.docket_number}"'
    return response


@requires(Section.EVIDENCE, Action.EXPORT)
def court_bundle(request: HttpRequest, code: str) -> HttpResponse:
    actor = _actor(request)
    case = case_get_for(actor, code, Section.EVIDENCE, Action.EXPORT)
    form = BundleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            bundle, _disclosure = court_bundle_issue(actor=actor, case=case, **form.cleaned_data)
        except ValidationError as error:
            _report(request, error)
        else:
            response = HttpResponse(bundle.data, content_type="application/zip")
            response["Content-Disposition"] = f'attachment; filename="{bundle.name}.zip"'
            return response
    return render(request, "evidence/bundle.html", {"case": case, "form": form})


@staff
def _unused(request: HttpRequest) -> HttpResponse:  # pragma: no cover - placeholder removed below
    raise Http404


del _unused
_ = Membership  # imported for type narrowing in _receivers' queries
