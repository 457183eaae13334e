"""Every API read of identified data is an audit event naming what was seen, written through the
access layer's doors (`access.one(record=...)` for one record, `access.record_seen` for a list), on
the API channel: like the pages."""

from __future__ import annotations

from typing import Any

import pytest

from sightline.audit.models import AuditEvent
from tests.api.conftest import Records
from tests.conftest import World

LISTS = [
    ("/screenings", {}, "screening", "id"),
    ("/screenings", {"scope": "agency"}, "screening", "id"),
    ("/followups", {}, "followupaction", "id"),
    ("/worklist", {"days_ahead": 366}, "worklist", "intake_id"),
    ("/requested", {}, "requestedscreening", "id"),
]


def _last(**match: Any) -> AuditEvent:
    return AuditEvent.objects.filter(**match).latest("pk")


@pytest.mark.parametrize(("path", "query", "object_type", "key"), LISTS)
def test_a_list_read_names_every_record_it_showed(
    world: World,
    records: Records,
    api_as: Any,
    path: str,
    query: dict[str, Any],
    object_type: str,
    key: str,
) -> None:
    api = api_as(world.supervisor)
    before = AuditEvent.objects.count()

    answer = api.get(path, **query)

    assert answer.status_code == 200
    event = _last(action="view", object_type=object_type)
    assert event.pk > before and event.channel == "api" and event.actor_id == world.supervisor.pk
    assert event.detail["ids"] == [item[key] for item in answer.json()["items"]]
    assert event.detail["rows"] == len(answer.json()["items"])


def test_the_worklist_event_names_the_intakes_seen(
    world: World, records: Records, api_as: Any
) -> None:
    answer = api_as(world.supervisor).get(f"/agencies/{world.agency_a.pk}/worklist")

    assert answer.status_code == 200
    event = _last(action="view", object_type="worklist")
    assert event.agency_id == world.agency_a.pk
    assert event.detail["ids"] == [item["intake_id"] for item in answer.json()["items"]]


def test_one_intakes_schedule_is_a_view_of_that_intake(
    world: World, records: Records, api_as: Any
) -> None:
    api_as(world.screener).get(f"/intakes/{records.intake.pk}/schedule")

    event = _last(action="view", object_type="intakeepisode")
    assert (event.object_id, event.channel) == (str(records.intake.pk), "api")


def test_a_search_names_the_keys_and_the_youth_found_never_the_terms(
    world: World, records: Records, api_as: Any
) -> None:
    answer = api_as(world.screener).post("/youth/search", {"name": "alex rivera"})

    event = _last(action="search", object_type="youth")
    assert event.detail["keys"] == ["name"]
    assert event.detail["ids"] == [records.youth.pk] == [y["id"] for y in answer.json()["items"]]
    assert "alex" not in str(event.detail).lower()


def test_every_identified_read_of_the_api_writes_an_event(
    world: World, records: Records, api_as: Any
) -> None:
    """The GET operations that return a youth's records, one by one: each adds an event."""
    api = api_as(world.supervisor)
    reads = [
        f"/youth/{records.youth.pk}",
        f"/intakes/{records.intake.pk}",
        f"/intakes/{records.intake.pk}/schedule",
        "/screenings",
        f"/screenings/{records.final.pk}",
        "/followups",
        f"/followups/{records.followup.pk}",
        "/worklist",
        f"/agencies/{world.agency_a.pk}/worklist",
        "/requested",
        f"/fhir/QuestionnaireResponse/{records.final.pk}",
        f"/fhir/youth/{records.youth.pk}/Bundle",
    ]
    for path in reads:
        before = AuditEvent.objects.count()
        answer = api.get(path)
        assert answer.status_code in (200, 404), (path, answer.status_code)
        assert AuditEvent.objects.count() == before + 1, path
