"""Report dashboards (agency, county, state), their exports and the person's export list: thin.

Figures come from `sightline.reporting.viewing` (which audits the reading: VIEW, aggregates only, no
youth is named anywhere on these pages), charts from `reporting.charts`, exports from
`reporting.exports`; this module parses the request, calls them and renders. The API
(`api/reports.py`) and the CLI (`sightline report`) read the same dashboard.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from sightline.audit.context import AuditContext
from sightline.reporting import charts, exports, figures
from sightline.reporting.scope import Period, Scope, period_of, report_choices, resolve
from sightline.reporting.viewing import view_dashboard
from sightline.tenancy.access import requires
from sightline.tenancy.permissions import Permission

PERIOD_KINDS = [("year", "Year"), ("quarter", "Quarter"), ("month", "Month")]


class PeriodForm(forms.Form):
    """The period: a kind and any day inside it (the first of a month, as the month picker gives)."""

    period = forms.ChoiceField(label="Period", choices=PERIOD_KINDS)
    start = forms.DateField(
        label="Starting",
        input_formats=["%Y-%m", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )

    def chosen(self) -> Period:
        return period_of(self.cleaned_data["period"], self.cleaned_data["start"])


def _period_form(request: HttpRequest, today: dt.date) -> tuple[PeriodForm, Period]:
    default = period_of("year", today)
    data = {"period": "year", "start": default.start.strftime("%Y-%m")}
    data.update({k: v for k, v in request.GET.items() if k in data})
    form = PeriodForm(data)
    return form, (form.chosen() if form.is_valid() else default)


def _formatted(cell: figures.Cell) -> dict[str, Any]:
    share = cell.share
    return {
        "count": "suppressed" if cell.suppressed else f"{cell.count:,}",
        "suppressed": cell.suppressed,
        "share": f"{share.estimate * 100:.1f}%" if share and share.estimate is not None else "",
        "interval": (
            f"95% interval {share.low * 100:.1f} to {share.high * 100:.1f}%"
            if share and share.low is not None and share.high is not None
            else ""
        ),
    }


def _test_text(table: figures.Table) -> str:
    test = table.test
    if test is None:
        return ""
    name = "Chi-square test" if test.method == "chi_square" else "Fisher's exact test"
    p = "p < 0.001" if test.p_value < 0.001 else f"p = {test.p_value:.3f}"
    verdict = (
        "the levels differ between the rows more than chance would explain"
        if test.p_value < 0.05
        else "no difference between the rows beyond what chance would explain"
    )
    return f"{name}: {p} ({verdict})."


def _table_context(table: figures.Table) -> dict[str, Any]:
    rows = [*table.rows, *([table.total] if table.total else [])]
    return {
        "table": table,
        "chart_src": charts.data_uri_for(table),
        "description": charts.describe(table),
        "test": _test_text(table),
        "rows": [
            {
                "label": row.label,
                "is_total": row is table.total,
                # Each cell carries its column's name: a stacked row (phones) labels its figures.
                "cells": [
                    {**_formatted(c), "column": column}
                    for c, column in zip(row.cells, table.columns, strict=True)
                ],
                "total": _formatted(row.total),
                "median": (
                    f"{row.median_days.estimate:g} days"
                    if row.median_days is not None and row.median_days.estimate is not None
                    else ""
                ),
            }
            for row in rows
        ],
        "has_median": any(r.median_days is not None for r in rows),
    }


def _render(request: HttpRequest, scope: Scope) -> HttpResponse:
    today = timezone.localdate()
    form, period = _period_form(request, today)
    board = view_dashboard(
        user=request.user,  # type: ignore[arg-type]
        scope=scope,
        period=period,
        today=today,
        context=AuditContext.from_request(request),
    )
    return render(
        request,
        "web/reports/dashboard.html",
        {
            "board": board,
            "form": form,
            "headlines": [(h, _formatted(h.cell)) for h in board.headlines],
            "levels": _table_context(board.levels_table),
            "trends": [_table_context(t) for t in board.trends],
            "breakdowns": [_table_context(t) for t in board.breakdowns],
            "follow_up": _table_context(board.follow_up),
            "indicators": [_table_context(t) for t in board.indicators],
            "coverage": _table_context(board.coverage) if board.coverage else None,
            "formats": list(exports.FORMATS.items()),
            "choices": report_choices(request.user),  # type: ignore[arg-type]
        },
        status=200 if form.is_valid() else 400,
    )


@requires(Permission.AGGREGATE_VIEW, Permission.AGENCY_REPORT_VIEW)
@require_GET
def reports_index(request: HttpRequest) -> HttpResponse:
    choices = report_choices(request.user)  # type: ignore[arg-type]
    return render(request, "web/reports/index.html", {"choices": choices})


# No page decorator: the agency door decides, so another agency's report is the same 404 as a
# missing one, and one's own agency without the role to see it a 403.
@login_required
@require_GET
def report_agency(request: HttpRequest, agency_id: int) -> HttpResponse:
    return _render(request, resolve(request.user, "agency", str(agency_id)))  # type: ignore[arg-type]


@requires(Permission.AGGREGATE_VIEW)
@require_GET
def report_area(request: HttpRequest) -> HttpResponse:
    """A county's or a state's report: `?level=county&key=<id>` or `?level=state&key=CA`."""
    level, key = request.GET.get("level", ""), request.GET.get("key", "")
    return _render(request, resolve(request.user, level, key))  # type: ignore[arg-type]


@requires(Permission.AGGREGATE_VIEW, Permission.AGENCY_REPORT_VIEW)
@require_POST
def report_export(request: HttpRequest) -> HttpResponse:
    scope = resolve(request.user, request.POST.get("level", ""), request.POST.get("key", ""))  # type: ignore[arg-type]
    today = timezone.localdate()
    form = PeriodForm(request.POST)
    period = form.chosen() if form.is_valid() else period_of("year", today)
    try:
        exports.export_request(
            by=request.user,  # type: ignore[arg-type]
            scope=scope,
            period=period,
            format=request.POST.get("format", ""),
            context=AuditContext.from_request(request),
        )
    except exports.ExportError as error:
        return HttpResponse(error.message, status=400)
    return redirect(reverse("web:report-exports"))


@requires(Permission.AGGREGATE_VIEW, Permission.AGENCY_REPORT_VIEW)
@require_GET
def report_exports(request: HttpRequest) -> HttpResponse:
    """The person's exports with their progress; the list refreshes itself while one is running."""
    mine = exports.exports_for_user(request.user)  # type: ignore[arg-type]
    template = "web/reports/_exports.html" if request.htmx else "web/reports/exports.html"  # type: ignore[attr-defined]
    running = any(e.status in ("queued", "running") for e in mine)
    return render(request, template, {"exports": mine, "running": running})


@requires(Permission.AGGREGATE_VIEW, Permission.AGENCY_REPORT_VIEW)
@require_GET
def report_export_download(request: HttpRequest) -> HttpResponse:
    filename, content_type, content = exports.export_download(
        user=request.user,  # type: ignore[arg-type]
        token=request.GET.get("token", ""),
        context=AuditContext.from_request(request),
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
