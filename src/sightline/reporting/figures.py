"""The one query layer of the reports: every figure of a dashboard, computed once.

`dashboard(user=, scope=, period=, today=)` reads the rollups (and, for what the rollups do not hold,
a few small live queries: follow-ups, training, schedule coverage), builds every table, applies
small-cell suppression when the scope leaves an agency, and attaches each share's 95% Wilson interval
and each table's test of independence from `sightline.stats`. The page, the CSV/XLSX/PDF exports and
the CLI all render this one `Dashboard`, so they show the same numbers.

Definitions (docs/reporting.md says the same in plain words):
- a screening counts once, as its current version, in the month of its screening date;
- shares at each level are of the row's screenings; youth counts are distinct youth with a current
  final screening in the period, by the highest level among them;
- follow-up: screenings at a level that calls for it (every level above the lowest) whose screening
  has a completed follow-up action, as of today; time to follow-up is from the screening date to the
  first completed action;
- providers trained: people with an active membership in the scope holding a training record
  current today; training expiring: of those, records ending within `EXPIRING_DAYS`;
- key indicators "present": rated above no concern (possible or clear) in a clear-concern screening.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.conf import settings
from django.db.models import Q, Sum

from sightline import stats
from sightline.catalog import selectors as catalog
from sightline.reporting import coverage as cov
from sightline.reporting import dimensions as dims
from sightline.reporting import rollups
from sightline.reporting.models import (
    Dimension,
    FollowUpRollup,
    IndicatorMeasure,
    IndicatorRollup,
    ScreeningRollup,
    YouthRollup,
)
from sightline.reporting.scope import Period, Scope, agency_facts
from sightline.tenancy.choices import AgencyType, ScreenerRole
from sightline.tenancy.models import TrainingRecord, User
from sightline.youth.choices import GenderIdentity, RaceEthnicity

EXPIRING_DAYS = 90
TOP_INDICATORS = 10
NO_PROGRAM = "(no program)"
SUPPRESSED_TEXT = "suppressed"


@dataclass(frozen=True)
class Cell:
    """One published figure: `count` is None when suppressed; `share` (with its interval) is None when
    the count or its denominator is hidden or there is no denominator."""

    count: int | None
    share: stats.Proportion | None = None

    @property
    def suppressed(self) -> bool:
        return self.count is None


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    cells: tuple[Cell, ...]
    total: Cell
    median_days: stats.Median | None = None


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    group: str  # what the rows are
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    total: Row | None
    unit: str  # what is counted
    share_of: str  # what a share is a share of
    test: stats.IndependenceTest | None = None
    note: str = ""

    @property
    def any_suppressed(self) -> bool:
        rows = [*self.rows, *([self.total] if self.total else [])]
        return any(c.suppressed for r in rows for c in (*r.cells, r.total))


@dataclass(frozen=True)
class Headline:
    label: str
    cell: Cell
    note: str = ""


@dataclass(frozen=True)
class Dashboard:
    scope: Scope
    period: Period
    today: dt.date
    levels: tuple[tuple[str, str], ...]
    headlines: tuple[Headline, ...]
    levels_table: Table  # the share at each level, all screenings
    breakdowns: tuple[Table, ...]  # by group: the same columns, the same totals
    trends: tuple[Table, ...]
    follow_up: Table
    indicators: tuple[Table, ...]
    coverage: Table | None
    suppression: tuple[int, int] | None  # (low, high) when suppressed

    def all_tables(self) -> tuple[Table, ...]:
        found = [
            self.levels_table,
            *self.trends,
            *self.breakdowns,
            self.follow_up,
            *self.indicators,
        ]
        if self.coverage is not None:
            found.append(self.coverage)
        return tuple(found)


# --- labels -------------------------------------------------------------------------------------------


def _labels() -> dict[str, dict[str, str]]:
    return {
        Dimension.GENDER: dict(GenderIdentity.choices),
        Dimension.RACE: {**dict(RaceEthnicity.choices), dims.TWO_OR_MORE: "Two or more"},
        Dimension.SCREENER_ROLE: dict(ScreenerRole.choices),
        Dimension.AGE_BAND: dict(dims.AGE_BANDS),
        Dimension.INSTRUMENT: catalog.instrument_titles(),
        Dimension.PROGRAM: {"": NO_PROGRAM},
        "agency_type": dict(AgencyType.choices),
    }


def _ordered(keys: Iterable[str], labels: dict[str, str], *, by_label: bool = False) -> list[str]:
    """Known keys in their choices' order (or by label), then the rest alphabetically."""
    keys = set(keys)
    order = list(labels)
    if by_label:
        return sorted(keys, key=lambda k: (labels.get(k, k).casefold(), k))
    return [k for k in order if k in keys] + sorted(keys - set(order))


