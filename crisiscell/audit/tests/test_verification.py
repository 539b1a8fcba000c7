"""Sealing, verification, proofs and the audit commands, against a real database.

The log is built from real events (``audit_record``) sealed under several signed
tree heads, then tampered with in raw SQL, the way someone with database access
would, behind the application's back. ``verify_log`` must notice every change and
name the first event it touches.
"""

# Tampering builds its statements from fixed table and column names.
# ruff: noqa: S608

from __future__ import annotations

import base64
import calendar
import io
import itertools
import json
import secrets
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from crisiscell.access.policy import Role
from crisiscell.audit import merkle, verification
from crisiscell.audit.leaves import EVENT_FIELDS, leaf_bytes, leaf_bytes_columns
from crisiscell.audit.models import AuditEvent, AuditLeaf, TreeHead
from crisiscell.audit.sealing import seal_all, seal_pending, tree_head_message
from crisiscell.audit.services import audit_record
from crisiscell.audit.verification import Report, verify_log
from crisiscell.core import context
from crisiscell.core.keyring import load_keyring
from crisiscell.tests.factories import CellFactory, make_staff

AUDIT_TABLES = ("audit_auditevent", "audit_auditleaf", "audit_treehead")
ACTIONS = ("auth.login", "admin.staff_listed", "audit.log_viewed", "auth.logout")
# Every column of an event except its id, as they sit in the table.
CONTENT_COLUMNS = (
    "at",
    "action",
    "actor_id",
    "actor_label",
    "cell_id",
    "object_type",
    "object_ref",
    "request_id",
    "client_ip",
    "details",
)


# ---------------------------------------------------------------------------
# Helpers


def record(count: int, *, actor: Any = None, cell: Any = None) -> list[int]:
    """``count`` real events, each in its own transaction as a service would write it."""
    ids = []
    for i in range(count):
        token = context.bind(
            context.RequestContext(
                request_id=secrets.token_hex(8),
                client_ip="203.0.113.7" if i % 2 else "2001:db8::1",
            )
        )
        try:
            with transaction.atomic():
                event = audit_record(
                    action=ACTIONS[i % len(ACTIONS)],
                    actor=actor if i % 3 else None,
                    cell=cell if i % 2 else None,
                    object_type="membership",
                    object_ref=str(1000 + i),
                    details={"n": i, "roles": ["cell_head", "auditor"]} if i % 2 else None,
                )
        finally:
            context.unbind(token)
        ids.append(event.id)
    return ids


def db_time(value: datetime) -> Any:
    """A datetime as this database stores it (SQLite: text, PostgreSQL: timestamptz)."""
    return AuditEvent._meta.get_field("at").get_db_prep_value(value, connection)


def event_row(event_id: int) -> tuple[object, ...]:
    return tuple(AuditEvent.objects.filter(pk=event_id).values_list(*EVENT_FIELDS).get())


