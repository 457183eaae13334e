"""Small-cell suppression with complementary suppression for published tables.

A published table is its inner counts plus row totals, column totals and the grand total. Every cell
from `low` to `high` (1-10 by default) is suppressed (primary suppression). Suppressing those alone is
not enough: a row total minus the published cells gives a lone suppressed cell back. Complementary
suppression hides further cells until no suppressed cell is determined by the published ones.

Why the check below is exact. Write the table with its margins as an (r+1)x(c+1) array whose total
cells are negated: then every row and every column sums to zero, and the published cells fix the
suppressed ones exactly when the suppressed cells' equations have a single solution. Seen as a
bipartite graph (one vertex per row and per column, one edge per suppressed cell) the solutions differ
by circulations, so a suppressed cell is determined exactly when its edge is a *bridge* (on no cycle).
Every suppressed cell here is positive (primaries are >= 1 and complements are chosen among non-zero
cells), so moving one unit around a cycle keeps every cell non-negative: the attacker's bounds, even
with non-negativity and integrality (the linear-programming attack), always leave at least two values.

The algorithm: suppress primaries; while a suppressed cell is a bridge, close a cycle through it along
the cheapest path of extra cells (Dijkstra, cost 1 + value, zero cells never used). Such a path always
exists: a positive inner cell closes a cycle through its row total, the grand total and its column
total, all at least as large; a positive total through a positive cell of its line and the others. `suppress_family` keeps tables that share their column totals (the
"all" row: every breakdown of one period) consistent, so that differencing two of them ("all" minus
"one group") recovers nothing either.
"""

from __future__ import annotations

import heapq
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

DEFAULT_LOW = 1
DEFAULT_HIGH = 10


@dataclass(frozen=True)
class SuppressedTable:
    """A table with its margins and which cells are suppressed.

    `values` is (r+1)x(c+1): inner counts, the row totals in the last column, the column totals in
    the last row and the grand total in the corner. `suppressed` has the same shape.
    """

    values: np.ndarray
    suppressed: np.ndarray

    def cell(self, row: int, column: int) -> int | None:
        """The published count, or None when suppressed."""
        if self.suppressed[row, column]:
            return None
        return int(self.values[row, column])


def with_margins(counts: object) -> np.ndarray:
    """The inner counts with row totals, column totals and the grand total appended."""
    inner = np.asarray(counts, dtype=np.int64)
    if inner.ndim != 2:
        raise ValueError("a table has two dimensions")
    if (inner < 0).any():
        raise ValueError("counts cannot be negative")
    rows = np.column_stack([inner, inner.sum(axis=1)])
    return np.vstack([rows, rows.sum(axis=0)])


def bridges(suppressed: np.ndarray) -> list[tuple[int, int]]:
    """The suppressed cells whose value the published cells determine (bridges of the cell graph)."""
    n_rows, n_cols = suppressed.shape
    adjacency: dict[int, list[tuple[int, int]]] = {}  # vertex -> [(neighbour, edge id)]
    edges: list[tuple[int, int]] = []
    for i, j in zip(*np.nonzero(suppressed), strict=True):
        edge = len(edges)
        edges.append((int(i), int(j)))
        adjacency.setdefault(int(i), []).append((n_rows + int(j), edge))
        adjacency.setdefault(n_rows + int(j), []).append((int(i), edge))
    order: dict[int, int] = {}
    low: dict[int, int] = {}
    found: list[tuple[int, int]] = []
    counter = 0
    for root in adjacency:
        if root in order:
            continue
        order[root] = low[root] = counter
        counter += 1
        # Iterative DFS: (vertex, edge used to reach it, iterator position).
        stack: list[tuple[int, int, int]] = [(root, -1, 0)]
        while stack:
            vertex, via, position = stack.pop()
            neighbours = adjacency[vertex]
            if position < len(neighbours):
                stack.append((vertex, via, position + 1))
                neighbour, edge = neighbours[position]
                if edge == via:
                    continue
                if neighbour in order:
                    low[vertex] = min(low[vertex], order[neighbour])
                else:
                    order[neighbour] = low[neighbour] = counter
                    counter += 1
                    stack.append((neighbour, edge, 0))
            elif stack:
                parent = stack[-1][0]
                low[parent] = min(low[parent], low[vertex])
                if low[vertex] > order[parent]:
                    found.append(edges[via])
    del n_cols
    return found


