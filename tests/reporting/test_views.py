"""The report pages and their exports: who sees which level, identical numbers on page and CSV, and
no small count in anything that leaves an agency."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from sightline.audit.models import AuditAction, AuditEvent
from sightline.tenancy.models import Agency, Membership, Role, User
from tests import factories
from tests.conftest import World

pytestmark = pytest.mark.django_db
TODAY = "2026-07-01 12:00Z"
PERIOD = {"period": "year", "start": "2025-01"}


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def request_export(django_capture_on_commit_callbacks: Any) -> Any:
    """Ask for an export and return its token; the task runs once the request commits."""

    def ask(client: Client, level: str, key: str, format: str) -> str:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("web:report-export"),
                {"level": level, "key": key, "format": format, **PERIOD},
            )
        assert response.status_code == 302
        listing = client.get(reverse("web:report-exports"))
        token = re.search(rb"token=([0-9a-f-]{36})", listing.content)
        assert token is not None
        return token.group(1).decode()

    return ask


def export_csv(client: Client, token: str) -> list[dict[str, str]]:
    download = client.get(reverse("web:report-export-download"), {"token": token})
    assert download.status_code == 200
    return list(csv.DictReader(io.StringIO(download.content.decode())))


@pytest.fixture
def analyst(programme: Any) -> User:
    person = factories.user(username="county-analyst")
    for agency in Agency.objects.all():
        Membership.objects.create(user=person, agency=agency, role=Role.ANALYST)
    return person


@time_machine.travel(TODAY, tick=False)
def test_agency_page_and_csv_show_the_same_numbers(programme: Any, request_export: Any) -> None:
    agency = Agency.objects.order_by("pk").first()
    assert agency is not None
    client = signed_in(factories.member(agency, Role.SUPERVISOR))

    page = client.get(reverse("web:report-agency", args=[agency.pk]), PERIOD)
    rows = export_csv(client, request_export(client, "agency", str(agency.pk), "csv"))

    assert page.status_code == 200
    on_page = {
        (t["table"].title, row["label"], column): cell["count"].replace(",", "")
        for t in page.context["breakdowns"] + page.context["trends"]
        for row in t["rows"]
        for column, cell in zip(t["table"].columns, row["cells"], strict=True)
    }
    in_csv = {(r["Table"], r["Row"], r["Column"]): r["Count"] for r in rows}
    assert on_page and all(in_csv[key] == value for key, value in on_page.items())
    assert b'<img src="data:image/svg+xml;base64,' in page.content
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="report").exists()


@time_machine.travel(TODAY, tick=False)
def test_state_page_and_csv_hide_every_small_count(analyst: User, request_export: Any) -> None:
    client = signed_in(analyst)

    page = client.get(reverse("web:report-area"), {"level": "state", "key": "CA", **PERIOD})
    rows = export_csv(client, request_export(client, "state", "CA", "csv"))

    assert page.status_code == 200
    assert b"Small numbers are hidden" in page.content
    counts = [r["Count"] for r in rows]
    assert "suppressed" in counts
    assert not [r for r in rows if r["Count"].isdigit() and 1 <= int(r["Count"]) <= 10]


@time_machine.travel(TODAY, tick=False)
def test_analyst_sees_aggregates_only_not_an_agency_report(analyst: User) -> None:
    agency = Agency.objects.order_by("pk").first()
    assert agency is not None

    response = signed_in(analyst).get(reverse("web:report-agency", args=[agency.pk]))

    # The analyst's own agency, a report the role may not see: 403 (the access layer's one rule).
    assert response.status_code == 403


def test_screener_and_researcher_have_no_reports(world: World) -> None:
    for person in (world.screener, world.researcher):
        assert signed_in(person).get(reverse("web:reports")).status_code == 403


def test_county_report_of_another_county_is_refused(world: World) -> None:
    elsewhere = factories.county(name="Elsewhere")
    response = signed_in(world.supervisor).get(
        reverse("web:report-area"), {"level": "county", "key": str(elsewhere.pk)}
    )
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action=AuditAction.DENIED).exists()


def test_nobody_downloads_another_persons_export(world: World, request_export: Any) -> None:
    owner = signed_in(world.supervisor)
    token = request_export(owner, "agency", str(world.agency_a.pk), "xlsx")

    other = signed_in(world.agency_admin).get(
        reverse("web:report-export-download"), {"token": token}
    )
    mine = owner.get(reverse("web:report-export-download"), {"token": token})

    assert other.status_code == 404
    assert mine.status_code == 200 and mine.content[:2] == b"PK"  # an XLSX is a zip


def test_pdf_export_is_a_pdf(world: World, request_export: Any) -> None:
    client = signed_in(world.agency_admin)
    token = request_export(client, "agency", str(world.agency_a.pk), "pdf")

    response = client.get(reverse("web:report-export-download"), {"token": token})

    assert response.content.startswith(b"%PDF")
