"""Youth and intakes: create, search (by the blind index, never a substring), read, open and close."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ninja import Status

from sightline.api import paging, schemas
from sightline.api.auth import actor, context
from sightline.api.errors import ErrorOut
from sightline.api.people import colleague
from sightline.api.runtime import ApiRouter
from sightline.audit.choices import AuditAction
from sightline.tenancy import access
from sightline.tenancy.permissions import Permission
from sightline.youth import selectors, services

if TYPE_CHECKING:
    from django.http import HttpRequest

router = ApiRouter(tags=["youth"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


@router.post("/youth", response={201: schemas.YouthOut, **ERRORS})
def youth_create(request: HttpRequest, payload: schemas.YouthIn) -> Status:
    user = actor(request)
    agency = access.agency_for_user(
        user=user, agency_id=payload.agency_id, permission=Permission.YOUTH_EDIT
    )
    values = payload.dict(exclude={"agency_id", "assigned_to_id"})
    youth = services.youth_create(
        by=user,
        agency=agency,
        assigned_to=colleague(
            user=user,
            agency_id=agency.pk,
            person_id=payload.assigned_to_id,
            permission=Permission.SCREENING_EDIT,
            field="assigned_to_id",
        ),
        context=context(request),
        **values,
    )
    return Status(201, youth)


@router.post("/youth/search", response={200: schemas.PageOut[schemas.YouthOut], **ERRORS})
def youth_search(
    request: HttpRequest,
    payload: schemas.YouthSearchIn,
    cursor: str | None = None,
    limit: int = paging.DEFAULT_LIMIT,
) -> dict[str, Any]:
    """Youth matching every key given: whole name words (any case or accent), case number, date of
    birth. A POST, so no name ever reaches a URL or a log."""
    user = actor(request)
    found = selectors.youth_search(
        user=user,
        name=payload.name,
        case_number=payload.case_number,
        date_of_birth=payload.date_of_birth,
    )
    page = paging.page(found, ordering=("-pk",), cursor=cursor, limit=limit)
    # The keys used, never the terms, and the ids of the youth the page showed.
    access.record_seen(
        user,  # type: ignore[arg-type]
        AuditAction.SEARCH,
        object_type="youth",
        ids=[youth.pk for youth in page["items"]],
        context=context(request),
        detail={"keys": sorted(k for k, v in payload.dict().items() if v), "channel": "api"},
    )
    return page


@router.get("/youth/{youth_id}", response={200: schemas.YouthOut, **ERRORS})
def youth_read(request: HttpRequest, youth_id: int) -> Any:
    return selectors.youth_for_user(
        user=actor(request), pk=youth_id, context=context(request), record=AuditAction.VIEW
    )


@router.patch("/youth/{youth_id}", response={200: schemas.YouthOut, **ERRORS})
def youth_update(request: HttpRequest, youth_id: int, payload: schemas.YouthUpdateIn) -> Any:
    """Change some details of a youth. `lock_version` is the version you read (every read returns
    it); if someone saved since, 409 and nothing is written, as for screening drafts."""
    user = actor(request)
    youth = selectors.youth_for_user(user=user, pk=youth_id, permission=Permission.YOUTH_EDIT)
    return services.youth_update(
        youth=youth,
        by=user,
        expected_lock_version=payload.lock_version,
        context=context(request),
        **payload.dict(exclude={"lock_version"}, exclude_unset=True),
    )


@router.post("/youth/{youth_id}/intakes", response={201: schemas.IntakeOut, **ERRORS})
def intake_open(request: HttpRequest, youth_id: int, payload: schemas.IntakeIn) -> Status:
    user = actor(request)
    youth = selectors.youth_for_user(user=user, pk=youth_id, permission=Permission.YOUTH_EDIT)
    intake = services.intake_open(
        youth=youth,
        by=user,
        intake_on=payload.intake_on,
        program=payload.program,
        assigned_to=colleague(
            user=user,
            agency_id=youth.agency_id,
            person_id=payload.assigned_to_id,
            permission=Permission.SCREENING_EDIT,
            field="assigned_to_id",
        ),
        context=context(request),
    )
    return Status(201, intake)


@router.get("/intakes/{intake_id}", response={200: schemas.IntakeOut, **ERRORS})
def intake_read(request: HttpRequest, intake_id: int) -> Any:
    return selectors.intake_for_user(
        user=actor(request), pk=intake_id, context=context(request), record=AuditAction.VIEW
    )


@router.post("/intakes/{intake_id}/close", response={200: schemas.IntakeOut, **ERRORS})
def intake_close(request: HttpRequest, intake_id: int, payload: schemas.IntakeCloseIn) -> Any:
    user = actor(request)
    intake = selectors.intake_for_user(user=user, pk=intake_id, permission=Permission.YOUTH_EDIT)
    return services.intake_close(
        intake=intake, by=user, exit_on=payload.exit_on, context=context(request)
    )