def _cheapest_cycle(
    values: np.ndarray, suppressed: np.ndarray, bridge: tuple[int, int]
) -> list[tuple[int, int]] | None:
    """The cells to suppress so that `bridge` lies on a cycle: the cheapest row-to-column path that
    avoids the bridge itself, through suppressed cells (free) and non-zero published ones."""
    n_rows, n_cols = values.shape
    start, goal = bridge[0], n_rows + bridge[1]
    best = {start: 0}
    previous: dict[int, tuple[int, tuple[int, int]]] = {}
    queue = [(0, start)]
    while queue:
        cost, vertex = heapq.heappop(queue)
        if vertex == goal:
            break
        if cost > best.get(vertex, 1 << 62):
            continue
        if vertex < n_rows:
            steps = [((vertex, j), n_rows + j) for j in range(n_cols)]
        else:
            steps = [((i, vertex - n_rows), i) for i in range(n_rows)]
        for cell, neighbour in steps:
            if cell == bridge:
                continue
            if suppressed[cell]:
                step = 0
            elif values[cell] > 0:
                step = 1 + int(values[cell])
            else:
                continue  # a zero complement could pin the cell (non-negativity)
            if cost + step < best.get(neighbour, 1 << 62):
                best[neighbour] = cost + step
                previous[neighbour] = (vertex, cell)
                heapq.heappush(queue, (cost + step, neighbour))
    if goal not in best:
        return None
    path = []
    vertex = goal
    while vertex != start:
        vertex, cell = previous[vertex]
        path.append(cell)
    return [cell for cell in path if not suppressed[cell]]


def suppress(
    counts: object,
    *,
    low: int = DEFAULT_LOW,
    high: int = DEFAULT_HIGH,
    forced: np.ndarray | None = None,
) -> SuppressedTable:
    """Suppress the inner counts `counts` (rxc) and their margins; `forced` ((r+1)x(c+1)) marks cells
    that must be suppressed whatever their value (they were suppressed in a related table)."""
    values = with_margins(counts)
    suppressed = (values >= low) & (values <= high)
    if forced is not None:
        suppressed |= forced.astype(bool) & (values > 0)
    while True:
        found = bridges(suppressed)
        if not found:
            return SuppressedTable(values, suppressed)
        path = _cheapest_cycle(values, suppressed, found[0])
        if path is None:  # impossible by the argument in the module docstring
            raise AssertionError(f"no cycle closes suppressed cell {found[0]}")
        for cell in path:
            suppressed[cell] = True


def suppress_family(
    tables: Sequence[object],
    *,
    low: int = DEFAULT_LOW,
    high: int = DEFAULT_HIGH,
    forced_totals: np.ndarray | None = None,
    forced: Sequence[np.ndarray | None] | None = None,
) -> list[SuppressedTable]:
    """Suppress tables that share their column totals (breakdowns of one period by different groups)
    so that the shared totals row is suppressed alike in all of them; then no combination of the
    published tables determines a suppressed cell (their equations only meet in that row).
    `forced_totals` marks totals that another table linked to this row had to hide; `forced` (one
    mask with margins per table, or None) marks any cells that related tables had to hide."""
    margins = [with_margins(t)[-1] for t in tables]
    if any(not np.array_equal(m, margins[0]) for m in margins):
        raise ValueError("the tables of a family must share their column totals")
    if forced is not None and len(forced) != len(tables):
        raise ValueError("one forced mask (or None) per table")
    masks = [None if m is None else m.astype(bool) for m in (forced or [None] * len(tables))]
    shared = np.zeros(len(margins[0]) if margins else 0, dtype=bool)
    if forced_totals is not None:
        shared |= forced_totals.astype(bool)
    for mask in masks:
        if mask is not None:
            shared |= mask[-1]
    results: list[SuppressedTable | None] = [None] * len(tables)
    while True:
        for k, (table, mask) in enumerate(zip(tables, masks, strict=True)):
            done = results[k]
            if done is not None and np.array_equal(done.suppressed[-1], shared):
                # Already hides exactly the shared row (and everything it had to): still a valid
                # answer, so it is kept rather than worked out again.
                continue
            values = with_margins(table)
            cells = np.zeros(values.shape, dtype=bool) if mask is None else mask.copy()
            cells[-1] = shared
            results[k] = suppress(table, low=low, high=high, forced=cells)
        found = [result for result in results if result is not None]
        union = shared.copy()
        for result in found:
            union |= result.suppressed[-1]
        if np.array_equal(union, shared):
            return found
        shared = union


def lone_cells(lines: Iterable[Sequence[tuple[Hashable, int, bool]]]) -> set[Hashable]:
    """Cells to hide so that no published sum relation gives a hidden cell back.

    Each line is a relation "total = sum of parts" between cells of different tables (a state figure
    and the same figure of each county), given as (key, value, hidden) for the total and every part.
    When exactly one cell of a line is hidden, the others determine it; the cheapest other non-zero
    cell of the line is returned to be hidden too (the caller suppresses again and asks again until
    nothing is returned). Lines with no hidden cell or with two or more are left alone here; what
    they leave to an attacker together with the tables' own margins is for the attack tests."""
    found: set[Hashable] = set()
    for line in lines:
        hidden = [key for key, _value, is_hidden in line if is_hidden]
        if len(hidden) != 1:
            continue
        candidates = [(value, i) for i, (_k, value, is_hidden) in enumerate(line) if not is_hidden]
        cheapest = min(((value, i) for value, i in candidates if value > 0), default=None)
        if cheapest is None:  # a hidden cell is positive, so its line has another non-zero cell
            raise AssertionError(f"nothing can hide {hidden[0]} in its line")
        found.add(line[cheapest[1]][0])
    return found
