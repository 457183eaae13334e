"""One dashboard, four channels: the page, its CSV export, the API and `sightline report` show the
same numbers (suppressed alike), and each reading is audited on its own channel."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
import time_machine
from click.testing import CliRunner
from django.urls import reverse

from sightline.audit.models import AuditAction, AuditEvent
from sightline.cli import main
from sightline.tenancy.models import Agency, Membership, Role
from tests import factories
from tests.reporting.test_views import PERIOD, TODAY, export_csv, signed_in
from tests.reporting.test_views import request_export as request_export

pytestmark = pytest.mark.django_db
API_PERIOD = {"period": "year", "start": "2025-03-15"}  # any day of 2025
CLI_PERIOD = ["--period", "year", "--start", "2025-01"]


def _page_counts(page: Any) -> dict[tuple[str, str, str], str]:
    return {
        (t["table"].title, row["label"], column): cell["count"].replace(",", "")
        for t in [page.context["levels"], *page.context["breakdowns"], *page.context["trends"]]
        for row in t["rows"]
        for column, cell in zip(t["table"].columns, row["cells"], strict=True)
    }


def _csv_counts(rows: list[dict[str, str]]) -> dict[tuple[str, str, str], str]:
    return {(r["Table"], r["Row"], r["Column"]): r["Count"] for r in rows}


def _api_counts(body: dict[str, Any]) -> dict[tuple[str, str, str], str]:
    return {
        (f["table"], f["row"], f["column"]): (
            "suppressed" if f["suppressed"] else "" if f["count"] is None else str(f["count"])
        )
        for f in body["figures"]
    }


def _api_shares(body: dict[str, Any]) -> dict[tuple[str, str, str], str]:
    return {
        (f["table"], f["row"], f["column"]): f"{f['share'] * 100:.1f}"
        for f in body["figures"]
        if f["share"] is not None
    }


@time_machine.travel(TODAY, tick=False)
def test_agency_figures_are_the_same_on_page_csv_api_and_cli(
    programme: Any, request_export: Any
) -> None:
    agency = Agency.objects.order_by("pk").first()
    assert agency is not None
    supervisor = factories.member(agency, Role.SUPERVISOR)
    client = signed_in(supervisor)

    page = client.get(reverse("web:report-agency", args=[agency.pk]), PERIOD)
    rows = export_csv(client, request_export(client, "agency", str(agency.pk), "csv"))
    api = client.get(f"/api/agencies/{agency.pk}/report", API_PERIOD)
    cli = CliRunner().invoke(
        main,
        [
            "report",
            "--as",
            supervisor.username,
            "agency",
            str(agency.pk),
            *CLI_PERIOD,
            "--format",
            "json",
        ],
    )

    assert page.status_code == 200 and api.status_code == 200, api.content
    assert cli.exit_code == 0, cli.output
    body, from_cli = api.json(), json.loads(cli.output)
    on_page, in_csv, in_api = _page_counts(page), _csv_counts(rows), _api_counts(body)
    assert len(on_page) > 20
    assert {key: in_csv[key] for key in on_page} == on_page
    assert in_api == in_csv
    assert from_cli["figures"] == body["figures"]
    assert body["scope"] == {"level": "agency", "key": str(agency.pk), "label": agency.name}
    assert body["period"]["label"] == "2025" and body["suppressed_from"] is None
    shares = {(r["Table"], r["Row"], r["Column"]): r["Share (%)"] for r in rows if r["Share (%)"]}
    assert shares and _api_shares(body) == shares
    channels = set(
        AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="report").values_list(
            "channel", flat=True
        )
    )
    assert {"web", "api", "cli"} <= channels


@time_machine.travel(TODAY, tick=False)
def test_state_figures_are_suppressed_alike_on_page_csv_api_and_cli(
    programme: Any, request_export: Any
) -> None:
    analyst = factories.user(username="state-analyst")
    for agency in Agency.objects.all():
        Membership.objects.create(user=analyst, agency=agency, role=Role.ANALYST)
    client = signed_in(analyst)

    page = client.get(reverse("web:report-area"), {"level": "state", "key": "CA", **PERIOD})
    rows = export_csv(client, request_export(client, "state", "CA", "csv"))
    api = client.get("/api/reports/area", {"level": "state", "key": "CA", **API_PERIOD})
    cli = CliRunner().invoke(main, ["report", "--as", analyst.username, "state", "CA", *CLI_PERIOD])

    assert page.status_code == 200 and api.status_code == 200, api.content
    assert cli.exit_code == 0, cli.output
    body = api.json()
    in_api = _api_counts(body)
    assert _csv_counts(list(csv.DictReader(io.StringIO(cli.output)))) == _csv_counts(rows)
    assert in_api == _csv_counts(rows)
    on_page = _page_counts(page)
    assert {key: in_api[key] for key in on_page} == on_page
    assert "suppressed" in in_api.values()
    low, high = body["suppressed_from"], body["suppressed_to"]
    assert (low, high) == (1, 10)
    published = [f["count"] for f in body["figures"] if f["count"] is not None]
    assert not [c for c in published if low <= c <= high]
    assert all(f["count"] is None for f in body["figures"] if f["suppressed"])


def test_refusals_are_the_pages_and_leave_a_denied_event(programme: Any) -> None:
    agency = Agency.objects.order_by("pk").first()
    assert agency is not None
    screener = factories.member(agency, Role.SCREENER)
    outsider = factories.member(factories.agency(name="Far Away"), Role.SUPERVISOR)

    own_forbidden = signed_in(screener).get(f"/api/agencies/{agency.pk}/report")
    foreign = signed_in(outsider).get(f"/api/agencies/{agency.pk}/report")
    no_aggregates = signed_in(screener).get("/api/reports/area", {"level": "state", "key": "CA"})
    bad_period = signed_in(outsider).get(f"/api/agencies/{agency.pk}/report", {"period": "decade"})
    cli = CliRunner().invoke(main, ["report", "--as", outsider.username, "agency", str(agency.pk)])

    assert (own_forbidden.status_code, foreign.status_code) == (403, 404)
    assert no_aggregates.status_code == 403
    assert bad_period.status_code == 422 and bad_period.json()["errors"][0]["field"] == "period"
    assert cli.exit_code != 0 and "No such agency" in cli.output
    assert foreign.json() == signed_in(outsider).get("/api/agencies/999999/report").json()
    assert AuditEvent.objects.filter(action=AuditAction.DENIED, channel="cli").exists()
    assert AuditEvent.objects.filter(action=AuditAction.DENIED, channel="api").count() >= 3


def test_unknown_person_is_refused_by_the_cli(db: None) -> None:
    result = CliRunner().invoke(main, ["report", "--as", "nobody", "state", "CA"])
    assert result.exit_code != 0 and "no active user 'nobody'" in result.output
