"""Import problem reports quote the file's cells (names, case numbers): stored encrypted (issue 18),
also those written before (migration imports 0002, reversible)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from sightline.imports.models import ImportRun
from tests.conftest import World

PROBLEMS = [[3, "case_number", "CANARY-CASE-9", "Looks like a duplicate", "warning"]]


def _raw() -> list[tuple[int, str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, problems FROM imports_importrun ORDER BY id")
        return list(cursor.fetchall())


def _run(world: World) -> ImportRun:
    return ImportRun.objects.create(
        agency=world.agency_a, kind="youth", source_system="cms", file_name="a.csv",
        created_by=world.agency_admin,
    )  # fmt: skip


def test_problems_are_stored_encrypted_and_read_back(world: World) -> None:
    run = _run(world)
    # As the task writes them: a queryset update, without the row in hand.
    ImportRun.objects.filter(pk=run.pk).update(problems=PROBLEMS)
    [(_, stored)] = _raw()
    assert stored.startswith("v1:") and "CANARY" not in stored
    assert ImportRun.objects.get(pk=run.pk).problems == PROBLEMS


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_earlier_reports_and_reverses(world: World) -> None:
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    run = _run(world)
    try:
        executor.migrate([("imports", "0001_initial")])
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE imports_importrun SET problems = %s WHERE id = %s",
                [
                    '[[3, "case_number", "CANARY-CASE-9", "Looks like a duplicate", "warning"]]',
                    run.pk,
                ],
            )
        executor = MigrationExecutor(connection)
        executor.migrate(latest)
        [(_, stored)] = _raw()
        assert stored.startswith("v2:") and "CANARY" not in stored
        assert ImportRun.objects.get(pk=run.pk).problems == PROBLEMS
        executor = MigrationExecutor(connection)
        executor.migrate([("imports", "0001_initial")])
        [(_, stored)] = _raw()
        assert "CANARY-CASE-9" in str(stored)
    finally:
        MigrationExecutor(connection).migrate(latest)
