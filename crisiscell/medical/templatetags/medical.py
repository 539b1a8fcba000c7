"""``{% load medical %}{% medical_panel case %}``: the examination's status on the case page.

Shown only to roles with the medical section in the case's cell; never the record's content.
"""

from __future__ import annotations

from typing import Any

from django import template

from crisiscell.medical.selectors import panel_for

register = template.Library()


@register.inclusion_tag("medical/_panel.html", takes_context=True)
def medical_panel(context: Any, case: Any) -> dict[str, Any]:
    user = context.get("user")
    view = panel_for(user, case) if getattr(user, "is_authenticated", False) else None
    return {"view": view, "case": case}
