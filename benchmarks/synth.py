"""Synthetic population into PostgreSQL (issue 4): our writer against a raw COPY of the same rows.

    python -m benchmarks.synth [--youth 1000000] [--seed 2026] [--target-ratio 0.333]

1. Times `generate` and `write_population` for N youth (mapping ids, encrypting names, blind-index tokens,
   JSON ratings, COPY in batches, one transaction) and reports rows/s over every row written.
2. In the same run, exports every written table with `COPY ... TO` a temporary file (not timed), empties
   the tables with TRUNCATE, and times a raw `COPY ... FROM STDIN` of exactly those rows back into the same
   tables, with the same indexes and constraints, in one transaction: no Python-side work at all.
3. Prints both rates and their ratio against the target (ours at least a third of the raw COPY rate).

Runs on a fresh database `sightline_synth_bench` that this script creates and drops with psql. Exit status
1 when the ratio misses the target or the row counts differ.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.pg import PG_ADMIN_URL, psql, set_up_django

BENCH_DATABASE = "sightline_synth_bench"
COPY_BLOCK = 1 << 20  # bytes per write while replaying the raw COPY


def _columns(cursor: object, table: str) -> list[str]:
    cursor.execute(  # type: ignore[attr-defined]
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
        "ORDER BY ordinal_position",
        [table],
    )
    return [row[0] for row in cursor.fetchall()]  # type: ignore[attr-defined]


def _raw_copy(tables: Sequence[str], folder: Path) -> tuple[int, float]:
    """Export `tables` (untimed), truncate them, and time COPY FROM STDIN of the same rows back in."""
    from django.db import connection, transaction

    raw = connection.cursor().connection
    columns: dict[str, list[str]] = {}
    with raw.cursor() as cursor:
        for table in tables:
            columns[table] = _columns(cursor, table)
            with (
                (folder / f"{table}.copy").open("wb") as out,
                cursor.copy(f"COPY {table} ({', '.join(columns[table])}) TO STDOUT") as copy,
            ):
                for block in copy:
                    out.write(block)
        cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
    raw.commit()
    rows = 0
    started = time.perf_counter()
    with transaction.atomic(), raw.cursor() as cursor:
        for table in tables:
            with (
                (folder / f"{table}.copy").open("rb") as source,
                cursor.copy(f"COPY {table} ({', '.join(columns[table])}) FROM STDIN") as copy,
            ):
                while block := source.read(COPY_BLOCK):
                    copy.write(block)
            rows += cursor.rowcount
    return rows, time.perf_counter() - started


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--youth", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--target-ratio", type=float, default=1 / 3)
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    if shutil.which("psql") is None:
        print("psql is needed to create the benchmark database")
        return 1
    admin = f"{PG_ADMIN_URL}/postgres"
    psql(admin, f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")
    psql(admin, f"CREATE DATABASE {BENCH_DATABASE}")
    var_dir = tempfile.mkdtemp(prefix="sightline-synth-bench-")
    try:
        set_up_django(f"{PG_ADMIN_URL}/{BENCH_DATABASE}", var_dir)
        from django.db import connections

        from sightline.cli.synth import progress_bar
        from sightline.synth import SynthParams, generate
        from sightline.synth.db import write_population

        with progress_bar(quiet=args.quiet) as progress:
            started = time.perf_counter()
            population = generate(SynthParams(seed=args.seed, youth=args.youth), progress=progress)
            generated = time.perf_counter() - started
            counts = write_population(population, progress=progress)
            ours = time.perf_counter() - started
        del population
        written = sum(counts.values())
        tables = [table for table, n in counts.items() if n]
        copied, raw_seconds = _raw_copy(tables, Path(var_dir))
        connections.close_all()
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
        psql(admin, f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")

    ours_rate = written / ours
    raw_rate = copied / raw_seconds
    ratio = ours_rate / raw_rate
    ok = ratio >= args.target_ratio and copied == written
    print(f"Synthetic population: {args.youth:,} youth, seed {args.seed}")
    print(f"  machine          {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs")
    print(f"  rows written     {written:,} in {len(tables)} tables")
    for table, n in counts.items():
        print(f"    {table:<28} {n:>12,}")
    print(f"  generate         {generated:8.1f} s")
    print(f"  generate + write {ours:8.1f} s  = {ours_rate:>10,.0f} rows/s")
    print(f"  raw COPY         {raw_seconds:8.1f} s  = {raw_rate:>10,.0f} rows/s ({copied:,} rows)")
    print(
        f"  ratio            {ratio:8.2f}  (target >= {args.target_ratio:.2f}) {'OK' if ok else 'MISSED'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
