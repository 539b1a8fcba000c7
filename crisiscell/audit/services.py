"""Writing the audit log. Every service calls ``audit_record`` inside its own transaction.

If the write fails the exception propagates and the caller's transaction rolls
back: no change without its audit event, no read served without its record.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from crisiscell.audit.events import is_known
from crisiscell.audit.models import AuditEvent
from crisiscell.core import context

if TYPE_CHECKING:
    from crisiscell.accounts.models import User
    from crisiscell.cells.models import Cell

# Detail keys that could carry survivor data are refused outright.
_FORBIDDEN_DETAIL_KEYS = frozenset(
    {"name", "cnic", "phone", "address", "password", "token", "email", "dob", "note", "text"}
)
_SCALARS = (str, int, float, bool, type(None))


class AuditError(ValueError):
    """An audit event was malformed: unknown code or data that must not be logged."""


def _canonical_details(details: Mapping[str, Any] | None) -> str:
    if not details:
        return ""
    for key, value in details.items():
        if key.lower() in _FORBIDDEN_DETAIL_KEYS:
            raise AuditError(f"Audit details must not carry {key!r}.")
        values = value if isinstance(value, list | tuple) else [value]
        if not all(isinstance(item, _SCALARS) for item in values):
            raise AuditError(f"Audit detail {key!r} must be a scalar or a list of scalars.")
    return json.dumps(details, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def audit_record(
    *,
    action: str,
    actor: User | None,
    cell: Cell | None = None,
    object_type: str = "",
    object_ref: str = "",
    details: Mapping[str, Any] | None = None,
    actor_label: str | None = None,
) -> AuditEvent:
    """Append one event. Call it inside the transaction of the change it records."""
    if not is_known(action):
        raise AuditError(f"Unknown audit event code {action!r}: add it to audit/events.py.")
    ctx = context.current()
    label = actor_label if actor_label is not None else (actor.username if actor else "system")
    return AuditEvent.objects.create(
        at=timezone.now(),
        action=action,
        actor=actor,
        actor_label=label,
        cell=cell,
        object_type=object_type,
        object_ref=str(object_ref),
        request_id=ctx.request_id,
        client_ip=ctx.client_ip,
        details=_canonical_details(details),
    )
