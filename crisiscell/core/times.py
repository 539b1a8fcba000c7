"""Times as staff read them: Asia/Karachi (the active time zone), to the minute.

``local_minute`` writes what the template filter ``date:"Y-m-d H:i"`` writes (digits
only, the same in every language) without the filter's machinery: pages that list
many times (the board, a case's history) call it once per time.

On a page, a time goes in a ``<time>`` element (``minute_html``, ``day_html`` and the
filters ``local_time`` and ``local_date``), which the stylesheet keeps left-to-right
and on one line. Without it, on an Urdu page "2026-12-07" after Urdu words reads
"07-12-2026" (the bidirectional algorithm treats its digits as Arabic numbers) and a
narrow column breaks "2026-11-23 08:01" at a hyphen.
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe


def local_day(value: date) -> str:
    """Y-m-d of a time already in the zone it should be read in."""
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def local_minute(value: datetime) -> str:
    """Y-m-d H:i in the active time zone (a naive time is taken as already local)."""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{local_day(local)} {local.hour:02d}:{local.minute:02d}"


def in_sentence(text: str) -> str:
    """A left-to-right value set inside a translated sentence shown as plain text (a time in
    an error message, an example CNIC in a hint): the Unicode isolates LRI and PDI around it
    do for plain text what ``<time>`` does on a page."""
    return f"\u2066{text}\u2069"


def minute_in_sentence(value: datetime) -> str:
    """``local_minute`` isolated for a translated sentence shown as plain text (an error message)."""
    return in_sentence(local_minute(value))


def time_element(machine: str, shown: str) -> str:
    """``<time datetime="machine">shown</time>``: both are digits we wrote, nothing to escape."""
    return f'<time datetime="{machine}">{shown}</time>'


def minute_html(value: datetime | None) -> SafeString:
    """``<time datetime="2026-12-07T08:01+05:00">2026-12-07 08:01</time>``; "" for no time."""
    if value is None:
        return SafeString("")
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return mark_safe(time_element(local.isoformat(timespec="minutes"), local_minute(local)))  # noqa: S308 - digits


def day_html(value: date | None) -> SafeString:
    """``<time datetime="2026-12-07">2026-12-07</time>``; a time is read in the local zone first."""
    if value is None:
        return SafeString("")
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    day = local_day(value)
    return mark_safe(time_element(day, day))  # noqa: S308 - digits only
