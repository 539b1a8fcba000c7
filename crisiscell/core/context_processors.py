from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from crisiscell.access.scoping import is_verified
from crisiscell.cases.models import Alert


def crisiscell(request: HttpRequest) -> dict[str, Any]:
    context: dict[str, Any] = {"CRISISCELL_DEMO": settings.CRISISCELL_DEMO}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and is_verified(user):
        # Lazy: counted only if the page shows it.
        context["unread_alerts"] = lambda: Alert.objects.filter(user=user, read_at__isnull=True).count()
    return context
