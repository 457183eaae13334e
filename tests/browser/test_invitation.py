"""An agency admin invites a person in a real browser, and the person sets their password from the
link in the mail, then signs in with it (1366 px wide, screenshots in artifacts/screenshots)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import mail
from playwright.sync_api import expect

from sightline.tenancy.models import Membership, Role, User
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_invite_a_person_and_set_the_password_from_the_link(
    page: Any, screenshot: Any, settings: Any
) -> None:
    # (Asking for `settings` keeps the live server's ALLOWED_HOSTS in place, as in the other tests.)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.set_default_timeout(60_000)  # a shared, loaded machine: the first page can be slow
    agency = factories.agency(name="Harbor Child Welfare")
    factories.member(agency, Role.AGENCY_ADMIN, username="admin.ana")
    factories.member(agency, Role.SCREENER, username="sam.screener", trained_for=("cse-it-2.0",))

    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("admin.ana")
    page.get_by_label("Password").fill("pw-for-tests")
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"/agency/{agency.pk}/people/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("People")
    expect(page.get_by_role("table")).to_contain_text("sam.screener")
    screenshot("admin-01-people-1366")

    page.get_by_role("link", name="Invite a person").click()
    page.get_by_label("E-mail address").fill("nia.okafor@example.org")
    page.get_by_label("First name").fill("Nia")
    page.get_by_label("Last name").fill("Okafor")
    page.get_by_label("Role", exact=True).select_option("screener")
    screenshot("admin-02-invite-1366")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_role("status")).to_contain_text("nia.okafor@example.org has been invited")
    expect(page.locator("dl.facts")).to_contain_text("Invited: has not set a password yet")
    screenshot("admin-03-person-1366")

    [message] = mail.outbox
    link = re.search(r"https?://\S+/accounts/invitation/\S+", message.body).group(0)
    page.get_by_role("button", name="Sign out").click()
    page.goto(urlsplit(link).path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose your password")
    page.get_by_label("New password", exact=True).fill("a long walk by the harbour")
    page.get_by_label("New password confirmation").fill("a long walk by the harbour")
    screenshot("admin-04-set-password-1366")
    page.get_by_role("button", name="Set my password").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))

    person = User.objects.get(email="nia.okafor@example.org")
    page.get_by_label("Username").fill(person.username)
    page.get_by_label("Password").fill("a long walk by the harbour")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/(accounts/two-factor/setup/|$|\?)"))
    assert "/accounts/login/" not in page.url
    # The link worked once: it now says so.
    page.goto(urlsplit(link).path)
    expect(page.locator("main")).to_contain_text("expired or has been used already")


def test_approve_a_role_given_in_the_admin_site(page: Any, screenshot: Any, settings: Any) -> None:
    from sightline.tenancy import grants

    page.set_viewport_size({"width": 1366, "height": 900})
    page.set_default_timeout(60_000)
    agency = factories.agency(name="Harbor Child Welfare")
    factories.member(agency, Role.AGENCY_ADMIN, username="admin.ana")
    sysadmin = factories.user(username="sys.sol", is_staff=True, is_superuser=True)
    person = factories.user(username="ravi.rao", first_name="Ravi", last_name="Rao")
    membership = grants.admin_site_grant(
        by=sysadmin,
        membership=Membership(user=person, agency=agency, role=Role.SCREENER),
        created=True,
    )

    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("admin.ana")
    page.get_by_label("Password").fill("pw-for-tests")
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"/agency/{agency.pk}/people/")
    expect(page.get_by_role("status")).to_contain_text("waiting for your approval")
    expect(page.get_by_role("table").locator("tbody tr").first).to_contain_text(
        "Waiting for approval"
    )
    screenshot("admin-06-people-waiting-1366")

    page.get_by_role("link", name="Ravi Rao").click()
    expect(page.locator("dl.facts")).to_contain_text("Waiting for approval")
    screenshot("admin-07-approve-role-1366")
    page.get_by_role("button", name="Approve the role").click()
    expect(page.get_by_role("status")).to_contain_text("The role is approved")
    expect(page.locator("dl.facts")).to_contain_text("Active")
    membership.refresh_from_db()
    assert membership.active and not membership.awaiting_approval
