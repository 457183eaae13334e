"""Blind index: keyed hashes of normalised name tokens, so encrypted names can be searched.

Names are folded before hashing: case, accents, and the letters that carry no accent to strip because
Unicode does not decompose them (ø, ł, dotless i, đ, ß, æ, œ, þ ...), so "Soren" finds "Søren" and "Lukasz"
finds "Łukasz". Each word is stored whole and, to let "Cast" find "Castellanos", as every proper prefix
of at least `MIN_PREFIX` letters (marked so a prefix never counts as a whole word). ADR 0009 weighs
what the extra tokens reveal.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterable

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)

# Letters with no Unicode decomposition, spelled as their usual Latin transliteration. Keys are
# case-folded forms (casefold already turns ß into ss and İ into i + a combining dot).
_UNDECOMPOSED = str.maketrans(
    {
        "ø": "o",
        "ł": "l",
        "\u0131": "i",  # dotless i
        "đ": "d",
        "ð": "d",
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
        "þ": "th",
        "ħ": "h",
        "ŧ": "t",
        "ŀ": "l",
        "ĸ": "k",
        "ŋ": "ng",
        "\u017f": "s",  # long s
    }
)

# Prefixes shorter than this are not stored: two letters narrow nothing and say more about a name.
MIN_PREFIX = 3
# A prefix token is the word's first letters and this mark, which no word token can contain.
_PREFIX_MARK = "*"


def fold(text: str) -> str:
    """`text` case-folded, with accents removed and undecomposable letters transliterated."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return plain.translate(_UNDECOMPOSED)


def _words(name: str) -> list[str]:
    return _TOKEN.findall(fold(name))


def name_tokens(*names: str | None) -> set[str]:
    """Lower-case, accent-free word tokens of the given names ("María-José" → {"maria", "jose"})."""
    tokens: set[str] = set()
    for name in names:
        if name:
            tokens.update(_words(name))
    return tokens


def index_tokens(*names: str | None) -> set[str]:
    """The whole-word tokens of a record: each word, plus each multi-word name run together.

    Run-together forms let a search for "OBrien" or "Mariajose" find "O'Brien" and "María-José", while a
    search is still tokenised word by word with `name_tokens`. Likely-duplicate checks compare these only.
    """
    tokens: set[str] = set()
    for name in names:
        if name:
            words = _words(name)
            tokens.update(words)
            if len(words) > 1:
                tokens.add("".join(words))
    return tokens


def prefix_tokens(*names: str | None) -> set[str]:
    """Every proper prefix of `MIN_PREFIX` letters or more of each word, marked as a prefix."""
    tokens: set[str] = set()
    for word in index_tokens(*names):
        for end in range(MIN_PREFIX, len(word)):
            tokens.add(word[:end] + _PREFIX_MARK)
    return tokens


def stored_tokens(*names: str | None) -> set[str]:
    """What a record stores in the index: its whole-word tokens and their prefixes."""
    return index_tokens(*names) | prefix_tokens(*names)


def search_alternatives(word: str) -> set[str]:
    """The tokens any of which a stored record must have for search word `word` to match it: the word
    whole, or (from `MIN_PREFIX` letters on) the start of a longer word."""
    if len(word) >= MIN_PREFIX:
        return {word, word + _PREFIX_MARK}
    return {word}


def token_digest(token: str, *, key: bytes) -> str:
    return hmac.new(key, token.encode("utf-8"), hashlib.sha256).hexdigest()


def digests(tokens: Iterable[str], *, key: bytes) -> set[str]:
    return {token_digest(t, key=key) for t in tokens}


# --- identifiers (case numbers): one exact token per value ----------------------------------------

# A tag no name token can contain (they are letters and digits only), so an identifier's token never
# equals a name's, whatever table it is kept in.
_IDENTIFIER_TAG = "id:"


def normalise_identifier(value: str | None) -> str:
    """`value` folded like names (case, accents) with everything but letters and digits dropped, so
    "cw-101", "CW 101" and "CW101" are one case number. Empty when nothing is left."""
    return "".join(_TOKEN.findall(fold(value or "")))


def identifier_token(value: str | None) -> str | None:
    """The token an identifier is indexed and searched by, or None when it has nothing to match."""
    normalised = normalise_identifier(value)
    return _IDENTIFIER_TAG + normalised if normalised else None


def identifier_digest(value: str | None, *, key: bytes) -> str:
    """The stored digest of an identifier under `key` ("" when it has nothing to match)."""
    token = identifier_token(value)
    return token_digest(token, key=key) if token is not None else ""
