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


class FetchMetadataOriginMiddleware:
    """Lets Django's CSRF protection work under ``Referrer-Policy: no-referrer``.

    Under that policy browsers send ``Origin: null`` (and no Referer) with a
    same-origin form POST, which ``CsrfViewMiddleware`` would refuse. Browsers also
    send the Fetch Metadata header ``Sec-Fetch-Site``, which a page on another site
    cannot set: when it says ``same-origin``, this middleware (placed just before
    ``CsrfViewMiddleware``) fills in our own origin. The CSRF token is still checked
    as before, and a cross-site POST still fails.
    """

    UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.method in self.UNSAFE
            and request.META.get("HTTP_ORIGIN") in (None, "null")
            and request.META.get("HTTP_SEC_FETCH_SITE") == "same-origin"
        ):
            request.META["HTTP_ORIGIN"] = f"{request.scheme}://{request.get_host()}"
        return self.get_response(request)
