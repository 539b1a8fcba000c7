"""Write-once, encrypted storage for files: uploads, laboratory results, issued documents.

A file is streamed in 1 MiB chunks, never held whole in memory. While it streams,
its SHA-256 (of the original bytes) is computed and each chunk is encrypted with
AES-256-GCM under a data key of its own, wrapped by the key ring's master key (as
in the identity vault). Each chunk's associated data binds the file id, the
chunk's position and whether it is the last, so chunks cannot be reordered,
dropped or truncated unnoticed.

On disk (``CRISISCELL_MEDIA_DIR/<2 hex>/<file id>``):

    b"CCBLOB1\\n" then, per chunk: 4-byte big-endian length || nonce-less ciphertext

The nonce of chunk *i* is the file's random 4-byte prefix followed by *i* as 8
bytes. A file is written to a temporary name, flushed to disk and then linked to
its final name, which fails if the name exists: nothing is ever overwritten, and
a refused or failed upload leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from crisiscell.core.keyring import KeyringError, load_keyring
from crisiscell.documents.models import StoredFile

MAGIC = b"CCBLOB1\n"
CHUNK = 1024 * 1024


class FileTooLarge(ValueError):
    """The upload is larger than allowed; nothing was stored."""


class StoredFileCorrupt(RuntimeError):
    """A stored file does not decrypt or does not match its recorded hash."""


def media_root() -> Path:
    return Path(settings.CRISISCELL_MEDIA_DIR)


def path_of(file_id: uuid.UUID) -> Path:
    return media_root() / file_id.hex[:2] / file_id.hex


def _aad(file_id: uuid.UUID, index: int, last: bool) -> bytes:
    return b"crisiscell-file-v1|" + file_id.bytes + index.to_bytes(8, "big") + (b"\x01" if last else b"\x00")


def _nonce(prefix: bytes, index: int) -> bytes:
    return prefix + index.to_bytes(8, "big")


def _wrap_aad(key_id: str, file_id: uuid.UUID) -> bytes:
    return key_id.encode() + b"|crisiscell-file-key|" + file_id.bytes


def _chunks(source: BinaryIO | Iterable[bytes]) -> Iterator[bytes]:
    """Re-cut any byte source into CHUNK-sized pieces (the last may be shorter)."""
    if hasattr(source, "read"):
        while piece := source.read(CHUNK):
            yield piece
        return
    buffer = bytearray()
    for piece in source:
        buffer += piece
        while len(buffer) >= CHUNK:
            yield bytes(buffer[:CHUNK])
            del buffer[:CHUNK]
    if buffer:
        yield bytes(buffer)


def store(
    source: BinaryIO | Iterable[bytes], *, kind: str, max_bytes: int, content_type: str = "", name: str = ""
) -> StoredFile:
    """Encrypt and store a stream; returns its record with size and SHA-256.

    Raises ``FileTooLarge`` (and stores nothing) past ``max_bytes``. Call inside the
    transaction that records what the file is for; if that transaction rolls back,
    the orphaned file is removed later by ``sweep_orphans``.
    """
    ring = load_keyring()
    file_id = uuid.uuid4()
    data_key = AESGCM.generate_key(bit_length=256)
    prefix = secrets.token_bytes(4)
    aead = AESGCM(data_key)
    digest = hashlib.sha256()
    size = 0
    final = path_of(file_id)
    final.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = final.with_name(f".{file_id.hex}.partial")
    try:
        with open(temporary, "xb") as out:
            out.write(MAGIC)
            index = 0
            pending: bytes | None = None
            for piece in _chunks(source):
                size += len(piece)
                if size > max_bytes:
                    raise FileTooLarge(max_bytes)
                digest.update(piece)
                if pending is not None:
                    _write_chunk(out, aead, prefix, file_id, index, pending, last=False)
                    index += 1
                pending = piece
            _write_chunk(out, aead, prefix, file_id, index, pending or b"", last=True)
            out.flush()
            os.fsync(out.fileno())
        os.link(temporary, final)  # fails if the name exists: write-once
        final.chmod(0o400)
    finally:
        temporary.unlink(missing_ok=True)
    key_id = ring.active_master_id
    wrap_nonce = secrets.token_bytes(12)
    wrapped = wrap_nonce + AESGCM(ring.master_key(key_id)).encrypt(wrap_nonce, data_key, _wrap_aad(key_id, file_id))
    record = StoredFile.objects.create(
        id=file_id,
        kind=kind,
        size=size,
        sha256=digest.hexdigest(),
        content_type=content_type,
        original_name=name[:255],
        key_id=key_id,
        wrapped_key=wrapped,
        nonce_prefix=prefix,
    )
    return record


def _write_chunk(
    out: BinaryIO, aead: AESGCM, prefix: bytes, file_id: uuid.UUID, index: int, data: bytes, *, last: bool
) -> None:
    sealed = aead.encrypt(_nonce(prefix, index), data, _aad(file_id, index, last))
    out.write(len(sealed).to_bytes(4, "big"))
    out.write(sealed)


def sweep_orphans(*, older_than_seconds: float = 3600) -> int:
    """Remove stored files no record points to (an upload whose transaction rolled back).

    Run by the worker; a file younger than ``older_than_seconds`` may still be about
    to be committed and is left alone. Returns how many were removed.
    """
    import time

    root = media_root()
    if not root.exists():
        return 0
    known = {file_id.hex for file_id in StoredFile.objects.values_list("id", flat=True)}
    cutoff = time.time() - older_than_seconds
    removed = 0
    for path in root.glob("??/*"):
        if path.name in known or path.name.startswith(".") or path.stat().st_mtime > cutoff:
            continue
        path.chmod(0o600)
        path.unlink()
        removed += 1
    return removed


def _data_key(record: StoredFile) -> bytes:
    try:
        ring = load_keyring()
        wrapped = bytes(record.wrapped_key)
        return AESGCM(ring.master_key(record.key_id)).decrypt(
            wrapped[:12], wrapped[12:], _wrap_aad(record.key_id, record.id)
        )
    except (InvalidTag, KeyringError, ValueError) as error:
        raise StoredFileCorrupt("The file's key could not be unwrapped.") from error


def read_chunks(record: StoredFile) -> Iterator[bytes]:
    """The original bytes, chunk by chunk, each verified; raises ``StoredFileCorrupt`` on any change."""
    aead = AESGCM(_data_key(record))
    prefix = bytes(record.nonce_prefix)
    digest = hashlib.sha256()
    with open(path_of(record.id), "rb") as handle:
        if handle.read(len(MAGIC)) != MAGIC:
            raise StoredFileCorrupt("Not a crisiscell file.")
        index = 0
        header = handle.read(4)
        while True:
            if len(header) != 4:
                raise StoredFileCorrupt("The file ends before its last chunk.")
            sealed = handle.read(int.from_bytes(header, "big"))
            header = handle.read(4)
            last = header == b""
            try:
                plain = aead.decrypt(_nonce(prefix, index), sealed, _aad(record.id, index, last))
            except InvalidTag as error:
                raise StoredFileCorrupt(f"Chunk {index} does not verify.") from error
            digest.update(plain)
            yield plain
            index += 1
            if last:
                break
    if digest.hexdigest() != record.sha256:
        raise StoredFileCorrupt("The file does not match its recorded SHA-256.")


def verify(record: StoredFile) -> bool:
    """Read the whole file back and check it; False if anything was changed."""
    try:
        for _chunk in read_chunks(record):
            pass
    except (StoredFileCorrupt, OSError):
        return False
    return True
