"""The schedule: one intake's status, the caller's worklist, an agency's worklist, and the open
screenings requested by case-system events."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils import timezone
from ninja.errors import HttpError

from sightline.api import paging, schemas
from sightline.api.auth import actor, context
from sightline.api.errors import ErrorOut
from sightline.api.runtime import ApiRouter
from sightline.audit.choices import AuditAction
from sightline.common.errors import ServiceError
from sightline.scheduling import requested
from sightline.scheduling.selectors import STATES, agency_worklist, my_worklist
from sightline.scheduling.worklists import intake_schedule_for
from sightline.tenancy import access
from sightline.tenancy.permissions import Permission
from sightline.youth.selectors import intake_for_user

if TYPE_CHECKING:
    from django.http import HttpRequest

router = ApiRouter(tags=["schedule"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
NOT_SCHEDULED = "This intake has no schedule (closed, or not yet computed)."
ORDER = ("due_on", "intake_id")
UNKNOWN_STATE = "Unknown state; one of {states}."


@router.get("/intakes/{intake_id}/schedule", response={200: schemas.ScheduleOut, **ERRORS})
def intake_schedule(request: HttpRequest, intake_id: int) -> Any:
    user = actor(request)
    intake = intake_for_user(
        user=user, pk=intake_id, context=context(request), record=AuditAction.VIEW
    )
    row = intake_schedule_for(user=user, intake_id=intake.pk, today=timezone.localdate())
    if row is None:
        raise HttpError(404, NOT_SCHEDULED)
    return row


@router.get("/worklist", response={200: schemas.PageOut[schemas.ScheduleOut], **ERRORS})
def worklist_mine(
    request: HttpRequest,
    days_ahead: int = 7,
    cursor: str | None = None,
    limit: int = paging.DEFAULT_LIMIT,
) -> dict[str, Any]:
    """Your caseload that is overdue or falls due within `days_ahead` days, most urgent first."""
    rows = my_worklist(
        user=actor(request), today=timezone.localdate(), days_ahead=max(0, min(days_ahead, 366))
    )
    found = paging.page(rows, ordering=ORDER, cursor=cursor, limit=limit)
    paging.record_page(
        request, found, object_type="worklist", key="intake_id", detail={"kind": "mine"}
    )
    return found


@router.get(
    "/agencies/{agency_id}/worklist", response={200: schemas.PageOut[schemas.ScheduleOut], **ERRORS}
)
def worklist_agency(
    request: HttpRequest,
    agency_id: int,
    state: str | None = None,
    cursor: str | None = None,
    limit: int = paging.DEFAULT_LIMIT,
) -> dict[str, Any]:
    """One agency's open intakes (supervisors: AGENCY_OVERVIEW), most urgent first."""
    user = actor(request)
    agency = access.agency_for_user(
        user=user, agency_id=agency_id, permission=Permission.AGENCY_OVERVIEW
    )
    if state is not None and state not in STATES:
        raise ServiceError(UNKNOWN_STATE, field="state", states=", ".join(STATES))
    rows = agency_worklist(user=user, agency_id=agency.pk, today=timezone.localdate(), state=state)
    found = paging.page(rows, ordering=ORDER, cursor=cursor, limit=limit)
    paging.record_page(
        request,
        found,
        object_type="worklist",
        key="intake_id",
        agency_id=agency.pk,
        detail={"kind": "agency", "state": state or ""},
    )
    return found


@router.get("/requested", response={200: schemas.PageOut[schemas.RequestedOut], **ERRORS})
def requested_list(
    request: HttpRequest, cursor: str | None = None, limit: int = paging.DEFAULT_LIMIT
) -> dict[str, Any]:
    """Open requested screenings of your agencies (return from missing, placement change), soonest
    due first."""
    rows = requested.requests_visible_to(user=actor(request))
    found = paging.page(rows, ordering=("due_at", "pk"), cursor=cursor, limit=limit)
    paging.record_page(request, found, object_type="requestedscreening")
    return found
