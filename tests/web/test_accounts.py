"""Sign in, sign out, the signed-in home page and the navigation each role sees."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories
from tests.conftest import World
from tests.web.pages import page_text as _text

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests"
NOT_FOR_YOUR_ROLE = "Identified youth records are not available to your role."


def _signed_in(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def test_login_page_is_the_only_page_open_to_anonymous_visitors(client: Client) -> None:
    response = client.get(reverse("web:login"))
    assert response.status_code == 200
    text = _text(response)
    assert "Sign in" in text
    assert 'for="id_username"' in response.content.decode()
    assert 'for="id_password"' in response.content.decode()
    for name in ("web:home", "web:youth-list", "web:youth-create", "web:staff"):
        page = client.get(reverse(name))
        assert page.status_code == 302
        assert page.url.startswith(reverse("web:login") + "?next=")


@pytest.mark.parametrize(
    "url", ["/instruments/cse-it-2.0/", "/youth/1/", "/youth/1/edit/", "/intakes/1/close/"]
)
def test_practice_and_record_pages_send_anonymous_visitors_to_sign_in(
    client: Client, url: str
) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('web:login')}?next={url}"


def test_practice_scoring_post_needs_sign_in(client: Client) -> None:
    response = client.post(reverse("web:instrument-score", args=["cse-it-2.0"]), {})
    assert response.status_code == 302


def test_signing_in_with_the_right_password_goes_home(client: Client, world: World) -> None:
    response = client.post(
        reverse("web:login"), {"username": "screener", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("web:home")
    text = _text(response)
    assert "Today" in text and "screener: Screener at Harbor Child Welfare" in text


def test_a_wrong_password_is_refused_with_a_message(client: Client, world: World) -> None:
    response = client.post(reverse("web:login"), {"username": "screener", "password": "nope"})
    assert response.status_code == 200
    assert "Could not sign in" in _text(response)
    assert "_auth_user_id" not in client.session


def test_sign_out_is_a_post_and_ends_the_session(client: Client, world: World) -> None:
    _signed_in(client, world.screener)
    assert client.get(reverse("web:logout")).status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post(reverse("web:logout"))
    assert response.status_code == 302
    assert response.url == reverse("web:login")
    assert client.get(reverse("web:home")).status_code == 302


def test_home_shows_a_screeners_agency_role_and_counts(client: Client, world: World) -> None:
    factories.registered_youth(world.agency_a, by=world.screener)
    factories.registered_youth(world.agency_b, by=world.outsider, first_name="Other")
    youth = factories.registered_youth(world.agency_a, by=world.screener, first_name="Jo")
    factories.screening(youth, screener=world.screener)
    text = _text(_signed_in(client, world.screener).get(reverse("web:home")))
    assert "Screener at Harbor Child Welfare" in text
    assert "My drafts (1)" in text and "Continue: Jo Rivera" in text
    assert "Other" not in text  # another agency's youth
    assert NOT_FOR_YOUR_ROLE not in text


@pytest.mark.parametrize("persona", ["analyst", "researcher", "agency_admin", "system_admin"])
def test_home_tells_non_casework_roles_that_identified_records_are_not_theirs(
    client: Client, world: World, persona: str
) -> None:
    factories.registered_youth(world.agency_a, by=world.screener)
    response = _signed_in(client, getattr(world, persona)).get(reverse("web:home"))
    assert response.status_code == 200
    text = _text(response)
    # Each of these roles lands on its own work, not a dead end.
    landing = {
        "analyst": "Screening coverage",
        "researcher": "Your role reads de-identified data only",
        "agency_admin": "People and training",
        "system_admin": "Open the administration site",
    }
    assert landing[persona] in text
    assert "Rivera" not in text
    assert reverse("web:youth-list") not in response.content.decode()


def test_navigation_offers_each_role_only_its_sections(client: Client, world: World) -> None:
    def nav(user: Any) -> str:
        client.force_login(user)
        body = client.get(reverse("web:home")).content.decode()
        return body[body.index('<nav class="site-nav"') : body.index("</nav>")]

    screener = nav(world.screener)
    assert reverse("web:youth-list") in screener
    assert reverse("web:my-screenings") in screener
    assert reverse("web:agency-screenings") not in screener
    assert reverse("web:staff") not in screener
    assert 'method="post" action="/accounts/logout/"' in screener

    supervisor = nav(world.supervisor)
    assert reverse("web:agency-screenings") in supervisor

    admin = nav(world.agency_admin)
    assert reverse("web:staff") in admin
    assert reverse("web:youth-list") not in admin
