"""Agency screenings as CSV, like the worklist: the page's filters, an EXPORT event with the row count,
cells that cannot run as formulas, and the same refusals as the page."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sightline.audit.models import AuditAction, AuditEvent
from sightline.screenings.exports import HEADER
from tests import factories
from tests.conftest import World


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _csv(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_export_has_the_filtered_rows_and_is_audited_with_their_count(world: World) -> None:
    youth = factories.registered_youth(
        world.agency_a, by=world.screener, first_name="=cmd", case_number="CW-9"
    )
    clear = factories.screening(youth, screener=world.screener, status="final", rating=2)
    factories.screening(youth, screener=world.supervisor, status="final", rating=0)
    client = _client(world.supervisor)
    page = client.get(reverse("web:agency-screenings"), {"level": "clear_concern"})
    assert reverse("web:agency-screenings-export") + "?level=clear_concern" in page.content.decode()

    response = client.get(reverse("web:agency-screenings-export"), {"level": "clear_concern"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["Cache-Control"] == "no-store"
    rows = _csv(response)
    assert rows[0] == list(HEADER)
    assert [row[0] for row in rows[1:]] == [str(clear.pk)]
    assert rows[1][2:4] == ["CW-9", "'=cmd"]  # a formula typed as a name never runs
    assert rows[1][9] == "Clear concern"
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert (event.actor, event.object_type) == (world.supervisor, "screening")
    assert event.detail["rows"] == 1 and event.detail["filters"] == {"level": "clear_concern"}
    assert "cmd" not in str(event.detail)


def test_a_bad_filter_exports_nothing(world: World) -> None:
    response = _client(world.supervisor).get(
        reverse("web:agency-screenings-export"), {"date_from": "not-a-date"}
    )
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


@pytest.mark.parametrize("persona", ["screener", "analyst", "outsider"])
def test_only_supervisors_export(world: World, persona: str) -> None:
    youth = factories.registered_youth(world.agency_a, by=world.screener)
    factories.screening(youth, screener=world.screener, status="final", rating=2)
    response = _client(getattr(world, persona)).get(reverse("web:agency-screenings-export"))
    assert response.status_code == 403
    assert "Rivera" not in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()
