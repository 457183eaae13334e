"""TOTP against RFC 6238 Appendix B and HOTP against RFC 4226 Appendix D."""

from __future__ import annotations

import pytest

from sightline.security import totp

SHA1_KEY = b"12345678901234567890"
SHA256_KEY = b"12345678901234567890123456789012"
SHA512_KEY = b"1234567890123456789012345678901234567890123456789012345678901234"

# RFC 6238 Appendix B: time, then the 8-digit TOTP for SHA1, SHA256, SHA512.
RFC6238 = [
    (59, "94287082", "46119246", "90693936"),
    (1111111109, "07081804", "68084774", "25091201"),
    (1111111111, "14050471", "67062674", "99943326"),
    (1234567890, "89005924", "91819424", "93441116"),
    (2000000000, "69279037", "90698825", "38618901"),
    (20000000000, "65353130", "77737706", "47863826"),
]
RFC4226 = [
    "755224",
    "287082",
    "359152",
    "969429",
    "338314",
    "254676",
    "287922",
    "162583",
    "399871",
    "520489",
]


@pytest.mark.parametrize(("at", "sha1", "sha256", "sha512"), RFC6238)
def test_rfc6238_test_vectors(at: int, sha1: str, sha256: str, sha512: str) -> None:
    assert totp.totp(SHA1_KEY, at, digits=8, algorithm="sha1") == sha1
    assert totp.totp(SHA256_KEY, at, digits=8, algorithm="sha256") == sha256
    assert totp.totp(SHA512_KEY, at, digits=8, algorithm="sha512") == sha512


def test_rfc4226_hotp_test_vectors() -> None:
    assert [totp.hotp(SHA1_KEY, counter) for counter in range(10)] == RFC4226


def test_a_code_matches_within_one_step_of_drift_and_never_twice() -> None:
    key = totp.secret_bytes(totp.new_secret())
    now = 1_700_000_000.0
    code = totp.totp(key, now)
    step = totp.matching_step(key, code, now)
    assert step == totp.time_step(now)
    assert totp.matching_step(key, code, now + 30) == step  # the phone is one step behind
    assert totp.matching_step(key, code, now + 90) is None  # too old
    assert totp.matching_step(key, code, now, after_step=step) is None  # already used
    assert totp.matching_step(key, "12345", now) is None
    assert totp.matching_step(key, "abcdef", now) is None


def test_the_secret_round_trips_through_base32_and_the_uri_names_the_issuer() -> None:
    secret = totp.new_secret()
    assert len(totp.secret_bytes(secret)) == 20
    uri = totp.provisioning_uri(secret, account="jo smith", issuer="Sightline")
    assert uri.startswith("otpauth://totp/Sightline%3Ajo%20smith?")
    assert f"secret={secret}" in uri and "issuer=Sightline" in uri
