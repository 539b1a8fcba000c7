"""The key ring: data-encryption master keys and the audit signing key.

The ring is one JSON file, ``keyring.json``, in ``settings.CRISISCELL_KEY_DIR``:
outside the database (a database dump alone decrypts nothing) and outside git.
Every key has an id; records name the id of the key that protects them, so keys
can be rotated without downtime: a new key becomes active, old keys stay to
decrypt until nothing refers to them.

Losing this file loses every identity in the vault and the ability to sign new
audit tree heads. ``docs/operations.md`` says how to back it up.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.utils import timezone

KEYRING_FILE = "keyring.json"
FORMAT_VERSION = 1


class KeyringError(RuntimeError):
    """The key ring is missing, unreadable or lacks a key it is asked for."""


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text.encode("ascii"))


def public_key_id(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "sk-" + hashlib.sha256(raw).hexdigest()[:16]


@dataclass(frozen=True)
class SigningKey:
    key_id: str
    private_key: Ed25519PrivateKey

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.private_key.public_key()

    def public_pem(self) -> bytes:
        return self.public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


class Keyring:
    """An in-memory view of ``keyring.json``; reloads when the file changes."""

    def __init__(self, data: dict[str, Any]) -> None:
        if data.get("version") != FORMAT_VERSION:
            raise KeyringError("Unknown key ring format version.")
        self._data = data
        self.master_keys: dict[str, bytes] = {entry["id"]: _unb64(entry["key"]) for entry in data["master_keys"]}
        self.active_master_id: str = data["active_master"]
        self.signing_keys: dict[str, SigningKey] = {}
        for entry in data["signing_keys"]:
            private = serialization.load_pem_private_key(entry["private_pem"].encode("ascii"), password=None)
            if not isinstance(private, Ed25519PrivateKey):
                raise KeyringError("A signing key in the key ring is not an Ed25519 key.")
            self.signing_keys[entry["id"]] = SigningKey(entry["id"], private)
        self.active_signing_id: str = data["active_signing"]
        self.blind_index_key: bytes = _unb64(data["blind_index_key"])
        if self.active_master_id not in self.master_keys:
            raise KeyringError("The active master key is not in the key ring.")
        if self.active_signing_id not in self.signing_keys:
            raise KeyringError("The active signing key is not in the key ring.")

    def master_key(self, key_id: str) -> bytes:
        try:
            return self.master_keys[key_id]
        except KeyError:
            raise KeyringError(f"Master key {key_id} is not in the key ring.") from None

    @property
    def active_signing_key(self) -> SigningKey:
        return self.signing_keys[self.active_signing_id]

    def public_keys(self) -> dict[str, Ed25519PublicKey]:
        return {kid: key.public_key for kid, key in self.signing_keys.items()}

    def to_json(self) -> dict[str, Any]:
        return self._data


def _new_master_entry() -> dict[str, str]:
    now = timezone.now()
    return {
        "id": f"mk-{now:%Y%m%d}-{secrets.token_hex(4)}",
        "key": _b64(secrets.token_bytes(32)),
        "created": now.isoformat(),
    }


def _new_signing_entry() -> dict[str, str]:
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    return {
        "id": public_key_id(private.public_key()),
        "private_pem": pem,
        "created": timezone.now().isoformat(),
    }


def new_keyring_data() -> dict[str, Any]:
    master = _new_master_entry()
    signing = _new_signing_entry()
    return {
        "version": FORMAT_VERSION,
        "master_keys": [master],
        "active_master": master["id"],
        "signing_keys": [signing],
        "active_signing": signing["id"],
        "blind_index_key": _b64(secrets.token_bytes(32)),
    }


def keyring_path(directory: Path | None = None) -> Path:
    return Path(directory or settings.CRISISCELL_KEY_DIR) / KEYRING_FILE


def write_keyring(data: dict[str, Any], directory: Path | None = None) -> None:
    """Write the ring atomically (temporary file, fsync, rename), readable by its owner only."""
    path = keyring_path(directory)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle, indent=2)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    _cache.clear()


def init_keyring(directory: Path | None = None) -> bool:
    """Create the ring if it does not exist. Never overwrites. Returns True if created."""
    path = keyring_path(directory)
    if path.exists():
        return False
    write_keyring(new_keyring_data(), directory)
    return True


def add_master_key(directory: Path | None = None) -> str:
    """Add a fresh master key and make it the active one; old keys stay for decryption."""
    data = dict(load_keyring(directory).to_json())
    entry = _new_master_entry()
    data["master_keys"] = [*data["master_keys"], entry]
    data["active_master"] = entry["id"]
    write_keyring(data, directory)
    return entry["id"]


class _Cache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[Path, tuple[float, Keyring]] = {}

    def get(self, path: Path) -> Keyring:
        try:
            mtime = path.stat().st_mtime
        except FileNotFoundError:
            raise KeyringError(
                f"No key ring at {path}. Create one with `crisiscell keys_init` or restore it from its backup."
            ) from None
        with self._lock:
            cached = self._entries.get(path)
            if cached and cached[0] == mtime:
                return cached[1]
            ring = Keyring(json.loads(path.read_text()))
            self._entries[path] = (mtime, ring)
            return ring

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_cache = _Cache()


def load_keyring(directory: Path | None = None) -> Keyring:
    return _cache.get(keyring_path(directory))
