"""Migration 0002: the append-only triggers on the audit tables.

On PostgreSQL the database itself refuses UPDATE and DELETE on the three audit
tables while INSERT keeps working. On SQLite the migration does nothing: no
trigger exists, the statements go through, and ``audit_verify`` is the only
guard (``test_verification.py`` shows it catching each change). Every test runs
on both databases and asserts what is true on the one it runs on.
"""

# The tampering statements are built from fixed table and column names.
# ruff: noqa: S608

from __future__ import annotations

import importlib
import secrets
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.migrations.recorder import MigrationRecorder

from crisiscell.audit.models import AuditEvent, AuditLeaf, TreeHead
from crisiscell.audit.sealing import seal_pending
from crisiscell.audit.services import audit_record

pytestmark = pytest.mark.postgres_only

MIGRATION = importlib.import_module("crisiscell.audit.migrations.0002_append_only_triggers")
TABLES = ("audit_auditevent", "audit_auditleaf", "audit_treehead")
ON_POSTGRES = connection.vendor == "postgresql"


class _RecordingSchemaEditor:
    """Stands in for a schema editor: records the SQL a migration would run."""

    def __init__(self) -> None:
        self.connection = connection
        self.statements: list[str] = []

    def execute(self, sql: str, params: Any = ()) -> None:
        self.statements.append(sql)


def _sealed_log() -> dict[str, tuple[str, list[Any]]]:
    """Two sealed events; per table, a WHERE clause picking one of its rows."""
    for action in ("auth.login", "auth.logout"):
        with transaction.atomic():
            audit_record(action=action, actor=None)
    head = seal_pending()
    assert head is not None
    event = AuditEvent.objects.order_by("id").first()
    assert event is not None
    return {
        "audit_auditevent": ("id = %s", [event.pk]),
        "audit_auditleaf": ('"index" = %s', [0]),
        "audit_treehead": ("id = %s", [head.pk]),
    }


UPDATES: dict[str, tuple[str, list[Any]]] = {
    "audit_auditevent": ("action = %s", ["auth.logout"]),
    "audit_auditleaf": ("leaf_hash = %s", [secrets.token_bytes(32)]),
    "audit_treehead": ("root_hash = %s", [secrets.token_bytes(32)]),
}


def _user_triggers(cursor: Any) -> list[tuple[str, str, str]]:
    cursor.execute(
        "SELECT c.relname, t.tgname, t.tgenabled FROM pg_trigger t "
        "JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE NOT t.tgisinternal AND c.relname = ANY(%s) ORDER BY c.relname",
        [list(TABLES)],
    )
    return [tuple(row) for row in cursor.fetchall()]


def test_the_migration_creates_triggers_on_postgresql_only(db: None) -> None:
    assert MigrationRecorder(connection).migration_qs.filter(app="audit", name="0002_append_only_triggers").exists()
    forwards, backwards = _RecordingSchemaEditor(), _RecordingSchemaEditor()
    MIGRATION.forwards(None, forwards)
    MIGRATION.backwards(None, backwards)
    with connection.cursor() as cursor:
        if ON_POSTGRES:
            assert len(forwards.statements) == 1 + len(TABLES)
            assert "crisiscell_audit_append_only" in forwards.statements[0]
            for table, sql in zip(TABLES, forwards.statements[1:], strict=True):
                assert sql.startswith(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE")
            assert len(backwards.statements) == len(TABLES) + 1
            installed = [(table, f"{table}_append_only", "O") for table in TABLES]
            assert _user_triggers(cursor) == installed
            # The migration's own SQL, run both ways through a real schema editor
            # (and rolled back with the test).
            with connection.schema_editor() as editor:
                MIGRATION.backwards(None, editor)
                assert _user_triggers(cursor) == []
                MIGRATION.forwards(None, editor)
            assert _user_triggers(cursor) == installed
        else:
            # A no-op: nothing is executed, and no trigger guards the audit tables.
            assert forwards.statements == []
            assert backwards.statements == []
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN (%s, %s, %s)",
                list(TABLES),
            )
            assert cursor.fetchall() == []


@pytest.mark.parametrize("table", TABLES)
def test_update_is_refused_on_postgresql(db: None, table: str) -> None:
    where, where_params = _sealed_log()[table]
    assignment, params = UPDATES[table]
    sql = f"UPDATE {table} SET {assignment} WHERE {where}"
    with connection.cursor() as cursor:
        if ON_POSTGRES:
            refused = f"append-only: UPDATE on {table} refused"
            with pytest.raises(DatabaseError, match=refused), transaction.atomic():
                cursor.execute(sql, [*params, *where_params])
            # Even a statement that matches every row.
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
                cursor.execute(f"UPDATE {table} SET {assignment}", params)
        else:
            with transaction.atomic():
                cursor.execute(sql, [*params, *where_params])
                assert cursor.rowcount == 1  # nothing at the database level stops it
                transaction.set_rollback(True)


@pytest.mark.parametrize("table", TABLES)
def test_delete_is_refused_on_postgresql(db: None, table: str) -> None:
    where, where_params = _sealed_log()[table]
    before = {t: _count(t) for t in TABLES}
    with connection.cursor() as cursor:
        if ON_POSTGRES:
            refused = f"append-only: DELETE on {table} refused"
            with pytest.raises(DatabaseError, match=refused), transaction.atomic():
                cursor.execute(f"DELETE FROM {table} WHERE {where}", where_params)
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
                cursor.execute(f"DELETE FROM {table}")
            assert {t: _count(t) for t in TABLES} == before
        else:
            # The foreign keys are deferred to COMMIT, so only the trigger could have
            # refused this at once; there is none.
            with transaction.atomic():
                cursor.execute(f"DELETE FROM {table} WHERE {where}", where_params)
                assert cursor.rowcount == 1
                assert _count(table) == before[table] - 1
                transaction.set_rollback(True)


def test_insert_still_works(db: None) -> None:
    _sealed_log()
    with transaction.atomic():
        event = audit_record(action="audit.log_viewed", actor=None, object_ref="7")
    head = seal_pending()
    assert head is not None
    assert head.tree_size == 3
    assert AuditLeaf.objects.get(event=event).index == 2
    assert (AuditEvent.objects.count(), AuditLeaf.objects.count(), TreeHead.objects.count()) == (
        3,
        3,
        2,
    )


def _count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        row = cursor.fetchone()
    assert row is not None
    return int(row[0])