# --- suppression --------------------------------------------------------------------------------------


def _limits() -> tuple[int, int]:
    return int(settings.SIGHTLINE_SUPPRESS_LOW), int(settings.SIGHTLINE_SUPPRESS_HIGH)


def _visible(values: np.ndarray) -> stats.SuppressedTable:
    margins = stats.suppression.with_margins(values)
    return stats.SuppressedTable(margins, np.zeros(margins.shape, dtype=bool))


def _protect_family(
    matrices: Sequence[np.ndarray], *, on: bool, forced_totals: np.ndarray | None = None
) -> list[stats.SuppressedTable]:
    if not on:
        return [_visible(m) for m in matrices]
    low, high = _limits()
    return stats.suppression.suppress_family(
        matrices, low=low, high=high, forced_totals=forced_totals
    )


def _protect_rows(matrix: np.ndarray, *, on: bool) -> stats.SuppressedTable:
    """Rows that add up across their columns only (indicator counts by group, with the "all" count as
    the row total): each row is protected on its own."""
    if not on or matrix.size == 0:
        return _visible(matrix)
    low, high = _limits()
    margins = stats.suppression.with_margins(matrix)
    mask = np.zeros(margins.shape, dtype=bool)
    for i in range(matrix.shape[0]):
        row = stats.suppress(matrix[i : i + 1], low=low, high=high)
        mask[i] = row.suppressed[0]
    return stats.SuppressedTable(margins, mask)


def _protect_cell(value: int, *, on: bool) -> Cell:
    low, high = _limits()
    return Cell(None if on and low <= value <= high else value)


# --- building tables ----------------------------------------------------------------------------------


def _cell(table: stats.SuppressedTable, i: int, j: int, denominator: int | None) -> Cell:
    count = table.cell(i, j)
    if count is None or denominator is None:
        return Cell(count)
    return Cell(count, stats.wilson(count, denominator))


def _level_table(
    key: str,
    title: str,
    group: str,
    rows: list[tuple[str, str]],
    matrix: np.ndarray,
    table: stats.SuppressedTable,
    levels: tuple[tuple[str, str], ...],
    *,
    with_test: bool = True,
) -> Table:
    width = len(levels)

    def row(i: int, row_key: str, label: str) -> Row:
        total = table.cell(i, width)
        return Row(
            row_key,
            label,
            tuple(_cell(table, i, j, total) for j in range(width)),
            Cell(total),
        )

    built = tuple(row(i, k, label) for i, (k, label) in enumerate(rows))
    return Table(
        key=key,
        title=title,
        group=group,
        columns=tuple(label for _code, label in levels),
        rows=built,
        total=row(len(rows), "total", "All screenings"),
        unit="screenings",
        share_of="the row's screenings",
        test=stats.compare_groups(matrix) if with_test and len(rows) > 1 else None,
    )


def _matrix(
    counts: dict[str, dict[str, int]], keys: list[str], levels: tuple[tuple[str, str], ...]
) -> np.ndarray:
    return np.array(
        [[counts.get(k, {}).get(code, 0) for code, _l in levels] for k in keys], dtype=np.int64
    ).reshape(len(keys), len(levels))


def _levels(found: Iterable[str]) -> tuple[tuple[str, str], ...]:
    known = catalog.level_choices()
    codes = {code for code, _label in known}
    return (*known, *((c, c) for c in sorted(set(found) - codes) if c))


