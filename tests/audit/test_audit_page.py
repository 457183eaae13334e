"""The audit page: agency admins see their agencies' events, system admins every event; filters,
pagination, and a CSV export that is itself audited with its row count."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse

from sightline.audit.models import AuditAction, AuditEvent
from sightline.audit.services import audit_record
from tests.conftest import World
from tests.web.pages import page_text

URL = reverse("web:audit-log")
EXPORT = reverse("web:audit-export")


@pytest.fixture
def events(world: World) -> None:
    audit_record(
        actor=world.screener,
        action=AuditAction.VIEW,
        object_type="youth",
        object_id=11,
        youth_id=11,
        agency_id=world.agency_a.pk,
    )
    audit_record(
        actor=world.outsider,
        action=AuditAction.CHANGE,
        object_type="youth",
        object_id=22,
        youth_id=22,
        agency_id=world.agency_b.pk,
    )
    audit_record(
        actor=world.system_admin, action=AuditAction.SIGN_IN, object_type="user", object_id=777
    )


def _export(client: Client, query: str = "") -> list[list[str]]:
    response = client.get(EXPORT + query)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    return list(csv.reader(io.StringIO(body)))


def test_an_agency_admin_sees_only_their_agencys_events(
    client: Client, world: World, events: None
) -> None:
    client.force_login(world.agency_admin)
    response = client.get(URL)
    assert response.status_code == 200
    text = page_text(response)
    assert "youth 11" in text
    assert "youth 22" not in text  # agency B's
    assert "user 777" not in text  # no agency: the system admin's only
    rows = _export(client)
    exported = {(row[5], row[6]) for row in rows[1:]}
    assert ("youth", "11") in exported
    assert ("youth", "22") not in exported and ("user", "777") not in exported


def test_a_system_admin_sees_every_event(client: Client, world: World, events: None) -> None:
    client.force_login(world.system_admin)
    text = page_text(client.get(URL))
    assert "youth 11" in text and "youth 22" in text and "user 777" in text


@pytest.mark.parametrize("persona", ["screener", "supervisor", "analyst", "researcher", "outsider"])
def test_other_roles_are_refused(client: Client, world: World, events: None, persona: str) -> None:
    # A page none of one's roles opens is a 403 (the access layer's one rule).
    client.force_login(getattr(world, persona))
    assert client.get(URL).status_code == 403
    assert client.get(EXPORT).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_filters_narrow_the_list(client: Client, world: World, events: None) -> None:
    client.force_login(world.system_admin)
    assert "youth 22" not in page_text(client.get(URL, {"youth_id": 11}))
    assert "youth 11" in page_text(client.get(URL, {"youth_id": 11}))
    by_actor = page_text(client.get(URL, {"actor": "outsider"}))
    assert "youth 22" in by_actor and "youth 11" not in by_actor
    by_action = page_text(client.get(URL, {"action": "sign_in"}))
    assert "user 777" in by_action and "youth 11" not in by_action
    by_type = page_text(client.get(URL, {"object_type": "user"}))
    assert "youth 11" not in by_type
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    assert "youth 11" not in page_text(client.get(URL, {"since": tomorrow}))
    assert "youth 11" in page_text(client.get(URL, {"until": tomorrow}))
    backwards = client.get(URL, {"since": tomorrow, "until": "2020-01-01"})
    assert backwards.status_code == 400


def test_the_list_is_paginated(client: Client, world: World) -> None:
    for i in range(60):
        audit_record(
            actor=world.screener,
            action=AuditAction.VIEW,
            object_type="screening",
            object_id=i,
            agency_id=world.agency_a.pk,
        )
    client.force_login(world.agency_admin)
    first = page_text(client.get(URL, {"object_type": "screening"}))
    assert "Page 1 of 2 (60 events)" in first
    second = page_text(client.get(URL, {"object_type": "screening", "page": 2}))
    assert "Page 2 of 2" in second


def test_the_export_is_audited_with_its_row_count(
    client: Client, world: World, events: None
) -> None:
    client.force_login(world.system_admin)
    rows = _export(client, "?action=view")
    exported = AuditEvent.objects.get(action=AuditAction.EXPORT, object_type="auditlog")
    assert exported.detail == {"filters": {"action": "view"}, "rows": len(rows) - 1}
    assert exported.actor == world.system_admin
    assert rows[0][0] == "at_utc"


def test_a_formula_in_an_exported_cell_is_neutralised(client: Client, world: World) -> None:
    audit_record(
        actor=world.screener,
        action=AuditAction.VIEW,
        object_type="youth",
        object_id="=HYPERLINK(1)",
        agency_id=world.agency_a.pk,
    )
    client.force_login(world.agency_admin)
    rows = _export(client)
    assert "'=HYPERLINK(1)" in [row[6] for row in rows]


def test_visiting_the_log_is_recorded(client: Client, world: World) -> None:
    client.force_login(world.agency_admin)
    client.get(URL, {"action": "view"})
    seen = AuditEvent.objects.get(object_type="auditlog", action=AuditAction.VIEW)
    assert seen.detail["filters"] == {"action": "view"}


@pytest.mark.filterwarnings("ignore:No directory at:UserWarning")
def test_a_password_set_in_the_django_admin_is_audited(client: Client, world: World) -> None:
    """The admin's password form bypasses save_model; the password set is still one event."""
    client.force_login(world.system_admin)
    url = reverse("admin:auth_user_password_change", args=[world.screener.pk])
    response = client.post(
        url, {"password1": "a-long-new-passphrase-4", "password2": "a-long-new-passphrase-4"}
    )
    assert response.status_code == 302
    # One event for the password (the security app's), beside the second factor it resets.
    events = AuditEvent.objects.filter(object_type="user", object_id=str(world.screener.pk))
    assert sorted(event.action for event in events) == [AuditAction.MFA, AuditAction.PASSWORD]
    event = events.get(action=AuditAction.PASSWORD)
    assert (event.actor, event.detail["how"]) == (world.system_admin, "admin")


@pytest.mark.filterwarnings("ignore:No directory at:UserWarning")
def test_an_audited_admin_save_is_one_event_not_two(client: Client, world: World) -> None:
    from sightline.tenancy.models import County

    client.force_login(world.system_admin)
    response = client.post(reverse("admin:tenancy_county_add"), {"name": "Marin", "state": "CA"})
    assert response.status_code == 302
    county = County.objects.get(name="Marin")
    assert AuditEvent.objects.filter(object_type="county", object_id=str(county.pk)).count() == 1
