"""Speed under load (issue 16): the screening page flow against a bare view, on one real server.

    python -m benchmarks.load [--clients 16 32] [--repeats 3] [--seconds 10] [--workers 2] [--api]

One gunicorn server (sync workers, loopback only, production settings, PostgreSQL) serves the product's
pages and, through the benchmark-only URL conf `benchmarks.load_urls`, a bare view doing one ORM INSERT
and one SELECT. For each number of concurrent clients, repeated `--repeats` times and interleaved:

- bare: every client GETs the bare view back to back;
- flow: every client is a screener, signed in once (not timed), who repeats the page flow on youth of
  their own: POST the start-screening page (a draft), POST the draft page with the ratings (saved),
  POST the draft page again with `finalize` (final). Every request is timed; a flow in progress when the
  time is up is finished, so every started flow ends finalized. With `--api`, the same flow through
  the REST API instead (issue 17), each client a case system holding its screener's API token:
  POST /api/screenings (a draft), PATCH it with the ratings and the version read, POST its /finalize.

Reports median and range over the repeats of requests/s and p99 latency, and the ratios flow / bare
against the goals (throughput at least 1/3 of bare, p99 at most 2x bare). Then checks the database:
every started flow finalized exactly once with exactly one CREATE, CHANGE and FINALIZE audit event, no
other screening of the benchmark's youth, one probe row per bare answer, every answer the expected one
(so no 5xx), and no error in the server log. Exit status 1 when a check fails or a goal is missed.

Runs against a fresh PostgreSQL database (`--database`, created and dropped with psql). The load
generator is one asyncio process speaking raw HTTP/1.1 over non-blocking sockets (gunicorn's sync
workers close every connection), so its own cost per request is small; its CPU time is printed with
the results, with the server's CPU time per request (gunicorn workers and PostgreSQL backends, from
/proc), which a busy neighbour on the machine disturbs much less than requests/s.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import platform
import random
import re
import secrets
import shutil
import socket
import statistics
import tempfile
import time
import urllib.parse
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
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

BENCH_DATABASE = "sightline_bench_load"
INSTRUMENT = "cse-it-2.0"
PASSWORD = "bench-password-not-secret"
REQUEST_TIMEOUT = 60.0  # seconds; a request slower than this is an error, not a sample
THROUGHPUT_GOAL = 1 / 3  # flow requests/s at least this share of the bare view's
P99_GOAL = 2.0  # flow p99 at most this multiple of the bare view's
CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
KEPT_COOKIES = frozenset({"sessionid", "csrftoken"})  # not `messages`: the flow follows no redirect
START_LOCATION = re.compile(r"^/screenings/(\d+)/edit/$")
NETWORK_ERRORS = (TimeoutError, OSError, ValueError)


# --- a small HTTP/1.1 client ----------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    location: str
    cookies: dict[str, str]
    body: bytes


async def _http(
    port: int,
    method: str,
    path: str,
    *,
    cookies: dict[str, str] | None = None,
    form: Sequence[tuple[str, str]] | None = None,
    json_body: object | None = None,
    headers: dict[str, str] | None = None,
) -> Answer:
    """One request on a fresh connection (gunicorn's sync workers close it after answering).

    Plain non-blocking sockets on the event loop: asyncio's streams cost about three times as much CPU
    per request here, which the server would feel (load generator and server share two cores).
    """
    body = b"" if form is None else urllib.parse.urlencode(form).encode()
    if json_body is not None:
        body = json.dumps(json_body).encode()
    lines = [
        f"{method} {path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "Connection: close",
        "User-Agent: sightline-load-benchmark",
    ]
    if cookies:
        lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items()))
    lines.extend(f"{name}: {value}" for name, value in (headers or {}).items())
    if form is not None:
        lines.append("Content-Type: application/x-www-form-urlencoded")
    if json_body is not None:
        lines.append("Content-Type: application/json")
    if form is not None or json_body is not None:
        lines.append(f"Content-Length: {len(body)}")
    loop = asyncio.get_running_loop()
    with socket.socket() as connection:
        connection.setblocking(False)
        await loop.sock_connect(connection, ("127.0.0.1", port))
        await loop.sock_sendall(connection, ("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        received = bytearray()
        while (end := received.find(b"\r\n\r\n")) < 0:
            chunk = await loop.sock_recv(connection, 65536)
            if not chunk:
                raise ValueError("connection closed before the headers ended")
            received += chunk
        status_line, *header_lines = received[:end].decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        location = ""
        length: int | None = None
        set_cookies: dict[str, str] = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "location":
                location = value
            elif name == "content-length":
                length = int(value)
            elif name == "set-cookie":
                cookie, _, cookie_value = value.split(";", 1)[0].partition("=")
                set_cookies[cookie.strip()] = cookie_value.strip().strip('"')
        payload = received[end + 4 :]
        while length is None or len(payload) < length:
            chunk = await loop.sock_recv(connection, 65536)
            if not chunk:
                break
            payload += chunk
        if length is not None and len(payload) < length:
            raise ValueError("connection closed before the body ended")
        return Answer(status, location, set_cookies, bytes(payload))


# --- what a run records ---------------------------------------------------------------------------------


@dataclass
class Run:
    kind: str  # "bare" or "flow"
    clients: int
    repeat: int
    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    wrong: list[str] = field(default_factory=list)  # unexpected answers, described
    started: list[int] = field(default_factory=list)  # screening pks whose start answered 302
    finalized: list[int] = field(default_factory=list)  # pks whose finalize answered 302
    bare_ok: int = 0
    elapsed: float = 0.0
    cpu: float = 0.0  # the load generator's CPU seconds during the run
    load_average: float = 0.0  # the machine's 1-minute load average at the end of the run
    server_cpu: float = 0.0  # CPU seconds of gunicorn's workers and PostgreSQL during the run

    @property
    def requests_per_s(self) -> float:
        return len(self.latencies_ms) / self.elapsed

    @property
    def cpu_ms_per_request(self) -> float:
        return 1000 * self.server_cpu / max(1, len(self.latencies_ms))

    @property
    def p99(self) -> float:
        return percentile(sorted(self.latencies_ms), 0.99)

    @property
    def p50(self) -> float:
        return percentile(sorted(self.latencies_ms), 0.50)


async def _timed(run: Run, port: int, method: str, path: str, **kwargs: Any) -> Answer:
    started = time.perf_counter()
    try:
        async with asyncio.timeout(REQUEST_TIMEOUT):
            answer = await _http(port, method, path, **kwargs)
    except NETWORK_ERRORS as error:
        run.statuses[0] += 1
        run.wrong.append(f"{method} {path}: {type(error).__name__} {error}")
        raise
    run.latencies_ms.append((time.perf_counter() - started) * 1000)
    run.statuses[answer.status] += 1
    return answer


class ServerCpu:
    """CPU seconds the server side spends: gunicorn's workers and the PostgreSQL backends of the
    benchmark's database, read from /proc (Linux). On a machine shared with other work, throughput and
    latency move with the neighbours' load; CPU per request moves much less, so it is printed too."""

    TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

    def __init__(self, server_pid: int, database: str) -> None:
        self.server_pid = server_pid
        self.marker = f" {database} ".encode()
        self.start: dict[int, float] = {}
        self.last: dict[int, float] = {}

    def _pids(self) -> list[int]:
        pids: list[int] = []
        with contextlib.suppress(OSError):
            children = Path(f"/proc/{self.server_pid}/task/{self.server_pid}/children").read_text()
            pids += [int(pid) for pid in children.split()]
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(OSError):
                    command = (entry / "cmdline").read_bytes()
                    if command.startswith(b"postgres: ") and self.marker in command:
                        pids.append(int(entry.name))
        return pids

    def _cpu(self, pid: int) -> float | None:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return None
        return (int(fields[11]) + int(fields[12])) / self.TICK  # utime + stime

    def begin(self) -> None:
        self.start, self.last = {}, {}
        for pid in self._pids():
            if (cpu := self._cpu(pid)) is not None:
                self.start[pid] = self.last[pid] = cpu

    def sample(self) -> None:
        """Call often: a backend that exits between samples takes its last slice with it."""
        for pid in self._pids():
            if (cpu := self._cpu(pid)) is not None:
                self.start.setdefault(pid, 0.0)  # started during the run: all of it counts
                self.last[pid] = cpu

    def seconds(self) -> float:
        self.sample()
        return sum(self.last[pid] - self.start[pid] for pid in self.last)


# --- the clients ----------------------------------------------------------------------------------------


@dataclass
class Screener:
    username: str
    cookies: dict[str, str] = field(default_factory=dict)
    token: str = ""  # with --api: the screener's API token, sent instead of a session

    def keep(self, answer: Answer) -> None:
        for name, value in answer.cookies.items():
            if name in KEPT_COOKIES:
                if value:
                    self.cookies[name] = value
                else:
                    self.cookies.pop(name, None)

    async def log_in(self, port: int) -> None:
        page = await _http(port, "GET", "/accounts/login/")
        self.keep(page)
        match = CSRF_INPUT.search(page.body)
        if page.status != 200 or match is None:
            raise SystemExit(f"login page answered {page.status} without a CSRF token")
        form = [
            ("csrfmiddlewaretoken", match.group(1).decode()),
            ("username", self.username),
            ("password", PASSWORD),
        ]
        answer = await _http(port, "POST", "/accounts/login/", cookies=self.cookies, form=form)
        self.keep(answer)
        if answer.status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"{self.username} could not sign in: {answer.status}")
        if TWO_FACTOR_PATH in answer.location:
            await self.second_factor(port)

    async def second_factor(self, port: int) -> None:
        """Screeners sign in with a code from their authenticator: computed here from the secret."""
        page = await _http(port, "GET", TWO_FACTOR_PATH, cookies=self.cookies)
        self.keep(page)
        match = CSRF_INPUT.search(page.body)
        if page.status != 200 or match is None:
            raise SystemExit(f"two-factor page answered {page.status} without a CSRF token")
        form = [
            ("csrfmiddlewaretoken", match.group(1).decode()),
            ("code", current_code(self.username)),
        ]
        answer = await _http(port, "POST", TWO_FACTOR_PATH, cookies=self.cookies, form=form)
        self.keep(answer)
        if answer.status != 302 or TWO_FACTOR_PATH in answer.location:
            raise SystemExit(f"{self.username}: the second factor was refused ({answer.status})")


