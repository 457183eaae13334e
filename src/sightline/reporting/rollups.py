"""Keeping the rollups equal to the screening table.

`refresh_slice(agency, month)` rewrites one agency's rows for one month (and its youth counts for
the month, quarter and year around it) from the current final screenings, inside one transaction
under a lock on the agency, so two rewrites never race and a rerun writes the same rows. A change
only marks its slices stale (`mark_*`, called after commit by `handlers.py`: one INSERT); every read
of the figures first calls `catch_up`, which rewrites the marked slices, so a report is never
behind the screening table and a finalize never pays for a recount. `rebuild()` does
the same for every agency at once, for the bulk paths (the generator, imports, a repair after a failed
subscriber): `manage.py reporting_rebuild`.

A screening counts as its *current version*: a final row that no final amendment or correction
replaces. Its month is the month of `screened_on`, which a new version keeps.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, Min, Model, OuterRef, Q, QuerySet, Subquery

from sightline.catalog import selectors as catalog
from sightline.instruments.values import NEI
from sightline.reporting import dimensions as dims
from sightline.reporting.models import (
    Dimension,
    FollowUpRollup,
    IndicatorMeasure,
    IndicatorRollup,
    PeriodKind,
    RollupBacklog,
    ScreeningRollup,
    YouthRollup,
)
from sightline.screenings.choices import ScreeningStatus
from sightline.screenings.models import FollowUpAction, Screening
from sightline.tenancy.models import Agency
from sightline.youth.models import IntakeEpisode

Progress = Callable[[int, int], None]

ROW_FIELDS = (
    "pk",
    "youth_id",
    "instrument_id",
    "level",
    "screener_role",
    "indicator_ratings",
    "screened_on",
    "youth__gender_identity",
    "youth__race_ethnicity",
    "youth__date_of_birth",
    "first_done",
)
# Indicator figures by these groups only: the "top 10" by gender and by screener role, and "not
# enough information" by screener role (more would multiply the indicator rollup for little use).
PRESENT_DIMENSIONS = (Dimension.ALL, Dimension.GENDER, Dimension.SCREENER_ROLE)
NEI_DIMENSIONS = (Dimension.ALL, Dimension.SCREENER_ROLE)
PERIODS = (
    (PeriodKind.MONTH, dims.month_of),
    (PeriodKind.QUARTER, dims.quarter_of),
    (PeriodKind.YEAR, dims.year_of),
)
BATCH = 5_000


def current_finals() -> QuerySet[Screening]:
    """Every current version: final, and not replaced by a final amendment or correction."""
    replaced = Screening.objects.filter(amends=OuterRef("pk"), status=ScreeningStatus.FINAL)
    return Screening.objects.filter(status=ScreeningStatus.FINAL).filter(~Exists(replaced))


def _with_first_follow_up(finals: QuerySet[Screening]) -> QuerySet[Screening]:
    """`first_done`: the day the screening's first follow-up action was completed (None: none)."""
    first = (
        FollowUpAction.objects.filter(screening=OuterRef("pk"), completed_on__isnull=False)
        .values("screening")
        .annotate(first=Min("completed_on"))
        .values("first")
    )
    return finals.annotate(first_done=Subquery(first))


def level_orders() -> dict[str, tuple[str, ...]]:
    """Instrument id -> its level codes from least to most concern (the definition's order)."""
    return {d.id: tuple(level.code for level in d.levels) for d in catalog.current_definitions()}


def _intakes(agency_id: int, youth_ids: Iterable[int]) -> dict[int, list[tuple[Any, ...]]]:
    found: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    wanted = list(set(youth_ids))
    for start in range(0, len(wanted), BATCH):
        for youth_id, intake_on, exit_on, program in IntakeEpisode.objects.filter(
            agency_id=agency_id, youth_id__in=wanted[start : start + BATCH]
        ).values_list("youth_id", "intake_on", "exit_on", "program"):
            found[youth_id].append((intake_on, exit_on, program))
    return found


SCREENING_COLUMNS = (
    "agency_id",
    "month",
    "instrument_id",
    "level",
    "dimension",
    "value",
    "screenings",
)
INDICATOR_COLUMNS = (
    "agency_id",
    "month",
    "instrument_id",
    "measure",
    "dimension",
    "value",
    "indicator_id",
    "screenings",
)
YOUTH_COLUMNS = ("agency_id", "period", "start", "highest_level", "youth")
FOLLOW_UP_COLUMNS = (
    "agency_id",
    "month",
    "instrument_id",
    "level",
    "followed_up",
    "days",
    "screenings",
)


