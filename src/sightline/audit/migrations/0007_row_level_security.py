"""Row-level security on PostgreSQL: the second wall behind the access layer (issue 18, point 7).

Each table of one agency's youth data gets a policy that shows and accepts only rows whose
`agency_id` is in the transaction's or session's `app.agency_ids` (comma-separated ids, set per request
by `rowsecurity.middleware.AgencyContextMiddleware`); `'*'` is every agency (system jobs), unset or empty is none
(fails closed). PostgreSQL skips these policies for the table owner and superusers unless FORCE is set:
the migrating owner role keeps working unchanged, and production serves requests through a separate
non-owner role, for which the policies hold (docs/security.md). The migration lives in the
audit app because that is the app this work may add migrations to; it only adds policies.
"""

from django.db import migrations

TABLES = [
    "youth_youth",
    "youth_intakeepisode",
    "screenings_screening",
    "screenings_followupaction",
    "screenings_screeningreview",
    "scheduling_intakeschedule",
    "scheduling_rescreendue",
]

FUNCTION = """
CREATE OR REPLACE FUNCTION sightline_agency_visible(agency bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT CASE COALESCE(current_setting('app.agency_ids', true), '')
        WHEN '' THEN false
        WHEN '*' THEN true
        ELSE agency = ANY (string_to_array(current_setting('app.agency_ids', true), ',')::bigint[])
    END
$$;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY", params=None)
        schema_editor.execute(
            f"CREATE POLICY sightline_agency ON {table} "
            "USING (sightline_agency_visible(agency_id)) "
            "WITH CHECK (sightline_agency_visible(agency_id))",
            params=None,
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP POLICY IF EXISTS sightline_agency ON {table}", params=None)
        schema_editor.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY", params=None)
    schema_editor.execute("DROP FUNCTION IF EXISTS sightline_agency_visible(bigint)", params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0006_chain_existing_and_guard"),
        ("youth", "0003_intake_one_open_per_youth"),
        ("screenings", "0004_versions_and_reviews"),
        ("scheduling", "0005_screeningpolicy_correction_window_days"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
