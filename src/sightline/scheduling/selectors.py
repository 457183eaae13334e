"""Worklists: who is due or overdue, read from the stored schedule rows and scoped to the user.

Every query here starts from `schedules_visible_to`, the one place that decides whose schedule a
user may see. The state of each row is computed in SQL from `today` (see `state_case`), so a list of
tens of thousands of open intakes filters, counts and pages in the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Case, CharField, Count, Q, QuerySet, Value, When

from sightline.scheduling import rules
from sightline.scheduling.models import IntakeSchedule, ScreeningPolicy
from sightline.tenancy import access
from sightline.tenancy.permissions import Permission

if TYPE_CHECKING:
    from sightline.tenancy.models import User

STATES = tuple(state.value for state in rules.State)


@dataclass(frozen=True)
class AgeBand:
    code: str
    label: str
    low: int | None  # youngest age in the band, inclusive
    high: int | None  # first age past the band


AGE_BANDS = (
    AgeBand("under_10", "Under 10", None, 10),
    AgeBand("10_13", "10 to 13", 10, 14),
    AgeBand("14_15", "14 to 15", 14, 16),
    AgeBand("16_17", "16 to 17", 16, 18),
    AgeBand("18_plus", "18 and older", 18, None),
)
AGE_BAND_CODES = {band.code: band for band in AGE_BANDS}


def born_by(today: dt.date, age: int) -> dt.date:
    """The latest date of birth of someone who is at least `age` on `today` (Feb 29 → Feb 28)."""
    try:
        return today.replace(year=today.year - age)
    except ValueError:
        return dt.date(today.year - age, 2, 28)


def _state_q(state: str, today: dt.date) -> Q:
    """The rows in `state` on `today`, as date comparisons the (agency, due_on) index can use."""
    eligible = Q(eligible_on__lte=today)
    if state == rules.State.NOT_ELIGIBLE.value:
        return Q(eligible_on__gt=today)
    if state == rules.State.OVERDUE.value:
        return eligible & Q(due_on__lt=today)
    if state == rules.State.DUE.value:
        return eligible & Q(due_on__gte=today, due_from__lte=today)
    if state == rules.State.UP_TO_DATE.value:
        return eligible & Q(due_from__gt=today)
    raise ValueError(f"unknown state {state!r}")


def state_case(today: dt.date) -> Case:
    """The same rules as `rules.Schedule.status_on`, for an open intake, as one SQL expression."""
    return Case(
        *(When(_state_q(state, today), then=Value(state)) for state in STATES),
        output_field=CharField(),
    )


def schedules_visible_to(*, user: User, today: dt.date) -> QuerySet[IntakeSchedule]:
    """Open intakes at the agencies where the user may see screenings, with `state`.

    Open means no exit date: `intake_close` refuses a future exit, so an intake with an exit date has
    left the list, and the partial index `sched_open_agency_due` covers exactly these rows.
    """
    return access.scoped(
        IntakeSchedule.objects.filter(intake_on__lte=today, exit_on__isnull=True),
        user=user,
        permission=Permission.SCREENING_VIEW,
    ).annotate(state=state_case(today))


def my_worklist(*, user: User, today: dt.date, days_ahead: int = 7) -> QuerySet[IntakeSchedule]:
    """The user's caseload that is overdue or falls due within `days_ahead` days, most urgent first."""
    horizon = today + dt.timedelta(days=days_ahead)
    return (
        schedules_visible_to(user=user, today=today)
        .filter(assigned_to_id=user.pk, eligible_on__lte=today, due_on__lte=horizon)
        .select_related("youth", "agency")
        .order_by("due_on", "intake_id")
    )


def agency_worklist(
    *,
    user: User,
    agency_id: int,
    today: dt.date,
    assigned_to_id: int | None = None,
    unassigned: bool = False,
    program: str | None = None,
    state: str | None = None,
    age_band: str | None = None,
) -> QuerySet[IntakeSchedule]:
    """One agency's open intakes for a supervisor (AGENCY_OVERVIEW), most urgent first.

    Raises Forbidden (a PermissionDenied) without AGENCY_OVERVIEW there, ValueError for an unknown
    state or band.
    """
    access.require(
        user,
        Permission.AGENCY_OVERVIEW,
        agency_id=agency_id,
        object_type="agency",
        object_id=agency_id,
        message="You cannot see this agency's worklist.",
    )
    rows = schedules_visible_to(user=user, today=today).filter(agency_id=agency_id)
    if unassigned:
        rows = rows.filter(assigned_to__isnull=True)
    elif assigned_to_id is not None:
        rows = rows.filter(assigned_to_id=assigned_to_id)
    if program:
        rows = rows.filter(program=program)
    if state:
        if state not in STATES:
            raise ValueError(f"unknown state {state!r}")
        rows = rows.filter(_state_q(state, today))
    if age_band:
        band = AGE_BAND_CODES.get(age_band)
        if band is None:
            raise ValueError(f"unknown age band {age_band!r}")
        if band.low is not None:
            rows = rows.filter(date_of_birth__lte=born_by(today, band.low))
        if band.high is not None:
            rows = rows.filter(date_of_birth__gt=born_by(today, band.high))
    return rows.select_related("youth", "assigned_to").order_by("due_on", "intake_id")


def state_counts(rows: QuerySet[IntakeSchedule]) -> dict[str, int]:
    """How many of `rows` are in each state (every state present, zero when none)."""
    counts = dict.fromkeys(STATES, 0)
    for state, count in rows.order_by().values_list("state").annotate(n=Count("pk")):
        counts[state] = count
    return counts


def agency_programs(*, user: User, agency_id: int, today: dt.date) -> list[str]:
    """The programs of the agency's open intakes, for the worklist's filter."""
    return sorted(
        set(
            schedules_visible_to(user=user, today=today)
            .filter(agency_id=agency_id)
            .exclude(program="")
            .values_list("program", flat=True)
            .distinct()
        )
    )


def days_overdue(row: IntakeSchedule, today: dt.date) -> int:
    return max(0, (today - row.due_on).days) if row.eligible_on <= today else 0


def policy_versions(*, user: User, agency_id: int) -> list[ScreeningPolicy]:
    """Every policy version of the agency with who made it, newest first, for people who manage or
    oversee it (nothing for anyone else): access is decided in the same query."""
    return list(
        ScreeningPolicy.objects.filter(
            agency_id=agency_id,
            agency_id__in=access.agency_ids_visible_to(
                user, Permission.POLICY_MANAGE, Permission.AGENCY_OVERVIEW
            ),
        )
        .select_related("created_by")
        .order_by("-effective_from", "-id")
    )
