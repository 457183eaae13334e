"""The agency worklist page over HTTP next to its bare query (issue 21).

    python -m benchmarks.worklist [--youth 2000] [--seed 2026] [--reps 100] [--database NAME]
        [--keep | --reuse]

1. Generates N youth (`sightline.synth`, small by default; `--youth 1000000` for the issue's scale),
   writes them and rebuilds the stored schedule, then VACUUM ANALYZE.
2. Picks the agency with the most open intakes and gives a supervisor there a password.
3. Bare query, in process: what the page asks the database for, through the selectors
   (`agency_worklist` first page of 50 rows with `select_related`, `state_counts`, the programs).
4. The page over HTTP: `GET /schedule/agency/<id>/` from a signed-in session against gunicorn (one sync
   worker, loopback), unfiltered and with a screener picked by name, and the picker's own answer
   (`/screeners/?screener=...`). Reports p50 / p95 / max and the page's size.

10 warm-ups, then `--reps` timed repetitions of each. Runs on a fresh database `--database` (default
`sl_bench_worklist`) created and dropped with psql (kept with `--keep`, measured again with `--reuse`). Exit status 1 when the page's p95 is over 150 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import re
import secrets
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from benchmarks.load import TWO_FACTOR_PATH, _enrol_second_factor, current_code
from benchmarks.pg import (
    PG_ADMIN_URL,
    free_port,
    percentile,
    psql,
    set_up_django,
    start_server,
    stop_server,
)

TARGET_P95_MS = 150.0
PASSWORD = "bench-password-not-secret"


def _time(fn: Callable[[], object], *, reps: int, warmups: int = 10) -> list[float]:
    for _ in range(warmups):
        fn()
    samples = []
    for _ in range(reps):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return sorted(samples)


def _summary(samples: Sequence[float]) -> dict[str, float]:
    return {
        "p50_ms": round(percentile(samples, 0.5), 2),
        "p95_ms": round(percentile(samples, 0.95), 2),
        "max_ms": round(samples[-1], 2),
    }


class Session:
    """A signed-in browser, reduced to cookies over http.client (no redirects followed)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> Any:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                cookie, _, cookie_value = value.split(";", 1)[0].partition("=")
                self.cookies[cookie.strip()] = cookie_value.strip().strip('"')
        connection.close()
        return response.status, payload

    def sign_in(self, username: str) -> None:
        _, page = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if token is None:
            raise SystemExit("the login page has no CSRF token")
        form = {
            "csrfmiddlewaretoken": token.group(1).decode(),
            "username": username,
            "password": PASSWORD,
        }
        status, _ = self.request("POST", "/accounts/login/", form)
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"{username} could not sign in ({status})")
        # Supervisors see identified data: the second factor, from the enrolled authenticator.
        _, page = self.request("GET", TWO_FACTOR_PATH)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if token is None:
            raise SystemExit("the two-factor page has no CSRF token")
        form = {"csrfmiddlewaretoken": token.group(1).decode(), "code": current_code(username)}
        status, _ = self.request("POST", TWO_FACTOR_PATH, form)
        if status != 302:
            raise SystemExit(f"{username}: the second factor was refused ({status})")


def _populate(youth: int, seed: int) -> None:
    from django.db import connection

    from sightline.scheduling.bulk import schedule_rebuild
    from sightline.synth import SynthParams, generate
    from sightline.synth.db import write_population

    write_population(generate(SynthParams(seed=seed, youth=youth)))
    schedule_rebuild()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def _youth_count() -> int:
    from sightline.youth.models import Youth

    return Youth.objects.count()


