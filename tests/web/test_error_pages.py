"""Refusals and failures are pages inside the layout with a way back, and one rule decides 403 or 404:
a foreign or missing record is 404, a forbidden action at one's own agency (or a page one's roles never
open) is 403."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from sightline.web import error_views
from tests import factories
from tests.conftest import World


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def youth(world: World) -> Any:
    return factories.registered_youth(
        world.agency_a, by=world.screener, intake_on=dt.date(2026, 1, 5)
    )


def test_a_missing_page_is_a_friendly_404_inside_the_layout(world: World) -> None:
    response = _client(world.screener).get("/no-such-page/")
    body = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Not found</h1>" in body and error_views.NOT_FOUND_TEXT in body
    assert 'href="/"' in body and "Go to your home page" in body
    assert reverse("web:youth-list") in body  # a screener is offered the youth search as well
    assert 'aria-label="Main"' in body  # the site's own navigation, not a bare error
    assert "tried" not in body and "URLconf" not in body  # nothing of Django's debug text


def test_another_agencys_youth_is_404_and_says_only_the_access_layers_words(
    world: World, youth: Any
) -> None:
    response = _client(world.outsider).get(reverse("web:youth-detail", args=[youth.pk]))
    assert response.status_code == 404
    assert "No such youth." in response.content.decode()
    assert youth.last_name not in response.content.decode()


def test_a_forbidden_action_at_ones_own_agency_is_a_friendly_403(world: World, youth: Any) -> None:
    response = _client(world.analyst).get(reverse("web:youth-detail", args=[youth.pk]))
    body = response.content.decode()
    assert response.status_code == 403
    assert "<h1>Not allowed</h1>" in body
    assert "You do not have permission to do this at this agency." in body
    assert "ask your agency administrator" in body and "Go to your home page" in body
    assert youth.last_name not in body


@pytest.mark.parametrize(
    "name", ["web:agency-screenings", "web:awaiting-review", "web:schedule-agency-index"]
)
def test_a_page_ones_roles_never_open_is_403_not_404(world: World, name: str) -> None:
    assert _client(world.screener).get(reverse(name)).status_code == 403


def test_the_500_page_needs_no_database_and_offers_a_way_back(
    db: None, django_assert_num_queries: Any
) -> None:
    request = RequestFactory().get("/")
    with django_assert_num_queries(0):
        response = error_views.server_error(request)
    body = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in body and 'href="/"' in body
    assert 'aria-label="Main"' in body and "Sign out" not in body
