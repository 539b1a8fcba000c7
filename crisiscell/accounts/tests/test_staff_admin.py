"""Staff administration by the cell head: invitations, roles, deactivation, and their audit."""

from __future__ import annotations

import re
from unittest import mock

import pytest
from django.db import DatabaseError
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from crisiscell.access.policy import Role
from crisiscell.accounts.models import Invitation, Membership, User
from crisiscell.audit.models import AuditEvent
from crisiscell.tests.factories import login_client

HOME = reverse("core:home")


@pytest.fixture
def head(cell, staff):
    return staff(Role.CELL_HEAD, cell, username="head")


AUDIT_CREATE = "crisiscell.audit.services.AuditEvent.objects.create"


def _url(name: str, cell, membership) -> str:
    return reverse(name, kwargs={"cell_code": cell.code, "membership_id": membership.pk})


def _actions() -> list[str]:
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


def _invite(client: Client, cell, username: str = "newmlo") -> str:
    response = client.post(
        reverse("staff:invite", kwargs={"cell_code": cell.code}),
        {
            "username": username,
            "first_name": "Test",
            "last_name": "Officer",
            "email": f"{username}@example.invalid",
            "gender": "female",
            "role": Role.MEDICO_LEGAL_OFFICER,
        },
    )
    assert response.status_code == 200
    return re.search(r"(/accounts/invitation/[^/<\s]+/)", response.content.decode()).group(1)


def test_invitation_sets_password_and_enrols_totp_with_a_qr_code(head, cell):
    link = _invite(login_client(head), cell)
    newcomer = Client()
    # Opening the link moves the token out of the URL.
    response = newcomer.get(link)
    assert response["Location"] == reverse("accounts:invitation_password")
    response = newcomer.post(
        response["Location"],
        {"password1": "a long enough passphrase", "password2": "a long enough passphrase"},
    )
    enrol = newcomer.get(response["Location"])
    assert b"<svg" in enrol.content  # the QR code, inline, no script
    device = TOTPDevice.objects.get(user__username="newmlo", confirmed=False)
    # Nothing is saved until the second factor is proven.
    assert not User.objects.get(username="newmlo").has_usable_password()
    code = f"{TOTP(device.bin_key).token():06d}"
    response = newcomer.post(reverse("accounts:invitation_enrol"), {"token": code})
    assert response["Location"] == HOME
    assert newcomer.get(HOME).status_code == 200
    user = User.objects.get(username="newmlo")
    assert user.check_password("a long enough passphrase")
    assert TOTPDevice.objects.get(user=user).confirmed
    assert Invitation.objects.get(user=user).used_at is not None
    assert {
        "admin.staff_invited",
        "auth.invitation_accepted",
        "auth.otp_enrolled",
        "auth.login",
    } <= set(_actions())
    # The link works once.
    assert Client().get(link).status_code == 404


def test_change_role_is_audited_and_ends_the_members_sessions(head, cell, staff):
    member = staff(Role.DESK_OFFICER, cell, username="member")
    member_client = login_client(member)
    membership = member.memberships.get()
    response = login_client(head).post(
        reverse("staff:change_role", kwargs={"cell_code": cell.code, "membership_id": membership.pk}),
        {"role": Role.CASE_WORKER, "version": membership.version},
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.CASE_WORKER
    assert membership.version == 2
    event = AuditEvent.objects.get(action="admin.role_changed")
    assert event.details_dict()["from"] == Role.DESK_OFFICER
    assert event.cell_id == cell.pk
    assert member_client.get(HOME).status_code == 302


def test_stale_role_change_is_refused_and_shown(head, cell, staff):
    member = staff(Role.DESK_OFFICER, cell, username="member")
    membership = member.memberships.get()
    url = reverse("staff:change_role", kwargs={"cell_code": cell.code, "membership_id": membership.pk})
    client = login_client(head)
    client.post(url, {"role": Role.CASE_WORKER, "version": 1})
    response = client.post(url, {"role": Role.PSYCHOLOGIST, "version": 1})
    assert response.status_code == 400
    assert b"Someone else changed" in response.content
    membership.refresh_from_db()
    assert membership.role == Role.CASE_WORKER


def test_head_cannot_change_own_access(head, cell):
    membership = head.memberships.get()
    response = login_client(head).post(
        reverse("staff:deactivate", kwargs={"cell_code": cell.code, "membership_id": membership.pk})
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.is_active


def test_reinvite_replaces_password_and_device(head, cell, staff):
    member = staff(Role.DESK_OFFICER, cell, username="member")
    member_client = login_client(member)
    membership = member.memberships.get()
    response = login_client(head).post(
        reverse("staff:reinvite", kwargs={"cell_code": cell.code, "membership_id": membership.pk})
    )
    assert b"/accounts/invitation/" in response.content
    member.refresh_from_db()
    assert not member.has_usable_password()
    assert not TOTPDevice.objects.filter(user=member).exists()
    assert member_client.get(HOME).status_code == 302
    assert "admin.staff_reinvited" in _actions()


def test_reading_the_staff_list_is_audited(head, cell):
    login_client(head).get(reverse("staff:list", kwargs={"cell_code": cell.code}))
    event = AuditEvent.objects.get(action="admin.staff_listed")
    assert (event.actor_id, event.cell_id, event.object_ref) == (head.pk, cell.pk, cell.code)
    assert event.request_id  # tied to the request


def test_a_failing_audit_write_fails_the_change(head, cell, staff):
    member = staff(Role.DESK_OFFICER, cell, username="member")
    membership = member.memberships.get()
    client = login_client(head)
    client.raise_request_exception = False
    with mock.patch(
        "crisiscell.audit.services.AuditEvent.objects.create",
        side_effect=DatabaseError("disk full"),
    ):
        response = client.post(
            reverse("staff:change_role", kwargs={"cell_code": cell.code, "membership_id": membership.pk}),
            {"role": Role.CASE_WORKER, "version": membership.version},
        )
    assert response.status_code == 500
    membership.refresh_from_db()
    assert membership.role == Role.DESK_OFFICER  # rolled back with its audit event
    assert b"disk full" not in response.content


def test_a_failing_audit_write_fails_the_read(head, cell, staff):
    staff(Role.DESK_OFFICER, cell, username="listed-member-42")
    client = login_client(head)
    client.raise_request_exception = False
    with mock.patch(
        "crisiscell.audit.services.AuditEvent.objects.create",
        side_effect=DatabaseError("disk full"),
    ):
        response = client.get(reverse("staff:list", kwargs={"cell_code": cell.code}))
    assert response.status_code == 500
    assert b"listed-member-42" not in response.content


def test_invite_refuses_a_national_role(head, cell):
    response = login_client(head).post(
        reverse("staff:invite", kwargs={"cell_code": cell.code}),
        {
            "username": "sneaky",
            "first_name": "Test",
            "email": "sneaky@example.invalid",
            "role": Role.NATIONAL_ANALYST,
        },
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="sneaky").exists()
    assert not Membership.objects.filter(role=Role.NATIONAL_ANALYST).exists()
