"""An agency's screening policy: the version in force, its full history, and a form for a new version.

Agency admins (POLICY_MANAGE) add versions; supervisors (AGENCY_OVERVIEW) see the page read-only,
because the policy explains the due dates on their worklists. Anyone else gets the same 404 as for
a missing agency, so the page does not reveal which agencies exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from sightline.audit.context import AuditContext
from sightline.scheduling.errors import SchedulingError
from sightline.scheduling.policies import default_instrument_id, policy_defaults, policy_in_force
from sightline.scheduling.selectors import policy_versions
from sightline.scheduling.services import policy_create
from sightline.tenancy import access
from sightline.tenancy.permissions import Permission, has_permission
from sightline.web.errors import show_service_error
from sightline.web.policy_forms import PolicyForm, instrument_choices

if TYPE_CHECKING:
    from sightline.scheduling.models import ScreeningPolicy
    from sightline.tenancy.models import Agency

NO_AGENCY = "No such agency."


@login_required
@require_http_methods(["GET", "POST"])
def policy_view(request: HttpRequest, agency_id: int) -> HttpResponse:
    agency, can_manage = _agency(request, agency_id)
    today = timezone.localdate()
    current = policy_in_force(agency, on=today)
    if request.method == "POST":
        access.require(
            request.user,
            Permission.POLICY_MANAGE,
            agency_id=agency.pk,
            object_type="agency",
            object_id=agency.pk,
            message="You cannot change this agency's screening policy.",
        )
        form = PolicyForm(request.POST)
        if form.is_valid():
            try:
                policy_create(
                    agency=agency,
                    by=request.user,
                    effective_from=form.cleaned_data["effective_from"],
                    reason=form.cleaned_data["reason"],
                    context=AuditContext.from_request(request),
                    **form.settings(),
                )
            except SchedulingError as error:
                show_service_error(form, error)
            else:
                return redirect(f"{request.path}?saved=1#history")
    else:
        form = PolicyForm(initial=PolicyForm.initial_from(current, today=today))
    titles = dict(instrument_choices())
    rows = policy_versions(user=request.user, agency_id=agency.pk)
    history = [
        {
            "policy": row,
            "instrument": titles.get(row.instrument_id, row.instrument_id),
            "in_force": row.pk == current.pk,
            "upcoming": row.effective_from > today,
            "changes": _changes(row, rows[i + 1] if i + 1 < len(rows) else None, agency),
        }
        for i, row in enumerate(rows)
    ]
    context: dict[str, Any] = {
        "agency": agency,
        "current": current,
        "is_default": current.pk is None,
        "current_instrument": titles.get(current.instrument_id, current.instrument_id),
        "default_instrument": default_instrument_id(agency.type),
        "history": history,
        "form": form if can_manage else None,
        "can_manage": can_manage,
        "saved": request.GET.get("saved") == "1",
        "today": today,
    }
    return render(request, "web/policy/policy.html", context, status=400 if form.errors else 200)


def _agency(request: HttpRequest, agency_id: int) -> tuple[Agency, bool]:
    """The agency if the user manages its policy (True) or oversees it (False); else 404."""
    agency = access.agency_for_user(
        user=request.user,
        agency_id=agency_id,
        permission=Permission.POLICY_MANAGE,
        also=(Permission.AGENCY_OVERVIEW,),
    )
    return agency, has_permission(request.user, Permission.POLICY_MANAGE, agency=agency)


CHANGE_LABELS = {
    "min_age": "minimum age",
    "include_high_risk_under_min_age": "younger youth flagged high risk",
    "first_screen_days": "first screening",
    "rescreen_months": "rescreen",
    "possible_concern_rescreen_days": "after “possible concern”",
    "due_soon_days": "shown as due",
    "correction_window_days": "correction window",
    "instrument_id": "instrument",
}


def _changes(row: ScreeningPolicy, before: ScreeningPolicy | None, agency: Agency) -> list[str]:
    """The settings this version changed, against the previous one (or the CSE-IT defaults)."""
    if before is None:
        before = policy_defaults(agency)
    return [
        label
        for name, label in CHANGE_LABELS.items()
        if getattr(row, name) != getattr(before, name)
    ]
