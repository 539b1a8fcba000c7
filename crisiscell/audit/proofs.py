"""Inclusion proofs: evidence that one audit event is in a signed tree head.

A proof carries everything an outside verifier needs: the leaf bytes, the audit
path, the signed head and the public key. ``merkle.verify_inclusion`` and an
Ed25519 check are enough to trust it, without access to the database.
"""

from __future__ import annotations

import base64
from typing import Any

from django.db.models import Max

from crisiscell.audit import merkle
from crisiscell.audit.leaves import EVENT_FIELDS, leaf_bytes
from crisiscell.audit.models import AuditEvent, AuditLeaf, TreeHead
from crisiscell.core.keyring import load_keyring


class NotSealedYet(LookupError):
    """The event exists but no signed tree head covers it yet."""


def _bytes(value: bytes | memoryview) -> bytes:
    return bytes(value)


def leaf_hashes(tree_size: int) -> list[bytes]:
    rows = AuditLeaf.objects.filter(index__lt=tree_size).order_by("index").values_list("leaf_hash", flat=True)
    return [_bytes(h) for h in rows.iterator(chunk_size=50_000)]


def inclusion_proofs(event_ids: list[int], head: TreeHead | None = None) -> dict[str, Any]:
    """Proofs for several events against one head (the latest unless given)."""
    head = head or TreeHead.objects.order_by("-tree_size").first()
    if head is None:
        raise NotSealedYet("No tree head has been signed yet.")
    leaves = dict(AuditLeaf.objects.filter(event_id__in=event_ids).values_list("event_id", "index"))
    rows = {row[0]: row for row in AuditEvent.objects.filter(pk__in=event_ids).values_list(*EVENT_FIELDS)}
    keyring = load_keyring()
    signing = keyring.signing_keys.get(head.key_id)
    if signing is None:
        raise NotSealedYet(f"The key {head.key_id} that signed the tree head is not in the key ring.")
    public = signing.public_pem().decode("ascii")
    missing = [e for e in event_ids if e not in leaves or leaves[e] >= head.tree_size]
    if missing:
        raise NotSealedYet(f"Event #{missing[0]} is not sealed under the tree head yet.")
    proofs = []
    tree = merkle.TreeLevels(leaf_hashes(head.tree_size), head.tree_size) if event_ids else None
    for event_id in event_ids:
        index = leaves[event_id]
        data = leaf_bytes(index, tuple(rows[event_id]))
        path = tree.proof(index) if tree is not None else []
        proofs.append(
            {
                "event_id": event_id,
                "leaf_index": index,
                "leaf_bytes_b64": base64.b64encode(data).decode("ascii"),
                "audit_path_hex": [h.hex() for h in path],
            }
        )
    return {
        "tree_head": tree_head_json(head),
        "public_keys_pem": {head.key_id: public},
        "proofs": proofs,
    }


def tree_head_json(head: TreeHead) -> dict[str, Any]:
    from crisiscell.audit.leaves import micros

    return {
        "tree_size": head.tree_size,
        "root_hash_hex": _bytes(head.root_hash).hex(),
        "signed_at_micros": micros(head.signed_at),
        "signed_at": head.signed_at.isoformat(),
        "key_id": head.key_id,
        "signature_b64": base64.b64encode(_bytes(head.signature)).decode("ascii"),
    }


def latest_sealed_event_id() -> int | None:
    value = AuditLeaf.objects.aggregate(m=Max("event_id"))["m"]
    return int(value) if value is not None else None