@contextmanager
def tampering() -> Iterator[Any]:
    """A raw cursor that may change the audit tables; everything is undone at the end.

    On PostgreSQL the append-only triggers of migration 0002 refuse UPDATE and
    DELETE, so they are disabled first, as a table owner could. ``DISABLE TRIGGER
    ALL`` also switches off the foreign-key triggers, so an event can be deleted
    while its leaf still points to it; pending deferred checks are fired first
    because PostgreSQL refuses to alter a table that has some.

    On SQLite the foreign keys are ``DEFERRABLE INITIALLY DEFERRED`` and only
    checked at COMMIT, which a test transaction never reaches; ``PRAGMA
    foreign_keys = OFF`` (``connection.constraint_checks_disabled()``) would be a
    no-op here anyway, inside the test's transaction.

    The savepoint is rolled back afterwards, so the test database's own
    constraint check at teardown never sees an orphaned leaf.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in AUDIT_TABLES:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER ALL")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        yield cursor
        transaction.set_rollback(True)


def problem_kinds(report: Report) -> list[str]:
    return [problem.kind for problem in report.problems]


@dataclass
class Log:
    ids: list[int]  # ids[k] is the event at leaf position k
    heads: list[TreeHead]
    actor: Any
    cell: Any

    def range_start(self, head_number: int) -> int:
        """The first event sealed under the given head (0-based)."""
        start = self.heads[head_number - 1].tree_size if head_number else 0
        return self.ids[start]


@pytest.fixture
def log(db: None) -> Log:
    """Twelve events under three signed heads, of sizes 5, 9 and 12."""
    cell = CellFactory(code="KHI")
    actor = make_staff(Role.CELL_HEAD, cell)
    ids: list[int] = []
    heads: list[TreeHead] = []
    for count in (5, 4, 3):
        ids += record(count, actor=actor, cell=cell)
        head = seal_pending()
        assert head is not None
        heads.append(head)
    assert [h.tree_size for h in heads] == [5, 9, 12]
    assert list(AuditLeaf.objects.order_by("index").values_list("event_id", flat=True)) == ids
    return Log(ids, heads, actor, cell)


# ---------------------------------------------------------------------------
# Leaf bytes: the format the whole tree commits to, pinned byte for byte


def test_leaf_bytes_known_answer() -> None:
    at = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
    expected_micros = calendar.timegm((2026, 1, 2, 3, 4, 5, 0, 0, 0)) * 1_000_000 + 678_901
    row = (
        42,
        at,
        "auth.login",
        7,
        'Zainab "Z" \\ \u062e\u0627\u0646\n\x00\u2028',
        uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "membership",
        "1001",
        "abc123",
        "2001:db8::1",
        '{"n":1}',
    )
    expected = (
        '["crisiscell-audit-leaf-v1",5,42,'
        + str(expected_micros)
        + ',"auth.login",7,"Zainab \\"Z\\" \\\\ \u062e\u0627\u0646\\n\\u0000\u2028",'
        '"12345678123456781234567812345678","membership","1001","abc123","2001:db8::1",'
        '"{\\"n\\":1}"]'
    ).encode("utf-8")
    assert leaf_bytes(5, row) == expected
    # The same instant in another time zone, and the cell id as stored text.
    karachi = at.astimezone(ZoneInfo("Asia/Karachi"))
    assert leaf_bytes(5, (row[0], karachi, *row[2:5], row[5].hex, *row[6:])) == expected
    nobody = (1, at, "auth.login", None, "system", None, "", "", "", None, "")
    assert (
        leaf_bytes(0, nobody)
        == (
            f'["crisiscell-audit-leaf-v1",0,1,{expected_micros},"auth.login",null,"system",null,"","","",null,""]'
        ).encode()
    )
    with pytest.raises(TypeError, match="must be a datetime"):
        leaf_bytes(0, (1, None, *nobody[2:]))


_TEXT = st.text(max_size=40)
# Hypothesis takes naive bounds and attaches the time zone itself.
_NAIVE_MIN, _NAIVE_MAX = datetime(1971, 1, 1), datetime(2200, 1, 1)  # noqa: DTZ001


@settings(max_examples=150, deadline=None)
@given(
    index=st.integers(min_value=0, max_value=2**62),
    event_id=st.integers(min_value=1, max_value=2**62),
    at=st.datetimes(min_value=_NAIVE_MIN, max_value=_NAIVE_MAX, timezones=st.just(UTC)),
    actor_id=st.none() | st.integers(min_value=1, max_value=2**62),
    cell=st.none() | st.uuids(),
    texts=st.tuples(_TEXT, _TEXT, _TEXT, _TEXT, _TEXT, _TEXT),
    client_ip=st.none() | st.ip_addresses().map(str),
)
def test_leaf_bytes_are_the_documented_json(index, event_id, at, actor_id, cell, texts, client_ip) -> None:
    action, label, object_type, object_ref, request_id, details = texts
    row = (
        event_id,
        at,
        action,
        actor_id,
        label,
        cell,
        object_type,
        object_ref,
        request_id,
        client_ip,
        details,
    )
    micros = (at - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
    documented = json.dumps(
        [
            "crisiscell-audit-leaf-v1",
            index,
            event_id,
            micros,
            action,
            actor_id,
            label,
            cell.hex if cell else None,
            object_type,
            object_ref,
            request_id,
            client_ip,
            details,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")
    assert leaf_bytes(index, row) == documented
    # The verifier's batch form gives the same bytes, also for the stored cell text.
    stored_row = (*row[:5], cell.hex if cell else None, *row[6:])
    batch = leaf_bytes_columns([index, index + 1], list(zip(row, stored_row, strict=True)))
    assert batch == [documented, leaf_bytes(index + 1, row)]


# ---------------------------------------------------------------------------
# An intact log


def test_an_intact_log_verifies(log: Log) -> None:
    report = verify_log()
    assert report.ok, report.problems
    assert report.first_problem is None
    assert (report.events_checked, report.heads_checked, report.unsealed) == (12, 3, 0)


def test_events_awaiting_their_seal_are_not_a_problem(log: Log) -> None:
    record(2, actor=log.actor)
    report = verify_log()
    assert report.ok, report.problems
    assert (report.events_checked, report.unsealed) == (12, 2)


def test_an_empty_log_verifies(db: None) -> None:
    report = verify_log()
    assert report.ok
    assert (report.events_checked, report.heads_checked, report.unsealed) == (0, 0, 0)


def test_verification_uses_the_keys_it_is_given(log: Log) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    stranger = Ed25519PrivateKey.generate().public_key()
    report = verify_log(public_keys={log.heads[0].key_id: stranger})
    assert problem_kinds(report) == ["signature"] * 3


# ---------------------------------------------------------------------------
# Altered events


@pytest.mark.parametrize(
    ("column", "new_value"),
    [
        ("action", lambda event: "auth.logout" if event.action != "auth.logout" else "auth.login"),
        ("at", lambda event: db_time(event.at + timedelta(microseconds=1))),
        ("at", lambda event: db_time(event.at - timedelta(days=3))),
        ("actor_label", lambda event: "someone-else"),
        ("actor_id", lambda event: None),
        ("cell_id", lambda event: None),
        ("object_ref", lambda event: "9999"),
        ("client_ip", lambda event: "198.51.100.1"),
        ("details", lambda event: '{"n":0}'),
    ],
)
def test_an_altered_event_is_named(log: Log, column: str, new_value: Any) -> None:
    target = log.ids[6]  # under the second head
    event = AuditEvent.objects.get(pk=target)
    with tampering() as sql:
        sql.execute(f"UPDATE audit_auditevent SET {column} = %s WHERE id = %s", [new_value(event), target])
        report = verify_log()
    assert not report.ok
    first = report.first_problem
    assert first is not None
    assert (first.kind, first.event_id) == ("altered", target)
    assert f"#{target}" in first.message
    # The recomputed tree no longer matches the heads that cover the event.
    assert problem_kinds(report) == ["altered", "root", "root"]


def test_an_altered_stored_leaf_hash_is_named(log: Log) -> None:
    target = log.ids[0]
    with tampering() as sql:
        sql.execute(
            "UPDATE audit_auditleaf SET leaf_hash = %s WHERE event_id = %s",
            [secrets.token_bytes(32), target],
        )
        report = verify_log()
    assert report.first_problem is not None
    assert (report.first_problem.kind, report.first_problem.event_id) == ("altered", target)


# ---------------------------------------------------------------------------
# Deleted events


def test_a_deleted_event_and_its_leaf_are_noticed(log: Log) -> None:
    gone, after = log.ids[3], log.ids[4]
    with tampering() as sql:
        sql.execute("DELETE FROM audit_auditleaf WHERE event_id = %s", [gone])
        sql.execute("DELETE FROM audit_auditevent WHERE id = %s", [gone])
        report = verify_log()
    first = report.first_problem
    assert first is not None
    assert first.kind == "deleted"
    # The deleted event is gone; the report names the event right after the gap.
    assert first.event_id == after
    assert "position 3 is missing" in first.message
    assert f"#{after}" in first.message
    assert "root" in problem_kinds(report)


def test_a_deleted_event_whose_leaf_stays_is_noticed(log: Log) -> None:
    gone, after = log.ids[7], log.ids[8]
    with tampering() as sql:
        sql.execute("DELETE FROM audit_auditevent WHERE id = %s", [gone])
        # The leaf row still points at the vanished event.
        sql.execute("SELECT COUNT(*) FROM audit_auditleaf WHERE event_id = %s", [gone])
        assert sql.fetchone()[0] == 1
        report = verify_log()
    first = report.first_problem
    assert first is not None
    # The orphaned leaf still names the event that was deleted.
    assert (first.kind, first.event_id) == ("deleted", gone)
    assert "position 7 was deleted (its leaf remains)" in first.message
    assert after not in {p.event_id for p in report.problems if p.kind == "deleted"}


def test_deleting_the_first_sealed_event_is_noticed(log: Log) -> None:
    with tampering() as sql:
        sql.execute("DELETE FROM audit_auditleaf WHERE event_id = %s", [log.ids[0]])
        sql.execute("DELETE FROM audit_auditevent WHERE id = %s", [log.ids[0]])
        report = verify_log()
    assert report.first_problem is not None
    assert (report.first_problem.kind, report.first_problem.event_id) == ("deleted", log.ids[1])


def test_deleting_the_newest_sealed_events_is_noticed(log: Log) -> None:
    with tampering() as sql:
        for gone in log.ids[-2:]:
            sql.execute("DELETE FROM audit_auditleaf WHERE event_id = %s", [gone])
            sql.execute("DELETE FROM audit_auditevent WHERE id = %s", [gone])
        report = verify_log()
    assert problem_kinds(report) == ["deleted"]
    assert report.problems[0].event_id is None
    assert "size 12 covers more events than remain (10)" in report.problems[0].message


# ---------------------------------------------------------------------------
# Inserted events and leaves


def _leave_a_hole(log: Log) -> int:
    """Seal one more event whose id is well above the others: a sequence gap.

    PostgreSQL sequences leave such gaps after every rolled-back insert. Returns
    an id inside the hole, i.e. inside the sealed range but never used.
    """
    top = log.ids[-1] + 1_000
    AuditEvent.objects.create(id=top, at=timezone.now(), action="auth.login", actor_label="x")
    head = seal_pending()
    assert head is not None
    assert head.max_event_id == top
    log.heads.append(head)
    return log.ids[-1] + 500


def test_an_event_inserted_inside_the_sealed_range_is_named(log: Log) -> None:
    hole = _leave_a_hole(log)
    old = log.heads[-1].signed_at - django_settings.CRISISCELL_SEAL_GRACE - timedelta(minutes=1)
    with tampering() as sql:
        sql.execute(
            "INSERT INTO audit_auditevent (id, at, action, actor_id, actor_label, cell_id, "
            "object_type, object_ref, request_id, client_ip, details) "
            "VALUES (%s, %s, %s, %s, %s, NULL, '', '', '', NULL, '')",
            [hole, db_time(old), "auth.login", log.actor.pk, log.actor.username],
        )
        report = verify_log()
    assert problem_kinds(report) == ["inserted"]
    first = report.first_problem
    assert first is not None
    assert first.event_id == hole
    assert f"#{hole}" in first.message
    assert report.unsealed == 1


def test_a_recent_unsealed_event_inside_the_range_is_only_awaiting_its_seal(log: Log) -> None:
    """Within the grace period it cannot be told from a transaction that committed late."""
    hole = _leave_a_hole(log)
    recent = log.heads[-1].signed_at - django_settings.CRISISCELL_SEAL_GRACE + timedelta(minutes=1)
    AuditEvent.objects.create(id=hole, at=recent, action="auth.login", actor_label="x")
    report = verify_log()
    assert report.ok, report.problems
    assert report.unsealed == 1


def _splice_leaf(sql: Any, position: int, event_id: int) -> None:
    """Insert a leaf at ``position``, moving every later leaf one place on."""
    # Two steps through negative numbers, so no intermediate state repeats a key.
    sql.execute('UPDATE audit_auditleaf SET "index" = -"index" - 1 WHERE "index" >= %s', [position])
    sql.execute('UPDATE audit_auditleaf SET "index" = -"index" WHERE "index" < 0')
    forged = merkle.leaf_hash(leaf_bytes(position, event_row(event_id)))
    sql.execute(
        'INSERT INTO audit_auditleaf ("index", event_id, leaf_hash) VALUES (%s, %s, %s)',
        [position, event_id, forged],
    )


def test_an_inserted_leaf_shifting_later_positions_is_noticed(log: Log) -> None:
    (extra,) = record(1, actor=log.actor)
    with tampering() as sql:
        _splice_leaf(sql, 6, extra)
        report = verify_log()
    first = report.first_problem
    assert first is not None
    # The spliced leaf itself hashes correctly; the event it pushed along does not.
    assert (first.kind, first.event_id) == ("altered", log.ids[6])
    assert "position 7" in first.message


def test_an_inserted_leaf_with_every_later_hash_recomputed_breaks_the_signed_root(
    log: Log,
) -> None:
    (extra,) = record(1, actor=log.actor)
    with tampering() as sql:
        _splice_leaf(sql, 6, extra)
        # A careful forger also rewrites every stored hash after the splice.
        sql.execute('SELECT "index", event_id FROM audit_auditleaf WHERE "index" > 6')
        for index, event_id in sql.fetchall():
            sql.execute(
                'UPDATE audit_auditleaf SET leaf_hash = %s WHERE "index" = %s',
                [merkle.leaf_hash(leaf_bytes(index, event_row(event_id))), index],
            )
        report = verify_log()
    # Every stored hash now agrees with its event; the signed roots disagree from the
    # head that covers the splice onwards, and the pushed-out last leaf is unsigned.
    assert problem_kinds(report) == ["root", "root", "unsigned"]
    first = report.first_problem
    assert first is not None
    assert first.event_id == log.range_start(1)
    assert "size 9" in first.message


# ---------------------------------------------------------------------------
# Reordered events


def test_swapping_two_sealed_events_contents_is_noticed(log: Log) -> None:
    a, b = log.ids[2], log.ids[7]
    columns = ", ".join(CONTENT_COLUMNS)
    assignments = ", ".join(f"{c} = %s" for c in CONTENT_COLUMNS)
    with tampering() as sql:
        sql.execute(f"SELECT {columns} FROM audit_auditevent WHERE id = %s", [a])
        row_a = sql.fetchone()
        sql.execute(f"SELECT {columns} FROM audit_auditevent WHERE id = %s", [b])
        row_b = sql.fetchone()
        assert row_a != row_b
        sql.execute(f"UPDATE audit_auditevent SET {assignments} WHERE id = %s", [*row_b, a])
        sql.execute(f"UPDATE audit_auditevent SET {assignments} WHERE id = %s", [*row_a, b])
        report = verify_log()
    altered = [p.event_id for p in report.problems if p.kind == "altered"]
    assert altered == [a, b]
    assert report.first_problem is not None
    assert report.first_problem.event_id == a


def test_swapping_the_positions_of_two_leaves_is_noticed(log: Log) -> None:
    i, j = 2, 7
    with tampering() as sql:
        sql.execute('UPDATE audit_auditleaf SET "index" = -1 WHERE "index" = %s', [i])
        sql.execute('UPDATE audit_auditleaf SET "index" = %s WHERE "index" = %s', [i, j])
        sql.execute('UPDATE audit_auditleaf SET "index" = %s WHERE "index" = -1', [j])
        report = verify_log()
    # Position i now holds the event sealed at j, whose leaf committed to index j.
    altered = [p.event_id for p in report.problems if p.kind == "altered"]
    assert altered == [log.ids[j], log.ids[i]]
    assert report.first_problem is not None
    assert report.first_problem.event_id == log.ids[j]


def test_pointing_two_leaves_at_each_others_events_is_noticed(log: Log) -> None:
    i, j = 4, 5  # across the boundary of the first two heads
    with tampering() as sql:
        # Through a placeholder, since a leaf's event is unique.
        sql.execute('UPDATE audit_auditleaf SET event_id = %s WHERE "index" = %s', [-1, i])
        sql.execute('UPDATE audit_auditleaf SET event_id = %s WHERE "index" = %s', [log.ids[i], j])
        sql.execute('UPDATE audit_auditleaf SET event_id = %s WHERE "index" = %s', [log.ids[j], i])
        report = verify_log()
    altered = [p.event_id for p in report.problems if p.kind == "altered"]
    assert altered == [log.ids[j], log.ids[i]]
    assert report.first_problem is not None
    assert (report.first_problem.kind, report.first_problem.event_id) == ("altered", log.ids[j])


# ---------------------------------------------------------------------------
# Tree heads


def _head_id(log: Log, number: int) -> int:
    return log.heads[number].pk


def test_a_forged_signature_is_noticed(log: Log) -> None:
    with tampering() as sql:
        sql.execute(
            "UPDATE audit_treehead SET signature = %s WHERE id = %s",
            [secrets.token_bytes(64), _head_id(log, 1)],
        )
        report = verify_log()
    assert problem_kinds(report) == ["signature"]
    assert "size 9" in report.problems[0].message


def test_a_signature_copied_from_another_head_is_noticed(log: Log) -> None:
    with tampering() as sql:
        sql.execute(
            "UPDATE audit_treehead SET signature = %s WHERE id = %s",
            [bytes(log.heads[0].signature), _head_id(log, 2)],
        )
        report = verify_log()
    assert problem_kinds(report) == ["signature"]
    assert "size 12" in report.problems[0].message


def test_a_head_naming_an_unknown_key_is_noticed(log: Log) -> None:
    with tampering() as sql:
        sql.execute(
            "UPDATE audit_treehead SET key_id = %s WHERE id = %s",
            ["sk-0000000000000000", _head_id(log, 0)],
        )
        report = verify_log()
    assert problem_kinds(report) == ["signature"]
    assert "unknown key" in report.problems[0].message


def test_a_head_whose_size_was_changed_is_noticed(log: Log) -> None:
    with tampering() as sql:
        sql.execute("UPDATE audit_treehead SET tree_size = 7 WHERE id = %s", [_head_id(log, 0)])
        report = verify_log()
    assert report.first_problem is not None
    assert report.first_problem.kind == "signature"
    assert "root" in problem_kinds(report)


def test_a_replaced_root_is_noticed(log: Log) -> None:
    with tampering() as sql:
        sql.execute(
            "UPDATE audit_treehead SET root_hash = %s WHERE id = %s",
            [secrets.token_bytes(32), _head_id(log, 1)],
        )
        report = verify_log()
    assert problem_kinds(report) == ["signature", "root"]
    root = report.problems[1]
    assert root.event_id == log.range_start(1)
    assert "size 9" in root.message


def test_a_replaced_root_re_signed_with_the_real_key_is_still_noticed(log: Log) -> None:
    """Even someone holding the signing key cannot make a head agree with other events."""
    head = log.heads[1]
    signing = load_keyring().active_signing_key
    fake_root = secrets.token_bytes(32)
    signature = signing.private_key.sign(tree_head_message(head.tree_size, fake_root, head.signed_at, head.key_id))
    with tampering() as sql:
        sql.execute(
            "UPDATE audit_treehead SET root_hash = %s, signature = %s WHERE id = %s",
            [fake_root, signature, head.pk],
        )
        report = verify_log()
    assert problem_kinds(report) == ["root"]
    assert report.problems[0].event_id == log.range_start(1)


# ---------------------------------------------------------------------------
# The verifier reads the log in chunks: the chunk size must change nothing


def _tamper_nothing(sql: Any, log: Log) -> None:
    pass


def _tamper_many(sql: Any, log: Log) -> None:
    sql.execute("UPDATE audit_auditevent SET actor_label = 'x' WHERE id IN (%s, %s)", log.ids[1:3])
    sql.execute("DELETE FROM audit_auditleaf WHERE event_id = %s", [log.ids[5]])
    sql.execute("DELETE FROM audit_auditevent WHERE id = %s", [log.ids[5]])
    sql.execute('UPDATE audit_auditleaf SET "index" = -1 WHERE "index" = 9')
    sql.execute('UPDATE audit_auditleaf SET "index" = 9 WHERE "index" = 10')
    sql.execute('UPDATE audit_auditleaf SET "index" = 10 WHERE "index" = -1')


def _tamper_the_end(sql: Any, log: Log) -> None:
    sql.execute("DELETE FROM audit_auditleaf WHERE event_id = %s", [log.ids[-1]])
    sql.execute("UPDATE audit_treehead SET signature = %s WHERE id = %s", [b"x" * 64, log.heads[0].pk])


@pytest.mark.parametrize("tamper", [_tamper_nothing, _tamper_many, _tamper_the_end])
@pytest.mark.parametrize("max_problems", [1, 3, 20])
def test_the_report_does_not_depend_on_the_chunk_size(
    log: Log, monkeypatch: pytest.MonkeyPatch, tamper: Any, max_problems: int
) -> None:
    record(2, actor=log.actor)  # unsealed, after the sealed range
    with tampering() as sql:
        tamper(sql, log)
        reports = {}
        for chunk in (1, 2, 4, 5, 9, 1_000):
            monkeypatch.setattr(verification, "_CHUNK", chunk)
            reports[chunk] = verify_log(max_problems=max_problems)
    reference = reports.pop(1_000)
    assert reference.unsealed == 2 + (tamper is _tamper_the_end)
    for chunk, report in reports.items():
        assert report == reference, chunk


def test_an_event_time_that_is_not_a_time(log: Log) -> None:
    """SQLite stores any text; the verifier reports such a row instead of crashing.
    PostgreSQL's timestamptz refuses the value outright."""
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), tampering() as sql:
            sql.execute("UPDATE audit_auditevent SET at = 'not a time' WHERE id = %s", [log.ids[4]])
        return
    with tampering() as sql:
        sql.execute("UPDATE audit_auditevent SET action = 'x' WHERE id = %s", [log.ids[2]])
        sql.execute("UPDATE audit_auditevent SET at = 'not a time' WHERE id = %s", [log.ids[4]])
        limited = verify_log(max_problems=1)
        full = verify_log()
    # Stopping at the limit, the verifier never reaches the bad row;
    assert [(p.kind, p.event_id) for p in limited.problems] == [("altered", log.ids[2])]
    assert limited.events_checked == 3
    # without a limit, it names it and goes on to the end.
    assert ("altered", log.ids[4]) in [(p.kind, p.event_id) for p in full.problems]
    assert full.events_checked == 12


