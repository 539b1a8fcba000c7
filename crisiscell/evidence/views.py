"""Evidence pages: items and custody, hand-overs, labels and receipts, laboratories, court bundle."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import segno
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crisiscell.access.decorators import requires
from crisiscell.access.policy import Action, Section
from crisiscell.access.scoping import allows_in_cell
from crisiscell.accounts.models import User
from crisiscell.cases.selectors import case_get_for
from crisiscell.cases.services import ConsentRequired
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
from crisiscell.evidence.models import CustodyEvent, EvidenceItem


def _actor(request: HttpRequest) -> User:
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


def _report(request: HttpRequest, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


QR_SCALE = 6
QR_BORDER = 4


def qr_png(text: str) -> str:
    """A QR code as a PNG data URI, black modules on white, for pages and PDFs (no files, no script).

    A bitmap rather than SVG so that the printed code is the exact module grid segno
    made (tests read it back from the PDF); at 6 pixels a module it prints sharply.
    """
    uri: str = segno.make(text, error="m").png_data_uri(scale=QR_SCALE, border=QR_BORDER, dark="#000", light="#fff")
    return uri


def receipt_payload(event: CustodyEvent) -> str:
    """What a custody receipt's QR code says: the item, the movement and its sealed audit event."""
    at = timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M")
    return f"CRISISCELL-CUSTODY|{event.item.human_id}|{event.pk}|audit#{event.audit_event_id}|{at}"


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _now_local() -> str:
    return timezone.localtime().strftime("%Y-%m-%dT%H:%M")


@requires(Section.EVIDENCE, Action.VIEW)
def case_evidence(request: HttpRequest, code: str) -> HttpResponse:
    """A case's items with their status and holder, the sample windows, laboratory dockets."""
    actor = _actor(request)
    case = case_get_for(actor, code, Section.EVIDENCE, Action.VIEW)
    with transaction.atomic():
        evidence = selectors.case_evidence(actor, case, now=timezone.now())
    can_edit = allows_in_cell(actor, case.cell, Section.EVIDENCE, Action.EDIT)
    dispatchable = [i for i in evidence.items if i.status in ("sealed", "in_storage")]
    return render(
        request,
        "evidence/case.html",
        {
            "case": case,
            "evidence": evidence,
            "can_edit": can_edit,
            "can_export": allows_in_cell(actor, case.cell, Section.EVIDENCE, Action.EXPORT),
            "register_form": RegisterForm(initial={"collected_at": _now_local()}, auto_id="id_register_%s")
            if can_edit
            else None,
            "lab_form": LabSubmitForm(
                initial={"dispatched_at": _now_local()},
                auto_id="id_lab_%s",
                items=[(i.human_id, f"{i.human_id} · {i.get_kind_display()}") for i in dispatchable],
            )
            if can_edit and dispatchable
            else None,
            "received_form": LabReceivedForm(initial={"received_at": _now_local()}, auto_id="id_received_%s"),
            "result_form": LabResultForm(initial={"received_at": _now_local()}, auto_id="id_result_%s"),
        },
    )


