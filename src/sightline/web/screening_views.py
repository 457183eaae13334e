"""Screening pages: start, draft, detail, printable summary, follow-up, my list and the agency overview.

Thin: every read goes through `sightline.screenings.selectors`, every change through one service, and
a refused change re-renders the page with the service's message and the user's input, having written
nothing. Views write the VIEW and PRINT audit events themselves (services audit only changes).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from sightline import instruments
from sightline.audit.choices import AuditAction
from sightline.audit.context import AuditContext
from sightline.audit.services import audit_record
from sightline.catalog import selectors as catalog
from sightline.scheduling.policies import policy_in_force
from sightline.screenings import errors, selectors, services
from sightline.screenings.choices import InformationSource, ScreeningMode, ScreeningStatus
from sightline.screenings.definitions import Definition, definition_for
from sightline.screenings.errors import ScreeningConflictError, ScreeningError
from sightline.screenings.exports import screenings_csv
from sightline.screenings.followups import days_late, followup_state, prompt_actions
from sightline.security import idempotency
from sightline.tenancy import access
from sightline.tenancy.access import requires
from sightline.tenancy.permissions import Permission, has_permission
from sightline.tenancy.selectors import default_screener_role
from sightline.web import review_panel
from sightline.web import screening_forms as sf
from sightline.web.errors import show_service_error
from sightline.web.forms import STATEMENT_PREFIX, PracticeForm
from sightline.web.i18n import localized
from sightline.youth.selectors import youth_for_user

if TYPE_CHECKING:
    from sightline.screenings.models import Screening

PAGE_SIZE = 25
RESULT_PARTIAL = "web/partials/practice_result.html"
SAVED_BUT_NOT_FINALIZED = gettext_noop(
    "Your changes were saved as a draft, but the screening was not finalized."
)
NOT_A_DRAFT = gettext_noop("This screening is no longer a draft, so it cannot be edited here.")


# --- shared context --------------------------------------------------------------------------------------


def _result_context(definition: Definition, form: PracticeForm) -> dict[str, Any]:
    """What the result and indicator partials need (the practice scorer's context, reused)."""
    statements = sf.flat_statement_answers(form)
    result = (
        instruments.score(definition, form.ratings, statements or None) if form.is_valid() else None
    )
    suggestions = {
        indicator.id: instruments.suggest_rating(
            definition, indicator.id, form.statement_answers[indicator.id]
        )
        for indicator in definition.indicators
        if indicator.statements
    }
    level_code = result.level if result else None
    return {
        "definition": definition,
        "form": form,
        "fields": form.fields(suggestions),
        "result": result,
        "level": definition.level(level_code) if level_code else None,
        "level_rank": definition.level_index(level_code) if level_code else None,
        "nei_label": next(
            (o.label for o in definition.indicator_scale if o.value == instruments.NEI), None
        ),
    }


def _stored_result(definition: Definition, screening: Screening) -> instruments.ScoreResult:
    ratings = {
        i.id: screening.indicator_ratings.get(i.id, instruments.MISSING)
        for i in definition.indicators
    }
    return instruments.score(definition, ratings)


def _rating_rows(definition: Definition, screening: Screening) -> list[dict[str, Any]]:
    indicator_labels = {o.value: o.label for o in definition.indicator_scale}
    statement_labels = {o.value: o.label for o in definition.statement_scale}
    answers = screening.statement_answers or {}
    return [
        {
            "number": number,
            "indicator": indicator,
            "rating": indicator_labels.get(screening.indicator_ratings.get(indicator.id)),
            "statements": [
                (s.text, statement_labels.get(answers[s.id]))
                for s in indicator.statements
                if s.id in answers
            ],
        }
        for number, indicator in enumerate(definition.indicators, start=1)
    ]


def _chain(user: Any, screening: Screening) -> list[Screening]:
    """Every version of this screening the user may see, oldest first, with `superseded_by` set."""
    versions = selectors.youth_history(user=user, youth=screening.youth)
    return sorted((v for v in versions if v.chain == screening.chain), key=lambda v: v.pk)


def _record_context(request: HttpRequest, screening: Screening) -> dict[str, Any]:
    """What both the detail page and the printable summary show."""
    context: dict[str, Any] = {
        "screening": screening,
        "youth": screening.youth,
        "source_labels": [
            InformationSource(code).label
            for code in screening.information_sources
            if code in InformationSource.values
        ],
    }
    try:
        definition = localized(definition_for(screening))
    except ScreeningError as error:
        context["definition_error"] = error.message
        return context
    level = definition.level(screening.level) if screening.level else None
    context.update(
        definition=definition,
        rows=_rating_rows(definition, screening),
        result=_stored_result(definition, screening),
        level=level,
        level_rank=definition.level_index(screening.level) if level else None,
        # Shown in the page's language; the English prompts pick the one-click actions below.
        suggestions=level.follow_up if level else (),
        prompts=selectors.followup_suggestions(screening),
        followups=list(
            selectors.followups_visible_to(user=request.user).filter(screening_id=screening.pk)
        ),
    )
    return context


def _detail_context(
    request: HttpRequest,
    screening: Screening,
    *,
    amend_form: sf.AmendForm | None = None,
    followup_form: sf.FollowUpForm | None = None,
    complete_forms: dict[int, sf.FollowUpCompleteForm] | None = None,
    review_form: review_panel.ReviewForm | None = None,
    correct_form: review_panel.CorrectForm | None = None,
) -> dict[str, Any]:
    user = request.user
    chain = _chain(user, screening)
    this = next((v for v in chain if v.pk == screening.pk), screening)
    can_edit = has_permission(user, Permission.SCREENING_EDIT, agency=screening.agency_id)
    can_followup = has_permission(user, Permission.FOLLOWUP_EDIT, agency=screening.agency_id)
    is_final = screening.status == ScreeningStatus.FINAL
    context = _record_context(request, screening)
    complete_forms = complete_forms or {}
    followups = context.get("followups", [])
    today = timezone.localdate()
    for followup in followups:
        followup.complete_form = complete_forms.get(
            followup.pk,
            sf.FollowUpCompleteForm(
                initial={"completed_on": today}, followup_pk=followup.pk, kind=followup.kind
            ),
        )
        followup.state = followup_state(
            due_on=followup.due_on, completed_on=followup.completed_on, today=today
        ).value
        followup.days_late = days_late(
            due_on=followup.due_on, completed_on=followup.completed_on, today=today
        )
    # The level's prompts as one-click actions; a kind already recorded here is shown as done.
    recorded = {followup.kind for followup in followups}
    prompts = list(context.get("prompts", ()))
    shown = list(context.get("suggestions", ()))
    context["prompt_actions"] = [
        {
            "action": action,
            # The follow-up records the prompt as the screener read it (a translation is one for one).
            "prompt": shown[prompts.index(action.prompt)]
            if len(shown) == len(prompts)
            else action.prompt,
            "recorded": action.kind in recorded,
            "due_on": max(today + dt.timedelta(days=action.due_days), screening.screened_on),
        }
        for action in prompt_actions(prompts)
    ]
    context.update(
        chain=chain,
        superseded_by=getattr(this, "superseded_by", None),
        is_current=is_final and not screening.is_superseded,
        pending_amendment=next(
            (v for v in chain if v.amends_id == screening.pk and v.status == ScreeningStatus.DRAFT),
            None,
        ),
        can_edit=can_edit,
        can_followup=can_followup and is_final,
        amend_form=amend_form or sf.AmendForm(),
        followup_form=followup_form
        or sf.FollowUpForm(
            owners=sf.followup_owners(user, screening.agency_id), initial={"owner": user.pk}
        ),
    )
    context.update(
        review_panel.review_context(
            request,
            screening,
            chain=chain,
            can_edit=can_edit,
            review_form=review_form,
            correct_form=correct_form,
        )
    )
    return context


def _context(request: HttpRequest) -> AuditContext:
    return AuditContext.from_request(request)


def _render_detail(
    request: HttpRequest,
    screening: Screening,
    *,
    status: int = 200,
    viewed: bool = False,
    **forms: Any,
) -> HttpResponse:
    """The detail page; a re-render after a refused change records the VIEW the door did not."""
    if not viewed:
        audit_record(
            actor=request.user, action=AuditAction.VIEW, obj=screening, context=_context(request)
        )
    context = _detail_context(request, screening, **forms)
    return render(request, "web/screenings/detail.html", context, status=status)


# --- start -----------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def screening_start(request: HttpRequest, youth_pk: int) -> HttpResponse:
    youth = youth_for_user(user=request.user, pk=youth_pk)
    if request.method == "POST":
        repeat = idempotency.replayed(
            request, fallback=reverse("web:youth-detail", args=[youth.pk])
        )
        if repeat is not None:
            return repeat  # a double submit: the first post's draft, not a second one
        form = sf.StartForm(request.POST)
        if form.is_valid():
            try:
                screening = services.screening_start(
                    youth=youth,
                    by=request.user,
                    instrument_id=form.cleaned_data["instrument_id"],
                    context=_context(request),
                    **form.service_kwargs(),
                )
            except ScreeningError as error:
                show_service_error(form, error)
            else:
                messages.success(request, gettext("Draft screening started."))
                idempotency.remember(
                    request, result_url=reverse("web:screening-edit", args=[screening.pk])
                )
                return redirect("web:screening-edit", pk=screening.pk)
        idempotency.forget(request)
        status = 400
    else:
        default_role = default_screener_role(user=request.user, agency_id=youth.agency_id)
        choices = [value for value, _ in sf.instrument_choices()]
        # The agency's policy names the instrument it uses; the screener may still choose another.
        preferred = policy_in_force(youth.agency, on=timezone.localdate()).instrument_id
        form = sf.StartForm(
            initial={
                "instrument_id": preferred if preferred in choices else (choices or [""])[0],
                "screener_role": default_role or "",
                "screened_on": timezone.localdate(),
                "mode": ScreeningMode.FULL,
            }
        )
        status = 200
    context = {"youth": youth, "start": form, "instruments": sf.instruments_by_id()}
    return render(request, "web/screenings/start.html", context, status=status)


# --- draft -----------------------------------------------------------------------------------------------

DRAFT_LAYOUT_KEY = "draft_layout"
DRAFT_LAYOUTS = ("standard", "compact")


def _compact_layout(request: HttpRequest) -> bool:
    """The draft's compact layout (issue 21): chosen by a link (`?layout=compact`), remembered in the
    session for the rest of the sign-in so the next draft and the page after Save keep it. Only the
    display changes: every answer is still in the form, so nothing depends on the choice."""
    chosen = request.GET.get("layout")
    if chosen in DRAFT_LAYOUTS:
        request.session[DRAFT_LAYOUT_KEY] = chosen
    return bool(request.session.get(DRAFT_LAYOUT_KEY) == "compact")


def _render_edit(
    request: HttpRequest,
    screening: Screening,
    definition: Definition,
    draft: sf.DraftForm,
    ratings: PracticeForm,
    *,
    status: int = 200,
    error: str | None = None,
    conflict: bool = False,
    finalize_missing: list[dict[str, str]] | None = None,
) -> HttpResponse:
    context = {
        **_result_context(definition, ratings),
        "compact": _compact_layout(request),
        "screening": screening,
        "youth": screening.youth,
        "draft": draft,
        "error": error,
        "conflict": conflict,
        "finalize_missing": finalize_missing or [],
        "nei_codes": " ".join(
            c.code for c in ratings.indicator_choices if c.value == instruments.NEI
        ),
    }
    return render(request, "web/screenings/edit.html", context, status=status)


# Where each of the finalize check's non-indicator answers is on the draft page.
_FACT_ANCHORS = {
    "information_sources": ("id_information_sources_0", "The information sources you used"),
    "reason": ("id_reason", "The reason for screening"),
    "reason_other": ("id_reason_other", "What the other reason for screening is"),
    "screener_role": ("id_screener_role", "Your professional role"),
    "known_for": ("id_known_for", "How long you have known the youth"),
}


def _missing_links(definition: Definition, screening: Screening) -> list[dict[str, str]]:
    """What finalizing still needs, each with the page anchor of its answer."""
    found = [
        {
            "href": f"#indicator-{indicator.id}",
            "text": f"Key indicator {number}: {indicator.title} is not rated",
        }
        for number, indicator in enumerate(definition.indicators, start=1)
        if indicator.id not in screening.indicator_ratings
    ]
    for field, _said in services.missing_for_finalize(definition, screening):
        if field in _FACT_ANCHORS:
            anchor, text = _FACT_ANCHORS[field]
            found.append({"href": f"#{anchor}", "text": f"{text} is not answered"})
    return found


def _stored_forms(
    definition: Definition, screening: Screening
) -> tuple[sf.DraftForm, PracticeForm]:
    return (
        sf.DraftForm(initial=sf.draft_initial(screening)),
        sf.stored_ratings_form(definition, screening),
    )


def _posted_statements(data: QueryDict, form: PracticeForm) -> dict[str, int] | None:
    # A page without statement fields (fluent mode) must keep the stored answers, not replace them with none.
    if not any(name.startswith(STATEMENT_PREFIX) for name in data):
        return None
    return sf.flat_statement_answers(form)


@login_required
@require_http_methods(["GET", "POST"])
def screening_edit(request: HttpRequest, pk: int) -> HttpResponse:
    # A post needs the row and its youth only; the page (GET) shows the rest.
    screening = selectors.screening_for_user(
        user=request.user,
        pk=pk,
        permission=Permission.SCREENING_EDIT,
        plain=request.method == "POST",
    )
    if screening.status != ScreeningStatus.DRAFT:
        messages.info(request, gettext(NOT_A_DRAFT))
        return redirect("web:screening-detail", pk=screening.pk)
    try:
        definition = localized(definition_for(screening))
    except ScreeningError as error:
        messages.error(request, error.message)
        return redirect("web:screening-detail", pk=screening.pk)
    if request.method == "GET":
        audit_record(
            actor=request.user, action=AuditAction.VIEW, obj=screening, context=_context(request)
        )
        return _render_edit(request, screening, definition, *_stored_forms(definition, screening))

    draft = sf.DraftForm(request.POST)
    ratings = PracticeForm(definition, request.POST)
    if not (draft.is_valid() and ratings.is_valid()):
        error = gettext("Nothing was saved. Correct the answers marked below.")
        return _render_edit(request, screening, definition, draft, ratings, status=400, error=error)
    changes = {
        "indicator_ratings": ratings.ratings,
        "statement_answers": _posted_statements(request.POST, ratings),
        **draft.service_kwargs(),
    }
    finalizing = "finalize" in request.POST
    try:
        if finalizing:
            outcome = services.screening_save_and_finalize(
                screening=screening,
                by=request.user,
                expected_lock_version=draft.cleaned_data["lock_version"],
                context=_context(request),
                **changes,
            )
        else:
            saved = services.screening_save_draft(
                screening=screening,
                by=request.user,
                expected_lock_version=draft.cleaned_data["lock_version"],
                context=_context(request),
                **changes,
            )
    except ScreeningConflictError as error:
        # Re-render the user's own answers so nothing they typed is lost; the page links to a reload.
        return _render_edit(
            request,
            screening,
            definition,
            draft,
            ratings,
            status=409,
            error=error.message,
            conflict=True,
        )
    except ScreeningError as error:
        if error.field in draft.fields:
            draft.add_error(error.field, error.message)
        return _render_edit(
            request, screening, definition, draft, ratings, status=400, error=error.message
        )

    if not finalizing:
        messages.success(request, gettext("Draft saved."))
        return redirect("web:screening-edit", pk=saved.pk)
    if outcome.refused is not None:
        # The changes were kept as a draft in the same transaction; say why it is not final, with a
        # link to each key indicator still unrated when that is the reason.
        missing = _missing_links(definition, outcome.screening)
        return _render_edit(
            request,
            outcome.screening,
            definition,
            *_stored_forms(definition, outcome.screening),
            status=400,
            error=(
                f"This screening cannot be finalized yet. {SAVED_BUT_NOT_FINALIZED}"
                if missing and outcome.refused.code == errors.SCREENING_INCOMPLETE
                else f"{outcome.refused.message} {SAVED_BUT_NOT_FINALIZED}"
            ),
            finalize_missing=missing if outcome.refused.code == errors.SCREENING_INCOMPLETE else [],
        )
    messages.success(request, gettext("Screening finalized."))
    return redirect("web:screening-detail", pk=outcome.screening.pk)


AUTOSAVE_PARTIAL = "web/screenings/_autosave.html"


@login_required
@require_POST
def screening_autosave(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the draft page's answers as they change (htmx), with the same version check as Save
    draft: the response is the result panel, the new lock version and a status line (out of band).

    Never finalizes. A conflict saves nothing and says so; the page keeps the screener's answers.
    """
    screening = selectors.screening_for_user(
        user=request.user, pk=pk, permission=Permission.SCREENING_EDIT
    )
    try:
        definition = localized(definition_for(screening))
    except ScreeningError:
        raise Http404(gettext("This screening's instrument is not available.")) from None
    draft = sf.DraftForm(request.POST)
    ratings = PracticeForm(definition, request.POST)
    context: dict[str, Any] = {**_result_context(definition, ratings), "saved": False}
    if not (draft.is_valid() and ratings.is_valid()):
        context["status"] = gettext(
            "Not saved yet: correct the answers marked on the page, then save."
        )
        return render(request, AUTOSAVE_PARTIAL, context, status=400)
    try:
        saved = services.screening_save_draft(
            screening=screening,
            by=request.user,
            expected_lock_version=draft.cleaned_data["lock_version"],
            context=_context(request),
            indicator_ratings=ratings.ratings,
            statement_answers=_posted_statements(request.POST, ratings),
            **draft.service_kwargs(),
        )
    except ScreeningConflictError as error:
        context["status"] = gettext("Not saved: %(reason)s") % {"reason": error.message}
        context["conflict"] = True
        return render(request, AUTOSAVE_PARTIAL, context)
    except ScreeningError as error:
        context["status"] = gettext("Not saved: %(reason)s") % {"reason": error.message}
        return render(request, AUTOSAVE_PARTIAL, context)
    context.update(
        saved=True,
        lock_version=saved.lock_version,
        status=gettext("Draft saved at %(time)s.") % {"time": f"{timezone.localtime():%H:%M}"},
    )
    response = render(request, AUTOSAVE_PARTIAL, context)
    response["X-Sightline-Saved"] = "1"  # the page's leave warning treats the answers as kept
    return response


@login_required
@require_POST
def screening_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The live result for the draft page's current answers; saves nothing."""
    screening = selectors.screening_for_user(
        user=request.user, pk=pk, permission=Permission.SCREENING_EDIT
    )
    try:
        definition = localized(definition_for(screening))
    except ScreeningError:
        raise Http404(gettext("This screening's instrument is not available.")) from None
    form = PracticeForm(definition, request.POST)
    context = _result_context(definition, form)
    return render(request, RESULT_PARTIAL, context, status=200 if form.is_valid() else 400)


@login_required
@require_http_methods(["GET", "POST"])
def screening_discard(request: HttpRequest, pk: int) -> HttpResponse:
    screening = selectors.screening_for_user(
        user=request.user, pk=pk, permission=Permission.SCREENING_EDIT
    )
    if screening.status != ScreeningStatus.DRAFT:
        messages.info(request, gettext(NOT_A_DRAFT))
        return redirect("web:screening-detail", pk=screening.pk)
    error = None
    form = sf.LockForm(request.POST or None, initial={"lock_version": screening.lock_version})
    if request.method == "POST" and form.is_valid():
        try:
            services.screening_discard(
                screening=screening,
                by=request.user,
                expected_lock_version=form.cleaned_data["lock_version"],
                context=_context(request),
            )
        except ScreeningError as exc:
            error = exc.message
        else:
            messages.success(
                request, gettext("Draft discarded. It is kept as voided and never counts.")
            )
            return redirect("web:my-screenings")
    status = 200 if request.method == "GET" else 409
    context = {"screening": screening, "youth": screening.youth, "lock": form, "error": error}
    return render(request, "web/screenings/discard.html", context, status=status)


# --- detail, amend, summary ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def screening_detail(request: HttpRequest, pk: int) -> HttpResponse:
    screening = selectors.screening_for_user(
        user=request.user, pk=pk, context=_context(request), record=AuditAction.VIEW
    )
    return _render_detail(request, screening, viewed=True)


@login_required
@require_POST
def screening_amend(request: HttpRequest, pk: int) -> HttpResponse:
    screening = selectors.screening_for_user(
        user=request.user, pk=pk, permission=Permission.SCREENING_EDIT
    )
    form = sf.AmendForm(request.POST)
    if form.is_valid():
        try:
            amendment = services.screening_amend(
                screening=screening,
                by=request.user,
                reason=form.cleaned_data["reason"],
                context=_context(request),
            )
        except ScreeningError as error:
            show_service_error(form, error)
        else:
            messages.success(
                request,
                gettext(
                    "Amendment started. The original stays current until you finalize this one."
                ),
            )
            return redirect("web:screening-edit", pk=amendment.pk)
    return _render_detail(request, screening, status=400, amend_form=form)


@login_required
@require_http_methods(["GET"])
def screening_summary(request: HttpRequest, pk: int) -> HttpResponse:
    screening = selectors.screening_for_user(
        user=request.user, pk=pk, context=_context(request), record=AuditAction.PRINT
    )
    context = _record_context(request, screening)
    return render(request, "web/screenings/summary.html", context)


# --- follow-up -------------------------------------------------------------------------------------------


@login_required
@require_POST
def followup_create(request: HttpRequest, pk: int) -> HttpResponse:
    screening = selectors.screening_for_user(user=request.user, pk=pk)
    detail = reverse("web:screening-detail", args=[screening.pk])
    repeat = idempotency.replayed(request, fallback=detail)
    if repeat is not None:
        return repeat  # a double submit: the follow-up was added once
    form = sf.FollowUpForm(
        request.POST, owners=sf.followup_owners(request.user, screening.agency_id)
    )
    if form.is_valid():
        try:
            services.followup_create(
                screening=screening,
                by=request.user,
                kind=form.cleaned_data["kind"],
                owner=form.chosen_owner(),
                due_on=form.cleaned_data["due_on"],
                description=form.cleaned_data["description"],
                context=_context(request),
            )
        except ScreeningError as error:
            show_service_error(form, error)
        else:
            messages.success(request, gettext("Follow-up added."))
            idempotency.remember(request, result_url=detail)
            return redirect("web:screening-detail", pk=screening.pk)
    idempotency.forget(request)
    return _render_detail(request, screening, status=400, followup_form=form)


@login_required
@require_POST
def followup_complete(request: HttpRequest, pk: int) -> HttpResponse:
    followup = selectors.followup_for_user(
        user=request.user, pk=pk, permission=Permission.FOLLOWUP_EDIT
    )
    screening = selectors.screening_for_user(user=request.user, pk=followup.screening_id)
    form = sf.FollowUpCompleteForm(request.POST, followup_pk=followup.pk, kind=followup.kind)
    if form.is_valid():
        try:
            services.followup_complete(
                followup=followup,
                by=request.user,
                completed_on=form.cleaned_data["completed_on"],
                outcome=form.cleaned_data["outcome"],
                reference=form.cleaned_data.get("reference"),
                context=_context(request),
            )
        except ScreeningError as error:
            show_service_error(form, error)
        else:
            messages.success(request, gettext("Follow-up marked as completed."))
            return redirect("web:screening-detail", pk=screening.pk)
    return _render_detail(request, screening, status=400, complete_forms={followup.pk: form})


# --- lists -----------------------------------------------------------------------------------------------


def _page(request: HttpRequest, screenings: Any) -> Any:
    return Paginator(screenings, PAGE_SIZE).get_page(request.GET.get("page"))


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _instrument_names() -> dict[str, str]:
    """Instrument id -> the short name a screener knows it by, for list columns."""
    return catalog.instrument_titles()


@login_required
@require_http_methods(["GET"])
def my_screenings(request: HttpRequest) -> HttpResponse:
    form = sf.MyScreeningsFilter(request.GET)
    if form.is_valid():
        status = form.cleaned_data["status"] or None
        page = _page(request, selectors.my_screenings(user=request.user, status=status))
    else:
        status, page = None, None
    context = {
        "filters": form,
        "status": status,
        "tabs": [("", _("Drafts and finalized")), *ScreeningStatus.choices],
        "page": page,
        "query": _query_without_page(request),
        "instrument_names": _instrument_names(),
        # Returned by a supervisor: flagged above the list until corrected (ADR 0007).
        "returned": list(selectors.returned_to(user=request.user)[:PAGE_SIZE]),
    }
    return render(
        request, "web/screenings/mine.html", context, status=200 if page is not None else 400
    )


# The same answer as a missing page: the overview's existence tells a screener nothing.
@requires(Permission.AGENCY_OVERVIEW)
@require_http_methods(["GET"])
def agency_screenings(request: HttpRequest) -> HttpResponse:
    agency_ids = list(access.agency_ids_visible_to(request.user, Permission.AGENCY_OVERVIEW))
    form = sf.AgencyFilter(request.GET, screeners=sf.agency_staff(request.user, agency_ids))
    page = None
    if form.is_valid():
        found = selectors.agency_screenings(user=request.user, **form.selector_kwargs())
        page = _page(request, found)
    context = {
        "filters": form,
        "page": page,
        "query": _query_without_page(request),
        "instrument_names": _instrument_names(),
    }
    return render(
        request, "web/screenings/agency.html", context, status=200 if page is not None else 400
    )


@requires(Permission.AGENCY_OVERVIEW)
@require_http_methods(["GET"])
def agency_screenings_export(request: HttpRequest) -> HttpResponse:
    """The agency screenings list, filtered as on the page, as CSV; an EXPORT event with the row count."""
    agency_ids = list(access.agency_ids_visible_to(request.user, Permission.AGENCY_OVERVIEW))
    form = sf.AgencyFilter(request.GET, screeners=sf.agency_staff(request.user, agency_ids))
    if not form.is_valid():
        context = {"filters": form, "page": None, "query": _query_without_page(request)}
        context["instrument_names"] = _instrument_names()
        return render(request, "web/screenings/agency.html", context, status=400)
    found = selectors.agency_screenings(user=request.user, **form.selector_kwargs())
    today = timezone.localdate()
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        object_type="screening",
        context=AuditContext.from_request(request),
        detail={
            "kind": "agency_screenings",
            "filters": {k: str(v) for k, v in form.cleaned_data.items() if v},
            "rows": found.count(),
        },
    )
    response = StreamingHttpResponse(
        screenings_csv(found.iterator(chunk_size=500)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="screenings-{today:%Y-%m-%d}.csv"'
    response["Cache-Control"] = "no-store"
    return response
