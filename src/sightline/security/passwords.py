"""Password rules after NIST SP 800-63B: a minimum length, a list of common and breached passwords,
no composition rules (no "one digit, one symbol"), no expiry. Django's UserAttributeSimilarityValidator
stays in the settings beside these."""

from __future__ import annotations

import functools
import gzip
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError

MINIMUM_LENGTH = 12
# Long passphrases must fit: NIST asks verifiers to accept at least 64 characters.
MAXIMUM_LENGTH = 256
COMMON_LIST = Path(__file__).resolve().parent / "data" / "common-passwords.txt.gz"

TOO_SHORT = "This password is too short. Use at least %(min_length)d characters; a few words make a good one."
TOO_LONG = "This password is too long. Use at most %(max_length)d characters."
TOO_COMMON = "This password is on a list of common or breached passwords. Choose another."


@functools.cache
def common_passwords() -> frozenset[str]:
    """The shipped list, lower-cased (read once per process)."""
    with gzip.open(COMMON_LIST, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


class LengthValidator:
    """At least `min_length` characters (12 by default) and at most `max_length`."""

    def __init__(self, min_length: int = MINIMUM_LENGTH, max_length: int = MAXIMUM_LENGTH) -> None:
        self.min_length = min_length
        self.max_length = max_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(
                TOO_SHORT, code="password_too_short", params={"min_length": self.min_length}
            )
        if len(password) > self.max_length:
            raise ValidationError(
                TOO_LONG, code="password_too_long", params={"max_length": self.max_length}
            )

    def get_help_text(self) -> str:
        return f"At least {self.min_length} characters. Any characters; a passphrase of a few words works well."


def is_common(password: str) -> bool:
    """On the list (ignoring case), a listed password with up to 5 digits or symbols added at the end
    ("password1234"), or one short unit repeated ("abcabcabcabc") -- the lengthened forms people use
    to pass a 12-character minimum (NIST 800-63B names breached, repetitive and sequential values)."""
    words = common_passwords()
    folded = password.strip().lower()
    if folded in words:
        return True
    core = folded.rstrip("0123456789!@#$%^&*()-_=+.?,;:~ ")
    if len(folded) - len(core) <= 5 and len(core) >= 6 and core in words:
        return True
    return any(
        folded == folded[:size] * (len(folded) // size)
        for size in range(1, 5)
        if len(folded) % size == 0
    )


class CommonPasswordValidator:
    """Refuses a password found (ignoring case and surrounding spaces) on the shipped list of common
    and breached passwords (~40,000 entries, see data/README.md for where they come from), or a
    lengthened form of one (`is_common`)."""

    def validate(self, password: str, user: Any = None) -> None:
        if is_common(password):
            raise ValidationError(TOO_COMMON, code="password_too_common")

    def get_help_text(self) -> str:
        return "Not a commonly used or breached password."