def _write(model: type[Model], columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """Insert plain rows: COPY on PostgreSQL, executemany elsewhere (model instances would cost
    more than the counting: a state has millions of rollup rows)."""
    if not rows:
        return
    table = model._meta.db_table
    names = ", ".join(columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.connection.cursor()
            with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            plain = [tuple(_plain(v) for v in row) for row in rows]
            # Table and column names are the rollup models' own; the rows are parameters.
            sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # nosec B608
            for start in range(0, len(plain), BATCH):
                cursor.executemany(sql, plain[start : start + BATCH])


def _plain(value: Any) -> Any:
    """A value SQLite's driver takes: choices as their text, dates as ISO text."""
    if isinstance(value, str):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


Cells = tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]


def _cells(
    agency_id: int, rows: list[tuple[Any, ...]], orders: dict[str, tuple[str, ...]]
) -> Cells:
    """The rollup rows (SCREENING_COLUMNS, INDICATOR_COLUMNS, FOLLOW_UP_COLUMNS) of these screenings
    of one agency (rows as ROW_FIELDS)."""
    intakes = _intakes(agency_id, (row[1] for row in rows))
    screenings: Counter[tuple[Any, ...]] = Counter()
    indicators: Counter[tuple[Any, ...]] = Counter()
    follow_ups: Counter[tuple[Any, ...]] = Counter()
    for _pk, youth_id, instrument, level, role, ratings, day, gender, race, born, done in rows:
        month = dims.month_of(day)
        if done is None:
            follow_ups[(month, instrument, level, False, 0)] += 1
        else:
            follow_ups[(month, instrument, level, True, (done - day).days)] += 1
        groups = {
            Dimension.ALL: "",
            Dimension.GENDER: gender,
            Dimension.AGE_BAND: dims.age_band(born, day),
            Dimension.RACE: dims.race_category(race),
            Dimension.SCREENER_ROLE: role,
            Dimension.PROGRAM: dims.program_on(intakes.get(youth_id, []), day),
            Dimension.INSTRUMENT: instrument,
        }
        for dimension, value in groups.items():
            screenings[(month, instrument, level, dimension, value)] += 1
        order = orders.get(instrument, ())
        at_clear = bool(order) and level == order[-1]
        for indicator_id, rating in (ratings or {}).items():
            if at_clear and isinstance(rating, int) and rating > 0:
                for dimension in PRESENT_DIMENSIONS:
                    key = (month, instrument, IndicatorMeasure.PRESENT_AT_CLEAR, dimension)
                    indicators[(*key, groups[dimension], indicator_id)] += 1
            if rating == NEI:
                for dimension in NEI_DIMENSIONS:
                    key = (month, instrument, IndicatorMeasure.NOT_ENOUGH_INFORMATION, dimension)
                    indicators[(*key, groups[dimension], indicator_id)] += 1
    return (
        [(agency_id, *key, n) for key, n in screenings.items()],
        [(agency_id, *key, n) for key, n in indicators.items()],
        [(agency_id, *key, n) for key, n in follow_ups.items()],
    )


def _youth_cells(
    agency_id: int,
    rows: Iterable[tuple[int, str, str, dt.date]],
    orders: dict[str, tuple[str, ...]],
    kinds: Iterable[tuple[str, Callable[[dt.date], dt.date]]] = PERIODS,
) -> list[tuple[Any, ...]]:
    """Youth per period by their highest level (YOUTH_COLUMNS); rows are (youth id, instrument,
    level, date)."""
    kinds = list(kinds)
    highest: dict[tuple[str, dt.date, int], tuple[int, str]] = {}
    for youth_id, instrument, level, day in rows:
        order = orders.get(instrument, ())
        rank = order.index(level) if level in order else -1
        for kind, start_of in kinds:
            key = (kind, start_of(day), youth_id)
            if key not in highest or rank > highest[key][0]:
                highest[key] = (rank, level)
    counts: Counter[tuple[str, dt.date, str]] = Counter()
    for (kind, start, _youth), (_rank, level) in highest.items():
        counts[(kind, start, level)] += 1
    return [(agency_id, str(kind), start, level, n) for (kind, start, level), n in counts.items()]


def _month_range(month: dt.date) -> tuple[dt.date, dt.date]:
    following = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return month, following - dt.timedelta(days=1)


def refresh_slice(agency_id: int, month: dt.date) -> None:
    """Rewrite one agency's rollups for the month holding `month` (and its youth counts for that
    month, quarter and year) from the screening table."""
    month = dims.month_of(month)
    first, last = _month_range(month)
    year = dims.year_of(month)
    orders = level_orders()
    with transaction.atomic():
        # Serialises refreshes of one agency: two finalizations never interleave their rewrites.
        Agency.objects.select_for_update().filter(pk=agency_id).exists()
        finals = current_finals().filter(agency_id=agency_id)
        rows = list(
            _with_first_follow_up(
                finals.filter(screened_on__gte=first, screened_on__lte=last)
            ).values_list(*ROW_FIELDS)
        )
        screening_rows, indicator_rows, follow_up_rows = _cells(agency_id, rows, orders)
        ScreeningRollup.objects.filter(agency_id=agency_id, month=month).delete()
        IndicatorRollup.objects.filter(agency_id=agency_id, month=month).delete()
        FollowUpRollup.objects.filter(agency_id=agency_id, month=month).delete()
        _write(ScreeningRollup, SCREENING_COLUMNS, screening_rows)
        _write(IndicatorRollup, INDICATOR_COLUMNS, indicator_rows)
        _write(FollowUpRollup, FOLLOW_UP_COLUMNS, follow_up_rows)
        year_rows = finals.filter(
            screened_on__gte=year, screened_on__lt=year.replace(year=year.year + 1)
        ).values_list("youth_id", "instrument_id", "level", "screened_on")
        quarter = dims.quarter_of(month)
        starts = {PeriodKind.MONTH: month, PeriodKind.QUARTER: quarter, PeriodKind.YEAR: year}
        youth_rows = [
            row
            for row in _youth_cells(agency_id, year_rows, orders)
            if row[2] == starts[PeriodKind(row[1])]
        ]
        YouthRollup.objects.filter(
            Q(period=PeriodKind.MONTH, start=month)
            | Q(period=PeriodKind.QUARTER, start=quarter)
            | Q(period=PeriodKind.YEAR, start=year),
            agency_id=agency_id,
        ).delete()
        _write(YouthRollup, YOUTH_COLUMNS, youth_rows)


def mark_stale(slices: Iterable[tuple[int, dt.date]]) -> None:
    """Mark agency-month slices for rewriting by the next `catch_up` (one INSERT; marking twice is
    marking once)."""
    marked = {(agency_id, dims.month_of(day)) for agency_id, day in slices}
    RollupBacklog.objects.bulk_create(
        [RollupBacklog(agency_id=agency_id, month=month) for agency_id, month in sorted(marked)],
        ignore_conflicts=True,
    )


def mark_screenings(screening_ids: Iterable[int | None]) -> None:
    """Mark the slices that hold these screenings (a finalized version and the one it amends)."""
    mark_stale(
        Screening.objects.filter(pk__in=[pk for pk in screening_ids if pk is not None]).values_list(
            "agency_id", "screened_on"
        )
    )


def mark_youth(youth_id: int) -> None:
    """Mark every slice holding a screening of this youth (their details or intakes changed)."""
    mark_stale(
        Screening.objects.filter(youth_id=youth_id, status=ScreeningStatus.FINAL).values_list(
            "agency_id", "screened_on"
        )
    )


def catch_up(agency_ids: Iterable[int] | None = None) -> int:
    """Rewrite every slice marked stale (of `agency_ids`, if given); returns how many.

    Each slice is taken off the backlog and rewritten in one transaction: a change committed while
    it is rewritten marks it again, so nothing is lost, and two readers never rewrite it twice.
    """
    backlog = RollupBacklog.objects.order_by("agency_id", "month")
    if agency_ids is not None:
        backlog = backlog.filter(agency_id__in=list(agency_ids))
    done = 0
    for pk, agency_id, month in list(backlog.values_list("pk", "agency_id", "month")):
        with transaction.atomic():
            taken, _ = RollupBacklog.objects.filter(pk=pk).delete()
            if taken:
                refresh_slice(agency_id, month)
                done += 1
    return done


def _by_agency(rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[int, list[tuple[Any, ...]]]]:
    current: int | None = None
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        if row[0] != current:
            if current is not None:
                yield current, batch
            current, batch = row[0], []
        batch.append(row[1:])
    if current is not None:
        yield current, batch


def rebuild(*, progress: Progress | None = None) -> int:
    """Rewrite every rollup from the screening table; returns the number of screenings counted.

    One pass over the current final screenings in agency order; each agency's rows are computed in
    memory (a few thousand screenings) and written in batches, all in one transaction, so readers see
    the old rollups until the new ones are complete.
    """
    orders = level_orders()
    agencies = list(
        current_finals().values_list("agency_id", flat=True).distinct().order_by("agency_id")
    )
    counted = 0
    with transaction.atomic():
        RollupBacklog.objects.all().delete()  # everything is rewritten below
        ScreeningRollup.objects.all().delete()
        IndicatorRollup.objects.all().delete()
        YouthRollup.objects.all().delete()
        FollowUpRollup.objects.all().delete()
        if connection.vendor == "postgresql":
            # The rows are read through a cursor to the end: without this, PostgreSQL plans for the
            # first tenth of them (nested loops in sort order) and the rebuild is 100x slower.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL cursor_tuple_fraction = 1.0")
        rows = (
            _with_first_follow_up(current_finals())
            .order_by("agency_id", "screened_on", "pk")
            .values_list("agency_id", *ROW_FIELDS)
            .iterator(chunk_size=BATCH)
        )
        for done, (agency_id, batch) in enumerate(_by_agency(rows), start=1):
            screening_rows, indicator_rows, follow_up_rows = _cells(agency_id, batch, orders)
            _write(ScreeningRollup, SCREENING_COLUMNS, screening_rows)
            _write(IndicatorRollup, INDICATOR_COLUMNS, indicator_rows)
            _write(FollowUpRollup, FOLLOW_UP_COLUMNS, follow_up_rows)
            youth = ((row[1], row[2], row[3], row[6]) for row in batch)
            _write(YouthRollup, YOUTH_COLUMNS, _youth_cells(agency_id, youth, orders))
            counted += len(batch)
            if progress is not None:
                progress(done, len(agencies))
    return counted
