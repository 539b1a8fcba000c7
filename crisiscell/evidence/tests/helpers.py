"""Builders for the evidence tests."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.utils import timezone

from crisiscell.audit.models import AuditEvent
from crisiscell.evidence import services
from crisiscell.evidence.models import EvidenceItem


def register(actor: Any, case: Any, kind: str = "swab_hvs", minutes_ago: int = 30) -> EvidenceItem:
    return services.item_register(
        actor=actor, case=case, kind=kind, collected_at=timezone.now() - timedelta(minutes=minutes_ago)
    )


def sealed(actor: Any, case: Any, kind: str = "swab_hvs") -> EvidenceItem:
    item = register(actor, case, kind)
    return services.item_seal(actor=actor, item=item, seal_number="S-100 (test)", sealer_initials="ec")


def actions(ref: str) -> list[str]:
    """The audit actions about an item or a case, oldest first."""
    return list(AuditEvent.objects.filter(object_ref=ref).order_by("id").values_list("action", flat=True))


def details(event: AuditEvent) -> dict[str, Any]:
    """An audit event's details (stored as canonical JSON text)."""
    value = event.details
    return json.loads(value) if isinstance(value, str) else dict(value)
