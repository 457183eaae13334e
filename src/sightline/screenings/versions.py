"""New versions of a final screening (amendments and corrections) and the correction window.

A final row is never edited: an amendment or a correction is a new draft row in the same chain that
`amends` the current final version, and at most one may be open per screening (the partial unique
constraint `screening_one_open_amendment`). `services.screening_amend`, `review.screening_correct` and
finalize share the rules here (ADR 0007).

The correction window is a setting of the agency's screening policy, which is `scheduling`'s; that app
hands this module its reader when Django starts (`provide_correction_window`), so screenings never
imports scheduling and the apps keep no import cycle.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.utils import timezone

from sightline.screenings import errors
from sightline.screenings.choices import ScreeningStatus, VersionKind
from sightline.screenings.errors import ScreeningStateError
from sightline.screenings.models import Screening

# (agency id, the day a screening was first finalized) -> days in which it may be corrected.
WindowReader = Callable[[int, dt.date], int]
_window_reader: WindowReader | None = None


def provide_correction_window(reader: WindowReader) -> None:
    """Say where the correction window of an agency's policy is read (scheduling, at start-up)."""
    global _window_reader
    _window_reader = reader


@dataclass(frozen=True)
class CorrectionWindow:
    """How long after its first finalization a screening may be corrected; `days == 0`: never."""

    days: int
    opened_at: dt.datetime | None  # the first finalization of the chain; None while never final

    @property
    def closes_at(self) -> dt.datetime | None:
        if self.opened_at is None or self.days <= 0:
            return None
        return self.opened_at + dt.timedelta(days=self.days)

    def is_open(self, now: dt.datetime) -> bool:
        closes_at = self.closes_at
        return closes_at is not None and now < closes_at


def first_finalized_at(screening: Screening) -> dt.datetime | None:
    """When the first version of `screening`'s chain was finalized (superseded rows keep theirs)."""
    return (
        Screening.objects.filter(chain=screening.chain, finalized_at__isnull=False)
        .order_by("finalized_at")
        .values_list("finalized_at", flat=True)
        .first()
    )


def correction_window(
    screening: Screening, *, opened_at: dt.datetime | None = None
) -> CorrectionWindow:
    """The window of `screening`'s chain: counted from its first finalization, under the policy in
    force that day, and never restarted by a correction (so corrections cannot extend it).
    `opened_at` saves the query when the caller already holds the chain."""
    opened_at = opened_at or first_finalized_at(screening)
    if opened_at is None:
        return CorrectionWindow(days=0, opened_at=None)
    if _window_reader is None:
        raise ImproperlyConfigured(
            "No correction window reader: sightline.scheduling must be installed (its AppConfig "
            "provides it)."
        )
    days = _window_reader(screening.agency_id, timezone.localdate(opened_at))
    return CorrectionWindow(days=days, opened_at=opened_at)


def require_correction_window(screening: Screening, *, now: dt.datetime) -> CorrectionWindow:
    """Refuse (NO_CORRECTION_WINDOW, CORRECTION_WINDOW_CLOSED) unless the window is open `now`."""
    window = correction_window(screening)
    if window.days <= 0:
        raise ScreeningStateError(errors.NO_CORRECTION_WINDOW)
    if not window.is_open(now):
        closes_at = window.closes_at
        assert closes_at is not None
        raise ScreeningStateError(
            errors.CORRECTION_WINDOW_CLOSED,
            closed_on=timezone.localtime(closes_at).strftime("%Y-%m-%d %H:%M"),
        )
    return window


def open_version(original_id: int) -> Screening | None:
    """The open (draft) amendment or correction of the version `original_id`, if there is one."""
    return (
        Screening.objects.filter(amends_id=original_id, status=ScreeningStatus.DRAFT)
        .only("pk", "version_kind")
        .first()
    )


def _pending(version: Screening) -> ScreeningStateError:
    code = (
        errors.CORRECTION_PENDING
        if version.version_kind == VersionKind.CORRECTION
        else errors.AMENDMENT_PENDING
    )
    return ScreeningStateError(code)


def refuse_if_open(original_id: int) -> None:
    """Refuse (AMENDMENT_PENDING or CORRECTION_PENDING) while a new version of it is open."""
    pending = open_version(original_id)
    if pending is not None:
        raise _pending(pending)


def save_new_version(version: Screening) -> None:
    """Insert the new draft `version`; when another one of the same original won the race (the
    database's one-open-version constraint), refuse with the same error as `refuse_if_open`."""
    assert version.amends_id is not None
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction stays usable
            version.save(force_insert=True)
    except IntegrityError:
        pending = open_version(version.amends_id)
        if pending is None:
            raise
        raise _pending(pending) from None
