"""Finalize round trip (issue 3): one screener finalizing complete drafts over HTTP on a real server.

    python -m benchmarks.finalize [--rows 300] [--workers 2] [--target-p95-ms 250]

Each timed request is the draft page's "Finalize" POST: the form is parsed, the draft saved, the result
re-scored from the pinned definition, the row finalized and the audit events written, then a redirect.
Runs against PostgreSQL: DATABASE_URL when set (the rows it adds stay), otherwise a fresh database
`sightline_bench` that this script creates and drops with psql. Gunicorn listens on loopback only; the
server is stopped whatever happens. Exit status 1 when a response or the database is wrong, or p95 misses
the target.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.cookiejar
import os
import platform
import re
import secrets
import shutil
import statistics
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.pg import (
    PG_ADMIN_URL,
    free_port,
    percentile,
    psql,
    set_up_django,
    start_server,
    stop_server,
)

BENCH_DATABASE = "sightline_bench"
INSTRUMENT = "cse-it-2.0"
PASSWORD = "bench-password-not-secret"
REQUEST_TIMEOUT = 30.0
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class _LoopbackCookiePolicy(http.cookiejar.DefaultCookiePolicy):
    """Send Secure cookies to 127.0.0.1: the server runs with production settings (secure cookies) and
    the benchmark talks plain HTTP over loopback only."""

    def return_ok_secure(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return urllib.parse.urlsplit(request.get_full_url()).hostname == "127.0.0.1"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect is the answer being measured, not something to follow


class Client:
    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar(policy=_LoopbackCookiePolicy())
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )

    def request(self, path: str, data: dict[str, Any] | None = None) -> tuple[int, str, str]:
        """(status, Location header, body) without following redirects."""
        body = None if data is None else urllib.parse.urlencode(data, doseq=True).encode()
        try:
            with self.opener.open(self.base + path, body, timeout=REQUEST_TIMEOUT) as response:
                return (
                    response.status,
                    response.headers.get("Location", ""),
                    response.read().decode(),
                )
        except urllib.error.HTTPError as answer:
            with answer:
                return answer.code, answer.headers.get("Location", ""), answer.read().decode()

    def csrf_token(self) -> str:
        return next(cookie.value for cookie in self.jar if cookie.name == "csrftoken") or ""

    def log_in(self, username: str, password: str) -> None:
        status, _, page = self.request("/accounts/login/")
        match = CSRF_INPUT.search(page)
        if status != 200 or match is None:
            raise SystemExit(f"login page answered {status} without a CSRF token")
        status, _, _ = self.request(
            "/accounts/login/",
            {"csrfmiddlewaretoken": match.group(1), "username": username, "password": password},
        )
        if status != 302:
            raise SystemExit(f"login failed: {status}")


def _create_drafts(rows: int) -> tuple[str, list[dict[str, Any]]]:
    """An agency, a trained screener, and `rows` youth with a complete draft each, through the services.

    Returns the screener's username and, per draft, the form the edit page would post to finalize it.
    """
    import random

    from django.utils import timezone

    from sightline import instruments
    from sightline.screenings.services import screening_save_draft, screening_start
    from sightline.tenancy.models import Agency, AgencyType, County, Membership, Role, User
    from sightline.tenancy.services import membership_create, training_record_create
    from sightline.youth.services import youth_create

    run = secrets.token_hex(4)
    today = timezone.localdate()
    county = County.objects.create(name=f"Bench {run}", state="CA")
    agency = Agency.objects.create(
        name="Bench agency", type=AgencyType.CHILD_WELFARE, county=county
    )
    admin = User.objects.create_user(
        username=f"bench-admin-{run}", email=f"admin-{run}@bench.invalid", password=PASSWORD
    )
    Membership.objects.create(user=admin, agency=agency, role=Role.AGENCY_ADMIN)  # bootstrap
    screener = User.objects.create_user(
        username=f"bench-screener-{run}", email=f"screener-{run}@bench.invalid", password=PASSWORD
    )
    membership_create(
        by=admin, agency=agency, user=screener, role=Role.SCREENER, screener_role="clinician"
    )
    training_record_create(
        by=admin,
        agency=agency,
        user=screener,
        instrument_id=INSTRUMENT,
        trained_on=today - dt.timedelta(days=30),
        trainer="Bench trainer",
    )
    definition = instruments.load(INSTRUMENT)
    codes = {option.value: option.code for option in definition.indicator_scale}
    rng = random.Random(3)
    forms: list[dict[str, Any]] = []
    for index in range(rows):
        youth = youth_create(
            by=screener,
            agency=agency,
            first_name=f"Bench{index}",
            last_name="Youth",
            date_of_birth=today - dt.timedelta(days=365 * 14 + index),
            gender_identity="unknown",
            intake_on=today,
        )
        screening = screening_start(
            youth=youth,
            by=screener,
            instrument_id=INSTRUMENT,
            reason="intake",
            information_sources=["records", "observation"],
            screener_role="clinician",
            known_for="under_month",
        )
        ratings = {
            i.id: rng.choices((0, 1, 2, instruments.NEI), (0.85, 0.1, 0.02, 0.03))[0]
            for i in definition.indicators
        }
        screening = screening_save_draft(
            screening=screening,
            by=screener,
            expected_lock_version=screening.lock_version,
            indicator_ratings=ratings,
        )
        forms.append(
            {
                "pk": screening.pk,
                "reason": "intake",
                "information_sources": ["records", "observation"],
                "screener_role": "clinician",
                "known_for": "under_month",
                "screened_on": screening.screened_on.isoformat(),
                "mode": "full",
                "notes": "",
                "lock_version": screening.lock_version,
                **{f"rating-{iid}": codes[value] for iid, value in ratings.items()},
                "finalize": "1",
            }
        )
    return screener.username, forms


def _measure(base: str, username: str, forms: list[dict[str, Any]]) -> tuple[list[float], int]:
    """Finalize every draft once; (milliseconds per request, number of wrong answers)."""
    from sightline.screenings.models import Screening, ScreeningStatus

    client = Client(base)
    client.log_in(username, PASSWORD)
    timings: list[float] = []
    wrong = 0
    for form in forms:
        pk = form["pk"]
        data = {k: v for k, v in form.items() if k != "pk"}
        data["csrfmiddlewaretoken"] = client.csrf_token()
        started = time.perf_counter()
        status, location, _ = client.request(f"/screenings/{pk}/edit/", data)
        timings.append((time.perf_counter() - started) * 1000)
        final = Screening.objects.filter(pk=pk, status=ScreeningStatus.FINAL).exists()
        if status != 302 or location != f"/screenings/{pk}/" or not final:
            wrong += 1
            print(f"screening {pk}: {status} -> {location!r}, final in database: {final}")
    return timings, wrong


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows", type=int, default=300, help="drafts to finalize (one request each)"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--target-p95-ms", type=float, default=250.0)
    args = parser.parse_args(argv)
    if shutil.which("psql") is None and "DATABASE_URL" not in os.environ:
        print("psql is needed to create the benchmark database (or set DATABASE_URL)")
        return 1

    own_database = "DATABASE_URL" not in os.environ
    database_url = os.environ.get("DATABASE_URL", f"{PG_ADMIN_URL}/{BENCH_DATABASE}")
    if not database_url.startswith("postgres"):
        print("DATABASE_URL must name a PostgreSQL database")
        return 1
    if own_database:
        psql(f"{PG_ADMIN_URL}/postgres", f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")
        psql(f"{PG_ADMIN_URL}/postgres", f"CREATE DATABASE {BENCH_DATABASE}")
    var_dir = tempfile.mkdtemp(prefix="sightline-bench-")
    try:
        env = set_up_django(database_url, var_dir)
        setup_started = time.perf_counter()
        username, forms = _create_drafts(args.rows)
        setup_seconds = time.perf_counter() - setup_started

        from django.db import connections

        from sightline.audit.models import AuditEvent
        from sightline.screenings.models import Screening, ScreeningStatus

        connections.close_all()
        port = free_port()
        server = start_server(env, port, args.workers, Path(var_dir) / "gunicorn.log")
        try:
            wall_started = time.perf_counter()
            timings, wrong = _measure(f"http://127.0.0.1:{port}", username, forms)
            wall = time.perf_counter() - wall_started
        finally:
            stop_server(server)

        pks = [form["pk"] for form in forms]
        finals = Screening.objects.filter(pk__in=pks, status=ScreeningStatus.FINAL)
        finalized = finals.exclude(finalized_at=None).count()
        events = AuditEvent.objects.filter(
            action="finalize", object_type="screening", object_id__in=[str(pk) for pk in pks]
        ).count()
        connections.close_all()
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
        if own_database:
            # FORCE: a failed run may leave this process's own connection open.
            psql(
                f"{PG_ADMIN_URL}/postgres", f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)"
            )

    ordered = sorted(timings)
    p50, p95, p99 = (percentile(ordered, share) for share in (0.50, 0.95, 0.99))
    print(f"Finalize round trip: {args.rows} drafts, gunicorn -w {args.workers}, one client")
    print(
        f"  machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print(f"  set-up through services: {setup_seconds:.1f} s")
    print(
        f"  p50 {p50:.1f} ms   p95 {p95:.1f} ms   p99 {p99:.1f} ms   "
        f"min {ordered[0]:.1f} ms   max {ordered[-1]:.1f} ms   mean {statistics.fmean(ordered):.1f} ms"
    )
    print(
        f"  {len(ordered) / (sum(ordered) / 1000):.1f} finalizations/s back to back; "
        f"{wall:.1f} s wall clock including a database check after each request"
    )
    print(
        f"  database: {finalized}/{args.rows} final with finalized_at, {events} finalize audit events"
    )
    ok = wrong == 0 and finalized == args.rows and events == args.rows
    met = p95 <= args.target_p95_ms
    print(
        f"  p95 <= {args.target_p95_ms:.0f} ms: {'PASS' if met else 'FAIL'}; answers and rows: {'OK' if ok else 'WRONG'}"
    )
    return 0 if ok and met else 1


if __name__ == "__main__":
    raise SystemExit(main())
