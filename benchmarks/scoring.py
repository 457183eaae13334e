"""Batch scoring speed (issue 2): `score_many` against a pure-Python loop of `score` and a NumPy floor.

    python -m benchmarks.scoring [--rows 1000000] [--loop-rows 20000] [--repeats 5] [--seed 2]

Targets: `score_many` at least 50x the per-row loop, and at most 3x slower than the floor: the whole
rule written plainly in NumPy (totals, NEI, cut-offs, minimum rated, overrides) on input known to be
valid. Before timing, the run aborts unless the floor equals `score_many` on every row and `score`
equals `score_many` on every row of the loop sample. Exit status 1 when a target fails.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from sightline import instruments

INSTRUMENT = "cse-it-2.0"
LOOP_SPEEDUP_TARGET = 50.0
FLOOR_SLOWDOWN_TARGET = 3.0
# Share of each rating in the synthetic responses: 0, 1, 2, NEI, MISSING.
RATING_CODES = np.array([0, 1, 2, instruments.NEI, instruments.MISSING], dtype=np.int8)
RATING_SHARES = np.array([0.86, 0.05, 0.01, 0.04, 0.04])
INCOMPLETE_SHARE = 0.02  # forms abandoned part-way: most indicators not rated


def synthetic_table(definition: Any, rows: int, seed: int) -> dict[str, np.ndarray]:
    """One int8 column per indicator. A per-row latent risk raises some ratings by one, so a minority
    of youth reach the higher levels and the overrides; a few forms are mostly unrated."""
    rng = np.random.default_rng(seed)
    risk = rng.beta(0.6, 6.0, size=rows)
    incomplete = rng.random(rows) < INCOMPLETE_SHARE
    bounds = np.cumsum(RATING_SHARES)
    table = {}
    for indicator in definition.indicators:
        codes = RATING_CODES[np.searchsorted(bounds, rng.random(rows), side="right").clip(0, 4)]
        raised = (rng.random(rows) < risk) & (codes >= 0)
        codes[raised] = np.minimum(codes[raised] + 1, 2)
        codes[incomplete & (rng.random(rows) < 0.7)] = instruments.MISSING
        table[indicator.id] = codes
    return table


def numpy_floor(
    definition: Any, table: dict[str, np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The whole rule in plain NumPy on input known to be valid: (total, level index, rated count).

    Points of every rated indicator, NEI points and NEI as rated when the definition says so, the
    cut-offs, "no valid level" below the minimum rated, and every override. What it leaves out is what
    `score_many` does on top of the rule: checking every value against the scale and naming the first
    bad one, accepting DataFrames and wider integer types. `main` asserts both give the same result
    on every row, so the floor is never cheaper for doing less of the rule.
    """
    scoring = definition.scoring
    nei = scoring.not_enough_information
    columns = [table[i.id] for i in definition.indicators if i.id in table]
    rows = len(columns[0])
    total = np.zeros(rows, dtype=np.int16)
    rated = np.zeros(rows, dtype=np.int16)
    nei_count = np.zeros(rows, dtype=np.int16)
    points = np.empty(rows, dtype=columns[0].dtype)  # buffers reused for every column
    flag = np.empty(rows, dtype=bool)
    for column in columns:
        np.maximum(column, 0, out=points)  # MISSING and NEI give no points
        np.add(total, points, out=total, casting="unsafe")
        np.greater_equal(column, 0, out=flag)
        np.add(rated, flag, out=rated)
        if nei.points or nei.counts_as_rated:
            np.equal(column, instruments.NEI, out=flag)
            np.add(nei_count, flag, out=nei_count)
    if nei.points:
        total += nei_count * np.int16(nei.points)
    if nei.counts_as_rated:
        rated += nei_count
    # Level reached by the cut-offs (below the first one: the lowest level), as in `decide`.
    minimums = np.array([cutoff.min_total for cutoff in scoring.cutoffs], dtype=np.int16)
    by_cutoff = np.array(
        [0, *(definition.level_index(cutoff.level) for cutoff in scoring.cutoffs)], dtype=np.int8
    )
    level = by_cutoff[np.searchsorted(minimums, total, side="right")]
    if scoring.minimum_rated:
        level[rated < scoring.minimum_rated] = -1
    for override in scoring.overrides:
        met = np.zeros(rows, dtype=np.int16)
        for indicator_id in override.indicators:
            if indicator_id in table:
                np.add(met, table[indicator_id] >= override.rating_at_least, out=met)
        raised = met >= override.count_at_least
        np.maximum(
            level, np.int8(definition.level_index(override.level_at_least)), out=level, where=raised
        )
    return total.astype(np.int32), level, rated


def sum_and_cutoffs(definition: Any, table: dict[str, np.ndarray]) -> np.ndarray:
    """The floor this benchmark used before issue 16 (sum, look up the cut-off, nothing else): kept
    only to show how far from the rule it was (its levels are reported, never timed)."""
    columns = iter(table.values())
    total = next(columns).astype(np.int32)
    for column in columns:
        total += column
    thresholds = np.array([c.min_total for c in definition.scoring.cutoffs], dtype=np.int32)
    return np.searchsorted(thresholds, total, side="right") - 1


