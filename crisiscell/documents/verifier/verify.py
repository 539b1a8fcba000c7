#!/usr/bin/env python3
"""Verify a crisiscell court bundle. Needs Python 3.10+ and the `cryptography` package.

    python verify.py [BUNDLE_DIRECTORY]      (default: the directory this file is in)

It checks, and names the first part that fails:

1. key       the public key's fingerprint is the one the bundle names;
2. manifest  the list of files and their SHA-256 is signed by that key;
3. files     every file has the SHA-256 the manifest gives;
4. tree head the signed tree head of the audit log verifies with the key;
5. events    every audit event is the one its leaf bytes say, and its Merkle inclusion
             proof leads to the signed root: the event was in the sealed log, unchanged.

Exit status 0: everything holds. 1: something was changed (the output says what).
2: the bundle could not be read at all.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

try:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
except ImportError:  # pragma: no cover - a clear message for the clerk
    print("This verifier needs the 'cryptography' package: pip install cryptography")
    sys.exit(2)

import merkle  # type: ignore[import-not-found]  # noqa: E402 - shipped beside this file

HEAD_FORMAT = b"crisiscell-audit-tree-head-v1"
# The fields of an audit leaf, in order (crisiscell-audit-leaf-v1).
LEAF_FIELDS = ["format", "index", "event_id", "at_micros", "action", "actor_id", "actor", "cell_id", "object_type",
               "object_ref", "request_id", "client_ip", "details"]  # fmt: skip


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "sk-" + hashlib.sha256(raw).hexdigest()[:16]


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def head_message(head: dict[str, Any]) -> bytes:
    return b"\n".join(
        [
            HEAD_FORMAT,
            str(head["tree_size"]).encode(),
            head["root_hash_hex"].encode(),
            str(head["signed_at_micros"]).encode(),
            head["key_id"].encode(),
        ]
    )


def check(bundle: Path) -> list[str]:
    """Every failure found, most specific first; empty when the bundle is intact."""
    failures: list[str] = []
    public = serialization.load_pem_public_key((bundle / "public-key.pem").read_bytes())
    if not isinstance(public, Ed25519PublicKey):
        return ["key: public-key.pem is not an Ed25519 key"]
    manifest_bytes = (bundle / "manifest.json").read_bytes()
    manifest = json.loads(manifest_bytes)
    if key_id(public) != manifest["public_key_id"]:
        named = manifest["public_key_id"]
        failures.append(f"key: public-key.pem has fingerprint {key_id(public)}, the bundle names {named}")
    try:
        public.verify(base64.b64decode((bundle / "manifest.sig").read_bytes()), manifest_bytes)
    except InvalidSignature:
        failures.append("manifest: manifest.json is not signed by this key (the file list was changed)")
    for name, expected in sorted(manifest["files"].items()):
        path = bundle / name
        if not path.is_file():
            failures.append(f"file {name}: missing")
        elif sha256_file(path) != expected:
            failures.append(f"file {name}: changed (SHA-256 differs from the manifest)")
    head = json.loads((bundle / "tree-head.json").read_text())
    try:
        public.verify(base64.b64decode(head["signature_b64"]), head_message(head))
    except InvalidSignature:
        failures.append(f"tree head: the signature of tree size {head['tree_size']} does not verify")
    root = bytes.fromhex(head["root_hash_hex"])
    for event in json.loads((bundle / "events.json").read_text()):
        data = base64.b64decode(event["leaf_bytes_b64"])
        leaf = dict(zip(LEAF_FIELDS, json.loads(data), strict=False))
        shown = {k: event[k] for k in ("event_id", "action", "at_micros", "object_ref")}
        if leaf["index"] != event["leaf_index"] or any(leaf[k] != v for k, v in shown.items()):
            failures.append(f"event #{event['event_id']}: its fields differ from its sealed leaf")
            continue
        path = [bytes.fromhex(h) for h in event["audit_path_hex"]]
        if not merkle.verify_inclusion(merkle.leaf_hash(data), event["leaf_index"], head["tree_size"], path, root):
            failures.append(f"event #{event['event_id']}: its inclusion proof does not lead to the signed root")
    return failures


def main(argv: list[str]) -> int:
    bundle = Path(argv[1]) if len(argv) > 1 else HERE
    try:
        failures = check(bundle)
    except (OSError, ValueError, KeyError) as error:
        print(f"CANNOT READ the bundle in {bundle}: {error}")
        return 2
    manifest = json.loads((bundle / "manifest.json").read_text())
    print(f"Case {manifest['case_code']}, bundle made {manifest['created_at']}")
    print(f"Signing key fingerprint: {manifest['public_key_id']} (compare with the one the cell network publishes)")
    if failures:
        for failure in failures:
            print(f"FAIL  {failure}")
        return 1
    size = json.loads((bundle / "tree-head.json").read_text())["tree_size"]
    print(
        f"OK    {len(manifest['files'])} files, the signed tree head of size {size}, "
        "and every audit event's inclusion proof verify."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
