"""Home and the practice pages. Thin: parse the request, call a selector or `sightline.instruments`,
render. Every page needs sign-in: even the practice scorer is for trained staff only."""

from __future__ import annotations

from collections import Counter

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from sightline import instruments
from sightline.scheduling.worklists import agency_counts, my_caseload_counts
from sightline.screenings.models import ScreeningStatus
from sightline.screenings.selectors import my_screenings
from sightline.tenancy.permissions import Permission, permissions_anywhere
from sightline.web.forms import FLUENT, MODE_FIELD, PracticeForm
from sightline.youth.selectors import youth_visible_to

RESULT_PARTIAL = "web/partials/practice_result.html"


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    found = instruments.available()
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
    today = timezone.localdate()
    context = {
        "instruments": listed,
        "memberships": user.memberships.filter(active=True, agency__active=True)
        .select_related("agency")
        .order_by("agency__name"),
        "casework": casework,
        "my_drafts": my_screenings(user=user, status=ScreeningStatus.DRAFT).count()
        if casework
        else 0,
        "youth_count": youth_visible_to(user=user).count() if casework else 0,
        "manages_training": Permission.TRAINING_MANAGE in granted,
        "overview": overview,
        "caseload": my_caseload_counts(user=user, today=today)
        if Permission.SCREENING_EDIT in granted
        else None,
        "agency_counts": agency_counts(user=user, today=today) if overview else [],
    }
    return render(request, "web/home.html", context)


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
    """The definition named by `id` or `id@version`, only among those `available()` lists.

    `instruments.load` also accepts a file path; a URL segment must never reach it as one.
    """
    wanted_id, _, wanted_version = instrument_id.partition("@")
    known = {(d.id, d.version) for d in instruments.available()}
    if wanted_version:
        if (wanted_id, wanted_version) not in known:
            raise Http404("No such instrument version.")
    elif wanted_id not in {found_id for found_id, _ in known}:
        raise Http404("No such instrument.")
    return instruments.load(instrument_id)


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
