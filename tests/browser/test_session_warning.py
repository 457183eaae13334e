"""The idle warning in a real browser: it appears before the idle limit, "Stay signed in" keeps the
session, and with no answer the page goes to sign-in (the limit shortened to seconds for the test)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from sightline.tenancy.models import Role
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_idle_warning_offers_to_stay_and_then_signs_out(page: Any, settings: Any) -> None:
    settings.SIGHTLINE_SESSION_IDLE_SECONDS = 4  # warned after 2 s, signed out after 4 s
    agency = factories.agency(name="Harbor Child Welfare")
    factories.member(agency, Role.SCREENER, username="dana")
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("dana")
    page.get_by_label("Password").fill("pw-for-tests")
    page.get_by_role("button", name="Sign in").click()
    warning = page.get_by_role("alertdialog")
    expect(warning).to_be_hidden()
    expect(warning).to_be_visible(timeout=4_000)
    expect(warning).to_contain_text("you will be signed out")
    with page.expect_response(re.compile(r"/accounts/session/")) as keepalive:
        page.get_by_role("button", name="Stay signed in").click()
    assert keepalive.value.status == 204
    expect(warning).to_be_hidden()
    page.wait_for_url(re.compile(r"/accounts/login/\?next="), timeout=8_000)
