"""The coverage page: defaults, bad input, scope and the CSV download.

"Today" is fixed at 2026-05-20, so the default period is the first quarter of 2026.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from sightline.audit.models import AuditAction, AuditEvent
from sightline.reporting import coverage as cov
from sightline.scheduling.services import schedule_refresh
from sightline.youth.models import IntakeEpisode
from tests import factories
from tests.conftest import World
from tests.web.pages import page_text as _text
from tests.web.pages import signed_in as _as

pytestmark = pytest.mark.django_db
URL = "/schedule/coverage/"


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 5, 20, 12, tzinfo=dt.UTC), tick=False):
        yield


def _intake(world: World, agency: Any, *, screened_after: int | None, program: str = "") -> Any:
    """A youth with an intake on 2026-01-05 (first screening due 2026-02-04), through the services."""
    in_a = agency == world.agency_a
    by = world.screener if in_a else world.outsider
    youth = factories.registered_youth(
        agency,
        by=by,
        last_name="Zephyrine",
        case_number=f"ZX-{IntakeEpisode.objects.count()}",
        intake_on=dt.date(2026, 1, 5),
        program=program,
        assigned_to=world.screener if in_a else None,
    )
    if screened_after is not None:
        on = dt.date(2026, 1, 5) + dt.timedelta(days=screened_after)
        factories.finalized_screening(youth, by=by, screened_on=on)
    return youth


@pytest.fixture
def figures(world: World) -> World:
    for days in (12, 30, 31, None):
        _intake(world, world.agency_a, screened_after=days, program="Group home")
    _intake(world, world.agency_b, screened_after=None)
    schedule_refresh()
    return world


def test_reverse_and_defaults_to_the_last_full_quarter(client: Client, figures: World) -> None:
    assert reverse("web:schedule-coverage") == URL
    assert cov.default_period(dt.date(2026, 5, 20)) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert cov.default_period(dt.date(2026, 1, 1)) == (dt.date(2025, 10, 1), dt.date(2025, 12, 31))
    response = _as(client, figures.supervisor).get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="2026-01-01"' in page and 'value="2026-03-31"' in page
    text = _text(response)
    assert "Harbor Child Welfare 4 50.0 % (2 of 4) 30 days 1 0 —" in text
    assert "Total 4 50.0 % (2 of 4) 30 days 1 0 —" in text
    assert "Bayside" not in text  # the supervisor's scope is agency A only
    assert "Zephyrine" not in text and "ZX-" not in text
    assert "shows counts as they are, small ones included" in text
    event = AuditEvent.objects.get(action=AuditAction.VIEW, object_type="coverage")
    assert event.detail["agency_ids"] == [figures.agency_a.pk]


def test_invalid_dates_say_what_is_wrong(client: Client, figures: World) -> None:
    response = _as(client, figures.supervisor).get(
        URL, {"start": "2026-03-01", "end": "2026-02-01"}
    )
    assert response.status_code == 400
    assert cov.PERIOD_REVERSED in _text(response)
    assert "No figures shown" in _text(response)
    response = client.get(URL, {"start": "yesterday"})
    assert response.status_code == 400 and "Enter a valid date" in _text(response)


def test_grouping_by_program_and_screener(client: Client, figures: World) -> None:
    text = _text(_as(client, figures.supervisor).get(URL, {"group_by": "program"}))
    assert "Harbor Child Welfare — Group home 4" in text
    text = _text(client.get(URL, {"group_by": "screener"}))
    assert "screener 4 50.0 % (2 of 4)" in text


def test_scope(client: Client, figures: World) -> None:
    analyst = _as(client, figures.analyst)
    assert "Harbor Child Welfare 4" in _text(analyst.get(URL))
    refused = analyst.get(URL, {"group_by": "screener"})
    assert refused.status_code == 400 and cov.SCREENER_GROUPING_REFUSED in _text(refused)
    other = analyst.get(URL, {"agency": str(figures.agency_b.pk)})
    assert other.status_code == 400 and "Bayside" not in _text(other)
    assert _as(client, figures.outsider).get(URL).status_code == 403
    assert _as(client, figures.screener).get(URL).status_code == 403


def test_csv_download(client: Client, figures: World) -> None:
    response = _as(client, figures.supervisor).get(
        reverse("web:schedule-coverage-export"), {"group_by": "program"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "coverage-program-2026-01-01-2026-03-31.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1] == [
        "Harbor Child Welfare — Group home",
        "4",
        "2",
        "50.0",
        "30",
        "1",
        "0",
        "0",
        "",
    ]
    assert rows[-1][0] == "Total"
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.detail["kind"] == "coverage"
    bad = client.get(reverse("web:schedule-coverage-export"), {"end": "2025-01-01"})
    assert bad.status_code == 400
