"""Domain events reach subscribers only after the change commits, and a failing subscriber undoes
nothing. These tests keep the real after-commit behaviour (`real_events`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction

from sightline import events
from sightline.scheduling.models import IntakeSchedule
from sightline.youth.models import IntakeEpisode
from sightline.youth.services import intake_close
from tests import factories
from tests.conftest import World


@pytest.fixture
def heard(monkeypatch: pytest.MonkeyPatch) -> list[events.Event]:
    """Every IntakeClosed event delivered, in order, through a subscriber added for the test."""
    received: list[events.Event] = []
    table = {kind: list(handlers) for kind, handlers in events._subscribers.items()}
    monkeypatch.setattr(events, "_subscribers", table)
    events.subscribe(events.IntakeClosed)(received.append)
    return received


def _youth(world: World) -> Any:
    return factories.registered_youth(
        world.agency_a, by=world.screener, intake_on=dt.date(2026, 1, 5)
    )


def test_subscribers_hear_nothing_before_the_commit(
    world: World,
    real_events: None,
    heard: list[events.Event],
    django_capture_on_commit_callbacks: Any,
) -> None:
    youth = _youth(world)
    intake = IntakeEpisode.objects.get(youth=youth)
    with django_capture_on_commit_callbacks(execute=False) as pending:
        intake_close(intake=intake, by=world.screener, exit_on=dt.date(2026, 2, 1))
        assert heard == []
    assert len(pending) == 1
    pending[0]()
    assert heard == [
        events.IntakeClosed(youth_id=youth.pk, agency_id=world.agency_a.pk, intake_id=intake.pk)
    ]


def test_a_rolled_back_change_tells_nobody(
    world: World,
    real_events: None,
    heard: list[events.Event],
    django_capture_on_commit_callbacks: Any,
) -> None:
    youth = _youth(world)
    intake = IntakeEpisode.objects.get(youth=youth)
    with (
        django_capture_on_commit_callbacks(execute=True) as pending,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        intake_close(intake=intake, by=world.screener, exit_on=dt.date(2026, 2, 1))
        raise RuntimeError("the caller's transaction fails after the service")
    assert pending == []
    assert heard == []
    intake.refresh_from_db()
    assert intake.exit_on is None


def test_a_failing_subscriber_is_logged_and_undoes_nothing(
    world: World,
    real_events: None,
    heard: list[events.Event],
    django_capture_on_commit_callbacks: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    youth = _youth(world)
    intake = IntakeEpisode.objects.get(youth=youth)

    def broken(event: events.Event) -> None:
        raise ValueError("subscriber bug")

    events._subscribers[events.IntakeClosed].insert(0, broken)
    with django_capture_on_commit_callbacks(execute=True):
        intake_close(intake=intake, by=world.screener, exit_on=dt.date(2026, 2, 1))
    intake.refresh_from_db()
    assert intake.exit_on == dt.date(2026, 2, 1)  # the change stands
    assert len(heard) == 1  # the next subscriber still ran
    assert "subscriber bug" in caplog.text


def test_the_schedule_follows_a_committed_intake(
    world: World, real_events: None, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        youth = _youth(world)
    assert IntakeSchedule.objects.filter(youth_id=youth.pk).count() == 1


def test_youth_and_screening_services_do_not_call_scheduling() -> None:
    """The schedule learns of changes only through events (no import of scheduling from them)."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "src" / "sightline"
    for app in ("youth", "screenings"):
        for path in (root / app).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.module:
                    assert not node.module.startswith("sightline.scheduling"), (path, node.module)
