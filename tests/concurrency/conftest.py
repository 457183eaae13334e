"""Concurrency tests: real threads, each with its own database connection, on PostgreSQL only.

SQLite serialises every writer (IMMEDIATE transactions), so the races these tests look for cannot
happen there; they are skipped with that reason. Run them with
`DATABASE_URL=postgres://... .venv/bin/python -m pytest tests/concurrency`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

requires_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite serialises writers, so these races cannot happen there",
)

THREAD_TIMEOUT = 60.0  # seconds; a thread still running then is a deadlock, and fails the test


def run_together(*work: Callable[[], Any]) -> list[BaseException]:
    """Run each callable in its own thread (own connection, closed at the end); the errors raised."""
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(job: Callable[[], Any]) -> None:
        try:
            job()
        except BaseException as error:
            with lock:
                errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(THREAD_TIMEOUT)
    stuck = [thread for thread in threads if thread.is_alive()]
    assert not stuck, f"{len(stuck)} threads still running after {THREAD_TIMEOUT:.0f} s"
    return errors


def waiting_on_a_lock() -> int:
    """Backends of this database waiting for a lock right now (seen from the caller's connection,
    inside a transaction too: the statistics snapshot is cleared first)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return int(cursor.fetchone()[0])
