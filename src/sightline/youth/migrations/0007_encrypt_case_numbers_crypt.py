"""Encrypt every stored case number (row-bound, as the names) and write its blind-index digest.

Resumable and safe to interrupt: the migration is not atomic, each batch of rows is its own short
transaction, and a value that is already in the encrypted format is skipped, so a run stopped half way
(killed, a lost connection) is simply run again and carries on. Each value is rewritten only if it is
still what was read (``WHERE case_number = <read value>``), so a row changed meanwhile is not
overwritten. Every youth's `search_key_id` is set to the current search key, under which migration
0005 and the services wrote its name tokens. Reversing decrypts the values back to plain text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.db import migrations, transaction

from sightline.privacy.blind_index import identifier_digest
from sightline.privacy.fields import decrypt_value, encrypt_value
from sightline.privacy.keys import search_key, search_key_id

BATCH = 500
CONTEXT = "youth.youth.case_number"  # the field's associated-data context
_ENCRYPTED = re.compile(r"^v[12]:[0-9a-f]{8}:[A-Za-z0-9+/]+={0,2}$")


def is_encrypted(stored: str) -> bool:
    """Whether `stored` is already in the encrypted-field format (plain case numbers never are)."""
    return bool(_ENCRYPTED.match(stored))


def _in_batches(
    connection: Any,
    table: str,
    rewrite: Callable[[Any, int, str | None], None],
    *,
    batch: int = BATCH,
    stop_after: int | None = None,
) -> int:
    """Call `rewrite(cursor, pk, stored)` for every row, one short transaction per batch of rows
    (locked on PostgreSQL); returns the number of batches. `stop_after` exists for tests of resuming."""
    last = batches = 0
    lock = " FOR UPDATE" if connection.vendor == "postgresql" else ""
    while stop_after is None or batches < stop_after:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, case_number FROM {table} WHERE id > %s ORDER BY id LIMIT %s{lock}",  # nosec B608  # the table name is the model's own db_table; values are parameters
                [last, batch],
            )
            rows = cursor.fetchall()
            for pk, stored in rows:
                rewrite(cursor, pk, stored)
        if not rows:
            break
        last = rows[-1][0]
        batches += 1
    return batches


def encrypt_rows(connection: Any, table: str, **options: Any) -> int:
    key, key_id = search_key(), search_key_id()

    def rewrite(cursor: Any, pk: int, stored: str | None) -> None:
        if stored is not None and is_encrypted(stored):
            cursor.execute(
                f"UPDATE {table} SET search_key_id = %s WHERE id = %s AND search_key_id = ''",  # nosec B608  # the table name is the model's own db_table; values are parameters
                [key_id, pk],
            )
            return
        plain = stored or ""
        cursor.execute(
            f"UPDATE {table} SET case_number = %s, case_number_digest = %s, "  # nosec B608  # the table name is the model's own db_table; values are parameters
            "search_key_id = %s WHERE id = %s AND case_number = %s",
            [
                encrypt_value(plain, context=CONTEXT, row=pk),
                identifier_digest(plain, key=key),
                key_id,
                pk,
                stored,
            ],
        )

    return _in_batches(connection, table, rewrite, **options)


def decrypt_rows(connection: Any, table: str, **options: Any) -> int:
    def rewrite(cursor: Any, pk: int, stored: str | None) -> None:
        if stored is None or not is_encrypted(stored):
            return
        prefix = stored.split(":", 1)[0]
        plain = decrypt_value(stored, context=CONTEXT, row=pk if prefix == "v2" else None)
        cursor.execute(
            f"UPDATE {table} SET case_number = %s, case_number_digest = '' "  # nosec B608  # the table name is the model's own db_table; values are parameters
            "WHERE id = %s AND case_number = %s",
            [plain, pk, stored],
        )

    return _in_batches(connection, table, rewrite, **options)


def encrypt(apps: Any, schema_editor: Any) -> None:
    encrypt_rows(schema_editor.connection, apps.get_model("youth", "Youth")._meta.db_table)


def decrypt(apps: Any, schema_editor: Any) -> None:
    decrypt_rows(schema_editor.connection, apps.get_model("youth", "Youth")._meta.db_table)


class Migration(migrations.Migration):
    atomic = False  # one transaction per batch: resumable, and no long lock on the youth table

    dependencies = [("youth", "0006_case_number_encrypted_crypt")]

    operations = [migrations.RunPython(encrypt, decrypt, elidable=False)]