def dashboard(*, user: User, scope: Scope, period: Period, today: dt.date) -> Dashboard:
    """Every figure of the scope's dashboard for the period (see the module docstring)."""
    ids = scope.agency_ids
    rollups.catch_up(ids)  # what changes since the last read marked stale is rewritten first
    on = scope.suppressed
    rollup = ScreeningRollup.objects.filter(
        agency_id__in=ids, month__gte=period.start, month__lte=period.end
    )
    by_dimension: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for dimension, value, level, n in (
        rollup.exclude(dimension=Dimension.ALL)
        .values_list("dimension", "value", "level")
        .annotate(n=Sum("screenings"))
        .order_by()
    ):
        by_dimension[dimension][value][level] = int(n)
    per_agency_month: list[tuple[int, dt.date, str, int]] = [
        (a, m, level, int(n))
        for a, m, level, n in rollup.filter(dimension=Dimension.ALL)
        .values_list("agency_id", "month", "level")
        .annotate(n=Sum("screenings"))
        .order_by()
    ]
    levels = _levels(level for *_x, level, _n in per_agency_month)
    labels = _labels()
    facts = agency_facts(ids) if scope.level != "agency" else {}

    def grouped(key_of: Any) -> dict[str, dict[str, int]]:
        counts: dict[str, dict[str, int]] = defaultdict(dict)
        for agency_id, month, level, n in per_agency_month:
            k = key_of(agency_id, month)
            counts[k][level] = counts[k].get(level, 0) + n
        return counts

    # (key, title, group label, counts, row keys with labels)
    specs: list[tuple[str, str, str, dict[str, dict[str, int]], list[tuple[str, str]]]] = []
    monthly = grouped(lambda _a, m: m.isoformat())
    months = [(m.isoformat(), m.strftime("%b %Y")) for m in period.months]
    specs.append(("month", "Screenings by month", "Month", monthly, months))
    if period.kind != "month":
        quarterly = grouped(lambda _a, m: dims.quarter_of(m).isoformat())
        quarters = sorted({dims.quarter_of(m) for m in period.months})
        q_rows = [(q.isoformat(), f"Q{(q.month - 1) // 3 + 1} {q.year}") for q in quarters]
        specs.append(("quarter", "Screenings by quarter", "Quarter", quarterly, q_rows))
    trend_keys = {spec[0] for spec in specs}
    if scope.level == "state":
        by_county = grouped(lambda a, _m: facts[a][2])
        specs.append(
            (
                "county",
                "By county",
                "County",
                by_county,
                [(c, c) for c in sorted(by_county, key=str.casefold)],
            )
        )
    if scope.level != "agency":
        by_type = grouped(lambda a, _m: facts[a][1])
        specs.append(
            (
                "agency_type",
                "By agency type",
                "Agency type",
                by_type,
                [
                    (k, labels["agency_type"].get(k, k))
                    for k in _ordered(by_type, labels["agency_type"])
                ],
            )
        )
        by_agency = grouped(lambda a, _m: str(a))
        names = {str(a): f[0] for a, f in facts.items()}
        specs.append(
            (
                "agency",
                "By agency",
                "Agency",
                by_agency,
                [(k, names.get(k, k)) for k in _ordered(by_agency, names, by_label=True)],
            )
        )
    for dimension, title, by_label in (
        (Dimension.PROGRAM, "By program", True),
        (Dimension.GENDER, "By gender", False),
        (Dimension.AGE_BAND, "By age band (age on the screening date)", False),
        (Dimension.RACE, "By race/ethnicity", False),
        (Dimension.SCREENER_ROLE, "By screener role", False),
        (Dimension.INSTRUMENT, "By instrument", False),
    ):
        counts = by_dimension.get(dimension, {})
        names = labels[dimension]
        keys = _ordered(counts, names, by_label=by_label)
        specs.append(
            (
                str(dimension),
                title,
                Dimension(dimension).label,
                counts,
                [(k, names.get(k, k)) for k in keys],
            )
        )

    matrices = [_matrix(counts, [k for k, _l in rows], levels) for *_h, counts, rows in specs]
    overall = np.array(
        [[sum(n for *_x, level, n in per_agency_month if level == code) for code, _l in levels]],
        dtype=np.int64,
    ).reshape(1, len(levels))

    follow_matrix, follow_rows, follow_medians = _follow_up_counts(scope, period, levels)
    codes = [code for code, _label in levels]
    low, high = _limits()
    forced = np.zeros(len(levels) + 1, dtype=bool)
    while True:
        family = _protect_family([overall, *matrices], on=on, forced_totals=forced)
        margin = family[0].suppressed[-1]
        # The follow-up rows add up to the level totals: hidden there means hidden here ...
        follow_forced = np.zeros((len(follow_rows) + 1, 3), dtype=bool)
        for i, (code, _label) in enumerate(follow_rows):
            follow_forced[i, 2] = margin[codes.index(code)]
        follow = (
            stats.suppress(follow_matrix, low=low, high=high, forced=follow_forced)
            if on
            else _visible(follow_matrix)
        )
        # ... and a level total the follow-up table had to hide is hidden in every table.
        needed = margin.copy()
        for i, (code, _label) in enumerate(follow_rows):
            needed[codes.index(code)] |= bool(follow.suppressed[i, 2])
        if np.array_equal(needed, margin):
            break
        forced = needed

    levels_table = _level_table(
        "levels",
        "Share of screenings at each level of concern",
        "",
        [("all", "All screenings")],
        overall,
        family[0],
        levels,
        with_test=False,
    )
    tables = [
        _level_table(key, title, group, rows, matrix, table, levels)
        for (key, title, group, _c, rows), matrix, table in zip(
            specs, matrices, family[1:], strict=True
        )
    ]
    trends = tuple(t for t in tables if t.key in trend_keys)
    breakdowns = tuple(t for t in tables if t.key not in trend_keys)
    follow_table = _follow_up_table(follow, follow_rows, follow_medians)
    youth_cells = _youth_headlines(scope, period, levels, on=on)
    trained, expiring = _providers(scope, today)
    headlines = (
        Headline("Screenings", Cell(family[0].cell(1, len(levels)))),
        *youth_cells,
        Headline("Providers trained (current today)", _protect_cell(trained, on=on)),
        Headline(
            f"Training expiring within {EXPIRING_DAYS} days",
            _protect_cell(expiring, on=on),
        ),
    )
    return Dashboard(
        scope=scope,
        period=period,
        today=today,
        levels=levels,
        headlines=headlines,
        levels_table=levels_table,
        breakdowns=breakdowns,
        trends=trends,
        follow_up=follow_table,
        indicators=_indicator_tables(scope, period, levels, tables, on=on),
        coverage=_coverage_table(user, scope, period, today, on=on),
        suppression=_limits() if on else None,
    )


