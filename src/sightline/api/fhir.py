"""FHIR R4 SDC: Questionnaire per instrument version, QuestionnaireResponse per screening (export
and import), and a Bundle of one youth's screenings. JSON as `application/fhir+json`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from ninja import Body, Status

from sightline.api.auth import actor, context
from sightline.api.errors import ErrorOut
from sightline.api.instruments import definition_of
from sightline.api.runtime import ApiRouter
from sightline.api.schemas import ScreeningOut
from sightline.audit.choices import AuditAction
from sightline.fhir import service
from sightline.screenings.selectors import screening_for_user
from sightline.tenancy.permissions import Permission
from sightline.youth.selectors import youth_for_user

if TYPE_CHECKING:
    from django.http import HttpRequest

router = ApiRouter(tags=["fhir"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


@router.get(
    "/fhir/Questionnaire/{instrument_id}/{version}", response={200: dict[str, Any], **ERRORS}
)
def questionnaire(request: HttpRequest, instrument_id: str, version: str) -> dict[str, Any]:
    return service.questionnaire_of(definition_of(instrument_id, version))


@router.get("/fhir/QuestionnaireResponse/{screening_id}", response={200: dict[str, Any], **ERRORS})
def questionnaire_response(request: HttpRequest, screening_id: int) -> dict[str, Any]:
    screening = screening_for_user(
        user=actor(request), pk=screening_id, context=context(request), record=AuditAction.EXPORT
    )
    return service.response_of(screening)


@router.get("/fhir/youth/{youth_id}/Bundle", response={200: dict[str, Any], **ERRORS})
def youth_bundle(request: HttpRequest, youth_id: int) -> dict[str, Any]:
    user = actor(request)
    youth = youth_for_user(
        user=user, pk=youth_id, context=context(request), record=AuditAction.EXPORT
    )
    return service.bundle_of(user=user, youth=youth)


@router.post("/fhir/youth/{youth_id}/QuestionnaireResponse", response={201: ScreeningOut, **ERRORS})
def questionnaire_response_import(
    request: HttpRequest, youth_id: int, resource: Annotated[dict[str, Any], Body(...)]
) -> Status:
    """Store a completed QuestionnaireResponse as a final screening of the youth, or nothing: every
    reason it cannot be taken is listed."""
    user = actor(request)
    youth = youth_for_user(user=user, pk=youth_id, permission=Permission.YOUTH_VIEW)
    screening = service.import_response(
        youth=youth, by=user, resource=resource, context=context(request)
    )
    return Status(201, screening)
