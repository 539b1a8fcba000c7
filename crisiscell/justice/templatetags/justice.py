"""``{% load justice %}{% justice_panel case %}``: the case page's Justice panel, for the legal section only."""

from __future__ import annotations

from typing import Any

from django import template

from crisiscell.justice.selectors import justice_summary_for, may_view

register = template.Library()


@register.inclusion_tag("justice/_case_panel.html", takes_context=True)
def justice_panel(context: Any, case: Any) -> dict[str, Any]:
    """Where the police case and the trial stand. Nothing for roles without the legal section."""
    user = context.get("user")
    if not getattr(user, "is_authenticated", False) or not may_view(user, case):
        return {"jview": None}
    # The case page's own ``case.viewed`` event covers this summary (no statement text).
    return {"jview": justice_summary_for(user, case)}