# --- follow-up ----------------------------------------------------------------------------------------


def _follow_up_counts(
    scope: Scope, period: Period, levels: tuple[tuple[str, str], ...]
) -> tuple[np.ndarray, list[tuple[str, str]], dict[str, dict[float, int]]]:
    """Per level that calls for follow-up: [followed up, not yet], and {days: screenings}."""
    calling = list(levels[1:])
    done: dict[str, int] = defaultdict(int)
    owed: dict[str, int] = defaultdict(int)
    days: dict[str, dict[float, int]] = defaultdict(lambda: defaultdict(int))
    rows = (
        FollowUpRollup.objects.filter(
            agency_id__in=scope.agency_ids,
            month__gte=period.start,
            month__lte=period.end,
            level__in=[code for code, _l in calling],
        )
        .values_list("level", "followed_up", "days")
        .annotate(n=Sum("screenings"))
        .order_by()
    )
    for level, followed_up, after, n in rows:
        owed[level] += int(n)
        if followed_up:
            done[level] += int(n)
            days[level][float(after)] += int(n)
    matrix = np.array([[done[c], owed[c] - done[c]] for c, _l in calling], dtype=np.int64).reshape(
        len(calling), 2
    )
    return matrix, calling, days


def _follow_up_table(
    table: stats.SuppressedTable,
    rows: list[tuple[str, str]],
    medians: dict[str, dict[float, int]],
) -> Table:
    built = []
    for i, (code, label) in enumerate(rows):
        total = table.cell(i, 2)
        built.append(
            Row(
                code,
                label,
                (_cell(table, i, 0, total), _cell(table, i, 1, total)),
                Cell(total),
                # A median describes the row's screenings: shown only when their count is.
                stats.median(medians.get(code, {})) if total is not None else None,
            )
        )
    return Table(
        key="follow_up",
        title="Follow-up of possible and clear concern",
        group="Level of concern",
        columns=("Followed up", "Not yet followed up"),
        rows=tuple(built),
        total=None,
        unit="screenings",
        share_of="the level's screenings",
        note="Followed up: at least one completed follow-up action, as of today. Days: from the "
        "screening date to the first completed action.",
    )


