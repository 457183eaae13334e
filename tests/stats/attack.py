"""The attacker's side of suppression, written independently of `sightline.stats.suppression`.

Given published tables (None for a suppressed cell) whose inner cells sum to their row and column
totals, set up every published linear equation over the unknown (suppressed) cells, and ask for each
unknown: (1) is it in the row space of the equations (numpy rank: then it is uniquely determined)?
(2) what are its least and greatest values with all cells >= 0 (scipy linprog: the LP bounds)?
Tables passed together may share unknowns by name, which is how differencing two tables is attacked;
`sums` adds relations "this cell = the sum of those cells" between tables (a state figure and the
same figure of each county), and tables named in `rows_only` publish row totals but no column totals.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np
from scipy.optimize import linprog

Cell = int | None
Named = tuple[str, int, int]  # (table name, row, column)


Sum = tuple[Named, list[Named]]  # (the total, its parts)


def equations(
    tables: dict[str, Sequence[Sequence[Cell]]],
    same: dict[Named, Named] | None = None,
    sums: Sequence[Sum] = (),
    rows_only: Collection[str] = (),
) -> tuple[list[Named], np.ndarray, np.ndarray]:
    """Unknowns and the system A x = b. Each table includes its margins (last row and column are
    totals; only the last column for a table in `rows_only`). `same` maps a cell to another that
    holds the same quantity (a shared total); `sums` are cross-table totals."""
    same = same or {}
    unknowns: list[Named] = []
    index: dict[Named, int] = {}

    def canonical(cell: Named) -> Named:
        while cell in same:
            cell = same[cell]
        return cell

    for name, table in tables.items():
        for i, row in enumerate(table):
            for j, value in enumerate(row):
                key = canonical((name, i, j))
                if value is None and key not in index:
                    index[key] = len(unknowns)
                    unknowns.append(key)
    rows: list[np.ndarray] = []
    rhs: list[float] = []

    def line(cells: list[tuple[Named, Cell, float]]) -> None:
        a = np.zeros(len(unknowns))
        b = 0.0
        for named, value, sign in cells:
            key = canonical(named)
            if key in index:
                a[index[key]] += sign
            else:
                b -= sign * float(value if value is not None else _value(tables, key))
        rows.append(a)
        rhs.append(b)

    for name, table in tables.items():
        if not table:
            continue  # no rows, no equations
        height, width = len(table), len(table[0])
        for i in range(height):
            line(
                [((name, i, j), table[i][j], 1.0) for j in range(width - 1)]
                + [((name, i, width - 1), table[i][width - 1], -1.0)]
            )
        if name in rows_only:
            continue
        for j in range(width):
            line(
                [((name, i, j), table[i][j], 1.0) for i in range(height - 1)]
                + [((name, height - 1, j), table[height - 1][j], -1.0)]
            )
    for total, parts in sums:
        line([(total, _value(tables, total), -1.0)] + [(p, _value(tables, p), 1.0) for p in parts])
    return unknowns, np.array(rows), np.array(rhs)


def _value(tables: dict[str, Sequence[Sequence[Cell]]], key: Named) -> Cell:
    name, i, j = key
    return tables[name][i][j]


def determined(a: np.ndarray, k: int) -> bool:
    """Unknown k has one value in every solution: e_k lies in the row space of A."""
    unit = np.zeros(a.shape[1])
    unit[k] = 1.0
    return bool(np.linalg.matrix_rank(np.vstack([a, unit])) == np.linalg.matrix_rank(a))


def bounds(a: np.ndarray, b: np.ndarray, k: int) -> tuple[float, float]:
    """The least and greatest value of unknown k over the non-negative solutions."""
    c = np.zeros(a.shape[1])
    c[k] = 1.0
    least = linprog(c, A_eq=a, b_eq=b, bounds=(0, None), method="highs")
    most = linprog(-c, A_eq=a, b_eq=b, bounds=(0, None), method="highs")
    assert least.status == 0, least.message
    if most.status == 3:  # unbounded: nothing published caps it
        return float(least.fun), float("inf")
    assert most.status == 0, most.message
    return float(least.fun), float(-most.fun)


def recoverable(
    tables: dict[str, Sequence[Sequence[Cell]]],
    same: dict[Named, Named] | None = None,
    sums: Sequence[Sum] = (),
    rows_only: Collection[str] = (),
) -> list[tuple[Named, str]]:
    """The suppressed cells an attacker pins down, and how (rank or LP bounds)."""
    unknowns, a, b = equations(tables, same, sums, rows_only)
    if not unknowns:
        return []
    # e_k is in the row space of A exactly when every null-space vector is zero at k (one SVD for
    # all unknowns; `determined` is the same test one unknown at a time).
    _u, singular, vt = np.linalg.svd(a)
    rank = int((singular > singular.max(initial=0.0) * max(a.shape) * 1e-12).sum())
    null = vt[rank:]
    found = []
    for k, named in enumerate(unknowns):
        if not null.size or np.abs(null[:, k]).max() < 1e-9:
            found.append((named, "rank"))
            continue
        least, most = bounds(a, b, k)
        if most - least < 1 - 1e-6:  # counts are whole: a range shorter than 1 leaves one value
            found.append((named, f"bounds {least:.2f}..{most:.2f}"))
    return found
