#!/usr/bin/env python3
"""Verify a crisiscell court bundle. Needs Python 3.10+ and the `cryptography` package.

    python verify.py [BUNDLE_DIRECTORY] [--key-id sk-...]

BUNDLE_DIRECTORY defaults to the directory this file is in. --key-id is the signing
key fingerprint the crisis cell network publishes; when given, the bundle must carry
exactly that key.

It checks each part in turn and prints one line per part, OK or FAIL:

1. key        public-key.pem is an Ed25519 key with the fingerprint the bundle names
              (and the published one, with --key-id);
2. tree head  the signed tree head of the audit log verifies with that key;
3. events     every audit event in events.json is the one its sealed leaf says, and its
              Merkle inclusion proof leads to the signed root: the event was in the
              sealed log, unchanged, at that position;
4. manifest   manifest.json (the list of files and their SHA-256) is signed by that key;
5. files      every file has the SHA-256 the manifest gives.

The parts are checked from the most specific to the most general, so the first FAIL
line names what was changed (an event, its inclusion proof, the tree head, the key),
and the file-hash lines after it confirm which files differ from what was issued.

Exit status 0: everything holds. 1: something was changed (the FAIL lines say what).
2: the directory is not a court bundle at all (no manifest.json).
"""

from __future__ import annotations

import base64
import binascii
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
LEAF_FORMAT = "crisiscell-audit-leaf-v1"
# The fields of an audit leaf, in order (crisiscell-audit-leaf-v1).
LEAF_FIELDS = ["format", "index", "event_id", "at_micros", "action", "actor_id", "actor", "cell_id", "object_type",
               "object_ref", "request_id", "client_ip", "details"]  # fmt: skip
# The fields events.json shows beside each leaf, for people to read.
SHOWN_FIELDS = ("event_id", "action", "at_micros", "object_ref")

# Malformed content is a changed part, not a crash.
BROKEN = (ValueError, KeyError, TypeError, IndexError, binascii.Error, UnicodeDecodeError)


class Report:
    """The lines to print: (True, "part: what holds") or (False, "part: what failed")."""

    def __init__(self) -> None:
        self.lines: list[tuple[bool, str]] = []

    def ok(self, text: str) -> None:
        self.lines.append((True, text))

    def fail(self, text: str) -> None:
        self.lines.append((False, text))

    @property
    def failures(self) -> list[str]:
        return [text for good, text in self.lines if not good]


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
            str(int(head["tree_size"])).encode(),
            str(head["root_hash_hex"]).encode(),
            str(int(head["signed_at_micros"])).encode(),
            str(head["key_id"]).encode(),
        ]
    )


def _load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def check_key(bundle: Path, manifest: dict[str, Any] | None, expected: str | None, report: Report) -> Any:
    """The bundle's public key, or None when it cannot be trusted at all."""
    try:
        public = serialization.load_pem_public_key((bundle / "public-key.pem").read_bytes())
    except (OSError, *BROKEN):
        report.fail("key: public-key.pem is missing or is not a public key")
        return None
    if not isinstance(public, Ed25519PublicKey):
        report.fail("key: public-key.pem is not an Ed25519 key")
        return None
    fingerprint = key_id(public)
    named = manifest.get("public_key_id") if manifest else None
    if expected and fingerprint != expected:
        report.fail(f"key: public-key.pem has fingerprint {fingerprint}, not the published {expected}")
    elif named is not None and fingerprint != named:
        report.fail(f"key: public-key.pem has fingerprint {fingerprint}, the bundle names {named}")
    else:
        report.ok(f"key: Ed25519 public key, fingerprint {fingerprint}")
    return public


def check_manifest(bundle: Path, public: Any, report: Report) -> None:
    try:
        manifest_bytes = (bundle / "manifest.json").read_bytes()
        signature = base64.b64decode((bundle / "manifest.sig").read_bytes(), validate=True)
    except (OSError, *BROKEN):
        report.fail("manifest: manifest.sig is missing or unreadable")
        return
    if public is None:
        report.fail("manifest: cannot be checked without a valid key")
        return
    try:
        public.verify(signature, manifest_bytes)
    except InvalidSignature:
        report.fail("manifest: manifest.json is not signed by this key (the file list or its hashes were changed)")
    else:
        report.ok("manifest: the list of files and their SHA-256 is signed by this key")


def check_tree_head(bundle: Path, public: Any, report: Report) -> dict[str, Any] | None:
    """The tree head if it could be read (even when its signature fails: events are still checked)."""
    try:
        head: dict[str, Any] = _load_json(bundle / "tree-head.json")
        message = head_message(head)
        signature = base64.b64decode(head["signature_b64"], validate=True)
        bytes.fromhex(head["root_hash_hex"])
    except (OSError, *BROKEN):
        report.fail("tree head: tree-head.json is missing or unreadable")
        return None
    if public is None:
        report.fail("tree head: cannot be checked without a valid key")
        return head
    if head["key_id"] != key_id(public):
        report.fail(f"tree head: it names the key {head['key_id']}, not the bundle's key {key_id(public)}")
        return head
    try:
        public.verify(signature, message)
    except InvalidSignature:
        report.fail(
            f"tree head: the signature of the audit log's tree head (size {head['tree_size']}) does not verify "
            "(its size, root, time or key was changed)"
        )
    else:
        report.ok(f"tree head: the audit log's tree head of size {head['tree_size']} is signed by this key")
    return head


