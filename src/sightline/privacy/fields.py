"""Encrypted model fields that keep every value exactly and never fail silently.

A value is stored as ``v1:<key id>:<base64(nonce + AES-GCM ciphertext of its JSON)>``; the associated data
binds the ciphertext to its table and column, so a value copied into another column does not decrypt.
``None`` is stored as NULL; ``False``, ``0``, ``""`` and nested JSON round-trip exactly. A value that no
configured key can open raises :class:`FieldDecryptionError` instead of returning ciphertext.
"""

from __future__ import annotations

import base64
import json
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import models

from sightline.privacy.keys import field_keys

PREFIX = "v1"
_NONCE_BYTES = 12
_TAG_BYTES = 16


class FieldDecryptionError(Exception):
    """Raised when a stored value cannot be decrypted with any configured key."""


def encrypt_value(value: Any, *, context: str) -> str:
    key = field_keys()[0]
    nonce = os.urandom(_NONCE_BYTES)
    plaintext = json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    sealed = AESGCM(key.secret).encrypt(nonce, plaintext, context.encode("utf-8"))
    return f"{PREFIX}:{key.key_id}:{base64.b64encode(nonce + sealed).decode('ascii')}"


def decrypt_value(stored: str, *, context: str) -> Any:
    try:
        prefix, key_id, payload = stored.split(":", 2)
        blob = base64.b64decode(payload, validate=True)
    except ValueError:
        raise FieldDecryptionError(
            f"{context}: stored value is not in the encrypted format"
        ) from None
    if prefix != PREFIX:
        raise FieldDecryptionError(f"{context}: unknown encryption format {prefix!r}")
    # Checked here because AESGCM raises a bare ValueError, not InvalidTag, on a short nonce.
    if len(blob) < _NONCE_BYTES + _TAG_BYTES:
        raise FieldDecryptionError(f"{context}: stored value is too short to be encrypted")
    for key in field_keys():
        if key.key_id != key_id:
            continue
        try:
            plaintext = AESGCM(key.secret).decrypt(
                blob[:_NONCE_BYTES], blob[_NONCE_BYTES:], context.encode("utf-8")
            )
        except InvalidTag:
            break
        return json.loads(plaintext.decode("utf-8"))
    raise FieldDecryptionError(
        f"{context}: no configured key opens this value (key id {key_id}); check SIGHTLINE_FIELD_KEYS"
    )


class EncryptedField(models.TextField):
    """Base class: stores any JSON-serialisable value encrypted. Not searchable or sortable in SQL."""

    description = "Encrypted JSON value"

    def _context(self) -> str:
        return f"{self.model._meta.label_lower}.{self.attname}"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        if value is None:
            return None
        return self.to_python_value(decrypt_value(value, context=self._context()))

    def to_python_value(self, value: Any) -> Any:
        return value

    def to_python(self, value: Any) -> Any:
        return value

    def get_prep_value(self, value: Any) -> str | None:
        if value is None:
            return None
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
