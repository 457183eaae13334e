"""Suppression of a scope's figures, and of a region's figures together.

A county report and the state report beside it publish the same screenings twice: the state's row for
a county is the county's "all screenings" row, its row for an agency is the county report's row for
that agency, and every other state figure is the sum of the same figure of each county. Suppressed
one by one, a cell hidden in one report could be read off the other (the state cell minus the other
counties' published cells). `protect_region` suppresses the state and its counties together: each
scope's tables as before (`protect`: the family of breakdowns sharing their totals, follow-up linked
to the level totals, key-indicator rows, youth and coverage), then, for every relation "state figure
= sum of the county figures" whose cells are all published or hidden, no hidden cell may be alone
(`stats.suppression.lone_cells`); what that forces is suppressed again, until nothing changes.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from dataclasses import dataclass
from typing import cast

import numpy as np
from django.conf import settings

from sightline import stats
from sightline.reporting.scope import Scope

# --- suppression --------------------------------------------------------------------------------------


def limits() -> tuple[int, int]:
    return int(settings.SIGHTLINE_SUPPRESS_LOW), int(settings.SIGHTLINE_SUPPRESS_HIGH)


def visible(values: np.ndarray) -> stats.SuppressedTable:
    margins = stats.suppression.with_margins(values)
    return stats.SuppressedTable(margins, np.zeros(margins.shape, dtype=bool))


Spec = tuple[str, str, str, dict[str, dict[str, int]], list[tuple[str, str]]]


@dataclass(frozen=True)
class IndicatorCounts:
    """A key-indicator table before suppression: indicators by group, rows protected one by one."""

    key: str
    ranked: list[str]  # the indicators shown, in order
    groups: list[str]  # the columns
    matrix: np.ndarray
    complete: bool  # every indicator with a count is a row (no top-N cut)


@dataclass(frozen=True)
class Raw:
    """One scope's figures before suppression: every table as inner counts with its row and column
    keys, which is what suppressing the scope, and relating it to the others of its region, needs."""

    scope: Scope
    levels: tuple[tuple[str, str], ...]
    # The family's tables after the levels table: (key, title, group, counts, rows).
    specs: list[Spec]
    overall: np.ndarray  # 1 x levels: the "all screenings" row every family table adds up to
    matrices: list[np.ndarray]  # one per spec
    follow: np.ndarray  # per level that calls for follow-up: [followed up, not yet]
    follow_rows: list[tuple[str, str]]
    follow_days: dict[str, dict[float, int]]
    youth: np.ndarray  # 1 x levels: youth by their highest level
    indicators: tuple[IndicatorCounts, ...]
    coverage: np.ndarray | None  # [[first on time, late], [rescreens on time, late]]

    def family(self) -> list[tuple[str, list[str], np.ndarray]]:
        """(table key, row keys, inner counts) of the tables that share the "all screenings" row."""
        return [
            ("levels", ["all"], self.overall),
            *(
                (spec[0], [k for k, _l in spec[4]], matrix)
                for spec, matrix in zip(self.specs, self.matrices, strict=True)
            ),
        ]


# --- one scope's suppression --------------------------------------------------------------------------

Protected = dict[str, stats.SuppressedTable]  # table key -> counts with margins and hidden cells
YOUTH = "youth"
FOLLOW_UP = "follow_up"
COVERAGE = "coverage"


def protect(raw: Raw, forced: dict[str, np.ndarray], *, on: bool) -> Protected:
    """Suppress every table of one scope; `forced` (table key -> mask with margins) holds the cells
    that related tables (the same figure in the region's other reports) had to hide."""
    family = raw.family()
    if not on:
        found: Protected = {key: visible(matrix) for key, _rows, matrix in family}
        found[FOLLOW_UP] = visible(raw.follow)
        found[YOUTH] = visible(raw.youth)
        found.update((i.key, visible(i.matrix)) for i in raw.indicators)
        if raw.coverage is not None:
            found[COVERAGE] = visible(raw.coverage)
        return found
    low, high = limits()
    codes = [code for code, _label in raw.levels]
    masks = [forced.get(key) for key, _rows, _m in family]
    totals = np.zeros(len(raw.levels) + 1, dtype=bool)
    while True:
        tables = stats.suppression.suppress_family(
            [matrix for *_k, matrix in family],
            low=low,
            high=high,
            forced_totals=totals,
            forced=masks,
        )
        margin = tables[0].suppressed[-1]
        # The follow-up rows add up to the level totals: hidden there means hidden here ...
        follow_forced = np.zeros((len(raw.follow_rows) + 1, 3), dtype=bool)
        if FOLLOW_UP in forced:
            follow_forced |= forced[FOLLOW_UP]
        for i, (code, _label) in enumerate(raw.follow_rows):
            follow_forced[i, 2] |= margin[codes.index(code)]
        follow = stats.suppress(raw.follow, low=low, high=high, forced=follow_forced)
        # ... and a level total the follow-up table had to hide is hidden in every table.
        needed = margin.copy()
        for i, (code, _label) in enumerate(raw.follow_rows):
            needed[codes.index(code)] |= bool(follow.suppressed[i, 2])
        if np.array_equal(needed, margin):
            break
        totals = needed
    found = {key: table for (key, _r, _m), table in zip(family, tables, strict=True)}
    found[FOLLOW_UP] = follow
    found[YOUTH] = stats.suppression.suppress_family(
        [raw.youth], low=low, high=high, forced=[forced.get(YOUTH)]
    )[0]
    for counts in raw.indicators:
        found[counts.key] = _protect_rows(counts.matrix, forced.get(counts.key))
    if raw.coverage is not None:
        found[COVERAGE] = stats.suppression.suppress_family(
            [raw.coverage], low=low, high=high, forced=[forced.get(COVERAGE)]
        )[0]
    return found


def _protect_rows(matrix: np.ndarray, forced: np.ndarray | None) -> stats.SuppressedTable:
    """Rows that add up across their columns only (indicator counts by group, with the "all" count as
    the row total): each row is protected on its own."""
    if matrix.size == 0:
        return visible(matrix)
    low, high = limits()
    margins = stats.suppression.with_margins(matrix)
    mask = np.zeros(margins.shape, dtype=bool)
    small = ((margins >= low) & (margins <= high)).any(axis=1)
    for i in range(matrix.shape[0]):
        row_forced = None
        if forced is not None and forced[i].any():
            row_forced = np.zeros((2, margins.shape[1]), dtype=bool)
            row_forced[0] = forced[i]
        elif not small[i]:
            continue  # nothing to hide in this row
        row = stats.suppress(matrix[i : i + 1], low=low, high=high, forced=row_forced)
        mask[i] = row.suppressed[0]
    return stats.SuppressedTable(margins, mask)


# --- a region together --------------------------------------------------------------------------------

TOTAL = "*total*"  # the key of a table's margin row or column
Ref = tuple[int, str, int, int]  # (scope index in the region, table key, row, column)


@dataclass(frozen=True)
class _Grid:
    """A table's layout seen from outside: its row and column keys (margins last, as TOTAL), which
    cells are published at all, and whether a missing row means zero (not "not among the top N").
    It follows from the counts alone, not from what suppression hides."""

    rows: dict[str, int]
    columns: dict[str, int]
    published: np.ndarray
    complete: bool = True


def _grid(
    rows: list[str], columns: list[str], *, totals_row: bool = True, complete: bool = True
) -> _Grid:
    published = np.ones((len(rows) + 1, len(columns) + 1), dtype=bool)
    if not totals_row:
        published[-1] = False  # the table publishes no column totals
    return _Grid(
        {k: i for i, k in enumerate([*rows, TOTAL])},
        {k: i for i, k in enumerate([*columns, TOTAL])},
        published,
        complete,
    )


def _grids(raw: Raw) -> dict[str, _Grid]:
    codes = [code for code, _label in raw.levels]
    found = {key: _grid(rows, codes) for key, rows, _matrix in raw.family()}
    found[FOLLOW_UP] = _grid(
        [code for code, _l in raw.follow_rows], ["followed_up", "not_yet"], totals_row=False
    )
    youth = _grid(["all"], codes)
    youth.published[:] = False
    youth.published[0, -2:] = True  # the headlines: youth at the highest level, and all youth
    found[YOUTH] = youth
    for counts in raw.indicators:
        found[counts.key] = _grid(
            counts.ranked, counts.groups, totals_row=False, complete=counts.complete
        )
    if raw.coverage is not None:
        found[COVERAGE] = _grid(["first", "rescreen"], ["on_time", "late"], totals_row=False)
    return found


ZERO = -1  # a county without the row or column: the attacker knows it is zero there
UNSEEN = -2  # a row cut from a county's top-N list: not known, so the sum is no equation


@dataclass(frozen=True)
class _Part:
    scope: int
    key: str
    rows: np.ndarray  # state row -> the part's row, or ZERO / UNSEEN
    columns: np.ndarray  # state column -> the part's column, or ZERO


@dataclass(frozen=True)
class _Sums:
    """Every relation "state cell = sum of the county cells" of one state table, aligned once (the
    rows and columns of each report are fixed by its counts, not by what suppression hides)."""

    key: str
    equations: np.ndarray  # state cells whose relation the attacker can write from published cells
    parts: list[_Part]


def _align(keys: dict[str, int], other: dict[str, int], *, complete: bool) -> np.ndarray:
    missing = ZERO if complete else UNSEEN
    return np.array([other.get(k, missing) for k in keys], dtype=np.int64)


def _sums(grids: list[dict[str, _Grid]], county_of_row: dict[str, int]) -> list[_Sums]:
    found = []
    for key, grid in grids[0].items():
        equations = grid.published.copy()
        parts = []
        if key == "county":
            # The state's row for a county is that county's "all screenings" row (the levels
            # table's totals); the state's own totals row is the levels table's, related there.
            equations[grid.rows[TOTAL]] = False
            for row, i in grid.rows.items():
                if row == TOTAL:
                    continue
                s = county_of_row[row]
                levels = grids[s]["levels"]
                rows = np.full(len(grid.rows), ZERO, dtype=np.int64)
                rows[i] = levels.rows[TOTAL]
                parts.append(
                    _Part(s, "levels", rows, _align(grid.columns, levels.columns, complete=True))
                )
        else:
            for s in range(1, len(grids)):
                part = grids[s].get(key)
                if part is None:  # a table only the state has: no sum
                    equations[:] = False
                    break
                rows = _align(grid.rows, part.rows, complete=part.complete)
                columns = _align(grid.columns, part.columns, complete=True)
                parts.append(_Part(s, key, rows, columns))
                equations[rows == UNSEEN] = False
                inside = np.ix_(rows >= 0, columns >= 0)
                seen = part.published[np.ix_(rows[rows >= 0], columns[columns >= 0])]
                equations[inside] &= seen  # a part that is not published makes no equation
        found.append(_Sums(key, equations, parts))
    return found


def _lone_lines(
    sums: list[_Sums], protected: list[Protected]
) -> Iterator[list[tuple[Hashable, int, bool]]]:
    """The relations in which exactly one cell is hidden, as (cell, value, hidden) lists."""
    for relation in sums:
        state = protected[0][relation.key]
        hidden = state.suppressed.astype(np.int64)
        for part in relation.parts:
            table = protected[part.scope][part.key]
            rows, columns = np.clip(part.rows, 0, None), np.clip(part.columns, 0, None)
            present = (part.rows >= 0)[:, None] & (part.columns >= 0)[None, :]
            hidden += table.suppressed[np.ix_(rows, columns)] & present
        for i, j in zip(*np.nonzero(relation.equations & (hidden == 1)), strict=True):
            line = [_entry(protected, (0, relation.key, int(i), int(j)))]
            for part in relation.parts:
                pi, pj = int(part.rows[i]), int(part.columns[j])
                if pi >= 0 and pj >= 0:
                    line.append(_entry(protected, (part.scope, part.key, pi, pj)))
            yield line


def _entry(protected: list[Protected], ref: Ref) -> tuple[Hashable, int, bool]:
    scope, key, i, j = ref
    table = protected[scope][key]
    return ref, int(table.values[i, j]), bool(table.suppressed[i, j])


def protect_region(state: Raw, counties: list[Raw], county_names: list[str]) -> list[Protected]:
    """Suppress a state report and each of its county reports together (see the module docstring);
    returns each scope's protected tables, the state first. `county_names` are the state's row keys
    for the counties, in the order of `counties`."""
    raws = [state, *counties]
    county_of_row = {name: s for s, name in enumerate(county_names, start=1)}
    forced: list[dict[str, np.ndarray]] = [{} for _raw in raws]
    protected = [protect(raw, {}, on=True) for raw in raws]
    sums = _sums([_grids(raw) for raw in raws], county_of_row)
    while True:
        more = stats.suppression.lone_cells(_lone_lines(sums, protected))
        if not more:
            return protected
        changed = set()
        for ref in more:
            s, key, i, j = cast(Ref, ref)
            shape = protected[s][key].values.shape
            forced[s].setdefault(key, np.zeros(shape, dtype=bool))[i, j] = True
            changed.add(s)
        for s in changed:
            protected[s] = protect(raws[s], forced[s], on=True)
