"""The coverage page and its CSV: thin, the figures come from `sightline.reporting.coverage`.

Only counts and medians are shown, never a youth; the page view and the export are each audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from sightline.audit.choices import AuditAction
from sightline.audit.context import AuditContext
from sightline.audit.services import audit_record
from sightline.reporting import coverage as cov
from sightline.scheduling.errors import SchedulingError
from sightline.tenancy.access import requires
from sightline.tenancy.permissions import Permission
from sightline.web.errors import show_service_error
from sightline.web.screening_forms import DATE_INPUT

ALL_AGENCIES = ""
DASH = "—"


def _share_text(share: float | None, part: int, whole: int) -> str:
    """ "82.4 % (412 of 500)", or an em dash when nothing was due."""
    if share is None:
        return DASH
    return f"{share * 100:.1f} % ({part:,} of {whole:,})"


def _median_text(days: float | None) -> str:
    if days is None:
        return DASH
    shown = f"{int(days)}" if float(days).is_integer() else f"{days:.1f}"
    return f"{shown} day" if shown == "1" else f"{shown} days"


def _cells(row: cov.CoverageRow) -> dict[str, Any]:
    return {
        "label": row.label,
        "first_due": f"{row.first_due:,}",
        "first_share": _share_text(row.first_share, row.first_on_time, row.first_due),
        "median": _median_text(row.median_days),
        "never": f"{row.never_screened:,}",
        "rescreens_due": f"{row.rescreens_due:,}",
        "rescreen_share": _share_text(row.rescreen_share, row.rescreens_on_time, row.rescreens_due),
    }


class CoverageForm(forms.Form):
    """The period, the grouping and the agency; agency choices are the user's scope."""

    start = forms.DateField(label="From", widget=DATE_INPUT, input_formats=["%Y-%m-%d"])
    end = forms.DateField(label="To (inclusive)", widget=DATE_INPUT, input_formats=["%Y-%m-%d"])
    group_by = forms.ChoiceField(label="Group by", choices=list(cov.GROUP_BY.items()))
    agency = forms.ChoiceField(label="Agency", required=False)

    def __init__(self, *args: Any, agencies: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(str(pk), name) for pk, name in agencies]
        field = self.fields["agency"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = (
            [(ALL_AGENCIES, "All my agencies"), *choices] if len(choices) > 1 else choices
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", cov.PERIOD_REVERSED)
        return data

    def coverage_kwargs(self) -> dict[str, Any]:
        agency = self.cleaned_data.get("agency")
        return {
            "start": self.cleaned_data["start"],
            "end": self.cleaned_data["end"],
            "group_by": self.cleaned_data["group_by"],
            "agency_ids": [int(agency)] if agency else None,
        }


def _form(request: HttpRequest, today: dt.date) -> CoverageForm:
    agencies = cov.coverage_agencies(request.user)  # type: ignore[arg-type]
    if not agencies:
        raise PermissionDenied(cov.NO_AGGREGATE_VIEW)
    start, end = cov.default_period(today)
    data = {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "group_by": "agency",
        "agency": ALL_AGENCIES if len(agencies) > 1 else str(agencies[0][0]),
    }
    data.update({k: v for k, v in request.GET.items() if k in data})
    return CoverageForm(data, agencies=agencies)


def _figures(request: HttpRequest, form: CoverageForm, today: dt.date) -> cov.CoverageReport | None:
    """The report, or None with the problem added to the form."""
    if not form.is_valid():
        return None
    try:
        return cov.coverage(user=request.user, today=today, **form.coverage_kwargs())  # type: ignore[arg-type]
    except SchedulingError as error:
        show_service_error(form, error)
    except PermissionDenied as denied:
        field = "group_by" if str(denied) == cov.SCREENER_GROUPING_REFUSED else "agency"
        form.add_error(field, str(denied) or cov.AGENCY_OUT_OF_SCOPE)
    return None


@requires(Permission.AGGREGATE_VIEW)
@require_GET
def coverage_view(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = _form(request, today)
    report = _figures(request, form, today)
    if report is not None:
        audit_record(
            actor=request.user,
            action=AuditAction.VIEW,
            object_type="coverage",
            context=AuditContext.from_request(request),
            detail={
                "kind": "coverage",
                "start": report.start.isoformat(),
                "end": report.end.isoformat(),
                "group_by": report.group_by,
                "agency_ids": list(report.agency_ids),
            },
        )
    query = urlencode({name: form.data.get(name, "") for name in form.fields})
    return render(
        request,
        "web/coverage/coverage.html",
        {
            "form": form,
            "report": report,
            "today": today,
            "query": query,
            "group_label": cov.GROUP_BY.get(report.group_by, "") if report else "",
            "rows": [_cells(row) for row in report.rows] if report else [],
            "total": _cells(report.total) if report else None,
            "last_day": today - dt.timedelta(days=1),
        },
        status=200 if report is not None else 400,
    )


@requires(Permission.AGGREGATE_VIEW)
@require_GET
def coverage_export(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = _form(request, today)
    report = _figures(request, form, today)
    if report is None:
        return render(
            request,
            "web/coverage/coverage.html",
            {"form": form, "report": None, "today": today, "query": ""},
            status=400,
        )
    text = cov.coverage_csv(report, user=request.user, context=AuditContext.from_request(request))  # type: ignore[arg-type]
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="coverage-{report.group_by}-{report.start:%Y-%m-%d}'
        f'-{report.end:%Y-%m-%d}.csv"'
    )
    response["Cache-Control"] = "no-store"
    return response