# ---------------------------------------------------------------------------
# The audit_verify command


def test_audit_verify_passes_on_an_intact_log_and_records_itself(log: Log) -> None:
    out = io.StringIO()
    call_command("audit_verify", stdout=out, stderr=io.StringIO())
    assert "Checked 12 sealed events under 3 signed tree heads" in out.getvalue()
    assert "OK: the audit log is intact." in out.getvalue()
    verified = AuditEvent.objects.get(action="audit.verified")
    assert verified.details_dict() == {"events": 12, "ok": True}


def test_audit_verify_no_record(log: Log) -> None:
    call_command("audit_verify", "--no-record", stdout=io.StringIO())
    assert not AuditEvent.objects.filter(action="audit.verified").exists()


def test_audit_verify_fails_naming_the_event(log: Log) -> None:
    target = log.ids[4]
    out, err = io.StringIO(), io.StringIO()
    with tampering() as sql:
        sql.execute("UPDATE audit_auditevent SET actor_label = %s WHERE id = %s", ["nobody", target])
        with pytest.raises(SystemExit) as exit_info:
            call_command("audit_verify", stdout=out, stderr=err)
        # The failed verification is itself on record.
        verified = AuditEvent.objects.get(action="audit.verified")
        assert verified.details_dict() == {"events": 12, "ok": False}
    assert exit_info.value.code == 1
    assert "OK" not in out.getvalue()
    assert f"FAIL [altered] Event #{target} " in err.getvalue()


