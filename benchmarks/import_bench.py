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

The goal (issue 17) is the product at >= 1/4 of the floor's rows per second.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import shutil
import tempfile
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


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--youth-per-screening", type=float, default=0.25)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args(argv)
    own_database = "DATABASE_URL" not in os.environ
    database_url = os.environ.get("DATABASE_URL", f"{PG_ADMIN_URL}/{BENCH_DATABASE}")
    if own_database:
        psql(f"{PG_ADMIN_URL}/postgres", f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")
        psql(f"{PG_ADMIN_URL}/postgres", f"CREATE DATABASE {BENCH_DATABASE}")
    folder = Path(tempfile.mkdtemp(prefix="sightline-import-bench-"))
    try:
        set_up_django(database_url, str(folder / "var"))
        from django.db import connection

        if connection.vendor != "postgresql":
            raise SystemExit("DATABASE_URL must name a PostgreSQL database")
        from sightline.imports.services import import_file

        agency, admin, screener = _world()
        youth_count = max(1, int(args.rows * args.youth_per_screening))
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
        write_screenings(screenings, args.rows, youth_count, screener.username, args.seed)  # type: ignore[attr-defined]
        started = time.perf_counter()
        report = import_file(
            by=admin,
            agency=agency,
            kind="screening",
            path=screenings,
            source_system=SOURCE,  # type: ignore[arg-type]
        )
        product = time.perf_counter() - started
        if report.errors or report.created != args.rows:
            raise SystemExit(
                f"screening import: {len(report.errors)} errors, e.g. {report.errors[:3]}"
            )
        floor = copy_floor(screenings)
        size_mb = screenings.stat().st_size / 1e6
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        if own_database:
            from django.db import connections

            connections.close_all()
            psql(
                f"{PG_ADMIN_URL}/postgres", f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)"
            )
    print(f"import of historical screenings, {args.rows:,} rows ({size_mb:.1f} MB CSV)")
    print(
        f"  machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print(f"  youth import ({youth_count:,} rows, untimed set-up)  {youth_seconds:.2f} s")
    print(
        f"  sightline import screenings   {product:.2f} s  ({args.rows / product:,.0f} rows/s; "
        "checked, re-scored, one transaction, schedules refreshed)"
    )
    print(f"  floor: COPY of the same file  {floor:.2f} s  ({args.rows / floor:,.0f} rows/s)")
    print(f"  import / COPY speed           {floor / product:.3f} (goal >= 0.25)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