# --- youth and providers ------------------------------------------------------------------------------


def _youth_headlines(
    scope: Scope, period: Period, levels: tuple[tuple[str, str], ...], *, on: bool
) -> list[Headline]:
    found = dict(
        YouthRollup.objects.filter(
            agency_id__in=scope.agency_ids, period=period.kind, start=period.start
        )
        .values_list("highest_level")
        .annotate(n=Sum("youth"))
        .order_by()
    )
    matrix = np.array([[int(found.get(code, 0)) for code, _l in levels]], dtype=np.int64)
    table = _protect_family([matrix], on=on)[0]
    width = len(levels)
    youth = table.cell(0, width)
    top_label = levels[-1][1]
    return [
        Headline("Youth screened", Cell(youth)),
        Headline(
            f"Youth with {top_label.lower()}",
            _cell(table, 0, width - 1, youth),
            note="by the highest level among their screenings in the period",
        ),
    ]


def _providers(scope: Scope, today: dt.date) -> tuple[int, int]:
    current = TrainingRecord.objects.filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=today),
        Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=today),
        trained_on__lte=today,
        user__is_active=True,
        user__memberships__agency_id__in=scope.agency_ids,
        user__memberships__active=True,
    )
    trained = current.values("user_id").distinct().count()
    soon = today + dt.timedelta(days=EXPIRING_DAYS)
    expiring = current.filter(expires_on__lte=soon).values("user_id").distinct().count()
    return trained, expiring


# --- key indicators -----------------------------------------------------------------------------------


def _indicator_titles() -> dict[str, str]:
    titles: dict[str, str] = {}
    for definition in catalog.current_definitions():
        for indicator in definition.indicators:
            titles.setdefault(indicator.id, indicator.title)
    return titles


