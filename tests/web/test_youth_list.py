"""The youth list: each youth's screening status and last level, filters and order, pages that keep
the filters, and a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from sightline.audit.models import AuditAction, AuditEvent
from tests import factories
from tests.conftest import World

TODAY = dt.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def _today() -> Any:
    with time_machine.travel(dt.datetime(2026, 6, 1, 15, tzinfo=dt.UTC), tick=False):
        yield


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _names(response: Any) -> list[str]:
    return re.findall(
        r'<th scope="row"><a href="/youth/\d+/">([^<]+)</a>', response.content.decode()
    )


@pytest.fixture
def youth(world: World) -> dict[str, Any]:
    """Overdue (intake in January, never screened), up to date (screened last month, clear), no intake,
    and one on the supervisor's caseload who is high risk."""
    overdue = factories.registered_youth(
        world.agency_a,
        by=world.screener,
        first_name="Olivia",
        last_name="Overdue",
        intake_on=dt.date(2026, 1, 5),
        assigned_to=world.screener,
    )
    screened = factories.registered_youth(
        world.agency_a,
        by=world.screener,
        first_name="Uma",
        last_name="Uptodate",
        intake_on=dt.date(2026, 4, 1),
        assigned_to=world.screener,
        date_of_birth=dt.date(2012, 1, 1),
    )
    factories.finalized_screening(screened, by=world.screener, screened_on=dt.date(2026, 5, 20))
    gone = factories.registered_youth(
        world.agency_a, by=world.screener, first_name="Nora", last_name="Nointake"
    )
    risky = factories.registered_youth(
        world.agency_a,
        by=world.screener,
        first_name="Hal",
        last_name="Highrisk",
        high_risk=True,
        intake_on=dt.date(2026, 5, 25),
        assigned_to=world.supervisor,
    )
    return {"overdue": overdue, "screened": screened, "gone": gone, "risky": risky}


def test_the_list_shows_each_youths_status_and_last_level(
    world: World, youth: dict[str, Any]
) -> None:
    response = _client(world.screener).get(reverse("web:youth-list"))
    body = response.content.decode()
    assert response.status_code == 200
    rows = dict(
        re.findall(r'<th scope="row"><a href="/youth/\d+/">([^<]+)</a>(.*?)</tr>', body, re.S)
    )
    assert "Overdue" in rows["Overdue, Olivia"] and "Never screened" in rows["Overdue, Olivia"]
    assert "2026-05-20 · " in rows["Uptodate, Uma"]
    assert "Up to date" in rows["Uptodate, Uma"]
    assert "No open intake" in rows["Nointake, Nora"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "overdue"}, ["Overdue, Olivia"]),
        ({"status": "up_to_date"}, ["Uptodate, Uma"]),
        ({"status": "no_intake"}, ["Nointake, Nora"]),
        ({"high_risk": "on"}, ["Highrisk, Hal"]),
        ({"mine": "on"}, ["Uptodate, Uma", "Overdue, Olivia"]),
        ({"sort": "due"}, ["Overdue, Olivia", "Highrisk, Hal", "Uptodate, Uma", "Nointake, Nora"]),
        (
            {"sort": "birth"},
            ["Uptodate, Uma", "Highrisk, Hal", "Nointake, Nora", "Overdue, Olivia"],
        ),
    ],
)
def test_filters_and_order(
    world: World, youth: dict[str, Any], query: dict[str, str], expected: list[str]
) -> None:
    response = _client(world.screener).get(reverse("web:youth-list"), query)
    assert response.status_code == 200
    names = _names(response)
    if query.get("sort") == "birth":  # same default birth date: ties fall back to newest first
        assert names[0] == expected[0] and set(names) == set(expected)
    else:
        assert names == expected


def test_the_last_level_filter_uses_the_latest_final_screening(
    world: World, youth: dict[str, Any]
) -> None:
    level = youth["screened"].screenings.get().level
    response = _client(world.screener).get(reverse("web:youth-list"), {"level": level})
    assert _names(response) == ["Uptodate, Uma"]


def test_an_unknown_filter_value_is_refused_not_ignored(
    world: World, youth: dict[str, Any]
) -> None:
    response = _client(world.screener).get(reverse("web:youth-list"), {"status": "lost"})
    assert response.status_code == 400 and _names(response) == []


def test_filters_are_audited_as_codes_and_pages_keep_them(world: World) -> None:
    for n in range(30):
        factories.youth(
            world.agency_a, created_by=world.screener, last_name=f"R{n}", high_risk=True
        )
    client = _client(world.screener)
    first = client.get(reverse("web:youth-list"), {"high_risk": "on"})
    assert "high_risk=on&amp;page=2" in first.content.decode()
    second = client.get(reverse("web:youth-list"), {"high_risk": "on", "page": "2"})
    assert len(_names(second)) == 5
    event = AuditEvent.objects.filter(action=AuditAction.SEARCH).order_by("pk").last()
    assert event is not None and event.detail["filters"] == {"high_risk": True}


def test_the_filtered_list_takes_a_fixed_number_of_queries(
    world: World, youth: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    for n in range(25):
        factories.registered_youth(
            world.agency_a, by=world.screener, last_name=f"Q{n}", intake_on=dt.date(2026, 3, 1)
        )
    client = _client(world.screener)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("web:youth-list"), {"sort": "due"}).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("web:youth-list"), {"status": "overdue"}).status_code == 200
