"""The append-only audit log and its Merkle seal.

* ``AuditEvent``: one row per thing that happened (who, where, what, to which
  object; never the data itself). Written in the same transaction as the change.
* ``AuditLeaf``: the event's position in the Merkle tree, assigned by the sealer in
  the order it seals, with the leaf hash it computed then.
* ``TreeHead``: a signed statement "the first ``tree_size`` leaves have this root".

On PostgreSQL triggers refuse UPDATE and DELETE on all three tables (migration
0002). ``crisiscell audit_verify`` detects any change made around them.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from crisiscell.audit.events import READ_CODES

LEAF_FORMAT = "crisiscell-audit-leaf-v1"


class AuditEvent(models.Model):
    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(_("time"), db_index=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    # Kept beside the key so the log reads the same after a username changes.
    actor_label = models.CharField(_("actor label"), max_length=150)
    cell = models.ForeignKey(
        "cells.Cell",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cell"),
    )
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    # A code or an id, never a name.
    object_ref = models.CharField(_("object"), max_length=64, blank=True, db_index=True)
    request_id = models.CharField(_("request"), max_length=32, blank=True)
    client_ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    # Canonical JSON text (sorted keys), stored as text so its bytes never change.
    details = models.TextField(_("details"), blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["cell", "at"], name="audit_event_cell_at"),
            models.Index(
                fields=["object_ref", "object_type", "id"],
                condition=~models.Q(action__in=READ_CODES),
                name="audit_event_history",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.id} {self.action}"

    @property
    def label(self) -> str:
        from crisiscell.audit.events import label

        return label(self.action)

    def details_dict(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.details) if self.details else {}
        return loaded


def not_a_read() -> RawSQL:
    """``NOT (action IN (<the read codes>))``, the codes written into the SQL.

    The history index's condition names the read codes as literals; a database uses a
    partial index only for a query whose condition it can see implies the index's, and
    SQLite cannot see it through bound parameters (``action__in=`` binds them). It names
    the events table itself: for a query on that table, not inside a subquery (which
    renames it).
    """
    sql = f'NOT ("{AuditEvent._meta.db_table}"."action" IN ({_READ_LITERALS}))'
    return RawSQL(sql, (), output_field=BooleanField())  # noqa: S611 - our own constants, checked by _literal


def _literal(code: str) -> str:
    """A read code as an SQL string literal: it is our own constant, and checked to be plain words."""
    if not re.fullmatch(r"[a-z_]+\.[a-z_]+", code):
        raise ValueError(f"Not an audit event code: {code!r}")
    return f"'{code}'"


_READ_LITERALS = ", ".join(_literal(code) for code in READ_CODES)


class AuditLeaf(models.Model):
    index = models.BigIntegerField(primary_key=True)
    event = models.OneToOneField(AuditEvent, on_delete=models.PROTECT, related_name="leaf")
    leaf_hash = models.BinaryField(max_length=32)

    class Meta:
        ordering = ["index"]

    def __str__(self) -> str:
        return f"leaf {self.index}"


class TreeHead(models.Model):
    tree_size = models.BigIntegerField(unique=True)
    root_hash = models.BinaryField(max_length=32)
    signed_at = models.DateTimeField()
    key_id = models.CharField(max_length=32)
    signature = models.BinaryField(max_length=64)
    # The right edge of the tree (hex subtree hashes) so the next seal starts here.
    # Not signed: verification recomputes everything from the leaves.
    frontier = models.TextField(blank=True)
    # The highest event id sealed so far, to bound the sealer's search.
    max_event_id = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["tree_size"]

    def __str__(self) -> str:
        return f"tree head {self.tree_size}"