def _indicator_tables(
    scope: Scope,
    period: Period,
    levels: tuple[tuple[str, str], ...],
    tables: list[Table],
    *,
    on: bool,
) -> tuple[Table, ...]:
    counts: dict[tuple[str, str], dict[str, dict[str, int]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    for measure, dimension, value, indicator, n in (
        IndicatorRollup.objects.filter(
            agency_id__in=scope.agency_ids, month__gte=period.start, month__lte=period.end
        )
        .values_list("measure", "dimension", "value", "indicator_id")
        .annotate(n=Sum("screenings"))
        .order_by()
    ):
        counts[(measure, dimension)][indicator][value] = int(n)
    titles = _indicator_titles()
    labels = _labels()
    by_key = {t.key: t for t in tables}
    top_label = levels[-1][1].lower()
    present = _indicator_table(
        key="indicators_present",
        title=f"Top {TOP_INDICATORS} key indicators in screenings with {top_label}",
        groups_table=by_key.get(Dimension.GENDER),
        all_counts=counts[(IndicatorMeasure.PRESENT_AT_CLEAR, Dimension.ALL)],
        group_counts=counts[(IndicatorMeasure.PRESENT_AT_CLEAR, Dimension.GENDER)],
        group_labels=labels[Dimension.GENDER],
        denominator_column=len(levels) - 1,
        limit=TOP_INDICATORS,
        titles=titles,
        share_of=f"screenings with {top_label} in the column's group",
        note="Present: rated possible or clear concern.",
        on=on,
    )
    missing = _indicator_table(
        key="indicators_nei",
        title="Key indicators rated 'not enough information', by screener role",
        groups_table=by_key.get(Dimension.SCREENER_ROLE),
        all_counts=counts[(IndicatorMeasure.NOT_ENOUGH_INFORMATION, Dimension.ALL)],
        group_counts=counts[(IndicatorMeasure.NOT_ENOUGH_INFORMATION, Dimension.SCREENER_ROLE)],
        group_labels=labels[Dimension.SCREENER_ROLE],
        denominator_column=None,
        limit=None,
        titles=titles,
        share_of="all screenings by screeners in the column's role",
        note="Where information is missing: a high share says screeners in that role often "
        "cannot know about the area.",
        on=on,
    )
    return (present, missing)


def _indicator_table(
    *,
    key: str,
    title: str,
    groups_table: Table | None,
    all_counts: dict[str, dict[str, int]],
    group_counts: dict[str, dict[str, int]],
    group_labels: dict[str, str],
    denominator_column: int | None,
    limit: int | None,
    titles: dict[str, str],
    share_of: str,
    note: str,
    on: bool,
) -> Table:
    ranked = sorted(all_counts, key=lambda i: (-all_counts[i].get("", 0), titles.get(i, i)))
    if limit is not None:
        ranked = ranked[:limit]
    groups = _ordered({v for i in ranked for v in group_counts.get(i, {})}, group_labels)
    matrix = np.array(
        [[group_counts.get(i, {}).get(g, 0) for g in groups] for i in ranked], dtype=np.int64
    ).reshape(len(ranked), len(groups))
    table = _protect_rows(matrix, on=on)

    def denominator(row: Row | None) -> int | None:
        if row is None:
            return None
        cell = row.total if denominator_column is None else row.cells[denominator_column]
        return cell.count

    group_rows = {r.key: r for r in groups_table.rows} if groups_table else {}
    denominators = [denominator(group_rows.get(g)) for g in groups]
    overall = denominator(groups_table.total if groups_table else None)
    rows = []
    for i, indicator in enumerate(ranked):
        cells = tuple(_cell(table, i, j, denominators[j]) for j in range(len(groups)))
        rows.append(
            Row(
                indicator,
                titles.get(indicator, indicator),
                cells,
                _cell(table, i, len(groups), overall),
            )
        )
    return Table(
        key=key,
        title=title,
        group="Key indicator",
        columns=tuple(group_labels.get(g, g) for g in groups),
        rows=tuple(rows),
        total=None,
        unit="screenings",
        share_of=share_of,
        note=note,
    )


# --- schedule coverage --------------------------------------------------------------------------------


def _coverage_table(
    user: User, scope: Scope, period: Period, today: dt.date, *, on: bool
) -> Table | None:
    if period.start >= today:
        return None
    report = cov.coverage(
        user=user,
        start=period.start,
        end=period.end,
        today=today,
        group_by="agency",
        agency_ids=scope.agency_ids,
    )
    total = report.total
    matrix = np.array(
        [
            [total.first_on_time, total.first_due - total.first_on_time],
            [total.rescreens_on_time, total.rescreens_due - total.rescreens_on_time],
        ],
        dtype=np.int64,
    )
    table = _protect_family([matrix], on=on)[0]
    rows = []
    for i, label in enumerate(("First screenings", "Rescreens")):
        due = table.cell(i, 2)
        rows.append(
            Row(
                ("first", "rescreen")[i],
                label,
                (_cell(table, i, 0, due), _cell(table, i, 1, due)),
                Cell(due),
            )
        )
    return Table(
        key="coverage",
        title="Schedule coverage",
        group="Screenings due in the period",
        columns=("On time", "Late or not yet done"),
        rows=tuple(rows),
        total=None,
        unit="screenings due",
        share_of="the screenings due",
        note="Due dates in the period that have passed (see the coverage page for details).",
    )
