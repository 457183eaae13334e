"""Reading a dashboard, the one way every channel does it: the page, the API and the CLI.

The scope is resolved through the access layer (`scope.resolve`), the figures computed once
(`figures.dashboard`) and the reading audited (VIEW, aggregates only: no youth is named), so the
three channels show the same numbers and leave the same trace.
"""

from __future__ import annotations

import datetime as dt

from sightline.audit.choices import AuditAction
from sightline.audit.context import AuditContext
from sightline.audit.services import audit_record
from sightline.reporting import figures
from sightline.reporting.scope import Period, Scope, resolve
from sightline.tenancy import access
from sightline.tenancy.models import User
from sightline.tenancy.permissions import Permission

NO_AREA_REPORTS = "You do not have permission to see county or state reports."


def scope_for(user: User, level: str, key: str) -> Scope:
    """The report asked for. An area report (county, state) is refused outright (Forbidden) to a
    person who sees no aggregates anywhere, as the page is; past that, `resolve` answers NotFound for
    anything not the person's, a missing agency or area and another's alike."""
    if level != "agency" and not access.holds_anywhere(user, Permission.AGGREGATE_VIEW):
        raise access.Forbidden(
            NO_AREA_REPORTS,
            object_type="report",
            object_id=f"{level}:{key}"[:80],
            permission=Permission.AGGREGATE_VIEW,
        )
    return resolve(user, level, key)


def view_dashboard(
    *, user: User, scope: Scope, period: Period, today: dt.date, context: AuditContext
) -> figures.Dashboard:
    """The scope's dashboard for the period, with its VIEW event written."""
    board = figures.dashboard(user=user, scope=scope, period=period, today=today)
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        object_type="report",
        agency_id=scope.agency_ids[0] if scope.level == "agency" else None,
        context=context,
        detail={"kind": "report", "level": scope.level, "key": scope.key, "period": period.slug},
    )
    return board
