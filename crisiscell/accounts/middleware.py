"""Session limits: idle timeout and absolute lifetime, checked before every view."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from crisiscell.access.decorators import rule_of
from crisiscell.accounts import sessions
from crisiscell.audit.services import audit_record


class StaffSessionMiddleware:
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
        user = request.user
        if not user.is_authenticated:
            return None
        reason = sessions.expiry_reason(request.session)
        if reason is not None:
            with transaction.atomic():
                audit_record(
                    action="auth.session_expired",
                    actor=user,
                    object_type="user",
                    object_ref=str(user.pk),
                    details={"reason": reason},
                )
            logout(request)
            messages.info(request, _("Your session ended. Please log in again."))
            if getattr(request, "htmx", False):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = redirect_to_login(request.get_full_path()).url
                return response
            return redirect_to_login(request.get_full_path())
        rule = rule_of(view_func)
        if rule is None or not rule.passive:
            sessions.touch(request.session)
        return None
