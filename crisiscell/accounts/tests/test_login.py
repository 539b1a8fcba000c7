"""Login with two factors, lockout, session limits, logout and password reset."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from crisiscell.access.policy import Role
from crisiscell.audit.models import AuditEvent
from crisiscell.tests.factories import (
    TEST_PASSWORD,
    comparable_page,
    current_code,
    login_client,
)

LOGIN = reverse("accounts:login")
VERIFY = reverse("accounts:login_verify")
HOME = reverse("core:home")


def password_step(client: Client, username: str, password: str = TEST_PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def full_login(client: Client, user, **extra):
    response = password_step(client, user.username, **extra)
    assert response.status_code == 302
    assert response["Location"] == VERIFY
    device = TOTPDevice.objects.get(user=user)
    return client.post(VERIFY, {"token": current_code(device)}, **extra)


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


@pytest.fixture
def desk(cell, staff):
    return staff(Role.DESK_OFFICER, cell, username="desk")


def test_password_then_code_logs_in(desk):
    client = Client()
    # Given the right password only
    response = password_step(client, "desk")
    assert response["Location"] == VERIFY
    # then no staff page opens yet
    assert client.get(HOME)["Location"].startswith(LOGIN)
    # When the right code follows (a fresh password step, since the last request dropped it)
    password_step(client, "desk")
    response = client.post(VERIFY, {"token": current_code(TOTPDevice.objects.get(user=desk))})
    # Then the home page opens and the login is audited
    assert response["Location"] == HOME
    assert client.get(HOME).status_code == 200
    assert actions()[-1] == "auth.login"


def test_unknown_user_and_wrong_password_get_identical_responses(desk, staff, cell):
    inactive = staff(Role.DESK_OFFICER, cell, username="gone")
    inactive.is_active = False
    inactive.save()
    no_device = staff(Role.DESK_OFFICER, cell, username="nodevice")
    TOTPDevice.objects.filter(user=no_device).delete()
    attempts = [
        ("nobody-by-this-name", "whatever"),
        ("desk", "wrong password"),
        ("gone", TEST_PASSWORD),
        ("nodevice", TEST_PASSWORD),
    ]
    pages = [password_step(Client(), username, password) for username, password in attempts]
    assert {p.status_code for p in pages} == {200}
    # The form shows back the username typed; everything else must be the same.
    bodies = {
        comparable_page(p.content.replace(username.encode(), b"USERNAME"))
        for p, (username, _pw) in zip(pages, attempts, strict=True)
    }
    assert len(bodies) == 1
    assert b"do not match" in pages[0].content
    assert actions().count("auth.login_failed") == 4


def test_wrong_code_stays_logged_out(desk):
    client = Client()
    password_step(client, "desk")
    response = client.post(VERIFY, {"token": "000000"})
    assert response.status_code == 200
    assert b"not right" in response.content
    assert client.get(HOME).status_code == 302
    assert actions()[-1] == "auth.otp_failed"


def test_five_wrong_codes_in_one_password_step_require_the_password_again(desk):
    client = Client()
    password_step(client, "desk")
    device = TOTPDevice.objects.get(user=desk)
    responses = []
    for _ in range(5):
        device.throttle_reset()  # isolate the session counter from the device throttle
        responses.append(client.post(VERIFY, {"token": "000000"}))
    assert [r.status_code for r in responses[:4]] == [200] * 4
    assert responses[4]["Location"] == LOGIN
    # The half-login is gone: the verify page now sends back to the password step.
    assert client.get(VERIFY)["Location"] == LOGIN


def test_half_login_expires(desk):
    client = Client()
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        password_step(client, "desk")
        traveller.shift(timedelta(minutes=6))
        code = current_code(TOTPDevice.objects.get(user=desk))
        response = client.post(VERIFY, {"token": code})
    assert response["Location"] == LOGIN
    assert not client.session.get("_auth_user_id")


def test_lockout_cool_off_and_no_lockout_of_a_colleague_elsewhere(desk):
    attacker = Client(REMOTE_ADDR="198.51.100.7")
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(4):
            assert password_step(attacker, "desk", "guess").status_code == 200
        # The fifth failure locks the pair
        assert password_step(attacker, "desk", "guess").status_code == 429
        # and even the right password from that address is refused.
        assert password_step(attacker, "desk").status_code == 429
        assert "auth.locked_out" in actions()
        # The colleague at her own workstation still logs in.
        colleague = Client(REMOTE_ADDR="10.0.0.12")
        response = full_login(colleague, desk, REMOTE_ADDR="10.0.0.12")
        assert response["Location"] == HOME
        # After the cool-off the lock lifts by itself.
        traveller.shift(timedelta(minutes=16))
        response = password_step(attacker, "desk")
        assert response.status_code == 302
        assert response["Location"] == VERIFY


def test_idle_timeout_ends_the_session(desk):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = login_client(desk)
        traveller.shift(timedelta(minutes=14))
        assert client.get(HOME).status_code == 200  # activity keeps it alive
        traveller.shift(timedelta(minutes=14))
        assert client.get(HOME).status_code == 200
        traveller.shift(timedelta(minutes=15, seconds=5))
        response = client.get(HOME)
    assert response["Location"].startswith(LOGIN)
    event = AuditEvent.objects.filter(action="auth.session_expired").get()
    assert event.details_dict() == {"reason": "idle"}


def test_absolute_lifetime_ends_an_active_session(desk):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = login_client(desk)
        served = 0
        for _ in range(12 * 6 + 1):  # active every ten minutes, past twelve hours
            traveller.shift(timedelta(minutes=10))
            response = client.get(HOME)
            if response.status_code != 200:
                break
            served += 1
    assert served == 12 * 6  # every visit up to exactly twelve hours was served
    assert response["Location"].startswith(LOGIN)
    assert AuditEvent.objects.get(action="auth.session_expired").details_dict() == {"reason": "absolute"}


def test_logout_ends_every_session_of_the_user(desk):
    office, tablet = login_client(desk), login_client(desk)
    assert tablet.get(HOME).status_code == 200
    office.post(reverse("accounts:logout"))
    assert office.get(HOME).status_code == 302
    assert tablet.get(HOME).status_code == 302
    assert "auth.logout" in actions()


def test_deactivation_ends_sessions_and_blocks_login(desk, staff, cell):
    head = staff(Role.CELL_HEAD, cell, username="head")
    desk_client = login_client(desk)
    membership = desk.memberships.get()
    login_client(head).post(
        reverse("staff:deactivate", kwargs={"cell_code": cell.code, "membership_id": membership.pk})
    )
    assert desk_client.get(HOME).status_code == 302
    desk.refresh_from_db()
    assert desk.is_active is False
    assert password_step(Client(), "desk").status_code == 200  # refused, generic message
    assert {"admin.membership_deactivated", "admin.user_deactivated"} <= set(actions())


def test_password_reset_never_bypasses_the_second_factor(desk):
    client = Client()
    client.post(reverse("accounts:password_reset"), {"email": desk.email})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/\S+)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    new_password = "a brand new long passphrase"
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert response["Location"] == reverse("accounts:password_reset_complete")
    # Not logged in by the reset
    assert client.get(HOME).status_code == 302
    # and the new password leads to the second-factor step, not to a page.
    response = password_step(client, "desk", new_password)
    assert response["Location"] == VERIFY
    assert client.get(HOME).status_code == 302
    assert {"auth.password_reset_requested", "auth.password_reset_completed"} <= set(actions())


def test_password_reset_for_unknown_address_looks_the_same(desk):
    known = Client().post(reverse("accounts:password_reset"), {"email": desk.email})
    unknown = Client().post(reverse("accounts:password_reset"), {"email": "nobody@example.invalid"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert len(mail.outbox) == 1
