"""Reads for the worklist pages that the core selectors do not cover: counts for the home page and
one intake's schedule for the youth page.

Every query starts from `selectors.schedules_visible_to`, so these pages see exactly the schedules
the worklists do and nothing else.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Q

from sightline.scheduling import rules
from sightline.scheduling.models import IntakeSchedule
from sightline.scheduling.selectors import my_worklist, schedules_visible_to
from sightline.tenancy import access
from sightline.tenancy.models import Agency
from sightline.tenancy.permissions import Permission

if TYPE_CHECKING:
    from sightline.tenancy.models import User

OVERDUE = rules.State.OVERDUE.value
DUE = rules.State.DUE.value


@dataclass(frozen=True)
class CaseloadCounts:
    overdue: int
    due_soon: int  # not overdue, due within the worklist's horizon


@dataclass(frozen=True)
class AgencyCounts:
    agency: Agency
    overdue: int
    due: int


def my_caseload_counts(*, user: User, today: dt.date, days_ahead: int = 7) -> CaseloadCounts:
    """What "My caseload" lists, counted: the home page's one-line summary."""
    counts = my_worklist(user=user, today=today, days_ahead=days_ahead).aggregate(
        overdue=Count("pk", filter=Q(due_on__lt=today)),
        due_soon=Count("pk", filter=Q(due_on__gte=today)),
    )
    return CaseloadCounts(overdue=counts["overdue"], due_soon=counts["due_soon"])


def overseen_agencies(*, user: User) -> list[Agency]:
    """Active agencies whose worklist the user may open (AGENCY_OVERVIEW), by name."""
    return list(access.agencies_visible_to(user, Permission.AGENCY_OVERVIEW))


def agency_counts(*, user: User, today: dt.date) -> list[AgencyCounts]:
    """Overdue and due open intakes of each agency the user oversees, for the home page."""
    agencies = overseen_agencies(user=user)
    rows = (
        schedules_visible_to(user=user, today=today)
        .filter(agency_id__in=[agency.pk for agency in agencies])
        .order_by()
        .values("agency_id")
        .annotate(
            overdue=Count("pk", filter=Q(state=OVERDUE)),
            due=Count("pk", filter=Q(state=DUE)),
        )
    )
    by_agency = {row["agency_id"]: row for row in rows}
    return [
        AgencyCounts(
            agency=agency,
            overdue=by_agency.get(agency.pk, {}).get("overdue", 0),
            due=by_agency.get(agency.pk, {}).get("due", 0),
        )
        for agency in agencies
    ]


def intake_schedule_for(*, user: User, intake_id: int, today: dt.date) -> IntakeSchedule | None:
    """The stored schedule of one open intake, if the user may see it (None otherwise or not yet built)."""
    return (
        schedules_visible_to(user=user, today=today)
        .filter(intake_id=intake_id)
        .select_related("assigned_to", "policy")
        .first()
    )
