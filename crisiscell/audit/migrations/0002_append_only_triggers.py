"""On PostgreSQL, refuse UPDATE and DELETE on the audit tables at the database itself.

The application never updates or deletes audit rows; these triggers make sure no
one else does either, short of dropping them (which ``audit_verify`` would still
expose). SQLite, the development database, relies on ``audit_verify`` alone.
"""

from django.db import migrations

TABLES = ["audit_auditevent", "audit_auditleaf", "audit_treehead"]

FUNCTION = """
CREATE OR REPLACE FUNCTION crisiscell_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # params=None: the body has % placeholders of its own (RAISE), not query parameters.
    schema_editor.execute(FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION crisiscell_audit_append_only();"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
    schema_editor.execute("DROP FUNCTION IF EXISTS crisiscell_audit_append_only();")


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
