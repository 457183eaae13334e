"""One error shape for every refusal: `{"errors": [{"field": ..., "code": ..., "message": ...}]}`.

`code` is the service's message constant (what the tests import), `field` the input at fault (None
when the refusal is about the whole request), `message` the text for a person. A missing record and
another agency's are the same 404; an action the caller may not take is 403; a stale version or a
state that does not allow the change is 409; anything else the services refuse is 422.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaError

from sightline.common.errors import ConflictError, ServiceError, StateError
from sightline.fhir import FhirImportError
from sightline.tenancy.access import AccessRefused, Forbidden, NotFound

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

NOT_FOUND = "not_found"
FORBIDDEN = "forbidden"
UNAUTHENTICATED = "Sign in, or send a valid API token (Authorization: Bearer ...)."
SCHEMA = "schema"


class ErrorItem(Schema):
    field: str | None
    code: str
    message: str


class ErrorOut(Schema):
    errors: list[ErrorItem]


def payload(*items: tuple[str | None, str, str]) -> dict[str, Any]:
    return {"errors": [{"field": f, "code": c, "message": m} for f, c, m in items]}


def service_payload(error: ServiceError) -> dict[str, Any]:
    """Each bad field of a service refusal (SCREENING_INCOMPLETE names every missing one)."""
    fields = error.extra.get("missing_fields") or [error.field]
    return payload(*((name, error.code, error.message) for name in fields))


def service_status(error: ServiceError) -> int:
    return 409 if isinstance(error, ConflictError | StateError) else 422


def install(api: NinjaAPI) -> None:
    """Map every refusal to the one shape, and remember access refusals for their audit event."""

    def respond(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
        return api.create_response(request, body, status=status)

    @api.exception_handler(ServiceError)
    def refused(request: HttpRequest, error: ServiceError) -> HttpResponse:
        return respond(request, service_status(error), service_payload(error))

    @api.exception_handler(NotFound)
    def not_found(request: HttpRequest, error: NotFound) -> HttpResponse:
        request._api_refused = error  # type: ignore[attr-defined]
        return respond(request, 404, payload((None, NOT_FOUND, str(error))))

    @api.exception_handler(Forbidden)
    def forbidden(request: HttpRequest, error: Forbidden) -> HttpResponse:
        request._api_refused = error  # type: ignore[attr-defined]
        return respond(request, 403, payload((None, FORBIDDEN, str(error))))

    @api.exception_handler(FhirImportError)
    def fhir_refused(request: HttpRequest, error: FhirImportError) -> HttpResponse:
        return respond(
            request,
            422,
            payload(*((where, "fhir_invalid", what) for where, what in error.problems)),
        )

    @api.exception_handler(SchemaError)
    def schema_refused(request: HttpRequest, error: SchemaError) -> HttpResponse:
        items = []
        for problem in error.errors:
            location = [str(part) for part in problem.get("loc", ())]
            if location and location[0] in {"body", "query", "path", "header"}:
                location = location[1:]
            if location and location[0] == "payload":
                location = location[1:]
            items.append(
                (".".join(location) or None, str(problem.get("type", SCHEMA)), str(problem["msg"]))
            )
        return respond(request, 422, payload(*items))

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
        return respond(request, 401, payload((None, "unauthenticated", UNAUTHENTICATED)))

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
        return respond(request, error.status_code, payload((None, "http", str(error))))


def refusal_of(request: HttpRequest) -> AccessRefused | None:
    return getattr(request, "_api_refused", None)
