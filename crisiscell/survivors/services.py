"""Writes to the identity vault. Called by the case services inside their transactions."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction

from crisiscell.accounts.models import User
from crisiscell.audit.services import audit_record
from crisiscell.cells.models import Cell
from crisiscell.core.keyring import add_master_key, load_keyring
from crisiscell.survivors import vault
from crisiscell.survivors.identity import format_cnic, normalise_cnic, normalise_phone
from crisiscell.survivors.models import Guardian, Survivor, VaultLookup, VaultRecord


@dataclass
class SurvivorIdentity:
    """What the vault holds about a survivor. Every field may be empty."""

    name: str = ""
    relative_name: str = ""  # father's or husband's name, as on a CNIC
    cnic: str = ""
    phones: list[str] = field(default_factory=list)
    address: str = ""
    date_of_birth: str = ""  # ISO date when known
    code_word: str = ""  # agreed for safe contact

    @property
    def cnic_display(self) -> str:
        return format_cnic(self.cnic) if len(self.cnic) == 13 else self.cnic

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> SurvivorIdentity:
        known = {k: v for k, v in payload.items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass
class GuardianIdentity:
    name: str = ""
    cnic: str = ""
    phone: str = ""

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> GuardianIdentity:
        known = {k: v for k, v in payload.items() if k in cls.__dataclass_fields__}
        return cls(**known)


def _envelope(record: VaultRecord) -> vault.Envelope:
    return vault.Envelope(record.key_id, bytes(record.wrapped_key), bytes(record.ciphertext))


def vault_write(*, kind: str, payload: dict[str, Any], record: VaultRecord | None = None) -> VaultRecord:
    """Encrypt ``payload`` into a new record, or replace an existing record's contents."""
    record_id = record.pk if record else uuid.uuid4()
    env = vault.encrypt(payload, aad=vault.record_aad(kind, str(record_id)))
    if record is None:
        return VaultRecord.objects.create(
            id=record_id,
            kind=kind,
            key_id=env.key_id,
            wrapped_key=env.wrapped_key,
            ciphertext=env.ciphertext,
        )
    record.key_id, record.wrapped_key, record.ciphertext = (
        env.key_id,
        env.wrapped_key,
        env.ciphertext,
    )
    record.save(update_fields=["key_id", "wrapped_key", "ciphertext", "updated_at"])
    return record


def vault_read(record: VaultRecord) -> dict[str, Any]:
    """Decrypt a record. Raises ``VaultError``; never returns ciphertext or blanks instead."""
    return vault.decrypt(_envelope(record), aad=vault.record_aad(record.kind, str(record.pk)))


def _index(record: VaultRecord, cell: Cell, cnics: Iterable[str], phones: Iterable[str], *, new: bool = False) -> None:
    """Write the record's blind-index rows, replacing its old ones (a ``new`` record has none)."""
    if not new:
        VaultLookup.objects.filter(record=record).delete()
    ring = load_keyring()
    rows = [
        VaultLookup(record=record, cell=cell, kind="cnic", digest=vault.blind_index("cnic", c, ring))
        for c in cnics
        if c
    ] + [
        VaultLookup(record=record, cell=cell, kind="phone", digest=vault.blind_index("phone", p, ring))
        for p in phones
        if p
    ]
    VaultLookup.objects.bulk_create(rows)


def normalised_identity(identity: SurvivorIdentity) -> SurvivorIdentity:
    """Identity with CNIC and phones normalised (raises ValidationError on malformed ones)."""
    return SurvivorIdentity(
        name=identity.name.strip(),
        relative_name=identity.relative_name.strip(),
        cnic=normalise_cnic(identity.cnic) if identity.cnic.strip() else "",
        phones=[normalise_phone(p) for p in identity.phones if p.strip()],
        address=identity.address.strip(),
        date_of_birth=identity.date_of_birth,
        code_word=identity.code_word.strip(),
    )


def survivor_create(
    *,
    actor: User,
    cell: Cell,
    identity: SurvivorIdentity,
    sex: str,
    age_years: int | None,
    age_estimated: bool,
    registered_at: datetime,
    may_call: bool,
    may_text: bool,
    call_window: str,
) -> Survivor:
    """Create a survivor with her identity in the vault. Audits ``survivor.created``.

    Call inside the case registration transaction; the caller checks the policy.
    """
    clean = normalised_identity(identity)
    record = vault_write(kind=VaultRecord.Kind.SURVIVOR, payload=asdict(clean))
    _index(record, cell, [clean.cnic], clean.phones, new=True)
    survivor = Survivor.objects.create(
        cell=cell,
        identity=record,
        sex=sex,
        age_years=age_years,
        age_estimated=age_estimated,
        registered_at=registered_at,
        may_call=may_call,
        may_text=may_text,
        call_window=call_window,
    )
    audit_record(
        action="survivor.created",
        actor=actor,
        cell=cell,
        object_type="survivor",
        object_ref=str(survivor.pk),
    )
    return survivor


