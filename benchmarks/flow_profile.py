"""Where one screening page flow spends its time (issue 16): SQL statements and a profile per request.

    python -m benchmarks.flow_profile [--flows 40] [--top 35]

In-process, through Django's test client with CSRF checks on, against a fresh PostgreSQL database
(`--database`, created and dropped with psql) with the production settings: sign in, then `--flows`
times the page flow of `benchmarks.load` (POST start, POST save, POST finalize). Prints, per request
kind: SQL statements (and how many read the screening row, write audit events, touch the schedule),
transactions committed, wall time; then a cProfile of the flows (without sign-in) with the cumulative
time of the functions that matter. Not a timed target: a tool to read before and after a change.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import re
import shutil
import statistics
import tempfile
import time
import urllib.parse
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from benchmarks.load import (
    INSTRUMENT,
    PASSWORD,
    TWO_FACTOR_PATH,
    _facts,
    _rating_forms,
    _set_up_people,
    current_code,
)
from benchmarks.pg import PG_ADMIN_URL, psql, set_up_django

PROFILE_DATABASE = "sightline_bench_profile"
SCREENING_READ = re.compile(r'^SELECT .* FROM "screenings_screening"', re.S)
# (label, file path fragment, function name) of the functions whose cumulative time is reported.
WATCHED = (
    ("whole request (WSGI handler)", "django/core/handlers/base.py", "get_response"),
    ("SQL: cursor execute", "django/db/backends/utils.py", "_execute"),
    ("transaction commit", "django/db/backends/base/base.py", "commit"),
    ("view: screening_start", "sightline/web/screening_views.py", "screening_start"),
    ("view: screening_edit", "sightline/web/screening_views.py", "screening_edit"),
    ("service: screening_start", "sightline/screenings/services.py", "screening_start"),
    ("service: screening_save_draft", "sightline/screenings/services.py", "screening_save_draft"),
    ("service: screening_finalize", "sightline/screenings/services.py", "screening_finalize"),
    ("definitions: instruments.available", "sightline/instruments/registry.py", "available"),
    ("definitions: instruments.load", "sightline/instruments/registry.py", "load"),
    ("definitions: read+hash files", "sightline/instruments/registry.py", "_definitions_in"),
    ("definitions: definition_for", "sightline/screenings/definitions.py", "definition_for"),
    (
        "definitions: definition_for_new",
        "sightline/screenings/definitions.py",
        "definition_for_new",
    ),
    ("definitions: json parse", "json/__init__.py", "loads"),
    ("hashing: sha256", "~", "<built-in method _hashlib.openssl_sha256>"),
    ("permissions: has_permission", "sightline/tenancy/permissions.py", "has_permission"),
    (
        "permissions: agencies_with_permission",
        "sightline/tenancy/permissions.py",
        "agencies_with_permission",
    ),
    (
        "access: get_screening_for_user",
        "sightline/screenings/selectors.py",
        "get_screening_for_user",
    ),
    ("access: get_youth_for_user", "sightline/youth/selectors.py", "get_youth_for_user"),
    ("access (new): access.one", "sightline/tenancy/access.py", "one"),
    ("access (new): access.require", "sightline/tenancy/access.py", "require"),
    ("access (new): agency_ids_visible_to", "sightline/tenancy/access.py", "agency_ids_visible_to"),
    ("definitions (new): catalog.definition", "sightline/catalog/selectors.py", "definition"),
    (
        "definitions (new): catalog.current_definition",
        "sightline/catalog/selectors.py",
        "current_definition",
    ),
    ("audit: audit_record", "sightline/audit/services.py", "audit_record"),
    ("schedule: _refresh", "sightline/scheduling/services.py", "_refresh"),
    ("training: current_training", "sightline/tenancy/selectors.py", "current_training"),
    ("scoring: instruments.score", "sightline/instruments/scoring.py", "score"),
    ("forms: PracticeForm init", "sightline/web/forms.py", "__init__"),
    ("forms: is_valid", "django/forms/forms.py", "is_valid"),
    ("templates: render", "django/template/base.py", "render"),
    ("encryption: encrypt_value", "sightline/privacy/fields.py", "encrypt_value"),
    ("encryption: decrypt_value", "sightline/privacy/fields.py", "decrypt_value"),
    ("ORM: compile SQL (as_sql)", "django/db/models/sql/compiler.py", "as_sql"),
    ("ORM: build filters", "django/db/models/sql/query.py", "build_filter"),
    ("session: load", "django/contrib/sessions/backends/db.py", "load"),
    ("session: save", "django/contrib/sessions/backends/db.py", "save"),
    ("auth: get_user", "django/contrib/auth/__init__.py", "get_user"),
    ("messages: add", "django/contrib/messages/api.py", "add_message"),
    ("password hashing: pbkdf2", "~", "<built-in method _hashlib.pbkdf2_hmac>"),
)


class _Statements:
    """Counts what one request sends to the database and how many transactions it commits."""

    def __init__(self) -> None:
        self.sql: list[str] = []
        self.commits = 0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, ctx: Any):
        self.sql.append(sql)
        return execute(sql, params, many, ctx)


def _kinds(sql: list[str]) -> Counter[str]:
    kinds: Counter[str] = Counter()
    for statement in sql:
        verb = statement.split(None, 1)[0].upper()
        kinds[verb] += 1
        if SCREENING_READ.match(statement):
            kinds["screening row read"] += 1
        if '"audit_auditevent"' in statement and verb == "INSERT":
            kinds["audit INSERT"] += 1
        if "scheduling_" in statement:
            kinds["schedule tables"] += 1
        if "django_session" in statement:
            kinds["session"] += 1
    return kinds


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flows", type=int, default=60, help="half timed, half profiled")
    parser.add_argument("--top", type=int, default=35, help="rows of the raw profile to print")
    parser.add_argument("--database", default=PROFILE_DATABASE, help="created and dropped here")
    parser.add_argument("--sql", action="store_true", help="print the statements of one flow")
    args = parser.parse_args(argv)
    psql(f"{PG_ADMIN_URL}/postgres", f"DROP DATABASE IF EXISTS {args.database} WITH (FORCE)")
    psql(f"{PG_ADMIN_URL}/postgres", f"CREATE DATABASE {args.database}")
    var_dir = tempfile.mkdtemp(prefix="sightline-profile-")
    try:
        set_up_django(f"{PG_ADMIN_URL}/{args.database}", var_dir)
        return _profile(args)
    finally:
        from django.db import connections

        connections.close_all()
        shutil.rmtree(var_dir, ignore_errors=True)
        psql(f"{PG_ADMIN_URL}/postgres", f"DROP DATABASE IF EXISTS {args.database} WITH (FORCE)")


def _profile(args: argparse.Namespace) -> int:
    import datetime as dt

    from django.db import connection
    from django.test import Client

    usernames, youth_ids = _set_up_people(1, args.flows)
    forms = _rating_forms(args.flows)
    client = Client(enforce_csrf_checks=True, HTTP_HOST="127.0.0.1")
    statements: dict[str, list[_Statements]] = defaultdict(list)
    wall: dict[str, list[float]] = defaultdict(list)
    cpu: dict[str, list[float]] = defaultdict(list)
    original_commit = connection.commit
    current: list[_Statements] = []

    def counting_commit() -> None:
        if current:
            current[-1].commits += 1
        original_commit()

    connection.commit = counting_commit  # type: ignore[method-assign]

    def post(kind: str, path: str, data: list[tuple[str, str]], expect: str) -> str:
        # URL-encoded, as a browser posts these forms (the test client would send multipart).
        body = urllib.parse.urlencode(
            [*data, ("csrfmiddlewaretoken", client.cookies["csrftoken"].value)]
        )
        counter = _Statements()
        current.append(counter)
        started = time.perf_counter()
        started_cpu = time.process_time()
        with connection.execute_wrapper(counter):
            response = client.post(path, body, content_type="application/x-www-form-urlencoded")
        # As the load benchmark's clients: the flow follows no redirect, so the flash message a
        # browser's next page would read and clear is not sent back (it would pile up otherwise).
        client.cookies.pop("messages", None)
        wall[kind].append((time.perf_counter() - started) * 1000)
        cpu[kind].append((time.process_time() - started_cpu) * 1000)
        current.pop()
        statements[kind].append(counter)
        location = response.get("Location", "")
        if response.status_code != 302 or not re.match(expect, location):
            raise SystemExit(f"{kind}: {response.status_code} -> {location!r}")
        return location

    client.get("/accounts/login/")
    started = time.perf_counter()
    post(
        "sign in (once per session)",
        "/accounts/login/",
        [("username", usernames[0]), ("password", PASSWORD)],
        rf"^{TWO_FACTOR_PATH}",
    )
    post(
        "two-factor code (once per session)",
        TWO_FACTOR_PATH,
        [("code", current_code(usernames[0]))],
        r"^/$",
    )
    sign_in_ms = (time.perf_counter() - started) * 1000
    today = dt.date.today()
    profiler = cProfile.Profile()
    printed: list[str] = []
    # The first half of the flows is timed and counted without the profiler; the second is profiled.
    half = len(youth_ids) // 2
    for index, (youth_id, ratings) in enumerate(zip(youth_ids, forms, strict=True)):
        profiled = index >= half
        tag = "profiled " if profiled else ""
        if profiled:
            profiler.enable()
        location = post(
            f"{tag}1 start (POST start page)",
            f"/youth/{youth_id}/screenings/new/",
            [("instrument_id", INSTRUMENT), *_facts(today)],
            r"^/screenings/\d+/edit/$",
        )
        draft = [*_facts(today), ("notes", ""), *ratings]
        post(f"{tag}2 save ratings", location, [*draft, ("lock_version", "0")], re.escape(location))
        post(
            f"{tag}3 finalize",
            location,
            [*draft, ("lock_version", "1"), ("finalize", "1")],
            r"^/screenings/\d+/$",
        )
        if profiled:
            profiler.disable()
        if args.sql and index == 1:
            for kind in sorted(statements):
                printed.append(f"--- {kind}")
                printed.extend(f"  {sql[:300]}" for sql in statements[kind][-1].sql)

    print(f"Flow profile: {args.flows} flows in-process (test client, CSRF on), PostgreSQL")
    print(f"  sign in: {sign_in_ms:.0f} ms (password hashing; once per session, not in the flow)")
    print(
        f"  {'request':28} {'SQL':>5} {'commits':>8} {'ms p50':>7} {'CPU ms':>7}  statements by kind"
    )
    for kind in sorted(k for k in statements if not k.startswith("profiled")):
        runs = statements[kind]
        sql = statistics.median(len(run.sql) for run in runs)
        commits = statistics.median(run.commits for run in runs)
        kinds = _kinds(runs[-1].sql)
        detail = ", ".join(f"{name} {n}" for name, n in sorted(kinds.items()))
        print(
            f"  {kind:28} {sql:5.0f} {commits:8.0f} {statistics.median(wall[kind]):7.1f}"
            f" {statistics.median(cpu[kind]):7.1f}  {detail}"
        )
    stats = pstats.Stats(profiler)
    profiled_flows = len(youth_ids) - half
    flows_ms = sum(sum(wall[k]) for k in wall if k.startswith("profiled"))
    plain_ms = sum(sum(wall[k]) for k in wall if k[0].isdigit())
    print(
        f"  without the profiler: {plain_ms / half:.1f} ms per flow; under it: "
        f"{flows_ms / profiled_flows:.1f} ms per flow (cProfile slows Python-heavy code most)"
    )
    print(f"  {'function':45} {'calls/flow':>10} {'cum ms/flow':>12} {'share':>6}")
    table = stats.stats  # type: ignore[attr-defined]
    handler_total = None
    for label, fragment, name in WATCHED:
        found = [
            (value[1], value[3])
            for (path, _, function), value in table.items()
            if function == name and (fragment == "~" or path.endswith(fragment))
        ]
        if not found:
            continue
        calls = sum(c for c, _ in found)
        cumulative = max(t for _, t in found) if len(found) > 1 else found[0][1]
        if handler_total is None:
            handler_total = cumulative
        share = cumulative / handler_total if handler_total else 0.0
        print(
            f"  {label:45} {calls / profiled_flows:10.1f} {1000 * cumulative / profiled_flows:12.2f} "
            f"{100 * share:5.1f}%"
        )
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(args.top)
        print(out.getvalue())
    for line in printed:
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
