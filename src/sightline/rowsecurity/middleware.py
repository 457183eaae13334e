"""Tell PostgreSQL's row-level security which agencies this request may touch.

One statement per request sets `app.agency_ids` to the agencies where the signed-in person holds an
active membership with any permission (the widest the access layer could ever grant them); the access
layer still narrows each read to the permission asked for. The value is set for the session and
overwritten at the start of every request on that connection, so a pooled connection never carries
one person's agencies into the next request (anonymous requests set none). Under a transaction-mode
pooler (PgBouncer) set `ATOMIC_REQUESTS` and this becomes `set_config(..., true)`; see
docs/security.md. Nothing happens on SQLite, which has no row-level security, nor unless
`SIGHTLINE_ROW_LEVEL_SECURITY` is on: a deployment that serves requests through a non-owner database
role turns it on; the owner role bypasses the policies anyway, so it would only cost a statement.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.http import HttpRequest, HttpResponse

from sightline.tenancy.permissions import Permission, permitted_agency_ids

_ALL = tuple(Permission)


def set_agency_context(request: HttpRequest) -> None:
    user = request.user
    transaction_local = bool(connection.settings_dict.get("ATOMIC_REQUESTS"))
    with connection.cursor() as cursor:
        if not user.is_authenticated:
            cursor.execute("SELECT set_config('app.agency_ids', '', %s)", [transaction_local])
            return
        ids = permitted_agency_ids(user, *_ALL)  # type: ignore[arg-type]
        if isinstance(ids, list):  # within a request: the roles already read for it
            value = ",".join(str(agency_id) for agency_id in sorted(set(ids)))
            cursor.execute(
                "SELECT set_config('app.agency_ids', %s, %s)", [value, transaction_local]
            )
            return
        try:
            sql, params = ids.query.get_compiler(connection=connection).as_sql()
        except EmptyResultSet:  # an inactive person: no agency at all
            cursor.execute("SELECT set_config('app.agency_ids', '', %s)", [transaction_local])
            return
        cursor.execute(
            "SELECT set_config('app.agency_ids', COALESCE((SELECT string_agg(DISTINCT "  # nosec B608  # `sql` is Django's compiled membership query; its params are bound
            f"ids.agency_id::text, ',') FROM ({sql}) AS ids(agency_id)), ''), %s)",
            [*params, transaction_local],
        )


class AgencyContextMiddleware:
    """Set `app.agency_ids` for row-level security at the start of each request (PostgreSQL)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.SIGHTLINE_ROW_LEVEL_SECURITY and connection.vendor == "postgresql":
            set_agency_context(request)
        return self.get_response(request)
