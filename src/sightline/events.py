"""Domain events: what happened, told to the other apps after the change is committed.

A service publishes an event inside its transaction; subscribers run only once that transaction has
committed (a rolled-back change tells nobody), each in its own transaction, and a failing subscriber is
logged without undoing the change or stopping the others. Apps tell each other what happened this way
instead of importing each other's services: `youth` and `screenings` know nothing of `scheduling`,
which subscribes (in its AppConfig.ready) to keep the stored schedule current.

Events carry ids and codes only, never names or notes, because they may be logged.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import transaction

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    youth_id: int
    agency_id: int


@dataclass(frozen=True)
class YouthCreated(Event):
    pass


@dataclass(frozen=True)
class YouthChanged(Event):
    """Some of a youth's details changed; `fields` names them (never their values)."""

    fields: tuple[str, ...]


@dataclass(frozen=True)
class IntakeOpened(Event):
    intake_id: int


@dataclass(frozen=True)
class IntakeReassigned(Event):
    intake_id: int


@dataclass(frozen=True)
class IntakeClosed(Event):
    intake_id: int


@dataclass(frozen=True)
class ScreeningFinalized(Event):
    """A screening (or an amendment of one, `amends_id`) became final with concern level `level`."""

    screening_id: int
    level: str
    amends_id: int | None = None
    # The day of the contact: what a requested screening is fulfilled by (None: read it).
    screened_on: dt.date | None = None


@dataclass(frozen=True)
class FollowUpCompleted(Event):
    """A follow-up action of screening `screening_id` (screened on `screened_on`) was completed."""

    screening_id: int
    screened_on: dt.date


@dataclass(frozen=True)
class YouthDeleted(Event):
    """A youth's record was erased (retention); `slices` are (agency id, day) of its final screenings,
    for the reports to recount."""

    slices: tuple[tuple[int, dt.date], ...] = ()


E = TypeVar("E", bound=Event)
Subscriber = Callable[[Any], None]
_subscribers: dict[type[Event], list[Subscriber]] = defaultdict(list)


def subscribe(*kinds: type[Event]) -> Callable[[Callable[[E], None]], Callable[[E], None]]:
    """Register a function to be told of events of `kinds` after they are committed."""

    def register(handler: Callable[[E], None]) -> Callable[[E], None]:
        for kind in kinds:
            if handler not in _subscribers[kind]:
                _subscribers[kind].append(handler)
        return handler

    return register


def publish(event: Event) -> None:
    """Tell the subscribers of `event` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: dispatch(event))


def dispatch(event: Event, *, raise_errors: bool = False) -> None:
    """Run every subscriber of `event` now, each in its own transaction; a failure is logged (or, with
    `raise_errors`, raised: tests that run subscribers inside the test's transaction use it)."""
    for handler in list(_subscribers.get(type(event), ())):
        try:
            with transaction.atomic():
                handler(event)
        except Exception:  # one broken subscriber must not undo a committed change or stop the rest
            if raise_errors:
                raise
            logger.exception(
                "subscriber %s failed on %r", getattr(handler, "__name__", handler), event
            )
