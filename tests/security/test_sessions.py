"""Sessions end 15 minutes after the last request and 12 hours after sign-in, whatever happens in
between; both endings are audited. The idle warning is a static script the CSP allows."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sightline.audit.models import AuditAction, AuditEvent
from tests.conftest import World

pytestmark = pytest.mark.django_db


def test_a_session_idle_for_15_minutes_ends(client: Client, world: World) -> None:
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client.force_login(world.screener)
        traveller.shift(dt.timedelta(minutes=14, seconds=50))
        assert client.get(reverse("web:home")).status_code == 200
        traveller.shift(dt.timedelta(minutes=14, seconds=50))  # active again just in time
        assert client.get(reverse("web:home")).status_code == 200
        traveller.shift(dt.timedelta(minutes=15, seconds=1))
        response = client.get(reverse("web:youth-list"))
    assert response.status_code == 302
    assert response.url == f"{reverse('web:login')}?next={reverse('web:youth-list')}"
    assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.get(action=AuditAction.SIGN_OUT)
    assert (event.actor_id, event.detail) == (world.screener.pk, {"reason": "idle"})


def test_a_session_ends_12_hours_after_sign_in_however_active(client: Client, world: World) -> None:
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client.force_login(world.screener)
        for _ in range(12 * 6 - 1):  # a request every 10 minutes for 11 h 50 min
            traveller.shift(dt.timedelta(minutes=10))
            assert client.get(reverse("web:home")).status_code == 200
        traveller.shift(dt.timedelta(minutes=10, seconds=1))
        assert client.get(reverse("web:home")).status_code == 302
    event = AuditEvent.objects.get(action=AuditAction.SIGN_OUT)
    assert event.detail == {"reason": "absolute"}


def test_an_htmx_request_after_the_limit_navigates_the_whole_page(
    client: Client, world: World
) -> None:
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client.force_login(world.screener)
        traveller.shift(dt.timedelta(minutes=16))
        response = client.get(reverse("web:youth-list"), HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("web:login"))


def test_the_idle_warning_is_wired_without_inline_script(client: Client, world: World) -> None:
    client.force_login(world.screener)
    body = client.get(reverse("web:home")).content.decode()
    assert '<meta name="sightline-session-idle" content="900"' in body
    assert 'src="/static/web/session.js"' in body
    assert 'id="session-warning"' in body
    assert client.get(reverse("web:session-keepalive")).status_code == 204
    # Last: closing a streamed file response ends the request (and, on PostgreSQL, its connection).
    script = client.get("/static/web/session.js")
    assert script.status_code == 200
    assert b"session-warning" in b"".join(script.streaming_content)
    script.close()


def test_the_session_cookie_dies_with_the_browser_and_is_http_only(
    client: Client, world: World
) -> None:
    response = client.post(
        reverse("web:login"), {"username": "screener", "password": "pw-for-tests"}
    )
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] and not cookie["expires"] and not cookie["max-age"]


def test_a_deactivated_person_is_signed_out_at_the_next_request(
    client: Client, world: World
) -> None:
    client.force_login(world.screener)
    assert client.get(reverse("web:home")).status_code == 200
    world.screener.is_active = False
    world.screener.save(update_fields=["is_active"])
    assert client.get(reverse("web:home")).status_code == 302


def test_a_request_after_sign_out_with_the_old_cookie_is_refused(world: World) -> None:
    client = Client()
    client.force_login(world.screener)
    old_cookie = client.cookies["sessionid"].value
    client.post(reverse("web:logout"))
    replay = Client()
    replay.cookies["sessionid"] = old_cookie
    assert replay.get(reverse("web:home")).status_code == 302