def _check_event(event: dict[str, Any], head: dict[str, Any], root: bytes) -> str | None:
    """What is wrong with one event, or None."""
    name = f"event #{event.get('event_id', '?')}"
    try:
        data = base64.b64decode(event["leaf_bytes_b64"], validate=True)
        values = json.loads(data)
        path = [bytes.fromhex(h) for h in event["audit_path_hex"]]
        index = int(event["leaf_index"])
    except BROKEN:
        return f"{name}: its leaf or inclusion proof is unreadable"
    if not isinstance(values, list) or len(values) != len(LEAF_FIELDS) or values[0] != LEAF_FORMAT:
        return f"{name}: its inclusion proof does not hold (the leaf is not an audit leaf)"
    leaf = dict(zip(LEAF_FIELDS, values, strict=True))
    if not merkle.verify_inclusion(merkle.leaf_hash(data), index, int(head["tree_size"]), path, root):
        return (
            f"{name}: its inclusion proof does not lead to the signed root "
            "(the event, its position or its proof was changed)"
        )
    if leaf["index"] != index or any(leaf[k] != event.get(k) for k in SHOWN_FIELDS):
        changed = [k for k in SHOWN_FIELDS if leaf[k] != event.get(k)] or ["leaf_index"]
        verb = "differs" if len(changed) == 1 else "differ"
        return f"{name}: its {', '.join(changed)} in events.json {verb} from the sealed event"
    return None


def check_events(bundle: Path, manifest: dict[str, Any] | None, head: dict[str, Any] | None, report: Report) -> None:
    try:
        events = _load_json(bundle / "events.json")
        if not isinstance(events, list):
            raise ValueError
    except (OSError, *BROKEN):
        report.fail("events: events.json is missing or unreadable")
        return
    if head is None:
        report.fail("events: cannot be checked without a readable tree head")
        return
    root = bytes.fromhex(head["root_hash_hex"])
    failed = False
    for event in events:
        problem = _check_event(event, head, root) if isinstance(event, dict) else "event: an entry is not an event"
        if problem:
            report.fail(problem)
            failed = True
    ids = [e.get("event_id") for e in events if isinstance(e, dict)]
    if len(set(ids)) != len(ids):
        report.fail("events: an event is listed twice in events.json")
        failed = True
    if manifest is not None and manifest.get("events") != len(events):
        report.fail(f"events: the manifest counts {manifest.get('events')} events, events.json holds {len(events)}")
        failed = True
    if not failed:
        report.ok(f"events: all {len(events)} audit events are in the signed log, unchanged")


def check_files(bundle: Path, manifest: dict[str, Any] | None, report: Report) -> None:
    if manifest is None:
        report.fail("files: cannot be checked without a readable manifest")
        return
    files = manifest.get("files")
    if not isinstance(files, dict):
        report.fail("manifest: it lists no files")
        return
    failed = False
    for name, expected in sorted(files.items()):
        path = bundle / name
        if not path.is_file():
            report.fail(f"file {name}: missing")
            failed = True
        elif sha256_file(path) != expected:
            report.fail(f"file {name}: changed (its SHA-256 differs from the manifest)")
            failed = True
    if not failed:
        report.ok(f"files: all {len(files)} files have the SHA-256 the manifest gives")


def check(bundle: Path, expected_key: str | None = None) -> Report:
    """Check every part, most specific first. Raises FileNotFoundError when there is no bundle."""
    report = Report()
    manifest_path = bundle / "manifest.json"
    if not manifest_path.is_file():
        raise FileNotFoundError(f"no manifest.json in {bundle}")
    try:
        manifest: dict[str, Any] | None = _load_json(manifest_path)
        if not isinstance(manifest, dict):
            raise ValueError
    except BROKEN:
        manifest = None
    public = check_key(bundle, manifest, expected_key, report)
    head = check_tree_head(bundle, public, report)
    check_events(bundle, manifest, head, report)
    check_manifest(bundle, public, report)
    check_files(bundle, manifest, report)
    return report


def main(argv: list[str]) -> int:
    args = argv[1:]
    expected: str | None = None
    if "--key-id" in args:
        at = args.index("--key-id")
        if at + 1 >= len(args):
            print("--key-id needs the published fingerprint, like sk-0123456789abcdef")
            return 2
        expected = args[at + 1]
        del args[at : at + 2]
    bundle = Path(args[0]) if args else HERE
    try:
        report = check(bundle, expected)
    except OSError as error:
        print(f"CANNOT READ the bundle in {bundle}: {error}")
        return 2
    try:
        manifest = _load_json(bundle / "manifest.json")
        print(f"Case {manifest['case_code']}, bundle made {manifest['created_at']}")
        print(f"Signing key fingerprint: {manifest['public_key_id']} (compare with the one the cell network publishes)")
    except BROKEN:
        print("The manifest cannot be read.")
    for good, text in report.lines:
        print(f"{'OK  ' if good else 'FAIL'}  {text}")
    if report.failures:
        print(f"RESULT: CHANGED. {len(report.failures)} check(s) failed; the first FAIL line names the part.")
        return 1
    print("RESULT: OK. Every file, the signed tree head and every audit event's inclusion proof verify.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
