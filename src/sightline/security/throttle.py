"""Throttling of guesses: at most `SIGHTLINE_SIGNIN_ACCOUNT_LIMIT` (5) failures per account and
`SIGHTLINE_SIGNIN_IP_LIMIT` per address in any `SIGHTLINE_SIGNIN_WINDOW_SECONDS` (10 minutes); the
failure that reaches a limit locks the account (or address) for `SIGHTLINE_SIGNIN_LOCKOUT_SECONDS`.

The account is named by a hash of what was typed, never by a lookup, so a name that does not exist is
counted and locked exactly like one that does: the answers cannot tell them apart.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.utils import timezone

from sightline.security.models import LockoutScope, SignInFailure, SignInLockout


def account_key(username: str) -> str:
    return hashlib.sha256(username.strip().casefold().encode("utf-8")).hexdigest()


def _window() -> dt.timedelta:
    return dt.timedelta(seconds=settings.SIGHTLINE_SIGNIN_WINDOW_SECONDS)


def is_locked(*, key: str, ip_address: str | None) -> bool:
    now = timezone.now()
    locks = SignInLockout.objects.filter(until__gt=now, scope=LockoutScope.ACCOUNT, key=key)
    if ip_address:
        locks = locks | SignInLockout.objects.filter(
            until__gt=now, scope=LockoutScope.IP, key=ip_address
        )
    return locks.exists()


def reserve(*, key: str, ip_address: str | None) -> SignInFailure | None:
    """Count this attempt as a failure *before* the password is checked, or None if the limit is
    already reached (the attempt is then refused unchecked).

    Counting first is what holds the limit under parallel guesses: each attempt's count includes
    itself and every attempt committed before it, so at most `limit` of them go on to be checked,
    however many arrive at once. A successful attempt withdraws its reservation (`withdraw`).
    """
    now = timezone.now()
    since = now - _window()
    SignInFailure.objects.filter(at__lt=since).delete()  # only the window is ever counted
    attempt = SignInFailure.objects.create(account_key=key, ip_address=ip_address, at=now)
    # Every reservation in the window counts, later ones too: the k-th to commit sees at least k.
    recent = SignInFailure.objects.filter(at__gte=since)
    over = recent.filter(account_key=key).count() > settings.SIGHTLINE_SIGNIN_ACCOUNT_LIMIT or (
        ip_address is not None
        and recent.filter(ip_address=ip_address).count() > settings.SIGHTLINE_SIGNIN_IP_LIMIT
    )
    if over:
        attempt.delete()
        return None
    return attempt


def withdraw(attempt: SignInFailure) -> None:
    """The attempt succeeded: it was not a failure."""
    SignInFailure.objects.filter(pk=attempt.pk).delete()


def lock_if_reached(*, key: str, ip_address: str | None) -> list[LockoutScope]:
    """After a failed attempt: lock each scope whose failures in the window reached its limit;
    returns the scopes locked now."""
    now = timezone.now()
    recent = SignInFailure.objects.filter(at__gte=now - _window())
    until = now + dt.timedelta(seconds=settings.SIGHTLINE_SIGNIN_LOCKOUT_SECONDS)
    locked: list[LockoutScope] = []
    if recent.filter(account_key=key).count() >= settings.SIGHTLINE_SIGNIN_ACCOUNT_LIMIT:
        SignInLockout.objects.create(
            scope=LockoutScope.ACCOUNT, key=key, started_at=now, until=until
        )
        locked.append(LockoutScope.ACCOUNT)
    if (
        ip_address
        and recent.filter(ip_address=ip_address).count() >= settings.SIGHTLINE_SIGNIN_IP_LIMIT
    ):
        SignInLockout.objects.create(
            scope=LockoutScope.IP, key=ip_address, started_at=now, until=until
        )
        locked.append(LockoutScope.IP)
    return locked
