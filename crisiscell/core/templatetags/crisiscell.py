"""Template filters shared by every page."""

from __future__ import annotations

from datetime import timedelta

from django import forms, template
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from crisiscell.core.blank_forms import blank_fields

register = template.Library()


@register.filter
def duration(value: timedelta | None) -> str:
    """A time span as a tired reader takes it in at a glance: "3 d 4 h", "2 h 15 min", "12 min"."""
    if value is None:
        return ""
    seconds = int(abs(value.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        text = _("%(d)s d %(h)s h") % {"d": days, "h": hours}
    elif hours:
        text = _("%(h)s h %(m)s min") % {"h": hours, "m": minutes}
    else:
        text = _("%(m)s min") % {"m": minutes}
    return text


@register.filter(name="blank_fields")
def blank_fields_filter(form: forms.Form, exclude: str = "") -> SafeString:
    """``{{ form|blank_fields }}`` or ``{{ form|blank_fields:"guardian" }}``: see ``core.blank_forms``."""
    return blank_fields(form, exclude)
