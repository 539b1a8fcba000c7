"""Login with two factors, invitations, logout, password reset and staff administration."""

from __future__ import annotations

from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from crisiscell.access.decorators import public, requires
from crisiscell.access.policy import Action, Section
from crisiscell.access.scoping import is_verified
from crisiscell.accounts import selectors, services, sessions
from crisiscell.accounts.forms import InviteForm, LoginForm, NewPasswordForm, RoleForm, TokenForm
from crisiscell.accounts.models import User
from crisiscell.audit.services import audit_record
from crisiscell.cells.selectors import cell_get_for


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("core:home")


def _complete_login(request: HttpRequest, user: User, device: TOTPDevice, next_url: str) -> HttpResponse:
    with transaction.atomic():
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        otp_login(request, device)
        sessions.stamp_login(request.session)
        audit_record(action="auth.login", actor=user, object_type="user", object_ref=str(user.pk))
    return HttpResponseRedirect(next_url)


@public
@sensitive_post_parameters("password")
def login_view(request: HttpRequest) -> HttpResponse:
    """Step one: the password. It never logs anyone in by itself."""
    if is_verified(request.user):
        return redirect("core:home")
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
        )
        if isinstance(user, User) and TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            sessions.preauth_start(request.session, user.pk, _safe_next(request, request.GET.get("next")))
            return redirect("accounts:login_verify")
        with transaction.atomic():
            audit_record(action="auth.login_failed", actor=None, actor_label="anonymous")
        # One message for unknown user, wrong password, inactive account and missing
        # second factor: the response says nothing about which it was.
        form.add_error(None, _("That username and password do not match an account that can log in."))
    return render(request, "accounts/login.html", {"form": form})


@public
def login_verify(request: HttpRequest) -> HttpResponse:
    """Step two: the TOTP code. Only now is the session logged in."""
    state = sessions.preauth_get(request.session)
    user = selectors.user_for_login(state["uid"]) if state else None
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() if user else None
    if state is None or user is None or device is None:
        messages.info(request, _("Please log in again."))
        return redirect("accounts:login")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _info = device.verify_is_allowed()
        if allowed and device.verify_token(form.cleaned_data["token"]):
            request.session.pop(sessions.PREAUTH, None)
            return _complete_login(request, user, device, state["next"])
        with transaction.atomic():
            audit_record(action="auth.otp_failed", actor=user, object_type="user", object_ref=str(user.pk))
        if sessions.preauth_failed(request.session):
            messages.error(request, _("Too many wrong codes. Enter your password again."))
            return redirect("accounts:login")
        if not allowed:
            form.add_error(None, _("Too many attempts. Wait a little, then enter a fresh code."))
        else:
            form.add_error("token", _("That code is not right. Enter the code the app shows now."))
    return render(request, "accounts/login_verify.html", {"form": form})


def locked_out(request: HttpRequest, response: HttpResponse | None = None, credentials: Any = None) -> HttpResponse:
    """What a locked-out username and address pair sees (axes' lockout callable)."""
    return render(request, "accounts/locked_out.html", status=429)


@public
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    if isinstance(user, User) and user.is_authenticated:
        services.user_logout(user=user)
    logout(request)
    messages.info(request, _("You have logged out on every device."))
    return redirect("accounts:login")


# Invitations: open the link, choose a password, enrol the authenticator.


@public
def invitation_open(request: HttpRequest, token: str) -> HttpResponse:
    """Move the token from the URL into the session, then continue without it in the URL."""
    invitation = services.invitation_find(token)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    logout(request)
    request.session[sessions.INVITATION] = {"id": str(invitation.pk), "token": token}
    return redirect("accounts:invitation_password")


def _invitation_from_session(request: HttpRequest) -> Any:
    state = request.session.get(sessions.INVITATION)
    if not state:
        return None
    return services.invitation_find(state["token"])


@public
@sensitive_post_parameters("password1", "password2")
def invitation_password(request: HttpRequest) -> HttpResponse:
    invitation = _invitation_from_session(request)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    form = NewPasswordForm(invitation.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.enrolment_device_start(user=invitation.user)
        state = request.session[sessions.INVITATION]
        state["password_hash"] = services.hash_new_password(form.cleaned_data["password1"])
        state["device_id"] = device.pk
        request.session[sessions.INVITATION] = state
        return redirect("accounts:invitation_enrol")
    return render(request, "accounts/invitation_password.html", {"form": form, "invitation": invitation})


@public
def invitation_enrol(request: HttpRequest) -> HttpResponse:
    """Show the QR code of the new authenticator secret; confirm it with a first code."""
    invitation = _invitation_from_session(request)
    state = request.session.get(sessions.INVITATION) or {}
    device = (
        TOTPDevice.objects.filter(pk=state.get("device_id"), user=invitation.user, confirmed=False).first()
        if invitation
        else None
    )
    if invitation is None or device is None or "password_hash" not in state:
        return render(request, "accounts/invitation_invalid.html", status=404)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            try:
                user = services.invitation_accept(
                    invitation=invitation, password_hash=state["password_hash"], device=device
                )
            except ValidationError:
                return render(request, "accounts/invitation_invalid.html", status=404)
            request.session.pop(sessions.INVITATION, None)
            messages.success(request, _("Your account is ready."))
            return _complete_login(request, user, device, reverse("core:home"))
        form.add_error("token", _("That code is not right. Check the app was set up from this page."))
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=5, border=2, dark="#111")
    secret = device.config_url.split("secret=")[1].split("&")[0]
    return render(
        request,
        "accounts/invitation_enrol.html",
        {"form": form, "qr_svg": qr_svg, "secret": secret, "invitation": invitation},
    )