def survivor_update_identity(*, actor: User, survivor: Survivor, identity: SurvivorIdentity) -> Survivor:
    """Replace the identity in the vault. Audits ``survivor.identity_changed`` (which fields)."""
    clean = normalised_identity(identity)
    before = SurvivorIdentity.from_payload(vault_read(survivor.identity))
    changed = sorted(k for k, v in asdict(clean).items() if asdict(before).get(k) != v)
    vault_write(kind=VaultRecord.Kind.SURVIVOR, payload=asdict(clean), record=survivor.identity)
    _index(survivor.identity, survivor.cell, [clean.cnic], clean.phones)
    audit_record(
        action="survivor.identity_changed",
        actor=actor,
        cell=survivor.cell,
        object_type="survivor",
        object_ref=str(survivor.pk),
        details={"fields": changed},
    )
    return survivor


def survivor_rehome(*, survivor: Survivor) -> Survivor:
    """After a transfer: the survivor belongs to the cell of her most recent case.

    Her look-up entries move with her, so she is found by CNIC or phone where her
    cases are, and no longer by a cell that handed her case over. Called inside the
    transfer's transaction (which writes the audit event).
    """
    latest = survivor.cases.order_by("-arrival_at").values_list("cell_id", flat=True).first()
    if latest is None or latest == survivor.cell_id:
        return survivor
    Survivor.objects.filter(pk=survivor.pk).update(cell_id=latest)
    VaultLookup.objects.filter(record_id=survivor.identity_id).update(cell_id=latest)
    survivor.refresh_from_db()
    return survivor


def guardian_add(
    *,
    actor: User,
    survivor: Survivor,
    identity: GuardianIdentity,
    relationship: str,
    identity_checked: str,
    is_alleged_perpetrator: bool,
) -> Guardian:
    """Record a guardian of a child survivor. Audits ``survivor.guardian_added``."""
    clean = GuardianIdentity(
        name=identity.name.strip(),
        cnic=normalise_cnic(identity.cnic) if identity.cnic.strip() else "",
        phone=normalise_phone(identity.phone) if identity.phone.strip() else "",
    )
    record = vault_write(kind=VaultRecord.Kind.GUARDIAN, payload=asdict(clean))
    guardian = Guardian.objects.create(
        survivor=survivor,
        identity=record,
        relationship=relationship,
        identity_checked=identity_checked,
        is_alleged_perpetrator=is_alleged_perpetrator,
    )
    audit_record(
        action="survivor.guardian_added",
        actor=actor,
        cell=survivor.cell,
        object_type="guardian",
        object_ref=str(guardian.pk),
        details={"relationship": relationship, "alleged_perpetrator": is_alleged_perpetrator},
    )
    return guardian


def keys_rotate(*, batch: int = 500, progress: Any = None) -> tuple[str, int]:
    """Make a new master key active and re-wrap every data key under it.

    Readers keep working throughout: each record names the key that wraps it and
    the old key stays in the ring. Each batch is its own short transaction, and a
    record is only updated if its key id is still the one it was read with.
    Returns the new key id and the number of records re-wrapped.
    """
    new_key = add_master_key()
    ring = load_keyring()
    done = 0
    while True:
        with transaction.atomic():
            records = list(VaultRecord.objects.exclude(key_id=new_key).order_by("pk")[:batch])
            if not records:
                break
            for record in records:
                env = vault.rewrap(
                    _envelope(record),
                    aad=vault.record_aad(record.kind, str(record.pk)),
                    to_key_id=new_key,
                    ring=ring,
                )
                VaultRecord.objects.filter(pk=record.pk, key_id=record.key_id).update(
                    key_id=env.key_id, wrapped_key=env.wrapped_key
                )
            done += len(records)
            audit_record(
                action="vault.keys_rotated",
                actor=None,
                details={"records": len(records), "key": new_key},
            )
        if progress:
            progress(done)
    return new_key, done
