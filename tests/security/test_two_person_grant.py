"""Two-person rule for roles given in Django's admin (issue 18, point 8): a system admin can make an
ordinary account and give it a role there, but the role grants nothing until someone else approves
it: an administrator of the agency on its People page, or another system admin for an agency that
has no administrator yet."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sightline.audit.models import AuditAction, AuditEvent
from sightline.tenancy import errors
from sightline.tenancy.models import Membership, Role
from sightline.tenancy.permissions import Permission, forget_grants, has_permission
from tests import factories
from tests.conftest import World
from tests.web.pages import page_text

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _admin_add(world: World, person: Any, agency: Any, role: str = Role.SCREENER) -> Membership:
    response = _client(world.system_admin).post(
        reverse("admin:tenancy_membership_add"),
        {"user": str(person.pk), "agency": str(agency.pk), "role": role, "active": "on"},
    )
    assert response.status_code == 302, page_text(response)
    return Membership.objects.get(user=person, agency=agency)


def _can_read_youth(person: Any, agency: Any) -> bool:
    forget_grants()
    return has_permission(person, Permission.YOUTH_VIEW, agency=agency)


def _person_page(world: World, membership: Membership) -> str:
    return reverse("web:agency-person", args=[membership.agency_id, membership.pk])


def test_a_role_given_in_the_admin_waits_and_grants_nothing(world: World) -> None:
    person = factories.user(username="newaccount")

    membership = _admin_add(world, person, world.agency_a)

    assert membership.awaiting_approval and not membership.active
    assert membership.requested_by_id == world.system_admin.pk
    assert not _can_read_youth(person, world.agency_a)
    youth = factories.registered_youth(
        world.agency_a, by=world.screener, first_name="Odalys", last_name="Brightwater"
    )
    client = _client(person)
    assert client.get(reverse("web:youth-detail", args=[youth.pk])).status_code == 404
    assert "Brightwater" not in page_text(client.get(reverse("web:youth-list")))
    event = AuditEvent.objects.get(object_type="membership", object_id=str(membership.pk))
    assert event.action == AuditAction.CREATE
    assert event.detail["event"] == "role_requested"


def test_the_agencys_admin_approves_it_on_the_people_page(world: World) -> None:
    person = factories.user(username="newaccount")
    membership = _admin_add(world, person, world.agency_a)
    admin = _client(world.agency_admin)

    listing = admin.get(reverse("web:agency-people", args=[world.agency_a.pk]))
    assert "waiting for your approval" in page_text(listing)
    assert "Waiting for approval" in page_text(admin.get(_person_page(world, membership)))

    response = admin.post(_person_page(world, membership), {"action": "approve"})

    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.active and not membership.awaiting_approval
    assert _can_read_youth(person, world.agency_a)
    granted = AuditEvent.objects.get(action=AuditAction.GRANT, object_id=str(membership.pk))
    assert granted.actor_id == world.agency_admin.pk
    assert granted.detail["event"] == "role_approved"
    assert granted.detail["requested_by"] == world.system_admin.pk


def test_declining_leaves_no_role(world: World) -> None:
    person = factories.user(username="newaccount")
    membership = _admin_add(world, person, world.agency_a)

    response = _client(world.agency_admin).post(
        _person_page(world, membership), {"action": "decline"}
    )

    assert response.status_code == 302
    membership.refresh_from_db()
    assert not membership.active and not membership.awaiting_approval
    assert not _can_read_youth(person, world.agency_a)
    assert AuditEvent.objects.filter(
        object_id=str(membership.pk), detail__event="role_declined"
    ).exists()


def test_widening_an_active_role_in_the_admin_waits_too(world: World) -> None:
    membership = Membership.objects.get(user=world.analyst, agency=world.agency_a)
    assert not _can_read_youth(world.analyst, world.agency_a)

    response = _client(world.system_admin).post(
        reverse("admin:tenancy_membership_change", args=[membership.pk]),
        {"role": Role.SCREENER, "screener_role": "", "active": "on"},
    )

    assert response.status_code == 302, page_text(response)
    membership.refresh_from_db()
    assert membership.role == Role.SCREENER
    assert membership.awaiting_approval and not membership.active
    assert not _can_read_youth(world.analyst, world.agency_a)


def test_ending_a_role_in_the_admin_applies_at_once(world: World) -> None:
    membership = Membership.objects.get(user=world.screener, agency=world.agency_a)

    response = _client(world.system_admin).post(
        reverse("admin:tenancy_membership_change", args=[membership.pk]),
        {"role": membership.role, "screener_role": membership.screener_role},
    )

    assert response.status_code == 302, page_text(response)
    membership.refresh_from_db()
    assert not membership.active and not membership.awaiting_approval
    assert not _can_read_youth(world.screener, world.agency_a)


def _admin_approve(client: Client, membership: Membership) -> str:
    response = client.post(
        reverse("admin:tenancy_membership_changelist"),
        {"action": "approve", "_selected_action": [str(membership.pk)]},
        follow=True,
    )
    assert response.status_code == 200
    return page_text(response)


def test_the_system_admin_who_asked_cannot_approve_it(world: World) -> None:
    person = factories.user(username="newaccount")
    membership = _admin_add(world, person, world.agency_b)  # agency B has no administrator

    text = _admin_approve(_client(world.system_admin), membership)

    assert errors.APPROVE_SOMEONE_ELSES in text
    membership.refresh_from_db()
    assert membership.awaiting_approval and not membership.active
    assert AuditEvent.objects.filter(
        action=AuditAction.DENIED, actor=world.system_admin, object_id=str(membership.pk)
    ).exists()


def test_another_system_admin_approves_for_an_agency_with_no_administrator(world: World) -> None:
    person = factories.user(username="newaccount")
    membership = _admin_add(world, person, world.agency_b)
    second = factories.user(username="sysadmin2", is_staff=True, is_superuser=True)

    text = _admin_approve(_client(second), membership)

    assert "approved" in text
    membership.refresh_from_db()
    assert membership.active and not membership.awaiting_approval
    assert _can_read_youth(person, world.agency_b)


def test_where_the_agency_has_administrators_they_decide(world: World) -> None:
    person = factories.user(username="newaccount")
    membership = _admin_add(world, person, world.agency_a)
    second = factories.user(username="sysadmin2", is_staff=True, is_superuser=True)

    text = _admin_approve(_client(second), membership)

    assert errors.APPROVED_BY_AGENCY in text
    membership.refresh_from_db()
    assert membership.awaiting_approval and not membership.active


def test_an_administrator_of_another_agency_cannot_approve(world: World) -> None:
    person = factories.user(username="newaccount")
    membership = _admin_add(world, person, world.agency_a)
    other_admin = factories.member(world.agency_b, Role.AGENCY_ADMIN, username="badmin")

    response = _client(other_admin).post(_person_page(world, membership), {"action": "approve"})

    assert response.status_code == 404
    membership.refresh_from_db()
    assert membership.awaiting_approval and not membership.active


def test_the_person_the_role_is_for_cannot_approve_it(world: World) -> None:
    membership = Membership.objects.get(user=world.agency_admin, agency=world.agency_a)
    response = _client(world.system_admin).post(
        reverse("admin:tenancy_membership_change", args=[membership.pk]),
        {"role": Role.SUPERVISOR, "screener_role": "", "active": "on"},
    )
    assert response.status_code == 302
    other = factories.member(world.agency_a, Role.AGENCY_ADMIN, username="secondadmin")

    own = _client(world.agency_admin).post(_person_page(world, membership), {"action": "approve"})
    membership.refresh_from_db()
    assert own.status_code == 404  # while it waits, the person holds no role here at all
    assert membership.awaiting_approval

    approved = _client(other).post(_person_page(world, membership), {"action": "approve"})
    membership.refresh_from_db()
    assert approved.status_code == 302
    assert membership.active and membership.role == Role.SUPERVISOR