def _facts(today: dt.date) -> list[tuple[str, str]]:
    return [
        ("reason", "intake"),
        ("information_sources", "records"),
        ("information_sources", "observation"),
        ("screener_role", "clinician"),
        ("known_for", "under_month"),
        ("screened_on", today.isoformat()),
        ("mode", "full"),
    ]


async def _flow(
    run: Run,
    port: int,
    screener: Screener,
    youth_id: int,
    ratings: list[tuple[str, str]],
    today: dt.date,
) -> None:
    """Start, save and finalize one screening of `youth_id`; anything unexpected is recorded."""
    token = [("csrfmiddlewaretoken", screener.cookies.get("csrftoken", ""))]
    start = await _timed(
        run,
        port,
        "POST",
        f"/youth/{youth_id}/screenings/new/",
        cookies=screener.cookies,
        form=[*token, ("instrument_id", INSTRUMENT), *_facts(today)],
    )
    match = START_LOCATION.match(start.location)
    if start.status != 302 or match is None:
        run.wrong.append(f"start for youth {youth_id}: {start.status} -> {start.location!r}")
        return
    pk = int(match.group(1))
    run.started.append(pk)
    edit = f"/screenings/{pk}/edit/"
    draft = [*token, *_facts(today), ("notes", ""), *ratings]
    saved = await _timed(
        run, port, "POST", edit, cookies=screener.cookies, form=[*draft, ("lock_version", "0")]
    )
    if saved.status != 302 or saved.location != edit:
        run.wrong.append(f"save of {pk}: {saved.status} -> {saved.location!r}")
        return
    final = await _timed(
        run,
        port,
        "POST",
        edit,
        cookies=screener.cookies,
        form=[*draft, ("lock_version", "1"), ("finalize", "1")],
    )
    if final.status != 302 or final.location != f"/screenings/{pk}/":
        run.wrong.append(f"finalize of {pk}: {final.status} -> {final.location!r}")
        return
    run.finalized.append(pk)


