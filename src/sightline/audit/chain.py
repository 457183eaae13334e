"""The hash chain that makes the audit log tamper-evident.

Each event holds its place in the chain (`seq`, 1, 2, 3 ... without gaps), the hash of the event before
it (`prev_hash`) and its own `hash`: SHA-256 over a canonical JSON of its fields and `prev_hash`. Changing,
removing, inserting or reordering an event by SQL therefore breaks the chain at that place, and
`verify` names it. Removing the newest events leaves a shorter but intact chain, so the head is
*anchored* (`anchor`, written off the database) and `verify` checks every anchor: an anchored event that
is gone or different is a truncation or a rewrite.

Why events are chained after their transaction commits (`seal_pending`), not when they are written: a
service writes its events inside its own transaction, and a chain lock taken there would be held until
that transaction ends, serialising every audited request behind the slowest. So an event is inserted
unchained (`seq` NULL) with the service's other rows, and a short transaction of its own, under one
lock (PostgreSQL: `pg_advisory_xact_lock`; SQLite serialises writers anyway), chains every pending
event in id order right after the commit. A crash between the two leaves events pending, never lost:
the next seal, `sightline audit seal`, `verify` and `anchor` chain them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections, models, transaction
from django.db.models import Subquery

log = logging.getLogger(__name__)

GENESIS = "0" * 64
FORMAT = 1  # the canonical serialisation's version, hashed with every event
# A fixed 64-bit key for pg_advisory_xact_lock: "sightline audit chain".
LOCK_KEY = int.from_bytes(hashlib.sha256(b"sightline audit chain").digest()[:8], "big", signed=True)
# The fields an event's hash covers, in this order; the chain columns are added to them.
HASHED_FIELDS = (
    "id",
    "at",
    "actor_id",
    "agency_id",
    "action",
    "object_type",
    "object_id",
    "youth_id",
    "ip_address",
    "user_agent",
    "path",
    "channel",
    "request_id",
    "detail",
)
SEAL_BATCH = 500


def _model() -> type[models.Model]:
    from sightline.audit.models import AuditEvent

    return AuditEvent


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    return value


def canonical(row: dict[str, Any], *, seq: int, prev_hash: str) -> bytes:
    """The bytes an event's hash is taken over: its fields, its place and the previous hash."""
    body = [FORMAT, seq, prev_hash, *(_plain(row[name]) for name in HASHED_FIELDS)]
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_hash(row: dict[str, Any], *, seq: int, prev_hash: str) -> str:
    return hashlib.sha256(canonical(row, seq=seq, prev_hash=prev_hash)).hexdigest()


def lock(using: str = "default", *, durable: bool = True) -> None:
    """Take the chain lock until the current transaction ends (PostgreSQL; SQLite's write lock is it).

    `durable=False` also lets this transaction commit without waiting for the disk, in the same
    round trip (see `seal_pending`).
    """
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            if durable:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
            else:
                cursor.execute(
                    "SELECT set_config('synchronous_commit', 'off', true), "
                    "pg_advisory_xact_lock(%s)",
                    [LOCK_KEY],
                )


def seal_locked(model: type[models.Model] | None = None, *, using: str = "default") -> int:
    """Chain up to SEAL_BATCH pending events; the caller holds the lock inside a transaction.

    One query reads the pending events with the chain head beside them (uncorrelated subqueries,
    evaluated once), one executemany writes their chain columns.
    """
    model = model or _model()
    manager = model._base_manager.using(using)
    newest = manager.filter(seq__isnull=False).order_by("-seq")
    pending = list(
        manager.filter(seq__isnull=True)
        .annotate(
            head_seq=Subquery(newest.values("seq")[:1]),
            head_hash=Subquery(newest.values("hash")[:1]),
        )
        .order_by("id")
        .values(*HASHED_FIELDS, "head_seq", "head_hash")[:SEAL_BATCH]
    )
    if not pending:
        return 0
    head_seq = pending[0]["head_seq"]
    seq, prev = (head_seq, pending[0]["head_hash"]) if head_seq is not None else (0, GENESIS)
    updates = []
    for row in pending:
        seq += 1
        digest = event_hash(row, seq=seq, prev_hash=prev)
        updates.append((seq, prev, digest, row["id"]))
        prev = digest
    with connections[using].cursor() as cursor:
        cursor.executemany(
            f"UPDATE {model._meta.db_table} SET seq = %s, prev_hash = %s, hash = %s "  # nosec B608  # the table name is the model's own db_table; values are parameters
            "WHERE id = %s AND seq IS NULL",
            updates,
        )
    return len(pending)


def seal_pending(
    model: type[models.Model] | None = None, *, using: str = "default", durable: bool = True
) -> int:
    """Chain every event not yet chained, oldest id first; returns how many were chained.

    `model` lets the data migration pass its historical model. Each batch is one short transaction
    under the chain lock: read the head, read the pending events, write their chain columns.
    `durable=False` (the seal after each commit) lets PostgreSQL commit it without waiting for the
    disk: the events themselves are already durable, and a seal lost in a crash is only the newest
    chaining, which the next seal redoes identically (same head, same events, same order).
    """
    sealed = 0
    while True:
        with transaction.atomic(using=using):
            lock(using, durable=durable)
            batch = seal_locked(model, using=using)
        sealed += batch
        if batch < SEAL_BATCH:
            return sealed


# When this process last chained events after a commit (time.monotonic()); see `_seal_after_commit`.
_last_seal = float("-inf")


