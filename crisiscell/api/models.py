"""Integration clients of the API, their idempotency records and rate-limit windows.

A client is a police reporting centre's or a laboratory's system. It is bound to
exactly one of them (a database constraint) and holds scopes. Its token is shown
once, when it is created; only its SHA-256 is stored (a token is 32 random bytes, so
a fast hash is enough: there is nothing to guess). Each client acts through its own
service account (``user``), which cannot log in (no usable password, no second
factor) and holds no membership: the API grants it, per request, only the rights
its scopes name, in the cells it is bound to (``crisiscell.api.auth``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    CASES_NOTIFY = "cases:notify", _("Notify a cell of a Schedule II case (ARITA s.5(3))")
    FIR_WRITE = "fir:write", _("Report the FIR's status")
    LAB_WRITE = "lab:write", _("Report laboratory receipt and results")


# Which scopes each kind of client may hold.
POLICE_SCOPES = frozenset({Scope.CASES_NOTIFY, Scope.FIR_WRITE})
LABORATORY_SCOPES = frozenset({Scope.LAB_WRITE})


class IntegrationClient(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    police_reporting_centre = models.ForeignKey(
        "cells.PoliceReportingCentre", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    laboratory = models.CharField(_("laboratory"), max_length=8, blank=True)
    scopes = models.JSONField(_("scopes"), default=list)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="integration")
    token_prefix = models.CharField(max_length=16, unique=True)
    token_sha256 = models.CharField(max_length=64)
    rate_limit_per_minute = models.PositiveIntegerField(default=120)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=150)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(police_reporting_centre__isnull=False) & Q(laboratory=""))
                | (Q(police_reporting_centre__isnull=True) & ~Q(laboratory="")),
                name="integration_client_bound_to_exactly_one",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


class IdempotencyRecord(models.Model):
    """The stored result of a POST, replayed for the same key and body; a different body is a 422."""

    client = models.ForeignKey(IntegrationClient, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=200)
    request_sha256 = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "key"], name="idempotency_client_key")]

    def __str__(self) -> str:
        return f"{self.client_id} {self.key}"


class RateWindow(models.Model):
    """Requests of a client in one fixed one-minute window (shared by every app server)."""

    client = models.ForeignKey(IntegrationClient, on_delete=models.CASCADE, related_name="+")
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "window_start"], name="rate_window_client_start")]

    def __str__(self) -> str:
        return f"{self.client_id} {self.window_start:%H:%M} {self.count}"
