"""RFC 4226 (HOTP) and RFC 6238 (TOTP) one-time codes. Pure: no Django, so it is tested on its own
against the RFCs' published test vectors."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
from urllib.parse import quote, urlencode

STEP_SECONDS = 30
DIGITS = 6
# One step either side absorbs clock drift between the phone and the server (RFC 6238 §5.2).
DRIFT_STEPS = 1

_DIGESTS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha512": hashlib.sha512}


def hotp(key: bytes, counter: int, *, digits: int = DIGITS, algorithm: str = "sha1") -> str:
    """The HOTP value of `counter` (RFC 4226 §5.3: dynamic truncation of an HMAC)."""
    mac = hmac.new(key, struct.pack(">Q", counter), _DIGESTS[algorithm]).digest()
    offset = mac[-1] & 0x0F
    binary = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(binary % 10**digits).zfill(digits)


def time_step(at: float, *, step: int = STEP_SECONDS) -> int:
    """The RFC 6238 counter T for Unix time `at` (T0 = 0)."""
    return int(at // step)


def totp(key: bytes, at: float, *, digits: int = DIGITS, algorithm: str = "sha1") -> str:
    return hotp(key, time_step(at), digits=digits, algorithm=algorithm)


def matching_step(key: bytes, code: str, at: float, *, after_step: int = -1) -> int | None:
    """The time step whose code equals `code` (within the drift window), or None.

    Steps at or before `after_step` never match, so a code that was used once cannot be replayed
    (RFC 6238 §5.2: "the verifier MUST NOT accept the second attempt of the same OTP").
    """
    code = code.strip().replace(" ", "")
    if len(code) != DIGITS or not code.isdigit():
        return None
    now = time_step(at)
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if step > after_step and hmac.compare_digest(hotp(key, step), code):
            return step
    return None


def new_secret() -> str:
    """A random 160-bit key (RFC 4226 §4 recommends 160 bits), base32 as authenticator apps expect."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii").rstrip("=")


def secret_bytes(secret: str) -> bytes:
    padded = secret.strip().replace(" ", "").upper()
    return base64.b32decode(padded + "=" * (-len(padded) % 8))


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    """The `otpauth://` URI an authenticator app reads (Key Uri Format)."""
    label = quote(f"{issuer}:{account}")
    query = urlencode(
        {"secret": secret, "issuer": issuer, "digits": DIGITS, "period": STEP_SECONDS}
    )
    return f"otpauth://totp/{label}?{query}"
