"""Encrypted model fields that keep every value exactly and never fail silently.

A value is stored as ``v2:<key id>:<base64(nonce + AES-GCM ciphertext of its JSON)>``. The associated
data binds the ciphertext to its table, column **and row** (``<app>.<model>.<column>#<pk>``), so a value
copied into another column or another row does not decrypt (ADR 0008). Values written before row
binding (``v1:``, bound to table and column only) stay readable; `sightline keys rotate` rewrites them
as ``v2``. ``None`` is stored as NULL; ``False``, ``0``, ``""`` and nested JSON round-trip exactly. A
value that no configured key can open raises :class:`FieldDecryptionError` instead of returning
ciphertext.

A row has its primary key only after its INSERT, so a model with an encrypted field takes its key from
the table's sequence just before the first save (`_allocate_pk`), and a value read from the database
is decrypted when first used, once the row's key is known (`EncryptedAttribute`). A value written
without its row in hand (a queryset ``update()``, ``bulk_update``) is stored as ``v1``, bound to its
column only, until the next rotation.
"""

from __future__ import annotations

import base64
import json
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import connections, models, router
from django.db.models import signals
from django.db.models.query_utils import DeferredAttribute

from sightline.privacy.keys import field_keys

PREFIX = "v2"  # bound to table, column and row
LEGACY_PREFIX = "v1"  # bound to table and column
_NONCE_BYTES = 12
_TAG_BYTES = 16


class FieldDecryptionError(Exception):
    """Raised when a stored value cannot be decrypted with any configured key."""


def _aad(context: str, row: object | None) -> bytes:
    return (context if row is None else f"{context}#{row}").encode("utf-8")


def encrypt_value(value: Any, *, context: str, row: object | None = None) -> str:
    """`value` encrypted under the current key for `context` (and `row`: the primary key).

    Without `row` the result is a ``v1`` value, bound to its column only (bulk writers that do not
    know their ids yet); with it, ``v2``.
    """
    key = field_keys()[0]
    nonce = os.urandom(_NONCE_BYTES)
    plaintext = json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    sealed = AESGCM(key.secret).encrypt(nonce, plaintext, _aad(context, row))
    prefix = LEGACY_PREFIX if row is None else PREFIX
    return f"{prefix}:{key.key_id}:{base64.b64encode(nonce + sealed).decode('ascii')}"


def stored_key_id(stored: str) -> tuple[str, str]:
    """(format prefix, key id) of a stored value, without decrypting it."""
    prefix, key_id, _ = stored.split(":", 2)
    return prefix, key_id


def decrypt_value(stored: str, *, context: str, row: object | None = None) -> Any:
    """The value of `stored`; a ``v2`` value needs the `row` it was written for."""
    try:
        prefix, key_id, payload = stored.split(":", 2)
        blob = base64.b64decode(payload, validate=True)
    except ValueError:
        raise FieldDecryptionError(
            f"{context}: stored value is not in the encrypted format"
        ) from None
    if prefix == LEGACY_PREFIX:
        aad = _aad(context, None)
    elif prefix == PREFIX:
        if row is None:
            raise FieldDecryptionError(f"{context}: a row-bound value needs its row to decrypt")
        aad = _aad(context, row)
    else:
        raise FieldDecryptionError(f"{context}: unknown encryption format {prefix!r}")
    # Checked here because AESGCM raises a bare ValueError, not InvalidTag, on a short nonce.
    if len(blob) < _NONCE_BYTES + _TAG_BYTES:
        raise FieldDecryptionError(f"{context}: stored value is too short to be encrypted")
    for key in field_keys():
        if key.key_id != key_id:
            continue
        try:
            plaintext = AESGCM(key.secret).decrypt(blob[:_NONCE_BYTES], blob[_NONCE_BYTES:], aad)
        except InvalidTag:
            break
        return json.loads(plaintext.decode("utf-8"))
    raise FieldDecryptionError(
        f"{context}: no configured key opens this value for this row (key id {key_id}); "
        "check SIGHTLINE_FIELD_KEYS, or the value was copied from another row or column"
    )