# ---------------------------------------------------------------------------
# The audit_proof command


def _check_bundle(bundle: dict[str, Any], expected_ids: list[int]) -> None:
    head = bundle["tree_head"]
    root = bytes.fromhex(head["root_hash_hex"])
    # The signature, checked the way an outside verifier would: with the PEM in the
    # bundle and the documented message layout, not with crisiscell's code.
    (pem,) = bundle["public_keys_pem"].values()
    assert list(bundle["public_keys_pem"]) == [head["key_id"]]
    public = load_pem_public_key(pem.encode("ascii"))
    assert isinstance(public, Ed25519PublicKey)
    message = b"\n".join(
        [
            b"crisiscell-audit-tree-head-v1",
            str(head["tree_size"]).encode(),
            head["root_hash_hex"].encode(),
            str(head["signed_at_micros"]).encode(),
            head["key_id"].encode(),
        ]
    )
    signature = base64.b64decode(head["signature_b64"])
    public.verify(signature, message)
    with pytest.raises(InvalidSignature):
        public.verify(signature, message.replace(b"\n", b"\n1", 1))

    assert [p["event_id"] for p in bundle["proofs"]] == expected_ids
    for proof in bundle["proofs"]:
        data = base64.b64decode(proof["leaf_bytes_b64"])
        decoded = json.loads(data)
        assert decoded[:3] == ["crisiscell-audit-leaf-v1", proof["leaf_index"], proof["event_id"]]
        path = [bytes.fromhex(h) for h in proof["audit_path_hex"]]
        hashed = merkle.leaf_hash(data)
        assert merkle.verify_inclusion(hashed, proof["leaf_index"], head["tree_size"], path, root)
        assert not merkle.verify_inclusion(
            merkle.leaf_hash(data + b" "), proof["leaf_index"], head["tree_size"], path, root
        )


