"""Deny by default: every view is checked against its declared access rule before it runs."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from crisiscell.access.decorators import rule_of
from crisiscell.access.scoping import allows_somewhere, has_any_membership, is_verified

logger = logging.getLogger(__name__)


def forbidden(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(request, "403.html", status=403).render()


class AccessPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        rule = rule_of(view_func)
        if rule is None:
            # An unclassified view is a bug; refuse rather than guess.
            logger.error("Refused a request to an unclassified view: %s", request.resolver_match)
            return forbidden(request)
        if rule.public or rule.token:
            # Token views authenticate themselves (crisiscell.api.auth); a session never reaches data there.
            return None
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_verified(user):
            # A password alone never reaches a staff page.
            logout(request)
            return redirect_to_login(request.get_full_path())
        if not has_any_membership(user):
            return forbidden(request)
        if (
            rule.section is not None
            and rule.action is not None
            and not allows_somewhere(user, rule.section, rule.action)
        ):
            return forbidden(request)
        return None