class Sealed:
    """A row-bound value as read from the database, decrypted on first use (it needs its row)."""

    __slots__ = ("row", "stored")

    def __init__(self, stored: str, row: object | None = None) -> None:
        self.stored = stored
        self.row = row

    def __repr__(self) -> str:
        return "<encrypted value>"


class EncryptedAttribute(DeferredAttribute):
    """Opens a `Sealed` value with the instance's primary key the first time it is read."""

    def __get__(self, instance: Any, cls: Any = None) -> Any:
        if instance is None:
            return self
        value = super().__get__(instance, cls)
        if isinstance(value, Sealed):
            row = value.row if value.row is not None else instance.pk
            value = self.field.open(value.stored, row=row)  # type: ignore[attr-defined]
            instance.__dict__[self.field.attname] = value
        return value

    def __set__(self, instance: Any, value: Any) -> None:
        # The primary key is set before any other field when a row is loaded: remember it, so a
        # value moved to another instance still opens with the row it came from.
        if isinstance(value, Sealed) and value.row is None:
            value.row = instance.__dict__.get(instance._meta.pk.attname)
        instance.__dict__[self.field.attname] = value


def _allocate_pk(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    """Give a new row its primary key before its INSERT, so its values can be bound to it."""
    if kwargs.get("raw") or instance.pk is not None:
        return
    using = kwargs.get("using") or router.db_for_write(sender, instance=instance)
    connection = connections[using]
    table, column = sender._meta.db_table, sender._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s))", [table, column])
        else:
            # SQLite (AUTOINCREMENT): the next id never reuses one; writers are serialised by the
            # IMMEDIATE transactions the services run in, and a clash fails loudly on the key.
            cursor.execute(
                "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "  # nosec B608  # table and column come from the model's _meta; values are parameters
                f"COALESCE((SELECT MAX({column}) FROM {table}), 0)) + 1",
                [table],
            )
        instance.pk = cursor.fetchone()[0]


def allocate_ids(model: type[models.Model], count: int, using: str = "default") -> Any:
    """`count` new primary keys for `model` (a NumPy int64 array), taken before the rows are written
    so their encrypted values can be bound to them: what `_allocate_pk` does for one row, for a
    bulk writer. PostgreSQL: one `nextval` series from the table's own sequence (safe beside other
    writers); SQLite: the range after the highest id ever used, in the caller's transaction."""
    import numpy as np

    connection = connections[using]
    table, column = model._meta.db_table, model._meta.pk.column
    if count <= 0:
        return np.zeros(0, dtype=np.int64)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, column, count],
            )
            return np.fromiter((row[0] for row in cursor.fetchall()), dtype=np.int64, count=count)
        cursor.execute(
            "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "  # nosec B608  # table and column come from the model's _meta; values are parameters
            f"COALESCE((SELECT MAX({column}) FROM {table}), 0)) + 1",
            [table],
        )
        start = cursor.fetchone()[0]
        # Claim the range, so a second allocation in the same transaction does not hand it out again.
        cursor.execute(
            "UPDATE sqlite_sequence SET seq = MAX(seq, %s) WHERE name = %s",
            [start + count - 1, table],
        )
        return np.arange(start, start + count, dtype=np.int64)


def encrypt_many(field: EncryptedField, values: list[Any], rows: list[object]) -> list[str | None]:
    """`values` of `field` encrypted as its `pre_save` would, each bound to its row in `rows`
    (``None`` stays NULL): one cipher object for the batch instead of one per value."""
    key = field_keys()[0]
    cipher = AESGCM(key.secret)
    context = field._context()
    prefix = f"{PREFIX}:{key.key_id}:"
    sealed: list[str | None] = []
    for value, row in zip(values, rows, strict=True):
        if value is None:
            sealed.append(None)
            continue
        nonce = os.urandom(_NONCE_BYTES)
        plaintext = json.dumps(
            field.prepare_plain(value), separators=(",", ":"), ensure_ascii=False
        ).encode("utf-8")
        blob = nonce + cipher.encrypt(nonce, plaintext, _aad(context, row))
        sealed.append(prefix + base64.b64encode(blob).decode("ascii"))
    return sealed