def test_audit_proof_prints_a_verifiable_bundle(log: Log) -> None:
    wanted = [log.ids[0], log.ids[6], log.ids[11]]
    out = io.StringIO()
    call_command("audit_proof", *map(str, wanted), stdout=out)
    bundle = json.loads(out.getvalue())
    assert bundle["tree_head"]["tree_size"] == 12
    _check_bundle(bundle, wanted)
    # The leaf bytes are exactly what the sealer hashed.
    for proof in bundle["proofs"]:
        leaf = AuditLeaf.objects.get(event_id=proof["event_id"])
        assert merkle.leaf_hash(base64.b64decode(proof["leaf_bytes_b64"])) == bytes(leaf.leaf_hash)
    issued = AuditEvent.objects.get(action="audit.proof_issued")
    assert issued.object_ref == ",".join(map(str, wanted))


def test_audit_proof_for_every_event_of_an_odd_sized_log(log: Log) -> None:
    record(2, actor=log.actor)
    seal_all()
    sealed = list(AuditLeaf.objects.order_by("index").values_list("event_id", flat=True))
    out = io.StringIO()
    call_command("audit_proof", *map(str, sealed), stdout=out)
    bundle = json.loads(out.getvalue())
    assert bundle["tree_head"]["tree_size"] == 14
    _check_bundle(bundle, sealed)


