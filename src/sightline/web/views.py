"""Home and the practice pages. Thin: parse the request, call a selector or `sightline.instruments`,
render. Every page needs sign-in: even the practice scorer is for trained staff only."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from sightline import instruments
from sightline.catalog import selectors as catalog
from sightline.scheduling.selectors import days_overdue, my_worklist
from sightline.scheduling.worklists import agency_counts, my_caseload_counts, system_health
from sightline.screenings.choices import ScreeningStatus
from sightline.screenings.selectors import (
    followup_counts,
    my_screenings,
    open_followups,
    screenings_awaiting_review,
)
from sightline.tenancy.permissions import Permission, permissions_anywhere
from sightline.tenancy.selectors import active_memberships, people_counts, training_expiring
from sightline.web.followup_rows import describe_followups
from sightline.web.forms import FLUENT, MODE_FIELD, PracticeForm
from sightline.web.i18n import localized

RESULT_PARTIAL = "web/partials/practice_result.html"


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    found = catalog.installed_definitions()
    versions_per_id = Counter(d.id for d in found)
    listed = [
        # Link by plain id unless several versions share it; then each link names its version.
        (d, d.id if versions_per_id[d.id] == 1 else f"{d.id}@{d.version}")
        for d in found
    ]
    user = request.user
    granted = permissions_anywhere(
        user
    )  # what to show; each figure below is scoped by its selector
    casework = Permission.YOUTH_VIEW in granted
    overview = Permission.AGENCY_OVERVIEW in granted
    screens = Permission.SCREENING_EDIT in granted
    today = timezone.localdate()
    context: dict[str, Any] = {
        "instruments": listed,
        "memberships": active_memberships(user=user),
        "casework": casework,
        "my_drafts": my_screenings(user=user, status=ScreeningStatus.DRAFT).count()
        if casework
        else 0,
        "manages_training": Permission.TRAINING_MANAGE in granted,
        "overview": overview,
        "caseload": my_caseload_counts(user=user, today=today)
        if Permission.SCREENING_EDIT in granted
        else None,
        "agency_counts": agency_counts(user=user, today=today) if overview else [],
        "today": today,
    }
    # What is due today comes first, per role; each list is short and scoped by its selector.
    if screens:
        context["due_rows"] = _described(list(my_worklist(user=user, today=today)[:5]), today)
        context["my_followups"] = describe_followups(
            list(open_followups(user=user, today=today, owner_id=user.pk)[:5]), today
        )
        context["my_followup_counts"] = followup_counts(user=user, today=today, owner_id=user.pk)
        context["draft_list"] = list(my_screenings(user=user, status=ScreeningStatus.DRAFT)[:5])
    if overview:
        context["awaiting_review"] = screenings_awaiting_review(user=user).count()
        context["team_followups"] = followup_counts(user=user, today=today)
    if Permission.TRAINING_MANAGE in granted or Permission.STAFF_MANAGE in granted:
        context["expiring"] = training_expiring(user=user, today=today)
        context["people"] = people_counts(user=user)
    context["reports"] = Permission.AGGREGATE_VIEW in granted
    context["researcher"] = Permission.DEIDENTIFIED_VIEW in granted
    context["system_admin"] = user.is_staff
    if user.is_staff:
        context["health"] = system_health()
    return render(request, "web/home.html", context)


def _described(rows: list[Any], today: Any) -> list[Any]:
    for row in rows:
        row.days_late = days_overdue(row, today)
    return rows


@login_required
@require_GET
def instrument(request: HttpRequest, instrument_id: str) -> HttpResponse:
    definition = _definition_or_404(instrument_id)
    form = PracticeForm(definition, fluent=request.GET.get(MODE_FIELD) == FLUENT)
    return _render_practice(request, instrument_id, form)


@login_required
@require_POST
def instrument_score(request: HttpRequest, instrument_id: str) -> HttpResponse:
    definition = _definition_or_404(instrument_id)
    form = PracticeForm(definition, request.POST)
    return _render_practice(request, instrument_id, form)


def _definition_or_404(instrument_id: str) -> instruments.Definition:
    """The installed definition named by `id` (its current version) or `id@version`."""
    wanted_id, _, wanted_version = instrument_id.partition("@")
    try:
        if wanted_version:
            return localized(catalog.definition(wanted_id, wanted_version))
        return localized(catalog.current_definition(wanted_id))
    except LookupError:
        missing = "No such instrument version." if wanted_version else "No such instrument."
        raise Http404(missing) from None


def _render_practice(request: HttpRequest, instrument_id: str, form: PracticeForm) -> HttpResponse:
    definition = form.definition
    result = instruments.score(definition, form.ratings) if form.is_valid() else None
    suggestions = {
        indicator.id: instruments.suggest_rating(
            definition, indicator.id, form.statement_answers[indicator.id]
        )
        for indicator in definition.indicators
        if indicator.statements
    }
    context = {
        "definition": definition,
        "instrument_id": instrument_id,
        "form": form,
        "fields": form.fields(suggestions),
        "result": result,
        "level": definition.level(result.level) if result and result.level else None,
        # The level's position (0 = lowest) styles it without the template naming any level.
        "level_rank": definition.level_index(result.level) if result and result.level else None,
        "nei_label": next(
            (o.label for o in definition.indicator_scale if o.value == instruments.NEI), None
        ),
    }
    status = 200 if form.is_valid() else 400
    template = RESULT_PARTIAL if request.htmx else "web/instrument.html"
    return render(request, template, context, status=status)