class EncryptedField(models.TextField):
    """Base class: stores any JSON-serialisable value encrypted. Not searchable or sortable in SQL."""

    description = "Encrypted JSON value"
    descriptor_class = EncryptedAttribute

    def contribute_to_class(self, cls: type[models.Model], name: str, **kwargs: Any) -> None:
        super().contribute_to_class(cls, name, **kwargs)
        if not cls._meta.abstract:
            signals.pre_save.connect(
                _allocate_pk,
                sender=cls,
                weak=False,
                dispatch_uid=f"privacy-allocate-pk-{cls.__module__}.{cls.__qualname__}-{id(cls)}",
            )

    def _context(self) -> str:
        return f"{self.model._meta.label_lower}.{self.attname}"

    def open(self, stored: str, *, row: object | None) -> Any:
        return self.to_python_value(decrypt_value(stored, context=self._context(), row=row))

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        if value is None:
            return None
        if value.startswith(f"{LEGACY_PREFIX}:"):
            return self.open(value, row=None)
        return Sealed(value)

    def to_python_value(self, value: Any) -> Any:
        return value

    def to_python(self, value: Any) -> Any:
        return value

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        current = model_instance.__dict__.get(self.attname)
        if isinstance(current, Sealed):
            if current.row == model_instance.pk:
                return current  # unchanged since it was read: stored as it is
            current = self.open(current.stored, row=current.row)
        if current is None:
            return None
        return Sealed(
            encrypt_value(
                self.prepare_plain(current), context=self._context(), row=model_instance.pk
            ),
            row=model_instance.pk,
        )

    def get_prep_value(self, value: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, Sealed):
            return value.stored
        # No row in hand (queryset update, bulk_update): bound to the column only, as v1.
        return encrypt_value(self.prepare_plain(value), context=self._context())

    def prepare_plain(self, value: Any) -> Any:
        return value

    def value_to_string(self, obj: models.Model) -> str:
        return json.dumps(self.value_from_object(obj))

    def get_lookup(self, lookup_name: str) -> Any:
        # Only NULL checks make sense on ciphertext; anything else would silently match nothing.
        if lookup_name != "isnull":
            raise TypeError(f"Encrypted fields cannot be filtered with __{lookup_name}")
        return super().get_lookup(lookup_name)


class EncryptedTextField(EncryptedField):
    description = "Encrypted text"

    def prepare_plain(self, value: Any) -> Any:
        if not isinstance(value, str):
            raise TypeError(f"{self.name} expects text, got {type(value).__name__}")
        return value


class EncryptedJSONField(EncryptedField):
    description = "Encrypted JSON"


class BlindIndexField(models.CharField):
    """The keyed digest of another field's normalised value (an identifier such as a case number), for
    exact search of a value that is stored encrypted (ADR 0011).

    Computed from `source` under the current search key on every save that writes this column, so
    every writer through the model (services, `objects.create`, `bulk_create`) keeps it in step; a
    queryset ``update()`` of the source or a raw COPY must set it itself (`identifier_digest`). Empty
    when the value has nothing to match (blank). Never editable by hand.
    """

    description = "Blind index digest"

    def __init__(self, *args: Any, source: str = "", **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs["editable"] = False
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        from sightline.privacy.blind_index import identifier_digest
        from sightline.privacy.keys import search_key

        digest = identifier_digest(getattr(model_instance, self.source), key=search_key())
        setattr(model_instance, self.attname, digest)
        return digest