def test_audit_proof_refuses_an_unsealed_event(log: Log) -> None:
    (pending,) = record(1)
    with pytest.raises(CommandError, match=f"#{pending} is not sealed"):
        call_command("audit_proof", str(pending), stdout=io.StringIO())


# ---------------------------------------------------------------------------
# Sealing


def _stored_hashes() -> list[bytes]:
    return [bytes(h) for h in AuditLeaf.objects.order_by("index").values_list("leaf_hash", flat=True)]


def _assert_heads_match_leaves() -> None:
    hashes = _stored_hashes()
    heads = list(TreeHead.objects.order_by("tree_size"))
    for head in heads:
        root = bytes(head.root_hash)
        assert root == merkle.subtree_root(hashes, head.tree_size)
        assert merkle.Frontier.from_hex(head.tree_size, head.frontier).root() == root
    for older, newer in itertools.pairwise(heads):
        proof = merkle.consistency_proof(hashes, older.tree_size, newer.tree_size)
        assert merkle.verify_consistency(
            older.tree_size, newer.tree_size, bytes(older.root_hash), bytes(newer.root_hash), proof
        )
    for index, event_id, stored in AuditLeaf.objects.values_list("index", "event_id", "leaf_hash"):
        assert bytes(stored) == merkle.leaf_hash(leaf_bytes(index, event_row(event_id)))


