"""Re-encrypt every encrypted field under the current key, in batches, resumably, without downtime.

Rotation: put the new key first in `SIGHTLINE_FIELD_KEYS` and keep the old one after it (every process
then writes with the new key and still reads the old), run `sightline keys rotate`, then remove the old
key. Each batch is one short transaction: it locks its rows (PostgreSQL `FOR UPDATE`; SQLite
serialises writers), rewrites each value not yet under the current key as a row-bound ``v2`` value, and
moves the cursor. The cursor of each table is stored in a small JSON file (`SIGHTLINE_KEY_ROTATION_STATE`)
after each batch, so an interrupted run resumes where it stopped; values already under the current key
are skipped anyway, so a lost state file only costs a re-scan. A value that cannot be opened stops the
run with its table, row and column: nothing is ever rewritten from a value that was not read.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction

from sightline.privacy.fields import (
    PREFIX,
    EncryptedField,
    decrypt_value,
    encrypt_value,
    stored_key_id,
)
from sightline.privacy.keys import field_keys

BATCH = 500


@dataclass(frozen=True)
class EncryptedTable:
    label: str
    table: str
    pk: str
    columns: tuple[tuple[str, str], ...]  # (column, context)


def encrypted_tables() -> list[EncryptedTable]:
    """Every installed model's table with encrypted columns, in a stable order."""
    found = []
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedField)]
        if fields:
            found.append(
                EncryptedTable(
                    label=model._meta.label_lower,
                    table=model._meta.db_table,
                    pk=model._meta.pk.column,
                    columns=tuple(
                        (f.column, f"{model._meta.label_lower}.{f.attname}") for f in fields
                    ),
                )
            )
    return sorted(found, key=lambda t: t.label)


def state_file() -> Path:
    return Path(settings.SIGHTLINE_KEY_ROTATION_STATE)


def _load(path: Path, key_id: str) -> dict[str, int]:
    if not path.exists():
        return {}
    state = json.loads(path.read_text(encoding="utf-8"))
    # A cursor of an earlier rotation (another current key) means nothing for this one.
    return dict(state.get("done", {})) if state.get("key_id") == key_id else {}


def _save(path: Path, key_id: str, done: dict[str, int]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps({"key_id": key_id, "done": done}, indent=1), encoding="utf-8")
    temporary.replace(path)


def _select(table: EncryptedTable, after: int, size: int) -> list[tuple[Any, ...]]:
    columns = ", ".join(column for column, _ in table.columns)
    lock = " FOR UPDATE" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {table.pk}, {columns} FROM {table.table} WHERE {table.pk} > %s "  # nosec B608  # table and columns come from the models' _meta; values are parameters
            f"ORDER BY {table.pk} LIMIT %s{lock}",
            [after, size],
        )
        return list(cursor.fetchall())


def _rewrite(table: EncryptedTable, rows: list[tuple[Any, ...]], key_id: str) -> int:
    changed = 0
    for row in rows:
        pk = row[0]
        for (column, context), stored in zip(table.columns, row[1:], strict=True):
            if stored is None:
                continue
            prefix, value_key = stored_key_id(stored)
            if prefix == PREFIX and value_key == key_id:
                continue
            plain = decrypt_value(stored, context=context, row=pk if prefix == PREFIX else None)
            fresh = encrypt_value(plain, context=context, row=pk)
            with connection.cursor() as cursor:
                # Unchanged since read (the row is locked; the guard is for SQLite's sake too).
                cursor.execute(
                    f"UPDATE {table.table} SET {column} = %s "  # nosec B608  # table and column come from the models' _meta; values are parameters
                    f"WHERE {table.pk} = %s AND {column} = %s",
                    [fresh, pk, stored],
                )
                changed += cursor.rowcount
    return changed


def rotate(
    *,
    batch: int = BATCH,
    path: Path | None = None,
    restart: bool = False,
    progress: Callable[[str, int], None] | None = None,
    stop_after: int | None = None,
) -> dict[str, int]:
    """Rewrite every value not under the current key; returns values rewritten per table.

    `stop_after` (batches) exists for tests of resuming, as an interrupted run.
    """
    key_id = field_keys()[0].key_id
    path = path or state_file()
    done = {} if restart else _load(path, key_id)
    rewritten: dict[str, int] = {}
    batches = 0
    for table in encrypted_tables():
        rewritten[table.label] = 0
        while True:
            with transaction.atomic():
                rows = _select(table, done.get(table.label, 0), batch)
                if not rows:
                    break
                rewritten[table.label] += _rewrite(table, rows, key_id)
            # After the commit: a crash in between redoes this batch (its values are then already
            # under the current key and skipped), never skips one.
            done[table.label] = rows[-1][0]
            _save(path, key_id, done)
            if progress is not None:
                progress(table.label, rows[-1][0])
            batches += 1
            if stop_after is not None and batches >= stop_after:
                return rewritten
    return rewritten


def unrotated(model: type[models.Model] | None = None) -> int:
    """How many stored values are not yet row-bound under the current key (0 when done)."""
    key_id = field_keys()[0].key_id
    count = 0
    for table in encrypted_tables():
        if model is not None and table.table != model._meta.db_table:
            continue
        for column, _ in table.columns:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT COUNT(*) FROM {table.table} WHERE {column} IS NOT NULL "  # nosec B608  # table and column come from the models' _meta; values are parameters
                    f"AND {column} NOT LIKE %s",
                    [f"{PREFIX}:{key_id}:%"],
                )
                count += cursor.fetchone()[0]
    return count
