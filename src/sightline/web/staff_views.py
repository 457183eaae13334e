"""Staff & training: an agency admin's list of their agency's people and their CSE-IT training."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from sightline.audit.context import AuditContext
from sightline.catalog import selectors as catalog
from sightline.tenancy import access
from sightline.tenancy.errors import TenancyError
from sightline.tenancy.permissions import Permission
from sightline.tenancy.selectors import staff_of
from sightline.tenancy.services import training_record_create
from sightline.web.errors import show_service_error
from sightline.web.youth_forms import TrainingRecordForm

if TYPE_CHECKING:
    from sightline.tenancy.models import Agency

NO_AGENCY = "No such agency."


@access.requires(Permission.TRAINING_MANAGE)
@require_http_methods(["GET", "POST"])
def staff(request: HttpRequest) -> HttpResponse:
    agency = _managed_agency(request)
    memberships = list(
        staff_of(user=request.user, agency=agency).prefetch_related("user__training_records")
    )
    form = TrainingRecordForm(request.POST or None, memberships=memberships)
    if request.method == "POST" and form.is_valid():
        try:
            training_record_create(
                by=request.user,
                agency=agency,
                user=form.chosen_user(),
                instrument_id=form.cleaned_data["instrument"],
                trained_on=form.cleaned_data["trained_on"],
                trainer=form.cleaned_data["trainer"],
                expires_on=form.cleaned_data["expires_on"],
                context=AuditContext.from_request(request),
            )
        except TenancyError as error:
            show_service_error(form, error)
        else:
            return redirect(f"{request.path}?agency={agency.pk}#training-form")
    today = timezone.localdate()
    titles = catalog.instrument_titles()
    people = [
        {
            "membership": membership,
            "training": [
                {
                    "record": record,
                    "title": titles.get(record.instrument_id, record.instrument_id),
                    "current": record.is_current_on(today),
                }
                for record in membership.user.training_records.all()
            ],
        }
        for membership in memberships
    ]
    return render(
        request,
        "web/staff/staff.html",
        {
            "agency": agency,
            "agencies": _managed_agencies(request),
            "people": people,
            "form": form,
        },
        status=400 if form.errors else 200,
    )


def _managed_agencies(request: HttpRequest) -> list[Agency]:
    return list(access.agencies_visible_to(request.user, Permission.TRAINING_MANAGE))


def _managed_agency(request: HttpRequest) -> Agency:
    """The agency named by ?agency= among those whose training the user manages (default: the first).

    Anyone who manages none never gets here (403); another agency's id is the same 404 as a missing one.
    """
    wanted = request.GET.get("agency")
    if wanted is None:
        first = _managed_agencies(request)[:1]
        if first:
            return first[0]
    return access.agency_for_user(
        user=request.user, agency_id=wanted, permission=Permission.TRAINING_MANAGE
    )
