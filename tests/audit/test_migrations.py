"""Events written before the hash chain existed are chained by the data migration, oldest first."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from sightline.audit.chain import GENESIS, verify
from sightline.audit.models import AuditEvent

BEFORE = [("audit", "0004_more_actions")]


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest() -> list[tuple[str, str]]:
    executor = MigrationExecutor(connection)
    # Every app's latest: going back also unapplies other apps' migrations that depend on these.
    return executor.loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_events_written_before_the_chain_are_chained_by_the_migration() -> None:
    latest = _latest()
    old = _migrate(BEFORE).get_model("audit", "AuditEvent")
    try:
        written = [
            old.objects.create(action="view", object_type="youth", object_id=str(n)).pk
            for n in range(5)
        ]
    finally:
        _migrate(latest)
    chained = list(AuditEvent.objects.order_by("seq").values_list("id", "seq", "prev_hash"))
    assert [row[0] for row in chained] == written  # oldest id first
    assert [row[1] for row in chained] == [1, 2, 3, 4, 5]
    assert chained[0][2] == GENESIS
    assert verify() == []
