"""`POST /api/events`: case systems open and close intakes, and a return from missing or a change of
placement requests a screening due within the agency's window, shown on caseload and worklist."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client
from django.utils import timezone

from sightline.apitokens import errors as api_errors
from sightline.apitokens.models import ReceivedEvent
from sightline.scheduling.models import IntakeSchedule, RequestedScreening
from sightline.scheduling.services import policy_create
from sightline.youth.models import IntakeEpisode
from tests import factories
from tests.api.conftest import Records, complete_ratings
from tests.conftest import World


def _event(records: Records, **changes: Any) -> dict[str, Any]:
    return {
        "source": "cw-cms",
        "event_id": "evt-1001",
        "kind": "returned_from_missing",
        "youth_id": records.youth.pk,
        "occurred_at": (timezone.now() - dt.timedelta(hours=2)).isoformat(),
        **changes,
    }


def test_a_return_from_missing_requests_a_screening_due_in_72_hours(
    world: World, records: Records, api_as: Any
) -> None:
    body = _event(records)

    response = api_as(world.screener).post("/events", body)

    assert response.status_code == 201
    asked = RequestedScreening.objects.get()
    assert asked.reason == "returned_from_missing"
    assert asked.due_at - asked.occurred_at == dt.timedelta(hours=72)
    assert asked.intake_id == records.intake.pk
    assert response.json()["outcome"] == {
        "requested_screening_id": asked.pk,
        "due_at": asked.due_at.isoformat(),
    }
    listed = api_as(world.supervisor).get("/requested").json()["items"]
    assert [item["id"] for item in listed] == [asked.pk]


def test_the_window_is_the_agency_policys(world: World, records: Records, api_as: Any) -> None:
    policy_create(
        agency=world.agency_a,
        by=world.agency_admin,
        effective_from=timezone.localdate(),
        missing_return_hours=24,
        placement_change_hours=120,
    )

    api_as(world.screener).post("/events", _event(records))
    api_as(world.screener).post(
        "/events", _event(records, event_id="evt-1002", kind="placement_changed")
    )

    windows = {r.reason: r.due_at - r.occurred_at for r in RequestedScreening.objects.all()}
    assert windows == {
        "returned_from_missing": dt.timedelta(hours=24),
        "placement_changed": dt.timedelta(hours=120),
    }


def test_a_retried_event_changes_nothing_and_gets_the_first_outcome(
    world: World, records: Records, api_as: Any
) -> None:
    api = api_as(world.screener)
    body = _event(records)
    first = api.post("/events", body)

    again = [api.post("/events", body) for _ in range(5)]

    assert {r.status_code for r in again} == {200}
    assert all(r.json()["duplicate"] for r in again)
    assert all(r.json()["outcome"] == first.json()["outcome"] for r in again)
    assert RequestedScreening.objects.count() == 1
    assert ReceivedEvent.objects.count() == 1


def test_the_same_event_id_with_other_content_is_422(
    world: World, records: Records, api_as: Any
) -> None:
    api = api_as(world.screener)
    api.post("/events", _event(records))

    other = api.post("/events", _event(records, kind="placement_changed"))

    assert other.status_code == 422
    assert other.json()["errors"][0]["code"] == api_errors.EVENT_ID_REUSED
    assert RequestedScreening.objects.count() == 1


def test_the_requested_screening_shows_on_caseload_and_worklist_until_a_screening_is_final(
    world: World, records: Records, api_as: Any
) -> None:
    api_as(world.screener).post("/events", _event(records))
    screener, supervisor = Client(), Client()
    screener.force_login(world.screener)
    supervisor.force_login(world.supervisor)

    caseload = screener.get("/schedule/mine/")
    worklist = supervisor.get(f"/schedule/agency/{world.agency_a.pk}/")
    assert b"Requested screenings" in caseload.content
    assert b"Returned from missing" in caseload.content
    assert b"Requested screenings" in worklist.content

    factories.finalized_screening(
        records.youth,
        by=world.screener,
        screened_on=timezone.localdate(),
        ratings=complete_ratings(),
    )

    asked = RequestedScreening.objects.get()
    assert asked.fulfilled_at is not None
    assert asked.fulfilled_by_id is not None
    assert b"Requested screenings" not in screener.get("/schedule/mine/").content
    assert api_as(world.screener).get("/requested").json()["items"] == []


def test_a_screening_before_the_event_does_not_fulfil_it(
    world: World, records: Records, api_as: Any
) -> None:
    api_as(world.screener).post("/events", _event(records))

    factories.finalized_screening(
        records.youth,
        by=world.screener,
        screened_on=timezone.localdate() - dt.timedelta(days=3),
        ratings=complete_ratings(),
    )

    assert RequestedScreening.objects.get().fulfilled_at is None


def test_intake_events_open_and_close_the_clock(world: World, api_as: Any) -> None:
    youth = factories.registered_youth(world.agency_a, by=world.screener, last_name="Nguyen")
    api = api_as(world.screener)
    today = timezone.now().isoformat()

    opened = api.post(
        "/events",
        {
            "source": "cw-cms",
            "event_id": "open-1",
            "kind": "intake_opened",
            "youth_id": youth.pk,
            "occurred_at": today,
            "assigned_to_id": world.screener.pk,
        },
    )
    assert opened.status_code == 201
    intake = IntakeEpisode.objects.get(youth=youth)
    assert intake.assigned_to_id == world.screener.pk
    assert IntakeSchedule.objects.filter(intake=intake).exists()

    closed = api.post(
        "/events",
        {
            "source": "cw-cms",
            "event_id": "close-1",
            "kind": "intake_closed",
            "youth_id": youth.pk,
            "occurred_at": today,
        },
    )
    assert closed.status_code == 201
    intake.refresh_from_db()
    assert intake.exit_on == timezone.localdate()
    assert api.get(f"/intakes/{intake.pk}/schedule").status_code == 404


def test_an_event_that_the_service_refuses_is_not_recorded(
    world: World, records: Records, api_as: Any
) -> None:
    body = _event(records, kind="intake_opened", event_id="open-twice")

    refused = api_as(world.screener).post("/events", body)

    assert refused.status_code == 422  # the youth already has an open intake
    assert not ReceivedEvent.objects.exists()


def test_an_event_from_the_future_is_refused(world: World, records: Records, api_as: Any) -> None:
    future = (timezone.now() + dt.timedelta(days=1)).isoformat()

    refused = api_as(world.screener).post("/events", _event(records, occurred_at=future))

    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "occurred_at"
    assert not RequestedScreening.objects.exists()
