"""The attacker's notes on a state dashboard and its county dashboards: every published figure with
the relations a reader can write between them (each table's margins, the totals the tables share,
and "state figure = sum of the county figures"), for `tests.stats.attack.recoverable`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sightline.reporting import figures
from sightline.reporting.scope import Period, region, resolve
from sightline.tenancy.models import User


def published_region(
    boards: dict[str, figures.Dashboard],
) -> tuple[dict[str, list[list[int | None]]], dict[Any, Any], list[Any], set[str], set[Any]]:
    """Every published figure of a state dashboard (named "state") and its county dashboards, as the
    attacker writes them down: tables, shared cells, sums across the levels, row-only tables, and
    the cells that are simply not published (not suppressed)."""
    tables: dict[str, list[list[int | None]]] = {}
    same: dict[Any, Any] = {}
    rows_only: set[str] = set()
    unpublished: set[Any] = set()
    keys: dict[str, list[str]] = {}  # table name -> row keys (the margin row as "total")
    columns: dict[str, list[str]] = {}
    for board_name, board in boards.items():
        codes = [code for code, _label in board.levels]
        levels = f"{board_name}:levels"
        for table in (board.levels_table, *board.trends, *board.breakdowns):
            name = f"{board_name}:{table.key}"
            assert table.total is not None
            lines = (*table.rows, table.total)
            tables[name] = [[c.count for c in (*r.cells, r.total)] for r in lines]
            keys[name] = [*(r.key for r in table.rows), "total"]
            columns[name] = [*table.columns, "total"]
            if table.key != "levels":
                for j in range(len(codes) + 1):
                    same[(name, len(table.rows), j)] = (levels, 1, j)
        row_tables = [board.follow_up, *board.indicators]
        if board.coverage is not None:
            row_tables.append(board.coverage)
        for table in row_tables:
            name = f"{board_name}:{table.key}"
            tables[name] = [[c.count for c in (*r.cells, r.total)] for r in table.rows]
            keys[name] = [r.key for r in table.rows]
            columns[name] = [*table.columns, "total"]
            rows_only.add(name)
        follow = f"{board_name}:follow_up"
        for i, row in enumerate(board.follow_up.rows):
            same[(follow, i, 2)] = (levels, 1, codes.index(row.key))
        youth, top = board.headlines[1].cell.count, board.headlines[2].cell.count
        name = f"{board_name}:youth"
        tables[name] = [[None, top, youth]]  # the other levels' youth are not published
        keys[name], columns[name] = ["all"], ["rest", "top", "total"]
        rows_only.add(name)
        unpublished.add((name, 0, 0))
    sums: list[Any] = []
    counties = [name for name in boards if name != "state"]
    for name in [n for n in tables if n.startswith("state:")]:
        key = name.split(":", 1)[1]
        for i, row_key in enumerate(keys[name]):
            for j, column in enumerate(columns[name]):
                if key == "county":
                    if row_key == "total":
                        continue  # the state's totals, already the levels table's
                    county = next(c for c in counties if boards[c].scope.label.startswith(row_key))
                    same[(name, i, j)] = (f"{county}:levels", 1, j)
                    continue
                parts, whole = [], True
                for county in counties:
                    part = f"{county}:{key}"
                    if part not in tables or column not in columns[part]:
                        continue  # zero
                    if row_key not in keys[part]:
                        cut = key == "indicators_present" and len(keys[part]) >= 10
                        whole = whole and not cut  # a top-10 list hides what it leaves out
                        continue
                    parts.append((part, keys[part].index(row_key), columns[part].index(column)))
                if whole:
                    sums.append(((name, i, j), parts))
    return tables, same, sums, rows_only, unpublished


def region_boards(analyst: User, period: Period, today: dt.date) -> dict[str, figures.Dashboard]:
    """The state dashboard ("state") and each of its county dashboards (by county id)."""
    state = resolve(analyst, "state", "CA")
    _state, counties = region(analyst, state)
    boards = {"state": figures.dashboard(user=analyst, scope=state, period=period, today=today)}
    for county in counties:
        scope = resolve(analyst, "county", county.key)
        boards[county.key] = figures.dashboard(
            user=analyst, scope=scope, period=period, today=today
        )
    return boards
