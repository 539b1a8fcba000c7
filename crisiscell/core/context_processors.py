from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def crisiscell(request: HttpRequest) -> dict[str, Any]:
    return {"CRISISCELL_DEMO": settings.CRISISCELL_DEMO}