def test_sealing_nothing_writes_no_head(db: None) -> None:
    assert seal_pending() is None
    assert seal_all() == 0
    assert not TreeHead.objects.exists()


def test_sealing_is_incremental(db: None) -> None:
    first = record(5)
    head = seal_pending()
    assert head is not None
    assert (head.tree_size, head.max_event_id) == (5, first[-1])
    assert seal_pending() is None
    before = dict(AuditLeaf.objects.values_list("index", "leaf_hash"))

    second = record(7)
    sizes = []
    while (head := seal_pending(limit=3)) is not None:
        sizes.append(head.tree_size)
        assert head.max_event_id == second[head.tree_size - 6]
    assert sizes == [8, 11, 12]
    assert TreeHead.objects.count() == 4

    # Earlier leaves were left exactly as they were; new ones follow in id order.
    after = dict(AuditLeaf.objects.values_list("index", "leaf_hash"))
    assert {i: after[i] for i in before} == before
    order = list(AuditLeaf.objects.order_by("index").values_list("event_id", flat=True))
    assert order == first + second
    _assert_heads_match_leaves()
    assert verify_log().ok


def test_seal_all_seals_in_batches(db: None) -> None:
    record(7)
    assert seal_all(batch=3) == 3
    assert list(TreeHead.objects.values_list("tree_size", flat=True)) == [3, 6, 7]
    assert seal_all() == 0
    _assert_heads_match_leaves()
    assert verify_log().ok


