"""The main pages of every demo role, found the way a person finds them: from the home page and each
link on it, one page per *kind* of address (`/youth/17/` and `/youth/18/` are one kind), so the walk
covers homes, lists, details, the draft form, results, follow-ups, worklists, review, reports, audit
and account pages without a hand-kept list that drifts from the templates.

Used by the accessibility test (axe-core) and the reflow test (no sideways scroll at 390 px).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import expect

from sightline.demo.builder import AGENCY_ADMIN, DEMO_PASSWORD, SYSTEM_ADMIN, demo_load
from sightline.screenings.models import KnownFor, Screening, ScreeningReason
from sightline.screenings.services import screening_start
from sightline.tenancy.models import User

# Every demo role, the Brief-trained hotline screener included.
ROLES = (
    "screener",
    "hotline",
    "supervisor",
    AGENCY_ADMIN,
    "analyst",
    "researcher",
    SYSTEM_ADMIN,
)
WIDTHS = {"laptop": 1366, "phone": 390}
PAGES_PER_ROLE = 40
# Downloads, the Django admin (not Sightline's templates), the keep-alive ping, the API and its schema.
SKIP = re.compile(
    r"(\.csv$|/export|/download|^/admin/|^/accounts/session/|^/api/|^/static/|^/accounts/logout/)"
)
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"


@dataclass(frozen=True)
class Visit:
    role: str
    path: str

    def __str__(self) -> str:
        return f"{self.role} {self.path}"


def load_demo() -> None:
    """The demo data, with one change: the demo's superuser signs in only when DEBUG is on (a guard
    against a demo account on a real deployment), so it gets an address outside the demo domain
    rather than the test turning DEBUG on for everyone."""
    demo_load()
    User.objects.filter(username=SYSTEM_ADMIN).update(email="sysadmin@tests.invalid")
    # The demo's drafts are all CSE-IT 2.0: the Brief's draft form is walked through the hotline's.
    hotline = User.objects.get(username="hotline")
    done = Screening.objects.filter(screener=hotline).select_related("youth").first()
    assert done is not None, "the demo gives the hotline screener a screening"
    screening_start(
        youth=done.youth, by=hotline, instrument_id="cse-it-brief", reason=ScreeningReason.INTAKE,
        screener_role=hotline.memberships.get().screener_role, known_for=KnownFor.values[0],
    )  # fmt: skip


def kind(path: str) -> str:
    """The shape of an address: numbers become N, so one youth page stands for all of them."""
    return re.sub(r"\d+", "N", path)


def sign_in(page: Any, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Today")


def sign_out(page: Any) -> None:
    page.get_by_role("button", name=re.compile("Sign out")).click()
    page.wait_for_load_state("load")


def _links(page: Any) -> list[str]:
    hrefs: list[str] = page.evaluate(
        "() => Array.from(document.querySelectorAll('main a[href], nav a[href]'),"
        " a => a.getAttribute('href'))"
    )
    found = []
    for href in hrefs:
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue  # another site, or a fragment on this page
        if SKIP.search(parts.path):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def role_pages(page: Any, role: str) -> Iterator[Visit]:
    """Sign in as `role`, then visit its pages breadth first, one per kind of address; the page is
    loaded when a Visit is yielded. Signs out at the end."""
    sign_in(page, role)
    queue = ["/"]
    seen_kinds: set[str] = set()
    visited = 0
    while queue and visited < PAGES_PER_ROLE:
        target = queue.pop(0)
        path = urlsplit(target).path
        if kind(path) in seen_kinds:
            continue
        seen_kinds.add(kind(path))
        response = page.goto(target)
        page.wait_for_load_state("load")
        assert response is not None and response.status < 400, f"{role} {target}: {response}"
        visited += 1
        yield Visit(role, target)
        queue.extend(link for link in _links(page) if kind(urlsplit(link).path) not in seen_kinds)
    sign_out(page)


def every_role(page: Any, each: Callable[[Visit], None]) -> list[Visit]:
    visits = []
    for role in ROLES:
        for visit in role_pages(page, role):
            each(visit)
            visits.append(visit)
    return visits
