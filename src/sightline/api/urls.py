"""The API instance: every router, the error shape, and the docs (Swagger UI served from ninja's
own static files, so /api/docs works with no network)."""

from __future__ import annotations

from ninja import NinjaAPI
from ninja.openapi.docs import Swagger

from sightline.api import errors, events, fhir, instruments, reports, schedule, screenings, youth
from sightline.api.auth import SessionAuth, TokenAuth

api = NinjaAPI(
    title="Sightline API",
    version="1",
    description=(
        "The CSE-IT screening platform's REST API. Authenticate with a personal API token "
        "(`Authorization: Bearer slt_...`, made on the API tokens page or with `manage.py "
        "api_tokens`) or, from the pages, the session with its CSRF token. Every write accepts an "
        "`Idempotency-Key`; every list pages with an opaque `cursor`; every read has an ETag. "
        "See docs/api.md."
    ),
    auth=[TokenAuth(), SessionAuth()],
    docs=Swagger(),
    docs_url="/docs",
    openapi_url="/openapi.json",
    urls_namespace="api",
)
errors.install(api)
for module in (instruments, youth, screenings, schedule, events, fhir, reports):
    api.add_router("", module.router)

urlpatterns = api.urls
