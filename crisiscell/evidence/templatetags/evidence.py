"""``{% load evidence %}{% evidence_panel case %}``: the evidence panel of the case page."""

from __future__ import annotations

from typing import Any

from django import template

from crisiscell.evidence.selectors import case_panel_for

register = template.Library()


@register.inclusion_tag("evidence/_panel.html", takes_context=True)
def evidence_panel(context: Any, case: Any) -> dict[str, Any]:
    """Counts and links, for roles with the evidence section in the case's cell; nothing for others."""
    return {"panel": case_panel_for(context.get("user"), case)}
