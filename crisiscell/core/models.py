"""The base every domain record stands on."""

from __future__ import annotations

import uuid
from functools import cache
from typing import Any

from django.db import models
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import get_language


@cache
def _choice_labels(field: models.Field[Any, Any], language: str | None) -> dict[Any, Any]:
    """A field's choices as value -> label text, in one language (``language`` is the cache key)."""
    return {make_hashable(value): force_str(label, strings_only=True) for value, label in field.flatchoices}


def choice_label(field: models.Field[Any, Any], value: Any) -> Any:
    """The label of ``value`` among a field's fixed choices, in the active language (the value if none)."""
    return _choice_labels(field, get_language()).get(make_hashable(value), value)


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

    def _get_FIELD_display(self, field: models.Field[Any, Any]) -> Any:
        """``get_<field>_display()``, with the labels of fixed choices looked up once per language.

        Django's own rebuilds the whole choice table, hashing every translated label,
        on each call: about half the time of a table of consents on the case page.
        Choices computed by a callable may change, so they take Django's path.
        """
        if not isinstance(field.choices, list | tuple):
            return super()._get_FIELD_display(field)  # type: ignore[misc]
        return choice_label(field, getattr(self, field.attname))
