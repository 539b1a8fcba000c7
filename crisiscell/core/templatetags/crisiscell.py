"""Template filters shared by every page."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django import forms, template
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from crisiscell.core.blank_forms import blank_fields
from crisiscell.core.times import day_html, minute_html

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


@register.filter
def local_time(value: date | None) -> SafeString:
    """``{{ at|local_time }}``: "2026-12-07 08:01" in Asia/Karachi, in a ``<time>`` (see ``core.times``)."""
    if isinstance(value, datetime):
        return minute_html(value)
    return day_html(value) if isinstance(value, date) else SafeString("")


@register.filter
def local_date(value: date | None) -> SafeString:
    """``{{ on|local_date }}``: "2026-12-07", in a ``<time>``; a time is read in Asia/Karachi."""
    return day_html(value) if isinstance(value, date) else SafeString("")
