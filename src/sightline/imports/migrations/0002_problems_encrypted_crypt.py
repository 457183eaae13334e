"""Import problem reports are encrypted (issue 18): each problem quotes a cell of the file, which may be
a youth's name, date of birth or case number.

The column becomes text (PostgreSQL casts the JSON to its text), then each stored report not yet in
the encrypted format is encrypted row-bound, one short transaction per batch; running it again skips
what is done. Reversing decrypts back to JSON.
"""

import json
import re
from typing import Any

from django.db import migrations, transaction

import sightline.privacy.fields
from sightline.privacy.fields import decrypt_value, encrypt_value

CONTEXT = "imports.importrun.problems"
_ENCRYPTED = re.compile(r"^v[12]:[0-9a-f]{8}:[A-Za-z0-9+/]+={0,2}$")
BATCH = 200


def _rows(connection: Any, table: str, last: int) -> list[tuple[int, Any]]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, problems FROM {table} WHERE id > %s ORDER BY id LIMIT %s",  # nosec B608  # the table name is the model's own db_table; values are parameters
            [last, BATCH],
        )
        return list(cursor.fetchall())


def _each(apps: Any, schema_editor: Any, rewrite: Any) -> None:
    connection = schema_editor.connection
    table = apps.get_model("imports", "ImportRun")._meta.db_table
    last = 0
    while True:
        with transaction.atomic(using=connection.alias):
            rows = _rows(connection, table, last)
            for pk, stored in rows:
                fresh = rewrite(pk, stored)
                if fresh is not None:
                    with connection.cursor() as cursor:
                        cursor.execute(
                            f"UPDATE {table} SET problems = %s WHERE id = %s",  # nosec B608  # the table name is the model's own db_table; values are parameters
                            [fresh, pk],
                        )
        if not rows:
            return
        last = rows[-1][0]


def encrypt(apps: Any, schema_editor: Any) -> None:
    def rewrite(pk: int, stored: Any) -> str | None:
        if stored is None or (isinstance(stored, str) and _ENCRYPTED.match(stored)):
            return None
        value = json.loads(stored) if isinstance(stored, str) else stored
        return encrypt_value(value, context=CONTEXT, row=pk)

    _each(apps, schema_editor, rewrite)


def decrypt(apps: Any, schema_editor: Any) -> None:
    def rewrite(pk: int, stored: Any) -> str | None:
        if not (isinstance(stored, str) and _ENCRYPTED.match(stored)):
            return None
        row = pk if stored.startswith("v2:") else None
        return json.dumps(decrypt_value(stored, context=CONTEXT, row=row))

    _each(apps, schema_editor, rewrite)


class Migration(migrations.Migration):
    atomic = False  # one transaction per batch

    dependencies = [("imports", "0001_initial")]

    operations = [
        migrations.AlterField(
            model_name="importrun",
            name="problems",
            field=sightline.privacy.fields.EncryptedJSONField(blank=True, default=list),
        ),
        migrations.RunPython(encrypt, decrypt),
    ]
