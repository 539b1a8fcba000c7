"""The base every domain record stands on."""

from __future__ import annotations

import uuid

from django.db import models


class BaseModel(models.Model):
    """UUID key, creation and update times, and a version for optimistic locking.

    ``version`` grows by one on every save through a service; a save that starts
    from a stale version is refused by ``crisiscell.core.concurrency``.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True
