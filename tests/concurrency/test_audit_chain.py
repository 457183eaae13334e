"""Concurrent writers keep one audit chain: sixteen threads, each with its own PostgreSQL connection,
write events alone and in transactions at once; the chain has no gap, no fork and verifies."""

from __future__ import annotations

import threading
import time
from contextlib import nullcontext

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from sightline.audit import services
from sightline.audit.chain import seal_pending, verify
from sightline.audit.models import AuditAction, AuditEvent
from sightline.audit.services import audit_record
from tests import factories
from tests.concurrency.conftest import requires_postgres, run_together

pytestmark = requires_postgres

WRITERS = 16
EVENTS_EACH = 30


def test_sixteen_concurrent_writers_keep_one_chain(transactional_db: None) -> None:
    person = factories.user()
    start = threading.Barrier(WRITERS)

    def writer(n: int) -> None:
        start.wait()
        for i in range(EVENTS_EACH):
            if i % 3 == 0:
                # Several events in one transaction, as a service writes them.
                with transaction.atomic():
                    audit_record(actor=person, action=AuditAction.VIEW, object_type="youth")
                    audit_record(actor=person, action=AuditAction.CHANGE, object_type="youth")
            else:
                audit_record(
                    actor=person, action=AuditAction.VIEW, object_type="youth", object_id=n
                )

    errors = run_together(*(lambda n=n: writer(n) for n in range(WRITERS)))
    assert errors == []
    total = AuditEvent.objects.count()
    assert total == WRITERS * (EVENTS_EACH + EVENTS_EACH // 3)
    seqs = sorted(AuditEvent.objects.values_list("seq", flat=True))
    assert seqs == list(range(1, total + 1))  # every event chained, no gap, no place twice
    assert verify() == []


def test_what_chaining_adds_to_an_event(
    transactional_db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Measured, and bounded: an event in a transaction costs the INSERT, and the transaction's
    commit one short chaining transaction (advisory lock, head, pending, UPDATE) for all its events."""
    person = factories.user()
    with CaptureQueriesContext(connection) as plain:
        audit_record(actor=person, action=AuditAction.VIEW, object_type="youth")
    statements = [q["sql"].split()[0].upper() for q in plain.captured_queries]
    assert statements.count("INSERT") == 1
    # One transaction: lock, INSERT, pending with the head, UPDATE.
    assert statements == ["BEGIN", "SELECT", "INSERT", "SELECT", "1", "COMMIT"], statements
    with CaptureQueriesContext(connection) as grouped, transaction.atomic():
        for _ in range(5):
            audit_record(actor=person, action=AuditAction.VIEW, object_type="youth")
    # The service's BEGIN, five INSERTs, COMMIT; then one chaining transaction for all five: BEGIN,
    # lock (with synchronous_commit off), pending with the head, the UPDATEs (one executemany), COMMIT.
    assert len(grouped.captured_queries) == 7 + 5

    def per_event_ms(*, in_transaction: bool) -> float:
        started = time.perf_counter()
        for _ in range(200):
            with transaction.atomic(durable=True) if in_transaction else nullcontext():
                audit_record(actor=person, action=AuditAction.VIEW, object_type="youth")
        return (time.perf_counter() - started) / 200 * 1000

    for in_transaction in (False, True):
        chained = per_event_ms(in_transaction=in_transaction)
        with monkeypatch.context() as patch:
            patch.setattr(services.chain, "lock", lambda: None)
            patch.setattr(services.chain, "seal_locked", lambda: 0)
            patch.setattr(services.chain, "seal_soon", lambda: None)
            unchained = per_event_ms(in_transaction=in_transaction)
        where = "in a transaction" if in_transaction else "on its own"
        print(f"\naudit event {where}: {unchained:.2f} ms unchained, {chained:.2f} ms chained")
        seal_pending()
    assert verify() == []