def _api_facts(today: dt.date) -> dict[str, Any]:
    """The facts of `_facts`, as the API takes them."""
    facts: dict[str, Any] = {"information_sources": []}
    for name, value in _facts(today):
        if name == "information_sources":
            facts[name].append(value)
        else:
            facts[name] = value
    return facts


async def _api_flow(
    run: Run,
    port: int,
    screener: Screener,
    youth_id: int,
    ratings: list[tuple[str, str]],
    today: dt.date,
) -> None:
    """The flow of `_flow` through the REST API, authenticated by the screener's token."""
    bearer = {"Authorization": f"Bearer {screener.token}"}
    start = await _timed(
        run,
        port,
        "POST",
        "/api/screenings",
        headers=bearer,
        json_body={"youth_id": youth_id, "instrument_id": INSTRUMENT, **_api_facts(today)},
    )
    if start.status != 201:
        run.wrong.append(f"API start for youth {youth_id}: {start.status} {start.body[:200]!r}")
        return
    pk = int(json.loads(start.body)["id"])
    run.started.append(pk)
    path = f"/api/screenings/{pk}"
    values = {name.removeprefix("rating-"): _API_VALUES[code] for name, code in ratings}
    saved = await _timed(
        run,
        port,
        "PATCH",
        path,
        headers=bearer,
        json_body={"lock_version": 0, "indicator_ratings": values},
    )
    if saved.status != 200:
        run.wrong.append(f"API save of {pk}: {saved.status} {saved.body[:200]!r}")
        return
    final = await _timed(
        run, port, "POST", f"{path}/finalize", headers=bearer, json_body={"lock_version": 1}
    )
    if final.status != 200 or json.loads(final.body).get("status") != "final":
        run.wrong.append(f"API finalize of {pk}: {final.status} {final.body[:200]!r}")
        return
    run.finalized.append(pk)


