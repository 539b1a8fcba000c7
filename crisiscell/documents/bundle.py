"""The court bundle: everything a court needs to trust a case's chain of custody, offline.

A ZIP (one folder) holding:

* ``custody-report.pdf``: every evidence item and every movement of it, with the
  audit event and Merkle leaf that seal each movement;
* ``certificate-en.pdf``: the medico-legal certificate, when the recipient may have it;
* ``events.json``: those audit events with their leaf bytes and inclusion proofs;
* ``tree-head.json`` and ``public-key.pem``: the signed tree head they lead to, and the key;
* ``manifest.json`` (every file's SHA-256) and ``manifest.sig`` (its Ed25519 signature),
  and ``SHA256SUMS`` for anyone with ``sha256sum``;
* ``verify.py`` and ``merkle.py``: a verifier needing only Python and ``cryptography``,
  and ``README.txt`` telling a court clerk how to run it.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from crisiscell.audit import merkle as merkle_module
from crisiscell.audit.models import AuditEvent, TreeHead
from crisiscell.audit.proofs import inclusion_proofs
from crisiscell.audit.sealing import seal_all
from crisiscell.cases.models import Case
from crisiscell.core.keyring import load_keyring, public_key_id
from crisiscell.documents.pdf import render_pdf

VERIFIER = Path(__file__).resolve().parent / "verifier" / "verify.py"
MERKLE = Path(merkle_module.__file__)


@dataclass(frozen=True)
class Bundle:
    name: str  # the folder inside the ZIP
    data: bytes  # the ZIP
    files: dict[str, str]  # name -> SHA-256
    event_ids: list[int]


def evidence_event_ids(case: Case) -> list[int]:
    """The audit events about this case's evidence: its custody movements and evidence actions."""
    from crisiscell.evidence.models import CustodyEvent, EvidenceItem

    item_ids = [str(i) for i in EvidenceItem.objects.filter(case=case).values_list("human_id", flat=True)]
    custody = set(
        CustodyEvent.objects.filter(item__case=case, audit_event__isnull=False).values_list("audit_event_id", flat=True)
    )
    related = set(
        AuditEvent.objects.filter(action__startswith="evidence.")
        .filter(Q(object_ref=case.code) | Q(object_ref__in=item_ids))
        .values_list("id", flat=True)
    )
    return sorted(custody | related)


def custody_report(case: Case, proofs: dict[str, Any], *, language: str = "en") -> bytes:
    from crisiscell.evidence.models import EvidenceItem

    leaf_of = {p["event_id"]: p["leaf_index"] for p in proofs["proofs"]}
    items = []
    for item in EvidenceItem.objects.filter(case=case).prefetch_related("custody").order_by("collected_at"):
        movements = [
            {"event": movement, "leaf": leaf_of.get(movement.audit_event_id)}
            for movement in item.custody.all().order_by("at", "created_at")
        ]
        items.append({"item": item, "movements": movements})
    return render_pdf(
        "documents/custody_report.html",
        {"case": case, "items": items, "head": proofs["tree_head"], "made_at": timezone.now()},
        language=language,
    )


def build(
    case: Case,
    *,
    certificate: Callable[[Case], bytes | None] | None = None,
    now: Any = None,
) -> Bundle:
    """Assemble the bundle. Seals pending audit events first, so the proofs cover all of them."""
    seal_all()
    head = TreeHead.objects.order_by("-tree_size").first()
    event_ids = evidence_event_ids(case)
    proofs = inclusion_proofs(event_ids, head) if head is not None else {"proofs": [], "tree_head": {}}
    ring = load_keyring()
    # One key per bundle: the one that signed the tree head also signs the manifest, so
    # the clerk compares a single fingerprint (after a key rotation, that is still the
    # head's key, kept in the ring to verify old heads).
    signing = ring.signing_keys[head.key_id] if head is not None else ring.active_signing_key
    folder = f"court-bundle-{case.code}"
    files: dict[str, bytes] = {
        "custody-report.pdf": custody_report(case, proofs),
        "events.json": _events_json(proofs),
        "tree-head.json": json.dumps(proofs["tree_head"], indent=2, sort_keys=True).encode(),
        "public-key.pem": signing.public_pem(),
        "verify.py": VERIFIER.read_bytes(),
        "merkle.py": MERKLE.read_bytes(),
    }
    cert = certificate(case) if certificate is not None else None
    if cert is not None:
        files["certificate-en.pdf"] = cert
    files["README.txt"] = render_to_string(
        "documents/court_bundle_readme.txt", {"case": case, "key_id": signing.key_id}
    ).encode("utf-8")
    digests = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    manifest = json.dumps(
        {
            "case_code": case.code,
            "created_at": (now or timezone.now()).isoformat(),
            "public_key_id": public_key_id(signing.public_key),
            "files": digests,
            "events": len(event_ids),
        },
        indent=2,
        sort_keys=True,
    ).encode()
    files["manifest.json"] = manifest
    files["manifest.sig"] = base64.b64encode(signing.private_key.sign(manifest))
    files["SHA256SUMS"] = "".join(f"{digest}  {name}\n" for name, digest in sorted(digests.items())).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(f"{folder}/{name}", data)
    return Bundle(folder, buffer.getvalue(), digests, event_ids)


def _events_json(proofs: dict[str, Any]) -> bytes:
    """Each event readable (id, action, time, object) beside the leaf bytes that prove it."""
    events = []
    for proof in proofs["proofs"]:
        leaf = json.loads(base64.b64decode(proof["leaf_bytes_b64"]))
        events.append(
            {
                "event_id": proof["event_id"],
                "action": leaf[4],
                "at_micros": leaf[3],
                "object_ref": leaf[9],
                "leaf_index": proof["leaf_index"],
                "leaf_bytes_b64": proof["leaf_bytes_b64"],
                "audit_path_hex": proof["audit_path_hex"],
            }
        )
    return json.dumps(events, indent=2, ensure_ascii=False).encode("utf-8")