def _seal_after_commit() -> None:
    """Chain what is pending, at most once per `SIGHTLINE_AUDIT_SEAL_SECONDS` in this process.

    A seal after every commit would cost each audited request a second transaction (five round
    trips, under one lock shared by every worker). Within the interval the events wait, stored but
    unchained, and the next seal chains them in order: the next commit after the interval, or
    `sightline audit seal` (run every minute by cron), `verify` or `anchor`. 0 seals every commit.
    """
    global _last_seal
    interval = float(getattr(settings, "SIGHTLINE_AUDIT_SEAL_SECONDS", 0) or 0)
    now = time.monotonic()
    if interval > 0 and now - _last_seal < interval:
        return
    _last_seal = now
    try:
        seal_pending(durable=False)
    except DatabaseError:
        # The events are stored; only their chaining waits for the next seal.
        log.exception("audit chain: sealing failed; pending events are chained by the next seal")


def seal_soon(using: str = "default") -> None:
    """Chain the events just written once their transaction commits.

    Registered once per transaction, however many events it writes.
    """
    connection = transaction.get_connection(using)
    if any(func is _seal_after_commit for _, func, _ in connection.run_on_commit):
        return
    transaction.on_commit(_seal_after_commit, using=using)


# --- verification ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One break in the chain, named by place (`seq`) and event id where there is one."""

    kind: str  # altered | removed | relinked | unchained | truncated | rewritten
    seq: int | None
    event_id: int | None
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Anchor:
    """The chain head at one moment, kept away from the database."""

    seq: int
    hash: str
    event_id: int
    at: str

    def as_json(self) -> str:
        return json.dumps(
            {"seq": self.seq, "hash": self.hash, "event_id": self.event_id, "at": self.at},
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, line: str) -> Anchor:
        data = json.loads(line)
        return cls(
            seq=int(data["seq"]),
            hash=str(data["hash"]),
            event_id=int(data["event_id"]),
            at=str(data["at"]),
        )


def _rows(model: type[models.Model], using: str) -> Iterator[dict[str, Any]]:
    fields = (*HASHED_FIELDS, "seq", "prev_hash", "hash")
    return (
        model._base_manager.using(using)
        .filter(seq__isnull=False)
        .order_by("seq")
        .values(*fields)
        .iterator(chunk_size=5000)
    )


def verify(
    *, anchors: Iterable[Anchor] = (), using: str = "default", limit: int = 100
) -> list[Problem]:
    """Walk the whole chain and return what is wrong with it (empty when intact), at most `limit`.

    Each event is checked on its own (its hash recomputed from its fields) and against the one before
    it (its `prev_hash` and an unbroken `seq`), so an altered event is named once and the events after
    it still verify. Then each anchor must still be in the chain, unchanged.
    """
    model = _model()
    problems: list[Problem] = []
    expected_seq, prev = 1, GENESIS
    head_seq = 0
    stored_by_seq: dict[int, tuple[str, int]] = {}
    wanted = {anchor.seq for anchor in anchors}
    for row in _rows(model, using):
        seq, event_id = row["seq"], row["id"]
        head_seq = seq
        if seq in wanted:
            stored_by_seq[seq] = (row["hash"], event_id)
        if seq != expected_seq:
            problems.append(
                Problem(
                    "removed",
                    expected_seq,
                    None,
                    f"events at places {expected_seq}..{seq - 1} of the chain are missing "
                    f"(removed before event {event_id} at place {seq})",
                )
            )
        elif row["prev_hash"] != prev:
            problems.append(
                Problem(
                    "relinked",
                    seq,
                    event_id,
                    f"event {event_id} at place {seq} does not follow the event before it "
                    "(an event was inserted, removed or moved here)",
                )
            )
        if event_hash(row, seq=seq, prev_hash=row["prev_hash"]) != row["hash"]:
            problems.append(
                Problem(
                    "altered",
                    seq,
                    event_id,
                    f"event {event_id} at place {seq} was changed after it was written",
                )
            )
        expected_seq, prev = seq + 1, row["hash"]
        if len(problems) >= limit:
            return problems
    for anchor in sorted(anchors, key=lambda a: a.seq):
        if anchor.seq > head_seq:
            problems.append(
                Problem(
                    "truncated",
                    anchor.seq,
                    anchor.event_id,
                    f"the chain ends at place {head_seq}, but event {anchor.event_id} at place "
                    f"{anchor.seq} was anchored at {anchor.at}: events were removed from the end",
                )
            )
        elif stored_by_seq.get(anchor.seq) != (anchor.hash, anchor.event_id):
            problems.append(
                Problem(
                    "rewritten",
                    anchor.seq,
                    anchor.event_id,
                    f"place {anchor.seq} no longer holds event {anchor.event_id} as anchored at "
                    f"{anchor.at}: the chain was rewritten up to there",
                )
            )
    pending = model._base_manager.using(using).filter(seq__isnull=True)
    unchained = pending.count()
    if unchained:
        oldest = pending.order_by("id").values_list("id", flat=True).first()
        problems.append(
            Problem(
                "unchained",
                None,
                oldest,
                f"{unchained} event(s) are not chained yet (oldest id {oldest}); run "
                "`sightline audit seal`",
            )
        )
    return problems[:limit]


def head(*, using: str = "default") -> Anchor | None:
    """The newest chained event as an anchor (None for an empty log)."""
    row = (
        _model()
        ._base_manager.using(using)
        .filter(seq__isnull=False)
        .order_by("-seq")
        .values("seq", "hash", "id")
        .first()
    )
    if row is None:
        return None
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return Anchor(seq=row["seq"], hash=row["hash"], event_id=row["id"], at=now)
