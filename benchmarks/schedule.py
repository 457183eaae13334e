"""Screening schedule at state scale (issue 5): worklists and coverage over a generated population.

    python -m benchmarks.schedule [--youth 1000000] [--seed 2026] [--stay-scale 1.7] [--keep] [--reuse]

1. Generates N youth (`sightline.synth`, stays scaled by --stay-scale so 1,000,000 youth give about
   3,000,000 screenings), writes them (`synth.db.write_population`), rebuilds the stored schedule
   (`scheduling.bulk.schedule_rebuild`: reports its time and youth/s) and runs VACUUM ANALYZE.
2. Due list: what the supervisor's worklist page asks the database for, through the selectors:
   `agency_worklist(...)` (permission check included), its first page of 50 rows fully fetched with
   `select_related`, and `state_counts` over the same rows; for the agency with the most open intakes
   and a median-sized one, unfiltered, state "overdue" and age band "14_15"; and `my_worklist` of the
   screener with the biggest caseload. 10 warm-ups, then 200 timed repetitions: p50 / p95 / max. Floor:
   the raw `SELECT intake_id ... ORDER BY due_on LIMIT 50` on the partial index, timed the same way.
3. Coverage, state-wide, one year, grouped by agency, program and screener (`scheduling.coverage`):
   20 repetitions after 2 warm-ups. Skipped with a note when the module is not there.
4. EXPLAIN (ANALYZE, BUFFERS) of every query of one due-list page and one coverage report, written to
   --plans (default var/bench-schedule-plans.txt).

`today` is the generator's `end` + 1 day (2026-07-01 with the defaults): every open intake is still open.
Runs on DATABASE_URL when set (rows stay), otherwise a fresh database `sightline_bench_schedule` created
and dropped with psql (kept with --keep; --reuse skips step 1 on a kept database). Exit status 1 when a
target is missed: due list p95 < 150 ms (one agency), state-wide coverage p95 < 2 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from benchmarks.pg import PG_ADMIN_URL, key, psql, set_up_django

BENCH_DATABASE = "sightline_bench_schedule"
PROJECT_DIR = Path(__file__).resolve().parents[1]
KEYS_FILE = PROJECT_DIR / "var" / "bench-schedule-keys.json"  # only while the database is kept
# The page's 50 rows straight from the index, no access check, no joins, no counts: the run asserts
# it returns the same intakes in the same order as the page before timing either.
FLOOR_SQL = (
    "SELECT intake_id FROM scheduling_intakeschedule WHERE agency_id = %s AND exit_on IS NULL "
    "AND intake_on <= %s ORDER BY due_on, intake_id LIMIT 50"
)


def _keys(*, keep: bool, reuse: bool) -> dict[str, str]:
    """Throw-away field and search keys; kept beside a kept database so --reuse can read its rows."""
    if reuse and KEYS_FILE.exists():
        return dict(json.loads(KEYS_FILE.read_text()))
    keys = {"SIGHTLINE_FIELD_KEYS": key(), "SIGHTLINE_SEARCH_KEY": key()}
    if keep:
        KEYS_FILE.parent.mkdir(parents=True, exist_ok=True)
        KEYS_FILE.write_text(json.dumps(keys))
        KEYS_FILE.chmod(0o600)
    return keys


def _percentile(sorted_ms: Sequence[float], share: float) -> float:
    """Nearest-rank percentile: the smallest value at or above `share` of the samples."""
    rank = max(1, -(-len(sorted_ms) * share // 1))
    return sorted_ms[int(rank) - 1]


def _time(fn: Callable[[], object], *, reps: int, warmups: int) -> list[float]:
    for _ in range(warmups):
        fn()
    samples = []
    for _ in range(reps):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return sorted(samples)


def _scalar(sql: str, params: Sequence[Any] = ()) -> Any:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def _load(args: argparse.Namespace) -> dict[str, float]:
    """Generate, write, rebuild the schedule, VACUUM ANALYZE; returns the timings."""
    from django.db import connection

    from sightline.cli.synth import progress_bar
    from sightline.scheduling.bulk import schedule_rebuild
    from sightline.synth.db import write_population

    timings: dict[str, float] = {}
    with progress_bar(quiet=args.quiet) as progress:
        started = time.perf_counter()
        population = _generate(args, progress)
        timings["generate"] = time.perf_counter() - started
        started = time.perf_counter()
        write_population(population, progress=progress)
        timings["write"] = time.perf_counter() - started
        del population
        done = 0

        def youth_done(batch: int) -> None:
            nonlocal done
            done += batch
            if progress is not None:
                progress("schedule", done, args.youth)

        started = time.perf_counter()
        timings["youth"] = schedule_rebuild(progress=youth_done)
        timings["rebuild"] = time.perf_counter() - started
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    timings["vacuum"] = time.perf_counter() - started
    return timings


def _params(args: argparse.Namespace) -> Any:
    from sightline.synth import SynthParams
    from sightline.synth.params import _stay_days

    stays = {kind: days * args.stay_scale for kind, days in _stay_days().items()}
    return SynthParams(seed=args.seed, youth=args.youth, stay_days_by_type=stays)


def _generate(args: argparse.Namespace, progress: Any) -> Any:
    from sightline.synth import generate

    return generate(_params(args), progress=progress)


def _state_users() -> tuple[Any, Any]:
    """An analyst and a supervisor with a membership in every agency (made once, kept)."""
    from sightline.tenancy.models import Agency, Membership, Role, User

    users = []
    for name, role in (
        ("bench-state-analyst", Role.ANALYST),
        ("bench-state-supervisor", Role.SUPERVISOR),
    ):
        user, created = User.objects.get_or_create(username=name)
        if created:
            Membership.objects.bulk_create(
                Membership(user=user, agency=agency, role=role) for agency in Agency.objects.all()
            )
        users.append(user)
    return users[0], users[1]


def _explain(fn: Callable[[], object], label: str, out: list[str]) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of every query `fn` runs (permission checks included)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        fn()
    for number, query in enumerate(captured.captured_queries, 1):
        sql = query["sql"]
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
        out.append(f"=== {label}, query {number} ({query['time']} s)\n{sql}\n\n{plan}\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--youth", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--stay-scale", type=float, default=1.7)
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--warmups", type=int, default=10)
    parser.add_argument("--coverage-reps", type=int, default=20)
    parser.add_argument("--target-due-ms", type=float, default=150.0)
    parser.add_argument("--target-coverage-ms", type=float, default=2000.0)
    parser.add_argument(
        "--plans", type=Path, default=PROJECT_DIR / "var" / "bench-schedule-plans.txt"
    )
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument("--reuse", action="store_true", help="skip loading: use a kept database")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    own_database = "DATABASE_URL" not in os.environ
    if own_database and shutil.which("psql") is None:
        print("psql is needed to create the benchmark database (or set DATABASE_URL)")
        return 1
    database_url = os.environ.get("DATABASE_URL", f"{PG_ADMIN_URL}/{BENCH_DATABASE}")
    if not database_url.startswith(("postgres://", "postgresql://")):
        print("DATABASE_URL must name a PostgreSQL database")
        return 1
    admin = f"{PG_ADMIN_URL}/postgres"
    if own_database and not args.reuse:
        psql(admin, f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")
        psql(admin, f"CREATE DATABASE {BENCH_DATABASE}")
    var_dir = tempfile.mkdtemp(prefix="sightline-schedule-bench-")
    try:
        set_up_django(database_url, var_dir, _keys(keep=args.keep, reuse=args.reuse))
        return _run(args)
    finally:
        from django.db import connections

        connections.close_all()
        shutil.rmtree(var_dir, ignore_errors=True)
        if own_database and not args.keep:
            psql(admin, f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")
            KEYS_FILE.unlink(missing_ok=True)


def _run(args: argparse.Namespace) -> int:
    from django.db import connection

    from sightline.scheduling.selectors import agency_worklist, my_worklist, state_counts
    from sightline.tenancy.models import Membership, Role, User

    timings = {} if args.reuse else _load(args)
    params = _params(args)
    today = params.end + dt.timedelta(days=1)
    counts = {
        "youth": _scalar("SELECT COUNT(*) FROM youth_youth"),
        "intakes": _scalar("SELECT COUNT(*) FROM youth_intakeepisode"),
        "open intakes": _scalar(
            "SELECT COUNT(*) FROM scheduling_intakeschedule WHERE exit_on IS NULL"
        ),
        "screenings": _scalar("SELECT COUNT(*) FROM screenings_screening"),
        "final screenings": _scalar(
            "SELECT COUNT(*) FROM screenings_screening WHERE status = 'final'"
        ),
        "schedule rows": _scalar("SELECT COUNT(*) FROM scheduling_intakeschedule"),
        "rescreen rows": _scalar("SELECT COUNT(*) FROM scheduling_rescreendue"),
        "agencies": _scalar("SELECT COUNT(*) FROM tenancy_agency"),
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT agency_id, COUNT(*) FROM scheduling_intakeschedule WHERE exit_on IS NULL "
            "GROUP BY agency_id ORDER BY 2 DESC, 1"
        )
        by_agency = cursor.fetchall()
        cursor.execute(
            "SELECT assigned_to_id, COUNT(*) FROM scheduling_intakeschedule "
            "WHERE exit_on IS NULL AND assigned_to_id IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 "
            "LIMIT 1"
        )
        caseload_user_id, caseload = cursor.fetchone()
    largest, largest_open = by_agency[0]
    median, median_open = by_agency[len(by_agency) // 2]
    counts["largest agency open intakes"] = largest_open
    counts["median agency open intakes"] = median_open
    counts["biggest caseload (open)"] = caseload

    def supervisor_of(agency_id: int) -> Any:
        membership = (
            Membership.objects.filter(agency_id=agency_id, role=Role.SUPERVISOR, active=True)
            .select_related("user")
            .order_by("pk")
            .first()
        )
        assert membership is not None, agency_id
        return membership.user

    def page(user: Any, agency_id: int, **filters: Any) -> Callable[[], object]:
        def run() -> object:
            rows = agency_worklist(user=user, agency_id=agency_id, today=today, **filters)
            return list(rows[:50]), state_counts(rows)

        return run

    def floor(agency_id: int) -> Callable[[], object]:
        def run() -> object:
            with connection.cursor() as cursor:
                cursor.execute(FLOOR_SQL, [agency_id, today])
                return [intake_id for (intake_id,) in cursor.fetchall()]

        return run

    def check_floor(user: Any, agency_id: int) -> None:
        shown = [row.intake_id for row in page(user, agency_id)()[0]]  # type: ignore[index]
        if shown != floor(agency_id)():
            raise SystemExit(
                f"the floor and the page list different intakes for agency {agency_id}"
            )

    screener = User.objects.get(pk=caseload_user_id)
    scenarios: list[tuple[str, Callable[[], object], Callable[[], object] | None]] = []
    for label, agency_id in (("largest", largest), ("median", median)):
        boss = supervisor_of(agency_id)
        check_floor(boss, agency_id)
        scenarios += [
            (f"due list, {label} agency", page(boss, agency_id), floor(agency_id)),
            (f"  state overdue, {label}", page(boss, agency_id, state="overdue"), None),
            (f"  age 14-15, {label}", page(boss, agency_id, age_band="14_15"), None),
        ]
    scenarios.append(
        (
            "my worklist, biggest caseload",
            lambda: list(my_worklist(user=screener, today=today)[:50]),
            None,
        )
    )
    results: list[tuple[str, list[float], list[float] | None]] = []
    for label, fn, floor_fn in scenarios:
        samples = _time(fn, reps=args.reps, warmups=args.warmups)
        floor_samples = _time(floor_fn, reps=args.reps, warmups=args.warmups) if floor_fn else None
        results.append((label, samples, floor_samples))
        print(f"  timed {label.strip()}: p95 {_percentile(samples, 0.95):.1f} ms", flush=True)

    plans: list[str] = []
    largest_boss = supervisor_of(largest)
    _explain(page(largest_boss, largest), "due list, largest agency", plans)
    _explain(page(largest_boss, largest, state="overdue"), "due list overdue, largest", plans)
    _explain(lambda: list(my_worklist(user=screener, today=today)[:50]), "my worklist", plans)

    coverage_results: list[tuple[str, list[float]]] = []
    coverage_note = ""
    ok_coverage = True
    try:
        from sightline.scheduling.coverage import coverage
    except ImportError:
        coverage_note = "scheduling.coverage is not there yet: coverage not measured (MISSED)"
        ok_coverage = False
    else:
        analyst, state_supervisor = _state_users()
        start = today - dt.timedelta(days=365)
        for group_by, user in (
            ("agency", analyst),
            ("program", analyst),
            ("screener", state_supervisor),
        ):

            def report(group_by: str = group_by, user: Any = user) -> object:
                return coverage(
                    user=user,
                    start=start,
                    end=today - dt.timedelta(days=1),
                    today=today,
                    group_by=group_by,
                )

            samples = _time(report, reps=args.coverage_reps, warmups=2)
            coverage_results.append((f"coverage by {group_by}, state-wide", samples))
            print(f"  timed coverage by {group_by}: p95 {_percentile(samples, 0.95):.0f} ms")
            _explain(report, f"coverage by {group_by}", plans)
    args.plans.parent.mkdir(parents=True, exist_ok=True)
    args.plans.write_text("\n".join(plans))

    ok = ok_coverage
    print(
        f"Screening schedule: {args.youth:,} youth, seed {args.seed}, stay scale {args.stay_scale}"
    )
    print(f"  machine  {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs")
    print(f"  postgres {_scalar('SHOW server_version')}; today = {today} (generator end + 1 day)")
    for name, value in counts.items():
        print(f"  {name:<30} {value:>12,}")
    if timings:
        print(
            f"  generate {timings['generate']:.1f} s, write {timings['write']:.1f} s, "
            f"schedule rebuild {timings['rebuild']:.1f} s "
            f"({timings['youth'] / timings['rebuild']:,.0f} youth/s), "
            f"VACUUM ANALYZE {timings['vacuum']:.1f} s"
        )
    print(
        f"  {'query':<34} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'floor p95':>10} {'ratio':>6}"
    )
    for label, samples, floor_samples in results:
        p95 = _percentile(samples, 0.95)
        passed = p95 < args.target_due_ms
        ok &= passed
        floor_text = ratio = ""
        if floor_samples:
            floor_p95 = _percentile(floor_samples, 0.95)
            floor_text, ratio = f"{floor_p95:.2f}", f"{p95 / floor_p95:.0f}x"
        print(
            f"  {label:<34} {statistics.median(samples):8.1f} {p95:8.1f} {samples[-1]:8.1f} "
            f"{floor_text:>10} {ratio:>6} {'OK' if passed else 'MISSED'}"
        )
    for label, samples in coverage_results:
        p95 = _percentile(samples, 0.95)
        passed = p95 < args.target_coverage_ms
        ok &= passed
        print(
            f"  {label:<34} {statistics.median(samples):8.0f} {p95:8.0f} {samples[-1]:8.0f} "
            f"{'':>10} {'':>6} {'OK' if passed else 'MISSED'}"
        )
    if coverage_note:
        print(f"  {coverage_note}")
    print(
        f"  targets: due list p95 < {args.target_due_ms:.0f} ms, coverage p95 < "
        f"{args.target_coverage_ms:.0f} ms; plans in {args.plans}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