# Password reset: an e-mailed link sets a new password; it never logs in, so the
# second factor is still needed afterwards.


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: Any) -> HttpResponse:
        with transaction.atomic():
            audit_record(action="auth.password_reset_requested", actor=None, actor_label="anonymous")
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")
    post_reset_login = False

    def form_valid(self, form: Any) -> HttpResponse:
        with transaction.atomic():
            response = super().form_valid(form)
            user = form.user
            services.end_all_sessions(user)
            audit_record(
                action="auth.password_reset_completed",
                actor=user,
                object_type="user",
                object_ref=str(user.pk),
            )
        return response


# Staff administration for the cell head.


@requires(Section.ADMINISTRATION, Action.VIEW)
def staff_list(request: HttpRequest, cell_code: str) -> HttpResponse:
    actor: User = request.user  # type: ignore[assignment]
    cell = cell_get_for(actor, cell_code, Section.ADMINISTRATION, Action.VIEW)
    with transaction.atomic():
        memberships = list(selectors.staff_list_for(actor, cell))
    return render(
        request,
        "accounts/staff_list.html",
        {"cell": cell, "memberships": memberships, "pending": selectors.pending_invitations(cell)},
    )


@requires(Section.ADMINISTRATION, Action.EDIT)
def staff_invite(request: HttpRequest, cell_code: str) -> HttpResponse:
    actor: User = request.user  # type: ignore[assignment]
    cell = cell_get_for(actor, cell_code, Section.ADMINISTRATION, Action.EDIT)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            issued = services.staff_invite(actor=actor, cell=cell, **form.cleaned_data)
        except ValidationError as error:
            _attach_errors(form, error)
        else:
            link = request.build_absolute_uri(reverse("accounts:invitation_open", args=[issued.token]))
            return render(
                request,
                "accounts/invitation_issued.html",
                {"cell": cell, "link": link, "user": issued.invitation.user},
            )
    return render(request, "accounts/staff_invite.html", {"cell": cell, "form": form})


def _attach_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@requires(Section.ADMINISTRATION, Action.EDIT)
def staff_detail(request: HttpRequest, cell_code: str, membership_id: str) -> HttpResponse:
    actor: User = request.user  # type: ignore[assignment]
    cell = cell_get_for(actor, cell_code, Section.ADMINISTRATION, Action.EDIT)
    membership = selectors.membership_get_for_admin(actor, cell, membership_id)
    form = RoleForm(initial={"role": membership.role, "version": membership.version})
    return render(
        request,
        "accounts/staff_detail.html",
        {"cell": cell, "membership": membership, "form": form},
    )


@requires(Section.ADMINISTRATION, Action.EDIT)
@require_POST
def staff_change_role(request: HttpRequest, cell_code: str, membership_id: str) -> HttpResponse:
    actor: User = request.user  # type: ignore[assignment]
    cell = cell_get_for(actor, cell_code, Section.ADMINISTRATION, Action.EDIT)
    membership = selectors.membership_get_for_admin(actor, cell, membership_id)
    form = RoleForm(request.POST)
    if form.is_valid():
        try:
            services.membership_change_role(
                actor=actor,
                membership=membership,
                role=form.cleaned_data["role"],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            _attach_errors(form, error)
        else:
            messages.success(request, _("The role was changed; their sessions have ended."))
            return redirect("staff:list", cell_code=cell.code)
    return render(
        request,
        "accounts/staff_detail.html",
        {"cell": cell, "membership": membership, "form": form},
        status=400,
    )


@requires(Section.ADMINISTRATION, Action.EDIT)
@require_POST
def staff_deactivate(request: HttpRequest, cell_code: str, membership_id: str) -> HttpResponse:
    actor: User = request.user  # type: ignore[assignment]
    cell = cell_get_for(actor, cell_code, Section.ADMINISTRATION, Action.EDIT)
    membership = selectors.membership_get_for_admin(actor, cell, membership_id)
    try:
        services.membership_deactivate(actor=actor, membership=membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Access removed; every session of this staff member has ended."))
    return redirect("staff:list", cell_code=cell.code)


@requires(Section.ADMINISTRATION, Action.EDIT)
@require_POST
def staff_reinvite(request: HttpRequest, cell_code: str, membership_id: str) -> HttpResponse:
    actor: User = request.user  # type: ignore[assignment]
    cell = cell_get_for(actor, cell_code, Section.ADMINISTRATION, Action.EDIT)
    membership = selectors.membership_get_for_admin(actor, cell, membership_id)
    try:
        issued = services.staff_reinvite(actor=actor, membership=membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("staff:list", cell_code=cell.code)
    link = request.build_absolute_uri(reverse("accounts:invitation_open", args=[issued.token]))
    return render(
        request,
        "accounts/invitation_issued.html",
        {"cell": cell, "link": link, "user": membership.user},
    )
