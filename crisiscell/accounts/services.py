"""Every write to staff accounts and memberships. Each function checks the policy,
runs in one transaction and writes its audit event in it.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from crisiscell.access.policy import CELL_LESS_ROLES, NATIONAL_OPTIONAL_ROLES, Action, Role, Section
from crisiscell.access.scoping import allows_in_cell
from crisiscell.accounts.models import Invitation, Membership, User
from crisiscell.audit.services import audit_record
from crisiscell.cells.models import Cell

INVITATION_LIFETIME = timedelta(days=3)
# Roles a cell head may give inside the cell.
CELL_ASSIGNABLE_ROLES = [r for r in Role if r not in CELL_LESS_ROLES | NATIONAL_OPTIONAL_ROLES] + [Role.AUDITOR]


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    token: str  # shown once; only its digest is stored


def _require_admin(actor: User, cell: Cell) -> None:
    if not allows_in_cell(actor, cell, Section.ADMINISTRATION, Action.EDIT):
        raise PermissionDenied


def _issue_invitation(*, user: User, actor: User) -> IssuedInvitation:
    now = timezone.now()
    Invitation.objects.filter(user=user, used_at__isnull=True, revoked_at__isnull=True).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        user=user,
        token_hash=token_digest(token),
        expires_at=now + INVITATION_LIFETIME,
        created_by=actor,
    )
    return IssuedInvitation(invitation, token)


def end_all_sessions(user: User) -> None:
    """Raise the session epoch: every session of the user fails its hash check at once."""
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])


@transaction.atomic
def staff_invite(
    *,
    actor: User,
    cell: Cell,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    role: str,
    gender: str = "",
) -> IssuedInvitation:
    """A cell head invites a new staff member into their cell.

    Audits ``admin.staff_invited``. The returned token is the only copy.
    """
    _require_admin(actor, cell)
    if role not in CELL_ASSIGNABLE_ROLES:
        raise ValidationError({"role": _("This role cannot be given inside a cell.")})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This username is already taken.")})
    user = User(username=username, first_name=first_name, last_name=last_name, email=email, gender=gender)
    user.set_unusable_password()
    user.full_clean()
    user.save()
    membership = Membership.objects.create(user=user, cell=cell, role=role, created_by=actor)
    issued = _issue_invitation(user=user, actor=actor)
    audit_record(
        action="admin.staff_invited",
        actor=actor,
        cell=cell,
        object_type="membership",
        object_ref=str(membership.pk),
        details={"role": role, "user_id": user.pk},
    )
    return issued


@transaction.atomic
def staff_reinvite(*, actor: User, membership: Membership) -> IssuedInvitation:
    """Reset a staff member's password and second factor (lost phone, forgotten password).

    The old password and devices stop working at once and every session ends.
    Audits ``admin.staff_reinvited``.
    """
    assert_membership_admin(actor, membership)
    user = membership.user
    TOTPDevice.objects.filter(user=user).delete()
    user.set_unusable_password()
    user.save(update_fields=["password"])
    end_all_sessions(user)
    issued = _issue_invitation(user=user, actor=actor)
    audit_record(
        action="admin.staff_reinvited",
        actor=actor,
        cell=membership.cell,
        object_type="membership",
        object_ref=str(membership.pk),
        details={"user_id": user.pk},
    )
    return issued


def assert_membership_admin(actor: User, membership: Membership) -> None:
    if membership.cell is None:
        raise PermissionDenied
    _require_admin(actor, membership.cell)
    if membership.user_id == actor.pk:
        raise ValidationError(_("You cannot change your own access; ask another cell head."))


@transaction.atomic
def membership_change_role(*, actor: User, membership: Membership, role: str, expected_version: int) -> Membership:
    """Change the role a staff member holds in the cell. Audits ``admin.role_changed``."""
    assert_membership_admin(actor, membership)
    if role not in CELL_ASSIGNABLE_ROLES:
        raise ValidationError({"role": _("This role cannot be given inside a cell.")})
    previous = membership.role
    if previous == role:
        return membership
    if Membership.objects.filter(user=membership.user, cell=membership.cell, role=role).exists():
        raise ValidationError({"role": _("This staff member already holds that role here.")})
    updated = Membership.objects.filter(pk=membership.pk, version=expected_version).update(
        role=role, version=F("version") + 1, updated_at=timezone.now()
    )
    if not updated:
        raise ValidationError(_("Someone else changed this membership; reload and try again."))
    membership.refresh_from_db()
    end_all_sessions(membership.user)
    audit_record(
        action="admin.role_changed",
        actor=actor,
        cell=membership.cell,
        object_type="membership",
        object_ref=str(membership.pk),
        details={"from": previous, "to": role, "user_id": membership.user_id},
    )
    return membership


@transaction.atomic
def membership_deactivate(*, actor: User, membership: Membership) -> Membership:
    """Remove a staff member's role in the cell and end all their sessions.

    When it was their last active membership the account itself is deactivated.
    Audits ``admin.membership_deactivated`` (and ``admin.user_deactivated``).
    """
    assert_membership_admin(actor, membership)
    membership.is_active = False
    membership.version += 1
    membership.save(update_fields=["is_active", "version", "updated_at"])
    user = membership.user
    end_all_sessions(user)
    audit_record(
        action="admin.membership_deactivated",
        actor=actor,
        cell=membership.cell,
        object_type="membership",
        object_ref=str(membership.pk),
        details={"user_id": user.pk},
    )
    if not Membership.objects.filter(user=user, is_active=True).exists():
        user.is_active = False
        user.save(update_fields=["is_active"])
        audit_record(
            action="admin.user_deactivated",
            actor=actor,
            cell=membership.cell,
            object_type="user",
            object_ref=str(user.pk),
        )
    return membership


def invitation_find(token: str) -> Invitation | None:
    """The usable invitation for this token, or None (unknown, used, revoked or expired)."""
    return (
        Invitation.objects.select_related("user")
        .filter(
            token_hash=token_digest(token),
            used_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
            user__is_active=True,
        )
        .first()
    )


def enrolment_device_start(*, user: User) -> TOTPDevice:
    """A fresh, unconfirmed TOTP device to show as a QR code; replaces earlier unconfirmed ones."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


@transaction.atomic
def invitation_accept(*, invitation: Invitation, password_hash: str, device: TOTPDevice) -> User:
    """Set the chosen password and confirm the new device in one step.

    Nothing changes until the second factor is proven, so an abandoned invitation
    leaves the account as it was. Audits ``auth.invitation_accepted`` and
    ``auth.otp_enrolled``.
    """
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.used_at or locked.revoked_at or locked.expires_at <= timezone.now():
        raise ValidationError(_("This invitation is no longer valid."))
    user = locked.user
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    user.password = password_hash
    user.save(update_fields=["password"])
    locked.used_at = timezone.now()
    locked.save(update_fields=["used_at"])
    audit_record(action="auth.invitation_accepted", actor=user, object_type="user", object_ref=str(user.pk))
    audit_record(action="auth.otp_enrolled", actor=user, object_type="user", object_ref=str(user.pk))
    return user


def hash_new_password(raw: str) -> str:
    return make_password(raw)


@transaction.atomic
def user_logout(*, user: User) -> None:
    """Log out everywhere: every session of this user ends. Audits ``auth.logout``."""
    end_all_sessions(user)
    audit_record(action="auth.logout", actor=user, object_type="user", object_ref=str(user.pk))
