"""The key ring: created once, never overwritten, private to its owner, rotatable."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from django.core.management import call_command

from crisiscell.core import keyring


def test_init_creates_a_private_ring_and_never_overwrites(tmp_path: Path) -> None:
    assert keyring.init_keyring(tmp_path) is True
    path = tmp_path / keyring.KEYRING_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    before = path.read_bytes()
    assert keyring.init_keyring(tmp_path) is False
    assert path.read_bytes() == before


def test_ring_holds_master_signing_and_blind_index_keys(tmp_path: Path) -> None:
    keyring.init_keyring(tmp_path)
    ring = keyring.load_keyring(tmp_path)
    assert len(ring.master_key(ring.active_master_id)) == 32
    assert len(ring.blind_index_key) == 32
    signing = ring.active_signing_key
    assert signing.key_id == keyring.public_key_id(signing.public_key)
    signature = signing.private_key.sign(b"tree head")
    signing.public_key.verify(signature, b"tree head")  # raises if wrong


def test_adding_a_master_key_keeps_the_old_one(tmp_path: Path) -> None:
    keyring.init_keyring(tmp_path)
    old = keyring.load_keyring(tmp_path).active_master_id
    new = keyring.add_master_key(tmp_path)
    ring = keyring.load_keyring(tmp_path)
    assert ring.active_master_id == new != old
    assert ring.master_key(old) != ring.master_key(new)


def test_a_missing_ring_or_key_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(keyring.KeyringError, match="keys_init"):
        keyring.load_keyring(tmp_path / "absent")
    keyring.init_keyring(tmp_path)
    with pytest.raises(keyring.KeyringError, match="not in the key ring"):
        keyring.load_keyring(tmp_path).master_key("mk-unknown")


def test_a_corrupt_active_key_reference_is_refused(tmp_path: Path) -> None:
    keyring.init_keyring(tmp_path)
    path = tmp_path / keyring.KEYRING_FILE
    data = json.loads(path.read_text())
    data["active_master"] = "mk-missing"
    keyring.write_keyring(data, tmp_path)
    with pytest.raises(keyring.KeyringError, match="active master key"):
        keyring.load_keyring(tmp_path)


def test_keys_init_command_is_idempotent(settings, tmp_path: Path, capsys) -> None:
    settings.CRISISCELL_KEY_DIR = tmp_path / "ring"
    call_command("keys_init")
    call_command("keys_init")
    out = capsys.readouterr().out
    assert "Created key ring" in out
    assert "already present" in out
