"""The hash chain: every alteration, removal, insertion, reordering and truncation made by SQL is
found and named (1,000 random tamperings of each kind), on SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from sightline.audit import chain as audit_chain
from sightline.audit.chain import GENESIS, Anchor, event_hash, head, seal_pending, verify
from sightline.audit.models import AuditAction, AuditEvent
from sightline.audit.services import audit_record
from tests.conftest import World

TABLE = AuditEvent._meta.db_table
EVENTS = 40
TRIALS = 1000


class Rollback(Exception):
    """Raised to undo one tampering."""


def _write_events(world: World, count: int) -> None:
    actions = [AuditAction.VIEW, AuditAction.CHANGE, AuditAction.EXPORT, AuditAction.SEARCH]
    for i in range(count):
        audit_record(
            actor=world.screener if i % 3 else world.supervisor,
            action=actions[i % len(actions)],
            object_type="youth",
            object_id=i,
            agency_id=world.agency_a.pk,
            youth_id=i if i % 2 else None,
            detail={"n": i, "flag": bool(i % 2)},
        )
    seal_pending()


def _sql(statement: str, params: list[object] | tuple[object, ...] = ()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _by_seq() -> list[dict[str, object]]:
    return list(AuditEvent.objects.order_by("seq").values("id", "seq", "hash", "prev_hash"))


@pytest.fixture
def chain(world: World) -> Iterator[list[dict[str, object]]]:
    """A chained log of EVENTS events, with the PostgreSQL guard switched off as an attacker with
    the table owner's rights would (inside the test's transaction, so it comes back after)."""
    _write_events(world, EVENTS)
    if connection.vendor == "postgresql":
        # A superuser's way around every ordinary trigger, for this transaction only.
        _sql("SET LOCAL session_replication_role = replica")
    yield _by_seq()


def _detected(tamper: Callable[[], object], *, anchors: list[Anchor] | None = None) -> list[str]:
    """Apply one tampering, verify, undo it; the kinds of problem found."""
    found: list[str] = []
    try:
        with transaction.atomic():
            where = tamper()
            problems = verify(anchors=anchors or [])
            found = [p.kind for p in problems]
            if where is not None:
                # The report names the place tampered with (or the place just after it).
                named = {p.seq for p in problems} | {p.event_id for p in problems}
                assert named & set(where), (where, problems)  # type: ignore[call-overload]
            raise Rollback
    except Rollback:
        pass
    return found


def test_an_untouched_chain_verifies(chain: list[dict[str, object]]) -> None:
    assert [row["seq"] for row in chain] == list(range(1, EVENTS + 1))
    assert chain[0]["prev_hash"] == GENESIS
    assert all(b["prev_hash"] == a["hash"] for a, b in itertools.pairwise(chain))
    assert verify() == []


def test_1000_random_alterations_are_all_detected(chain: list[dict[str, object]]) -> None:
    rng = random.Random(18001)
    rows = {row["seq"]: row for row in AuditEvent.objects.values()}

    def alter() -> tuple[object, ...]:
        seq = rng.randint(1, EVENTS)
        row = rows[seq]
        column, value = rng.choice(
            [
                ("action", "export" if row["action"] != "export" else "view"),
                ("object_id", f"{row['object_id']}9"),
                ("object_type", "screening"),
                ("detail", '{"n": -1}'),
                ("at", row["at"] + dt.timedelta(microseconds=rng.randint(1, 10**9))),
                ("actor_id", None if row["actor_id"] else 1),
                ("youth_id", (row["youth_id"] or 0) + 1),
                ("ip_address", "198.51.100.7"),
                ("path", "/forged"),
                ("channel", "cli"),
                ("hash", row["hash"][::-1]),
                ("prev_hash", "1" * 64),
            ]
        )
        _sql(f"UPDATE {TABLE} SET {column} = %s WHERE seq = %s", [value, seq])
        return (seq, row["id"])

    kinds = [_detected(alter) for _ in range(TRIALS)]
    assert all(kinds), "an alteration went unnoticed"


def test_1000_random_removals_are_all_detected(chain: list[dict[str, object]]) -> None:
    rng = random.Random(18002)

    def remove() -> tuple[object, ...]:
        # Removing the newest events is truncation, caught by anchors (below).
        seq = rng.randint(1, EVENTS - 1)
        count = rng.randint(1, EVENTS - seq)
        count = min(count, EVENTS - seq)
        _sql(f"DELETE FROM {TABLE} WHERE seq >= %s AND seq < %s", [seq, seq + count])
        return (seq,)

    kinds = [_detected(remove) for _ in range(TRIALS)]
    assert all("removed" in k for k in kinds)


def _forge_row(*, seq: int, prev_hash: str, event_id: int) -> None:
    """Insert a well-formed event whose own hash is right: the strongest forger without an anchor."""
    row = {
        "id": event_id,
        "at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        "actor_id": None,
        "agency_id": None,
        "action": "view",
        "object_type": "youth",
        "object_id": "999",
        "youth_id": 999,
        "ip_address": None,
        "user_agent": "",
        "path": "",
        "channel": "system",
        "request_id": "forged",
        "detail": {},
    }
    digest = event_hash(row, seq=seq, prev_hash=prev_hash)
    _sql(
        f"INSERT INTO {TABLE} (id, at, actor_id, agency_id, action, object_type, object_id, "
        "youth_id, ip_address, user_agent, path, channel, request_id, detail, seq, prev_hash, hash) "
        "VALUES (%s, %s, NULL, NULL, 'view', 'youth', '999', 999, NULL, '', '', 'system', "
        "'forged', '{}', %s, %s, %s)",
        [event_id, row["at"], seq, prev_hash, digest],
    )


def _shift(from_seq: int, by: int) -> None:
    # Through negative values, so the unique place never collides halfway.
    _sql(f"UPDATE {TABLE} SET seq = -seq WHERE seq >= %s", [from_seq])
    _sql(f"UPDATE {TABLE} SET seq = -seq + %s WHERE seq < 0", [by])


def test_1000_random_insertions_are_all_detected(chain: list[dict[str, object]]) -> None:
    rng = random.Random(18003)
    hashes = {row["seq"]: row["hash"] for row in chain}
    next_id = max(int(row["id"]) for row in chain) + 1000  # type: ignore[call-overload]

    def insert() -> tuple[object, ...]:
        seq = rng.randint(1, EVENTS)  # in front of the event now at `seq`
        _shift(seq, 1)
        _forge_row(seq=seq, prev_hash=hashes.get(seq - 1, GENESIS), event_id=next_id)
        return (seq + 1,)

    kinds = [_detected(insert) for _ in range(TRIALS)]
    assert all(kinds), "an insertion went unnoticed"


def test_1000_random_reorderings_are_all_detected(chain: list[dict[str, object]]) -> None:
    rng = random.Random(18004)

    def reorder() -> tuple[object, ...]:
        a, b = rng.sample(range(1, EVENTS + 1), 2)
        _sql(f"UPDATE {TABLE} SET seq = -1 WHERE seq = %s", [a])
        _sql(f"UPDATE {TABLE} SET seq = %s WHERE seq = %s", [a, b])
        _sql(f"UPDATE {TABLE} SET seq = %s WHERE seq = -1", [b])
        return (a, b)

    kinds = [_detected(reorder) for _ in range(TRIALS)]
    assert all(kinds), "a reordering went unnoticed"


def test_1000_random_truncations_after_an_anchor_are_all_detected(
    chain: list[dict[str, object]],
) -> None:
    rng = random.Random(18005)
    anchor = head()
    assert anchor is not None and anchor.seq == EVENTS

    def truncate() -> None:
        keep = rng.randint(0, EVENTS - 1)
        _sql(f"DELETE FROM {TABLE} WHERE seq > %s", [keep])

    kinds = [_detected(truncate, anchors=[anchor]) for _ in range(TRIALS)]
    assert all("truncated" in k for k in kinds)
    # Without the anchor, a truncated chain is a shorter intact one: why anchors exist.
    assert _detected(truncate) == []


def test_a_chain_rewritten_after_a_change_is_caught_by_an_earlier_anchor(
    chain: list[dict[str, object]],
) -> None:
    anchor = head()
    assert anchor is not None
    rows = list(AuditEvent.objects.order_by("seq").values())
    target = rows[10]
    _sql(f"UPDATE {TABLE} SET object_id = 'forged' WHERE id = %s", [target["id"]])
    prev = rows[9]["hash"]
    for row in rows[10:]:
        fresh = AuditEvent.objects.values().get(pk=row["id"])
        digest = event_hash(fresh, seq=row["seq"], prev_hash=prev)
        _sql(
            f"UPDATE {TABLE} SET prev_hash = %s, hash = %s WHERE id = %s",
            [prev, digest, row["id"]],
        )
        prev = digest
    assert verify() == []  # consistent on its own ...
    assert [p.kind for p in verify(anchors=[anchor])] == [
        "rewritten"
    ]  # ... but not with the anchor


def test_events_written_in_a_transaction_are_chained_after_it_commits(
    transactional_db: None, world: World
) -> None:
    with transaction.atomic():
        first = audit_record(actor=world.screener, action=AuditAction.VIEW, object_type="youth")
        second = audit_record(actor=world.screener, action=AuditAction.VIEW, object_type="youth")
        assert AuditEvent.objects.filter(seq__isnull=True).count() >= 2
    chained = dict(AuditEvent.objects.values_list("id", "seq"))
    assert chained[second.pk] == chained[first.pk] + 1
    assert not AuditEvent.objects.filter(seq__isnull=True).exists()
    assert verify() == []


def test_within_the_seal_interval_events_wait_for_the_next_seal(
    transactional_db: None, world: World, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Under load a seal per commit would double every audited request's transactions: one per
    # interval chains all that waited, in order.
    settings.SIGHTLINE_AUDIT_SEAL_SECONDS = 60
    monkeypatch.setattr(audit_chain, "_last_seal", float("-inf"))
    with transaction.atomic():
        first = audit_record(actor=world.screener, action=AuditAction.VIEW, object_type="youth")
    with transaction.atomic():
        second = audit_record(actor=world.screener, action=AuditAction.VIEW, object_type="youth")

    assert AuditEvent.objects.get(pk=first.pk).seq is not None
    assert AuditEvent.objects.get(pk=second.pk).seq is None
    assert seal_pending() == 1
    assert verify() == []


def test_a_rolled_back_transaction_leaves_no_gap(transactional_db: None, world: World) -> None:
    audit_record(actor=world.screener, action=AuditAction.VIEW, object_type="youth")
    with pytest.raises(Rollback), transaction.atomic():
        audit_record(actor=world.screener, action=AuditAction.VIEW, object_type="youth")
        raise Rollback
    audit_record(actor=world.screener, action=AuditAction.VIEW, object_type="youth")
    assert sorted(AuditEvent.objects.values_list("seq", flat=True)) == [1, 2]
    assert verify() == []


def test_unchained_events_are_reported_until_sealed(world: World) -> None:
    audit_record(actor=world.screener, action=AuditAction.VIEW, object_type="youth")
    # Inside a `db` test nothing commits, so the event is still pending.
    assert [p.kind for p in verify()] == ["unchained"]
    assert seal_pending() == 1
    assert verify() == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the SQL guard is PostgreSQL's")
def test_postgresql_refuses_update_and_delete_of_an_event(world: World) -> None:
    _write_events(world, 2)
    event = AuditEvent.objects.order_by("seq").first()
    assert event is not None
    for statement in (
        f"UPDATE {TABLE} SET action = 'export' WHERE id = %s",
        f"UPDATE {TABLE} SET seq = seq + 100 WHERE id = %s",
        f"DELETE FROM {TABLE} WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            _sql(statement, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == event.action
