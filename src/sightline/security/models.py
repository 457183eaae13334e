"""What sign-in security remembers: failed attempts and lockouts (throttling), each person's TOTP
device and recovery codes, and which sessions each person has (for "sign out everywhere")."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from sightline.privacy.fields import EncryptedTextField


class SignInFailure(models.Model):
    """One failed sign-in (wrong password, unknown name or wrong second factor).

    `account_key` is a hash of the name as typed, so an unknown name is throttled exactly like a
    known one and a password typed into the name field is never stored.
    """

    account_key = models.CharField(max_length=64)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["account_key", "at"], name="security_fail_account_at"),
            models.Index(fields=["ip_address", "at"], name="security_fail_ip_at"),
        ]


class LockoutScope(models.TextChoices):
    ACCOUNT = "account", "Account"
    IP = "ip", "Address"


class SignInLockout(models.Model):
    """While `until` is in the future, sign-in is refused for this account (or address) outright."""

    scope = models.CharField(max_length=8, choices=LockoutScope.choices)
    key = models.CharField(max_length=64)  # the account key, or the IP address
    started_at = models.DateTimeField()
    until = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["scope", "key", "until"], name="security_lock_key_until")]


class TOTPDevice(models.Model):
    """A person's authenticator app. Unconfirmed until a first code proves the app holds the secret."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="totp_device"
    )
    secret = EncryptedTextField()  # base32, encrypted at rest like other secrets
    created_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The time step of the last accepted code: a code is never accepted twice.
    last_step = models.BigIntegerField(default=-1)


class RecoveryCode(models.Model):
    """A single-use code for when the phone is lost. Only its SHA-256 is kept (the codes are random,
    80 bits each, so a fast hash is enough)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes"
    )
    digest = models.CharField(max_length=64, unique=True)
    used_at = models.DateTimeField(null=True, blank=True)


class AccountSession(models.Model):
    """A session a person signed in with; lets "sign out everywhere" find and end them all."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_sessions"
    )
    session_key = models.CharField(max_length=40, unique=True)
    signed_in_at = models.DateTimeField()


class FormSubmission(models.Model):
    """A form token seen once: a second post with the same token (a double click, a resent form)
    is answered with the first post's result instead of creating another record."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="form_submissions"
    )
    token = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    result_url = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "token"], name="security_form_token_once")
        ]
