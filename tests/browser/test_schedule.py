"""The screening schedule in a real browser: a screener's caseload, a supervisor's worklist with a filter
and its CSV, an analyst's coverage figures."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sightline.scheduling.services import schedule_refresh_youth
from sightline.tenancy.models import Role
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests"  # factories.user's default


def _sign_in(page: Any, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name=re.compile("Sign out"))).to_be_visible()


def _nav(page: Any, name: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name).click()


def _sign_out(page: Any) -> None:
    page.get_by_role("button", name=re.compile("Sign out")).click()


def test_caseload_worklist_export_and_coverage(page: Any, screenshot: Any) -> None:
    today = timezone.localdate()
    days = dt.timedelta
    agency = factories.agency(name="Harbor Child Welfare")
    trained = ("cse-it-2.0",)
    dana = factories.member(agency, Role.SCREENER, username="dana", trained_for=trained)
    dana.first_name, dana.last_name = "Dana", "Okafor"
    dana.save(update_fields=["first_name", "last_name"])
    factories.member(agency, Role.SUPERVISOR, username="sam", trained_for=trained)
    factories.member(agency, Role.ANALYST, username="ana")

    def youth(first: str, last: str, *, intake_ago: int, born: dt.date, **extra: Any) -> Any:
        return factories.registered_youth(
            agency,
            by=dana,
            first_name=first,
            last_name=last,
            date_of_birth=born,
            intake_on=today - days(intake_ago),
            program=extra.pop("program", "Foster care"),
            **extra,
        )

    teen = dt.date(today.year - 14, 1, 15)
    youth("Olivia", "Ortega", intake_ago=60, born=teen, assigned_to=dana, case_number="CW-101")
    youth("Sofia", "Soto", intake_ago=27, born=teen, assigned_to=dana, case_number="CW-102")
    youth("Uma", "Ueda", intake_ago=45, born=teen, program="Group home")  # nobody's, overdue
    youth("Yara", "Young", intake_ago=20, born=dt.date(today.year - 7, 6, 1), assigned_to=dana)
    screened = youth("Sam", "Screened", intake_ago=90, born=teen, assigned_to=dana)
    factories.screening(screened, screener=dana, status="final", screened_on=today - days(80))
    schedule_refresh_youth(screened.pk)

    # The screener: counts on the home page, then the caseload, overdue first.
    _sign_in(page, "dana")
    expect(page.locator(".caseload-summary")).to_contain_text("1 overdue, 1 due this week")
    _nav(page, "My caseload")
    overdue = page.get_by_role("region", name=re.compile("Overdue"))
    expect(overdue).to_contain_text("Ortega")
    expect(overdue).to_contain_text("Overdue by 30 days")
    due = page.get_by_role("region", name=re.compile("Due this week"))
    expect(due).to_contain_text("Soto")
    expect(page.locator("main")).not_to_contain_text("Young")  # under 10: not on the list
    screenshot("10-my-caseload")
    _sign_out(page)

    # The supervisor: the whole agency, filtered to overdue, and its CSV.
    _sign_in(page, "sam")
    _nav(page, "Agency worklist")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Harbor Child Welfare")
    expect(page.locator("table.worklist tbody tr")).to_have_count(5)
    page.get_by_role("navigation", name="Filter by status").get_by_role(
        "link", name=re.compile("Overdue")
    ).click()
    rows = page.locator("table.worklist tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Ortega")
    expect(rows.nth(1)).to_contain_text("Unassigned")
    screenshot("11-agency-worklist-overdue")
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Download CSV")).click()
    path = download_info.value.path()
    exported = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert len(exported) == 2
    assert {row["Case number"] for row in exported} == {"CW-101", ""}
    # The due dates' policy, read-only for a supervisor.
    page.get_by_role("link", name="screening policy").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Screening policy")
    expect(page.get_by_role("heading", name="Add a new version")).to_have_count(0)
    screenshot("13-policy-read-only")
    _sign_out(page)

    # The analyst: coverage for the last 120 days, aggregates only.
    _sign_in(page, "ana")
    _nav(page, "Coverage")
    page.get_by_label("From").fill((today - days(120)).isoformat())
    page.get_by_label("To (inclusive)").fill(today.isoformat())
    page.get_by_role("button", name="Show figures").click()
    table = page.locator("table")
    expect(table).to_contain_text("Harbor Child Welfare")
    # Due in the period and passed: Ortega, Ueda (never screened) and Screened (on day 10); Soto's
    # due date is still ahead and Young is under 10.
    total = table.locator("tr", has_text="Total")
    expect(total).to_contain_text("33.3 % (1 of 3)")
    expect(total).to_contain_text("10 days")
    expect(table).not_to_contain_text("Ortega")
    screenshot("12-coverage")
