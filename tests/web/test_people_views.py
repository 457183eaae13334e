"""The People pages: who may open them (role by own/other agency), search, pagination, empty state,
actions through the page, and the invited person's set-password page."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from sightline.audit.models import AuditAction, AuditEvent
from sightline.tenancy.models import Membership, Role, User
from tests import factories
from tests.conftest import World
from tests.web.pages import page_text, signed_in


def _people(agency: object) -> str:
    return reverse("web:agency-people", args=[agency.pk])  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("persona", "own", "other"),
    [
        ("agency_admin", 200, 404),
        ("screener", 403, 404),
        ("supervisor", 403, 404),
        ("analyst", 403, 404),
        ("researcher", 403, 404),
        ("outsider", 404, 403),  # the outsider screens at agency B: B is their own agency
    ],
)
def test_who_opens_the_people_pages(
    world: World, client: Client, persona: str, own: int, other: int
) -> None:
    signed_in(client, getattr(world, persona))
    membership = Membership.objects.get(user=world.screener)
    pages_a = [
        _people(world.agency_a),
        reverse("web:agency-people-invite", args=[world.agency_a.pk]),
        reverse("web:agency-person", args=[world.agency_a.pk, membership.pk]),
    ]
    for url in pages_a:
        assert client.get(url).status_code == own, url
    assert client.get(_people(world.agency_b)).status_code == other


def test_the_list_shows_roles_training_and_searches(world: World, client: Client) -> None:
    signed_in(client, world.agency_admin)
    text = page_text(client.get(_people(world.agency_a)))
    assert "screener" in text and "Current" in text and "None recorded" in text
    assert "Supervisor" in text and "Agency admin" in text
    found = page_text(client.get(_people(world.agency_a), {"q": "superv"}))
    assert "supervisor" in found and "researcher" not in found
    empty = page_text(client.get(_people(world.agency_a), {"q": "nobody-like-this"}))
    assert "No one here matches" in empty


def test_long_lists_are_paged(world: World, client: Client) -> None:
    admin_b = factories.member(world.agency_b, Role.AGENCY_ADMIN, username="admin_b")
    Membership.objects.filter(agency=world.agency_b).exclude(user=admin_b).delete()
    signed_in(client, admin_b)
    for n in range(30):
        Membership.objects.create(
            user=factories.user(username=f"staff{n:02d}"), agency=world.agency_b, role="screener"
        )
    first = client.get(_people(world.agency_b))
    assert "Page 1 of 2 (31 people)" in page_text(first)
    assert "staff29" not in page_text(first)
    assert "staff29" in page_text(client.get(_people(world.agency_b), {"page": 2}))


def test_invite_through_the_page_then_set_the_password_from_the_link(
    world: World, client: Client
) -> None:
    signed_in(client, world.agency_admin)
    response = client.post(
        reverse("web:agency-people-invite", args=[world.agency_a.pk]),
        {
            "email": "nia@example.org",
            "first_name": "Nia",
            "last_name": "Okafor",
            "role": "screener",
        },
    )
    assert response.status_code == 302
    person = User.objects.get(email="nia@example.org")
    assert "Invited" in page_text(client.get(_people(world.agency_a)))
    link = re.search(r"https?://[^/]+(/accounts/invitation/\S+)", mail.outbox[0].body).group(1)
    visitor = Client()
    page = visitor.get(link, follow=True)
    assert page.status_code == 200 and "Choose your password" in page_text(page)
    done = visitor.post(
        page.redirect_chain[-1][0],
        {
            "new_password1": "correct horse battery staple",
            "new_password2": "correct horse battery staple",
        },
    )
    assert done.status_code == 302
    person.refresh_from_db()
    assert person.check_password("correct horse battery staple")
    assert AuditEvent.objects.filter(
        action=AuditAction.PASSWORD, object_id=str(person.pk), detail__how="invitation"
    ).exists()
    again = Client().get(link, follow=True)
    assert "expired or has been used" in page_text(again)


def test_a_refused_invitation_shows_the_error(world: World, client: Client) -> None:
    signed_in(client, world.agency_admin)
    response = client.post(
        reverse("web:agency-people-invite", args=[world.agency_a.pk]),
        {"email": world.screener.email, "role": "screener"},
    )
    assert response.status_code == 400
    assert "already has a membership" in page_text(response)


def test_actions_on_the_person_page(world: World, client: Client) -> None:
    signed_in(client, world.agency_admin)
    membership = Membership.objects.get(user=world.screener)
    url = reverse("web:agency-person", args=[world.agency_a.pk, membership.pk])
    assert client.post(url, {"action": "role", "role": "supervisor"}).status_code == 302
    membership.refresh_from_db()
    assert membership.role == "supervisor"
    assert client.post(url, {"action": "retrain", "instrument": ""}).status_code == 302
    assert "Re-training required" in page_text(client.get(url))
    assert client.post(url, {"action": "role", "role": "system_admin"}).status_code == 400
    assert client.post(url, {"action": "deactivate"}).status_code == 302
    world.screener.refresh_from_db()
    assert not world.screener.is_active
    assert client.post(url, {"action": "explode"}).status_code == 400


def test_an_admin_cannot_act_on_their_own_membership_through_the_page(
    world: World, client: Client
) -> None:
    signed_in(client, world.agency_admin)
    own = Membership.objects.get(user=world.agency_admin)
    url = reverse("web:agency-person", args=[world.agency_a.pk, own.pk])
    assert "This is you" in page_text(client.get(url))
    assert client.post(url, {"action": "role", "role": "screener"}).status_code == 403


def test_a_membership_of_another_agency_is_404_under_ones_own_agency(
    world: World, client: Client
) -> None:
    admin_b = factories.member(world.agency_b, Role.AGENCY_ADMIN, username="admin_b")
    signed_in(client, admin_b)
    foreign = Membership.objects.get(user=world.screener)
    url = reverse("web:agency-person", args=[world.agency_b.pk, foreign.pk])
    assert client.post(url, {"action": "deactivate"}).status_code == 404
    world.screener.refresh_from_db()
    assert world.screener.is_active