def test_an_event_committed_late_with_a_lower_id_is_still_sealed(db: None) -> None:
    """A transaction that took its id early but committed after later ids were sealed.

    On PostgreSQL an event's id comes from the sequence when it is inserted, but the
    row is visible only when its transaction commits; a slow transaction can commit
    id 41 after id 42 was committed and sealed. Two such transactions cannot
    interleave inside one test transaction (nor on SQLite, which has one writer),
    so the test leaves a hole in the ids, seals past it, then commits the slow
    event into the hole, with the time at which it was recorded: before the other.
    ``test_a_real_late_commit_is_sealed`` runs the same race with two real
    connections on PostgreSQL.
    """
    early = record(3)
    slow_id, fast_id = early[-1] + 1, early[-1] + 2
    recorded_at = timezone.now()
    AuditEvent.objects.create(id=fast_id, at=timezone.now(), action="auth.login", actor_label="fast")
    head = seal_pending()
    assert head is not None
    assert (head.tree_size, head.max_event_id) == (4, fast_id)
    assert verify_log().ok

    AuditEvent.objects.create(id=slow_id, at=recorded_at, action="auth.logout", actor_label="slow")
    report = verify_log()
    assert report.ok
    assert report.unsealed == 1

    head = seal_pending()
    assert head is not None
    assert head.tree_size == 5
    assert head.max_event_id == fast_id
    assert AuditLeaf.objects.get(event_id=slow_id).index == 4
    _assert_heads_match_leaves()
    report = verify_log()
    assert report.ok, report.problems
    assert (report.events_checked, report.unsealed) == (5, 0)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_late_commit_is_sealed() -> None:
    """Two connections: the slower transaction takes the lower id and commits last.

    SQLite has a single writer, so there a second writer cannot even begin while the
    first transaction is open (which is why ids commit in order there); PostgreSQL
    lets the faster transaction commit first, and the sealer must still seal both.
    """
    if connection.vendor == "sqlite":
        _assert_sqlite_has_a_single_writer()
        return
    inserted, release = threading.Event(), threading.Event()
    slow: dict[str, int] = {}

    def slow_transaction() -> None:
        try:
            with transaction.atomic():
                slow["id"] = audit_record(action="auth.login", actor=None).id
                inserted.set()
                release.wait(10)
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=slow_transaction)
    thread.start()
    try:
        assert inserted.wait(10)
        with transaction.atomic():
            fast = audit_record(action="auth.logout", actor=None).id
        assert fast > slow["id"]
        head = seal_pending()
        assert head is not None
        assert (head.tree_size, head.max_event_id) == (1, fast)
    finally:
        release.set()
        thread.join(10)
    head = seal_pending()
    assert head is not None
    assert (head.tree_size, head.max_event_id) == (2, fast)
    assert AuditLeaf.objects.get(event_id=slow["id"]).index == 1
    _assert_heads_match_leaves()
    report = verify_log()
    assert report.ok, report.problems
    assert report.unsealed == 0


def _assert_sqlite_has_a_single_writer() -> None:
    import sqlite3

    name = connection.settings_dict["NAME"]
    with transaction.atomic():
        audit_record(action="auth.login", actor=None)
        other = sqlite3.connect(name, timeout=0.2)
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        finally:
            other.close()


# ---------------------------------------------------------------------------
# Beyond the database: anchors, unsigned leaves, events the sealer cannot reach


@pytest.fixture
def anchored_log(db: None, django_capture_on_commit_callbacks: Any) -> list[int]:
    """Three sealed heads whose anchors were written, as the real sealer does after commit."""
    ids = []
    for _ in range(3):
        ids += record(3)
        with django_capture_on_commit_callbacks(execute=True):
            seal_pending()
    return ids


def test_anchors_are_written_outside_the_database(anchored_log: list[int]) -> None:
    from crisiscell.audit.sealing import read_anchors

    assert [a["tree_size"] for a in read_anchors()] == [3, 6, 9]
    assert verify_log().ok


def test_removing_the_newest_events_with_their_heads_is_noticed(anchored_log: list[int]) -> None:
    with tampering() as sql:
        newest = anchored_log[-3:]
        sql.execute("DELETE FROM audit_treehead WHERE tree_size = 9")
        for event_id in newest:
            sql.execute("DELETE FROM audit_auditleaf WHERE event_id = %s", [event_id])
            sql.execute("DELETE FROM audit_auditevent WHERE id = %s", [event_id])
        report = verify_log()
    assert problem_kinds(report) == ["anchor"]
    assert "size 9" in report.problems[0].message


def test_emptying_the_log_is_noticed(anchored_log: list[int]) -> None:
    with tampering() as sql:
        for table in ("audit_treehead", "audit_auditleaf", "audit_auditevent"):
            sql.execute(f"DELETE FROM {table}")
        report = verify_log()
    assert problem_kinds(report) == ["anchor"]


def test_a_leaf_beyond_the_last_signed_head_is_noticed(log: Log) -> None:
    (extra,) = record(1, actor=log.actor)
    size = log.heads[-1].tree_size
    with tampering() as sql:
        sql.execute(
            'INSERT INTO audit_auditleaf ("index", event_id, leaf_hash) VALUES (%s, %s, %s)',
            [size, extra, merkle.leaf_hash(leaf_bytes(size, event_row(extra)))],
        )
        report = verify_log()
    assert problem_kinds(report) == ["unsigned"]


def test_an_event_the_sealer_can_never_reach_is_noticed(log: Log, monkeypatch: pytest.MonkeyPatch) -> None:
    """An event given an id far below the sealed range, with an honest-looking time."""
    monkeypatch.setattr(verification, "LOOKBACK", 2)
    forged = AuditEvent.objects.create(id=-5, at=timezone.now(), action="auth.login", actor_label="forged")
    report = verify_log()
    assert [(p.kind, p.event_id) for p in report.problems] == [("inserted", forged.id)]


def test_an_unsealed_event_dated_in_the_future_is_noticed(log: Log) -> None:
    forged = AuditEvent.objects.create(at=timezone.now() + timedelta(days=30), action="auth.login", actor_label="x")
    report = verify_log()
    assert [(p.kind, p.event_id) for p in report.problems] == [("inserted", forged.id)]