# The stored rating values by the codes the draft page posts (filled by `_rating_forms`).
_API_VALUES: dict[str, int] = {}


async def _flow_client(
    run: Run,
    port: int,
    screener: Screener,
    youth_ids: list[int],
    forms: list[list[tuple[str, str]]],
    deadline: float,
    seed: int,
) -> None:
    rng = random.Random(seed)
    today = dt.date.today()
    turn = 0
    flow = _api_flow if screener.token else _flow
    while time.perf_counter() < deadline:
        with contextlib.suppress(
            *NETWORK_ERRORS
        ):  # recorded by _timed; the next flow starts afresh
            await flow(
                run, port, screener, youth_ids[turn % len(youth_ids)], rng.choice(forms), today
            )
        turn += 1


async def _bare_client(run: Run, port: int, deadline: float) -> None:
    while time.perf_counter() < deadline:
        try:
            answer = await _timed(run, port, "GET", "/bench/bare/")
        except NETWORK_ERRORS:
            continue
        if answer.status == 200:
            run.bare_ok += 1
        else:
            run.wrong.append(f"bare: {answer.status}")


async def _meter(meter: ServerCpu, done: asyncio.Event) -> None:
    while not done.is_set():
        meter.sample()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), 0.5)


async def _run(
    run: Run,
    port: int,
    seconds: float,
    meter: ServerCpu,
    screeners: Sequence[Screener] = (),
    pools: Sequence[list[int]] = (),
    forms: list[list[tuple[str, str]]] | None = None,
) -> Run:
    meter.begin()
    done = asyncio.Event()
    metering = asyncio.create_task(_meter(meter, done))
    cpu_started = time.process_time()
    started = time.perf_counter()
    deadline = started + seconds
    if run.kind == "bare":
        tasks = [_bare_client(run, port, deadline) for _ in range(run.clients)]
    else:
        assert forms is not None
        tasks = [
            _flow_client(run, port, screener, pool, forms, deadline, seed=index)
            for index, (screener, pool) in enumerate(zip(screeners, pools, strict=True))
        ]
    await asyncio.gather(*tasks)
    run.elapsed = time.perf_counter() - started
    run.cpu = time.process_time() - cpu_started
    done.set()
    await metering
    run.server_cpu = meter.seconds()
    run.load_average = os.getloadavg()[0]
    return run


