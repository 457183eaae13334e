"""The one query layer of the reports: every figure of a dashboard, computed once.

`dashboard(user=, scope=, period=, today=)` reads the rollups (and, for what the rollups do not hold,
a few small live queries: follow-ups, training, schedule coverage), builds every table, applies
small-cell suppression when the scope leaves an agency (a county or state report together with the
others of its region, `reporting.suppressing`), and attaches each share's 95% Wilson interval
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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import connection, transaction
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
from sightline.reporting.scope import Period, Scope, agency_facts, region
from sightline.reporting.suppressing import (
    COVERAGE,
    FOLLOW_UP,
    YOUTH,
    IndicatorCounts,
    Protected,
    Raw,
    Spec,
    limits,
    protect,
    protect_region,
)
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


# --- loading: once per region, per county -------------------------------------------------------------


Rows = dict[int, list[tuple[Any, ...]]]  # county (or agency) id -> rows


@dataclass(frozen=True)
class _Counts:
    """What the rollups hold for the period, added up per county in the database (per agency for the
    agency rows and coverage): loaded once, then added up for every scope of the region (the state
    and each county), so suppressing them together costs no more queries."""

    by_dimension: Rows  # county -> (dimension, value, level, n)
    per_agency_month: Rows  # agency -> (month, level, n)
    follow: Rows  # county -> (level, followed up, days, n)
    youth: Rows  # county -> (highest level, n)
    indicators: Rows  # county -> (measure, dimension, value, indicator id, n)
    coverage: dict[int, tuple[int, int, int, int]] | None  # agency -> first due/on time, rescreens
    facts: dict[int, tuple[str, str, str, int]]  # agency -> name, type, county name, county id

    def counties(self, scope: Scope) -> list[int]:
        return sorted({self.facts[a][3] for a in scope.agency_ids if a in self.facts})


def _of(rows: Rows, keys: Iterable[int]) -> Iterator[tuple[Any, ...]]:
    """The rows of the given counties (or agencies), in their order."""
    for key in keys:
        yield from rows.get(key, ())


def _keyed(rows: Iterable[tuple[Any, ...]]) -> Rows:
    """Rows whose first value is a county or agency id, by that id (the sum column made an int)."""
    found: Rows = defaultdict(list)
    for key, *rest, n in rows:
        found[key].append((*rest, int(n)))
    return found


# Grouping a state's key-indicator rollups by county is a hash aggregate of some 25,000 groups over
# ~400,000 rows (58 counties, 600,000 screenings a year): at PostgreSQL's default 4 MB it spills to
# disk and takes 5x longer (630 ms against 125 ms).
REPORT_WORK_MEM = "64MB"


def _load(user: User, ids: tuple[int, ...], period: Period, today: dt.date) -> _Counts:
    if connection.vendor != "postgresql":
        return _read(user, ids, period, today)
    # SET LOCAL lasts to the end of the transaction: the request's, or this one.
    with transaction.atomic(savepoint=False):
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('work_mem', %s, true)", [REPORT_WORK_MEM])
        return _read(user, ids, period, today)


def _read(user: User, ids: tuple[int, ...], period: Period, today: dt.date) -> _Counts:
    in_period = {"agency_id__in": ids, "month__gte": period.start, "month__lte": period.end}
    rollup = ScreeningRollup.objects.filter(**in_period)
    county = "agency__county_id"
    by_dimension = _keyed(
        rollup.exclude(dimension=Dimension.ALL)
        .values_list(county, "dimension", "value", "level")
        .annotate(n=Sum("screenings"))
        .order_by()
    )
    per_agency_month = _keyed(
        rollup.filter(dimension=Dimension.ALL)
        .values_list("agency_id", "month", "level")
        .annotate(n=Sum("screenings"))
        .order_by()
    )
    follow = _keyed(
        FollowUpRollup.objects.filter(**in_period)
        .values_list(county, "level", "followed_up", "days")
        .annotate(n=Sum("screenings"))
        .order_by()
    )
    youth = _keyed(
        YouthRollup.objects.filter(agency_id__in=ids, period=period.kind, start=period.start)
        .values_list(county, "highest_level")
        .annotate(n=Sum("youth"))
        .order_by()
    )
    # Only the (measure, dimension) pairs the tables show: this also lets PostgreSQL read them by the
    # (measure, month) index rather than by agency (a third of the time at 58 counties).
    shown = Q()
    for _key, measure, dimension, _limit in _INDICATOR_TABLES:
        shown |= Q(measure=measure, dimension__in=[Dimension.ALL, dimension])
    indicators = _keyed(
        IndicatorRollup.objects.filter(shown, **in_period)
        .values_list(county, "measure", "dimension", "value", "indicator_id")
        .annotate(n=Sum("screenings"))
        .order_by()
    )
    coverage = None
    if period.start < today:
        report = cov.coverage(
            user=user,
            start=period.start,
            end=period.end,
            today=today,
            group_by="agency",
            agency_ids=ids,
        )
        coverage = {
            int(row.key[0]): (
                row.first_due,
                row.first_on_time,
                row.rescreens_due,
                row.rescreens_on_time,
            )
            for row in report.rows
        }
    return _Counts(
        by_dimension,
        per_agency_month,
        follow,
        youth,
        indicators,
        coverage,
        agency_facts(ids),
    )


# --- one scope's figures, before suppression ----------------------------------------------------------


def _raw(counts: _Counts, scope: Scope, period: Period, levels: tuple[tuple[str, str], ...]) -> Raw:
    mine = set(scope.agency_ids)
    counties = counts.counties(scope)
    labels = _labels()
    facts = counts.facts
    per_agency_month = [
        (a, *row) for a in sorted(mine) for row in counts.per_agency_month.get(a, ())
    ]

    def grouped(key_of: Any) -> dict[str, dict[str, int]]:
        found: dict[str, dict[str, int]] = defaultdict(dict)
        for agency_id, month, level, n in per_agency_month:
            k = key_of(agency_id, month)
            found[k][level] = found[k].get(level, 0) + n
        return found

    specs: list[Spec] = []
    monthly = grouped(lambda _a, m: m.isoformat())
    months = [(m.isoformat(), m.strftime("%b %Y")) for m in period.months]
    specs.append(("month", "Screenings by month", "Month", monthly, months))
    if period.kind != "month":
        quarterly = grouped(lambda _a, m: dims.quarter_of(m).isoformat())
        quarters = sorted({dims.quarter_of(m) for m in period.months})
        q_rows = [(q.isoformat(), f"Q{(q.month - 1) // 3 + 1} {q.year}") for q in quarters]
        specs.append(("quarter", "Screenings by quarter", "Quarter", quarterly, q_rows))
    if scope.level == "state":
        by_county = grouped(lambda a, _m: facts[a][2])
        rows = [(c, c) for c in sorted(by_county, key=str.casefold)]
        specs.append(("county", "By county", "County", by_county, rows))
    if scope.level != "agency":
        by_type = grouped(lambda a, _m: facts[a][1])
        type_rows = [
            (k, labels["agency_type"].get(k, k)) for k in _ordered(by_type, labels["agency_type"])
        ]
        specs.append(("agency_type", "By agency type", "Agency type", by_type, type_rows))
        by_agency = grouped(lambda a, _m: str(a))
        names = {str(a): facts[a][0] for a in mine if a in facts}
        agency_rows = [(k, names.get(k, k)) for k in _ordered(by_agency, names, by_label=True)]
        specs.append(("agency", "By agency", "Agency", by_agency, agency_rows))
    by_dimension: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for dimension, value, level, n in _of(counts.by_dimension, counties):
        cell = by_dimension[dimension][value]
        cell[level] = cell.get(level, 0) + n
    for dimension, title, by_label in (
        (Dimension.PROGRAM, "By program", True),
        (Dimension.GENDER, "By gender", False),
        (Dimension.AGE_BAND, "By age band (age on the screening date)", False),
        (Dimension.RACE, "By race/ethnicity", False),
        (Dimension.SCREENER_ROLE, "By screener role", False),
        (Dimension.INSTRUMENT, "By instrument", False),
    ):
        found = by_dimension.get(dimension, {})
        names = labels[dimension]
        keys = _ordered(found, names, by_label=by_label)
        specs.append(
            (
                str(dimension),
                title,
                Dimension(dimension).label,
                found,
                [(k, names.get(k, k)) for k in keys],
            )
        )
    matrices = [_matrix(found, [k for k, _l in rows], levels) for *_h, found, rows in specs]
    overall = np.array(
        [[sum(n for *_x, level, n in per_agency_month if level == code) for code, _l in levels]],
        dtype=np.int64,
    ).reshape(1, len(levels))
    follow, follow_rows, follow_days = _follow_up_counts(counts, counties, levels)
    youth_by_level: dict[str, int] = defaultdict(int)
    for level, n in _of(counts.youth, counties):
        youth_by_level[level] += n
    youth = np.array([[youth_by_level.get(code, 0) for code, _l in levels]], dtype=np.int64)
    coverage = None
    if counts.coverage is not None:
        due = [counts.coverage[a] for a in sorted(mine) if a in counts.coverage]
        first_due, first_on, again_due, again_on = (
            int(n) for n in np.array(due, dtype=np.int64).reshape(-1, 4).sum(axis=0)
        )
        coverage = np.array(
            [[first_on, first_due - first_on], [again_on, again_due - again_on]], dtype=np.int64
        )
    return Raw(
        scope=scope,
        levels=levels,
        specs=specs,
        overall=overall,
        matrices=matrices,
        follow=follow,
        follow_rows=follow_rows,
        follow_days=follow_days,
        youth=youth,
        indicators=_indicator_counts(counts, counties),
        coverage=coverage,
    )


def _protect_cell(value: int, *, on: bool) -> Cell:
    low, high = limits()
    return Cell(None if on and low <= value <= high else value)


# --- the dashboard ------------------------------------------------------------------------------------


def dashboard(*, user: User, scope: Scope, period: Period, today: dt.date) -> Dashboard:
    """Every figure of the scope's dashboard for the period (see the module docstring). A county or
    state dashboard is suppressed together with the rest of its region (`reporting.suppressing`)."""
    members = [scope]
    if scope.suppressed:
        state, counties = region(user, scope)
        members = [state, *counties]
    ids = tuple(sorted({a for member in members for a in member.agency_ids}))
    rollups.catch_up(ids)  # what changes since the last read marked stale is rewritten first
    counts = _load(user, ids, period, today)
    levels = _levels(row[1] for rows in counts.per_agency_month.values() for row in rows)
    raws = [_raw(counts, member, period, levels) for member in members]
    if scope.suppressed:
        names = [counts.facts[member.agency_ids[0]][2] for member in members[1:]]
        found = protect_region(raws[0], raws[1:], names)
        at = [(m.level, m.key) for m in members].index((scope.level, scope.key))
        raw, tables = raws[at], found[at]
    else:
        raw = raws[0]
        tables = protect(raw, {}, on=False)
    return _build(scope, raw, tables, period, today)


def _build(
    scope: Scope, raw: Raw, protected: Protected, period: Period, today: dt.date
) -> Dashboard:
    on = scope.suppressed
    levels = raw.levels
    trend_keys = {"month", "quarter"}
    levels_table = _level_table(
        "levels",
        "Share of screenings at each level of concern",
        "",
        [("all", "All screenings")],
        raw.overall,
        protected["levels"],
        levels,
        with_test=False,
    )
    tables = [
        _level_table(key, title, group, rows, matrix, protected[key], levels)
        for (key, title, group, _c, rows), matrix in zip(raw.specs, raw.matrices, strict=True)
    ]
    trends = tuple(t for t in tables if t.key in trend_keys)
    breakdowns = tuple(t for t in tables if t.key not in trend_keys)
    youth = protected[YOUTH]
    width = len(levels)
    youth_count = youth.cell(0, width)
    trained, expiring = _providers(scope, today)
    headlines = (
        Headline("Screenings", Cell(protected["levels"].cell(1, width))),
        Headline("Youth screened", Cell(youth_count)),
        Headline(
            f"Youth with {levels[-1][1].lower()}",
            _cell(youth, 0, width - 1, youth_count),
            note="by the highest level among their screenings in the period",
        ),
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
        follow_up=_follow_up_table(protected[FOLLOW_UP], raw.follow_rows, raw.follow_days),
        indicators=_indicator_tables(raw, protected, tables),
        coverage=_coverage_table(protected.get(COVERAGE)),
        suppression=limits() if on else None,
    )


# --- follow-up ----------------------------------------------------------------------------------------


def _follow_up_counts(
    counts: _Counts, counties: list[int], levels: tuple[tuple[str, str], ...]
) -> tuple[np.ndarray, list[tuple[str, str]], dict[str, dict[float, int]]]:
    """Per level that calls for follow-up: [followed up, not yet], and {days: screenings}."""
    calling = list(levels[1:])
    wanted = {code for code, _l in calling}
    done: dict[str, int] = defaultdict(int)
    owed: dict[str, int] = defaultdict(int)
    days: dict[str, dict[float, int]] = defaultdict(lambda: defaultdict(int))
    for level, followed_up, after, n in _of(counts.follow, counties):
        if level not in wanted:
            continue
        owed[level] += n
        if followed_up:
            done[level] += n
            days[level][float(after)] += n
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


# --- providers ---------------------------------------------------------------------------------------


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


# (table key, measure, group dimension, top N or None)
_INDICATOR_TABLES = (
    ("indicators_present", IndicatorMeasure.PRESENT_AT_CLEAR, Dimension.GENDER, TOP_INDICATORS),
    ("indicators_nei", IndicatorMeasure.NOT_ENOUGH_INFORMATION, Dimension.SCREENER_ROLE, None),
)


def _indicator_counts(counts: _Counts, counties: list[int]) -> tuple[IndicatorCounts, ...]:
    found: dict[tuple[str, str], dict[str, dict[str, int]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(int))
    )
    for measure, dimension, value, indicator, n in _of(counts.indicators, counties):
        found[(measure, dimension)][indicator][value] += n
    titles = _indicator_titles()
    labels = _labels()
    built = []
    for key, measure, dimension, limit in _INDICATOR_TABLES:
        all_counts = found[(measure, Dimension.ALL)]
        group_counts = found[(measure, dimension)]
        ranked = sorted(all_counts, key=lambda i: (-all_counts[i].get("", 0), titles.get(i, i)))
        complete = limit is None or len(ranked) <= limit
        if limit is not None:
            ranked = ranked[:limit]
        groups = _ordered({v for i in ranked for v in group_counts.get(i, {})}, labels[dimension])
        matrix = np.array(
            [[group_counts.get(i, {}).get(g, 0) for g in groups] for i in ranked], dtype=np.int64
        ).reshape(len(ranked), len(groups))
        built.append(IndicatorCounts(key, ranked, groups, matrix, complete))
    return tuple(built)


def _indicator_tables(raw: Raw, protected: Protected, tables: list[Table]) -> tuple[Table, ...]:
    titles = _indicator_titles()
    labels = _labels()
    by_key = {t.key: t for t in tables}
    top_label = raw.levels[-1][1].lower()
    present, missing = raw.indicators
    return (
        _indicator_table(
            present,
            protected[present.key],
            title=f"Top {TOP_INDICATORS} key indicators in screenings with {top_label}",
            groups_table=by_key.get(Dimension.GENDER),
            group_labels=labels[Dimension.GENDER],
            denominator_column=len(raw.levels) - 1,
            titles=titles,
            share_of=f"screenings with {top_label} in the column's group",
            note="Present: rated possible or clear concern.",
        ),
        _indicator_table(
            missing,
            protected[missing.key],
            title="Key indicators rated 'not enough information', by screener role",
            groups_table=by_key.get(Dimension.SCREENER_ROLE),
            group_labels=labels[Dimension.SCREENER_ROLE],
            denominator_column=None,
            titles=titles,
            share_of="all screenings by screeners in the column's role",
            note="Where information is missing: a high share says screeners in that role often "
            "cannot know about the area.",
        ),
    )


def _indicator_table(
    counts: IndicatorCounts,
    table: stats.SuppressedTable,
    *,
    title: str,
    groups_table: Table | None,
    group_labels: dict[str, str],
    denominator_column: int | None,
    titles: dict[str, str],
    share_of: str,
    note: str,
) -> Table:
    groups = counts.groups

    def denominator(row: Row | None) -> int | None:
        if row is None:
            return None
        cell = row.total if denominator_column is None else row.cells[denominator_column]
        return cell.count

    group_rows = {r.key: r for r in groups_table.rows} if groups_table else {}
    denominators = [denominator(group_rows.get(g)) for g in groups]
    overall = denominator(groups_table.total if groups_table else None)
    rows = []
    for i, indicator in enumerate(counts.ranked):
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
        key=counts.key,
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


def _coverage_table(table: stats.SuppressedTable | None) -> Table | None:
    if table is None:
        return None
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
