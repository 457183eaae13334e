"""Programme reports: an agency's dashboard and a county's or state's, as flat figures.

The figures are `reporting.exports.dashboard_figures` of the dashboard `reporting.viewing` reads
(and audits) for the page, so the page, its CSV export, this API and `sightline report` show the
same numbers; a suppressed figure has no count here either.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Literal

from django.utils import timezone

from sightline.api import schemas
from sightline.api.auth import actor, context
from sightline.api.errors import ErrorOut
from sightline.api.runtime import ApiRouter
from sightline.reporting import exports
from sightline.reporting.scope import period_of
from sightline.reporting.viewing import scope_for, view_dashboard

if TYPE_CHECKING:
    from django.http import HttpRequest

router = ApiRouter(tags=["reports"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
PeriodName = Literal["year", "quarter", "month"]


def _read(request: HttpRequest, level: str, key: str, period: str, start: dt.date | None) -> Any:
    user = actor(request)
    today = timezone.localdate()
    board = view_dashboard(
        user=user,  # type: ignore[arg-type]
        scope=scope_for(user, level, key),  # type: ignore[arg-type]
        period=period_of(period, start or today),
        today=today,
        context=context(request),
    )
    return exports.dashboard_data(board)


@router.get("/agencies/{agency_id}/report", response={200: schemas.ReportOut, **ERRORS})
def report_agency(
    request: HttpRequest, agency_id: int, period: PeriodName = "year", start: dt.date | None = None
) -> Any:
    """The agency's own dashboard (AGENCY_REPORT_VIEW), unsuppressed, for the period holding
    `start` (default: today)."""
    return _read(request, "agency", str(agency_id), period, start)


@router.get("/reports/area", response={200: schemas.ReportOut, **ERRORS})
def report_area(
    request: HttpRequest,
    level: Literal["county", "state"] | None = None,
    key: str = "",
    period: PeriodName = "year",
    start: dt.date | None = None,
) -> Any:
    """A county's (`level=county&key=<county id>`) or a state's (`level=state&key=CA`) dashboard
    over the agencies where you hold AGGREGATE_VIEW, small counts suppressed as on the page."""
    return _read(request, level or "", key[:64], period, start)
