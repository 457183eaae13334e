"""A Spanish-language screener completes a screening in Spanish (issue 21, point 7), in a real browser
at a laptop's width and a phone's. The browser asks for English: the person's own choice, stored on
their account, decides every page after sign-in. Screenshots go to var/screenshots/ (looked at by a
person, not compared by the test)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sightline import instruments
from sightline.screenings.models import Screening
from sightline.tenancy.models import Role
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests"
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
WIDTHS = {"laptop": 1366, "phone": 390}
# Four possible concerns outside every override give the possible-concern level.
POSSIBLE = {"housing_instability", "missing_episodes", "school_disconnection", "older_partner"}


def _no_sideways_scroll(page: Any) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


@pytest.mark.parametrize("device", list(WIDTHS))
def test_a_spanish_speaking_screener_screens_in_spanish(
    browser: Any, live_server: Any, device: str
) -> None:
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": WIDTHS[device], "height": 900}, locale="en-US"
    )
    context.set_default_timeout(30_000)
    page = context.new_page()
    SHOTS.mkdir(parents=True, exist_ok=True)

    def shot(name: str, *, full_page: bool = True) -> None:
        page.wait_for_load_state("load")
        page.screenshot(path=str(SHOTS / f"es-{device}-{name}.png"), full_page=full_page)

    agency = factories.agency(name="Harbor Child Welfare")
    screener = factories.member(
        agency, Role.SCREENER, username="lucia", trained_for=("cse-it-2.0",)
    )
    screener.first_name, screener.last_name, screener.language = "Lucía", "Mendoza", "es"
    screener.save(update_fields=["first_name", "last_name", "language"])
    factories.registered_youth(
        agency, by=screener, first_name="Mateo", last_name="Quispe", case_number="CW-21",
        intake_on=timezone.localdate() - dt.timedelta(days=40), assigned_to=screener,
    )  # fmt: skip
    spanish = instruments.load("cse-it-2.0").localized("es")

    # The sign-in page follows the browser (English); after it, the account's Spanish.
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("lucia")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hoy")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    shot("01-inicio")
    _no_sideways_scroll(page)

    # Find the youth.
    page.get_by_role("navigation", name="Principal").get_by_role(
        "link", name="Jóvenes", exact=True
    ).click()
    page.get_by_label("Nombre").fill("quis")
    page.get_by_role("button", name="Buscar").click()
    expect(
        page.get_by_role("heading", name=re.compile("Resultados de la búsqueda"))
    ).to_be_visible()
    shot("02-busqueda")
    _no_sideways_scroll(page)
    page.get_by_role("link", name="Quispe, Mateo").click()

    # Start a CSE-IT screening: the instrument, the options and the buttons are Spanish.
    page.get_by_role("link", name=re.compile("Iniciar (el primer )?tamizaje")).first.click()
    page.get_by_role("radio", name=spanish.title).check()
    page.get_by_label("Motivo del tamizaje").select_option(label="Admisión")
    page.get_by_role("checkbox", name="Registros de otras fuentes").check()
    page.get_by_label("Cuánto tiempo hace que conoce al joven").select_option(
        label="De una semana a un mes"
    )
    page.get_by_role("button", name="Iniciar borrador").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tamizaje en borrador")
    shot("03-borrador", full_page=False)
    _no_sideways_scroll(page)

    # Rate every key indicator by its Spanish title and options; autosave answers in Spanish.
    for number, indicator in enumerate(spanish.indicators, start=1):
        group = page.get_by_role("group", name=f"{number}. {indicator.title}", exact=True)
        rating = "Posible preocupación" if indicator.id in POSSIBLE else "Sin preocupación"
        group.get_by_role("group", name="Su calificación de este indicador clave").get_by_role(
            "radio", name=rating, exact=True
        ).check()
    expect(page.get_by_role("status").filter(has_text="Borrador guardado a las")).to_be_visible()
    page.wait_for_timeout(1000)
    page.wait_for_function("() => !document.querySelector('#draft-form.htmx-request')")
    result = page.locator("#result")
    expect(result.locator(".level__label")).to_have_text("Posible preocupación")
    shot("04-resultado-borrador", full_page=False)

    # Finalize: the level, its description and its prompts are the definition's Spanish.
    page.get_by_role("button", name="Guardar y finalizar").click()
    expect(page.get_by_text("Tamizaje finalizado.")).to_be_visible()
    level = spanish.level("possible_concern")
    expect(page.locator(".level__label").first).to_have_text(level.label)
    expect(page.get_by_text(level.follow_up[0])).to_be_visible()
    expect(page.get_by_role("heading", name="Seguimiento", exact=True)).to_be_visible()
    shot("05-finalizado")
    _no_sideways_scroll(page)
    finalized = Screening.objects.get(status="final")
    assert finalized.level == "possible_concern"
    assert page.get_by_text("Possible concern", exact=True).count() == 0
    context.close()
