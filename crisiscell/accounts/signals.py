"""Audit events for what django-axes decides on its own (lockouts)."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.db import transaction
from django.dispatch import receiver

from crisiscell.accounts.models import User
from crisiscell.audit.services import audit_record


@receiver(user_locked_out)
def audit_lockout(sender: Any, request: Any, username: str | None = None, **kwargs: Any) -> None:
    user = User.objects.filter(username=username).first() if username else None
    with transaction.atomic():
        audit_record(
            action="auth.locked_out",
            actor=user,
            actor_label=user.username if user else "anonymous",
            object_type="user" if user else "",
            object_ref=str(user.pk) if user else "",
        )