@requires(Section.EVIDENCE, Action.VIEW)
def item_detail(request: HttpRequest, human_id: str) -> HttpResponse:
    """One item: its facts, its whole custody history, and what may be done with it next."""
    actor = _actor(request)
    with transaction.atomic():
        page = selectors.item_page_for(actor, human_id)
    item = page.item
    can_edit = allows_in_cell(actor, item.case.cell, Section.EVIDENCE, Action.EDIT)
    holds = item.holder_id == actor.pk
    return render(
        request,
        "evidence/item.html",
        {
            "item": item,
            "case": item.case,
            "page": page,
            "can_edit": can_edit,
            "holds": holds,
            "seal_form": SealForm(initial={"sealed_on": timezone.localdate()}, auto_id="id_seal_%s")
            if can_edit and item.status == "collected"
            else None,
            "store_form": StoreForm(auto_id="id_store_%s") if can_edit and "in_storage" in page.next_statuses else None,
            "status_form": StatusForm(allowed=page.next_statuses, auto_id="id_status_%s") if can_edit else None,
            "handover_form": HandoverForm(receivers=selectors.receivers_for(actor, item), auto_id="id_handover_%s")
            if can_edit and holds and page.pending is None
            else None,
            "external_form": ExternalHandoverForm(auto_id="id_external_%s") if can_edit and holds else None,
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
        except ValidationError as error:
            _report(request, error)
        except ConsentRequired as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Registered as %(id)s. Print its label.") % {"id": item.human_id})
            return redirect("evidence:item", human_id=item.human_id)
    else:
        messages.error(request, _("Not registered: say what was collected and when."))
    return redirect("evidence:case", code=case.code)


def _item_action(
    request: HttpRequest, human_id: str, form: Callable[..., Any], act: Callable[[User, EvidenceItem, Any], Any]
) -> HttpResponse:
    actor = _actor(request)
    item = selectors.item_get_for(actor, human_id, Action.EDIT)
    bound = form(request.POST)
    if bound.is_valid():
        try:
            act(actor, item, bound.cleaned_data)
        except ValidationError as error:
            _report(request, error)
        else:
            messages.success(request, _("Recorded."))
    else:
        messages.error(request, _("Not recorded: check the answers."))
    return redirect("evidence:item", human_id=item.human_id)


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
    """Offer the item to a colleague; it changes hands when they confirm with their own code."""
    actor = _actor(request)
    item = selectors.item_get_for(actor, human_id, Action.EDIT)
    receivers = selectors.receivers_for(actor, item)
    form = HandoverForm(request.POST, receivers=receivers)
    if form.is_valid():
        receiver = next((u for u in receivers if str(u.pk) == form.cleaned_data["receiver"]), None)
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
            name = receiver.get_full_name() or receiver.username
            messages.success(request, _("Waiting for %(name)s to confirm with their own code.") % {"name": name})
    else:
        messages.error(request, _("Not recorded: choose the colleague and say why."))
    return redirect("evidence:item", human_id=item.human_id)


@requires(Section.EVIDENCE, Action.EDIT)
@require_POST
def item_handover_external(request: HttpRequest, human_id: str) -> HttpResponse:
    """Hand the item to a police officer or a laboratory courier; then print the receipt."""
    actor = _actor(request)
    item = selectors.item_get_for(actor, human_id, Action.EDIT)
    form = ExternalHandoverForm(request.POST)
    if form.is_valid():
        try:
            services.handover_external(actor=actor, item=item, **form.cleaned_data)
        except ValidationError as error:
            _report(request, error)
        except ConsentRequired as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Handed over. Print the custody receipt for their signature."))
    else:
        messages.error(request, _("Not recorded: enter who received it and why."))
    return redirect("evidence:item", human_id=item.human_id)


@requires(Section.EVIDENCE, Action.EDIT)
def handovers(request: HttpRequest) -> HttpResponse:
    """Items colleagues are handing to me, to confirm with my own second factor."""
    actor = _actor(request)
    return render(
        request,
        "evidence/handovers.html",
        {
            "pending": list(selectors.pending_handovers_for(actor)),
            "offered": list(selectors.offered_handovers_by(actor)),
            "form": ConfirmForm(),
        },
    )


@requires(Section.EVIDENCE, Action.EDIT)
@require_POST
def handover_confirm(request: HttpRequest, event_id: str) -> HttpResponse:
    actor = _actor(request)
    event = selectors.custody_event_get_for(actor, event_id, Action.EDIT)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the six digits your authenticator app shows."))
        return redirect("evidence:handovers")
    try:
        services.handover_confirm(actor=actor, event=event, token=form.cleaned_data["token"])
    except PermissionDenied:
        # Only the named receiver may confirm; to anyone else the hand-over does not exist.
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
    event = selectors.custody_event_get_for(actor, event_id, Action.EDIT)
    try:
        services.handover_cancel(actor=actor, event=event)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        _report(request, error)
    return redirect("evidence:item", human_id=event.item.human_id)


@requires(Section.EVIDENCE, Action.VIEW)
def labels(request: HttpRequest, code: str) -> HttpResponse:
    """A sheet of labels, one per item: its number, kind, case, and a QR code of the number."""
    actor = _actor(request)
    case = case_get_for(actor, code, Section.EVIDENCE, Action.VIEW)
    with transaction.atomic():
        items = selectors.items_for_labels(actor, case)
    pdf = render_pdf(
        "evidence/labels.html",
        {"case": case, "labels": [{"item": i, "qr": qr_png(i.human_id)} for i in items]},
        language=request.LANGUAGE_CODE,
    )
    return _pdf(pdf, f"labels-{case.code}.pdf")


@requires(Section.EVIDENCE, Action.VIEW)
def receipt(request: HttpRequest, event_id: str) -> HttpResponse:
    """The custody receipt of a hand-over to someone outside the cell, for both to sign."""
    actor = _actor(request)
    with transaction.atomic():
        event = selectors.receipt_for(actor, event_id)
    payload = receipt_payload(event)
    pdf = render_pdf(
        "evidence/receipt.html",
        {"event": event, "item": event.item, "case": event.item.case, "qr": qr_png(payload), "payload": payload},
        language=request.LANGUAGE_CODE,
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
            messages.success(request, _("Recorded."))
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
                summary=form.cleaned_data["summary"], name=upload.name or "",
            )  # fmt: skip
        except ValidationError as error:
            _report(request, error)
        except storage.FileTooLarge:
            messages.error(request, _("The file is too large."))
        else:
            messages.success(request, _("Result stored with its SHA-256."))
    else:
        messages.error(request, _("Choose the result document and when it came."))
    return redirect("evidence:case", code=submission.case.code)


@requires(Section.EVIDENCE, Action.VIEW)
def lab_result_download(request: HttpRequest, submission_id: str) -> HttpResponse | StreamingHttpResponse:
    """The result document, checked against its SHA-256 before it is served (audited)."""
    actor = _actor(request)
    submission = selectors.submission_get_for(actor, submission_id)
    with transaction.atomic():
        stored = selectors.result_file_for(actor, submission)
    if stored is None:
        messages.error(
            request, _("The stored result does not match its SHA-256: it is not served. Tell the cell head.")
        )
        return redirect("evidence:case", code=submission.case.code)
    response = StreamingHttpResponse(storage.read_chunks(stored), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="lab-result-{submission.pk}"'
    response["Content-Length"] = str(stored.size)
    return response


@requires(Section.EVIDENCE, Action.EXPORT)
def court_bundle(request: HttpRequest, code: str) -> HttpResponse:
    """Produce the case's court bundle (ZIP) for a court or office; recorded in the disclosure ledger."""
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
