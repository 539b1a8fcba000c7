"""Envelope encryption for the identity vault (AES-256-GCM).

Each vault record has its own random 256-bit data key. The record's fields are
serialised to JSON and encrypted with that data key; the data key is encrypted
("wrapped") with a master key from the key ring, named by its key id. Both
encryptions bind the record's identity through the associated data, so a
ciphertext copied onto another record does not decrypt.

    ciphertext  = nonce(12) || AES-GCM(data key, JSON, aad = record aad)
    wrapped key = nonce(12) || AES-GCM(master key, data key, aad = key id || record aad)

Rotation re-wraps the data key under a new master key; the ciphertext of the
fields never changes. Any failure to decrypt raises ``VaultError``: callers never
see ciphertext or blanks in place of an identity.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from crisiscell.core.keyring import Keyring, KeyringError, load_keyring

FORMAT = b"crisiscell-vault-v1"
NONCE_BYTES = 12


class VaultError(RuntimeError):
    """An identity could not be decrypted (wrong key, altered data, or a missing key)."""


@dataclass(frozen=True)
class Envelope:
    key_id: str
    wrapped_key: bytes
    ciphertext: bytes


def record_aad(kind: str, record_id: str) -> bytes:
    return b"|".join([FORMAT, kind.encode(), record_id.encode()])


def _wrap_aad(key_id: str, aad: bytes) -> bytes:
    return key_id.encode() + b"|" + aad


def encrypt(payload: dict[str, Any], *, aad: bytes, ring: Keyring | None = None) -> Envelope:
    ring = ring or load_keyring()
    data_key = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(NONCE_BYTES)
    plaintext = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
    ciphertext = nonce + AESGCM(data_key).encrypt(nonce, plaintext, aad)
    key_id = ring.active_master_id
    return Envelope(key_id, _wrap(data_key, key_id, aad, ring), ciphertext)


def _wrap(data_key: bytes, key_id: str, aad: bytes, ring: Keyring) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(ring.master_key(key_id)).encrypt(nonce, data_key, _wrap_aad(key_id, aad))


def _unwrap(envelope: Envelope, aad: bytes, ring: Keyring) -> bytes:
    try:
        master = ring.master_key(envelope.key_id)
        wrapped = bytes(envelope.wrapped_key)
        return AESGCM(master).decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], _wrap_aad(envelope.key_id, aad))
    except (InvalidTag, KeyringError, ValueError) as error:
        raise VaultError("An identity record's key could not be unwrapped.") from error


def decrypt(envelope: Envelope, *, aad: bytes, ring: Keyring | None = None) -> dict[str, Any]:
    ring = ring or load_keyring()
    data_key = _unwrap(envelope, aad, ring)
    blob = bytes(envelope.ciphertext)
    try:
        plaintext = AESGCM(data_key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad)
    except (InvalidTag, ValueError) as error:
        raise VaultError("An identity record could not be decrypted.") from error
    payload: dict[str, Any] = json.loads(plaintext)
    return payload


def rewrap(envelope: Envelope, *, aad: bytes, to_key_id: str, ring: Keyring | None = None) -> Envelope:
    """The same ciphertext with its data key wrapped under ``to_key_id``."""
    ring = ring or load_keyring()
    data_key = _unwrap(envelope, aad, ring)
    return Envelope(to_key_id, _wrap(data_key, to_key_id, aad, ring), bytes(envelope.ciphertext))


def blind_index(kind: str, normalised: str, ring: Keyring | None = None) -> bytes:
    """A keyed hash for exact look-up (CNIC, phone) that reveals nothing without the key."""
    ring = ring or load_keyring()
    message = kind.encode() + b":" + normalised.encode("utf-8")
    return hmac.new(ring.blind_index_key, message, hashlib.sha256).digest()
