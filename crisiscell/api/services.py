"""Writes of the integration API itself: clients and their tokens, idempotency, rate limits, call audit.

The domain writes (a notified case, the FIR, laboratory receipt and results) are the
domain services', called with the client's actor (``crisiscell.api.auth``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from crisiscell.accounts.models import User
from crisiscell.api.auth import new_token
from crisiscell.api.models import (
    LABORATORY_SCOPES,
    POLICE_SCOPES,
    IdempotencyRecord,
    IntegrationClient,
    RateWindow,
    Scope,
)
from crisiscell.audit.services import audit_record
from crisiscell.cells.models import PoliceReportingCentre
from crisiscell.evidence.models import Laboratory


@transaction.atomic
def client_create(
    *,
    actor_label: str,
    name: str,
    scopes: list[str],
    police_reporting_centre: PoliceReportingCentre | None = None,
    laboratory: str = "",
    rate_limit_per_minute: int = 120,
) -> tuple[IntegrationClient, str]:
    """Create a client bound to one police reporting centre or one laboratory. Returns it and its token.

    The token is returned once and only its hash is kept. Called by the
    ``api_client_create`` command (an operator, not a web user). Audits ``api.client_created``.
    """
    if (police_reporting_centre is None) == (not laboratory):
        raise ValidationError("Bind the client to exactly one police reporting centre or laboratory.")
    if laboratory and laboratory not in Laboratory.values:
        raise ValidationError(f"Unknown laboratory {laboratory!r}.")
    allowed = POLICE_SCOPES if police_reporting_centre is not None else LABORATORY_SCOPES
    if not scopes or set(scopes) - set(allowed) or set(scopes) - set(Scope.values):
        raise ValidationError(f"Scopes for this client: {', '.join(sorted(allowed))}.")
    if not name.strip():
        raise ValidationError("Name the client.")
    user = User.objects.create(
        username=f"api-{hashlib.sha256(name.encode()).hexdigest()[:12]}",
        first_name=name.strip()[:150],
        password=make_password(None),  # unusable: this account never logs in
    )
    token, prefix, digest = new_token()
    client = IntegrationClient.objects.create(
        name=name.strip(),
        police_reporting_centre=police_reporting_centre,
        laboratory=laboratory,
        scopes=sorted(set(scopes)),
        user=user,
        token_prefix=prefix,
        token_sha256=digest,
        rate_limit_per_minute=rate_limit_per_minute,
        created_by=actor_label,
    )
    audit_record(
        action="api.client_created",
        actor=None,
        actor_label=actor_label,
        object_type="integration_client",
        object_ref=str(client.pk),
        details={"scopes": client.scopes},
    )
    return client, token


def rate_limit_exceeded(client: IntegrationClient) -> bool:
    """Count this request in the client's current one-minute window; True once over its limit.

    A fixed window in the database, so every app server shares it. A burst of up to
    twice the limit across a window boundary is possible and accepted.
    """
    now = timezone.now()
    start = now.replace(second=0, microsecond=0)
    updated = RateWindow.objects.filter(client=client, window_start=start).update(count=F("count") + 1)
    if not updated:
        try:
            with transaction.atomic():
                RateWindow.objects.create(client=client, window_start=start, count=1)
        except IntegrityError:
            RateWindow.objects.filter(client=client, window_start=start).update(count=F("count") + 1)
        # Old windows are of no use: keep the table small.
        RateWindow.objects.filter(client=client, window_start__lt=start - timedelta(minutes=5)).delete()
    count = RateWindow.objects.filter(client=client, window_start=start).values_list("count", flat=True).first()
    return (count or 0) > client.rate_limit_per_minute


def audit_call(*, client: IntegrationClient | None, method: str, operation: str, status: int) -> None:
    """Every API call, allowed or refused, is audited (``api.called``): which operation and its status."""
    with transaction.atomic():
        audit_record(
            action="api.called",
            actor=client.user if client is not None else None,
            actor_label=f"api:{client.name}" if client is not None else "api:anonymous",
            object_type="integration_client",
            object_ref=str(client.pk) if client is not None else "",
            details={"method": method, "operation": operation, "status": status},
        )


@dataclass(frozen=True)
class Stored:
    status: int
    body: dict[str, Any]
    replayed: bool


class IdempotencyConflict(Exception):
    """The same key was used with a different request."""


def request_digest(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + body).hexdigest()


def idempotent(
    *, client: IntegrationClient, key: str, digest: str, run: Callable[[], tuple[int, dict[str, Any]]]
) -> Stored:
    """Run ``run`` once per (client, key); store and replay its result. Another body: ``IdempotencyConflict``.

    The write and its stored result commit together, so a replay never sees a result
    whose write was rolled back. Refusals (4xx) are stored too: a replay gets the same answer.
    """
    existing = IdempotencyRecord.objects.filter(client=client, key=key).first()
    if existing is not None:
        if existing.request_sha256 != digest:
            raise IdempotencyConflict
        return Stored(existing.status_code, existing.body, True)
    try:
        with transaction.atomic():
            status, body = run()
            IdempotencyRecord.objects.create(
                client=client, key=key, request_sha256=digest, status_code=status, body=body
            )
    except IntegrityError:
        # Another request with the same key won the race: answer as a replay of it.
        existing = IdempotencyRecord.objects.filter(client=client, key=key).first()
        if existing is None:
            raise
        if existing.request_sha256 != digest:
            raise IdempotencyConflict from None
        return Stored(existing.status_code, existing.body, True)
    return Stored(status, body, False)
