"""Each report dashboard in a real browser: an agency's own report for its supervisor, a county's and
a state's for an analyst (small numbers hidden), and an export prepared with its progress.
Screenshots go to var/screenshots/ for a person to look at."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from sightline.reporting.rollups import rebuild
from sightline.synth import SynthParams, generate
from sightline.synth.db import write_population
from sightline.tenancy.models import Agency, Membership, Role, User
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests"
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def _sign_in(page: Any, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name=re.compile("Sign out"))).to_be_visible()


def _shot(page: Any, name: str, *, of: Any = None) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_load_state("load")
    (of or page).screenshot(path=str(SHOTS / f"{name}.png"), **({} if of else {"full_page": True}))


def test_each_dashboard_opens_with_charts_tables_and_suppression(page: Any) -> None:
    # A report's first view draws every chart (later views reuse them); on a busy CI machine that
    # takes seconds, so this test waits longer than the others.
    page.set_default_timeout(90_000)
    today = dt.date.today()
    write_population(
        generate(
            SynthParams(
                seed=7,
                youth=500,
                counties=2,
                agencies_per_county=5,
                start=dt.date(today.year - 1, 1, 1),
                end=today,
            )
        )
    )
    rebuild()
    agency = Agency.objects.order_by("pk").first()
    assert agency is not None
    supervisor = factories.member(agency, Role.SUPERVISOR, username="sam")
    analyst: User = factories.user(username="ana")
    for each in Agency.objects.all():
        Membership.objects.create(user=analyst, agency=each, role=Role.ANALYST)
    last_year = f"?period=year&start={today.year - 1}-01"

    _sign_in(page, supervisor.username)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    page.get_by_role("link", name=agency.name).first.click()
    page.goto(page.url + last_year)
    expect(page.get_by_role("heading", level=1)).to_have_text(agency.name)
    expect(page.locator("figure.report-chart img").first).to_be_visible()
    expect(page.get_by_text("Your agency's own figures, not suppressed")).to_be_visible()
    _shot(page, "reports-01-agency-top", of=page.locator("main"))
    _shot(page, "reports-02-agency-gender", of=page.locator("section[aria-labelledby='t-gender']"))
    page.get_by_role("button", name=re.compile("Sign out")).click()

    _sign_in(page, analyst.username)
    county = agency.county
    page.goto(f"/reports/area/{last_year}&level=county&key={county.pk}")
    expect(page.get_by_text("Small numbers are hidden.")).to_be_visible()
    expect(page.locator("td.suppressed").first).to_be_visible()
    _shot(page, "reports-03-county", of=page.locator("main"))
    page.goto(f"/reports/area/{last_year}&level=state&key=CA")
    expect(page.get_by_role("heading", level=1)).to_have_text("State of CA")
    _shot(
        page,
        "reports-04-state-agency-type",
        of=page.locator("section[aria-labelledby='t-agency_type']"),
    )
    _shot(
        page,
        "reports-05-state-indicators",
        of=page.locator("section[aria-labelledby='t-indicators_present']"),
    )
    _shot(page, "reports-06-state-trend", of=page.locator("section[aria-labelledby='t-month']"))

    page.get_by_label("Download as").select_option("pdf")
    page.get_by_role("button", name="Prepare download").click()
    expect(page.get_by_role("heading", name="Your report downloads")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Download sightline-state-CA"))).to_be_visible(
        timeout=30_000
    )
    _shot(page, "reports-07-downloads")
