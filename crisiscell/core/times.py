"""Times as staff read them: Asia/Karachi (the active time zone), to the minute.

``local_minute`` writes what the template filter ``date:"Y-m-d H:i"`` writes (digits
only, the same in every language) without the filter's machinery: pages that list
many times (the board, a case's history) call it once per time.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone


def local_day(value: datetime) -> str:
    """Y-m-d of a time already in the zone it should be read in."""
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def local_minute(value: datetime) -> str:
    """Y-m-d H:i in the active time zone (a naive time is taken as already local)."""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{local_day(local)} {local.hour:02d}:{local.minute:02d}"
