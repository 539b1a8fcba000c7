"""Digital evidence: thin views over the selectors and services."""

from __future__ import annotations

import base64

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from crisiscell.access.decorators import public, requires
from crisiscell.access.policy import Action, Section
from crisiscell.access.scoping import allows_in_cell
from crisiscell.accounts.models import User
from crisiscell.audit.services import audit_record
from crisiscell.cases.selectors import case_get_for
from crisiscell.digital import images, peca, safety, selectors, services
from crisiscell.digital.forms import (
    DateOrderForm,
    ExhibitForm,
    NciiForm,
    PackForm,
    TimezoneForm,
    UnblurForm,
    UploadForm,
)
from crisiscell.documents import storage


def _actor(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):  # the access middleware admits only staff; never reached
        raise PermissionDenied
    return user


def _say(request: HttpRequest, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


@requires(Section.DIGITAL, Action.VIEW)
def case_digital(request: HttpRequest, code: str) -> HttpResponse:
    actor = _actor(request)
    case = case_get_for(actor, code, Section.DIGITAL, Action.VIEW)
    with transaction.atomic():
        page = selectors.digital_page(actor, case)
    return render(
        request,
        "digital/case.html",
        {
            "case": case,
            "page": page,
            "upload_form": UploadForm(),
            "ncii_form": NciiForm(),
            "pack_form": PackForm(),
            "may_edit": allows_in_cell(actor, case.cell, Section.DIGITAL, Action.EDIT),
            "may_export": allows_in_cell(actor, case.cell, Section.DIGITAL, Action.EXPORT),
            "offence_rows": [
                {"offence": o, "steps": peca.next_steps(o), "penalty": peca.max_penalty(o)}
                for o in peca.peca_offences()
            ],
        },
    )


@requires(Section.DIGITAL, Action.EDIT)
@require_POST
def upload(request: HttpRequest, code: str) -> HttpResponse:
    actor = _actor(request)
    case = case_get_for(actor, code, Section.DIGITAL, Action.EDIT)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Nothing was stored: choose a file."))
        return redirect("digital:case", code=case.code)
    received = form.cleaned_data["file"]
    try:
        source = services.source_upload(
            actor=actor,
            case=case,
            upload=received,
            name=received.name or "",
            size=received.size or 0,
            description=form.cleaned_data["description"],
            tz=form.cleaned_data["timezone"],
            date_order=form.cleaned_data["date_order"],
            intimate=form.cleaned_data["intimate"],
        )
    except safety.Refused as refusal:
        messages.error(request, str(refusal))
        return redirect("digital:case", code=case.code)
    except ValidationError as error:
        _say(request, error)
        return redirect("digital:case", code=case.code)
    messages.success(request, _("Received and stored. Its SHA-256 is %(sha)s.") % {"sha": source.file.sha256})
    return redirect("digital:source", source_id=source.pk)


@requires(Section.DIGITAL, Action.VIEW)
def source(request: HttpRequest, source_id: str) -> HttpResponse:
    actor = _actor(request)
    item = selectors.source_get_for(actor, source_id)
    with transaction.atomic():
        unparsed = selectors.source_detail(actor, item)
    return render(
        request,
        "digital/source.html",
        {
            "source": item,
            "unparsed": unparsed,
            "members": list(item.members.select_related("file").order_by("member")),
            "timezone_form": TimezoneForm(initial={"timezone": item.timezone}),
            "date_order_form": DateOrderForm(initial={"date_order": item.date_order}),
            "unblur_form": UnblurForm(),
            "may_unblur": services.may_unblur(actor, item),
            "may_edit": allows_in_cell(actor, item.case.cell, Section.DIGITAL, Action.EDIT),
        },
    )


@requires(Section.DIGITAL, Action.EDIT)
@require_POST
def source_timezone(request: HttpRequest, source_id: str) -> HttpResponse:
    actor = _actor(request)
    item = selectors.source_get_for(actor, source_id, Action.EDIT)
    form = TimezoneForm(request.POST)
    if form.is_valid():
        try:
            services.source_set_timezone(actor=actor, source=item, tz=form.cleaned_data["timezone"])
        except ValidationError as error:
            _say(request, error)
        else:
            messages.success(request, _("Time zone changed; the messages' times follow it."))
    else:
        messages.error(request, _("Not changed: give a time zone such as Asia/Karachi."))
    return redirect("digital:source", source_id=item.pk)


@requires(Section.DIGITAL, Action.EDIT)
@require_POST
def source_date_order(request: HttpRequest, source_id: str) -> HttpResponse:
    actor = _actor(request)
    item = selectors.source_get_for(actor, source_id, Action.EDIT)
    form = DateOrderForm(request.POST)
    if form.is_valid():
        try:
            services.source_set_date_order(actor=actor, source=item, date_order=form.cleaned_data["date_order"])
        except ValidationError as error:
            _say(request, error)
        else:
            messages.success(request, _("Dates read again in that order; the messages' times follow it."))
    else:
        messages.error(request, _("Not changed: choose the order in which the phone writes dates."))
    return redirect("digital:source", source_id=item.pk)


@requires(Section.DIGITAL, Action.EDIT)
@require_POST
def mark_intimate(request: HttpRequest, source_id: str) -> HttpResponse:
    actor = _actor(request)
    item = selectors.source_get_for(actor, source_id, Action.EDIT)
    services.source_mark_intimate(actor=actor, source=item)
    messages.success(request, _("Marked intimate: it is blurred for everyone."))
    return redirect("digital:source", source_id=item.pk)


@requires(Section.DIGITAL, Action.VIEW)
def image(request: HttpRequest, source_id: str) -> HttpResponse:
    """The viewing copy (no metadata); blurred when the image is marked intimate."""
    actor = _actor(request)
    item = selectors.source_get_for(actor, source_id)
    if item.viewing_copy is None:
        raise Http404
    with transaction.atomic():
        audit_record(
            action="digital.image_viewed",
            actor=actor,
            cell=item.case.cell,
            object_type="digital_source",
            object_ref=str(item.pk),
            details={"blurred": item.intimate},
        )
    data = b"".join(storage.read_chunks(item.viewing_copy))
    if item.intimate:
        data = images.blurred(data)
    response = HttpResponse(data, content_type="image/jpeg")
    response["Cache-Control"] = "no-store"
    return response


@requires(Section.DIGITAL, Action.VIEW)
@require_POST
def unblur(request: HttpRequest, source_id: str) -> HttpResponse:
    actor = _actor(request)
    item = selectors.source_get_for(actor, source_id)
    if not services.may_unblur(actor, item):
        raise PermissionDenied
    form = UnblurForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write why you need to see this image (at least a few words)."))
        return redirect("digital:source", source_id=item.pk)
    try:
        data = services.intimate_view(actor=actor, source=item, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        _say(request, error)
        return redirect("digital:source", source_id=item.pk)
    response = render(
        request,
        "digital/unblurred.html",
        {"source": item, "data_uri": "data:image/jpeg;base64," + base64.b64encode(data).decode("ascii")},
    )
    response["Cache-Control"] = "no-store"
    return response


@requires(Section.DIGITAL, Action.VIEW)
@require_http_methods(["GET", "POST"])
def timeline(request: HttpRequest, code: str) -> HttpResponse:
    """The merged timeline; its filters come in the body (POST), never in the address.

    A sender is a name or a number from the chat, and a search is words from it: in a
    URL they would stay in the shared ward computer's history and in the server's logs.
    """
    actor = _actor(request)
    case = case_get_for(actor, code, Section.DIGITAL, Action.VIEW)
    sender = request.POST.get("sender", "")[:300]
    query = request.POST.get("q", "")[:200]
    with transaction.atomic():
        view = selectors.timeline_for(actor, case, sender=sender, query=query)
    return render(
        request,
        "digital/timeline.html",
        {
            "case": case,
            "timeline": view,
            "sender": sender,
            "query": query,
            "offences": list(peca.peca_offences()),
            "may_edit": allows_in_cell(actor, case.cell, Section.DIGITAL, Action.EDIT),
        },
    )


@requires(Section.DIGITAL, Action.EDIT)
@require_POST
def exhibit_pin(request: HttpRequest, message_id: str) -> HttpResponse:
    actor = _actor(request)
    message = selectors.message_get_for(actor, message_id, Action.EDIT)
    form = ExhibitForm(request.POST)
    if form.is_valid():
        services.exhibit_pin(
            actor=actor, message=message, note=form.cleaned_data["note"], offences=form.cleaned_data["offences"]
        )
        messages.success(request, _("Pinned as an exhibit."))
    else:
        messages.error(request, _("Not pinned: check the note and the offences."))
    return redirect("digital:case", code=message.case.code)


@requires(Section.DIGITAL, Action.EDIT)
@require_POST
def ncii_record(request: HttpRequest, code: str) -> HttpResponse:
    actor = _actor(request)
    case = case_get_for(actor, code, Section.DIGITAL, Action.EDIT)
    form = NciiForm(request.POST)
    if form.is_valid():
        services.ncii_record(
            actor=actor, case=case, service=form.cleaned_data["service"], case_number=form.cleaned_data["case_number"]
        )
        messages.success(request, _("Case number recorded."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("digital:case", code=case.code)


@requires(Section.DIGITAL, Action.EXPORT)
@require_POST
def pack_issue(request: HttpRequest, code: str) -> HttpResponse:
    actor = _actor(request)
    case = case_get_for(actor, code, Section.DIGITAL, Action.EXPORT)
    form = PackForm(request.POST)
    if form.is_valid():
        try:
            services.nccia_pack_issue(actor=actor, case=case, **form.cleaned_data)
        except ValidationError as error:
            _say(request, error)
        else:
            messages.success(request, _("The NCCIA complaint pack was issued in English and Urdu and recorded."))
    else:
        messages.error(request, _("Not issued: say to which office and why."))
    return redirect("digital:case", code=case.code)


@requires(Section.DIGITAL, Action.EXPORT)
def pack_download(request: HttpRequest, disclosure_id: str) -> HttpResponseBase:
    actor = _actor(request)
    disclosure = selectors.pack_get_for(actor, disclosure_id)
    if disclosure.file is None:  # the selector only returns packs with a file
        raise Http404
    with transaction.atomic():
        audit_record(
            action="digital.pack_downloaded",
            actor=actor,
            cell=disclosure.case.cell,
            object_type="case",
            object_ref=disclosure.case.code,
            details={"disclosure": disclosure.pk},
        )
    response = StreamingHttpResponse(storage.read_chunks(disclosure.file), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{disclosure.case.code}-nccia-{disclosure.language}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@requires(Section.STATISTICS, Action.VIEW)
def repeat_statistics(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    with transaction.atomic():
        counts = selectors.repeat_counts(actor)
    return render(request, "digital/repeat_statistics.html", {"counts": counts})


@public
def public_help(request: HttpRequest) -> HttpResponse:
    """How to keep digital evidence and where to report. No login, nothing about anyone."""
    return render(request, "digital/public_help.html")
