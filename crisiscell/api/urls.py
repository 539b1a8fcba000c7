"""The API's URLs, each marked ``@integration_token`` and wrapped so that every call is audited.

The wrapper runs around ninja's view: after the response it writes ``api.called``
(client, operation, status), also for refusals (401, 403, 404, 422, 429). The
schema and the docs page are public: they describe the API and hold no data.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path

from crisiscell.access.decorators import integration_token, public
from crisiscell.api import views
from crisiscell.api.api import api
from crisiscell.api.services import audit_call

app_name = "api"

PUBLIC = {"openapi-json"}


def _audited(view: Callable[..., HttpResponse], name: str) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        audit_call(
            client=getattr(request, "client", None),
            method=request.method or "",
            operation=name,
            status=response.status_code,
        )
        return response

    wrapper.csrf_exempt = True  # type: ignore[attr-defined]
    return wrapper


def _patterns() -> list[Any]:
    patterns, _app, _namespace = api.urls
    marked: list[Any] = []
    for pattern in patterns:
        if not isinstance(pattern, URLPattern):
            raise TypeError(f"Unexpected nested URL configuration in the API: {pattern!r}")
        if pattern.name in PUBLIC:
            view = public(pattern.callback)
        else:
            view = integration_token(_audited(pattern.callback, str(pattern.pattern)))
        marked.append(path(str(pattern.pattern), view, name=pattern.name))
    return marked


urlpatterns = [
    *_patterns(),
    path("docs", views.docs, name="docs"),
]
