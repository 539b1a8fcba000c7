"""factory_boy factories and login helpers shared by the domain test suites."""

from __future__ import annotations

from typing import Any

import factory
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from crisiscell.accounts import sessions
from crisiscell.accounts.models import Membership, User
from crisiscell.cells.models import Cell, PoliceReportingCentre

TEST_PASSWORD = "correct horse battery staple"


class PoliceReportingCentreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PoliceReportingCentre

    name = factory.Sequence(lambda n: f"Test police reporting centre {n}")
    city = "Karachi"


class CellFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cell
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"T{n:03d}")
    name = factory.LazyAttribute(lambda o: f"Test cell {o.code}")
    city = "Karachi"
    hospital = "Test hospital"
    address = "Test address"
    police_reporting_centre = factory.SubFactory(PoliceReportingCentreFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Staff {n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.invalid")

    @factory.post_generation
    def password(obj: User, create: bool, extracted: str | None, **kwargs: Any) -> None:
        obj.set_password(extracted or TEST_PASSWORD)
        if create:
            obj.save(update_fields=["password"])


def add_device(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="test", confirmed=True)


def current_code(device: TOTPDevice) -> str:
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def make_staff(role: str, cell: Cell | None, **kwargs: Any) -> User:
    user: User = UserFactory(**kwargs)
    Membership.objects.create(user=user, cell=cell, role=role)
    add_device(user)
    return user


def login_client(user: User, client: Client | None = None) -> Client:
    """A client whose session has passed password and second factor, as after a real login."""
    client = client or Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    sessions.stamp_login(session)
    session.save()
    return client


def comparable_page(content: bytes) -> bytes:
    """Page bytes without what differs per request (CSRF token, the language form's return path)."""
    import re

    content = re.sub(rb'name="(csrfmiddlewaretoken|next)" value="[^"]*"', b"", content)
    return re.sub(rb'"X-CSRFToken": "[^"]*"', b"", content)
