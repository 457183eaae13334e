"""Every main form in a real browser, as filled in and as refused: one look for fields and errors.

A refused form shows one error summary at the top, focused and announced, whose links lead to the fields
at fault; each field at fault is marked invalid and points at its error text (and hint) by id. Every
page is photographed (artifacts/screenshots/2x-*.png) before it is checked, so a failure leaves the
picture of what went wrong.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from sightline.tenancy.models import Role
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests"  # factories.user's default

# What a refused form must tie together, read from the page as a screen reader would.
FORM_CONTRACT = """() => {
  const problems = [];
  const byId = (id) => document.getElementById(id);
  const summaries = [...document.querySelectorAll('.error-summary')];
  if (summaries.length !== 1) problems.push(`${summaries.length} error summaries`);
  const summary = summaries[0];
  if (summary) {
    if (summary.getAttribute('role') !== 'alert') problems.push('summary is not role=alert');
    if (document.activeElement !== summary) problems.push('summary is not focused');
    const main = document.querySelector('main');
    const first = main.querySelector('form, .error-summary');
    if (first !== summary) problems.push('summary is not above the form');
    for (const link of summary.querySelectorAll('a[href^="#"]')) {
      const target = byId(decodeURIComponent(link.getAttribute('href').slice(1)));
      if (!target) problems.push(`summary link ${link.getAttribute('href')} leads nowhere`);
      else if (!target.closest('form')) problems.push(`summary link ${link.getAttribute('href')} is not a field`);
    }
  }
  for (const el of document.querySelectorAll('[aria-describedby]')) {
    for (const id of el.getAttribute('aria-describedby').split(/\\s+/).filter(Boolean)) {
      if (!byId(id)) problems.push(`${el.name || el.id}: aria-describedby ${id} is missing`);
    }
  }
  for (const error of document.querySelectorAll('.field__errors')) {
    const field = error.closest('.field');
    const describers = [field, ...field.querySelectorAll('input, select, textarea')]
      .filter((el) => (el.getAttribute('aria-describedby') || '').split(/\\s+/).includes(error.id));
    if (!error.id || describers.length === 0) problems.push(`error "${error.textContent.trim()}" describes no field`);
    const controls = [...field.querySelectorAll('input:not([type=hidden]), select, textarea')];
    if (!controls.every((el) => el.getAttribute('aria-invalid') === 'true'))
      problems.push(`field with error "${error.textContent.trim()}" is not aria-invalid`);
  }
  return problems;
}"""


def _refused(page: Any, *, expect_links: int) -> None:
    """The page shows one focused error summary with `expect_links` links to fields at fault."""
    assert page.evaluate(FORM_CONTRACT) == []
    summary = page.locator(".error-summary")
    expect(summary.locator("a")).to_have_count(expect_links)
    if expect_links:
        # Following the first link puts the cursor in the field at fault.
        href = summary.locator("a").first.get_attribute("href")
        summary.locator("a").first.click()
        focused = page.evaluate("() => document.activeElement.id")
        target = href.removeprefix("#")
        assert focused == target or page.evaluate(
            f"() => document.getElementById({target!r}).contains(document.activeElement)"
        )


def _clean(page: Any) -> None:
    """A form as first shown: no summary, nothing marked invalid, every description present."""
    assert page.locator(".error-summary").count() == 0
    assert page.locator("[aria-invalid=true]").count() == 0
    assert page.evaluate(FORM_CONTRACT) == ["0 error summaries"]


def _sign_in(page: Any, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name=re.compile("Sign out"))).to_be_visible()


@pytest.fixture
def agency() -> Any:
    return factories.agency(name="Harbor Child Welfare")


@pytest.fixture
def screener(agency: Any) -> Any:
    person = factories.member(agency, Role.SCREENER, username="dana", trained_for=("cse-it-2.0",))
    person.first_name, person.last_name = "Dana", "Okafor"
    person.save(update_fields=["first_name", "last_name"])
    return person


def test_sign_in_refused(page: Any, screenshot: Any, screener: Any) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("dana")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    screenshot("20-sign-in-refused", full_page=False)
    _refused(page, expect_links=0)


def test_add_youth_blank_and_refused(page: Any, screenshot: Any, screener: Any) -> None:
    _sign_in(page, "dana")
    page.goto(reverse("web:youth-create"))
    screenshot("21-add-youth-blank")
    _clean(page)
    page.get_by_label("First name").fill("Marisol")
    page.get_by_role("button", name="Check and add youth").click()
    screenshot("21-add-youth-refused")
    _refused(page, expect_links=3)  # last name, date of birth, gender identity


def test_youth_search_refused(page: Any, screenshot: Any, screener: Any) -> None:
    _sign_in(page, "dana")
    page.goto(reverse("web:youth-list"))
    # As typed in a browser without a date picker.
    page.get_by_label("Date of birth").evaluate(
        "el => { el.type = 'text'; el.value = '17/05/2010x'; }"
    )
    page.get_by_role("button", name="Search").click()
    screenshot("22-youth-search-refused", full_page=False)
    _refused(page, expect_links=1)


def test_start_screening_blank_and_refused(
    page: Any, screenshot: Any, agency: Any, screener: Any
) -> None:
    youth = factories.registered_youth(
        agency,
        by=screener,
        first_name="Marisol",
        last_name="Quintero",
        intake_on=dt.date(2026, 1, 5),
    )
    _sign_in(page, "dana")
    page.goto(reverse("web:screening-start", args=[youth.pk]))
    screenshot("23-start-screening-blank")
    _clean(page)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    page.get_by_label("Date of the contact").fill(tomorrow.isoformat())
    page.get_by_role("button", name="Start draft").click()
    screenshot("23-start-screening-refused")
    _refused(page, expect_links=1)


def test_draft_screening_refused(page: Any, screenshot: Any, agency: Any, screener: Any) -> None:
    youth = factories.registered_youth(
        agency, by=screener, first_name="Marisol", last_name="Quintero"
    )
    draft = factories.screening(
        youth, screener=screener, rating=None, screened_on=dt.date(2026, 2, 2)
    )
    _sign_in(page, "dana")
    page.goto(reverse("web:screening-edit", args=[draft.pk]))
    screenshot("24-draft-screening", full_page=False)
    _clean(page)
    page.get_by_label("Date of the contact").fill("")
    page.get_by_role("button", name="Save draft").click()
    screenshot("24-draft-screening-refused", full_page=False)
    _refused(page, expect_links=1)


def test_follow_up_and_amendment_refused(
    page: Any, screenshot: Any, agency: Any, screener: Any
) -> None:
    youth = factories.registered_youth(
        agency, by=screener, first_name="Marisol", last_name="Quintero"
    )
    final = factories.finalized_screening(youth, by=screener, screened_on=dt.date(2026, 2, 2))
    _sign_in(page, "dana")
    page.goto(reverse("web:screening-detail", args=[final.pk]))
    _clean(page)
    follow_up = page.get_by_role("region", name="Follow-up")
    follow_up.get_by_label("Due by").fill("")
    follow_up.get_by_role("button", name="Add follow-up").click()
    screenshot("25-follow-up-refused", of=page.locator(".error-summary"))
    screenshot("25-follow-up-refused-form", of=page.locator("#follow-up"))
    _refused(page, expect_links=1)
    page.get_by_role("button", name="Start amendment").click()
    screenshot("25-amend-refused", full_page=False)
    _refused(page, expect_links=1)
    # Two open follow-ups: each row's completion form has its own ids.
    for due in ("2026-03-01", "2026-03-08"):
        follow_up = page.get_by_role("region", name="Follow-up")
        follow_up.get_by_label("Due by").fill(due)
        follow_up.get_by_role("button", name="Add follow-up").click()
        expect(page.get_by_text("Follow-up added.")).to_be_visible()
    rows = page.locator("table.followups tbody tr")
    expect(rows).to_have_count(2)
    rows.nth(1).get_by_role("button", name="Mark completed").click()
    screenshot("25-complete-refused", of=page.locator("#follow-up"))
    _refused(page, expect_links=1)  # what happened
    assert page.evaluate(
        "() => new Set([...document.querySelectorAll('[id]')].map((e) => e.id)).size"
    ) == (page.locator("[id]").count())


def test_policy_form_blank_and_refused(page: Any, screenshot: Any, agency: Any) -> None:
    factories.member(agency, Role.AGENCY_ADMIN, username="ada")
    _sign_in(page, "ada")
    page.goto(reverse("web:agency-policy", args=[agency.pk]))
    form = page.locator("form.stack-form")
    screenshot("26-policy-form", of=form)
    _clean(page)
    page.get_by_label("Minimum age (years)").fill("ten")
    page.get_by_label("Effective from").fill("2001-01-01")
    page.get_by_role("button", name="Save new version").click()
    screenshot("26-policy-form-refused", full_page=False)
    screenshot("26-policy-form-refused-form", of=form)
    _refused(page, expect_links=3)  # minimum age, effective date in the past, reason


def test_training_form_blank_and_refused(
    page: Any, screenshot: Any, agency: Any, screener: Any
) -> None:
    factories.member(agency, Role.AGENCY_ADMIN, username="ada")
    _sign_in(page, "ada")
    page.goto(reverse("web:staff"))
    form = page.locator("form.stack-form")
    screenshot("27-training-form", of=form)
    _clean(page)
    page.get_by_role("button", name="Record training").click()
    screenshot("27-training-form-refused", full_page=False)
    _refused(page, expect_links=4)  # member, instrument, date, trainer


def test_worklist_and_screening_filters_refused(
    page: Any, screenshot: Any, agency: Any, screener: Any
) -> None:
    factories.member(agency, Role.SUPERVISOR, username="sam", trained_for=("cse-it-2.0",))
    youth = factories.registered_youth(
        agency, by=screener, first_name="Olivia", last_name="Ortega", intake_on=dt.date(2026, 1, 5)
    )
    factories.finalized_screening(youth, by=screener, screened_on=dt.date(2026, 2, 2))
    _sign_in(page, "sam")
    worklist = reverse("web:schedule-agency", args=[agency.pk])
    page.goto(worklist)
    screenshot("28-worklist-filters", full_page=False)
    _clean(page)
    page.goto(f"{worklist}?state=late&age_band=99")
    screenshot("28-worklist-filters-refused", full_page=False)
    _refused(page, expect_links=2)
    screenings = reverse("web:agency-screenings")
    page.goto(screenings)
    screenshot("29-agency-screenings-filters", full_page=False)
    _clean(page)
    page.goto(f"{screenings}?date_from=someday")
    screenshot("29-agency-screenings-filters-refused", full_page=False)
    _refused(page, expect_links=1)


def test_coverage_form_refused(page: Any, screenshot: Any, agency: Any) -> None:
    factories.member(agency, Role.ANALYST, username="ana")
    _sign_in(page, "ana")
    page.goto(reverse("web:schedule-coverage"))
    screenshot("30-coverage-form", full_page=False)
    _clean(page)
    page.get_by_label("From").fill("2026-03-01")
    page.get_by_label("To (inclusive)").fill("2026-02-01")
    page.get_by_role("button", name="Show figures").click()
    screenshot("30-coverage-form-refused", full_page=False)
    _refused(page, expect_links=1)  # the end of the period
