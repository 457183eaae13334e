"""Each role's home starts with what is due today."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from sightline.screenings.services import followup_create
from sightline.tenancy.models import Role, TrainingRecord
from tests import factories
from tests.conftest import World


@pytest.fixture(autouse=True)
def _today() -> Any:
    with time_machine.travel(dt.datetime(2026, 12, 2, 15, tzinfo=dt.UTC), tick=False):
        yield


def _home(user: Any) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("web:home"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_screeners_home_lists_due_youth_open_follow_ups_and_drafts(world: World) -> None:
    youth = factories.registered_youth(
        world.agency_a, by=world.screener, first_name="Ola", last_name="Due",
        intake_on=dt.date(2026, 10, 1), assigned_to=world.screener,
    )  # fmt: skip
    final = factories.screening(
        youth, screener=world.screener, status="final", rating=2, screened_on=dt.date(2026, 11, 1)
    )
    followup_create(
        screening=final, by=world.screener, kind="safety_plan", owner=world.screener,
        due_on=dt.date(2026, 11, 13),
    )  # fmt: skip
    draft = factories.screening(youth, screener=world.screener)
    body = _home(world.screener)
    assert body.index("Screenings due") < body.index("Practice with an instrument")
    assert "Safety plan: Ola Due" in body and "Overdue by 19 days" in body
    assert "<strong>1 overdue,</strong> 0 not yet due" in body
    assert reverse("web:screening-edit", args=[draft.pk]) in body
    assert reverse("web:screening-start", args=[youth.pk]) in body


def test_the_supervisors_home_shows_review_and_team_overdue(world: World) -> None:
    youth = factories.registered_youth(world.agency_a, by=world.screener)
    factories.screening(youth, screener=world.screener, status="final", rating=1)
    body = _home(world.supervisor)
    assert "Your team" in body
    assert '<span class="stat__number">1</span> screening awaiting review' in body
    assert reverse("web:agency-followups", args=[world.agency_a.pk]) in body


def test_the_agency_admins_home_shows_training_running_out_and_people(world: World) -> None:
    newcomer = factories.member(world.agency_a, Role.SCREENER, username="newcomer")
    TrainingRecord.objects.create(
        user=newcomer, instrument_id="cse-it-2.0", trained_on=dt.date(2025, 1, 1),
        trainer="WestCoast", expires_on=dt.date(2026, 12, 20), recorded_by=world.agency_admin,
    )  # fmt: skip
    body = _home(world.agency_admin)
    assert "People and training" in body
    assert "newcomer: cse-it-2.0, expires 2026-12-20" in body
    # The screener's own training was renewed (it has a record without end): not listed.
    assert "screener: cse-it-2.0" not in body
    assert "active people at Harbor Child Welfare" in body


def test_the_system_admins_home_links_the_admin_and_health(world: World) -> None:
    body = _home(world.system_admin)
    assert reverse("admin:index") in body
    assert "Instrument versions installed" in body and "Last reminder digest sent" in body
