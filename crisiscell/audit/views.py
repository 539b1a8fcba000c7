"""The auditor's view of the log: browse and filter."""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from crisiscell.access.decorators import requires
from crisiscell.access.policy import Action, Section
from crisiscell.accounts.models import User
from crisiscell.audit import selectors


class AuditFilterForm(forms.Form):
    action = forms.CharField(label=_("Action starts with"), required=False, max_length=64)
    actor = forms.CharField(label=_("Staff username"), required=False, max_length=150)
    cell_code = forms.CharField(label=_("Cell code"), required=False, max_length=6)
    object_ref = forms.CharField(label=_("Object"), required=False, max_length=64)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


@requires(Section.AUDIT, Action.VIEW)
def audit_log(request: HttpRequest) -> HttpResponse:
    actor: User = request.user  # type: ignore[assignment]
    form = AuditFilterForm(request.GET or None)
    flt = selectors.AuditFilter(**form.cleaned_data) if form.is_valid() else selectors.AuditFilter()
    with transaction.atomic():
        events = selectors.audit_events_for(actor, flt)
        page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/log.html",
        {"form": form, "page": page, "head": selectors.latest_tree_head()},
    )
