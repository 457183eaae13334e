"""The worklist's screener filter is a search-as-you-type picker, not a list of every casework member."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client
from django.urls import reverse

from sightline.tenancy.models import Role
from sightline.web.schedule_views import picker_label
from tests import factories
from tests.conftest import World


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _named(agency: Any, username: str, first: str, last: str = "") -> Any:
    person = factories.member(agency, Role.SCREENER, username=username)
    person.first_name, person.last_name = first, last
    person.save(update_fields=["first_name", "last_name"])
    return person


def _options(response: Any) -> list[str]:
    return re.findall(r'<option value="([^"]*)">', response.content.decode())


def test_the_page_lists_no_staff_and_the_picker_returns_at_most_20(world: World) -> None:
    for n in range(30):
        _named(world.agency_a, f"case{n:02d}", "Casey", f"Worker{n:02d}")
    _named(world.agency_b, "casefar", "Casey")
    client = _client(world.supervisor)
    page = client.get(reverse("web:schedule-agency", args=[world.agency_a.pk])).content.decode()
    assert "Worker05" not in page  # no drop-down of everyone
    assert 'list="screener-options"' in page and 'hx-get="' in page
    picker = reverse("web:schedule-agency-screeners", args=[world.agency_a.pk])
    found = _options(client.get(picker, {"screener": "cas"}))
    assert found[0] == "Unassigned" and len(found) == 21
    assert "Casey Worker00 (case00)" in found
    assert not any("casefar" in option for option in found)  # another agency's staff
    assert _options(client.get(picker, {"screener": "casey worker07"})) == [
        "Unassigned",
        "Casey Worker07 (case07)",
    ]


def test_what_the_picker_offers_or_a_unique_name_filters_without_javascript(world: World) -> None:
    url = reverse("web:schedule-agency", args=[world.agency_a.pk])
    client = _client(world.supervisor)
    _named(world.agency_a, "jdoe", "Jo", "Doe")
    label = picker_label(world.screener)
    for typed in (label, world.screener.username, str(world.screener.pk)):
        response = client.get(url, {"screener": typed})
        assert response.status_code == 200, typed
        assert f'value="{label}"' in response.content.decode()
    assert client.get(url, {"screener": "Unassigned"}).status_code == 200


def test_an_ambiguous_name_asks_for_more(world: World) -> None:
    for n in range(2):
        _named(world.agency_a, f"robin{n}", "Robin")
    response = _client(world.supervisor).get(
        reverse("web:schedule-agency", args=[world.agency_a.pk]), {"screener": "Robin"}
    )
    assert response.status_code == 400
    assert "Several people match “Robin”" in response.content.decode()


def test_the_picker_is_refused_like_the_worklist(world: World) -> None:
    picker = reverse("web:schedule-agency-screeners", args=[world.agency_a.pk])
    assert _client(world.screener).get(picker, {"screener": "s"}).status_code == 403
    assert _client(world.outsider).get(picker, {"screener": "s"}).status_code == 404
