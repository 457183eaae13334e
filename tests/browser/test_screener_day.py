"""The screener's and supervisor's day in a real browser, at a laptop's width and a phone's (issue 21):
find a due youth, screen with the jump list and autosave, leave and come back with the answers kept,
finalize after the error summary's links, act on a prompt; the supervisor reviews and sees the overdue
follow-ups. Screenshots go to var/screenshots/ (looked at by a person, not compared by the test)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sightline import instruments
from sightline.screenings.models import FollowUpAction, Screening, ScreeningReview
from sightline.screenings.services import followup_create
from sightline.tenancy.models import Role
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests"
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
WIDTHS = {"laptop": 1366, "phone": 390}
# Four possible concerns outside every override reach the possible-concern level (its prompt: consult).
POSSIBLE = {"housing_instability", "missing_episodes", "school_disconnection", "older_partner"}


def _person(agency: Any, role: str, username: str, first: str, last: str) -> Any:
    person = factories.member(agency, role, username=username, trained_for=("cse-it-2.0",))
    person.first_name, person.last_name = first, last
    person.save(update_fields=["first_name", "last_name"])
    return person


def _sign_in(page: Any, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Today")


def _no_sideways_scroll(page: Any) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


def _tabs_to(page: Any, target: Any, *, follow: str) -> int:
    """Tab presses from the top of the page until `target` has focus; Enter on the link named
    `follow` when it is reached (the jump list's way to the save buttons)."""
    page.evaluate("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)")
    page.locator("body").focus()
    for presses in range(1, 300):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.textContent.trim()")
        if target.evaluate("el => el === document.activeElement"):
            return presses
        if focused == follow:
            page.keyboard.press("Enter")
    raise AssertionError("Save draft was never reached")


@pytest.mark.parametrize("device", list(WIDTHS))
def test_the_screeners_and_supervisors_day(browser: Any, live_server: Any, device: str) -> None:
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": WIDTHS[device], "height": 900}, locale="en-US"
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    SHOTS.mkdir(parents=True, exist_ok=True)

    def shot(name: str, *, full_page: bool = True) -> None:
        page.wait_for_load_state("load")
        page.screenshot(path=str(SHOTS / f"{device}-{name}.png"), full_page=full_page)

    agency = factories.agency(name="Harbor Child Welfare")
    screener = _person(agency, Role.SCREENER, "dana", "Dana", "Okafor")
    _person(agency, Role.SUPERVISOR, "sam", "Sam", "Reyes")
    today = timezone.localdate()
    youth = factories.registered_youth(
        agency, by=screener, first_name="Søren", last_name="Castellanos", case_number="CW-88",
        intake_on=today - dt.timedelta(days=60), assigned_to=screener,
    )  # fmt: skip
    # An older screening's safety plan, overdue: it must show on the home and the caseload.
    earlier = factories.screening(
        youth,
        screener=screener,
        status="final",
        rating=None,
        screened_on=today - dt.timedelta(days=50),
    )
    followup_create(
        screening=earlier, by=screener, kind="safety_plan", owner=screener,
        due_on=today - dt.timedelta(days=19),
    )  # fmt: skip
    definition = instruments.load("cse-it-2.0")

    # The screener's home: what is due today first.
    _sign_in(page, "dana")
    expect(page.get_by_role("heading", name="Screenings due")).to_be_visible()
    expect(page.get_by_text("Overdue by 19 days")).to_be_visible()
    shot("01-home")
    _no_sideways_scroll(page)

    # Find the youth by the start of a name typed without its accents.
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Youth", exact=True
    ).click()
    page.get_by_label("Name").fill("soren cast")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name="Castellanos, Søren")).to_be_visible()
    shot("02-youth-search")
    _no_sideways_scroll(page)

    # My caseload: the youth is overdue, the follow-up too; start the screening from there.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My caseload").click()
    expect(page.get_by_role("heading", name=re.compile("My open follow-ups"))).to_be_visible()
    shot("03-caseload")
    _no_sideways_scroll(page)
    page.get_by_role("link", name=re.compile("Start screening")).first.click()
    page.get_by_role("radio", name=definition.title).check()
    page.get_by_label("Reason for screening").select_option(label="Intake")
    page.get_by_role("checkbox", name="Records from other sources").check()
    page.get_by_label("How long you have known the youth").select_option(label="A week to a month")
    page.get_by_role("button", name="Start draft").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Draft screening")
    shot("04-draft-top", full_page=False)
    _no_sideways_scroll(page)

    # Tab presses from the top of the draft to Save, with the jump list.
    save = page.get_by_role("button", name="Save draft")
    presses = _tabs_to(page, save, follow="Notes and save")
    assert presses < 40, presses
    (SHOTS / f"{device}-tab-count.txt").write_text(f"{presses}\n")  # for the write-up

    # The compact layout: the same key indicators in a fraction of the height (docs/screener-day.md).
    standard_height = page.evaluate("document.scrollingElement.scrollHeight")
    page.get_by_role("link", name="Compact (key indicators only)").click()
    expect(page.locator(".indicator--compact")).to_have_count(len(definition.indicators))
    compact_height = page.evaluate("document.scrollingElement.scrollHeight")
    shot("04b-draft-compact")
    (SHOTS / f"{device}-draft-heights.txt").write_text(
        f"standard {standard_height}\ncompact {compact_height}\n"
    )
    assert compact_height * 3 < standard_height, (standard_height, compact_height)
    compact_presses = _tabs_to(page, save, follow="Notes and save")
    assert compact_presses < 40, compact_presses

    last = len(definition.indicators)
    # Rate all but the last indicator; each change is saved as it goes (autosave, version checked).
    draft = Screening.objects.get(status="draft")
    for number, indicator in enumerate(definition.indicators[:-1], start=1):
        group = page.get_by_role("group", name=f"{number}. {indicator.title}", exact=True)
        rating = "Possible concern" if indicator.id in POSSIBLE else "No concern"
        group.get_by_role("group", name="Your rating for this key indicator").get_by_role(
            "radio", name=rating, exact=True
        ).check()
    expect(page.get_by_role("status").filter(has_text="Draft saved at")).to_be_visible()
    # Screen readers hear one sentence about the result, not the whole panel.
    expect(page.locator("#result-announcement")).to_have_text(
        re.compile(rf"^Result: .*\. {last - 1} of {last} key indicators rated\.$")
    )
    jump = page.get_by_role("navigation", name="Jump to")
    expect(jump.get_by_role("link", name=re.compile(r"^Indicator 1:.*, done$"))).to_be_visible()
    expect(
        jump.get_by_role("link", name=re.compile(rf"^Indicator {last}:.*, not rated$"))
    ).to_be_visible()
    shot("05-jump-list", full_page=False)
    # Every change has been sent and answered (autosave waits 600 ms after the last one).
    page.wait_for_timeout(1000)
    page.wait_for_function("() => !document.querySelector('#draft-form.htmx-request')")
    assert int(page.locator("#id_lock_version").input_value()) > draft.lock_version

    # Unsaved changes warn before leaving; saved ones do not.
    warns = "() => { const e = new Event('beforeunload', {cancelable: true}); window.dispatchEvent(e); return e.defaultPrevented; }"
    assert page.evaluate(warns) is False
    page.get_by_label("Notes").fill("Seen at the office")
    assert page.evaluate(warns) is True

    # Leave and come back: the answers were kept.
    page.goto("/")
    page.goto(f"/screenings/{draft.pk}/edit/")
    first = page.get_by_role("group", name=f"1. {definition.indicators[0].title}", exact=True)
    expect(first.get_by_role("radio", name="Possible concern", exact=True)).to_be_checked()

    # Finalize too soon: a summary at the top links to the unrated indicator.
    page.get_by_role("button", name="Save and finalize").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("cannot be finalized yet")
    shot("06-finalize-summary", full_page=False)
    summary.get_by_role("link", name=re.compile(rf"Key indicator {last}:")).click()
    page.get_by_role(
        "group", name=f"{last}. {definition.indicators[-1].title}", exact=True
    ).get_by_role("radio", name="No concern", exact=True).check()
    expect(page.get_by_role("status").filter(has_text="Draft saved at")).to_be_visible()
    page.get_by_role("button", name="Save and finalize").click()
    expect(page.get_by_text("Screening finalized.")).to_be_visible()
    _no_sideways_scroll(page)

    # Act on a prompt with one click; it is recorded as a follow-up.
    prompts = page.get_by_role("list", name="Act on the prompts")
    action = prompts.get_by_role("button").first
    label = action.inner_text().removeprefix("Add ")
    action.click()
    expect(page.get_by_text(re.compile(f"{label} recorded", re.I))).to_be_visible()
    shot("07-screening-detail")
    _no_sideways_scroll(page)
    assert FollowUpAction.objects.filter(owner=screener, completed_on__isnull=True).count() == 2

    # The supervisor reviews it and sees the team's overdue follow-ups.
    page.get_by_role("button", name=re.compile("Sign out")).click()
    _sign_in(page, "sam")
    shot("08-supervisor-home")
    page.get_by_role("link", name=re.compile("awaiting review")).click()
    page.get_by_role("link", name=re.compile("Castellanos|Søren")).first.click()
    page.get_by_role("radio", name="Reviewed: nothing to correct").check()
    page.get_by_role("button", name="Record review").click()
    page.wait_for_load_state("load")
    assert ScreeningReview.objects.filter(decision="reviewed", reviewed_by__username="sam").exists()
    page.goto(f"/schedule/agency/{agency.pk}/follow-ups/?state=overdue")
    expect(page.get_by_text("Overdue by 19 days")).to_be_visible()
    shot("09-supervisor-followups")
    _no_sideways_scroll(page)
    context.close()
