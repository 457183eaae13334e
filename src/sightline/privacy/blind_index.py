"""Blind index: keyed hashes of normalised name tokens, so encrypted names can be searched exactly."""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterable

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


def _words(name: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return _TOKEN.findall(plain)


def name_tokens(*names: str | None) -> set[str]:
    """Lower-case, accent-free word tokens of the given names ("María-José" → {"maria", "jose"})."""
    tokens: set[str] = set()
    for name in names:
        if name:
            tokens.update(_words(name))
    return tokens


def index_tokens(*names: str | None) -> set[str]:
    """The tokens to store for a record: each word, plus each multi-word name run together.

    Run-together forms let a search for "OBrien" or "Mariajose" find "O'Brien" and "María-José", while a
    search is still tokenised word by word with `name_tokens`.
    """
    tokens: set[str] = set()
    for name in names:
        if name:
            words = _words(name)
            tokens.update(words)
            if len(words) > 1:
                tokens.add("".join(words))
    return tokens


def token_digest(token: str, *, key: bytes) -> str:
    return hmac.new(key, token.encode("utf-8"), hashlib.sha256).hexdigest()


def digests(tokens: Iterable[str], *, key: bytes) -> set[str]:
    return {token_digest(t, key=key) for t in tokens}