def check_floor(definition: Any, table: dict[str, np.ndarray]) -> float:
    """Abort unless the floor equals `score_many` on every row; returns the old floor's agreement."""
    batch = instruments.score_many(definition, table)
    total, level, rated = numpy_floor(definition, table)
    for name, mine, theirs in (
        ("total", total, batch.total),
        ("level", level, batch.level),
        ("rated", rated, batch.rated),
    ):
        differ = np.flatnonzero(mine != theirs)
        if differ.size:
            k = int(differ[0])
            raise SystemExit(
                f"the NumPy floor and score_many disagree on {name} in {differ.size:,} rows, "
                f"first row {k}: {mine[k]} vs {theirs[k]}"
            )
    return float(np.mean(sum_and_cutoffs(definition, table) == batch.level))


def timings(repeats: int, run: Callable[[], object]) -> list[float]:
    """Seconds of each of `repeats` runs."""
    taken = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        taken.append(time.perf_counter() - start)
    return taken


def spread(values: Sequence[float], digits: int = 3) -> str:
    """Median (min-max), as every figure in docs/benchmarks.md is given."""
    return (
        f"{statistics.median(values):.{digits}f} "
        f"({min(values):.{digits}f}-{max(values):.{digits}f})"
    )


def loop_rows(definition: Any, table: dict[str, np.ndarray], count: int) -> list[dict[str, int]]:
    """The first `count` rows as the rating dicts `score` takes (built before the clock starts)."""
    columns = {id_: column[:count].tolist() for id_, column in table.items()}
    return [
        {id_: values[k] for id_, values in columns.items() if values[k] != instruments.MISSING}
        for k in range(count)
    ]


def check_agreement(
    definition: Any, table: dict[str, np.ndarray], ratings: list[dict[str, int]]
) -> None:
    """The loop and the batch must agree row for row, or the comparison means nothing."""
    sample = {id_: column[: len(ratings)] for id_, column in table.items()}
    batch = instruments.score_many(definition, sample)
    codes = batch.level_codes()
    for k, row in enumerate(ratings):
        one = instruments.score(definition, row)
        if (one.total, one.level, one.rated_count) != (
            int(batch.total[k]),
            codes[k],
            int(batch.rated[k]),
        ):
            raise SystemExit(f"score and score_many disagree on row {k}: {one} vs batch")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.scoring", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--loop-rows", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2)
    args = parser.parse_args(argv)

    definition = instruments.load(INSTRUMENT)
    print(
        f"Scoring benchmark: {definition.id} {definition.version}, {len(definition.indicators)} indicators"
    )
    print(f"  Python {platform.python_version()}, NumPy {np.__version__}, {platform.machine()}")
    start = time.perf_counter()
    table = synthetic_table(definition, args.rows, args.seed)
    generated = time.perf_counter() - start
    cells = np.stack(list(table.values()))
    nei, missing = (cells == instruments.NEI).mean(), (cells == instruments.MISSING).mean()
    print(
        f"  {args.rows:,} synthetic responses (seed {args.seed}; {nei:.1%} NEI, {missing:.1%} not rated) "
        f"generated in {generated:.2f} s"
    )

    levels = instruments.score_many(definition, table).level
    shares = [
        f"{code} {np.mean(levels == n):.1%}"
        for n, code in enumerate(lv.code for lv in definition.levels)
    ]
    print(f"  levels: {', '.join(shares)}, no valid level {np.mean(levels < 0):.1%}")

    ratings = loop_rows(definition, table, min(args.loop_rows, args.rows))
    check_agreement(definition, table, ratings)
    old_agreement = check_floor(definition, table)
    print(
        f"  the NumPy floor equals score_many on all {args.rows:,} rows (total, level, rated); "
        f"the old sum-and-cut-off floor agreed on {old_agreement:.1%} of levels"
    )

    batch = timings(args.repeats, lambda: instruments.score_many(definition, table))
    floor = timings(args.repeats, lambda: numpy_floor(definition, table))
    loop_runs = max(3, args.repeats // 2)

    def run_loop() -> None:
        for row in ratings:
            instruments.score(definition, row)

    per_row = len(ratings) / args.rows  # the loop is extrapolated from its sample to every row
    loop = [seconds / per_row for seconds in timings(loop_runs, run_loop)]
    batch_s, floor_s, loop_s = (statistics.median(t) for t in (batch, floor, loop))

    print()
    print(f"  {'method':<30}{'seconds, median (min-max)':>30}{'rows/s (median)':>18}")
    for method, taken in (
        (f"score_many ({args.repeats} runs)", batch),
        (f"NumPy floor ({args.repeats} runs)", floor),
        (f"score loop ({loop_runs} runs, extrapolated)", loop),
    ):
        print(f"  {method:<30}{spread(taken):>30}{args.rows / statistics.median(taken):>18,.0f}")
    print(
        f"  The loop was timed over the first {len(ratings):,} rows and extrapolated per row "
        f"to {args.rows:,}. Ratios below are of medians."
    )
    print()
    speedup = loop_s / batch_s
    slowdown = batch_s / floor_s
    results = [
        (
            f"score_many vs score loop: {speedup:,.0f}x faster",
            f">= {LOOP_SPEEDUP_TARGET:.0f}x",
            speedup >= LOOP_SPEEDUP_TARGET,
        ),
        (
            f"score_many time / NumPy floor time: {slowdown:.2f}x",
            f"<= {FLOOR_SLOWDOWN_TARGET:.0f}x",
            slowdown <= FLOOR_SLOWDOWN_TARGET,
        ),
    ]
    for text, target, ok in results:
        print(f"  {'PASS' if ok else 'FAIL'}  {text} (target {target})")
    return 0 if all(ok for *_, ok in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
