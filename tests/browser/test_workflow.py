"""A trained screener's whole day in a real browser: sign in, add a youth, screen, finalize, follow up,
print."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sightline import instruments
from sightline.screenings.models import FollowUpAction, Screening, ScreeningStatus
from sightline.tenancy.models import Role
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests"  # factories.user's default
NOT_EVIDENCE = (
    "It is not legal evidence that commercial sexual exploitation or trafficking occurred."
)
# Four possible concerns on indicators outside every override reach the possible-concern cut-off.
POSSIBLE = {"housing_instability", "missing_episodes", "school_disconnection", "older_partner"}


def test_trained_screener_screens_a_new_youth_from_sign_in_to_printed_summary(
    page: Any, screenshot: Any
) -> None:
    agency = factories.agency(name="Harbor Child Welfare")
    screener = factories.member(agency, Role.SCREENER, username="dana", trained_for=("cse-it-2.0",))
    screener.first_name, screener.last_name = "Dana", "Okafor"
    screener.save(update_fields=["first_name", "last_name"])
    definition = instruments.load("cse-it-2.0")
    today = timezone.localdate()

    # Sign in.
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("dana")
    page.get_by_label("Password").fill(PASSWORD)
    screenshot("01-sign-in")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name=re.compile("Sign out"))).to_be_visible()

    # Add a youth with a first intake.
    page.get_by_role("link", name="Youth", exact=True).click()
    page.get_by_role("link", name="Add a youth").click()
    page.get_by_label("First name").fill("Marisol")
    page.get_by_label("Last name").fill("Quintero")
    page.get_by_label("Date of birth").fill("2011-03-04")
    page.get_by_label("Gender identity").select_option(label="Girl / young woman")
    page.get_by_label("Intake date").fill(today.isoformat())
    screenshot("02-add-youth")
    page.get_by_role("button", name="Check and add youth").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Quintero")

    # Start a CSE-IT 2.0 screening.
    page.get_by_role("link", name="Start a screening").click()
    page.get_by_role("radio", name=definition.title).check()
    page.get_by_label("Reason for screening").select_option(label="Intake")
    page.get_by_role("checkbox", name="Records from other sources").check()
    page.get_by_role("checkbox", name="Conversation with the youth").check()
    page.get_by_label("How long you have known the youth").select_option(label="A week to a month")
    screenshot("03-start-screening")
    page.get_by_role("button", name="Start draft").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Draft screening")

    # Rate every key indicator; the result updates as the screener goes.
    result = page.get_by_role("region", name="Result")
    for number, indicator in enumerate(definition.indicators, start=1):
        rating = "Possible concern" if indicator.id in POSSIBLE else "No concern"
        group = page.get_by_role("group", name=f"{number}. {indicator.title}", exact=True)
        group.get_by_role("group", name="Your rating for this key indicator").get_by_role(
            "radio", name=rating, exact=True
        ).check()
    expect(result).to_contain_text("Possible concern")
    expect(result).to_contain_text("Total 4")
    expect(result).to_contain_text(f"{len(definition.indicators)} of {len(definition.indicators)}")
    screenshot("04-live-result", of=result)
    screenshot("04-last-indicators", full_page=False)

    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    screenshot("05-draft-saved", full_page=False)

    page.get_by_role("button", name="Save and finalize").click()
    expect(page.get_by_text("Screening finalized.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Screening of")
    screenshot("06-finalized")

    # Record a follow-up action.
    follow_up = page.get_by_role("region", name="Follow-up")
    follow_up.get_by_label("Action").select_option(label="Consult supervisor")
    follow_up.get_by_label("Person responsible").select_option(label="Dana Okafor")
    follow_up.get_by_label("Due by").fill((today + dt.timedelta(days=7)).isoformat())
    follow_up.get_by_label("Details").fill("Talk the result through on Thursday.")
    follow_up.get_by_role("button", name="Add follow-up").click()
    expect(page.get_by_role("cell", name=re.compile("Consult supervisor"))).to_be_visible()
    screenshot("07-follow-up")

    # The printable summary says what a result is not.
    page.get_by_role("link", name="Printable summary").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("CSE-IT screening summary")
    expect(page.get_by_text(NOT_EVIDENCE)).to_be_visible()
    screenshot("08-summary")

    screening = Screening.objects.get(youth__agency=agency)
    assert screening.status == ScreeningStatus.FINAL
    assert screening.finalized_by == screener
    assert (screening.level, screening.total) == ("possible_concern", 4)
    assert FollowUpAction.objects.filter(screening=screening, owner=screener).count() == 1
