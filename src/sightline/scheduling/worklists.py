"""Reads for the worklist pages that the core selectors do not cover: counts for the home page and
one intake's schedule for the youth page.

Every query starts from `selectors.schedules_visible_to`, so these pages see exactly the schedules
the worklists do and nothing else.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery

from sightline.catalog import selectors as catalog
from sightline.scheduling import rules
from sightline.scheduling.models import IntakeSchedule, ReminderDigest
from sightline.scheduling.selectors import my_worklist, schedules_visible_to, state_case
from sightline.screenings.models import Screening, ScreeningStatus
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


# --- the youth list: each youth's schedule status and last level ---------------------------------------

NO_OPEN_INTAKE = "no_intake"
YOUTH_SORTS = {
    "newest": "Newest record first",
    "due": "Next due first",
    "last_screened": "Longest since last screening first",
    "birth": "Youngest first",
}


@dataclass(frozen=True)
class YouthFilters:
    """What the youth list is narrowed and ordered by: codes only, never a name."""

    state: str = ""  # a schedule state, NO_OPEN_INTAKE, or "" for any
    level: str = ""  # the level code of the youth's latest final screening
    high_risk: bool = False
    mine: bool = False  # only youth whose open intake is on the user's caseload
    sort: str = "newest"


def youth_directory(
    youth: QuerySet[Any], *, user: User, today: dt.date, filters: YouthFilters
) -> QuerySet[Any]:
    """`youth` (already scoped: `youth_visible_to` or `youth_search`) with each one's open intake's
    schedule (`next_due_on`, `schedule_state`) and latest final screening (`last_screened_on`,
    `last_level`, `last_instrument_id`, `last_instrument_version`), filtered and ordered by `filters`.

    One query per page: the figures are correlated subqueries on the youth's own rows, so nothing is
    scoped twice. Raises ValueError for an unknown state or sort.
    """
    schedule = IntakeSchedule.objects.filter(
        youth_id=OuterRef("pk"), exit_on__isnull=True, intake_on__lte=today
    )
    latest = Screening.objects.filter(youth_id=OuterRef("pk"), status=ScreeningStatus.FINAL)
    latest = latest.exclude(
        Exists(Screening.objects.filter(amends_id=OuterRef("pk"), status=ScreeningStatus.FINAL))
    ).order_by("-screened_on", "-pk")
    rows = youth.annotate(
        next_due_on=Subquery(schedule.values("due_on")[:1]),
        schedule_state=Subquery(schedule.annotate(s=state_case(today)).values("s")[:1]),
        caseload_of=Subquery(schedule.values("assigned_to_id")[:1]),
        last_screened_on=Subquery(latest.values("screened_on")[:1]),
        last_level=Subquery(latest.values("level")[:1]),
        last_instrument_id=Subquery(latest.values("instrument_id")[:1]),
        last_instrument_version=Subquery(latest.values("instrument_version")[:1]),
    )
    if filters.state == NO_OPEN_INTAKE:
        rows = rows.filter(next_due_on__isnull=True)
    elif filters.state:
        if filters.state not in (state.value for state in rules.State):
            raise ValueError(f"unknown state {filters.state!r}")
        rows = rows.filter(schedule_state=filters.state)
    if filters.level:
        rows = rows.filter(last_level=filters.level)
    if filters.high_risk:
        rows = rows.filter(high_risk=True)
    if filters.mine:
        rows = rows.filter(caseload_of=user.pk)
    if filters.sort not in YOUTH_SORTS:
        raise ValueError(f"unknown sort {filters.sort!r}")
    ordering = {
        "newest": ("-created_at", "-pk"),
        "due": (F("next_due_on").asc(nulls_last=True), "-pk"),
        "last_screened": (F("last_screened_on").asc(nulls_first=True), "-pk"),
        "birth": ("-date_of_birth", "-pk"),
    }[filters.sort]
    return rows.order_by(*ordering)


@dataclass(frozen=True)
class SystemHealth:
    """What a system admin checks first; no tenant data, only the platform's own state."""

    database: str
    instrument_versions: int
    last_digest_on: dt.date | None  # when the reminder job last mailed anyone


def system_health() -> SystemHealth:
    last = ReminderDigest.objects.order_by("-sent_on").values_list("sent_on", flat=True).first()
    return SystemHealth(
        database=connection.vendor,
        instrument_versions=len(catalog.installed_versions()),
        last_digest_on=last,
    )
