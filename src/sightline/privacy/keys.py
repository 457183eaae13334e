"""Field-encryption keys, kept apart from SECRET_KEY so rotating one never loses the other's data.

`SIGHTLINE_FIELD_KEYS` holds comma-separated url-safe base64 keys of 32 bytes: the first encrypts,
all decrypt. `SIGHTLINE_SEARCH_KEY` keys the blind index used to search encrypted names and case
numbers; during a search-key rotation `SIGHTLINE_SEARCH_KEYS_PREVIOUS` (comma-separated) holds the old
key(s), so searches match tokens under either key until `sightline keys rotate --search` has rewritten
every youth's tokens (ADR 0011).
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class FieldKey:
    key_id: str
    secret: bytes


def _decode(name: str, raw: str) -> bytes:
    try:
        secret = base64.urlsafe_b64decode(raw.encode("ascii") + b"=" * (-len(raw) % 4))
    except (ValueError, UnicodeEncodeError):
        raise ImproperlyConfigured(f"{name} holds a key that is not url-safe base64.") from None
    if len(secret) != 32:
        raise ImproperlyConfigured(f"{name} holds a key of {len(secret)} bytes; 32 are required.")
    return secret


@lru_cache(maxsize=8)
def _field_keys(raw: tuple[str, ...]) -> tuple[FieldKey, ...]:
    if not raw:
        raise ImproperlyConfigured("SIGHTLINE_FIELD_KEYS must hold at least one key.")
    keys = []
    for item in raw:
        secret = _decode("SIGHTLINE_FIELD_KEYS", item)
        keys.append(FieldKey(_key_id(secret), secret))
    return tuple(keys)


def field_keys() -> tuple[FieldKey, ...]:
    """The configured keys, current (encrypting) key first."""
    return _field_keys(tuple(settings.SIGHTLINE_FIELD_KEYS))


def _key_id(secret: bytes) -> str:
    return hashlib.sha256(secret).hexdigest()[:8]


def search_key() -> bytes:
    """The current search key: every blind-index token is written under it."""
    return _decode("SIGHTLINE_SEARCH_KEY", settings.SIGHTLINE_SEARCH_KEY)


@lru_cache(maxsize=8)
def _search_keys(current: str, previous: tuple[str, ...]) -> tuple[FieldKey, ...]:
    keys = [FieldKey(_key_id(s), s) for s in [_decode("SIGHTLINE_SEARCH_KEY", current)]]
    for item in previous:
        secret = _decode("SIGHTLINE_SEARCH_KEYS_PREVIOUS", item)
        if all(secret != key.secret for key in keys):
            keys.append(FieldKey(_key_id(secret), secret))
    return tuple(keys)


def search_keys() -> tuple[FieldKey, ...]:
    """Every key a search must try, current first: the old keys only while a rotation is under way."""
    return _search_keys(
        settings.SIGHTLINE_SEARCH_KEY,
        tuple(getattr(settings, "SIGHTLINE_SEARCH_KEYS_PREVIOUS", ())),
    )


def search_key_id() -> str:
    """The id of the current search key (first 8 hex digits of its SHA-256), stored on each youth."""
    return search_keys()[0].key_id


def new_key() -> str:
    """A fresh key in the form the settings expect (for set-up scripts)."""
    import secrets

    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii").rstrip("=")
