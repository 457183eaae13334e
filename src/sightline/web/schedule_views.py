"""Worklist pages: my caseload, an agency's worklist and its CSV export.

Thin: the filters are parsed by a form, the rows come from `sightline.scheduling.selectors` (scoped
there), and each page writes its own audit event, since listing identified youth is an access.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from sightline.audit.choices import AuditAction
from sightline.audit.context import AuditContext
from sightline.audit.services import audit_record
from sightline.scheduling import exports, rules
from sightline.scheduling.requested import requests_for_agency, requests_for_caseload
from sightline.scheduling.selectors import (
    AGE_BANDS,
    agency_programs,
    agency_worklist,
    days_overdue,
    my_worklist,
    state_counts,
)
from sightline.scheduling.worklists import overseen_agencies
from sightline.screenings.selectors import followup_counts, open_followups
from sightline.tenancy import access
from sightline.tenancy.access import requires
from sightline.tenancy.permissions import Permission
from sightline.tenancy.selectors import colleague, people_matching
from sightline.web.followup_rows import describe_followups

PAGE_SIZE = 50
UNASSIGNED = "none"
STATE_CHOICES = [
    (rules.State.OVERDUE.value, _("Overdue")),
    (rules.State.DUE.value, _("Due")),
    (rules.State.UP_TO_DATE.value, _("Up to date")),
    (rules.State.NOT_ELIGIBLE.value, _("Not yet eligible")),
]
STATE_LABELS = dict(STATE_CHOICES)
NO_SUCH_SCREENER = gettext_noop("No screener at this agency matches “{text}”.")
SEVERAL_SCREENERS = gettext_noop("Several people match “{text}” ({names}); type more of the name.")


UNASSIGNED_WORDS = {UNASSIGNED, "unassigned"}
_USERNAME_IN_LABEL = re.compile(r"\(([^()]+)\)\s*$")


def picker_label(user: Any) -> str:
    """How the screener picker names a person, and the text it resolves back: "Name (username)"."""
    name = user.get_full_name()
    return f"{name} ({user.username})" if name else user.username


class WorklistFilter(forms.Form):
    """The agency worklist's GET filters; choices come from the agency, so a stale link is an error.

    The screener is a text field, not a list of every casework member (2,808 at a large agency): it
    takes what the search-as-you-type picker offers ("Name (username)"), a person's id (links), any
    unique start of a name (without JavaScript), or "Unassigned".
    """

    screener = forms.CharField(
        label=_("Screener"),
        required=False,
        max_length=200,
        help_text=_("Type a name, or “Unassigned”."),
    )
    program = forms.ChoiceField(label=_("Program"), required=False)
    state = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *STATE_CHOICES]
    )
    age_band = forms.ChoiceField(
        label=_("Age"),
        required=False,
        choices=[("", _("Any age"))] + [(band.code, band.label) for band in AGE_BANDS],
    )

    def __init__(
        self,
        *args: Any,
        find_people: Callable[[str], list[Any]],
        person_by_id: Callable[[int], Any],
        programs: list[str],
        picker_url: str = "",
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.find_people = find_people
        self.person_by_id = person_by_id
        self.chosen: Any = None
        self.fields["program"].choices = [("", _("Any program"))] + [(p, p) for p in programs]
        if picker_url:
            self.fields["screener"].widget.attrs.update(
                {
                    "list": "screener-options",
                    "autocomplete": "off",
                    "hx-get": picker_url,
                    "hx-trigger": "input changed delay:250ms",
                    "hx-target": "#screener-options",
                    "hx-swap": "outerHTML",
                    "hx-sync": "this:replace",
                }
            )

    def clean_screener(self) -> str:
        text = self.cleaned_data["screener"].strip()
        if not text or text.lower() in UNASSIGNED_WORDS:
            return UNASSIGNED if text else ""
        if text.isdigit():
            self.chosen = self.person_by_id(int(text))
            if self.chosen is None:
                raise forms.ValidationError(gettext(NO_SUCH_SCREENER).format(text=text))
            return text
        named = _USERNAME_IN_LABEL.search(text)
        wanted = named.group(1).strip() if named else text
        found = self.find_people(wanted)
        exact = [user for user in found if user.username == wanted]
        if len(exact) == 1 or len(found) == 1:
            self.chosen = (exact or found)[0]
            return str(self.chosen.pk)
        if not found:
            raise forms.ValidationError(gettext(NO_SUCH_SCREENER).format(text=text))
        raise forms.ValidationError(
            gettext(SEVERAL_SCREENERS).format(
                text=text, names="; ".join(picker_label(user) for user in found[:5])
            )
        )

    def selector_kwargs(self, *, with_state: bool = True) -> dict[str, Any]:
        data = self.cleaned_data
        screener = data["screener"]  # "", UNASSIGNED or the chosen person's id (clean_screener)
        kwargs: dict[str, Any] = {
            "unassigned": screener == UNASSIGNED,
            "assigned_to_id": int(screener) if screener and screener != UNASSIGNED else None,
            "program": data["program"] or None,
            "age_band": data["age_band"] or None,
        }
        if with_state:
            kwargs["state"] = data["state"] or None
        return kwargs

    def used(self) -> dict[str, str]:
        """The filters in effect, as typed (ids and codes, never a name): for the audit event."""
        return {name: value for name, value in self.cleaned_data.items() if value}


def _describe(row: Any, today: Any) -> None:
    """Give a schedule row what its table cells show: age, state in words, days overdue."""
    row.age = exports.age_on(row.date_of_birth, today)
    row.days_late = days_overdue(row, today)
    if row.days_late:
        row.state_text = f"Overdue by {row.days_late} day{'s' if row.days_late != 1 else ''}"
    elif row.state == rules.State.NOT_ELIGIBLE.value:
        row.state_text = f"Not yet eligible: under the minimum age until {row.eligible_on:%Y-%m-%d}"
    elif row.state == rules.State.UP_TO_DATE.value:
        row.state_text = f"Up to date (next due by {row.due_on:%Y-%m-%d})"
    else:
        row.state_text = f"Due by {row.due_on:%Y-%m-%d}"


def _late(requested: list[Any]) -> list[Any]:
    now = timezone.now()
    for item in requested:
        item.is_late = item.due_at < now
    return requested


@requires(Permission.SCREENING_EDIT)
@require_GET
def my_caseload(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = list(my_worklist(user=request.user, today=today))
    for row in rows:
        _describe(row, today)
    followups = describe_followups(
        list(open_followups(user=request.user, today=today, owner_id=request.user.pk)[:50]),
        today,
    )
    audit_record(
        actor=request.user,
        action=AuditAction.VIEW,
        object_type="worklist",
        context=AuditContext.from_request(request),
        detail={"kind": "mine", "rows": len(rows)},
    )
    return render(
        request,
        "web/schedule/mine.html",
        {
            "overdue": [row for row in rows if row.days_late],
            "due_soon": [row for row in rows if not row.days_late],
            "followups": followups,
            "today": today,
            "requested": _late(requests_for_caseload(user=request.user)),
        },
    )


@requires(Permission.AGENCY_OVERVIEW)
@require_GET
def agency_index(request: HttpRequest) -> HttpResponse:
    agencies = overseen_agencies(user=request.user)
    if len(agencies) == 1:
        return redirect("web:schedule-agency", agency_id=agencies[0].pk)
    return render(request, "web/schedule/agencies.html", {"agencies": agencies})


def _agency_or_404(request: HttpRequest, agency_id: int) -> tuple[Any, int]:
    """The agency if the user oversees it, and how many agencies they oversee.

    Any other id is the same 404 as a missing one, so the page says nothing about other agencies.
    """
    agencies = overseen_agencies(user=request.user)
    agency = next((a for a in agencies if a.pk == agency_id), None)
    if agency is None:  # the door answers, and records, the refusal
        agency = access.agency_for_user(
            user=request.user, agency_id=agency_id, permission=Permission.AGENCY_OVERVIEW
        )
    return agency, len(agencies)


def _filter_form(request: HttpRequest, agency: Any, today: Any) -> WorklistFilter:
    def find(text: str) -> list[Any]:
        return people_matching(
            user=request.user,
            agency_ids=[agency.pk],
            perm=Permission.SCREENING_EDIT,
            text=text,
            include_former=True,
        )

    def by_id(pk: int) -> Any:
        return colleague(
            user=request.user,
            agency_ids=[agency.pk],
            perm=Permission.SCREENING_EDIT,
            pk=pk,
            include_former=True,
        )

    return WorklistFilter(
        request.GET,
        find_people=find,
        person_by_id=by_id,
        programs=agency_programs(user=request.user, agency_id=agency.pk, today=today),
        picker_url=reverse("web:schedule-agency-screeners", args=[agency.pk]),
    )


def _show_chosen(form: WorklistFilter) -> None:
    """Show the resolved screener by name in the text field (a link may have carried only an id)."""
    shown = form.data.copy()
    if form.chosen is not None:
        shown["screener"] = picker_label(form.chosen)
    elif form.cleaned_data["screener"] == UNASSIGNED:
        shown["screener"] = "Unassigned"
    form.data = shown


@login_required
@require_GET
def agency_screener_picker(request: HttpRequest, agency_id: int) -> HttpResponse:
    """The picker's suggestions for what has been typed: at most 20 people, as a datalist (htmx)."""
    agency, _ = _agency_or_404(request, agency_id)
    text = request.GET.get("screener", "").strip()
    people = (
        people_matching(
            user=request.user,
            agency_ids=[agency.pk],
            perm=Permission.SCREENING_EDIT,
            text=text,
            include_former=True,
        )
        if text and text.lower() not in UNASSIGNED_WORDS
        else []
    )
    options = [picker_label(user) for user in people]
    return render(request, "web/schedule/_screener_options.html", {"options": options})


