"""Coverage figures per agency, program or screener for a period (issue 5; part of reporting since
issue 19).

Computed from the stored schedule rows (`IntakeSchedule`, `RescreenDue`), aggregated in SQL with
conditional counts over the indexed (agency, due date) ranges. For the medians only the day counts
come back, as {days: how many} per group, and `sightline.stats.median` reads them: one portable path
for SQLite and PostgreSQL, one row per group and day count rather than one per youth.

Definitions (docs/coverage.md says the same in plain words):

- Period [start, end], dates inclusive, evaluated as of `today`. Only due dates that have passed
  count: a due date d counts when start <= d <= end and d < today.
- First screenings: intake schedules whose `first_due_on` counts (None when a screening carried over
  from before the intake: those intakes do not count) and where the youth was still in the intake on
  the due date or was screened within it (exit_on is null, exit_on >= first_due_on, or
  first_screened_on is set).
  eligible = that count; on_time = first_screened_on <= first_due_on; share = on_time / eligible
  (None when nothing was eligible); never_screened = first_screened_on is null (as of today);
  median_days = median of (first_screened_on - intake_on) in days over those screened (None if none).
  The window is the one of the policy in force at intake, so the figure reads "screened within the
  first-screening window (30 days under the default policy)".
- Rescreens: rescreen rows whose `due_on` counts and whose youth was in care on the due date
  (intake not null). due = count; on_time = rescreened_on <= due_on; share = on_time / due.
- Grouping: by agency (name), by program (agency + program; "" shows as "(no program)") or by
  screener (`assigned_to`; None shows as "Unassigned"), plus a total row.
- Scope: agencies where the user holds AGGREGATE_VIEW (optionally narrowed by `agency_ids`, which must
  lie within that scope). Grouping by screener names staff, so it needs AGENCY_OVERVIEW (supervisors)
  in every agency reported on; otherwise it is refused. No youth identity is ever read or returned.
- This page is the agency's working view and shows counts as they are; the dashboards' coverage
  figures for a county or state are suppressed (`reporting.figures`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q

from sightline import stats
from sightline.audit.context import AuditContext, context_for
from sightline.audit.models import AuditAction
from sightline.audit.services import audit_record
from sightline.common.spreadsheet import safe_cell
from sightline.scheduling.errors import NOT_A_DATE, SchedulingError
from sightline.scheduling.models import IntakeSchedule, RescreenDue
from sightline.tenancy import access
from sightline.tenancy.models import Agency, User
from sightline.tenancy.permissions import Permission

GROUP_BY = {"agency": "Agency", "program": "Program", "screener": "Screener"}
NO_PROGRAM = "(no program)"
UNASSIGNED = "Unassigned"

PERIOD_REVERSED = "The end of the period must be on or after its start."
UNKNOWN_GROUPING = "Group by agency, program or screener."
NO_AGGREGATE_VIEW = "You do not have permission to see coverage figures."
AGENCY_OUT_OF_SCOPE = "You do not have permission to see coverage figures for this agency."
SCREENER_GROUPING_REFUSED = (
    "Figures by screener show staff names, so only the agency's supervisors can see them. "
    "Group by agency or program instead."
)

CSV_HEADER = (
    "Group",
    "First screenings due",
    "Screened within the first-screening window",
    "Share screened within the window (%)",
    "Median days from intake to first screening",
    "Never screened",
    "Rescreens due",
    "Rescreened on time",
    "Share rescreened on time (%)",
)


@dataclass(frozen=True)
class CoverageRow:
    """One group's figures; shares are fractions from 0 to 1, None when nothing was due."""

    key: tuple[Any, ...]
    label: str
    first_due: int
    first_on_time: int
    first_share: float | None
    median_days: float | None
    never_screened: int
    rescreens_due: int
    rescreens_on_time: int
    rescreen_share: float | None


@dataclass(frozen=True)
class CoverageReport:
    start: dt.date
    end: dt.date
    today: dt.date
    group_by: str
    agency_ids: tuple[int, ...]
    rows: list[CoverageRow]
    total: CoverageRow
    agencies: dict[int, str] = field(default_factory=dict)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _median(histogram: Counter[int]) -> float | None:
    return stats.median(dict(histogram)).estimate


