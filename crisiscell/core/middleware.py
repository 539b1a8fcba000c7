"""Request-wide middleware: request ids and caching rules."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from crisiscell.core import context


def client_ip(request: HttpRequest) -> str | None:
    """The peer address; behind a proxy the proxy must set REMOTE_ADDR correctly."""
    return request.META.get("REMOTE_ADDR") or None


class RequestIdMiddleware:
    """Gives every request an id, carried into audit events and the response header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = secrets.token_hex(16)
        token = context.bind(context.RequestContext(request_id, client_ip(request)))
        try:
            response = self.get_response(request)
        finally:
            context.unbind(token)
        response["X-Request-ID"] = request_id
        return response


class NoStoreMiddleware:
    """No page of crisiscell may be kept by a browser or proxy cache.

    Static files are served before this middleware by WhiteNoise and keep their
    own long-lived caching.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response["Cache-Control"] = "no-store"
        response["Pragma"] = "no-cache"
        return response
