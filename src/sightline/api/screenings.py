"""Screenings and follow-ups: start a draft, change it (naming the version read: a stale one is a
409), finalize, amend, review; follow-up actions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from ninja import Status

from sightline.api import paging, schemas
from sightline.api.auth import actor, context
from sightline.api.errors import ErrorOut
from sightline.api.people import colleague
from sightline.api.runtime import ApiRouter
from sightline.audit.choices import AuditAction
from sightline.screenings import review, selectors, services
from sightline.tenancy.permissions import Permission
from sightline.youth.selectors import youth_for_user

if TYPE_CHECKING:
    from django.http import HttpRequest

router = ApiRouter(tags=["screenings"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


@router.post("/screenings", response={201: schemas.ScreeningOut, **ERRORS})
def screening_create(request: HttpRequest, payload: schemas.ScreeningIn) -> Status:
    user = actor(request)
    youth = youth_for_user(user=user, pk=payload.youth_id)
    screening = services.screening_start(
        youth=youth, by=user, context=context(request), **payload.dict(exclude={"youth_id"})
    )
    return Status(201, screening)


@router.get("/screenings", response={200: schemas.PageOut[schemas.ScreeningOut], **ERRORS})
def screening_list(
    request: HttpRequest,
    scope: Literal["mine", "agency"] = "mine",
    status: Literal["draft", "final", "voided"] | None = None,
    cursor: str | None = None,
    limit: int = paging.DEFAULT_LIMIT,
) -> dict[str, Any]:
    """Current versions: your own (`mine`), or every screening of the agencies you oversee
    (`agency`, supervisors)."""
    user = actor(request)
    rows = (
        selectors.my_screenings(user=user, status=status)
        if scope == "mine"
        else selectors.agency_screenings(user=user, status=status)
    )
    found = paging.page(rows, ordering=("-screened_on", "-pk"), cursor=cursor, limit=limit)
    paging.record_page(
        request, found, object_type="screening", detail={"scope": scope, "status": status or ""}
    )
    return found


@router.get("/screenings/{screening_id}", response={200: schemas.ScreeningOut, **ERRORS})
def screening_read(request: HttpRequest, screening_id: int) -> Any:
    return selectors.screening_for_user(
        user=actor(request), pk=screening_id, context=context(request), record=AuditAction.VIEW
    )


@router.patch("/screenings/{screening_id}", response={200: schemas.ScreeningOut, **ERRORS})
def screening_update(
    request: HttpRequest, screening_id: int, payload: schemas.ScreeningUpdateIn
) -> Any:
    """Change a draft. `lock_version` is the version you read; if someone saved since, 409 and
    nothing is written."""
    user = actor(request)
    screening = selectors.screening_for_user(user=user, pk=screening_id)
    changes = payload.dict(exclude={"lock_version"}, exclude_unset=True)
    return services.screening_save_draft(
        screening=screening,
        by=user,
        expected_lock_version=payload.lock_version,
        context=context(request),
        **{name: value for name, value in changes.items() if value is not None},
    )


@router.post("/screenings/{screening_id}/finalize", response={200: schemas.ScreeningOut, **ERRORS})
def screening_finalize(request: HttpRequest, screening_id: int, payload: schemas.LockIn) -> Any:
    user = actor(request)
    screening = selectors.screening_for_user(user=user, pk=screening_id)
    return services.screening_finalize(
        screening=screening,
        by=user,
        expected_lock_version=payload.lock_version,
        context=context(request),
    )


@router.post("/screenings/{screening_id}/amend", response={201: schemas.ScreeningOut, **ERRORS})
def screening_amend(request: HttpRequest, screening_id: int, payload: schemas.AmendIn) -> Status:
    user = actor(request)
    screening = selectors.screening_for_user(user=user, pk=screening_id)
    amendment = services.screening_amend(
        screening=screening, by=user, reason=payload.reason, context=context(request)
    )
    return Status(201, amendment)


@router.post("/screenings/{screening_id}/review", response={201: schemas.ReviewOut, **ERRORS})
def screening_review(request: HttpRequest, screening_id: int, payload: schemas.ReviewIn) -> Status:
    user = actor(request)
    screening = selectors.screening_for_user(user=user, pk=screening_id)
    done = review.screening_review(
        screening=screening,
        by=user,
        decision=payload.decision,
        reason=payload.reason,
        context=context(request),
    )
    return Status(201, done)


# --- follow-ups ----------------------------------------------------------------------------------------


@router.get("/followups", response={200: schemas.PageOut[schemas.FollowUpOut], **ERRORS})
def followup_list(
    request: HttpRequest,
    open: bool = True,
    cursor: str | None = None,
    limit: int = paging.DEFAULT_LIMIT,
) -> dict[str, Any]:
    """Follow-up actions of your agencies: open ones by due date (or, with `open=false`, done ones)."""
    rows = selectors.followups_visible_to(user=actor(request)).filter(completed_on__isnull=open)
    found = paging.page(rows, ordering=("due_on", "pk"), cursor=cursor, limit=limit)
    paging.record_page(request, found, object_type="followupaction", detail={"open": open})
    return found


@router.get("/followups/{followup_id}", response={200: schemas.FollowUpOut, **ERRORS})
def followup_read(request: HttpRequest, followup_id: int) -> Any:
    return selectors.followup_for_user(
        user=actor(request), pk=followup_id, context=context(request), record=AuditAction.VIEW
    )


@router.post("/screenings/{screening_id}/followups", response={201: schemas.FollowUpOut, **ERRORS})
def followup_create(request: HttpRequest, screening_id: int, payload: schemas.FollowUpIn) -> Status:
    user = actor(request)
    screening = selectors.screening_for_user(user=user, pk=screening_id)
    owner = colleague(
        user=user,
        agency_id=screening.agency_id,
        person_id=payload.owner_id,
        permission=Permission.FOLLOWUP_EDIT,
        field="owner_id",
    )
    followup = services.followup_create(
        screening=screening,
        by=user,
        kind=payload.kind,
        owner=owner,  # type: ignore[arg-type]
        due_on=payload.due_on,
        description=payload.description,
        context=context(request),
    )
    return Status(201, followup)


@router.post("/followups/{followup_id}/complete", response={200: schemas.FollowUpOut, **ERRORS})
def followup_complete(
    request: HttpRequest, followup_id: int, payload: schemas.FollowUpCompleteIn
) -> Any:
    user = actor(request)
    followup = selectors.followup_for_user(user=user, pk=followup_id)
    return services.followup_complete(
        followup=followup,
        by=user,
        completed_on=payload.completed_on,
        outcome=payload.outcome,
        context=context(request),
    )
