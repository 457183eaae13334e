"""The audit page: agency admins examine their agencies' events, system admins the whole log.

Thin: the filters are parsed by a form, the scope comes from the access layer (`agency_ids_visible_to`),
the rows from `audit.selectors`. Reading the log is itself recorded (VIEW of the log), and an export
writes an EXPORT event with its row count before the first row leaves.
"""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from sightline.audit.choices import AuditAction
from sightline.audit.context import AuditContext
from sightline.audit.selectors import EventFilter, audit_events, csv_rows
from sightline.audit.services import audit_record
from sightline.tenancy import access
from sightline.tenancy.access import requires
from sightline.tenancy.permissions import Permission

PAGE_SIZE = 50
OBJECT_TYPES = [
    "youth",
    "intakeepisode",
    "screening",
    "followupaction",
    "screeningreview",
    "agency",
    "user",
    "membership",
    "trainingrecord",
    "screeningpolicy",
    "auditlog",
    "page",
    "breakglassgrant",
]


class AuditFilterForm(forms.Form):
    since = forms.DateField(label="From", required=False, widget=forms.DateInput({"type": "date"}))
    until = forms.DateField(label="To", required=False, widget=forms.DateInput({"type": "date"}))
    actor = forms.CharField(label="Person (username)", required=False, max_length=150)
    action = forms.ChoiceField(
        label="Action", required=False, choices=[("", "Any action"), *AuditAction.choices]
    )
    object_type = forms.ChoiceField(
        label="Record type",
        required=False,
        choices=[("", "Any record"), *((name, name) for name in OBJECT_TYPES)],
    )
    youth_id = forms.IntegerField(label="Youth id", required=False, min_value=1)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date is before the start date.")
        return cleaned

    def event_filter(self) -> EventFilter:
        data = self.cleaned_data if self.is_valid() else {}
        return EventFilter(
            since=data.get("since"),
            until=data.get("until"),
            actor=(data.get("actor") or "").strip(),
            action=data.get("action") or "",
            object_type=data.get("object_type") or "",
            youth_id=data.get("youth_id"),
        )


def _scope(request: HttpRequest) -> Any:
    """None (the whole log) for a system admin, else the agencies the person may examine."""
    user = request.user
    if access.holds_anywhere(user, Permission.AUDIT_VIEW_ALL):  # type: ignore[arg-type]
        return None
    return access.agency_ids_visible_to(user, Permission.AUDIT_VIEW)  # type: ignore[arg-type]


@requires(Permission.AUDIT_VIEW)
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters = form.event_filter()
    events = audit_events(agency_ids=_scope(request), filters=filters)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    # Read before this visit is recorded, so the page shows the log as it was when asked for.
    page.object_list = list(page.object_list)
    whole_log = _scope(request) is None
    audit_record(
        actor=request.user,
        action=AuditAction.VIEW,
        object_type="auditlog",
        context=AuditContext.from_request(request),
        detail={"filters": filters.used(), "page": page.number},
    )
    return render(
        request,
        "web/audit/log.html",
        {
            "form": form,
            "page": page,
            "query": urlencode(filters.used()),
            "whole_log": whole_log,
        },
        status=400 if form.errors else 200,
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


@requires(Permission.AUDIT_VIEW)
@require_GET
def audit_export(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(
            request,
            "web/audit/log.html",
            {"form": form, "page": None, "query": "", "whole_log": False},
            status=400,
        )
    filters = form.event_filter()
    events = audit_events(agency_ids=_scope(request), filters=filters)
    rows = events.count()
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        object_type="auditlog",
        context=AuditContext.from_request(request),
        detail={"filters": filters.used(), "rows": rows},
    )
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in csv_rows(events)),
        content_type="text/csv; charset=utf-8",
    )
    today: dt.date = timezone.localdate()
    response["Content-Disposition"] = f'attachment; filename="audit-{today:%Y-%m-%d}.csv"'
    response["Cache-Control"] = "no-store"
    return response
