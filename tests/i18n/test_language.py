"""The language a person reads Sightline in: their own choice once signed in, the browser's before."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from sightline.scheduling import reminders
from sightline.screenings import errors as screening_errors
from sightline.screenings.errors import ScreeningError
from sightline.security.tasks import send_password_reset_task
from sightline.tenancy import errors as tenancy_errors
from sightline.tenancy import services as tenancy_services
from tests import factories
from tests.conftest import World
from tests.web.pages import page_text

pytestmark = pytest.mark.django_db


def _client(user: Any, **headers: str) -> Client:
    client = Client(headers=headers)
    client.force_login(user)
    return client


def _spanish(user: Any) -> Any:
    return tenancy_services.language_set(user=user, language="es")


def test_an_anonymous_page_follows_the_browser(client: Client) -> None:
    english = client.get(reverse("web:login"))
    spanish = client.get(reverse("web:login"), headers={"accept-language": "es-MX,es;q=0.9"})

    assert "Sign in" in page_text(english) and english["Content-Language"] == "en"
    assert "Iniciar sesión" in page_text(spanish) and spanish["Content-Language"] == "es"
    assert '<html lang="es">' in spanish.content.decode()


def test_a_signed_in_person_reads_their_own_language_whatever_the_browser(world: World) -> None:
    _spanish(world.screener)
    tenancy_services.language_set(user=world.supervisor, language="en")

    screener = _client(world.screener, accept_language="en-US").get(reverse("web:home"))
    supervisor = _client(world.supervisor, accept_language="es").get(reverse("web:home"))

    assert screener["Content-Language"] == "es"
    assert "Mis casos" in page_text(screener) and "Cerrar sesión" in page_text(screener)
    assert supervisor["Content-Language"] == "en"
    assert "Awaiting review" in page_text(supervisor)


def test_without_a_choice_the_browser_decides(world: World) -> None:
    assert world.screener.language == ""

    page = _client(world.screener, accept_language="es").get(reverse("web:home"))

    assert page["Content-Language"] == "es"


def test_the_account_page_sets_the_language_for_the_next_pages(world: World) -> None:
    client = _client(world.screener)
    account = client.get(reverse("web:account"))
    assert 'name="language"' in account.content.decode() and "Español" in page_text(account)

    saved = client.post(reverse("web:account-language"), {"language": "es"}, follow=True)

    world.screener.refresh_from_db()
    assert world.screener.language == "es"
    assert "Se guardó su idioma." in page_text(saved)
    assert "Su cuenta" in page_text(client.get(reverse("web:home")))
    client.post(reverse("web:account-language"), {"language": ""})
    world.screener.refresh_from_db()
    assert world.screener.language == ""


def test_a_language_that_is_not_offered_is_refused(world: World) -> None:
    client = _client(world.screener)

    client.post(reverse("web:account-language"), {"language": "xx"})

    world.screener.refresh_from_db()
    assert world.screener.language == ""
    with pytest.raises(tenancy_errors.TenancyError) as refused:
        tenancy_services.language_set(user=world.screener, language="klingon")
    assert refused.value.code == tenancy_errors.UNKNOWN_LANGUAGE


def test_a_service_refusal_is_worded_in_the_active_language_and_keeps_its_code() -> None:
    with translation.override("es"):
        error = ScreeningError(screening_errors.SCREENING_INCOMPLETE, missing="Vivienda")

    assert error.code == screening_errors.SCREENING_INCOMPLETE  # the English constant, always
    assert error.message == "Este tamizaje todavía no se puede finalizar. Falta: Vivienda."


def test_a_screening_page_shows_the_definition_in_spanish(world: World) -> None:
    _spanish(world.screener)
    youth = factories.registered_youth(world.agency_a, by=world.screener)
    screening = factories.screening(youth, screener=world.screener, status="final", rating=2)

    page = page_text(
        _client(world.screener).get(reverse("web:screening-detail", args=[screening.pk]))
    )

    assert "Preocupación clara" in page  # the level, from the definition's own translation
    assert "Vivienda inestable o insegura" in page  # a key indicator
    assert "Clear concern" not in page
    assert "Seguimiento" in page and "Actuar según las indicaciones" in page


def test_the_reminder_digest_is_written_in_the_recipients_language(world: World) -> None:
    _spanish(world.screener)
    rows = [
        reminders.DigestRow(
            label="CW-1", agency="Harbor", state="overdue", due_on=dt.date(2026, 3, 1)
        )
    ]

    spanish, _overdue, _due = reminders._message(world.screener, rows, dt.date(2026, 3, 2))
    english, _overdue, _due = reminders._message(world.supervisor, rows, dt.date(2026, 3, 2))

    assert spanish.subject == "Sightline: 1 joven con tamizaje vencido para tamizaje CSE-IT"
    assert "Recordatorio de Sightline" in spanish.body and "VENCIDO" in spanish.body
    assert "Sightline reminder" in english.body and english.subject.endswith("for CSE-IT screening")


def test_a_reset_link_is_mailed_in_the_account_holders_language(world: World) -> None:
    _spanish(world.screener)

    send_password_reset_task.enqueue(world.screener.email, None)
    send_password_reset_task.enqueue(world.supervisor.email, None)

    by_address = {message.to[0]: message for message in mail.outbox}
    spanish = by_address[world.screener.email]
    english = by_address[world.supervisor.email]
    assert spanish.subject == "Sightline: establezca una contraseña nueva"
    assert "Para establecerla, abra este enlace" in spanish.body
    assert english.subject == "Sightline: set a new password"
