"""The identity vault: nothing in clear, failures loud, keys rotatable, look-up by keyed hash."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from crisiscell.access.policy import Role
from crisiscell.audit.models import AuditEvent
from crisiscell.cases.selectors import survivor_lookup
from crisiscell.cases.services import case_register
from crisiscell.cases.tests.helpers import intake_data
from crisiscell.core.keyring import load_keyring
from crisiscell.survivors import vault
from crisiscell.survivors.identity import normalise_cnic, normalise_phone
from crisiscell.survivors.models import VaultRecord
from crisiscell.survivors.services import SurvivorIdentity, vault_read, vault_write

SECRETS = [
    "Test Survivor",
    "3520212345671",
    "35202-1234567-1",
    "3001234567",
    "Test Street",
    "jasmine",
    "0301 7654321",
]


@pytest.fixture
def desk(cell, staff):
    return staff(Role.DESK_OFFICER, cell, username="desk")


def _all_rows() -> list[tuple[str, object]]:
    rows: list[tuple[str, object]] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from introspection
            for row in cursor.fetchall():
                rows.extend((table, value) for value in row)
    return rows


def test_no_identity_in_clear_anywhere_in_the_database(cell, desk):
    case_register(actor=desk, cell=cell, data=intake_data())
    for table, value in _all_rows():
        text = bytes(value).decode("latin-1") if isinstance(value, memoryview | bytes | bytearray) else str(value)
        for secret in SECRETS:
            assert secret not in text, f"{secret!r} found in clear in {table}"


def test_identity_decrypts_for_its_record(cell, desk):
    case = case_register(actor=desk, cell=cell, data=intake_data())
    identity = SurvivorIdentity.from_payload(vault_read(case.survivor.identity))
    assert identity.name == "Test Survivor (synthetic)"
    assert identity.cnic == "3520212345671"
    assert identity.phones == ["+923001234567"]


@pytest.mark.django_db
def test_altered_ciphertext_raises():
    record = vault_write(kind="survivor", payload={"name": "Test (synthetic)"})
    blob = bytearray(bytes(record.ciphertext))
    blob[-1] ^= 0x01
    record.ciphertext = bytes(blob)
    with pytest.raises(vault.VaultError):
        vault_read(record)


@pytest.mark.django_db
def test_ciphertext_moved_to_another_record_raises():
    first = vault_write(kind="survivor", payload={"name": "First (synthetic)"})
    second = vault_write(kind="survivor", payload={"name": "Second (synthetic)"})
    second.wrapped_key, second.ciphertext = first.wrapped_key, first.ciphertext
    with pytest.raises(vault.VaultError):
        vault_read(second)


@pytest.mark.django_db
def test_unknown_key_raises_rather_than_returning_anything():
    record = vault_write(kind="survivor", payload={"name": "Test (synthetic)"})
    record.key_id = "mk-gone"
    with pytest.raises(vault.VaultError):
        vault_read(record)


def test_key_rotation_rewraps_every_record_and_keeps_lookups(cell, desk, capsys):
    case = case_register(actor=desk, cell=cell, data=intake_data())
    old_key = load_keyring().active_master_id
    ciphertext_before = bytes(case.survivor.identity.ciphertext)
    call_command("keys_rotate", batch=1)
    ring = load_keyring()
    assert ring.active_master_id != old_key
    assert set(VaultRecord.objects.values_list("key_id", flat=True)) == {ring.active_master_id}
    record = VaultRecord.objects.get(pk=case.survivor.identity_id)
    assert bytes(record.ciphertext) == ciphertext_before  # only the data key was re-wrapped
    assert vault_read(record)["name"] == "Test Survivor (synthetic)"
    assert [m.survivor for m in survivor_lookup(desk, cnic="35202-1234567-1")] == [case.survivor]
    assert AuditEvent.objects.filter(action="vault.keys_rotated").count() >= 1
    assert "re-wrapped" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("35202-1234567-1", "3520212345671"),
        ("35202 1234567 1", "3520212345671"),
        ("۳۵۲۰۲۱۲۳۴۵۶۷۱", "3520212345671"),
    ],
)
def test_cnic_normalisation(raw, expected):
    assert normalise_cnic(raw) == expected


@pytest.mark.parametrize("raw", ["0300 1234567", "+92 300 1234567", "03001234567", "۰۳۰۰۱۲۳۴۵۶۷"])
def test_phone_normalisation(raw):
    assert normalise_phone(raw) == "+923001234567"


def test_lookup_by_cnic_or_phone_in_any_format(cell, desk):
    case = case_register(actor=desk, cell=cell, data=intake_data())
    for kwargs in (
        {"cnic": "35202 1234567 1"},
        {"phone": "+92-300-1234567"},
        {"phone": "۰۳۰۰۱۲۳۴۵۶۷"},
    ):
        matches = survivor_lookup(desk, **kwargs)
        assert [m.survivor for m in matches] == [case.survivor]
        assert matches[0].case_codes == [case.code]
    assert survivor_lookup(desk, cnic="35202-9999999-9") == []
    event = AuditEvent.objects.filter(action="survivor.looked_up").last()
    assert "35202" not in event.details
    assert "300" not in event.details


def test_lookup_never_crosses_into_another_cell(cell, other_cell, desk, staff):
    other_desk = staff(Role.DESK_OFFICER, other_cell, username="otherdesk")
    case_register(actor=other_desk, cell=other_cell, data=intake_data())
    assert survivor_lookup(desk, cnic="35202-1234567-1") == []


def test_a_returning_survivor_is_offered_once_with_every_case_of_hers_in_the_actors_cells(
    cell, other_cell, desk, staff
):
    first = case_register(actor=desk, cell=cell, data=intake_data())
    again = case_register(actor=desk, cell=cell, data=intake_data(existing_survivor=first.survivor))
    someone_else = SurvivorIdentity(name="Other Survivor (synthetic)", cnic="35202-7654321-7", phones=["0300 7654321"])
    case_register(actor=desk, cell=cell, data=intake_data(identity=someone_else))
    other_desk = staff(Role.DESK_OFFICER, other_cell, username="otherdesk")
    case_register(actor=other_desk, cell=other_cell, data=intake_data())  # the same numbers, in a cell she cannot see
    matches = survivor_lookup(desk, cnic="35202-1234567-1", phone="0300 1234567")
    assert [(m.survivor, m.case_codes) for m in matches] == [(first.survivor, [first.code, again.code])]  # oldest first
    assert matches[0].name == "Test Survivor (synthetic)"


def test_blind_index_is_keyed():
    ring = load_keyring()
    digest = vault.blind_index("cnic", "3520212345671", ring)
    import hashlib

    assert digest != hashlib.sha256(b"cnic:3520212345671").digest()
    assert len(digest) == 32


def test_lookup_by_both_numbers_finds_her_once_in_three_queries(cell, desk, django_assert_num_queries):
    case = case_register(actor=desk, cell=cell, data=intake_data())
    assert survivor_lookup(desk, cnic="35202-9999999-9") == []  # her memberships are read once per request
    # The audit event, the survivors with their identities, their case codes (her cells come
    # from the memberships the request has read already).
    with django_assert_num_queries(3):
        matches = survivor_lookup(desk, cnic="35202-1234567-1", phone="03001234567")
    assert [(m.survivor, m.case_codes) for m in matches] == [(case.survivor, [case.code])]
