"""Pages. Thin: parse the request, call `sightline.instruments`, render."""

from __future__ import annotations

from collections import Counter

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from sightline import instruments
from sightline.web.forms import FLUENT, MODE_FIELD, PracticeForm

RESULT_PARTIAL = "web/partials/practice_result.html"


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    found = instruments.available()
    versions_per_id = Counter(d.id for d in found)
    listed = [
        # Link by plain id unless several versions share it; then each link names its version.
        (d, d.id if versions_per_id[d.id] == 1 else f"{d.id}@{d.version}")
        for d in found
    ]
    return render(request, "web/home.html", {"instruments": listed})


@require_GET
def instrument(request: HttpRequest, instrument_id: str) -> HttpResponse:
    definition = _definition_or_404(instrument_id)
    form = PracticeForm(definition, fluent=request.GET.get(MODE_FIELD) == FLUENT)
    return _render_practice(request, instrument_id, form)


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
