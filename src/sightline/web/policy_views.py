"""An agency's screening policy: the version in force, its full history, and a form for a new version.

Agency admins (POLICY_MANAGE) add versions; supervisors (AGENCY_OVERVIEW) see the page read-only,
because the policy explains the due dates on their worklists. Anyone else gets the same 404 as for
a missing agency, so the page does not reveal which agencies exist.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from sightline.scheduling.errors import SchedulingError
from sightline.scheduling.models import ScreeningPolicy
from sightline.scheduling.selectors import policy_versions
from sightline.scheduling.services import default_instrument_id, policy_create, policy_in_force
from sightline.tenancy.models import Agency
from sightline.tenancy.permissions import Permission
from sightline.tenancy.selectors import agencies_where
from sightline.web.policy_forms import PolicyForm, instrument_choices

NO_AGENCY = "No such agency."


@login_required
@require_http_methods(["GET", "POST"])
def policy_view(request: HttpRequest, agency_id: int) -> HttpResponse:
    agency, can_manage = _agency(request, agency_id)
    today = timezone.localdate()
    current = policy_in_force(agency, on=today)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied("You cannot change this agency's screening policy.")
        form = PolicyForm(request.POST)
        if form.is_valid():
            try:
                policy_create(
                    agency=agency,
                    by=request.user,
                    effective_from=form.cleaned_data["effective_from"],
                    reason=form.cleaned_data["reason"],
                    request=request,
                    **form.settings(),
                )
            except SchedulingError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                return redirect(f"{request.path}?saved=1#history")
    else:
        form = PolicyForm(initial=PolicyForm.initial_from(current, today=today))
    titles = dict(instrument_choices())
    rows = policy_versions(agency_id=agency.pk)  # access checked by _agency above
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
    for perm, can_manage in ((Permission.POLICY_MANAGE, True), (Permission.AGENCY_OVERVIEW, False)):
        for agency in agencies_where(user=request.user, perm=perm):
            if agency.pk == agency_id:
                return agency, can_manage
    raise Http404(NO_AGENCY)


CHANGE_LABELS = {
    "min_age": "minimum age",
    "include_high_risk_under_min_age": "younger youth flagged high risk",
    "first_screen_days": "first screening",
    "rescreen_months": "rescreen",
    "possible_concern_rescreen_days": "after “possible concern”",
    "due_soon_days": "shown as due",
    "instrument_id": "instrument",
}


def _changes(row: ScreeningPolicy, before: ScreeningPolicy | None, agency: Agency) -> list[str]:
    """The settings this version changed, against the previous one (or the CSE-IT defaults)."""
    if before is None:
        before = ScreeningPolicy(agency=agency, instrument_id=default_instrument_id(agency.type))
    return [
        label
        for name, label in CHANGE_LABELS.items()
        if getattr(row, name) != getattr(before, name)
    ]
