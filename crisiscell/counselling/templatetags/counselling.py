"""``{% load counselling %}{% counselling_panel case tasks %}``: the team's view of counselling on the case page."""

from __future__ import annotations

from typing import Any

from django import template

from crisiscell.cases.forms import ContactForm
from crisiscell.counselling.forms import ChildProtectionReferralForm
from crisiscell.counselling.selectors import team_view_for

register = template.Library()


@register.inclusion_tag("counselling/_panel.html", takes_context=True)
def counselling_panel(context: Any, case: Any, tasks: Any = None) -> dict[str, Any]:
    """Whether counselling is ongoing, the next appointment and the shared flags; never notes.

    Shown to psychologists, to the team roles (case worker, cell head) and, as a link
    only, to the roles that may break glass; nothing at all to anyone else. ``tasks``:
    the case's tasks when the page has read them already.
    """
    user = context.get("user")
    view = team_view_for(user, case, tasks=tasks) if getattr(user, "is_authenticated", False) else None
    return {
        "view": view,
        "csrf_token": context.get("csrf_token"),
        "contact_form": ContactForm(auto_id="id_missed_%s")
        if view and view.can_act and view.awaiting_contact
        else None,
        "referral_form": (
            ChildProtectionReferralForm(auto_id="id_cp_%s")
            if view and view.can_act and view.is_team and view.child_protection_open
            else None
        ),
    }
