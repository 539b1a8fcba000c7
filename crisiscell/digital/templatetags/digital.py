"""``{% load digital %}{% digital_panel case %}``: a link to the case's digital evidence, for those who may see it."""

from __future__ import annotations

from typing import Any

from django import template

from crisiscell.access.policy import Action, Section
from crisiscell.access.scoping import allows_in_cell
from crisiscell.accounts.models import User
from crisiscell.digital.models import DigitalSource, Exhibit

register = template.Library()


@register.inclusion_tag("digital/_panel.html", takes_context=True)
def digital_panel(context: Any, case: Any) -> dict[str, Any]:
    user = context.get("user")
    if not isinstance(user, User) or not allows_in_cell(user, case.cell, Section.DIGITAL, Action.VIEW):
        return {"case": None}
    return {
        "case": case,
        "sources": DigitalSource.objects.filter(case=case, parent__isnull=True).count(),
        "exhibits": Exhibit.objects.filter(case=case).count(),
    }