# --- set-up through the services ------------------------------------------------------------------------


TWO_FACTOR_PATH = "/accounts/two-factor/"
# Each benchmark screener's TOTP secret, by username: the clients answer the second factor with it.
_TOTP_SECRETS: dict[str, str] = {}
# And each one's API token (`--api`): a case system's clients send it instead of signing in.
_API_TOKENS: dict[str, str] = {}


def _enrol_second_factor(user: Any) -> None:
    """A confirmed authenticator for `user`, as enrolment would leave it (screeners must use one)."""
    from django.utils import timezone

    from sightline.security import totp
    from sightline.security.models import TOTPDevice

    secret = totp.new_secret()
    now = timezone.now()
    TOTPDevice.objects.create(user=user, secret=secret, created_at=now, confirmed_at=now)
    _TOTP_SECRETS[user.username] = secret


def current_code(username: str) -> str:
    """The code `username`'s authenticator shows now."""
    from sightline.security import totp

    return totp.totp(totp.secret_bytes(_TOTP_SECRETS[username]), time.time())


def _set_up_people(screeners: int, youth: int) -> tuple[list[str], list[int]]:
    """An agency, `screeners` trained screeners and `youth` youth, each with an open intake."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from sightline.apitokens.services import token_create
    from sightline.tenancy.models import Agency, AgencyType, County, Membership, Role, User
    from sightline.tenancy.permissions import ROLE_PERMISSIONS
    from sightline.tenancy.services import membership_create, training_record_create
    from sightline.youth.services import youth_create

    run = secrets.token_hex(4)
    today = timezone.localdate()
    county = County.objects.create(name=f"Load {run}", state="CA")
    agency = Agency.objects.create(name="Load agency", type=AgencyType.CHILD_WELFARE, county=county)
    password = make_password(PASSWORD)  # one hash for everyone: hashing is slow by design
    admin = User.objects.create(
        username=f"load-admin-{run}", email=f"admin-{run}@bench.invalid", password=password
    )
    Membership.objects.create(user=admin, agency=agency, role=Role.AGENCY_ADMIN)  # bootstrap
    usernames = []
    screener = admin
    for index in range(screeners):
        screener = User.objects.create(
            username=f"load-screener-{index}-{run}",
            email=f"screener-{index}-{run}@bench.invalid",
            password=password,
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
            trainer="Load trainer",
        )
        usernames.append(screener.username)
        _enrol_second_factor(screener)
        _API_TOKENS[screener.username] = token_create(
            by=screener,
            name="load benchmark",
            agency_ids=[agency.pk],
            permissions=sorted(ROLE_PERMISSIONS[Role.SCREENER], key=lambda p: p.value),
        ).secret
    youth_ids = [
        youth_create(
            by=screener,  # the last one; an agency admin does not edit youth records
            agency=agency,
            first_name=f"Load{index}",
            last_name="Youth",
            date_of_birth=today - dt.timedelta(days=365 * 14 + index % 700),
            gender_identity="unknown",
            intake_on=today,
        ).pk
        for index in range(youth)
    ]
    return usernames, youth_ids


def _rating_forms(count: int) -> list[list[tuple[str, str]]]:
    """`count` complete sets of ratings as the draft page posts them, each with a valid level."""
    from sightline import instruments

    definition = instruments.load(INSTRUMENT)
    codes = {option.value: option.code for option in definition.indicator_scale}
    _API_VALUES.update({code: value for value, code in codes.items()})
    rng = random.Random(16)
    forms: list[list[tuple[str, str]]] = []
    while len(forms) < count:
        ratings = {
            i.id: rng.choices((0, 1, 2, instruments.NEI), (0.85, 0.1, 0.02, 0.03))[0]
            for i in definition.indicators
        }
        result = instruments.score(definition, ratings)
        if result.valid and result.level is not None:
            forms.append([(f"rating-{iid}", codes[value]) for iid, value in ratings.items()])
    return forms


# --- checks ---------------------------------------------------------------------------------------------


def _check_database(runs: Sequence[Run], youth_ids: list[int]) -> list[str]:
    """What the database must hold after the runs; one line per problem."""
    from django.db.models import Count

    from benchmarks.load_urls import LoadProbe
    from sightline.audit.models import AuditAction, AuditEvent
    from sightline.screenings.models import Screening, ScreeningStatus

    problems: list[str] = []
    started = [pk for run in runs for pk in run.started]
    finalized = [pk for run in runs for pk in run.finalized]
    if len(set(started)) != len(started):
        problems.append("a screening pk was handed out twice")
    if sorted(finalized) != sorted(started):
        problems.append(f"{len(started)} flows started, {len(finalized)} answered finalized")
    rows = dict(
        Screening.objects.filter(youth_id__in=youth_ids)
        .exclude(finalized_at=None)
        .filter(status=ScreeningStatus.FINAL)
        .values_list("pk", "finalized_by_id")
    )
    every = set(Screening.objects.filter(youth_id__in=youth_ids).values_list("pk", flat=True))
    if every != set(started):
        problems.append(
            f"screenings of the benchmark's youth: {len(every)} in the database, "
            f"{len(set(started))} started by the clients"
        )
    not_final = set(started) - set(rows)
    if not_final:
        problems.append(f"{len(not_final)} started flows not final, e.g. {sorted(not_final)[:5]}")
    events = Counter(
        {
            (int(object_id), action): n
            for object_id, action, n in AuditEvent.objects.filter(
                object_type="screening", object_id__in=[str(pk) for pk in started]
            )
            .values_list("object_id", "action")
            .annotate(n=Count("id"))
        }
    )
    wanted = (AuditAction.CREATE, AuditAction.CHANGE, AuditAction.FINALIZE)
    incomplete = [pk for pk in started if any(events[(pk, action.value)] != 1 for action in wanted)]
    if incomplete:
        example = incomplete[0]
        found = {action: n for (pk, action), n in events.items() if pk == example}
        problems.append(
            f"{len(incomplete)} flows without exactly one CREATE, CHANGE and FINALIZE event; "
            f"screening {example} has {found}"
        )
    bare_ok = sum(run.bare_ok for run in runs)
    probes = LoadProbe.objects.count()
    if probes != bare_ok:
        problems.append(f"{bare_ok} bare answers but {probes} probe rows")
    return problems


def _check_log(log: Path) -> list[str]:
    text = log.read_text(errors="replace")
    problems = []
    for marker in ("Traceback", "WORKER TIMEOUT", "[ERROR]", "Internal Server Error"):
        count = text.count(marker)
        if count:
            problems.append(f"server log: {count} x {marker!r} (see {log})")
    return problems


# --- report ---------------------------------------------------------------------------------------------


def _spread(values: Sequence[float], digits: int = 0) -> str:
    return (
        f"{statistics.median(values):,.{digits}f} "
        f"({min(values):,.{digits}f}-{max(values):,.{digits}f})"
    )


def _report(runs: Sequence[Run], clients: Sequence[int]) -> bool:
    """Print the table and the ratios; True when every goal is met."""
    print("  runs (in the order they ran):")
    for run in runs:
        print(
            f"    {run.kind:4} {run.clients:2} clients #{run.repeat}: "
            f"{len(run.latencies_ms):5} requests in {run.elapsed:5.1f} s = "
            f"{run.requests_per_s:6.1f} req/s   p50 {run.p50:6.1f} ms   p99 {run.p99:6.1f} ms   "
            f"server CPU {run.cpu_ms_per_request:5.1f} ms/request   "
            f"load generator CPU {100 * run.cpu / run.elapsed:4.1f} % of one core   "
            f"load average {run.load_average:.1f}"
        )
    print("  median (min-max) over the repeats:")
    print(f"    {'':16} {'requests/s':>22} {'p99 ms':>22} {'p50 ms':>22} {'server CPU ms/req':>20}")
    met = True
    for n in clients:
        medians: dict[str, tuple[float, float, float]] = {}
        for kind in ("bare", "flow"):
            mine = [run for run in runs if run.kind == kind and run.clients == n]
            rates = [run.requests_per_s for run in mine]
            p99s = [run.p99 for run in mine]
            print(
                f"    {kind} {n:2} clients  {_spread(rates):>22} {_spread(p99s, 1):>22} "
                f"{_spread([run.p50 for run in mine], 1):>22} "
                f"{_spread([run.cpu_ms_per_request for run in mine], 1):>20}"
            )
            medians[kind] = (
                statistics.median(rates),
                statistics.median(p99s),
                statistics.median(run.cpu_ms_per_request for run in mine),
            )
        throughput = medians["flow"][0] / medians["bare"][0]
        tail = medians["flow"][1] / medians["bare"][1]
        ok_throughput = throughput >= THROUGHPUT_GOAL
        ok_tail = tail <= P99_GOAL
        met = met and ok_throughput and ok_tail
        print(
            f"    {n} clients: flow/bare throughput {throughput:.2f} "
            f"(goal >= {THROUGHPUT_GOAL:.2f}: {'PASS' if ok_throughput else 'FAIL'}); "
            f"flow/bare p99 {tail:.1f}x (goal <= {P99_GOAL:.0f}x: {'PASS' if ok_tail else 'FAIL'}); "
            f"server CPU per request flow/bare {medians['flow'][2] / medians['bare'][2]:.1f}x"
        )
    return met


# --- main -----------------------------------------------------------------------------------------------


async def _measure(
    port: int,
    usernames: list[str],
    youth_ids: list[int],
    forms: list[list[tuple[str, str]]],
    args: argparse.Namespace,
    meter: ServerCpu,
) -> list[Run]:
    if args.api:
        screeners = [Screener(username, token=_API_TOKENS[username]) for username in usernames]
    else:
        screeners = [Screener(username) for username in usernames]
        for screener in screeners:  # one at a time: each sign-in hashes a password
            await screener.log_in(port)
    pools = iter(youth_ids)

    def take(n: int) -> list[list[int]]:
        return [[next(pools) for _ in range(args.youth_per_client)] for _ in range(n)]

    warm_up = min(args.clients)
    runs = [
        await _run(Run("bare", warm_up, 0), port, args.warm_up, meter),
        await _run(
            Run("flow", warm_up, 0),
            port,
            args.warm_up,
            meter,
            screeners[:warm_up],
            take(warm_up),
            forms,
        ),
    ]
    for repeat in range(1, args.repeats + 1):
        for n in args.clients:
            runs.append(await _run(Run("bare", n, repeat), port, args.seconds, meter))
            runs.append(
                await _run(
                    Run("flow", n, repeat), port, args.seconds, meter, screeners[:n], take(n), forms
                )
            )
    return runs


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[16, 32])
    parser.add_argument("--repeats", type=int, default=3, help="runs of each configuration")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each run")
    parser.add_argument("--warm-up", type=float, default=3.0, help="seconds, not reported")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--youth-per-client", type=int, default=4, help="fresh youth per run")
    parser.add_argument("--database", default=BENCH_DATABASE, help="created and dropped here")
    parser.add_argument(
        "--api", action="store_true", help="the flow through the REST API (tokens), not the pages"
    )
    args = parser.parse_args(argv)
    if shutil.which("psql") is None:
        print("psql is needed to create the benchmark database")
        return 1
    if args.repeats < 1 or args.seconds <= 0:
        print("--repeats and --seconds must be positive")
        return 1

    database_url = f"{PG_ADMIN_URL}/{args.database}"
    psql(f"{PG_ADMIN_URL}/postgres", f"DROP DATABASE IF EXISTS {args.database} WITH (FORCE)")
    psql(f"{PG_ADMIN_URL}/postgres", f"CREATE DATABASE {args.database}")
    var_dir = tempfile.mkdtemp(prefix="sightline-load-")
    log = Path(var_dir) / "gunicorn.log"
    try:
        env = set_up_django(database_url, var_dir)
        env["DJANGO_SETTINGS_MODULE"] = "benchmarks.load_settings"
        from django.db import connection, connections

        from benchmarks.load_urls import PROBE_DDL

        with connection.cursor() as cursor:
            cursor.execute(PROBE_DDL)
        most = max(args.clients)
        youth_needed = args.youth_per_client * (
            min(args.clients) + args.repeats * sum(args.clients)
        )
        setup_started = time.perf_counter()
        usernames, youth_ids = _set_up_people(most, youth_needed)
        forms = _rating_forms(64)
        setup_seconds = time.perf_counter() - setup_started
        connections.close_all()

        port = free_port()
        server = start_server(env, port, args.workers, log)
        try:
            meter = ServerCpu(server.pid, args.database)
            runs = asyncio.run(_measure(port, usernames, youth_ids, forms, args, meter))
        finally:
            stop_server(server)

        problems = [message for run in runs for message in run.wrong[:5]]
        wrong_total = sum(len(run.wrong) for run in runs)
        server_errors = sum(
            n for run in runs for status, n in run.statuses.items() if status >= 500
        )
        if wrong_total:
            problems.insert(0, f"{wrong_total} unexpected answers ({server_errors} of them 5xx)")
        problems += _check_database(runs, youth_ids)
        problems += _check_log(log)
        connections.close_all()

        measured = [run for run in runs if run.repeat > 0]
        statuses = sum((run.statuses for run in runs), Counter())
        print(
            f"Load: gunicorn -w {args.workers} (sync), PostgreSQL, {args.repeats} x "
            f"{args.seconds:.0f} s per configuration, clients {args.clients}, "
            f"flow through the {'REST API (tokens)' if args.api else 'pages (sessions)'}"
        )
        print(
            f"  machine: {platform.machine()}, {os.cpu_count()} CPUs, "
            f"Python {platform.python_version()}; set-up through services {setup_seconds:.1f} s"
        )
        flows = sum(len(run.finalized) for run in runs)
        print(
            f"  {flows} flows finalized ({sum(len(r.started) for r in runs)} started), "
            f"{sum(r.bare_ok for r in runs)} bare answers; status codes {dict(sorted(statuses.items()))}"
        )
        met = _report(measured, args.clients)
        for problem in problems:
            print(f"  CHECK FAILED: {problem}")
        print(
            f"  checks: {'OK' if not problems else 'FAILED'}; goals: {'met' if met else 'missed'}"
        )
        return 0 if met and not problems else 1
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
        psql(f"{PG_ADMIN_URL}/postgres", f"DROP DATABASE IF EXISTS {args.database} WITH (FORCE)")


if __name__ == "__main__":
    raise SystemExit(main())