def _scope(user: User, agency_ids: Iterable[int] | None, group_by: str) -> tuple[int, ...]:
    """The agencies reported on: the requested ones (all in scope) or every agency in scope."""
    allowed = set(access.agency_ids_visible_to(user, Permission.AGGREGATE_VIEW))
    if not allowed:
        raise PermissionDenied(NO_AGGREGATE_VIEW)
    if agency_ids:
        wanted = {int(a) for a in agency_ids}
        if not wanted <= allowed:
            raise PermissionDenied(AGENCY_OUT_OF_SCOPE)
    else:
        wanted = allowed
    if group_by == "screener":
        supervised = set(access.agency_ids_visible_to(user, Permission.AGENCY_OVERVIEW))
        if not wanted <= supervised:
            raise PermissionDenied(SCREENER_GROUPING_REFUSED)
    return tuple(sorted(wanted))


def _key_fields(group_by: str) -> tuple[str, ...]:
    return {
        "agency": ("agency_id",),
        "program": ("agency_id", "program"),
        "screener": ("assigned_to_id",),
    }[group_by]


def coverage(
    *,
    user: User,
    start: dt.date,
    end: dt.date,
    today: dt.date,
    group_by: str = "agency",
    agency_ids: Iterable[int] | None = None,
) -> CoverageReport:
    """The coverage figures of the period, one row per group plus a total (see the module docstring).

    Raises SchedulingError for a bad period or grouping, PermissionDenied outside the user's scope.
    """
    if not isinstance(start, dt.date) or not isinstance(end, dt.date):
        raise SchedulingError(NOT_A_DATE, field="start")
    if start > end:
        raise SchedulingError(PERIOD_REVERSED, field="end")
    if group_by not in GROUP_BY:
        raise SchedulingError(UNKNOWN_GROUPING, field="group_by")
    scope = _scope(user, agency_ids, group_by)
    keys = _key_fields(group_by)
    # Due dates count only once they have passed: the last one is the day before today.
    last = min(end, today - dt.timedelta(days=1))

    first_rows: dict[tuple[Any, ...], dict[str, Any]] = {}
    histograms: dict[tuple[Any, ...], Counter[int]] = {}
    rescreen_rows: dict[tuple[Any, ...], dict[str, int]] = {}
    if start <= last:
        owed = IntakeSchedule.objects.filter(
            Q(exit_on__isnull=True)
            | Q(exit_on__gte=F("first_due_on"))
            | Q(first_screened_on__isnull=False),
            agency_id__in=scope,
            first_due_on__gte=start,
            first_due_on__lte=last,
        )
        rescreens = RescreenDue.objects.filter(
            agency_id__in=scope, due_on__gte=start, due_on__lte=last, intake__isnull=False
        )
        for row in (
            owed.values(*keys)
            .annotate(
                due=Count("pk"),
                on_time=Count(
                    "pk",
                    filter=Q(
                        first_screened_on__isnull=False,
                        first_screened_on__lte=F("first_due_on"),
                    ),
                ),
                never=Count("pk", filter=Q(first_screened_on__isnull=True)),
            )
            .order_by()
        ):
            first_rows[tuple(row[k] for k in keys)] = row
        # The medians need only how many youth were first screened after each number of days.
        days = ExpressionWrapper(
            F("first_screened_on") - F("intake_on"), output_field=DurationField()
        )
        width = len(keys)
        for row in (
            owed.filter(first_screened_on__isnull=False)
            .annotate(days=days)
            .values_list(*keys, "days")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            key = row[:width]
            histogram = histograms.get(key)
            if histogram is None:
                histogram = histograms[key] = Counter()
            histogram[row[width].days] += row[width + 1]
        for row in (
            rescreens.values(*keys)
            .annotate(
                due=Count("pk"),
                on_time=Count(
                    "pk",
                    filter=Q(rescreened_on__isnull=False, rescreened_on__lte=F("due_on")),
                ),
            )
            .order_by()
        ):
            rescreen_rows[tuple(row[k] for k in keys)] = row

    agencies = dict(Agency.objects.filter(pk__in=scope).values_list("pk", "name"))
    labels = _labels(group_by, set(first_rows) | set(rescreen_rows), agencies)
    rows = [
        _row(key, label, first_rows.get(key), histograms.get(key), rescreen_rows.get(key))
        for key, label in sorted(
            labels.items(), key=lambda item: (item[1] == UNASSIGNED, item[1].casefold(), item[0])
        )
    ]
    all_days: Counter[int] = Counter()
    for histogram in histograms.values():
        all_days.update(histogram)
    total = _row(
        ("total",),
        "Total",
        {
            "due": sum(r.first_due for r in rows),
            "on_time": sum(r.first_on_time for r in rows),
            "never": sum(r.never_screened for r in rows),
        },
        all_days,
        {
            "due": sum(r.rescreens_due for r in rows),
            "on_time": sum(r.rescreens_on_time for r in rows),
        },
    )
    return CoverageReport(
        start=start,
        end=end,
        today=today,
        group_by=group_by,
        agency_ids=scope,
        rows=rows,
        total=total,
        agencies=agencies,
    )


def _labels(
    group_by: str, keys: set[tuple[Any, ...]], agencies: dict[int, str]
) -> dict[tuple[Any, ...], str]:
    if group_by == "agency":
        return {key: agencies.get(key[0], "") for key in keys}
    if group_by == "program":
        return {key: f"{agencies.get(key[0], '')} — {key[1] or NO_PROGRAM}" for key in keys}
    ids = {key[0] for key in keys if key[0] is not None}
    names = _staff_names(ids, agencies)
    return {key: names.get(key[0], UNASSIGNED) if key[0] else UNASSIGNED for key in keys}


def _staff_names(ids: set[int], agencies: dict[int, str]) -> dict[int, str]:
    """Display names of the screeners in `ids`: members of the reported agencies in one join, then
    anyone left (a former member) by id. Tuples, not model instances: a state has tens of thousands."""
    fields = ("pk", "first_name", "last_name", "username")
    found = (
        User.objects.filter(memberships__agency_id__in=list(agencies))
        .values_list(*fields)
        .distinct()
    )
    names = {pk: f"{first} {last}".strip() or username for pk, first, last, username in found}
    missing = ids - names.keys()
    if missing:
        rest = User.objects.filter(pk__in=missing).values_list(*fields)
        names |= {pk: f"{first} {last}".strip() or username for pk, first, last, username in rest}
    return names


def _row(
    key: tuple[Any, ...],
    label: str,
    first: dict[str, Any] | None,
    histogram: Counter[int] | None,
    rescreen: dict[str, Any] | None,
) -> CoverageRow:
    first = first or {"due": 0, "on_time": 0, "never": 0}
    rescreen = rescreen or {"due": 0, "on_time": 0}
    return CoverageRow(
        key=key,
        label=label,
        first_due=first["due"],
        first_on_time=first["on_time"],
        first_share=_share(first["on_time"], first["due"]),
        median_days=_median(histogram or Counter()),
        never_screened=first["never"],
        rescreens_due=rescreen["due"],
        rescreens_on_time=rescreen["on_time"],
        rescreen_share=_share(rescreen["on_time"], rescreen["due"]),
    )


def _percent(share: float | None) -> str:
    return "" if share is None else f"{share * 100:.1f}"


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def coverage_csv(report: CoverageReport, *, user: User, context: AuditContext | None = None) -> str:
    """The report as CSV text (one row per group, then the total); the export is audited."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for row in [*report.rows, report.total]:
        writer.writerow(
            [
                safe_cell(row.label),
                row.first_due,
                row.first_on_time,
                _percent(row.first_share),
                _number(row.median_days),
                row.never_screened,
                row.rescreens_due,
                row.rescreens_on_time,
                _percent(row.rescreen_share),
            ]
        )
    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        object_type="coverage",
        agency_id=report.agency_ids[0] if len(report.agency_ids) == 1 else None,
        context=context_for(user, context),
        detail={
            "kind": "coverage",
            "start": report.start.isoformat(),
            "end": report.end.isoformat(),
            "group_by": report.group_by,
            "agency_ids": list(report.agency_ids),
            "rows": len(report.rows),
        },
    )
    return buffer.getvalue()


def coverage_agencies(user: User) -> list[tuple[int, str]]:
    """(id, name) of the agencies whose coverage the user may see, for the page's agency choice."""
    return list(
        access.agencies_visible_to(user, Permission.AGGREGATE_VIEW).values_list("pk", "name")
    )


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last full calendar quarter before today."""
    quarter_start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    end = quarter_start - dt.timedelta(days=1)
    return dt.date(end.year, end.month - 2, 1), end
