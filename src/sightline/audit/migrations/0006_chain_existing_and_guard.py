"""Chain the events written before the hash chain existed, and refuse UPDATE/DELETE in SQL.

The chaining uses the same code as every later seal (`audit.chain.seal_pending`, given the historical
model), so existing rows are chained exactly like new ones, oldest id first. On PostgreSQL a trigger
then refuses any UPDATE or DELETE of an event, except the one-time chaining of a pending event (its
chain columns go from empty to set, nothing else changes). TRUNCATE is not a row operation: the
deployment revokes it from the application's role (docs/security.md), and anchors catch it.
"""

from django.db import migrations

GUARD = """
CREATE OR REPLACE FUNCTION sightline_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND NEW.seq IS NOT NULL
       AND (to_jsonb(NEW) - ARRAY['seq', 'prev_hash', 'hash'])
           = (to_jsonb(OLD) - ARRAY['seq', 'prev_hash', 'hash']) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit events are append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent;
CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION sightline_audit_append_only();
"""
UNGUARD = """
DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS sightline_audit_append_only();
"""


def chain_existing(apps, schema_editor):
    from sightline.audit.chain import seal_pending

    seal_pending(apps.get_model("audit", "AuditEvent"), using=schema_editor.connection.alias)


def guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GUARD, params=None)


def unguard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNGUARD, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0005_hash_chain"),
    ]

    operations = [
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
        migrations.RunPython(guard, unguard),
    ]
