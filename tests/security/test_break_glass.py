"""Break-glass (issue 18 point 8, HIPAA emergency access): a system admin's access to an agency they
hold no role in needs a reason and a duration, reads only, alerts the agency's admins without naming a
youth, is on the agency's audit page, stamps every read with its grant id, and ends by itself. And no
privileged account gets an agency role through the Django admin, the system admin's own or a second.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sightline.audit.context import AuditContext
from sightline.audit.models import AuditEvent
from sightline.common.errors import ServiceError
from sightline.security.admin import STAFF_GRANT_REFUSED
from sightline.tenancy import breakglass
from sightline.tenancy.models import BreakGlassGrant, Membership, Role
from tests import factories
from tests.conftest import World

REASON = "Child protection hotline escalation, case review needed tonight"


@pytest.fixture
def b_youth(world: World) -> Any:
    return factories.registered_youth(
        world.agency_b, by=world.outsider, first_name="Odalys", last_name="Brightwater"
    )


@pytest.fixture
def b_admin(world: World) -> Any:
    return factories.member(world.agency_b, Role.AGENCY_ADMIN, username="badmin")


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _open(client: Client, world: World, *, hours: int = 2, reason: str = REASON) -> Any:
    return client.post(
        reverse("web:break-glass"),
        {"agency": str(world.agency_b.pk), "reason": reason, "hours": str(hours)},
    )


def test_a_grant_gives_read_only_access_and_ends_by_itself(
    world: World, b_youth: Any, b_admin: Any
) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client = _client(world.system_admin)
        detail = reverse("web:youth-detail", args=[b_youth.pk])
        assert client.get(detail).status_code == 404  # no access before

        opened = _open(client, world, hours=2)

        assert opened.status_code == 302
        grant = BreakGlassGrant.objects.get()
        assert grant.expires_at == start + dt.timedelta(hours=2)
        assert not Membership.objects.filter(
            user=world.system_admin, agency=world.agency_b
        ).exists()
        assert client.get(detail).status_code == 200
        assert client.get(reverse("web:youth-edit", args=[b_youth.pk])).status_code == 403
        view = AuditEvent.objects.filter(action="view", object_type="youth").latest("pk")
        assert view.detail["break_glass"] == grant.pk and view.agency_id == world.agency_b.pk

        clock.move_to(start + dt.timedelta(hours=2, seconds=1))
        client = _client(world.system_admin)  # a new request after the expiry
        assert client.get(detail).status_code == 404


def test_the_agency_admins_are_alerted_without_a_youth_or_the_reason(
    world: World, b_youth: Any, b_admin: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _open(_client(world.system_admin), world)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [b_admin.email]
    text = message.subject + message.body
    assert world.agency_b.name in text and world.system_admin.username in text
    for secret in ("Odalys", "Brightwater", "hotline"):
        assert secret not in text


def test_the_grant_is_on_the_agencys_audit_page(world: World, b_youth: Any, b_admin: Any) -> None:
    _open(_client(world.system_admin), world)
    grant = BreakGlassGrant.objects.get()

    page = _client(b_admin).get(reverse("web:audit-log"), {"object_type": "breakglassgrant"})

    assert page.status_code == 200
    event = AuditEvent.objects.get(object_type="breakglassgrant", action="create")
    assert event.agency_id == world.agency_b.pk and event.detail["break_glass"] == grant.pk
    assert world.system_admin.username.encode() in page.content


@pytest.mark.parametrize(
    ("hours", "reason", "code"),
    [
        (5, REASON, breakglass.BAD_DURATION),
        (0, REASON, breakglass.BAD_DURATION),
        (2, "because", breakglass.REASON_REQUIRED),
    ],
)
def test_a_reason_and_a_bounded_duration_are_required(
    world: World, hours: int, reason: str, code: str
) -> None:
    with pytest.raises(ServiceError) as refused:
        breakglass.break_glass_open(
            by=world.system_admin,
            agency_id=world.agency_b.pk,
            reason=reason,
            hours=hours,
            context=AuditContext.system(),
        )
    assert refused.value.code == code
    assert not BreakGlassGrant.objects.exists()


def test_the_maximum_is_a_setting(world: World, settings: Any) -> None:
    settings.SIGHTLINE_BREAK_GLASS_MAX_HOURS = 8
    grant = breakglass.break_glass_open(
        by=world.system_admin,
        agency_id=world.agency_b.pk,
        reason=REASON,
        hours=8,
        context=AuditContext.system(),
    )
    assert grant.expires_at - grant.starts_at == dt.timedelta(hours=8)


@pytest.mark.parametrize("persona", ["screener", "supervisor", "agency_admin", "analyst"])
def test_only_system_admins_may_open_one(world: World, persona: str) -> None:
    user = getattr(world, persona)
    assert _open(_client(user), world).status_code == 403
    with pytest.raises(ServiceError):
        breakglass.break_glass_open(
            by=user,
            agency_id=world.agency_b.pk,
            reason=REASON,
            hours=1,
            context=AuditContext.system(),
        )
    assert not BreakGlassGrant.objects.exists()


def test_a_staff_flag_alone_is_not_enough(world: World) -> None:
    staff = factories.member(world.agency_a, Role.SCREENER, username="staffscreener")
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    with pytest.raises(ServiceError) as refused:
        breakglass.break_glass_open(
            by=staff, agency_id=world.agency_b.pk, reason=REASON, hours=1, context=AuditContext()
        )
    assert refused.value.code == breakglass.NOT_PRIVILEGED


def test_an_ended_grant_gives_nothing(world: World, b_youth: Any) -> None:
    client = _client(world.system_admin)
    _open(client, world)
    grant = BreakGlassGrant.objects.get()
    breakglass.break_glass_end(grant=grant, by=world.system_admin, context=AuditContext.system())

    assert client.get(reverse("web:youth-detail", args=[b_youth.pk])).status_code == 404


def test_the_reason_is_stored_encrypted(world: World) -> None:
    from django.db import connection

    _open(_client(world.system_admin), world)
    with connection.cursor() as cursor:
        cursor.execute("SELECT reason FROM tenancy_breakglassgrant")
        (stored,) = cursor.fetchone()
    assert "hotline" not in str(stored)
    assert BreakGlassGrant.objects.get().reason == REASON


# --- the Django admin: no privileged account gets an agency role there ------------------------------


def _admin_add_membership(world: World, user: Any, agency: Any) -> Any:
    client = _client(world.system_admin)
    return client.post(
        reverse("admin:tenancy_membership_add"),
        {"user": str(user.pk), "agency": str(agency.pk), "role": Role.SCREENER, "active": "on"},
    )


def test_a_second_staff_account_gets_no_membership_in_the_admin(world: World) -> None:
    second = factories.user(username="sysadmin2", is_staff=True)

    response = _admin_add_membership(world, second, world.agency_b)

    assert response.status_code == 200  # the form again, with the refusal
    assert STAFF_GRANT_REFUSED.split(":")[0].encode() in response.content
    assert not Membership.objects.filter(user=second).exists()


def test_an_ordinary_account_still_gets_one(world: World) -> None:
    person = factories.user(username="newscreener")

    response = _admin_add_membership(world, person, world.agency_b)

    assert response.status_code == 302  # saved, waiting for a second person (test_two_person_grant)
    assert Membership.objects.get(user=person, agency=world.agency_b).awaiting_approval
