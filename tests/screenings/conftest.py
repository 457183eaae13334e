"""Fixtures for screening tests: a fixed today, a youth in each agency, and a way to start drafts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from sightline import instruments
from sightline.screenings.definitions import clear_cache
from sightline.screenings.models import Screening
from sightline.screenings.services import screening_start
from sightline.tenancy.models import User
from sightline.youth.models import Youth
from tests import factories
from tests.conftest import World

TODAY = dt.date(2026, 3, 10)
INSTRUMENT = "cse-it-2.0"


@pytest.fixture(autouse=True)
def _today() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(dt.datetime(2026, 3, 10, 20, tzinfo=dt.UTC), tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _fresh_definitions(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # Only the bundled definitions, and none cached from another test.
    monkeypatch.delenv("SIGHTLINE_INSTRUMENT_DIRS", raising=False)
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def definition() -> Any:
    return instruments.load(INSTRUMENT)


@pytest.fixture
def youth_a(world: World) -> Youth:
    return factories.youth(world.agency_a, created_by=world.screener)


@pytest.fixture
def youth_b(world: World) -> Youth:
    return factories.youth(world.agency_b, created_by=world.outsider)


def ratings(definition: Any, code: int = 0) -> dict[str, int]:
    """Every key indicator rated `code`."""
    return {indicator.id: code for indicator in definition.indicators}


def start(youth: Youth, by: User, **overrides: Any) -> Screening:
    """A complete-but-unrated draft started through the service."""
    values: dict[str, Any] = {
        "youth": youth,
        "by": by,
        "instrument_id": INSTRUMENT,
        "reason": "intake",
        "information_sources": ["records", "observation"],
        "screener_role": "child_welfare_worker",
        "known_for": "under_month",
        "screened_on": dt.date(2026, 3, 2),
    }
    values.update(overrides)
    return screening_start(**values)
