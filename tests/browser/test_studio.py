"""A finished validation study's report in a real browser at 1366 px: the headline, the ROC curve and
the fairness charts beside their tables. The screenshot goes to var/screenshots/ for a person to read."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from sightline import instruments
from sightline.synth import SynthParams, generate
from sightline.synth.db import write_population
from sightline.tenancy.models import Agency, Membership, Role
from sightline.validation import studio as service
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests"
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def test_a_finished_study_report_shows_charts_beside_tables(page: Any) -> None:
    page.set_default_timeout(90_000)
    page.set_viewport_size({"width": 1366, "height": 900})
    write_population(generate(SynthParams(seed=2033, youth=3000)))
    researcher = factories.user(username="rhea")
    for agency in Agency.objects.all():
        Membership.objects.create(user=researcher, agency=agency, role=Role.RESEARCHER)
    study = service.study_create(
        by=researcher,
        parameters=service.StudyParameters(
            instrument_id="cse-it-2.0",
            instrument_version=instruments.load("cse-it-2.0").version,
            period_start=dt.date(2020, 1, 1),
            period_end=dt.date(2026, 12, 31),
            agency_ids=tuple(Agency.objects.values_list("pk", flat=True)),
            criterion_source="Child welfare investigations",
            agreement_window_days=60,
        ),
        queue=False,
    )
    service.study_execute(study.pk)

    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("rhea")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name=re.compile("Sign out"))).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Validation studio"
    ).click()
    page.get_by_role("link", name=f"Study {study.pk}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Validation study {study.pk}")
    expect(
        page.get_by_role("heading", name="Across all cut-offs: ROC of the total score")
    ).to_be_visible()
    expect(page.locator("figure.report-chart img").first).to_be_visible()
    expect(page.get_by_role("link", name="Download PDF")).to_be_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_load_state("load")
    page.locator("main").screenshot(path=str(SHOTS / "studio-01-report.png"))
    page.locator("section[aria-labelledby='s-roc']").screenshot(
        path=str(SHOTS / "studio-02-roc.png")
    )
    page.locator("section[aria-labelledby='s-fairness-gender_group']").screenshot(
        path=str(SHOTS / "studio-03-fairness-gender.png")
    )
