"""NIST SP 800-63B password rules: length, the shipped common/breached list, no composition rules."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import identify_hasher, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import override_settings

from sightline.config import settings as real_settings
from sightline.security.passwords import TOO_COMMON, common_passwords
from tests import factories


def _codes(password: str, user: object = None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as refused:
        return [error.code for error in refused.error_list]
    return []


def test_the_shipped_list_holds_tens_of_thousands_of_common_passwords() -> None:
    words = common_passwords()
    assert len(words) > 40_000
    for known in ("password", "1234567890123", "qwertyuiop123", "iloveyou"):
        assert known in words


def test_a_long_passphrase_without_digits_or_symbols_is_accepted() -> None:
    assert _codes("correct horse battery staple") == []
    assert _codes("lowercase only words here") == []
    assert _codes("x" * 7 + " " + "long passphrase " * 3) == []  # 64+ characters are fine


@pytest.mark.parametrize("password", ["short", "elevenchars", "Tr0ub4dor&3"])
def test_fewer_than_12_characters_are_refused(password: str) -> None:
    assert "password_too_short" in _codes(password)


@pytest.mark.parametrize(
    "password",
    [
        "123456789123",  # on the list
        "QWERTYUIOP123",  # on the list, other case
        "1q2w3e4r5t6y",
        "password1234",  # a listed password lengthened to pass the minimum
        "Iloveyou2024!",
        "abcabcabcabc",  # one unit repeated
        "zzzzzzzzzzzz",
    ],
)
def test_a_common_or_breached_password_of_12_or_more_is_refused(password: str) -> None:
    assert _codes(password) == ["password_too_common"]
    with pytest.raises(ValidationError, match="common or breached"):
        validate_password(password)
    assert "breached" in TOO_COMMON


@pytest.mark.django_db
def test_a_password_like_the_username_is_refused() -> None:
    agency = factories.agency()
    user = factories.member(agency, "screener", username="margaretdaniels")
    assert "password_too_similar" in _codes("margaretdaniels1", user)


def test_real_settings_hash_with_argon2() -> None:
    assert real_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    with override_settings(PASSWORD_HASHERS=real_settings.PASSWORD_HASHERS):
        assert identify_hasher(make_password("correct horse battery staple")).algorithm == "argon2"
