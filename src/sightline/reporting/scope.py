"""What a report covers: one agency, one county or one state, and a period; who may ask for which.

- **Agency**: one agency where the person holds AGENCY_REPORT_VIEW (its supervisors and admins): the
  agency's own figures, not suppressed, because they do not leave the agency.
- **County / state**: the agencies of that county or state where the person holds AGGREGATE_VIEW
  (analysts, and supervisors and admins for their own agencies). Every figure is suppressed: it
  leaves an agency.

Periods are whole calendar months, quarters or years, because the distinct-youth counts are kept per
period (`YouthRollup`); trends inside a period are by month and by quarter.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from django.db.models import QuerySet

from sightline.reporting import dimensions as dims
from sightline.reporting.models import PeriodKind
from sightline.tenancy import access
from sightline.tenancy.models import Agency, County, User
from sightline.tenancy.permissions import Permission

Level = Literal["agency", "county", "state"]
LEVELS: tuple[Level, ...] = ("agency", "county", "state")
NO_SUCH_REPORT = "No such report."


@dataclass(frozen=True)
class Scope:
    level: Level
    key: str  # agency id, county id or state code
    label: str
    agency_ids: tuple[int, ...]

    @property
    def suppressed(self) -> bool:
        """Figures that leave an agency are suppressed; the agency's own are not."""
        return self.level != "agency"


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    start: dt.date

    @property
    def end(self) -> dt.date:
        months = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}[self.kind]
        total = self.start.month - 1 + months
        following = dt.date(self.start.year + total // 12, total % 12 + 1, 1)
        return following - dt.timedelta(days=1)

    @property
    def months(self) -> list[dt.date]:
        found, month = [], self.start
        while month <= self.end:
            found.append(month)
            month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
        return found

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.YEAR:
            return str(self.start.year)
        if self.kind == PeriodKind.QUARTER:
            return f"Q{(self.start.month - 1) // 3 + 1} {self.start.year}"
        return self.start.strftime("%B %Y")

    @property
    def slug(self) -> str:
        return f"{self.kind}-{self.start:%Y-%m}"


def period_of(kind: str, day: dt.date) -> Period:
    """The period of `kind` (month, quarter, year) that holds `day`."""
    chosen = PeriodKind(kind)
    start = {
        PeriodKind.MONTH: dims.month_of,
        PeriodKind.QUARTER: dims.quarter_of,
        PeriodKind.YEAR: dims.year_of,
    }[chosen](day)
    return Period(chosen, start)


@dataclass(frozen=True)
class Choice:
    level: Level
    key: str
    label: str


def report_choices(user: User) -> list[Choice]:
    """Every report the person may open: their agencies, then counties, then states. Three queries."""
    own = access.agencies_visible_to(user, Permission.AGENCY_REPORT_VIEW).values_list("pk", "name")
    choices = [Choice("agency", str(pk), name) for pk, name in own]
    visible = access.agencies_visible_to(user, Permission.AGGREGATE_VIEW)
    counties = (
        County.objects.filter(agencies__in=visible)
        .distinct()
        .order_by("state", "name")
        .values_list("pk", "name", "state")
    )
    states: list[str] = []
    for pk, name, state in counties:
        choices.append(Choice("county", str(pk), f"{name} County, {state}"))
        if state not in states:
            states.append(state)
    choices.extend(Choice("state", state, f"State of {state}") for state in states)
    return choices


def resolve(user: User, level: str, key: str) -> Scope:
    """The scope asked for, through the access layer; anything not the person's is NotFound."""
    if level == "agency":
        agency = access.agency_for_user(
            user=user, agency_id=key, permission=Permission.AGENCY_REPORT_VIEW
        )
        return Scope("agency", str(agency.pk), agency.name, (agency.pk,))
    visible = access.agencies_visible_to(user, Permission.AGGREGATE_VIEW)
    if level == "county" and key.isdigit():
        county = County.objects.filter(pk=int(key)).first()
        ids = tuple(visible.filter(county_id=int(key)).values_list("pk", flat=True))
        if county is not None and ids:
            return Scope("county", key, f"{county.name} County, {county.state}", tuple(sorted(ids)))
    if level == "state" and len(key) == 2:
        ids = tuple(_in_state(visible, key.upper()).values_list("pk", flat=True))
        if ids:
            return Scope("state", key.upper(), f"State of {key.upper()}", tuple(sorted(ids)))
    raise access.NotFound(
        NO_SUCH_REPORT,
        object_type="report",
        object_id=f"{level}:{key}",
        permission=Permission.AGGREGATE_VIEW,
    )


def _in_state(agencies: QuerySet[Agency], code: str) -> QuerySet[Agency]:
    """The agencies of a state report: the one rule for resolve() and region()."""
    return agencies.filter(county__state=code)


def agency_facts(agency_ids: tuple[int, ...]) -> dict[int, tuple[str, str, str, int]]:
    """Agency id -> (name, type, county name, county id) for the rows of a county or state report."""
    return {
        pk: (name, kind, county, county_id)
        for pk, name, kind, county, county_id in Agency.objects.filter(
            pk__in=agency_ids
        ).values_list("pk", "name", "type", "county__name", "county_id")
    }


def region(user: User, scope: Scope) -> tuple[Scope, list[Scope]]:
    """The state report and every county report that a county or state `scope` is published beside,
    over the same agencies: a county figure and the state figure that adds it up are suppressed
    together (`reporting.suppressing`), so the person gets the same county figures from either."""
    if scope.level == "state":
        code = scope.key
        agencies = Agency.objects.filter(pk__in=scope.agency_ids)
    elif scope.level == "county":
        code = County.objects.filter(pk=int(scope.key)).values_list("state", flat=True).get()
        visible = access.agencies_visible_to(user, Permission.AGGREGATE_VIEW)
        agencies = _in_state(visible, code)  # the agencies of resolve(user, "state", code)
    else:
        raise ValueError("an agency report is published on its own")
    counties: dict[int, tuple[str, list[int]]] = {}
    for pk, county_id, name in agencies.order_by("pk").values_list(
        "pk", "county_id", "county__name"
    ):
        counties.setdefault(county_id, (name, []))[1].append(pk)
    found = [
        Scope("county", str(county_id), f"{name} County, {code}", tuple(sorted(ids)))
        for county_id, (name, ids) in sorted(counties.items())
    ]
    if scope.level == "state":
        return scope, found
    ids = tuple(sorted(pk for county in found for pk in county.agency_ids))
    return Scope("state", code, f"State of {code}", ids), found
