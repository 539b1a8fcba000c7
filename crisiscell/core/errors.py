"""Error pages that say what to do next and reveal nothing about the data or the code."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template import loader


def _page(template: str, status: int, request: HttpRequest | None = None) -> HttpResponse:
    body: str
    try:
        body = loader.render_to_string(template, request=request)
    except Exception:  # an error page must never fail
        body = "<h1>Error</h1>"
    return HttpResponse(body, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page("400.html", 400, request)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page("403.html", 403, request)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page("404.html", 404, request)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: the failure may lie in it.
    return _page("500.html", 500)
