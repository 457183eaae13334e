"""The retention page of an agency: its retention rule, the youth past it, and the deletion requests
waiting for a second agency admin. Thin: the agency door, then one `retention.services` call."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from sightline.audit.context import AuditContext
from sightline.common.errors import ServiceError
from sightline.retention import selectors, services
from sightline.retention.choices import DeletionReason
from sightline.tenancy import access
from sightline.tenancy.permissions import Permission
from sightline.web.errors import show_service_error

PAGE_SIZE = 50


class RuleForm(forms.Form):
    retention_years = forms.IntegerField(
        label=gettext_lazy(
            "Keep a youth's record for this many years after their last intake closes"
        ),
        min_value=services.MIN_YEARS,
        max_value=services.MAX_YEARS,
    )


class RequestForm(forms.Form):
    youth_id = forms.IntegerField(
        label=gettext_lazy("Record number"),
        min_value=1,
        help_text=gettext_lazy("The number shown as “Record” on the youth's page or in this list."),
    )
    reason = forms.ChoiceField(label=gettext_lazy("Reason"), choices=DeletionReason.choices)
    note = forms.CharField(
        label=gettext_lazy("Note for the second admin"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Kept with the request only; never written to the audit log."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def retention_page(request: HttpRequest, agency_id: int) -> HttpResponse:
    agency = access.agency_for_user(
        user=request.user, agency_id=agency_id, permission=Permission.RECORD_DELETE
    )
    action = request.POST.get("action", "") if request.method == "POST" else ""
    rule_form = RuleForm(
        request.POST if action == "rule" else None,
        initial={"retention_years": agency.retention_years},
    )
    request_form = RequestForm(
        request.POST if action == "request" else None,
        initial={"youth_id": request.GET.get("youth", ""), "reason": DeletionReason.RETENTION},
    )
    refused = ""
    if request.method == "POST":
        context = AuditContext.from_request(request)
        try:
            done = _act(request, action, agency, rule_form, request_form, context)
        except ServiceError as error:
            form = rule_form if action == "rule" else request_form
            if action in ("rule", "request"):
                show_service_error(form, error)
            refused = error.message
            done = ""
        if done:
            messages.success(request, done)
            return redirect("web:agency-retention", agency_id=agency.pk)
        refused = refused or _("Nothing was changed.")
    today = timezone.localdate()
    page = Paginator(
        selectors.past_retention(user=request.user, agency=agency, today=today), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "web/retention/retention.html",
        {
            "agency": agency,
            "rule_form": rule_form,
            "request_form": request_form,
            "page": page,
            "pending": list(selectors.pending_requests(user=request.user, agency=agency)),
            "cutoff": services.cutoff(agency.retention_years, today),
            "message": refused,
        },
        status=400 if refused else 200,
    )


def _act(
    request: HttpRequest,
    action: str,
    agency: object,
    rule_form: RuleForm,
    request_form: RequestForm,
    context: AuditContext,
) -> str:
    by = request.user
    if action == "rule":
        if not rule_form.is_valid():
            return ""
        services.retention_set(
            by=by, agency=agency, years=rule_form.cleaned_data["retention_years"], context=context
        )
        return _("The retention period has been saved.")
    if action == "request":
        if not request_form.is_valid():
            return ""
        services.deletion_request(
            by=by,
            youth_id=request_form.cleaned_data["youth_id"],
            reason=request_form.cleaned_data["reason"],
            note=request_form.cleaned_data["note"],
            context=context,
        )
        return _("The deletion is requested: another agency admin must approve it.")
    if action == "approve":
        services.deletion_approve(by=by, request_id=request.POST.get("request"), context=context)
        return _("The record has been deleted. Only the audit trail remains.")
    if action == "reject":
        services.deletion_reject(by=by, request_id=request.POST.get("request"), context=context)
        return _("The request has been rejected: the record stays.")
    return ""
