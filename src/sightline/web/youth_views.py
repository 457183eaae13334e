"""Youth pages: list and search, add, detail with screening history, edit, intakes.

Thin: parse with a form, call one service or selector, render. Every youth is reached through
`youth_for_user` (the access layer), so a missing youth and another agency's youth are the same 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sightline.audit.choices import AuditAction
from sightline.audit.context import AuditContext
from sightline.audit.services import audit_record
from sightline.catalog import selectors as catalog
from sightline.scheduling.worklists import (
    NO_OPEN_INTAKE,
    YOUTH_SORTS,
    YouthFilters,
    intake_schedule_for,
    youth_directory,
)
from sightline.screenings.selectors import youth_history
from sightline.tenancy.access import requires
from sightline.tenancy.permissions import Permission
from sightline.tenancy.selectors import casework_agencies, people_with_permission
from sightline.web.errors import show_service_error
from sightline.web.schedule_views import STATE_CHOICES, STATE_LABELS
from sightline.web.youth_forms import (
    IntakeAssignForm,
    IntakeCloseForm,
    IntakeOpenForm,
    YouthCreateForm,
    YouthEditForm,
    YouthListFilter,
    YouthSearchForm,
)
from sightline.youth import errors
from sightline.youth.choices import RaceEthnicity
from sightline.youth.errors import YouthConflictError, YouthError
from sightline.youth.selectors import (
    intake_for_user,
    youth_for_user,
    youth_likely_duplicates,
    youth_search,
    youth_visible_to,
)
from sightline.youth.services import (
    intake_assign,
    intake_close,
    intake_open,
    youth_create,
    youth_update,
)

PAGE_SIZE = 25


def _screeners(request: HttpRequest, agency_ids: list[int]) -> list[Any]:
    """Who may be assigned a youth at these agencies: people who may screen there."""
    return people_with_permission(
        user=request.user, agency_ids=agency_ids, perm=Permission.SCREENING_EDIT
    )


def _context(request: HttpRequest) -> AuditContext:
    return AuditContext.from_request(request)


def _level_choices() -> list[tuple[str, str]]:
    """Each level code of the installed instruments once, labelled as its current definition names it."""
    seen: dict[str, str] = {}
    for definition in catalog.current_definitions():
        for level in definition.localized(translation.get_language()).levels:
            seen.setdefault(level.code, level.label)
    return list(seen.items())


def _list_filter(request: HttpRequest, params: QueryDict) -> YouthListFilter:
    return YouthListFilter(
        params if any(name in params for name in YOUTH_FILTER_FIELDS) else None,
        states=[*STATE_CHOICES, (NO_OPEN_INTAKE, gettext_lazy("No open intake"))],
        levels=_level_choices(),
        sorts=YOUTH_SORTS,
        initial={"sort": "newest"},
    )


YOUTH_FILTER_FIELDS = ("status", "level", "high_risk", "mine", "sort")


@login_required
@require_http_methods(["GET", "POST"])
def youth_list(request: HttpRequest) -> HttpResponse:
    """GET lists every youth the user may see; a search is a POST, so names, case numbers and dates
    of birth never land in URLs, server logs, browser history or the audit event's path. The list's
    filters and order are codes only, so they travel in GET links."""
    params = request.POST if request.method == "POST" else request.GET
    form = YouthSearchForm(request.POST if request.method == "POST" else None)
    # Filters and order apply to the whole list (a GET link); a search (POST) lists its matches as found.
    filters = _list_filter(request, request.GET if request.method == "GET" else QueryDict())
    searching = form.is_bound and form.is_valid() and bool(form.keys_used())
    if searching:
        found = youth_search(user=request.user, **form.cleaned_data)
    elif (form.is_bound and not form.is_valid()) or (filters.is_bound and not filters.is_valid()):
        found = youth_visible_to(user=request.user).none()
    else:
        found = youth_visible_to(user=request.user)
    chosen = filters.cleaned_data if filters.is_bound and filters.is_valid() else {}
    today = timezone.localdate()
    rows_qs = youth_directory(
        found,
        user=request.user,
        today=today,
        filters=YouthFilters(
            state=chosen.get("status", ""),
            level=chosen.get("level", ""),
            high_risk=bool(chosen.get("high_risk")),
            mine=bool(chosen.get("mine")),
            sort=chosen.get("sort") or "newest",
        ),
    )
    page = Paginator(rows_qs.prefetch_related("intakes"), PAGE_SIZE).get_page(params.get("page"))
    # Listing identified youth is an access like any other; the event names the keys, never the values.
    audit_record(
        actor=request.user,
        action=AuditAction.SEARCH,
        object_type="youth",
        context=_context(request),
        detail={
            "keys": form.keys_used() if searching else [],
            "page": page.number,
            "filters": filters.used() if chosen else {},
        },
    )
    rows = list(page.object_list)
    for youth in rows:
        youth.age = youth.age_on(today)
        youth.status_label = (
            STATE_LABELS.get(youth.schedule_state, "") if youth.next_due_on else "No open intake"
        )
    filtering = bool(chosen) and any(
        chosen.get(name) for name in ("status", "level", "high_risk", "mine")
    )
    return render(
        request,
        "web/youth/list.html",
        {
            "form": form,
            "filters": filters,
            "filtering": filtering,
            "page": page,
            "searching": searching,
            "rows": rows,
            "query": _filter_query(chosen),
            "can_add": bool(casework_agencies(request.user)),
        },
        status=400
        if (form.is_bound and not form.is_valid()) or (filters.is_bound and not filters.is_valid())
        else 200,
    )


def _filter_query(chosen: dict[str, Any]) -> str:
    """The filters in effect as a query string for the page links (codes only)."""
    query = QueryDict(mutable=True)
    for name in YOUTH_FILTER_FIELDS:
        value = chosen.get(name)
        if value is True:
            query[name] = "on"
        elif value:
            query[name] = str(value)
    return query.urlencode()


@requires(Permission.YOUTH_EDIT)
@require_http_methods(["GET", "POST"])
def youth_create_view(request: HttpRequest) -> HttpResponse:
    agencies = casework_agencies(request.user)
    form = YouthCreateForm(
        request.POST or None,
        agencies=agencies,
        assignees=_screeners(request, [agency.pk for agency in agencies]),
    )
    duplicates: list[Any] = []
    if request.method == "POST" and form.is_valid():
        values = form.youth_values()
        agency = form.chosen_agency()
        duplicates = youth_likely_duplicates(
            user=request.user,
            agency=agency,
            first_name=values["first_name"],
            last_name=values["last_name"],
            date_of_birth=values["date_of_birth"],
            case_number=values["case_number"],
            aliases=values["aliases"],
        )
        if not duplicates or form.cleaned_data["confirm_different"]:
            try:
                youth = youth_create(
                    by=request.user,
                    agency=agency,
                    intake_on=form.cleaned_data["intake_on"],
                    program=form.cleaned_data["program"],
                    assigned_to=form.chosen_assignee(),
                    context=_context(request),
                    **values,
                )
            except YouthError as error:
                show_service_error(form, error)
            else:
                return redirect("web:youth-detail", pk=youth.pk)
    status = 400 if form.is_bound and (form.errors or duplicates) else 200
    return render(
        request,
        "web/youth/form.html",
        {"form": form, "duplicates": duplicates, "creating": True},
        status=status,
    )


@login_required
@require_GET
def youth_detail(request: HttpRequest, pk: int) -> HttpResponse:
    youth = youth_for_user(
        user=request.user, pk=pk, context=_context(request), record=AuditAction.VIEW
    )
    history = youth_history(user=request.user, youth=youth)
    _label_instruments_and_levels(history)
    intakes = list(youth.intakes.all())
    open_intake = next((i for i in intakes if i.is_open), None)
    today = timezone.localdate()
    schedule = (
        intake_schedule_for(user=request.user, intake_id=open_intake.pk, today=today)
        if open_intake
        else None
    )
    return render(
        request,
        "web/youth/detail.html",
        {
            "youth": youth,
            "age": youth.age_on(timezone.localdate()),
            "race_labels": [
                RaceEthnicity(code).label
                for code in youth.race_ethnicity
                if code in RaceEthnicity.values
            ],
            "intakes": intakes,
            "open_intake": open_intake,
            "schedule": schedule,
            "schedule_status": schedule.status_on(today) if schedule else None,
            "assign_form": IntakeAssignForm(
                initial={"assigned_to": str(open_intake.assigned_to_id or "")},
                assignees=_screeners(request, [youth.agency_id]),
            )
            if open_intake
            else None,
            "history": history,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def youth_edit(request: HttpRequest, pk: int) -> HttpResponse:
    youth = youth_for_user(user=request.user, pk=pk, permission=Permission.YOUTH_EDIT)
    saved_now: list[tuple[str, str]] = []
    status = 200
    if request.method == "POST":
        form = YouthEditForm(request.POST)
        if form.is_valid():
            try:
                youth_update(
                    youth=youth,
                    by=request.user,
                    context=_context(request),
                    expected_lock_version=form.cleaned_data["lock_version"],
                    **form.youth_values(),
                )
            except YouthConflictError as error:
                # Someone saved first: show what the record says now and keep the user's input,
                # re-based on the current version so saving again is a deliberate choice.
                current = youth_for_user(user=request.user, pk=pk, permission=Permission.YOUTH_EDIT)
                saved_now = form.saved_differences(current)
                data = request.POST.copy()
                data["lock_version"] = str(current.lock_version)
                form = YouthEditForm(data)
                form.is_valid()
                form.add_error(None, error.message)
                youth, status = current, 409
            except YouthError as error:
                show_service_error(form, error)
            else:
                return redirect("web:youth-detail", pk=youth.pk)
    else:
        form = YouthEditForm(initial=YouthEditForm.initial_from(youth))
        audit_record(
            actor=request.user, action=AuditAction.VIEW, obj=youth, context=_context(request)
        )
    if form.errors and status == 200:
        status = 400
    return render(
        request,
        "web/youth/form.html",
        {"form": form, "youth": youth, "creating": False, "saved_now": saved_now},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def intake_open_view(request: HttpRequest, pk: int) -> HttpResponse:
    youth = youth_for_user(user=request.user, pk=pk, permission=Permission.YOUTH_EDIT)
    form = IntakeOpenForm(request.POST or None, assignees=_screeners(request, [youth.agency_id]))
    if request.method == "POST" and form.is_valid():
        try:
            intake_open(
                youth=youth,
                by=request.user,
                context=_context(request),
                intake_on=form.cleaned_data["intake_on"],
                program=form.cleaned_data["program"],
                assigned_to=form.chosen_assignee(),
            )
        except YouthError as error:
            show_service_error(form, error)
        else:
            return redirect("web:youth-detail", pk=youth.pk)
    return render(
        request,
        "web/youth/intake_form.html",
        {"form": form, "youth": youth, "closing": False},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def intake_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    intake = intake_for_user(user=request.user, pk=pk)
    youth = youth_for_user(user=request.user, pk=intake.youth_id, permission=Permission.YOUTH_EDIT)
    form = IntakeCloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            intake_close(
                intake=intake, by=request.user, context=_context(request), **form.cleaned_data
            )
        except YouthError as error:
            show_service_error(form, error)
        else:
            return redirect("web:youth-detail", pk=youth.pk)
    return render(
        request,
        "web/youth/intake_form.html",
        {"form": form, "youth": youth, "intake": intake, "closing": True},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def intake_assign_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Reassign an open intake from the youth page; a refusal comes back as a message there."""
    intake = intake_for_user(user=request.user, pk=pk)
    youth = youth_for_user(user=request.user, pk=intake.youth_id, permission=Permission.YOUTH_EDIT)
    form = IntakeAssignForm(request.POST, assignees=_screeners(request, [youth.agency_id]))
    if not form.is_valid():
        messages.error(request, gettext(errors.ASSIGNEE_NOT_SCREENER))
        return redirect("web:youth-detail", pk=youth.pk)
    try:
        intake_assign(
            intake=intake,
            by=request.user,
            assigned_to=form.chosen_assignee(),
            context=_context(request),
        )
    except YouthError as error:
        messages.error(request, error.message)
    else:
        assignee = form.chosen_assignee()
        messages.success(
            request,
            gettext("Assigned to %(name)s.")
            % {"name": assignee.get_full_name() or assignee.username}
            if assignee
            else gettext("The youth is no longer on anyone's caseload."),
        )
    return redirect("web:youth-detail", pk=youth.pk)


def _label_instruments_and_levels(history: list[Any]) -> None:
    """Give each screening its instrument's short title and its level's label from the pinned version;
    a version no longer installed shows its codes rather than failing the page."""
    titles = {(v.instrument_id, v.version): v.short_title for v in catalog.installed_versions()}
    labels = catalog.level_labels(
        ((s.instrument_id, s.instrument_version, s.level) for s in history),
        language=translation.get_language(),
    )
    for screening in history:
        pinned = (screening.instrument_id, screening.instrument_version)
        screening.instrument_title = titles.get(pinned, screening.instrument_id)
        screening.level_label = labels[(*pinned, screening.level)]
