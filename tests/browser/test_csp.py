"""The Content-Security-Policy in a real Chromium: sign in with two-factor, walk the main pages,
trigger htmx, and no CSP violation is reported (console or securitypolicyviolation event)."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from playwright.sync_api import expect

from sightline.security import totp
from sightline.security.models import TOTPDevice
from sightline.tenancy.models import Role
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests"
# Init scripts run before the page's own and are not subject to its CSP: they only listen.
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI);
});
"""


def test_main_pages_and_htmx_run_under_the_csp_without_a_violation(
    page: Any, settings: Any
) -> None:
    settings.SIGHTLINE_REQUIRE_MFA = True
    agency = factories.agency(name="Harbor Child Welfare")
    screener = factories.member(
        agency, Role.SUPERVISOR, username="dana", trained_for=("cse-it-2.0",)
    )
    youth = factories.registered_youth(agency, by=screener)
    draft = factories.screening(youth, screener=screener)
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(LISTEN)

    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("dana")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    secret = TOTPDevice.objects.get(user=screener).secret
    page.get_by_label("Code shown by your authenticator app").fill(
        totp.totp(totp.secret_bytes(secret), time.time())
    )
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-factor sign-in is set up")
    page.get_by_role("link", name="Continue").click()
    expect(page.get_by_role("button", name=re.compile("Sign out"))).to_be_visible()

    for url in (
        "/",
        "/youth/",
        f"/youth/{youth.pk}/",
        "/accounts/",
        "/instruments/cse-it-2.0/",
        f"/screenings/{draft.pk}/edit/",
    ):
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        assert "script-src 'self'" in response.headers["content-security-policy"]

    # htmx: the draft's live preview posts on change and swaps the answer in.
    result = page.get_by_role("region", name="Result")
    before = result.inner_text()
    page.get_by_role("radio", name="Possible concern", exact=True).first.check()
    expect(result).not_to_have_text(before)
    page.goto("/instruments/cse-it-2.0/")
    page.wait_for_load_state("networkidle")

    violations = page.evaluate("window.__cspViolations")
    reported = [text for text in console if "Content Security Policy" in text]
    assert violations == [] and reported == [], (violations, reported)
