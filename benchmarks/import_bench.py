"""Importing N historical screenings from CSV into PostgreSQL, next to a raw COPY of the same file.

    python -m benchmarks.import_bench [--rows 20000] [--youth-per-screening 0.25] [--seed 3]

Runs against PostgreSQL: DATABASE_URL when set (the rows it adds stay), otherwise a fresh database
`sl_import_bench` that this script creates and drops with psql. Untimed set-up: one agency, an admin,
a trained screener and the youth (imported from a CSV with `sightline import youth`'s service, timed
and reported on its own). Then, in the same run and on the same file:

- the product: `imports.services.import_file(kind="screening")` — read with the shared pyarrow CSV
  path, every row checked (the services' cleaners, natural keys, training on the screening date),
  re-scored with `score_many`, written in one transaction, schedules refreshed for the youth touched;
- the floor: `COPY ... FROM STDIN (FORMAT csv, HEADER)` of the same file into an unlogged table of text
  columns (no checks, no keys, no indexes): the fastest way PostgreSQL takes the bytes.

The goal (issue 17) is the product at >= 1/4 of the floor's rows per second. `--repeat N` runs the
product and the floor N times (each product run into a new agency of the same database, so later runs
meet bigger tables) and reports the median; the peak resident memory of the process while
`import_file` runs is sampled every 50 ms, and the import's own phase timings are printed.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import shutil
import statistics
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from benchmarks.pg import PG_ADMIN_URL, psql, set_up_django

BENCH_DATABASE = "sl_import_bench"
INSTRUMENT = "cse-it-2.0"
SOURCE = "bench"


def _world() -> tuple[object, object, object]:
    from sightline.tenancy.models import Agency, County, Membership, Role, TrainingRecord, User

    county = County.objects.create(name="Bench", state="CA")
    agency = Agency.objects.create(name="Bench agency", county=county, type="child_welfare")
    admin = User.objects.create_user(username=f"bench-admin-{agency.pk}")
    screener = User.objects.create_user(username=f"bench-screener-{agency.pk}")
    Membership.objects.create(user=admin, agency=agency, role=Role.AGENCY_ADMIN)
    Membership.objects.create(
        user=screener, agency=agency, role=Role.SCREENER, screener_role="child_welfare_worker"
    )
    TrainingRecord.objects.create(
        user=screener,
        instrument_id=INSTRUMENT,
        trained_on=dt.date(2015, 1, 1),
        trainer="bench",
        recorded_by=admin,
    )
    return agency, admin, screener


def write_youth(path: Path, count: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as sink:
        writer = csv.writer(sink, lineterminator="\n")
        writer.writerow(
            ["external_id", "first_name", "last_name", "date_of_birth", "gender_identity"]
        )
        for n in range(count):
            writer.writerow(
                [f"Y{n}", f"First{n}", f"Last{n}", f"2010-0{1 + n % 9}-1{n % 10}", "girl"]
            )


def write_screenings(path: Path, count: int, youth: int, screener: str, seed: int) -> None:
    from sightline import instruments

    ids = [i.id for i in instruments.load(INSTRUMENT).indicators]
    rng = np.random.default_rng(seed)
    ratings = rng.choice(
        np.array(["0", "1", "2", "NEI"]), size=(count, len(ids)), p=[0.6, 0.25, 0.1, 0.05]
    )
    # A row with many "not enough information" ratings has no concern level and is refused (rightly):
    # keep at most three per row so that every generated screening can be final.
    many = (ratings == "NEI").sum(axis=1) > 3
    ratings[many] = np.where(ratings[many] == "NEI", "0", ratings[many])
    days = rng.integers(0, 3000, size=count)
    start = dt.date(2016, 1, 1)
    with path.open("w", newline="", encoding="utf-8") as sink:
        writer = csv.writer(sink, lineterminator="\n")
        writer.writerow(
            [
                "external_id",
                "youth_external_id",
                "screened_on",
                "finalized_at",
                "screener",
                "screener_role",
                "reason",
                "information_sources",
                "known_for",
                *ids,
            ]
        )
        for n in range(count):
            day = start + dt.timedelta(days=int(days[n]))
            writer.writerow(
                [
                    f"S{n}",
                    f"Y{n % youth}",
                    day.isoformat(),
                    f"{day.isoformat()}T16:00:00",
                    screener,
                    "child_welfare_worker",
                    "rescreen",
                    "youth_conversation;records",
                    "under_6_months",
                    *ratings[n],
                ]
            )


def copy_floor(path: Path) -> float:
    """Seconds for COPY of `path` into a fresh unlogged table of text columns."""
    from django.db import connection

    with path.open(encoding="utf-8") as source:
        header = next(csv.reader(source))
    columns = ", ".join(f'"{name}" text' for name in header)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS import_bench_floor")
        cursor.execute(f"CREATE UNLOGGED TABLE import_bench_floor ({columns})")
        raw = cursor.connection.cursor()
        started = time.perf_counter()
        with (
            path.open("rb") as source,
            raw.copy("COPY import_bench_floor FROM STDIN (FORMAT csv, HEADER true)") as copy,
        ):
            while block := source.read(1 << 20):
                copy.write(block)
        elapsed = time.perf_counter() - started
        cursor.execute("SELECT count(*) FROM import_bench_floor")
        copied = cursor.fetchone()[0]
        cursor.execute("DROP TABLE import_bench_floor")
    if copied != sum(1 for _ in path.open(encoding="utf-8")) - 1:
        raise SystemExit(f"COPY took {copied} rows")
    return elapsed


class PeakMemory:
    """The highest resident set size (MB) of this process while in the `with` block, sampled."""

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self.peak = 0.0
        self._stop = threading.Event()

    @staticmethod
    def rss() -> float:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return 0.0

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.rss())
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakMemory:
        self.before = self.rss()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.rss())


def one_run(folder: Path, rows: int, youth_per_screening: float, seed: int) -> dict[str, object]:
    """Set up a new agency with its youth, then time the import and the floor on one file."""
    from sightline.imports.services import import_file

    agency, admin, screener = _world()
    youth_count = max(1, int(rows * youth_per_screening))
    youth_file = folder / "youth.csv"
    write_youth(youth_file, youth_count)
    started = time.perf_counter()
    youth_report = import_file(
        by=admin,
        agency=agency,
        kind="youth",
        path=youth_file,
        source_system=SOURCE,  # type: ignore[arg-type]
    )
    youth_seconds = time.perf_counter() - started
    if youth_report.errors or youth_report.created != youth_count:
        raise SystemExit(f"youth import: {youth_report.errors[:3]}")
    screenings = folder / "screenings.csv"
    write_screenings(screenings, rows, youth_count, screener.username, seed)  # type: ignore[attr-defined]
    with PeakMemory() as memory:
        started = time.perf_counter()
        report = import_file(
            by=admin,
            agency=agency,
            kind="screening",
            path=screenings,
            source_system=SOURCE,  # type: ignore[arg-type]
        )
        product = time.perf_counter() - started
    if report.errors or report.created != rows:
        raise SystemExit(f"screening import: {len(report.errors)} errors, e.g. {report.errors[:3]}")
    floor = copy_floor(screenings)
    return {
        "youth": youth_count,
        "youth_seconds": youth_seconds,
        "product": product,
        "floor": floor,
        "size_mb": screenings.stat().st_size / 1e6,
        "memory_before": memory.before,
        "memory_peak": memory.peak,
        "timings": report.timings,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--youth-per-screening", type=float, default=0.25)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args(argv)
    own_database = "DATABASE_URL" not in os.environ
    database_url = os.environ.get("DATABASE_URL", f"{PG_ADMIN_URL}/{BENCH_DATABASE}")
    if own_database:
        psql(f"{PG_ADMIN_URL}/postgres", f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")
        psql(f"{PG_ADMIN_URL}/postgres", f"CREATE DATABASE {BENCH_DATABASE}")
    folder = Path(tempfile.mkdtemp(prefix="sightline-import-bench-"))
    runs: list[dict[str, object]] = []
    try:
        set_up_django(database_url, str(folder / "var"))
        from django.db import connection

        if connection.vendor != "postgresql":
            raise SystemExit("DATABASE_URL must name a PostgreSQL database")
        for n in range(args.repeat):
            runs.append(one_run(folder, args.rows, args.youth_per_screening, args.seed + n))
            _print_run(n + 1, args.rows, runs[-1])
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        if own_database:
            from django.db import connections

            connections.close_all()
            psql(
                f"{PG_ADMIN_URL}/postgres", f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)"
            )
    product = statistics.median(float(r["product"]) for r in runs)  # type: ignore[arg-type]
    floor = statistics.median(float(r["floor"]) for r in runs)  # type: ignore[arg-type]
    ratios = sorted(float(r["floor"]) / float(r["product"]) for r in runs)  # type: ignore[arg-type]
    print(f"import of historical screenings, {args.rows:,} rows ({runs[0]['size_mb']:.1f} MB CSV)")
    print(
        f"  machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.1f} at the end"
    )
    print(
        f"  sightline import screenings   {product:.2f} s median of {len(runs)}  "
        f"({args.rows / product:,.0f} rows/s; checked, re-scored, one transaction, schedules refreshed)"
    )
    print(f"  floor: COPY of the same file  {floor:.2f} s  ({args.rows / floor:,.0f} rows/s)")
    print(
        f"  import / COPY speed           {statistics.median(ratios):.3f} "
        f"(runs {', '.join(f'{r:.3f}' for r in ratios)}; goal >= 0.25)"
    )
    print(f"  peak RSS during the import    {max(float(r['memory_peak']) for r in runs):.0f} MB")  # type: ignore[arg-type]
    return 0


def _print_run(n: int, rows: int, run: dict[str, object]) -> None:
    timings = ", ".join(f"{k} {v:.1f} s" for k, v in run["timings"].items())  # type: ignore[attr-defined]
    print(
        f"run {n}: youth set-up {run['youth']:,} in {run['youth_seconds']:.1f} s; import "
        f"{run['product']:.2f} s ({timings}); COPY {run['floor']:.2f} s; RSS "
        f"{run['memory_before']:.0f} -> peak {run['memory_peak']:.0f} MB",
        flush=True,
    )


if __name__ == "__main__":
    raise SystemExit(main())
