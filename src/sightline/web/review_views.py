"""Supervisor review and correction pages (ADR 0007): the "Awaiting review" list, and the review and
correct forms posted from a screening's detail page.

Thin, like `screening_views`: every read through `sightline.screenings.selectors`, every change through
one service of `sightline.screenings.review`; a refused change re-renders the detail page with the
service's message next to the field, having written nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.http import require_http_methods, require_POST

from sightline.audit.context import AuditContext
from sightline.catalog import selectors as catalog
from sightline.screenings import review, selectors
from sightline.screenings.choices import ReviewDecision
from sightline.screenings.errors import ScreeningError
from sightline.tenancy import access
from sightline.tenancy.access import requires
from sightline.tenancy.permissions import Permission
from sightline.web.errors import show_service_error
from sightline.web.review_panel import CorrectForm, ReviewForm
from sightline.web.screening_views import _render_detail  # a refusal re-renders the detail page

PAGE_SIZE = 25
REVIEWED = gettext_noop("The screening was marked as reviewed.")
RETURNED = gettext_noop("The screening was returned to its screener with your reason.")
CORRECTION_STARTED = gettext_noop(
    "Correction started. The finalized version stays current until you finalize this one."
)


# The same answer as a missing page: its existence tells a screener nothing.
@requires(Permission.AGENCY_OVERVIEW)
@require_http_methods(["GET"])
def awaiting_review(request: HttpRequest) -> HttpResponse:
    """Final screenings nobody has reviewed yet at the agencies the user oversees, oldest first."""
    found = selectors.screenings_awaiting_review(user=request.user)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    agencies = access.agency_ids_visible_to(request.user, Permission.AGENCY_OVERVIEW)
    context = {
        "page": page,
        "query": "",
        "instrument_names": catalog.instrument_titles(),
        "show_agency": len(agencies) > 1,
    }
    return render(request, "web/review/awaiting.html", context)


@login_required
@require_POST
def screening_review(request: HttpRequest, pk: int) -> HttpResponse:
    screening = selectors.screening_for_user(
        user=request.user, pk=pk, permission=Permission.AGENCY_OVERVIEW
    )
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            done = review.screening_review(
                screening=screening,
                by=request.user,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
                context=AuditContext.from_request(request),
            )
        except ScreeningError as error:
            show_service_error(form, error)
        else:
            messages.success(
                request,
                gettext(RETURNED if done.decision == ReviewDecision.RETURNED else REVIEWED),
            )
            return redirect("web:awaiting-review")
    return _render_detail(request, screening, status=400, review_form=form)


@login_required
@require_POST
def screening_correct(request: HttpRequest, pk: int) -> HttpResponse:
    screening = selectors.screening_for_user(
        user=request.user, pk=pk, permission=Permission.SCREENING_EDIT
    )
    form = CorrectForm(request.POST)
    if form.is_valid():
        try:
            correction = review.screening_correct(
                screening=screening,
                by=request.user,
                reason=form.cleaned_data["reason"],
                context=AuditContext.from_request(request),
            )
        except ScreeningError as error:
            show_service_error(form, error)
        else:
            messages.success(request, gettext(CORRECTION_STARTED))
            return redirect("web:screening-edit", pk=correction.pk)
    return _render_detail(request, screening, status=400, correct_form=form)