def _query(request: HttpRequest, **changes: str | None) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    for key, value in changes.items():
        query.pop(key, None)
        if value:
            query[key] = value
    return query.urlencode()


@login_required
@require_GET
def agency_worklist_view(request: HttpRequest, agency_id: int) -> HttpResponse:
    agency, overseen = _agency_or_404(request, agency_id)
    today = timezone.localdate()
    form = _filter_form(request, agency, today)
    page, counts = None, None
    if form.is_valid():
        _show_chosen(form)
        try:
            base = agency_worklist(
                user=request.user,
                agency_id=agency.pk,
                today=today,
                **form.selector_kwargs(with_state=False),
            )
            rows = agency_worklist(
                user=request.user, agency_id=agency.pk, today=today, **form.selector_kwargs()
            )
        except ValueError as error:
            form.add_error(
                None, gettext("The filters could not be applied: %(error)s.") % {"error": error}
            )
        else:
            counts = state_counts(base)
            paginator = Paginator(rows, PAGE_SIZE)
            # The counts already hold the total: spare the page its own COUNT over the same rows.
            state = form.cleaned_data["state"]
            paginator.count = counts[state] if state else sum(counts.values())
            page = paginator.get_page(request.GET.get("page"))
            for row in page.object_list:
                _describe(row, today)
            audit_record(
                actor=request.user,
                action=AuditAction.VIEW,
                object_type="worklist",
                agency_id=agency.pk,
                context=AuditContext.from_request(request),
                detail={"kind": "agency", "filters": form.used(), "page": page.number},
            )
    current_state = form.cleaned_data.get("state", "") if form.is_valid() else ""
    state_links = (
        [
            {
                "code": code,
                "label": label,
                "count": counts[code],
                "query": _query(request, state=code),
                "current": code == current_state,
            }
            for code, label in STATE_CHOICES
        ]
        if counts is not None
        else []
    )
    return render(
        request,
        "web/schedule/agency.html",
        {
            "agency": agency,
            "filters": form,
            "page": page,
            "state_links": state_links,
            "all_query": _query(request, state=None),
            "all_count": sum(counts.values()) if counts else 0,
            "current_state": current_state,
            "query": _query(request),
            "several_agencies": overseen > 1,
            "requested": _late(requests_for_agency(user=request.user, agency_id=agency.pk)),
            "followup_counts": followup_counts(user=request.user, today=today, agency_id=agency.pk),
        },
        status=200 if page is not None else 400,
    )


