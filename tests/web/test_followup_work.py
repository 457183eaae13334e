"""Follow-up work: open and overdue follow-ups on My caseload and the agency's follow-up list (filters,
CSV), a level's prompts as one-click actions, and a mandated report recorded with date and reference."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from sightline.audit.models import AuditAction, AuditEvent
from sightline.screenings import errors
from sightline.screenings.models import FollowUpAction
from sightline.screenings.services import followup_create
from tests import factories
from tests.conftest import World

TODAY = dt.date(2026, 12, 2)


@pytest.fixture(autouse=True)
def _today() -> Any:
    with time_machine.travel(dt.datetime(2026, 12, 2, 15, tzinfo=dt.UTC), tick=False):
        yield


def _table(response: Any) -> str:
    return response.content.decode().split("<tbody>", 1)[1].split("</tbody>", 1)[0]


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def final(world: World) -> Any:
    youth = factories.registered_youth(
        world.agency_a, by=world.screener, first_name="Sam", last_name="Rivera", case_number="CW-5"
    )
    return factories.screening(
        youth, screener=world.screener, status="final", rating=2, screened_on=dt.date(2026, 11, 1)
    )


@pytest.fixture
def followups(world: World, final: Any) -> dict[str, FollowUpAction]:
    def make(kind: str, due_on: dt.date, owner: Any) -> FollowUpAction:
        return followup_create(
            screening=final, by=world.supervisor, kind=kind, owner=owner, due_on=due_on
        )

    return {
        "late": make("safety_plan", dt.date(2026, 11, 13), world.screener),
        "soon": make("referral", dt.date(2026, 12, 9), world.screener),
        "theirs": make("supervisor_consult", dt.date(2026, 11, 30), world.supervisor),
    }


def test_my_caseload_lists_my_open_follow_ups_overdue_first(
    world: World, followups: dict[str, FollowUpAction]
) -> None:
    text = _client(world.screener).get(reverse("web:schedule-mine")).content.decode()
    assert "My open follow-ups" in text and "(2)" in text
    assert text.index("Safety plan") < text.index("Referral to specialised services")
    assert "Overdue by 19 days" in text  # the safety plan, due 13 Nov, still open on 2 Dec
    assert "Consult supervisor" not in text  # the supervisor's, not mine
    assert f"#followup-{followups['late'].pk}" in text


def test_the_agency_follow_up_list_filters_and_exports(
    world: World, followups: dict[str, FollowUpAction]
) -> None:
    client = _client(world.supervisor)
    url = reverse("web:agency-followups", args=[world.agency_a.pk])
    everything = client.get(url).content.decode()
    assert "Overdue by 19 days" in everything and "Overdue by 2 days" in everything
    overdue = _table(client.get(url, {"state": "overdue"}))
    assert "Safety plan" in overdue and "Referral to specialised" not in overdue
    referral = _table(client.get(url, {"kind": "referral"}))
    assert "Referral to specialised" in referral and "Safety plan" not in referral
    assert client.get(url, {"state": "lost"}).status_code == 400

    export = client.get(
        reverse("web:agency-followups-export", args=[world.agency_a.pk]), {"state": "overdue"}
    )
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert [row[6] for row in rows[1:]] == ["Safety plan", "Consult supervisor"]
    assert rows[1][9:11] == ["Overdue", "19"]
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.detail == {"kind": "followups", "filters": {"state": "overdue"}, "rows": 2}


@pytest.mark.parametrize(("persona", "status"), [("screener", 403), ("outsider", 404)])
def test_the_agency_follow_up_list_is_refused_to_others(
    world: World, followups: dict[str, FollowUpAction], persona: str, status: int
) -> None:
    client = _client(getattr(world, persona))
    for name in ("web:agency-followups", "web:agency-followups-export"):
        response = client.get(reverse(name, args=[world.agency_a.pk]))
        assert response.status_code == status
        assert "Rivera" not in response.content.decode()


def test_a_levels_prompts_are_one_click_actions_and_show_once_recorded(
    world: World, final: Any
) -> None:
    client = _client(world.screener)
    detail = reverse("web:screening-detail", args=[final.pk])
    page = client.get(detail).content.decode()
    assert "Act on the prompts" in page
    for label in ("Add mandated report", "Add referral", "Add safety plan"):
        assert label in page
    response = client.post(
        reverse("web:followup-create", args=[final.pk]),
        {"kind": "safety_plan", "owner": world.screener.pk, "due_on": "2026-12-05",
         "description": "Plan for the youth's safety with them and the team."},
    )  # fmt: skip
    assert response.status_code == 302
    created = FollowUpAction.objects.get()
    assert (created.kind, created.owner, created.due_on) == (
        "safety_plan",
        world.screener,
        dt.date(2026, 12, 5),
    )
    again = client.get(detail).content.decode()
    assert "Safety plan recorded" in again and "Add safety plan" not in again
    assert "Add referral" in again


def test_a_mandated_report_is_completed_with_its_date_and_reference(
    world: World, final: Any
) -> None:
    report = followup_create(
        screening=final, by=world.screener, kind="hotline_report", owner=world.screener,
        due_on=dt.date(2026, 12, 3),
    )  # fmt: skip
    client = _client(world.screener)
    page = client.get(reverse("web:screening-detail", args=[final.pk])).content.decode()
    assert "Date of the report" in page and "Report reference" in page
    url = reverse("web:followup-complete", args=[report.pk])
    missing = client.post(url, {"completed_on": "2026-12-01", "outcome": "Reported"})
    assert missing.status_code == 400
    assert escape(errors.FOLLOWUP_REFERENCE_REQUIRED) in missing.content.decode()
    done = client.post(
        url, {"completed_on": "2026-12-01", "outcome": "Reported", "reference": "HL-2026-8812"}
    )
    assert done.status_code == 302
    report.refresh_from_db()
    assert (report.completed_on, report.reference) == (dt.date(2026, 12, 1), "HL-2026-8812")
    shown = client.get(reverse("web:screening-detail", args=[final.pk])).content.decode()
    assert "reference HL-2026-8812" in shown


def test_the_follow_up_lists_take_a_fixed_number_of_queries(
    world: World, final: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(30):
        followup_create(
            screening=final, by=world.supervisor, kind="referral", owner=world.screener,
            due_on=dt.date(2026, 11, 1) + dt.timedelta(days=n),
        )  # fmt: skip
    supervisor, screener = _client(world.supervisor), _client(world.screener)
    with django_assert_max_num_queries(12):
        page = supervisor.get(reverse("web:agency-followups", args=[world.agency_a.pk]))
        assert page.status_code == 200
    with django_assert_max_num_queries(12):
        assert screener.get(reverse("web:schedule-mine")).status_code == 200
