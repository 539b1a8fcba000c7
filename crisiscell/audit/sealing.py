"""Sealing: appending new audit events to the Merkle tree and signing the new head.

Runs outside requests (``crisiscell audit_seal --loop``, started by ``serve``), so
no request waits for it. One sealer at a time: a PostgreSQL advisory lock, or
SQLite's single writer.

Events are sealed in id order. On PostgreSQL a transaction can commit an event
after events with higher ids were sealed; the sealer therefore looks back
``LOOKBACK`` ids below the highest id it has sealed, and ``audit_verify`` reports
any event left unsealed for longer than ``CRISISCELL_SEAL_GRACE``.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from crisiscell.audit import merkle
from crisiscell.audit.leaves import EVENT_FIELDS, leaf_bytes, micros
from crisiscell.audit.models import AuditEvent, AuditLeaf, TreeHead
from crisiscell.core.keyring import load_keyring

LOOKBACK = 10_000
_ADVISORY_LOCK_ID = 0x0A0D17  # "audit" for pg_advisory_xact_lock
HEAD_FORMAT = b"crisiscell-audit-tree-head-v1"


def tree_head_message(tree_size: int, root_hash: bytes, signed_at: datetime, key_id: str) -> bytes:
    """The exact bytes a tree head signature covers."""
    return b"\n".join(
        [
            HEAD_FORMAT,
            str(tree_size).encode(),
            root_hash.hex().encode(),
            str(micros(signed_at)).encode(),
            key_id.encode(),
        ]
    )


def anchor_path() -> Path:
    return Path(settings.CRISISCELL_ANCHOR_FILE or Path(settings.CRISISCELL_KEY_DIR) / "tree-heads.jsonl")


def _anchor(head: TreeHead) -> None:
    """Append the signed head to the anchor file, outside the database (after commit)."""
    line = {
        "tree_size": head.tree_size,
        "root_hash_hex": bytes(head.root_hash).hex(),
        "signed_at": head.signed_at.isoformat(),
        "key_id": head.key_id,
        "signature_hex": bytes(head.signature).hex(),
    }
    path = anchor_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(line, sort_keys=True) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def read_anchors() -> list[dict[str, Any]]:
    """The heads recorded outside the database (none if the file does not exist yet)."""
    path = anchor_path()
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def seal_pending(*, limit: int = 50_000) -> TreeHead | None:
    """Seal up to ``limit`` unsealed events under one new signed tree head.

    Returns the new head, or None when nothing was waiting.
    """
    keyring = load_keyring()
    signing = keyring.active_signing_key
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_ID])
        last = TreeHead.objects.order_by("-tree_size").first()
        if last is None:
            frontier, floor, max_event_id = merkle.Frontier(), 0, 0
        else:
            frontier = merkle.Frontier.from_hex(last.tree_size, last.frontier)
            floor, max_event_id = max(0, last.max_event_id - LOOKBACK), last.max_event_id
        rows = list(
            AuditEvent.objects.filter(id__gt=floor, leaf__isnull=True).order_by("id").values_list(*EVENT_FIELDS)[:limit]
        )
        if not rows:
            return None
        leaves = []
        for row in rows:
            index = frontier.size
            hashed = merkle.leaf_hash(leaf_bytes(index, row))
            frontier.append(hashed)
            leaves.append(AuditLeaf(index=index, event_id=row[0], leaf_hash=hashed))
            max_event_id = max(max_event_id, int(str(row[0])))
        AuditLeaf.objects.bulk_create(leaves, batch_size=2_000)
        root = frontier.root()
        signed_at = timezone.now()
        signature = signing.private_key.sign(tree_head_message(frontier.size, root, signed_at, signing.key_id))
        head = TreeHead.objects.create(
            tree_size=frontier.size,
            root_hash=root,
            signed_at=signed_at,
            key_id=signing.key_id,
            signature=signature,
            frontier=frontier.to_hex(),
            max_event_id=max_event_id,
        )
        transaction.on_commit(lambda: _anchor(head))
        return head


def seal_all(*, batch: int = 50_000) -> int:
    """Seal until nothing is waiting; returns the number of heads written."""
    heads = 0
    while seal_pending(limit=batch) is not None:
        heads += 1
    return heads
