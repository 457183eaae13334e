"""Follow-up work lists: an agency's open and overdue follow-ups for its supervisor, and their CSV.

The screener's own open follow-ups are on My caseload and the home page (`followup_rows`). Rows come
from `screenings.selectors.open_followups` (scoped there); listing them is an access, audited like the
worklist.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from sightline.audit.choices import AuditAction
from sightline.audit.context import AuditContext
from sightline.audit.services import audit_record
from sightline.screenings.choices import FollowUpKind
from sightline.screenings.exports import followups_csv
from sightline.screenings.followups import FollowUpState
from sightline.screenings.selectors import open_followups
from sightline.tenancy.permissions import Permission
from sightline.web.followup_rows import describe_followups as describe
from sightline.web.schedule_views import _agency_or_404

PAGE_SIZE = 50


class FollowUpFilter(forms.Form):
    state = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Not completed")),
            (FollowUpState.OVERDUE.value, _("Overdue")),
            (FollowUpState.OPEN.value, _("Open, not yet due")),
            (FollowUpState.DONE.value, _("Completed")),
        ],
    )
    kind = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("Any action")), *FollowUpKind.choices]
    )

    def used(self) -> dict[str, str]:
        return {name: value for name, value in self.cleaned_data.items() if value}


def _rows(request: HttpRequest, agency: Any, form: FollowUpFilter, today: Any) -> Any:
    return open_followups(
        user=request.user,
        today=today,
        agency_id=agency.pk,
        permission=Permission.AGENCY_OVERVIEW,
        state=form.cleaned_data["state"] or None,
        kind=form.cleaned_data["kind"] or None,
    )


@login_required
@require_GET
def agency_followups(request: HttpRequest, agency_id: int) -> HttpResponse:
    agency, _ = _agency_or_404(request, agency_id)
    today = timezone.localdate()
    form = FollowUpFilter(request.GET)
    page = None
    if form.is_valid():
        page = Paginator(_rows(request, agency, form, today), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        page.object_list = describe(list(page.object_list), today)
        audit_record(
            actor=request.user,
            action=AuditAction.VIEW,
            object_type="followup_list",
            agency_id=agency.pk,
            context=AuditContext.from_request(request),
            detail={"kind": "agency", "filters": form.used(), "page": page.number},
        )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "web/schedule/followups.html",
        {"agency": agency, "filters": form, "page": page, "query": query.urlencode()},
        status=200 if page is not None else 400,
    )


@login_required
@require_GET
def agency_followups_export(request: HttpRequest, agency_id: int) -> HttpResponse:
    agency, _ = _agency_or_404(request, agency_id)
    today = timezone.localdate()
    form = FollowUpFilter(request.GET)
    if not form.is_valid():
        return render(
            request,
            "web/schedule/followups.html",
            {"agency": agency, "filters": form, "page": None, "query": ""},
            status=400,
        )
    rows = _rows(request, agency, form, today)
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        object_type="followup_list",
        agency_id=agency.pk,
        context=AuditContext.from_request(request),
        detail={"kind": "followups", "filters": form.used(), "rows": rows.count()},
    )
    response = StreamingHttpResponse(
        followups_csv(rows.iterator(chunk_size=500), today=today),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="follow-ups-agency-{agency.pk}-{today:%Y-%m-%d}.csv"'
    )
    response["Cache-Control"] = "no-store"
    return response
