from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client

from sightline.audit.models import AuditAction, AuditEvent
from sightline.screenings.models import Screening
from sightline.tenancy.models import Agency, County, Membership, TrainingRecord, User
from sightline.youth.models import IntakeEpisode, Youth
from tests import factories
from tests.conftest import World

# WhiteNoise warns when STATIC_ROOT (var/test/static) was never collected; not what these tests are about.
pytestmark = pytest.mark.filterwarnings("ignore:No directory at:UserWarning")


@pytest.fixture
def admin_client_(world: World) -> Client:
    client = Client()
    client.force_login(world.system_admin)
    return client


def test_platform_models_are_registered() -> None:
    for model in (County, Agency, User, Membership, TrainingRecord, AuditEvent):
        assert admin.site.is_registered(model), model


def test_identified_youth_data_is_never_in_the_admin() -> None:
    for model in (Youth, IntakeEpisode, Screening):
        assert not admin.site.is_registered(model), model


@pytest.mark.parametrize(
    "url",
    [
        "/admin/tenancy/county/",
        "/admin/tenancy/agency/",
        "/admin/tenancy/user/",
        "/admin/tenancy/membership/",
        "/admin/tenancy/trainingrecord/",
        "/admin/audit/auditevent/",
    ],
)
def test_system_admin_opens_every_list(world: World, admin_client_: Client, url: str) -> None:
    factories.training(world.screener)
    AuditEvent.objects.create(
        action="view", object_type="youth", object_id="1", actor=world.screener
    )
    assert admin_client_.get(url).status_code == 200


def test_audit_log_in_the_admin_is_read_only(world: World, admin_client_: Client) -> None:
    event = AuditEvent.objects.create(action="view", object_type="youth", object_id="1")
    assert admin_client_.get("/admin/audit/auditevent/add/").status_code == 403
    assert admin_client_.get(f"/admin/audit/auditevent/{event.pk}/delete/").status_code == 403
    page = admin_client_.get(f"/admin/audit/auditevent/{event.pk}/change/")
    assert page.status_code == 200  # view only
    assert b'name="_save"' not in page.content
    assert admin_client_.post(f"/admin/audit/auditevent/{event.pk}/change/", {}).status_code == 403


def test_nothing_is_deleted_in_the_admin(world: World, admin_client_: Client) -> None:
    membership = Membership.objects.get(user=world.screener)
    response = admin_client_.get(f"/admin/tenancy/membership/{membership.pk}/delete/")
    assert response.status_code == 403


def test_admin_changes_are_audited_by_field_name(world: World, admin_client_: Client) -> None:
    agency = world.agency_b
    response = admin_client_.post(
        f"/admin/tenancy/agency/{agency.pk}/change/",
        {
            "name": "Bayside Probation Dept",
            "county": agency.county_id,
            "type": agency.type,
            "retention_years": 7,
        },
    )
    assert response.status_code == 302, response.content
    event = AuditEvent.objects.get()
    assert (event.action, event.object_type, event.object_id, event.actor) == (
        AuditAction.CHANGE,
        "agency",
        str(agency.pk),
        world.system_admin,
    )
    assert event.detail == {"fields": ["active", "name"], "via": "admin"}
    agency.refresh_from_db()
    assert not agency.active  # the unchecked box deactivated it


def test_admin_training_record_is_recorded_by_the_admin(
    world: World, admin_client_: Client
) -> None:
    response = admin_client_.post(
        "/admin/tenancy/trainingrecord/add/",
        {
            "user": world.analyst.pk,
            "instrument_id": "cse-it-2.0",
            "trained_on": "2025-01-01",
            "trainer": "Dana",
        },
    )
    assert response.status_code == 302, response.content
    record = TrainingRecord.objects.get(user=world.analyst)
    assert record.recorded_by == world.system_admin
    assert AuditEvent.objects.get().action == AuditAction.CREATE
