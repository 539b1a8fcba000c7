"""On PostgreSQL, custody rows are append-only at the database itself.

No DELETE, and no UPDATE except the one move a pending hand-over makes: its state
from ``pending`` to ``complete`` or ``cancelled`` (with the confirmation time). Every
other column stays as it was recorded; its digest is sealed in the audit log anyway
(``row_sha256``), so even a change made with the trigger dropped shows. SQLite, the
development database, relies on the services and that digest.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION crisiscell_custody_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'custody events are append-only: DELETE refused'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF OLD.state = 'pending' AND NEW.state IN ('complete', 'cancelled')
       AND (to_jsonb(NEW) - 'state' - 'confirmed_at' - 'updated_at' - 'version')
           = (to_jsonb(OLD) - 'state' - 'confirmed_at' - 'updated_at' - 'version') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'custody events are append-only: UPDATE refused'
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # params=None: the body has % placeholders of its own (RAISE), not query parameters.
    schema_editor.execute(FUNCTION, params=None)
    schema_editor.execute(
        "CREATE TRIGGER evidence_custodyevent_append_only BEFORE UPDATE OR DELETE ON evidence_custodyevent "
        "FOR EACH ROW EXECUTE FUNCTION crisiscell_custody_append_only();"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP TRIGGER IF EXISTS evidence_custodyevent_append_only ON evidence_custodyevent;")
    schema_editor.execute("DROP FUNCTION IF EXISTS crisiscell_custody_append_only();")


class Migration(migrations.Migration):
    dependencies = [("evidence", "0002_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