@login_required
@require_GET
def agency_worklist_export(request: HttpRequest, agency_id: int) -> HttpResponse:
    agency, _ = _agency_or_404(request, agency_id)
    today = timezone.localdate()
    form = _filter_form(request, agency, today)
    if not form.is_valid():
        return _export_refused(request, agency, form)
    try:
        rows = agency_worklist(
            user=request.user, agency_id=agency.pk, today=today, **form.selector_kwargs()
        )
    except ValueError as error:
        form.add_error(
            None, gettext("The filters could not be applied: %(error)s.") % {"error": error}
        )
        return _export_refused(request, agency, form)
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        object_type="worklist",
        agency_id=agency.pk,
        context=AuditContext.from_request(request),
        detail={"kind": "worklist", "filters": form.used(), "rows": rows.count()},
    )
    response = StreamingHttpResponse(
        exports.worklist_csv(rows.iterator(chunk_size=500), today=today),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="worklist-agency-{agency.pk}-{today:%Y-%m-%d}.csv"'
    )
    response["Cache-Control"] = "no-store"
    return response


def _export_refused(request: HttpRequest, agency: Any, form: WorklistFilter) -> HttpResponse:
    return render(
        request,
        "web/schedule/agency.html",
        {
            "agency": agency,
            "filters": form,
            "page": None,
            "state_links": [],
            "query": _query(request),
        },
        status=400,
    )
