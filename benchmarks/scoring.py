"""Batch scoring speed (issue 2): `score_many` against a pure-Python loop of `score` and a NumPy floor.

    python -m benchmarks.scoring [--rows 1000000] [--loop-rows 20000] [--repeats 5] [--seed 2]

Targets: `score_many` at least 50x the per-row loop, and at most 3x slower than the floor (the sum of the
indicator columns plus `np.searchsorted` over the cut-offs, with no NEI, minimum or override handling).
Exit status 1 when a target fails.
"""

from __future__ import annotations

import argparse
import platform
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


def cutoffs(definition: Any) -> np.ndarray:
    return np.array([cutoff.min_total for cutoff in definition.scoring.cutoffs], dtype=np.int32)


def numpy_floor(
    table: dict[str, np.ndarray], thresholds: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The least any batch scorer must do: add the columns, look up the cut-off."""
    columns = iter(table.values())
    total = next(columns).astype(np.int32)
    for column in columns:
        total += column
    return total, np.searchsorted(thresholds, total, side="right") - 1


def best_of(repeats: int, run: Callable[[], object]) -> float:
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        timings.append(time.perf_counter() - start)
    return min(timings)


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
    thresholds = cutoffs(definition)

    batch_s = best_of(args.repeats, lambda: instruments.score_many(definition, table))
    floor_s = best_of(args.repeats, lambda: numpy_floor(table, thresholds))
    start = time.perf_counter()
    for row in ratings:
        instruments.score(definition, row)
    loop_s = (time.perf_counter() - start) / len(ratings) * args.rows

    batch_rate, floor_rate, loop_rate = (args.rows / s for s in (batch_s, floor_s, loop_s))
    print()
    print(f"  {'method':<34}{'seconds':>10}{'rows/s':>16}")
    for method, seconds, rate in (
        (f"score_many (best of {args.repeats})", batch_s, batch_rate),
        (f"NumPy floor (best of {args.repeats})", floor_s, floor_rate),
        ("score loop (extrapolated)", loop_s, loop_rate),
    ):
        print(f"  {method:<34}{seconds:>10.3f}{rate:>16,.0f}")
    print(
        f"  The loop was timed once over the first {len(ratings):,} rows and extrapolated per row "
        f"to {args.rows:,}."
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
            f"score_many vs NumPy floor: {slowdown:.2f}x slower",
            f"<= {FLOOR_SLOWDOWN_TARGET:.0f}x",
            slowdown <= FLOOR_SLOWDOWN_TARGET,
        ),
    ]
    for text, target, ok in results:
        print(f"  {'PASS' if ok else 'FAIL'}  {text} (target {target})")
    return 0 if all(ok for *_, ok in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
