"""Self-service password change, reset by e-mail (single-use, expiring links; the same answer for an
unknown address), and sign-out everywhere."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sightline.audit.models import AuditAction, AuditEvent
from tests.conftest import World
from tests.web.pages import page_text

pytestmark = pytest.mark.django_db
PASSWORD = "pw-for-tests"
NEW_PASSWORD = "a quiet harbour at dawn"


def _sign_in(client: Client, password: str = PASSWORD) -> None:
    client.post(reverse("web:login"), {"username": "screener", "password": password})


def test_a_person_changes_their_password_and_their_other_sessions_end(world: World) -> None:
    here, elsewhere = Client(), Client()
    _sign_in(here)
    _sign_in(elsewhere)
    response = here.post(
        reverse("web:password-change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert here.get(reverse("web:home")).status_code == 200  # this session stays
    assert elsewhere.get(reverse("web:home")).status_code == 302  # the other one is gone
    world.screener.refresh_from_db()
    assert world.screener.check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get(action=AuditAction.PASSWORD)
    assert (event.actor_id, event.object_id, event.detail["how"]) == (
        world.screener.pk,
        str(world.screener.pk),
        "changed",
    )


def test_a_change_to_a_common_password_is_refused(client: Client, world: World) -> None:
    _sign_in(client)
    response = client.post(
        reverse("web:password-change"),
        {
            "old_password": PASSWORD,
            "new_password1": "password1234",
            "new_password2": "password1234",
        },
    )
    assert response.status_code == 200
    assert "common or breached" in page_text(response)
    assert not AuditEvent.objects.filter(action=AuditAction.PASSWORD).exists()


def _reset_link() -> str:
    (message,) = mail.outbox
    match = re.search(r"https?://[^/\s]+(/accounts/password/reset/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_reset_by_email_sets_the_password_once(client: Client, world: World) -> None:
    world.screener.email = "jo@harbor.example"
    world.screener.save()
    response = client.post(reverse("web:password-reset"), {"email": "jo@harbor.example"})
    assert response.url == reverse("web:password-reset-done")
    link = _reset_link()
    assert "screener" not in link
    form_page = client.get(link, follow=True)  # Django moves the token out of the URL
    set_url = form_page.redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    world.screener.refresh_from_db()
    assert world.screener.check_password(NEW_PASSWORD)
    again = Client().get(link, follow=True)
    assert "has expired or has been used" in page_text(again)
    assert [
        e.detail["how"]
        for e in AuditEvent.objects.filter(action=AuditAction.PASSWORD).order_by("pk")
    ] == [
        "reset_link_sent",
        "reset",
    ]


def test_a_reset_link_expires_after_an_hour(client: Client, world: World) -> None:
    world.screener.email = "jo@harbor.example"
    world.screener.save()
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client.post(reverse("web:password-reset"), {"email": "jo@harbor.example"})
        traveller.shift(dt.timedelta(hours=1, minutes=1))
        page = client.get(_reset_link(), follow=True)
    assert "has expired or has been used" in page_text(page)


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client: Client, world: World) -> None:
    world.screener.email = "jo@harbor.example"
    world.screener.save()
    known = client.post(reverse("web:password-reset"), {"email": "jo@harbor.example"}, follow=True)
    mail.outbox.clear()
    unknown = client.post(reverse("web:password-reset"), {"email": "no@one.example"}, follow=True)
    assert page_text(known) == page_text(unknown)
    assert known.redirect_chain == unknown.redirect_chain
    assert mail.outbox == []


def test_sign_out_everywhere_ends_every_session(world: World) -> None:
    first, second = Client(), Client()
    _sign_in(first)
    _sign_in(second)
    response = first.post(reverse("web:logout-everywhere"))
    assert response.url == reverse("web:login")
    for client in (first, second):
        assert client.get(reverse("web:home")).status_code == 302
    event = AuditEvent.objects.get(action=AuditAction.SIGN_OUT, detail__reason="everywhere")
    assert event.detail["sessions"] == 2


def test_the_account_page_shows_factor_and_sessions(client: Client, world: World) -> None:
    client.force_login(world.screener)
    text = page_text(client.get(reverse("web:account")))
    assert "No authenticator app is set up; your role needs one" in text
    assert "signed in in 1 session" in text
