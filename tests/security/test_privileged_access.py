"""Privileged access in Django's admin: no self-granted membership; a password set by an admin is
audited and forces the owner to enrol a new second factor; the admin signs in through Sightline."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from sightline.audit.models import AuditAction, AuditEvent
from sightline.security.admin import SELF_GRANT_REFUSED
from sightline.security.models import TOTPDevice
from sightline.tenancy.models import Membership, Role
from tests.conftest import World
from tests.web.pages import page_text

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a quiet harbour at dawn"


def test_a_system_admin_cannot_give_itself_a_membership(client: Client, world: World) -> None:
    client.force_login(world.system_admin)
    before = Membership.objects.count()
    response = client.post(
        reverse("admin:tenancy_membership_add"),
        {
            "user": world.system_admin.pk,
            "agency": world.agency_b.pk,
            "role": Role.SCREENER,
            "active": "on",
        },
    )
    assert response.status_code == 200
    assert SELF_GRANT_REFUSED in page_text(response)
    assert Membership.objects.count() == before
    assert not Membership.objects.filter(user=world.system_admin, agency=world.agency_b).exists()


def test_a_system_admin_cannot_change_its_own_membership(client: Client, world: World) -> None:
    client.force_login(world.system_admin)
    own = Membership.objects.get(user=world.system_admin)
    response = client.post(
        reverse("admin:tenancy_membership_change", args=[own.pk]),
        {
            "user": world.system_admin.pk,
            "agency": own.agency_id,
            "role": Role.SUPERVISOR,
            "active": "on",
        },
    )
    assert SELF_GRANT_REFUSED in page_text(response)
    own.refresh_from_db()
    assert own.role == Role.SYSTEM_ADMIN


def test_granting_someone_else_works_and_is_audited(client: Client, world: World) -> None:
    client.force_login(world.system_admin)
    response = client.post(
        reverse("admin:tenancy_membership_add"),
        {
            "user": world.analyst.pk,
            "agency": world.agency_b.pk,
            "role": Role.ANALYST,
            "active": "on",
        },
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user=world.analyst, agency=world.agency_b)
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="membership", object_id=str(membership.pk)
    ).exists()


def test_a_password_set_in_the_admin_is_audited_and_resets_the_second_factor(
    world: World,
) -> None:
    TOTPDevice.objects.create(
        user=world.screener,
        secret="JBSWY3DPEHPK3PXP",
        created_at="2026-01-01T00:00Z",
        confirmed_at="2026-01-01T00:00Z",
    )
    victim = Client()
    victim.force_login(world.screener)
    admin = Client()
    admin.force_login(world.system_admin)
    response = admin.post(
        reverse("admin:auth_user_password_change", args=[world.screener.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302
    world.screener.refresh_from_db()
    assert world.screener.check_password(NEW_PASSWORD)
    assert not TOTPDevice.objects.filter(user=world.screener).exists()
    assert victim.get(reverse("web:home")).status_code == 302  # their sessions ended
    password = AuditEvent.objects.get(action=AuditAction.PASSWORD)
    assert (password.actor_id, password.object_id, password.detail["how"]) == (
        world.system_admin.pk,
        str(world.screener.pk),
        "admin",
    )
    reset = AuditEvent.objects.get(action=AuditAction.MFA)
    assert reset.detail["event"] == "reset" and reset.actor_id == world.system_admin.pk


def test_the_admin_signs_in_through_sightlines_own_page(client: Client) -> None:
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response.url == f"{reverse('web:login')}?next=/admin/"


def test_an_agency_admin_cannot_grant_itself_a_casework_role_through_the_app(
    world: World,
) -> None:
    from sightline.tenancy.access import Forbidden, NotFound
    from sightline.tenancy.errors import TenancyError
    from sightline.tenancy.services import membership_create

    with pytest.raises(TenancyError):
        membership_create(
            by=world.agency_admin,
            agency=world.agency_a,
            user=world.agency_admin,
            role=Role.SCREENER,
        )
    with pytest.raises((NotFound, Forbidden)):  # no staff permission at another agency
        membership_create(
            by=world.agency_admin,
            agency=world.agency_b,
            user=world.agency_admin,
            role=Role.SCREENER,
        )
    assert list(
        Membership.objects.filter(user=world.agency_admin).values_list("role", flat=True)
    ) == [Role.AGENCY_ADMIN]
