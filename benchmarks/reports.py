"""Programme reports at state scale (issue 19): the state dashboard from the rollups against a bare
count over the screening table, and one agency's dashboard.

    python -m benchmarks.reports [--screenings 30000] [--seed 2026] [--reps 20] [--counties 4] [--keep]

1. Generates a population with about N screenings (`sightline.synth`, youth = N / 3 with stays
   scaled 1.7, as `benchmarks.schedule` does), writes it (`synth.db.write_population`), rebuilds the
   rollups (`reporting.rollups.rebuild`: its time and screenings/s) and runs VACUUM ANALYZE.
2. Bare count: `SELECT agency_id, level, date_trunc('month', screened_on), count(*) FROM
   screenings_screening WHERE status = 'final' GROUP BY 1, 2, 3` over the whole table.
3. State dashboard, warm: everything the page computes for a state analyst over the last full year
   (`reporting.figures.dashboard`: rollups, suppression of every table, intervals and tests, the live
   follow-up, training and coverage queries) plus its charts (`reporting.charts.svg_for`, cached per
   process, so warm means the figures are computed and the charts reused).
4. County dashboard: the same for the busiest agency's county. A county or state report is
   suppressed together with the state's other reports (`reporting.suppressing.protect_region`), so
   both grow with the number of counties (`--counties`, 6 agencies each; 58 is California's count).
5. Agency dashboard: the same for the busiest agency's supervisor (not suppressed).
Each is timed `--reps` times after 2 warm-ups: p50 / p95 / max in ms. Exit status 1 when a target is
missed: state and county warm p95 <= 1 s, state >= 1.5x faster than the bare count's p50; agency
p95 <= 200 ms.

Runs on a fresh PostgreSQL database `sl_reports_bench` (dropped at the end unless --keep; `--reuse`
measures again on the database a `--keep` run left, after a change to the reading code).
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from typing import Any

from benchmarks.pg import PG_ADMIN_URL, psql, set_up_django

BENCH_DATABASE = "sl_reports_bench"
BARE_SQL = (
    "SELECT agency_id, level, date_trunc('month', screened_on), count(*) "
    "FROM screenings_screening WHERE status = 'final' GROUP BY 1, 2, 3"
)


def _percentile(sorted_ms: Sequence[float], share: float) -> float:
    rank = max(1, -(-len(sorted_ms) * share // 1))
    return sorted_ms[int(rank) - 1]


def _time(fn: Callable[[], object], *, reps: int, warmups: int = 2) -> list[float]:
    for _ in range(warmups):
        fn()
    samples = []
    for _ in range(reps):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return sorted(samples)


def _summary(samples: list[float]) -> str:
    return (
        f"p50 {statistics.median(samples):8.1f} ms  p95 {_percentile(samples, 0.95):8.1f} ms  "
        f"max {samples[-1]:8.1f} ms"
    )


def _load(args: argparse.Namespace) -> dict[str, float]:
    from django.db import connection

    from sightline.reporting.rollups import rebuild
    from sightline.synth import SynthParams, generate
    from sightline.synth.db import write_population
    from sightline.synth.params import _stay_days

    timings: dict[str, float] = {}
    stays = {kind: days * 1.7 for kind, days in _stay_days().items()}
    params = SynthParams(
        seed=args.seed,
        youth=max(args.screenings // 3, 500),
        stay_days_by_type=stays,
        counties=args.counties,
    )
    started = time.perf_counter()
    population = generate(params)
    timings["generate_s"] = time.perf_counter() - started
    started = time.perf_counter()
    write_population(population)
    timings["write_s"] = time.perf_counter() - started
    del population
    started = time.perf_counter()
    timings["screenings"] = rebuild()
    timings["rebuild_s"] = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return timings


def _users() -> tuple[Any, Any, Any]:
    from django.db.models import Count

    from sightline.screenings.models import Screening
    from sightline.tenancy.models import Agency, Membership, Role, User

    analyst, _ = User.objects.get_or_create(username="bench-reports-analyst")
    Membership.objects.bulk_create(
        [Membership(user=analyst, agency=a, role=Role.ANALYST) for a in Agency.objects.all()],
        ignore_conflicts=True,
    )
    busiest = Screening.objects.values("agency_id").annotate(n=Count("pk")).order_by("-n").first()
    assert busiest is not None
    agency = Agency.objects.get(pk=busiest["agency_id"])
    supervisor, _ = User.objects.get_or_create(username="bench-reports-supervisor")
    Membership.objects.get_or_create(user=supervisor, agency=agency, role=Role.SUPERVISOR)
    return analyst, supervisor, agency


def _page_work(user: Any, level: str, key: str, period: Any, today: dt.date) -> Callable[[], None]:
    from sightline.reporting import charts, figures
    from sightline.reporting.scope import resolve

    def run() -> None:
        board = figures.dashboard(
            user=user, scope=resolve(user, level, key), period=period, today=today
        )
        for table in board.all_tables():
            charts.svg_for(table)
            charts.describe(table)

    return run


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--screenings", type=int, default=30_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument(
        "--counties",
        type=int,
        default=4,
        help="counties of the generated state, 6 agencies each (a state report is suppressed "
        "together with every county report of the state, so its cost grows with them)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure on the database a --keep run left (migrated, rollups rebuilt), not a new one",
    )
    args = parser.parse_args(argv)
    if args.reuse:
        args.keep = True
    if shutil.which("psql") is None:
        print("psql is needed to create the benchmark database")
        return 1
    admin = f"{PG_ADMIN_URL}/postgres"
    if not args.reuse:
        psql(admin, f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")
        psql(admin, f"CREATE DATABASE {BENCH_DATABASE}")
    try:
        with tempfile.TemporaryDirectory() as var_dir:
            set_up_django(f"{PG_ADMIN_URL}/{BENCH_DATABASE}", var_dir)
            return _run(args)
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            psql(admin, f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")


def _run(args: argparse.Namespace) -> int:
    from django.db import connection

    from sightline.reporting.models import PeriodKind
    from sightline.reporting.scope import Period

    print(f"python {platform.python_version()}, {platform.machine()}, target {args.screenings:,}")
    if args.reuse:
        from sightline.reporting import rollups

        rollups.catch_up()
        print(f"reusing {BENCH_DATABASE}: {rollups.current_finals().count():,} current finals")
    else:
        loaded = _load(args)
        screenings = int(loaded["screenings"])
        print(
            f"generate {loaded['generate_s']:.1f} s, write {loaded['write_s']:.1f} s, rollup "
            f"rebuild {loaded['rebuild_s']:.1f} s ({screenings / loaded['rebuild_s']:,.0f} "
            f"screenings/s) for {screenings:,} current final screenings"
        )
    from sightline.tenancy.models import County

    print(f"{County.objects.count()} counties")
    analyst, supervisor, agency = _users()
    today = dt.date(2026, 7, 1)  # the generator's end + 1 day
    period = Period(PeriodKind.YEAR, dt.date(2025, 1, 1))

    def bare() -> None:
        with connection.cursor() as cursor:
            cursor.execute(BARE_SQL)
            cursor.fetchall()

    bare_ms = _time(bare, reps=args.reps)
    state_ms = _time(_page_work(analyst, "state", "CA", period, today), reps=args.reps)
    county = str(agency.county_id)
    county_ms = _time(_page_work(analyst, "county", county, period, today), reps=args.reps)
    agency_ms = _time(
        _page_work(supervisor, "agency", str(agency.pk), period, today), reps=args.reps
    )
    print(f"bare count(*) group by agency, level, month  {_summary(bare_ms)}")
    print(f"state dashboard, warm                        {_summary(state_ms)}")
    print(f"county dashboard, warm (its region with it)  {_summary(county_ms)}")
    print(f"agency dashboard ({agency.name[:24]:24})   {_summary(agency_ms)}")
    speedup = statistics.median(bare_ms) / statistics.median(state_ms)
    print(f"state dashboard vs bare count: {speedup:.2f}x (p50)")
    missed = []
    if _percentile(state_ms, 0.95) > 1000:
        missed.append("state dashboard p95 > 1 s")
    if _percentile(county_ms, 0.95) > 1000:
        missed.append("county dashboard p95 > 1 s")
    if speedup < 1.5:
        missed.append("state dashboard < 1.5x faster than the bare count")
    if _percentile(agency_ms, 0.95) > 200:
        missed.append("agency dashboard p95 > 200 ms")
    for miss in missed:
        print(f"MISSED: {miss}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
