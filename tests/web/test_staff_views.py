"""Staff & training: the agency admin's list of people and their training, and recording training."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from sightline.audit.models import AuditAction, AuditEvent
from sightline.tenancy import errors
from sightline.tenancy.models import TrainingRecord
from tests import factories
from tests.conftest import World
from tests.web.pages import page_text as _text
from tests.web.pages import signed_in as _as

pytestmark = pytest.mark.django_db


def _form(world: World, **overrides: str) -> dict[str, str]:
    data = {
        "member": str(world.screener.pk),
        "instrument": "cse-it-brief",
        "trained_on": "2026-01-15",
        "trainer": "WestCoast Children's Clinic",
        "expires_on": "",
    }
    data.update(overrides)
    return data


def test_anonymous_is_sent_to_sign_in(client: Client) -> None:
    response = client.get(reverse("web:staff"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("web:login"))


def test_agency_admin_sees_members_with_current_and_expired_training(
    client: Client, world: World
) -> None:
    factories.training(
        world.analyst,
        instrument_id="cse-it-2.0",
        trained_on=dt.date(2020, 1, 1),
        expires_on=dt.date(2021, 1, 1),
    )
    response = _as(client, world.agency_admin).get(reverse("web:staff"))
    assert response.status_code == 200
    text = _text(response)
    assert "Harbor Child Welfare" in text
    for username in ("screener", "supervisor", "agencyadmin", "analyst", "researcher"):
        assert username in text
    assert "outsider" not in text
    assert "Current" in text
    assert "expires 2021-01-01 — Expired" in text
    assert "No training recorded" in text
    body = response.content.decode()
    for field in ("member", "instrument", "trained_on", "trainer", "expires_on"):
        assert f'for="id_{field}"' in body
    assert '<option value="cse-it-2.0">' in body


def test_recording_training_saves_it_through_the_service(client: Client, world: World) -> None:
    response = _as(client, world.agency_admin).post(
        reverse("web:staff"), _form(world, expires_on="2027-01-15")
    )
    assert response.status_code == 302
    record = TrainingRecord.objects.get(
        user=world.screener, instrument_id="cse-it-brief", recorded_by=world.agency_admin
    )
    assert (record.trained_on, record.expires_on) == (dt.date(2026, 1, 15), dt.date(2027, 1, 15))
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="trainingrecord"
    ).exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"trainer": ""}, "This field is required."),
        ({"trained_on": "2999-01-01"}, errors.TRAINED_IN_FUTURE),
        ({"expires_on": "2025-01-01"}, errors.EXPIRES_BEFORE_TRAINED),
        ({"instrument": "no-such"}, "Select a valid choice."),
    ],
)
def test_invalid_training_re_renders_with_the_message_and_writes_nothing(
    client: Client, world: World, overrides: dict[str, str], message: str
) -> None:
    records, events = TrainingRecord.objects.count(), AuditEvent.objects.count()
    response = _as(client, world.agency_admin).post(reverse("web:staff"), _form(world, **overrides))
    assert response.status_code == 400
    assert message in _text(response)
    assert "Nothing was saved" in _text(response)
    assert TrainingRecord.objects.count() == records
    assert AuditEvent.objects.count() == events


def test_a_person_outside_the_agency_cannot_be_chosen(client: Client, world: World) -> None:
    records = TrainingRecord.objects.count()
    response = _as(client, world.agency_admin).post(
        reverse("web:staff"), _form(world, member=str(world.outsider.pk))
    )
    assert response.status_code == 400
    assert TrainingRecord.objects.count() == records


@pytest.mark.parametrize(
    "persona", ["screener", "supervisor", "analyst", "researcher", "system_admin", "outsider"]
)
def test_everyone_but_the_agency_admin_gets_403(client: Client, world: World, persona: str) -> None:
    client = _as(client, getattr(world, persona))
    records = TrainingRecord.objects.count()
    assert client.get(reverse("web:staff")).status_code == 403
    assert client.post(reverse("web:staff"), _form(world)).status_code == 403
    assert TrainingRecord.objects.count() == records


def test_an_agency_admin_cannot_open_another_agencys_staff(client: Client, world: World) -> None:
    url = f"{reverse('web:staff')}?agency={world.agency_b.pk}"
    assert _as(client, world.agency_admin).get(url).status_code == 404
    assert client.get(f"{reverse('web:staff')}?agency=abc").status_code == 404


def test_an_admin_of_two_agencies_switches_between_them(client: Client, world: World) -> None:
    from sightline.tenancy.models import Membership, Role

    Membership.objects.create(
        user=world.agency_admin, agency=world.agency_b, role=Role.AGENCY_ADMIN
    )
    client = _as(client, world.agency_admin)
    first = _text(client.get(reverse("web:staff")))
    assert "Agencies you manage" in first
    b_page = client.get(f"{reverse('web:staff')}?agency={world.agency_b.pk}")
    assert b_page.status_code == 200
    assert "outsider" in _text(b_page)
    assert "supervisor" not in _text(b_page)