def _schedule_if_missing() -> None:
    from django.db import connection

    from sightline.scheduling.bulk import schedule_rebuild
    from sightline.scheduling.models import IntakeSchedule

    if not IntakeSchedule.objects.exists():
        schedule_rebuild()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def _subjects() -> tuple[Any, Any, Any]:
    """The agency with the most open intakes, a supervisor there (with the benchmark's password) and
    its busiest screener."""
    from django.contrib.auth.hashers import make_password
    from django.db.models import Count

    from sightline.scheduling.models import IntakeSchedule
    from sightline.security.models import TOTPDevice
    from sightline.tenancy.models import Agency, Membership, Role, User

    busiest = (
        IntakeSchedule.objects.filter(exit_on__isnull=True)
        .values("agency_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    if busiest is None:
        raise SystemExit("no open intakes were generated")
    agency = Agency.objects.get(pk=busiest["agency_id"])
    supervisor, _ = User.objects.get_or_create(username="bench-worklist-supervisor")
    supervisor.password = make_password(PASSWORD)
    supervisor.save(update_fields=["password"])
    Membership.objects.get_or_create(user=supervisor, agency=agency, role=Role.SUPERVISOR)
    TOTPDevice.objects.filter(user=supervisor).delete()  # a reused database keeps an earlier one
    _enrol_second_factor(supervisor)
    screener_id = (
        IntakeSchedule.objects.filter(agency=agency, assigned_to__isnull=False)
        .values("assigned_to_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("assigned_to_id", flat=True)
        .first()
    )
    screener = User.objects.get(pk=screener_id) if screener_id else None
    return agency, supervisor, screener


def _bare(agency: Any, supervisor: Any, today: dt.date) -> Callable[[], object]:
    from sightline.scheduling.selectors import agency_programs, agency_worklist, state_counts

    def run() -> object:
        rows = agency_worklist(user=supervisor, agency_id=agency.pk, today=today)
        page = list(rows[:50])
        counts = state_counts(rows)
        programs = agency_programs(user=supervisor, agency_id=agency.pk, today=today)
        return page, counts, programs

    return run


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--youth", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reps", type=int, default=100)
    parser.add_argument("--database", default="sl_bench_worklist")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure on the existing database --database (another benchmark's --keep, read with "
        "the keys in $SIGHTLINE_BENCH_KEYS_FILE): schedule built if missing, kept at the end",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the database it built (set $SIGHTLINE_BENCH_KEYS_FILE so --reuse can read it)",
    )
    args = parser.parse_args(argv)

    url = f"{PG_ADMIN_URL}/{args.database}"
    if not args.reuse:
        psql(f"{PG_ADMIN_URL}/postgres", f'DROP DATABASE IF EXISTS "{args.database}"')
        psql(f"{PG_ADMIN_URL}/postgres", f'CREATE DATABASE "{args.database}"')
    server = None
    try:
        with tempfile.TemporaryDirectory() as var_dir:
            env = set_up_django(url, var_dir)
            env["SECRET_KEY"] = secrets.token_urlsafe(50)
            started = time.perf_counter()
            if args.reuse:
                _schedule_if_missing()
            else:
                _populate(args.youth, args.seed)
            load_s = time.perf_counter() - started
            from django.utils import timezone

            from sightline.tenancy.permissions import grants_per_request

            agency, supervisor, screener = _subjects()
            today = timezone.localdate()
            with grants_per_request():
                bare = _summary(_time(_bare(agency, supervisor, today), reps=args.reps))

            port = free_port()
            server = start_server(env, port, workers=1, log=Path(var_dir) / "gunicorn.log")
            session = Session(port)
            session.sign_in(supervisor.username)
            page_path = f"/schedule/agency/{agency.pk}/"
            status, body = session.request("GET", page_path)
            if status != 200:
                raise SystemExit(f"the worklist answered {status}")
            typed = (screener.last_name or screener.username)[:4] if screener else "a"
            picker_path = f"/schedule/agency/{agency.pk}/screeners/?" + urllib.parse.urlencode(
                {"screener": typed}
            )
            filtered_path = (
                page_path
                + "?"
                + urllib.parse.urlencode({"screener": str(screener.pk) if screener else ""})
            )
            results = {
                "youth": _youth_count() if args.reuse else args.youth,
                "agency_open_intakes": agency.intakes.filter(exit_on__isnull=True).count(),
                "casework_staff": agency.memberships.filter(role__in=["screener", "supervisor"])
                .values("user_id")
                .distinct()
                .count(),
                "load_s": round(load_s, 1),
                "bare_query": bare,
                "page_http": _summary(
                    _time(lambda: session.request("GET", page_path), reps=args.reps)
                ),
                "page_http_screener_filter": _summary(
                    _time(lambda: session.request("GET", filtered_path), reps=args.reps)
                ),
                "picker_http": _summary(
                    _time(lambda: session.request("GET", picker_path), reps=args.reps)
                ),
                "page_kb": round(len(body) / 1024, 1),
                "page_options": body.count(b"<option"),
            }
    finally:
        if server is not None:
            stop_server(server)
        from django.db import connections

        connections.close_all()
        if not args.reuse and not args.keep:
            psql(
                f"{PG_ADMIN_URL}/postgres",
                f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)',
            )
    print(json.dumps(results, indent=2))
    missed = results["page_http"]["p95_ms"] > TARGET_P95_MS  # type: ignore[index]
    if missed:
        print(f"page p95 over the {TARGET_P95_MS:.0f} ms goal", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
