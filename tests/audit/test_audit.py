from __future__ import annotations

import pytest
from django.db import transaction
from django.test import RequestFactory

from sightline.audit.models import AppendOnlyError, AuditAction, AuditEvent
from sightline.audit.services import audit_record
from tests import factories
from tests.conftest import World


@pytest.fixture
def event(world: World) -> AuditEvent:
    return audit_record(
        actor=world.screener, action=AuditAction.VIEW, object_type="youth", object_id=7
    )


def test_event_records_who_what_which_when_and_where(world: World) -> None:
    youth = factories.youth(world.agency_a, created_by=world.screener)
    request = RequestFactory().get(
        "/youth/7?tab=screenings",
        REMOTE_ADDR="203.0.113.9",
        HTTP_USER_AGENT="Edge",
        HTTP_X_FORWARDED_FOR="198.51.100.1",
    )
    recorded = audit_record(
        actor=world.screener, action=AuditAction.VIEW, obj=youth, request=request
    )
    stored = AuditEvent.objects.get(pk=recorded.pk)
    assert stored.actor == world.screener
    assert (stored.action, stored.object_type, stored.object_id) == ("view", "youth", str(youth.pk))
    assert (stored.agency, stored.youth_id) == (world.agency_a, youth.pk)
    assert stored.at is not None
    assert stored.ip_address == "203.0.113.9"  # X-Forwarded-For is not trusted
    # The path only: a query string may carry what someone typed, so it is never kept.
    assert (stored.user_agent, stored.path) == ("Edge", "/youth/7")


def test_event_of_a_related_record_carries_its_youth(world: World) -> None:
    youth = factories.youth(world.agency_a, created_by=world.screener)
    intake = youth.intakes.get()
    recorded = audit_record(actor=world.screener, action=AuditAction.CHANGE, obj=intake)
    assert (recorded.object_type, recorded.youth_id, recorded.agency_id) == (
        "intakeepisode",
        youth.pk,
        world.agency_a.pk,
    )


def test_event_needs_an_object_type(db: None) -> None:
    with pytest.raises(ValueError):
        audit_record(actor=None, action=AuditAction.VIEW)
    assert not AuditEvent.objects.exists()


def test_anonymous_actor_is_recorded_as_none(db: None) -> None:
    from django.contrib.auth.models import AnonymousUser

    recorded = audit_record(actor=AnonymousUser(), action=AuditAction.DENIED, object_type="youth")
    assert recorded.actor is None


def test_an_event_cannot_be_changed(event: AuditEvent) -> None:
    event.detail = {"forged": True}
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(detail={})
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().update(action="create")
    with pytest.raises(AppendOnlyError), transaction.atomic():  # bulk_update dooms its transaction
        AuditEvent.objects.bulk_update([event], ["detail"])
    assert AuditEvent.objects.get(pk=event.pk).detail == {}


def test_an_event_cannot_be_deleted(event: AuditEvent) -> None:
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_actor_of_an_event_cannot_be_deleted(world: World, event: AuditEvent) -> None:
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        world.screener.delete()
